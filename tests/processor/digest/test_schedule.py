"""The digest schedule across restarts, with a fake clock: jobs live in the database, a run
missed while the machine was off runs once at start, a restart never repeats a run, and two
schedulers on one database make each slot's digest once."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import apscheduler.schedulers.base
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from processor.schedule import DigestRuntime, DigestScheduler, latest_fire_time
from shared import crud, db
from shared.crontab import cron_trigger
from shared.db import session_scope
from shared.models import Digest
from shared.survey_data import SurveyData


class Clock:
    now = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)  # Sunday 22:00 in Jakarta

    def __call__(self) -> datetime:
        return Clock.now


class FakeDatetime(datetime):
    """APScheduler's view of "now" follows the test clock."""

    @classmethod
    def now(cls, tz=None):  # type: ignore[no-untyped-def,override]
        return Clock.now.astimezone(tz) if tz else Clock.now


@pytest.fixture
def own_engine(make_database: Callable[[], str], survey_data: SurveyData) -> Iterator[Engine]:
    """A database of its own: the job table APScheduler adds must not leak into others."""
    url = make_database()
    db.upgrade(url)
    engine = db.make_engine(url)
    with session_scope(engine) as session:
        crud.create_campaign(
            session=session,
            code="tjb2027",
            name="Tanjab Barat",
            plan_first_year=2027,
            plan_last_year=2031,
            survey_data=survey_data,
            timezone="Asia/Jakarta",
            now=datetime(2026, 11, 1, tzinfo=UTC),
        )
    yield engine
    engine.dispose()


@pytest.fixture(autouse=True)
def fake_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(apscheduler.schedulers.base, "datetime", FakeDatetime)
    Clock.now = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)
    yield


def _slots(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return [d.slot for d in session.exec(select(Digest).order_by(Digest.id))]


async def _run_scheduler(
    engine: Engine,
    survey_data: SurveyData,
    fake_analyse,
    out: Path,  # type: ignore[no-untyped-def]
    *,
    expect: int,
    settle: float = 0.4,
    count: int = 1,
) -> list[str]:
    """Start `count` schedulers on the database at Clock.now, wait until `expect` digests
    exist (and a little longer, to catch doubles), stop them; return the slots."""
    loop = asyncio.get_running_loop()
    schedulers = [
        DigestScheduler(
            DigestRuntime(
                engine=engine,
                survey_data=survey_data,
                out_dir=out,
                cron="0 7 * * 1",
                language="id",
                loop=loop,
                bot=None,
                clock=Clock(),
                analyse=fake_analyse,
            )
        )
        for _ in range(count)
    ]
    try:
        for scheduler in schedulers:
            await asyncio.to_thread(scheduler.start)
        deadline = time.monotonic() + 20
        while len(await asyncio.to_thread(_slots, engine)) < expect:
            assert time.monotonic() < deadline, _slots(engine)
            await asyncio.sleep(0.05)
        await asyncio.sleep(settle)
        next_runs = schedulers[0].next_runs()
    finally:
        for scheduler in schedulers:
            await asyncio.to_thread(scheduler.shutdown)
    assert set(next_runs) == {"tjb2027"}
    return _slots(engine)


async def test_missed_run_runs_once_at_start_and_restarts_do_not_repeat(
    own_engine: Engine,
    survey_data: SurveyData,
    fake_analyse,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    # Sunday 22:00 WIB: the job is stored, next run Monday 07:00 WIB; nothing runs yet.
    assert await _run_scheduler(own_engine, survey_data, fake_analyse, tmp_path, expect=0) == []
    # The machine was off over Monday 07:00; it starts again at 09:00: the run happens once.
    Clock.now = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    assert await _run_scheduler(own_engine, survey_data, fake_analyse, tmp_path, expect=1) == [
        "cron:2026-11-23T00:00Z"
    ]
    # A restart half an hour later does not run it again.
    Clock.now = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)
    assert await _run_scheduler(
        own_engine, survey_data, fake_analyse, tmp_path, expect=1, settle=0.8
    ) == ["cron:2026-11-23T00:00Z"]
    # Off for three Mondays: one run at start (coalesced), for the latest slot.
    Clock.now = datetime(2026, 12, 15, 1, 0, tzinfo=UTC)
    assert await _run_scheduler(own_engine, survey_data, fake_analyse, tmp_path, expect=2) == [
        "cron:2026-11-23T00:00Z",
        "cron:2026-12-14T00:00Z",
    ]


async def test_a_campaign_with_a_broken_time_zone_is_skipped_and_logged(
    own_engine: Engine,
    survey_data: SurveyData,
    fake_analyse,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,  # type: ignore[no-untyped-def]
) -> None:
    # Stored before time zones were checked when typed: the scheduler must not die of it.
    with session_scope(own_engine) as session:
        broken = crud.create_campaign(
            session=session,
            code="rusak",
            name="Rusak",
            plan_first_year=2027,
            plan_last_year=2031,
            survey_data=survey_data,
            timezone="Asia/Jakarta",
            now=datetime(2026, 11, 1, tzinfo=UTC),
        )
        broken.timezone = "Asia/Jakata"
        session.add(broken)
    # _run_scheduler asserts that tjb2027, and only it, has a next run.
    assert await _run_scheduler(own_engine, survey_data, fake_analyse, tmp_path, expect=0) == []
    assert "Campaign rusak skipped: time zone 'Asia/Jakata'" in caplog.text


async def test_two_schedulers_on_one_database_make_one_digest(
    own_engine: Engine,
    survey_data: SurveyData,
    fake_analyse,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    assert await _run_scheduler(own_engine, survey_data, fake_analyse, tmp_path, expect=0) == []
    Clock.now = datetime(2026, 11, 23, 0, 5, tzinfo=UTC)
    slots = await _run_scheduler(
        own_engine, survey_data, fake_analyse, tmp_path, expect=1, settle=1.5, count=2
    )
    assert slots == ["cron:2026-11-23T00:00Z"]
    # the loser's files were removed: one digest directory
    assert len(list((tmp_path / "tjb2027").iterdir())) == 1


def test_crontab_weekdays_are_standard() -> None:
    monday = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)  # 07:00 in Jakarta
    for expression in ("0 7 * * 1", "0 7 * * mon", "0 7 * * 1-5", "0 7 * * 0,1"):
        trigger = cron_trigger(expression, "Asia/Jakarta")
        assert trigger.get_next_fire_time(None, datetime(2026, 11, 22, 1, tzinfo=UTC)) == monday
    sunday = cron_trigger("0 7 * * 7", "Asia/Jakarta")
    assert sunday.get_next_fire_time(None, monday).weekday() == 6


@pytest.mark.parametrize(
    ("field", "weekdays"),  # Python weekdays: Monday = 0
    [
        ("1-5/2", {0, 2, 4}),  # Mon, Wed, Fri: the step is kept
        ("*/2", {6, 1, 3, 5}),  # crontab 0, 2, 4, 6 counts from Sunday
        ("0-6", {0, 1, 2, 3, 4, 5, 6}),
        ("5-7", {4, 5, 6}),  # 7 is Sunday, after Saturday
        ("sat,sun", {5, 6}),
        ("0", {6}),
        ("7-7", {6}),
    ],
)
def test_crontab_weekday_ranges_lists_and_steps(field: str, weekdays: set[int]) -> None:
    trigger = cron_trigger(f"0 7 * * {field}", "UTC")
    fired: set[int] = set()
    moment = datetime(2026, 11, 22, tzinfo=UTC)
    for _ in range(14):
        moment = trigger.get_next_fire_time(None, moment + timedelta(minutes=1))
        fired.add(moment.weekday())
    assert fired == weekdays


@pytest.mark.parametrize("field", ["8", "5-1", "7-1", "mon/0", "1/2", "xyz"])
def test_bad_crontab_weekdays_are_refused(field: str) -> None:
    with pytest.raises(ValueError):
        cron_trigger(f"0 7 * * {field}", "UTC")


def test_day_of_month_and_weekday_together_are_refused() -> None:
    # crontab would run on the 1st OR on Mondays; APScheduler would need both.
    with pytest.raises(ValueError, match="not both"):
        cron_trigger("0 7 1 * 1", "UTC")
    assert cron_trigger("0 7 1 * *", "UTC") is not None


def test_cron_in_the_campaign_time_zone() -> None:
    trigger = cron_trigger("0 7 * * 1", "Asia/Jakarta")
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # Wednesday
    assert latest_fire_time(trigger, now) == datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
    assert trigger.get_next_fire_time(None, now) == datetime(2026, 11, 30, 0, 0, tzinfo=UTC)
    every_minute = cron_trigger("* * * * *", "Asia/Jakarta")
    assert latest_fire_time(every_minute, datetime(2026, 11, 25, 12, 0, 30, tzinfo=UTC)) == (
        datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    )
