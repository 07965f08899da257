"""A running bot against the fake Bot API, with helpers to act as citizens, staff and admins."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from telegram import Update
from telegram.ext import Application

from bot.telegram_app import build_application, running
from bot.updates import PerUserUpdateProcessor
from shared import crud
from shared.db import session_scope
from shared.settings import Settings, load_settings
from shared.survey_data import SurveyData
from tests.conftest import NOW
from tests.fake_bot_api import Call, FakeBotAPI, callback_update, text_update

ADMIN_ID = 500
TOKEN = "123456:TEST-TOKEN"


class FakeClock:
    """The bot's clock in tests: starts at NOW and only moves when told to."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    server = FakeBotAPI()
    server.max_poll_wait = 0.05  # stopping a polling bot waits for one poll at most
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def make_settings(database_url: str, api: FakeBotAPI, **overrides: Any) -> Settings:
    values: dict[str, Any] = dict(
        database_url=database_url,
        telegram_bot_token=TOKEN,
        telegram_api_base_url=api.base_url,
        telegram_api_base_file_url=api.base_file_url,
        admin_ids=str(ADMIN_ID),
        pseudonym_key="test-key",
        telegram_rate_limit=0,
        # Never the working copy's out/: an erasure scrubs the files under it.
        output_dir=tempfile.mkdtemp(prefix="rembuk-test-out-"),
    )
    values.update(overrides)
    return load_settings(**values)


@pytest.fixture
def settings(database_url: str, api: FakeBotAPI) -> Settings:
    return make_settings(database_url, api)


@pytest.fixture
def default_campaign(engine: Engine, survey_data: SurveyData) -> str:
    with session_scope(engine) as session:
        campaign = crud.ensure_default_campaign(
            session=session, survey_data=survey_data, timezone="Asia/Jakarta", now=NOW
        )
        assert campaign is not None
        return campaign.code


@dataclass
class Harness:
    """Drives the running bot: push an update, wait until it is handled, look at the calls."""

    api: FakeBotAPI
    app: Application
    clock: FakeClock
    engine: Engine
    _message_ids: dict[int, int] = field(default_factory=dict)

    @property
    def processor(self) -> PerUserUpdateProcessor:
        processor = self.app.update_processor
        assert isinstance(processor, PerUserUpdateProcessor)
        return processor

    async def send(self, update: dict[str, Any], update_id: int | None = None) -> list[Call]:
        """Deliver one update; return the Bot API calls the bot made while handling it."""
        before = len(self.api.calls)
        handled = self.processor.completed
        pushed = self.api.push_update(update, update_id=update_id)
        await self.processor.wait_for(pushed, after=handled)
        return self.api.calls[before:]

    async def redeliver(self, update: dict[str, Any], update_id: int) -> list[Call]:
        """Deliver an update id again, as Telegram does after a webhook retry or a restart
        before the offset was confirmed (getUpdates never returns a confirmed id again)."""
        before = len(self.api.calls)
        handled = self.processor.completed
        await self.app.update_queue.put(
            Update.de_json({**update, "update_id": update_id}, self.app.bot)
        )
        await self.processor.wait_for(update_id, after=handled)
        return self.api.calls[before:]

    async def say(self, user_id: int, text: str) -> list[Call]:
        self._message_ids[user_id] = self._message_ids.get(user_id, 100) + 1
        return await self.send(text_update(user_id, text, message_id=self._message_ids[user_id]))

    async def press(self, user_id: int, data: str, message_id: int = 1) -> list[Call]:
        return await self.send(callback_update(user_id, data, message_id=message_id))

    def keyboard(self, user_id: int) -> list[dict[str, str]]:
        """The buttons of the latest message sent to the user that had any."""
        for call in reversed(self.api.calls):
            if call.method in ("sendMessage", "sendPhoto") and call.chat_id == user_id:
                markup = call.params.get("reply_markup")
                if markup:
                    return [button for row in markup["inline_keyboard"] for button in row]
        return []

    async def tap(self, user_id: int, label: str) -> list[Call]:
        """Press the button whose label contains `label` on the latest keyboard."""
        buttons = self.keyboard(user_id)
        matching = [b for b in buttons if label.lower() in b["text"].lower()]
        assert matching, f"no button {label!r} among {[b['text'] for b in buttons]}"
        return await self.press(user_id, matching[0]["callback_data"])

    def last_text(self, user_id: int) -> str:
        texts = self.api.sent_texts(user_id)
        return texts[-1] if texts else ""

    async def join(
        self, user_id: int, payload: str | None = None, *, skip_profile: bool = True
    ) -> list[Call]:
        """/start (with a payload), agree to the privacy notice and (unless told not to)
        skip the optional profile questions; the calls of the last step, which show the
        survey's first question."""
        await self.say(user_id, "/start" + (f" {payload}" if payload else ""))
        calls = await self.tap(user_id, "Setuju")
        if skip_profile:
            calls = await self.skip_profile(user_id, calls)
        return calls

    async def skip_profile(self, user_id: int, calls: list[Call]) -> list[Call]:
        """Press "Lewati" while a profile question is shown; all calls since `calls`."""
        everything = list(calls)
        while any(
            marker in text
            for text in texts_of(everything[-3:])
            for marker in (
                "Anda tinggal di kecamatan",
                "Berapa usia",
                "Jenis kelamin Anda",
                "hidup dengan disabilitas",
                "Which kecamatan",
                "How old",
                "Your sex",
                "live with a disability",
            )
        ):
            everything.extend(await self.tap(user_id, "Lewati"))
        return everything


def texts_of(calls: list[Call], method: str = "sendMessage") -> list[str]:
    return [
        str(c.params.get("text") or c.params.get("caption") or "")
        for c in calls
        if c.method == method
    ]


@asynccontextmanager
async def bot_running(
    *,
    settings: Settings,
    survey_data: SurveyData,
    engine: Engine,
    api: FakeBotAPI,
    clock: FakeClock,
    **build: Any,
) -> AsyncIterator[Harness]:
    app = build_application(
        settings=settings, survey_data=survey_data, engine=engine, clock=clock, **build
    )
    async with running(app, poll_timeout=1):
        yield Harness(api=api, app=app, clock=clock, engine=engine)


@pytest.fixture
async def bot(
    settings: Settings,
    survey_data: SurveyData,
    engine: Engine,
    api: FakeBotAPI,
    clock: FakeClock,
    default_campaign: str,
) -> AsyncIterator[Harness]:
    async with bot_running(
        settings=settings, survey_data=survey_data, engine=engine, api=api, clock=clock
    ) as harness:
        yield harness
