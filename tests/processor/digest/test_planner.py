"""Planner commands in the real bot Application (build_application(extra_handlers=...)):
/ringkasan, /summary, /unduh, /download; everyone else is politely refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from bot.planner import planner_handlers
from processor.digest_job import produce_digest
from shared import crud
from shared.db import session_scope
from shared.models import Role
from shared.survey_data import SurveyData
from tests.bot.conftest import ADMIN_ID, FakeClock, Harness, bot_running, make_settings
from tests.fake_bot_api import FakeBotAPI
from tests.processor.digest.conftest import NOW, add_person


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    server = FakeBotAPI()
    server.max_poll_wait = 0.05
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def harness(
    engine: Engine, survey_data: SurveyData, api: FakeBotAPI, database_url: str, campaign: str
) -> AsyncIterator[Harness]:
    settings = make_settings(database_url, api)
    async with bot_running(
        settings=settings,
        survey_data=survey_data,
        engine=engine,
        api=api,
        clock=FakeClock(NOW),
        extra_handlers=planner_handlers(engine=engine, survey_data=survey_data),
        housekeeping=False,
    ) as running_bot:
        yield running_bot


@pytest.fixture
def digest_files(
    engine: Engine,
    survey_data: SurveyData,
    planners: list[int],
    campaign: str,
    fake_analyse,
    tmp_path: Path,
) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    produced = produce_digest(
        engine=engine,
        survey_data=survey_data,
        campaign_code=campaign,
        slot="cron:x",
        out_dir=tmp_path,
        now=NOW,
        analyse=fake_analyse,
    )
    assert produced.digest is not None
    return produced.digest.xlsx_path, produced.digest.docx_path


async def test_planner_gets_latest_digest_and_files(
    harness: Harness, digest_files: tuple[str, str]
) -> None:
    calls = await harness.say(501, "/ringkasan")
    [message] = [c for c in calls if c.method == "sendMessage"]
    assert message.params["parse_mode"] == "HTML"
    assert "<b>Ringkasan Rembuk" in message.params["text"]
    assert "• puskesmas buka sampai sore (22 jawaban)" in message.params["text"]

    calls = await harness.say(501, "/unduh")
    documents = [c for c in calls if c.method == "sendDocument"]
    assert [bytes(d.files["document"]) for d in documents] == [
        Path(p).read_bytes() for p in digest_files
    ]
    assert documents[0].params["caption"] == "Analisis jawaban (XLSX), 23 November 2026"
    assert documents[1].params["caption"].startswith("Draf master plan (DOCX)")

    english = await harness.say(503, "/summary")
    assert "Top needs:" in english[0].params["text"]
    english_files = await harness.say(503, "/download")
    assert [c.method for c in english_files] == ["sendDocument", "sendDocument"]


async def test_non_planners_are_refused_politely(
    harness: Harness, engine: Engine, digest_files: tuple[str, str], campaign: str
) -> None:
    add_person(engine, telegram_user_id=601, role=Role.citizen, campaign_code=None)
    add_person(engine, telegram_user_id=602, role=Role.staff, campaign_code=campaign)
    for user, command in (
        (601, "/ringkasan"),
        (602, "/unduh"),
        (ADMIN_ID, "/summary"),
        (777, "/download"),
    ):
        calls = await harness.say(user, command)
        assert [c.method for c in calls] == ["sendMessage"], (user, calls)
        assert "hanya untuk tim penyusun" in calls[0].params["text"]
        assert "Ringkasan Rembuk" not in calls[0].params["text"]


async def test_planner_of_another_campaign_sees_only_their_own(
    harness: Harness, engine: Engine, survey_data: SurveyData, digest_files: tuple[str, str]
) -> None:
    with session_scope(engine) as session:
        crud.create_campaign(
            session=session,
            code="lain",
            name="Kampanye lain",
            plan_first_year=2027,
            plan_last_year=2031,
            survey_data=survey_data,
            timezone="Asia/Jakarta",
            now=NOW,
        )
    add_person(engine, telegram_user_id=701, role=Role.planner, campaign_code="lain")
    calls = await harness.say(701, "/ringkasan")
    assert "Belum ada ringkasan untuk kampanye ini" in calls[0].params["text"]
    calls = await harness.say(701, "/unduh")
    assert [c.method for c in calls] == ["sendMessage"]


async def test_missing_file_is_reported_not_crashed(
    harness: Harness, digest_files: tuple[str, str]
) -> None:
    Path(digest_files[0]).unlink()
    calls = await harness.say(502, "/unduh")
    assert [c.method for c in calls] == ["sendMessage", "sendDocument"]
    assert "tidak ditemukan" in calls[0].params["text"]
