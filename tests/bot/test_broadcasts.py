"""/kabari in the real bot Application: a planner previews and confirms a broadcast, the
respondents get their parts once, and a respondent turns broadcasts off with the button
under the message (issue 14 item 4)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.planner import planner_handlers
from processor import digest_store
from shared import crud
from shared.db import session_scope
from shared.models import Broadcast, Digest, Respondent, Role, SurveyRun
from shared.survey_data import SurveyData
from tests.bot.conftest import FakeClock, Harness, bot_running, make_settings
from tests.fake_bot_api import FakeBotAPI
from tests.processor.digest.conftest import NOW, add_person
from tests.processor.digest.test_broadcast import add_citizen

SUMMARY = Path(__file__).parents[1] / "processor" / "digest" / "fixtures" / "summary.json"
PLANNER, CITIZEN, ENGLISH = 501, 601, 603


def _store_digest(engine: Engine, slot: str, made: datetime = NOW) -> int:
    with session_scope(engine) as session:
        campaign_id = crud.get_campaign(session=session, code="tjb2027").id
        digest = digest_store.create_digest(
            session=session,
            digest=Digest(
                campaign_id=campaign_id,
                slot=slot,
                period_end=NOW,
                summary=json.loads(SUMMARY.read_text(encoding="utf-8")),
                message_parts=[],
                created_at=made,
            ),
        )
        return digest.id


@pytest.fixture
def people(engine: Engine, survey_data: SurveyData) -> None:
    with session_scope(engine) as session:
        crud.create_campaign(
            session=session,
            code="tjb2027",
            name="Master Plan Pelayanan Publik Kab. Tanjung Jabung Barat",
            plan_first_year=2027,
            plan_last_year=2031,
            survey_data=survey_data,
            timezone="Asia/Jakarta",
            now=NOW,
        )
    add_person(engine, telegram_user_id=PLANNER, role=Role.planner, campaign_code="tjb2027")
    add_citizen(engine, "tjb2027", CITIZEN, ["kesehatan"])
    add_citizen(engine, "tjb2027", ENGLISH, ["adminduk_perizinan"], language="en")


@pytest.fixture
async def harness(
    engine: Engine, survey_data: SurveyData, api: FakeBotAPI, database_url: str, people: None
) -> AsyncIterator[Harness]:
    api.max_poll_wait = 0.05
    async with bot_running(
        settings=make_settings(database_url, api),
        survey_data=survey_data,
        engine=engine,
        api=api,
        clock=FakeClock(NOW),
        extra_handlers=planner_handlers(engine=engine, survey_data=survey_data),
        housekeeping=False,
    ) as running_bot:
        yield running_bot


def _button(harness: Harness, user: int, text: str) -> str:
    buttons = harness.keyboard(user)
    return next(b["callback_data"] for b in buttons if text in b["text"])


async def test_planner_previews_confirms_and_respondents_get_it_once(
    harness: Harness, engine: Engine
) -> None:
    api = harness.api
    refused = await harness.say(CITIZEN, "/kabari")
    assert "hanya untuk tim penyusun" in refused[0].params["text"]
    nothing = await harness.say(PLANNER, "/kabari")
    assert "Belum ada ringkasan" in nothing[0].params["text"]

    _store_digest(engine, "cron:1")
    calls = await harness.say(PLANNER, "/kabari")
    preview, sample = [c.params["text"] for c in calls if c.method == "sendMessage"]
    assert "Penerima: <b>2</b>" in preview
    assert "Kesehatan 1" in preview and "en 1, id 1" in preview
    assert "<b>Kesehatan</b>" in sample  # the first recipient's domain, as they will see it

    await harness.press(PLANNER, _button(harness, PLANNER, "Batal"))
    assert "tidak dikirim" in harness.last_text(PLANNER)
    assert api.calls_to("sendMessage", CITIZEN) == [refused[0]]  # only the refusal

    await harness.say(PLANNER, "/kabari")
    send = _button(harness, PLANNER, "Kirim")
    await harness.press(PLANNER, send)
    await api.wait_for(lambda a: "Kabar balik selesai" in harness.last_text(PLANNER))
    assert "2 terkirim" in harness.last_text(PLANNER)
    [news] = api.calls_to("sendMessage", CITIZEN)[1:]
    assert "Kesehatan" in news.params["text"] and "Adminduk" not in news.params["text"]
    [english] = api.calls_to("sendMessage", ENGLISH)
    assert "What happens next" in english.params["text"]
    with Session(engine) as session:
        audit = session.exec(select(Broadcast)).one()
    assert audit.started_by.startswith("planner:") and audit.counts["result"]["sent"] == 2

    # The old button again, and /kabari again: everyone had it once, nobody gets it twice.
    await harness.press(PLANNER, send)
    assert "sudah dikirim (2 terkirim)" in harness.last_text(PLANNER)
    again = await harness.say(PLANNER, "/kabari")
    assert "sudah dikirim" in again[0].params["text"]
    assert len(api.calls_to("sendMessage", CITIZEN)) == 2


async def test_a_respondent_turns_broadcasts_off_with_one_button(
    harness: Harness, engine: Engine
) -> None:
    api = harness.api
    _store_digest(engine, "cron:1")
    await harness.say(PLANNER, "/kabari")
    await harness.press(PLANNER, _button(harness, PLANNER, "Kirim"))
    await api.wait_for(lambda a: "Kabar balik selesai" in harness.last_text(PLANNER))

    calls = await harness.tap(CITIZEN, "Jangan kirimi")
    assert any(c.method == "editMessageReplyMarkup" for c in calls)
    assert "tidak akan menerima kabar" in harness.last_text(CITIZEN)
    with Session(engine) as session:
        person = session.exec(select(Respondent).where(Respondent.telegram_user_id == CITIZEN))
        assert person.one().broadcasts_off is True

    # The next digest's broadcast leaves them out.
    _store_digest(engine, "cron:2")
    calls = await harness.say(PLANNER, "/kabari")
    assert "Penerima: <b>1</b>" in calls[0].params["text"]
    await harness.press(PLANNER, _button(harness, PLANNER, "Kirim"))
    await api.wait_for(lambda a: harness.last_text(PLANNER).startswith("Kabar balik selesai: 1"))
    assert len(api.calls_to("sendMessage", ENGLISH)) == 2
    assert "tidak akan menerima kabar" in harness.last_text(CITIZEN)  # nothing new for them


async def test_kabari_warns_when_the_digest_is_older_than_the_latest_answers(
    harness: Harness, engine: Engine
) -> None:
    made = datetime.now(UTC)  # /kabari reads the real clock, like the broadcast it starts
    _store_digest(engine, "cron:fresh", made=made)
    calls = await harness.say(PLANNER, "/kabari")
    preview = next(c.params["text"] for c in calls if c.method == "sendMessage")
    assert "Penerima: <b>2</b>" in preview and "⚠️" not in preview
    await harness.press(PLANNER, _button(harness, PLANNER, "Batal"))

    with session_scope(engine) as session:  # a consultation submitted after the digest
        run = session.exec(select(SurveyRun)).first()
        run.submitted_at = made + timedelta(hours=1)
        session.add(run)
    calls = await harness.say(PLANNER, "/kabari")
    preview = next(c.params["text"] for c in calls if c.method == "sendMessage")
    first_line = preview.splitlines()[0]
    assert first_line.startswith("⚠️ Ringkasan terakhir dari ")
    assert "lebih lama dari jawaban terbaru" in first_line
    assert "Penerima: <b>2</b>" in preview  # the preview itself follows
