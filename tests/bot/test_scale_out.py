"""Two bot workers (webhook mode, as behind a load balancer) on one PostgreSQL database."""

from __future__ import annotations

import asyncio
import itertools
import socket
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import aiohttp
import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from telegram.ext import Application

from bot.telegram_app import build_application, running
from bot.updates import PerUserUpdateProcessor
from shared.models import Answer, ProcessedUpdate, RespondentProfile, RunStatus, SurveyRun
from shared.settings import Settings
from shared.survey_data import SurveyData
from tests.bot.conftest import FakeClock
from tests.fake_bot_api import FakeBotAPI, callback_update, text_update

SECRET = "webhook-secret"
RESPONDENTS = 12


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Workers:
    """Two Applications serving webhooks; updates are posted to one of them, or to both."""

    def __init__(self, api: FakeBotAPI, apps: list[Application], ports: list[int]) -> None:
        self.api = api
        self.apps = apps
        self.ports = ports
        self.update_ids = itertools.count(50_000)
        self.http = aiohttp.ClientSession()

    async def post(self, worker: int, update: dict, update_id: int) -> None:
        url = f"http://127.0.0.1:{self.ports[worker]}/telegram"
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        async with self.http.post(
            url, json={**update, "update_id": update_id}, headers=headers
        ) as r:
            assert r.status == 200
        processor = self.apps[worker].update_processor
        assert isinstance(processor, PerUserUpdateProcessor)
        await processor.wait_for(update_id)

    async def send(self, update: dict, *workers: int) -> None:
        """Post one update (one update id) to the given workers at the same moment."""
        update_id = next(self.update_ids)
        await asyncio.gather(*(self.post(w, update, update_id) for w in workers))

    def keyboard(self, user_id: int) -> list[dict[str, str]]:
        for call in reversed(self.api.calls):
            if call.method == "sendMessage" and call.chat_id == user_id:
                markup = call.params.get("reply_markup")
                if markup:
                    return [b for row in markup["inline_keyboard"] for b in row]
        return []

    def button(self, user_id: int, label: str) -> str:
        return next(b for b in self.keyboard(user_id) if label in b["text"])["callback_data"]


@pytest.fixture
async def workers(
    database_url: str,
    settings: Settings,
    survey_data: SurveyData,
    engine: Engine,
    api: FakeBotAPI,
    clock: FakeClock,
    default_campaign: str,
) -> AsyncIterator[Workers]:
    if not database_url.startswith("postgresql"):
        pytest.skip("several bot workers need PostgreSQL (SQLite is the one-process default)")
    ports = [_free_port(), _free_port()]
    apps = [
        build_application(settings=settings, survey_data=survey_data, engine=engine, clock=clock)
        for _ in ports
    ]
    async with AsyncExitStack() as stack:
        for app, port in zip(apps, ports, strict=True):
            webhook = dict(
                listen="127.0.0.1",
                port=port,
                url_path="telegram",
                webhook_url=f"http://127.0.0.1:{port}/telegram",
                secret_token=SECRET,
            )
            await stack.enter_async_context(running(app, webhook=webhook))
        harness = Workers(api, apps, ports)
        stack.push_async_callback(harness.http.close)
        yield harness


async def _fgd(w: Workers, user: int) -> None:
    """One citizen's external FGD, each update going to the worker after the previous one."""
    worker = itertools.cycle((user % 2, 1 - user % 2))
    await w.send(text_update(user, "/start"), next(worker))
    await w.send(callback_update(user, w.button(user, "Setuju")), next(worker))
    # The optional profile: kecamatan and age skipped, sex answered, disability skipped.
    for label in ("Lewati", "Lewati", "Perempuan", "Lewati"):
        await w.send(callback_update(user, w.button(user, label)), next(worker))
    await w.send(callback_update(user, w.button(user, "Kesehatan")), next(worker))
    await w.send(text_update(user, f"Kebutuhan warga {user}"), next(worker))
    await w.send(text_update(user, "Karena penting"), next(worker))
    await w.send(callback_update(user, w.button(user, "Tidak")), next(worker))
    await w.send(text_update(user, "Antre lama"), next(worker))
    await w.send(text_update(user, "Tambah petugas"), next(worker))
    await w.send(callback_update(user, w.button(user, "Tidak")), next(worker))
    await w.send(callback_update(user, w.button(user, "Kirim")), next(worker))


async def test_two_workers_serve_many_citizens_without_loss_or_duplicates(
    workers: Workers, engine: Engine
) -> None:
    users = range(6000, 6000 + RESPONDENTS)
    await asyncio.gather(*(_fgd(workers, user) for user in users))
    with Session(engine) as session:
        runs = session.exec(select(SurveyRun)).all()
        assert len(runs) == RESPONDENTS
        assert all(run.status == RunStatus.submitted for run in runs)
        per_run = dict(
            session.exec(select(Answer.run_id, func.count()).group_by(Answer.run_id)).all()
        )
        # domain, need, reason, more_needs, obstacle, strategy, more_domains
        assert set(per_run.values()) == {7}
        needs = sorted(
            a.value_text for a in session.exec(select(Answer).where(Answer.question_id == "need"))
        )
        assert needs == sorted(f"Kebutuhan warga {u}" for u in users)
        profiles = session.exec(select(RespondentProfile)).all()
        assert len(profiles) == RESPONDENTS
        assert {(p.kecamatan, p.age_band, p.sex, p.disability) for p in profiles} == {
            (None, None, "female", None)
        }


async def test_the_same_update_on_both_workers_is_handled_once(
    workers: Workers, engine: Engine
) -> None:
    user = 7001
    await workers.send(text_update(user, "/start"), 0)
    await workers.send(callback_update(user, workers.button(user, "Setuju")), 1)
    for worker in (0, 1, 0, 1):  # skip the optional profile
        await workers.send(callback_update(user, workers.button(user, "Lewati")), worker)
    await workers.send(callback_update(user, workers.button(user, "Energi")), 0)
    before = len(workers.api.calls_to("sendMessage", user))
    await workers.send(text_update(user, "Listrik tidak padam"), 0, 1)
    assert len(workers.api.calls_to("sendMessage", user)) == before + 1
    # A double tap of the same button reaching both workers as two updates: one answer.
    await workers.send(text_update(user, "Usaha kecil butuh listrik"), 1)
    no = workers.button(user, "Tidak")
    await asyncio.gather(
        workers.send(callback_update(user, no), 0), workers.send(callback_update(user, no), 1)
    )
    with Session(engine) as session:
        rows = session.exec(select(Answer)).all()
        assert sorted(a.question_id for a in rows) == ["domain", "more_needs", "need", "reason"]
        assert session.exec(select(func.count()).select_from(ProcessedUpdate)).one() == 11
    notes = [c.params.get("text") for c in workers.api.calls_to("answerCallbackQuery")[-2:]]
    assert any(note and "tidak berlaku" in note for note in notes)
