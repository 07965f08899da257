"""Broadcasts ("kabar balik", issue 14 item 4) against the fake Bot API over real HTTP: who
gets which part, skipped respondents, RetryAfter, a blocked respondent, a crash mid-way
then resume without duplicates, the audit, and the dry run's counts."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.keyboards import broadcast_off_keyboard
from processor import digest_store
from processor.broadcast import compose_broadcast, plan_counts, recipients
from processor.broadcast_send import make_rate_limited_bot, send_broadcast
from processor.delivery import DeliveryPolicy, make_bot
from shared import crud
from shared.db import session_scope
from shared.models import (
    Answer,
    Broadcast,
    BroadcastDelivery,
    DeliveryStatus,
    Digest,
    Instrument,
    Respondent,
    Role,
    RunStatus,
    SurveyRun,
)
from shared.survey_data import SurveyData
from tests.fake_bot_api import Failure
from tests.processor.digest.conftest import NOW, add_person
from tests.processor.digest.test_delivery import Clock, Crash, RecordingAPI, Sleeps

POLICY = DeliveryPolicy(attempts_per_part=4, backoff_base=0.5, lease=timedelta(minutes=10))
# Fixture digest domains, most respondents first: kesehatan, pekerjaan_umum, adminduk_perizinan.


def add_citizen(
    engine: Engine,
    campaign: str,
    telegram_user_id: int,
    domains: list[str],
    *,
    language: str = "id",
    status: RunStatus = RunStatus.submitted,
    instrument: Instrument = Instrument.external,
    **flags: bool,
) -> int:
    person_id = add_person(
        engine,
        telegram_user_id=telegram_user_id,
        role=Role.citizen,
        campaign_code=None,
        language=language,
    )
    with session_scope(engine) as session:
        person = session.get(Respondent, person_id)
        for name, value in flags.items():
            setattr(person, name, value)
    add_run(engine, campaign, person_id, telegram_user_id, domains, status, instrument)
    return person_id


def add_run(
    engine: Engine,
    campaign: str,
    person_id: int,
    telegram_user_id: int,
    domains: list[str],
    status: RunStatus = RunStatus.submitted,
    instrument: Instrument = Instrument.external,
) -> None:
    with session_scope(engine) as session:
        campaign_id = crud.get_campaign(session=session, code=campaign).id
        run = SurveyRun(
            respondent_id=person_id,
            campaign_id=campaign_id,
            instrument=instrument,
            questionnaire_id=instrument.value,
            questionnaire_version=1,
            status=status,
            started_at=NOW,
            updated_at=NOW,
        )
        session.add(run)
        session.flush()
        for block, domain in enumerate(domains):
            session.add(
                Answer(
                    run_id=run.id,
                    question_id="need",
                    block=block,
                    domain=domain,
                    value_text=f"jawaban {telegram_user_id} {domain}",
                    questionnaire_version=1,
                    created_at=NOW,
                    updated_at=NOW,
                )
            )


@pytest.fixture
async def api() -> AsyncIterator[RecordingAPI]:
    server = RecordingAPI()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def digest(engine: Engine, campaign: str, summary: dict[str, Any]) -> Digest:
    with session_scope(engine) as session:
        campaign_id = crud.get_campaign(session=session, code=campaign).id
        return digest_store.create_digest(
            session=session,
            digest=Digest(
                campaign_id=campaign_id,
                slot="cron:b",
                period_end=NOW,
                summary=summary,
                message_parts=[],
                created_at=NOW,
            ),
        )


@pytest.fixture
def citizens(engine: Engine, campaign: str, planners: list[int]) -> dict[int, int]:
    """Telegram id -> respondent id of the citizens who may be sent the broadcast."""
    people = {
        601: add_citizen(engine, campaign, 601, ["kesehatan"]),
        602: add_citizen(engine, campaign, 602, ["pekerjaan_umum", "kesehatan"]),
        603: add_citizen(engine, campaign, 603, ["adminduk_perizinan"], language="en"),
        604: add_citizen(engine, campaign, 604, ["kesehatan"]),
    }
    # 601 also rated a public-works counter (SKM): that adds no part to their message.
    add_run(engine, campaign, people[601], 601, ["pekerjaan_umum"], instrument=Instrument.skm)
    return people


@pytest.fixture
def others(engine: Engine, campaign: str) -> None:
    """Citizens who must never get it."""
    add_citizen(engine, campaign, 701, ["kesehatan"], broadcasts_off=True)
    add_citizen(engine, campaign, 702, ["kesehatan"], opted_out=True)
    add_citizen(engine, campaign, 703, ["lingkungan_hidup"])  # not in the digest
    add_citizen(engine, campaign, 704, ["kesehatan"], status=RunStatus.in_progress)
    # Only filled in a service unit's SKM: the bot answered its domain, no consultation.
    add_citizen(engine, campaign, 705, ["kesehatan"], instrument=Instrument.skm)


def _start(engine: Engine, digest: Digest, by: str = "cli:test") -> Broadcast:
    with session_scope(engine) as session:
        planned = recipients(
            digest_store.answered_domains(session=session, campaign_id=digest.campaign_id),
            digest.summary,
        )
        broadcast, _ = digest_store.start_broadcast(
            session=session, digest=digest, started_by=by, planned=planned, now=NOW
        )
        return broadcast


def _send(engine, bot, survey_data, broadcast_id, **kwargs):  # type: ignore[no-untyped-def]
    messages = survey_data.messages
    return send_broadcast(
        engine=engine,
        bot=bot,
        clock=kwargs.pop("clock", Clock(NOW)),
        broadcast_id=broadcast_id,
        messages=messages,
        keyboard=lambda language: broadcast_off_keyboard(messages=messages, language=language),
        by=kwargs.pop("by", "cli:test"),
        policy=POLICY,
        **kwargs,
    )


def received(api: RecordingAPI, chat: int) -> list[str]:
    return [
        str(call.params["text"])
        for call in api.calls_to("sendMessage", chat)
        if not getattr(call, "failed", False)
    ]


def expected(summary: dict, domains: list[str], language: str, survey_data: SurveyData) -> str:
    (text,) = compose_broadcast(summary, domains, language=language, messages=survey_data.messages)
    return text


async def test_each_respondent_gets_the_parts_of_their_domains_once(
    engine: Engine,
    digest: Digest,
    citizens: dict[int, int],
    others: None,
    api: RecordingAPI,
    survey_data: SurveyData,
    summary: dict,
) -> None:
    broadcast = _start(engine, digest, by="planner:abc")
    bot = make_rate_limited_bot(
        token="123:ABC", base_url=api.base_url, base_file_url=api.base_file_url, rate=30
    )
    async with bot:
        run = await _send(engine, bot, survey_data, broadcast.id)
    assert sorted(run.report.sent) == sorted(citizens.values())
    assert received(api, 601) == [expected(summary, ["kesehatan"], "id", survey_data)]
    # Two domains, in the digest's order (most respondents first).
    both = expected(summary, ["kesehatan", "pekerjaan_umum"], "id", survey_data)
    assert received(api, 602) == [both]
    assert "<b>Kesehatan</b>" in both and "Pekerjaan Umum" in both and "Adminduk" not in both
    english = received(api, 603)
    assert english == [expected(summary, ["adminduk_perizinan"], "en", survey_data)]
    assert "What happens next" in english[0] and "Kesehatan" not in english[0]
    for chat in (701, 702, 703, 704, 501, 502, 503):  # off, blocked, no domain, unsent, planners
        assert api.calls_to("sendMessage", chat) == []
    # The one button under the message turns broadcasts off.
    markup = api.calls_to("sendMessage", 601)[0].params["reply_markup"]
    assert markup["inline_keyboard"][0][0]["callback_data"] == "v1|o|off"

    with Session(engine) as session:
        stored = session.get(Broadcast, broadcast.id)
    assert stored.started_by == "planner:abc" and stored.finished_at == NOW
    assert stored.counts["planned"] == {
        "recipients": 4,
        "by_domain": {"adminduk_perizinan": 1, "kesehatan": 3, "pekerjaan_umum": 1},
        "by_language": {"en": 1, "id": 3},
    }
    assert stored.counts["runs"][0]["by"] == "cli:test" and stored.counts["result"]["sent"] == 4

    # Again: nothing is sent twice, and starting it again gives the same broadcast.
    again = _start(engine, digest)
    assert again.id == broadcast.id
    async with make_bot(
        token="123:ABC", base_url=api.base_url, base_file_url=api.base_file_url
    ) as plain:
        second = await _send(engine, plain, survey_data, broadcast.id)
    assert second.report.sent == [] and len(received(api, 601)) == 1


async def test_retry_after_waits_and_resumes(
    engine: Engine, digest: Digest, citizens: dict[int, int], api: RecordingAPI, survey_data
) -> None:  # type: ignore[no-untyped-def]
    broadcast = _start(engine, digest)
    api.fail_next(
        "sendMessage",
        Failure(status=429, description="Too Many Requests: retry after 7", retry_after=7),
        times=2,
    )
    sleeps = Sleeps()
    async with make_bot(
        token="123:ABC", base_url=api.base_url, base_file_url=api.base_file_url
    ) as bot:
        run = await _send(engine, bot, survey_data, broadcast.id, sleep=sleeps)
    assert sorted(sleeps.waits) == [7, 7]
    assert sorted(run.report.sent) == sorted(citizens.values())
    for chat in citizens:
        assert len(received(api, chat)) == 1


async def test_a_blocked_respondent_is_marked_and_the_others_get_theirs(
    engine: Engine, digest: Digest, citizens: dict[int, int], api: RecordingAPI, survey_data
) -> None:  # type: ignore[no-untyped-def]
    broadcast = _start(engine, digest)
    api.block(602)
    async with make_bot(
        token="123:ABC", base_url=api.base_url, base_file_url=api.base_file_url
    ) as bot:
        run = await _send(engine, bot, survey_data, broadcast.id)
    assert run.report.blocked == [citizens[602]]
    assert run.tally["blocked"] == 1 and run.tally["sent"] == 3
    for chat in (601, 603, 604):
        assert len(received(api, chat)) == 1
    with Session(engine) as session:
        assert session.get(Respondent, citizens[602]).opted_out is True


async def test_crash_mid_broadcast_then_resume_without_duplicates(
    engine: Engine, digest: Digest, citizens: dict[int, int], api: RecordingAPI, survey_data
) -> None:  # type: ignore[no-untyped-def]
    broadcast = _start(engine, digest)
    seen: list[int] = []

    async def crash_before_the_third(respondent_id: int, index: int) -> None:
        seen.append(respondent_id)
        if len(seen) == 3:
            raise Crash

    clock = Clock(NOW)
    async with make_bot(
        token="123:ABC", base_url=api.base_url, base_file_url=api.base_file_url
    ) as bot:
        with pytest.raises(Crash):
            await _send(
                engine,
                bot,
                survey_data,
                broadcast.id,
                clock=clock,
                before_part=crash_before_the_third,
            )
        assert [len(received(api, chat)) for chat in (601, 602, 603, 604)] == [1, 1, 0, 0]
        # A second citizen erased their data meanwhile: skipped, never sent.
        with Session(engine) as session:
            person = session.get(Respondent, citizens[604])
            person.erased, person.telegram_user_id = True, None
            session.add(person)
            session.commit()
        clock.now = NOW + timedelta(minutes=11)  # the dead run's lease is stale
        run = await _send(engine, bot, survey_data, broadcast.id, clock=clock, by="cli:again")
    assert run.report.sent == [citizens[603]] and run.skipped == [citizens[604]]
    assert [len(received(api, chat)) for chat in (601, 602, 603)] == [1, 1, 1]
    assert api.calls_to("sendMessage", 604) == []
    with Session(engine) as session:
        rows = session.exec(select(BroadcastDelivery)).all()
        stored = session.get(Broadcast, broadcast.id)
    assert sorted(r.status for r in rows) == sorted(
        [DeliveryStatus.sent] * 3 + [DeliveryStatus.skipped]
    )
    assert [r["by"] for r in stored.counts["runs"]] == ["cli:again"]
    assert stored.finished_at == clock.now


def test_a_digest_is_stale_after_8_days_or_when_answers_came_after_it() -> None:
    from processor.broadcast_send import is_stale

    made = NOW
    assert not is_stale(made, None, made + timedelta(days=8))
    assert is_stale(made, None, made + timedelta(days=8, minutes=1))
    assert not is_stale(made, made - timedelta(hours=1), made + timedelta(days=1))
    assert is_stale(made, made + timedelta(minutes=1), made + timedelta(days=1))
    # SQLite hands back naive datetimes (UTC): compared as UTC.
    assert is_stale(made.replace(tzinfo=None), made + timedelta(seconds=1), made)


def test_recipients_and_counts_are_pure(summary: dict) -> None:
    planned = recipients(
        [
            (1, "id", ["pekerjaan_umum", "kesehatan"], "r-a"),
            (2, "xx", ["kesehatan"], "r-b"),  # an unknown language falls back to Indonesian
            (3, "en", ["lingkungan_hidup"], "r-c"),  # nothing of theirs in the digest
        ],
        summary,
    )
    assert [(r.respondent_id, r.language, r.domains) for r in planned] == [
        (1, "id", ("kesehatan", "pekerjaan_umum")),
        (2, "id", ("kesehatan",)),
    ]
    assert plan_counts(planned) == {
        "recipients": 2,
        "by_domain": {"kesehatan": 2, "pekerjaan_umum": 1},
        "by_language": {"id": 2},
    }


def test_message_is_escaped_formal_and_under_the_limit(summary: dict, survey_data) -> None:  # type: ignore[no-untyped-def]
    theme = summary["domains"]["kesehatan"]["themes"]["citizen_need"][0]
    theme["label_formal"] = "Puskesmas <buka> sampai sore & malam"
    parts = compose_broadcast(
        summary,
        ["kesehatan", "pekerjaan_umum", "adminduk_perizinan"],
        language="id",
        messages=survey_data.messages,
        limit=500,
    )
    assert len(parts) > 1 and all(len(p) <= 500 for p in parts)
    text = "\n".join(parts)
    assert "Puskesmas &lt;buka&gt; sampai sore &amp; malam" in text
    assert "<buka>" not in text


@pytest.fixture
def threaded_api() -> Iterator[RecordingAPI]:
    """The fake Bot API on a loop of its own, for a CLI command that runs asyncio.run."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    async def start() -> RecordingAPI:
        server = RecordingAPI()
        await server.start()
        return server

    server = asyncio.run_coroutine_threadsafe(start(), loop).result()
    yield server
    asyncio.run_coroutine_threadsafe(server.stop(), loop).result()
    loop.call_soon_threadsafe(loop.stop)
    thread.join()
    loop.close()


def test_cli_dry_run_then_send_then_nothing_left(
    engine: Engine,
    database_url: str,
    digest: Digest,
    citizens: dict[int, int],
    others: None,
    threaded_api: RecordingAPI,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from typer.testing import CliRunner

    from cli.main import app

    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("REMBUK_PSEUDONYM_KEY", "test-key")
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    runner = CliRunner()
    dry = runner.invoke(app, ["broadcast", "--campaign", "tjb2027", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Recipients: 4" in dry.output
    assert "By domain: adminduk_perizinan 1, kesehatan 3, pekerjaan_umum 1" in dry.output
    assert "By language: en 1, id 3" in dry.output
    assert "r-test602…  id  kesehatan, pekerjaan_umum" in dry.output
    assert "Dry run" in dry.output and threaded_api.calls_to("sendMessage") == []
    # The fixture digest is of 2026-11-23: more than 8 days before the real clock.
    [warning] = [line for line in dry.output.splitlines() if line.startswith("Warning")]
    assert "2026-11-23" in warning and "rembuk digest" in warning

    no_token = runner.invoke(app, ["broadcast", "--campaign", "tjb2027", "--yes"])
    assert no_token.exit_code == 1 and "TELEGRAM_BOT_TOKEN" in no_token.output

    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:ABC")
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", threaded_api.base_url)
    monkeypatch.setenv("TELEGRAM_API_BASE_FILE_URL", threaded_api.base_file_url)
    sent = runner.invoke(app, ["broadcast", "--campaign", "tjb2027", "--yes"])
    assert sent.exit_code == 0, sent.output
    assert "sent 4" in sent.output
    for chat in citizens:
        assert len(received(threaded_api, chat)) == 1
    with Session(engine) as session:
        audit = session.exec(select(Broadcast)).one()
    assert audit.started_by.startswith("cli:") and audit.counts["result"]["sent"] == 4

    again = runner.invoke(app, ["broadcast", "--campaign", "tjb2027", "--yes"])
    assert again.exit_code == 0 and "Nothing left to send" in again.output
    assert len(threaded_api.calls_to("sendMessage")) == 4
    unknown = runner.invoke(app, ["broadcast", "--campaign", "nope", "--dry-run"])
    assert unknown.exit_code == 1 and "No campaign" in unknown.output
