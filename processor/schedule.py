"""The digest schedule: APScheduler 3 with its jobs in the application database.

- One cron job per open campaign (`digest:<code>`), in the campaign's time zone, stored with
  SQLAlchemyJobStore, so a restart neither loses nor repeats a run.
- `coalesce=True` and `misfire_grace_time=None`: runs missed while the machine was off run
  once, at start.
- A job's stored next run time is kept across restarts (re-adding a job would recompute it
  from "now" and silently skip the missed run); it is only rescheduled when the cron changes.
- The digest of a run is keyed by its slot, the cron fire time it belongs to; the Digest
  table's unique (campaign, slot) key makes two processors (or two schedulers sharing the
  job table, which APScheduler 3 does not coordinate) produce and send it once.

The scheduler runs in its own thread (BackgroundScheduler), so the job store's synchronous
database work never blocks the event loop; jobs hand their work to the loop the bot (if any)
runs on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.engine import Engine
from telegram import Bot

from processor.delivery import DeliveryPolicy, DeliveryReport, deliver_pending
from processor.digest_job import Analyse, Produced, default_analyse, produce_digest
from shared import crud
from shared.crontab import cron_trigger
from shared.db import session_scope
from shared.survey_data import SurveyData

logger = logging.getLogger(__name__)

JOB_TABLE = "apscheduler_jobs"
JOB_PREFIX = "digest:"
RESUME_JOB = "resume-deliveries"


def latest_fire_time(trigger: CronTrigger, now: datetime) -> datetime | None:
    """The most recent fire time at or before `now` (within a year), or None."""
    for window in (
        timedelta(hours=1),
        timedelta(days=1),
        timedelta(days=8),
        timedelta(days=32),
        timedelta(days=367),
    ):
        fire = trigger.get_next_fire_time(None, now - window)
        if fire is None or fire > now:
            continue
        while True:
            following = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
            if following is None or following > now:
                return fire
            fire = following
    return None


def slot_for(trigger: CronTrigger, now: datetime) -> str:
    """The slot of a scheduled run: the fire time it belongs to, in UTC."""
    fire = latest_fire_time(trigger, now) or now
    return "cron:" + fire.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


@dataclass
class DigestRuntime:
    """What a scheduled run needs; lives in this process only (jobs store just the code)."""

    engine: Engine
    survey_data: SurveyData
    out_dir: Path
    cron: str
    language: str
    loop: asyncio.AbstractEventLoop
    bot: Bot | None  # None: produce digests without delivering
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    analyse: Analyse = default_analyse
    policy: DeliveryPolicy = field(default_factory=DeliveryPolicy)
    job_timeout: float = 3600.0
    paper: str = "a4"  # the draft's page size (REMBUK_PAPER)


_runtime: dict[str, DigestRuntime] = {}  # filled by DigestScheduler.start, not at import


async def run_digest_now(runtime: DigestRuntime, campaign_code: str, slot: str) -> Produced:
    """Produce the slot's digest (once across processors) and deliver what is pending."""
    produced = await asyncio.to_thread(
        produce_digest,
        engine=runtime.engine,
        survey_data=runtime.survey_data,
        campaign_code=campaign_code,
        slot=slot,
        out_dir=runtime.out_dir,
        now=runtime.clock(),
        language=runtime.language,
        analyse=runtime.analyse,
        paper=runtime.paper,
    )
    if runtime.bot is not None:
        report = await deliver_pending(
            engine=runtime.engine, bot=runtime.bot, clock=runtime.clock, policy=runtime.policy
        )
        _log_report(report)
    return produced


def _log_report(report: DeliveryReport) -> None:
    logger.info(
        "Delivery: %d sent, %d blocked, %d failed, %d to retry, %d held elsewhere",
        len(report.sent),
        len(report.blocked),
        len(report.failed),
        len(report.retry_later),
        len(report.skipped),
    )


def _campaign_timezone(runtime: DigestRuntime, campaign_code: str) -> str:
    with session_scope(runtime.engine) as session:
        campaign = crud.get_campaign(session=session, code=campaign_code)
        return campaign.timezone if campaign is not None else "Asia/Jakarta"


def scheduled_digest(campaign_code: str) -> None:
    """The stored job (runs in the scheduler's thread): compute the slot, then run the
    digest on the runtime's event loop and wait for it."""
    runtime = _runtime.get("default")
    if runtime is None:
        logger.error("No digest runtime in this process; skipping %s", campaign_code)
        return
    timezone = _campaign_timezone(runtime, campaign_code)
    try:
        trigger = cron_trigger(runtime.cron, timezone)
    except (ValueError, KeyError):
        logger.error("Digest of %s skipped: time zone %r is not usable", campaign_code, timezone)
        return
    slot = slot_for(trigger, runtime.clock())
    logger.info("Scheduled digest %s for %s", slot, campaign_code)
    future = asyncio.run_coroutine_threadsafe(
        run_digest_now(runtime, campaign_code, slot), runtime.loop
    )
    future.result(timeout=runtime.job_timeout)


def resume_deliveries() -> None:
    """Periodic job: finish deliveries a crash or a flaky network left pending."""
    runtime = _runtime.get("default")
    if runtime is None or runtime.bot is None:
        return
    future = asyncio.run_coroutine_threadsafe(
        deliver_pending(
            engine=runtime.engine, bot=runtime.bot, clock=runtime.clock, policy=runtime.policy
        ),
        runtime.loop,
    )
    _log_report(future.result(timeout=runtime.job_timeout))


class DigestScheduler:
    """Start with `start()` (from the event loop thread), stop with `shutdown()`."""

    def __init__(self, runtime: DigestRuntime, *, resume_every: timedelta = timedelta(minutes=5)):
        self.runtime = runtime
        self.resume_every = resume_every
        self.scheduler = BackgroundScheduler(
            jobstores={
                "default": SQLAlchemyJobStore(engine=runtime.engine, tablename=JOB_TABLE),
                "memory": MemoryJobStore(),
            },
            job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
            timezone=UTC,
        )

    def start(self) -> list[str]:
        """Start paused, make the stored jobs match the open campaigns, then run; returns
        the campaign codes scheduled."""
        _runtime["default"] = self.runtime
        self.scheduler.start(paused=True)
        codes = self.sync_jobs()
        self.scheduler.add_job(
            resume_deliveries,
            "interval",
            seconds=self.resume_every.total_seconds(),
            id=RESUME_JOB,
            jobstore="memory",
            replace_existing=True,
            next_run_time=datetime.now(UTC),
        )
        self.scheduler.resume()
        return codes

    def sync_jobs(self) -> list[str]:
        now = self.runtime.clock()
        with session_scope(self.runtime.engine) as session:
            campaigns = [
                (c.code, c.timezone) for c in crud.open_campaigns(session=session, now=now)
            ]
        wanted = {JOB_PREFIX + code: (code, tz) for code, tz in campaigns}
        for job in self.scheduler.get_jobs(jobstore="default"):
            if job.id.startswith(JOB_PREFIX) and job.id not in wanted:
                logger.info("Campaign closed: removing job %s", job.id)
                job.remove()
        scheduled = []
        for job_id, (code, tz) in wanted.items():
            try:
                trigger = cron_trigger(self.runtime.cron, tz)
            except (ValueError, KeyError) as exc:  # ZoneInfoNotFoundError is a KeyError
                # One campaign stored with a broken time zone (before it was checked when
                # typed) must not stop the digests of every other campaign.
                logger.error(
                    "Campaign %s skipped: time zone %r is not usable (%s); fix it with "
                    "`rembuk campaign update %s --timezone Asia/Jakarta`",
                    code,
                    tz,
                    type(exc).__name__,
                    code,
                )
                continue
            scheduled.append(code)
            job = self.scheduler.get_job(job_id, jobstore="default")
            if job is None:
                self.scheduler.add_job(
                    scheduled_digest,
                    trigger,
                    id=job_id,
                    name=f"digest {code}",
                    kwargs={"campaign_code": code},
                    jobstore="default",
                    next_run_time=trigger.get_next_fire_time(None, now),
                )
            elif str(job.trigger) != str(trigger) or repr(job.trigger) != repr(trigger):
                logger.info("Schedule of %s changed to %s", code, trigger)
                self.scheduler.reschedule_job(job_id, jobstore="default", trigger=trigger)
            # else: keep the stored next run time, so a run missed while down runs now
        return sorted(scheduled)

    def next_runs(self) -> dict[str, datetime | None]:
        return {
            job.id.removeprefix(JOB_PREFIX): job.next_run_time
            for job in self.scheduler.get_jobs(jobstore="default")
        }

    def shutdown(self, wait: bool = True) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=wait)
        if _runtime.get("default") is self.runtime:
            del _runtime["default"]
