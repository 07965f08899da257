"""Exactly-once delivery of a digest to planners, against the fake Bot API over real HTTP:
429 with retry_after, 5xx, timeouts, a blocked planner, a permanent error, a crash between
two sends (then resume), and two processors delivering at once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from processor import digest_store
from processor.delivery import DeliveryPolicy, deliver_pending, make_bot, parts_for
from processor.digest import compose_digest
from shared import crud
from shared.db import session_scope
from shared.models import DeliveryStatus, Digest, DigestDelivery, Respondent
from shared.survey_data import SurveyData
from tests.fake_bot_api import Failure, FakeBotAPI
from tests.processor.digest.conftest import NOW

FILES: dict[bytes, str] = {}
POLICY = DeliveryPolicy(attempts_per_part=4, backoff_base=0.5, lease=timedelta(minutes=10))


class RecordingAPI(FakeBotAPI):
    """Marks each recorded call as failed when the fake answered it with an error."""

    def _take_failure(self, method: str, params: dict[str, Any]) -> Failure | None:
        call = self.calls[-1]  # appended just before, with no await in between
        failure = super()._take_failure(method, params)
        chat = params.get("chat_id")
        blocked = chat is not None and int(chat) in self._blocked
        call.failed = blocked or (failure is not None and failure.status != 200)  # type: ignore[attr-defined]
        return failure


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Sleeps:
    """Records requested waits instead of sleeping, so backoff and RetryAfter stay fast."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        await asyncio.sleep(0)


class Crash(BaseException):
    """A process dying between two sends (not an Exception: nothing may catch it)."""


@pytest.fixture
async def api() -> AsyncIterator[RecordingAPI]:
    server = RecordingAPI()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def digest(
    engine: Engine,
    survey_data: SurveyData,
    planners: list[int],
    campaign: str,
    summary: dict[str, Any],
    tmp_path: Path,
) -> Digest:
    """A stored digest whose message is split in parts (small limit), with two files."""
    xlsx, docx = tmp_path / "analysis.xlsx", tmp_path / "draf-master-plan-tjb2027-id.docx"
    xlsx.write_bytes(b"PK-xlsx-" + bytes(range(256)) * 4)
    docx.write_bytes(b"PK-docx-" + bytes(range(255, -1, -1)) * 4)
    FILES.update({xlsx.read_bytes(): xlsx.name, docx.read_bytes(): docx.name})
    parts = [
        {"language": language, "text": text}
        for language in ("id", "en")
        for text in compose_digest(
            summary,
            None,
            language=language,
            messages=survey_data.messages,
            period_start=None,
            period_end=NOW,
            limit=700,
        )
    ]
    with session_scope(engine) as session:
        campaign_id = crud.get_campaign(session=session, code=campaign).id
        stored = digest_store.create_digest(
            session=session,
            digest=Digest(
                campaign_id=campaign_id,
                slot="cron:test",
                period_end=NOW,
                summary=summary,
                message_parts=parts,
                xlsx_path=str(xlsx),
                docx_path=str(docx),
                created_at=NOW,
            ),
        )
        digest_store.ensure_deliveries(
            session=session, digest_id=stored.id, campaign_id=campaign_id, now=NOW
        )
    assert len([p for p in parts if p["language"] == "id"]) >= 3
    return stored


def _bot(api: FakeBotAPI, read_timeout: float = 5.0):  # type: ignore[no-untyped-def]
    return make_bot(
        token="123:ABC",
        base_url=api.base_url,
        base_file_url=api.base_file_url,
        read_timeout=read_timeout,
    )


def delivered(api: FakeBotAPI, chat: int) -> list[str]:
    """What the chat really received, in order: message texts and document file names
    (documents are recognised by their content)."""
    result = []
    for call in api.calls:
        if call.chat_id != chat or getattr(call, "failed", False):
            continue
        if call.method == "sendMessage":
            result.append(str(call.params["text"]))
        elif call.method == "sendDocument":
            result.append(FILES.get(bytes(call.files.get("document", b"")), "?"))
    return result


def expected(digest: Digest, language: str) -> list[str]:
    return [p.text if p.kind == "message" else p.filename for p in parts_for(digest, language)]


def _deliveries(engine: Engine) -> dict[int, DigestDelivery]:
    with Session(engine) as session:
        rows = session.exec(
            select(DigestDelivery, Respondent).join(
                Respondent, Respondent.id == DigestDelivery.respondent_id
            )
        ).all()
        return {r.telegram_user_id: d for d, r in rows}


async def test_every_planner_gets_message_then_files_once(
    engine: Engine, digest: Digest, api: RecordingAPI
) -> None:
    clock = Clock(NOW)
    async with _bot(api) as bot:
        report = await deliver_pending(engine=engine, bot=bot, clock=clock, policy=POLICY)
        again = await deliver_pending(engine=engine, bot=bot, clock=clock, policy=POLICY)
    assert sorted(report.sent) and not (report.failed or report.blocked or report.retry_later)
    assert again.sent == [] and api.calls_to("sendMessage", 501).__len__() == len(
        [p for p in parts_for(digest, "id") if p.kind == "message"]
    )
    parts_id, parts_en = expected(digest, "id"), expected(digest, "en")
    assert parts_id[-2:] == ["analysis.xlsx", "draf-master-plan-tjb2027-id.docx"]
    assert delivered(api, 501) == parts_id and delivered(api, 502) == parts_id
    assert delivered(api, 503) == parts_en and any("Top needs:" in p for p in parts_en)
    message = api.calls_to("sendMessage", 501)[0]
    assert message.params["parse_mode"] == "HTML"
    document = api.calls_to("sendDocument", 501)[1]
    assert bytes(document.files["document"]) == Path(digest.docx_path).read_bytes()
    rows = _deliveries(engine)
    assert all(
        r.status == DeliveryStatus.sent and r.parts_sent == len(parts_id) for r in rows.values()
    )


async def test_retry_after_5xx_and_timeouts_are_retried_without_repeats(
    engine: Engine, digest: Digest, api: RecordingAPI
) -> None:
    api.fail_next(
        "sendMessage",
        Failure(status=429, description="Too Many Requests: retry after 7", retry_after=7),
    )
    api.fail_next("sendDocument", Failure(status=500), times=2)
    api.fail_next("sendDocument", Failure(status=502, description="Bad Gateway"))
    # a slow gateway: the answer (an error) comes after the client's read timeout
    api.fail_next(
        "sendMessage", Failure(status=504, description="Gateway Timeout", delay=1.0, chat_id=502)
    )
    sleeps = Sleeps()
    async with _bot(api, read_timeout=0.3) as bot:
        report = await deliver_pending(
            engine=engine, bot=bot, clock=Clock(NOW), policy=POLICY, sleep=sleeps
        )
    assert len(report.sent) == 3
    assert 7 in sleeps.waits or sum(sleeps.waits[:1]) >= 7  # RetryAfter honoured
    assert sum(sleeps.waits) >= 7 + 0.5 + 1.0 + 2.0
    for chat, language in ((501, "id"), (502, "id"), (503, "en")):
        assert delivered(api, chat) == expected(digest, language), chat
    rows = _deliveries(engine)
    assert all(r.status == DeliveryStatus.sent for r in rows.values())
    assert any(r.last_error is None for r in rows.values())


async def test_blocked_planner_is_marked_and_skipped_others_go_on(
    engine: Engine, digest: Digest, api: RecordingAPI
) -> None:
    api.block(502)
    api.fail_next(
        "sendMessage", Failure(status=400, description="Bad Request: chat not found", chat_id=501)
    )
    async with _bot(api) as bot:
        report = await deliver_pending(engine=engine, bot=bot, clock=Clock(NOW), policy=POLICY)
        assert sorted(report.failed + report.blocked + report.sent) == sorted(
            d.respondent_id for d in _deliveries(engine).values()
        )
        later = await deliver_pending(
            engine=engine, bot=bot, clock=Clock(NOW + timedelta(hours=1)), policy=POLICY
        )
    rows = _deliveries(engine)
    assert rows[502].status == DeliveryStatus.blocked
    assert (
        rows[501].status == DeliveryStatus.failed
        and "chat not found" in rows[501].last_error.lower()
    )
    assert rows[503].status == DeliveryStatus.sent
    assert delivered(api, 503) == expected(digest, "en")
    assert len(api.calls_to("sendMessage", 502)) == 1  # tried once, never again
    assert later.sent == later.failed == later.blocked == []  # nothing pending any more
    with Session(engine) as session:
        planner = session.exec(select(Respondent).where(Respondent.telegram_user_id == 502)).one()
        assert planner.opted_out


async def test_crash_between_two_sends_resumes_without_repeat_or_drop(
    engine: Engine, digest: Digest, api: RecordingAPI
) -> None:
    clock = Clock(NOW)
    sent_before_crash: list[tuple[int, int]] = []

    async def crash_on_second_part_of_second_planner(respondent_id: int, index: int) -> None:
        sent_before_crash.append((respondent_id, index))
        if len({r for r, _ in sent_before_crash}) == 2 and index == 1:
            raise Crash

    async with _bot(api) as bot:
        with pytest.raises(Crash):
            await deliver_pending(
                engine=engine,
                bot=bot,
                clock=clock,
                policy=POLICY,
                before_part=crash_on_second_part_of_second_planner,
            )
        parts = expected(digest, "id")
        assert delivered(api, 501) == parts
        assert delivered(api, 502) == parts[:1]  # the crash came before its second part
        assert delivered(api, 503) == []
        rows = _deliveries(engine)
        assert rows[502].parts_sent == 1 and rows[502].status == DeliveryStatus.pending

        # A restart right away: the dead holder's lease is still fresh, nobody sends.
        clock.now = NOW + timedelta(minutes=1)
        early = await deliver_pending(engine=engine, bot=bot, clock=clock, policy=POLICY)
        assert early.sent == [rows[503].respondent_id] and delivered(api, 502) == parts[:1]

        # After the lease: resume at the next part.
        clock.now = NOW + timedelta(minutes=11)
        resumed = await deliver_pending(engine=engine, bot=bot, clock=clock, policy=POLICY)
    assert resumed.sent and delivered(api, 502) == parts
    assert delivered(api, 501) == parts and delivered(api, 503) == expected(digest, "en")
    assert _deliveries(engine)[502].attempts == 2


async def test_two_processors_at_once_send_each_part_once(
    engine: Engine, digest: Digest, api: RecordingAPI, database_url: str
) -> None:
    from shared.db import make_engine

    other = make_engine(database_url)
    try:
        async with _bot(api) as bot_a, _bot(api) as bot_b:
            first, second = await asyncio.gather(
                deliver_pending(engine=engine, bot=bot_a, clock=Clock(NOW), policy=POLICY),
                deliver_pending(engine=other, bot=bot_b, clock=Clock(NOW), policy=POLICY),
            )
    finally:
        other.dispose()
    assert sorted(first.sent + second.sent) == sorted(set(first.sent + second.sent))
    assert len(first.sent + second.sent) == 3
    for chat, language in ((501, "id"), (502, "id"), (503, "en")):
        assert delivered(api, chat) == expected(digest, language)


async def test_exhausted_retries_stay_pending_for_the_next_run(
    engine: Engine, digest: Digest, api: RecordingAPI
) -> None:
    api.fail_next(
        "sendMessage", Failure(status=503, description="Service Unavailable", chat_id=501), times=4
    )
    sleeps = Sleeps()
    async with _bot(api) as bot:
        report = await deliver_pending(
            engine=engine, bot=bot, clock=Clock(NOW), policy=POLICY, sleep=sleeps
        )
        assert report.retry_later == [_deliveries(engine)[501].respondent_id]
        row = _deliveries(engine)[501]
        assert row.status == DeliveryStatus.pending and "Service Unavailable" in row.last_error
        assert sleeps.waits == [0.5, 1.0, 2.0]  # exponential backoff between the 4 tries
        later = await deliver_pending(
            engine=engine, bot=bot, clock=Clock(NOW + timedelta(minutes=11)), policy=POLICY
        )
    assert later.sent == [row.respondent_id]
    assert delivered(api, 501) == expected(digest, "id")
