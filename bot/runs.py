"""Queries on survey runs that the Telegram adapter needs beyond bot.store."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from shared.models import Answer, Instrument, RunStatus, SurveyRun


def instruments_of(instrument: Instrument | None) -> tuple[Instrument, ...]:
    """The instruments a respondent answers through their role's instrument: a citizen's
    runs are the consultation and any service unit's SKM (issue 14)."""
    if instrument is None:
        return ()
    if instrument == Instrument.external:
        return (Instrument.external, Instrument.skm)
    return (instrument,)


def active_run(
    *, session: Session, respondent_id: int, instrument: Instrument, lock: bool = False
) -> SurveyRun | None:
    """The respondent's most recent run in progress for this instrument (a citizen's: the
    consultation or an SKM, see instruments_of), in any campaign.

    With `lock`, the row is locked (SELECT … FOR UPDATE on PostgreSQL) and re-read, like
    bot.store.lock_run, so concurrent workers apply one respondent's inputs in turn.
    """
    query = (
        select(SurveyRun)
        .where(
            SurveyRun.respondent_id == respondent_id,
            col(SurveyRun.instrument).in_(instruments_of(instrument)),
            SurveyRun.status == RunStatus.in_progress,
        )
        .order_by(col(SurveyRun.id).desc())
    )
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.exec(query).first()


def last_submitted_run(
    *, session: Session, respondent_id: int, instrument: Instrument
) -> SurveyRun | None:
    return session.exec(
        select(SurveyRun)
        .where(
            SurveyRun.respondent_id == respondent_id,
            SurveyRun.instrument == instrument,
            SurveyRun.status == RunStatus.submitted,
        )
        .order_by(col(SurveyRun.id).desc())
    ).first()


def answer_count(*, session: Session, run_id: int) -> int:
    return session.exec(
        select(func.count()).select_from(Answer).where(Answer.run_id == run_id)
    ).one()


def is_paused(run: SurveyRun) -> bool:
    """Used /batal and has not come back since (no activity after the cancel)."""
    return run.cancelled_at is not None and run.updated_at <= run.cancelled_at


def pause(*, run: SurveyRun, now: datetime) -> None:
    run.cancelled_at = now
    run.updated_at = now


def mark_active(*, run: SurveyRun, now: datetime) -> None:
    """Record activity; after a /batal it must come strictly later to count as coming back."""
    if run.cancelled_at is not None and now <= run.cancelled_at:
        now = run.cancelled_at + timedelta(microseconds=1)
    run.updated_at = now


def abandon(*, session: Session, run: SurveyRun, now: datetime) -> None:
    """The respondent chose to start over: the run is kept but no longer counts as open."""
    run.status = RunStatus.abandoned
    run.ended_at = now
    run.updated_at = now
    session.add(run)
    session.flush()


def set_aside_unfinished_skm(*, session: Session, respondent_id: int, now: datetime) -> int:
    """The citizen is shown the consultation again: any SKM they left unfinished is
    abandoned, so their next input goes to the consultation whose prompt they see (the
    newest run in progress takes the input, see active_run and bot.answers). A citizen can
    rescan the counter's QR code to rate the unit again. Returns how many were set aside."""
    unfinished = session.exec(
        select(SurveyRun).where(
            SurveyRun.respondent_id == respondent_id,
            SurveyRun.instrument == Instrument.skm,
            SurveyRun.status == RunStatus.in_progress,
        )
    ).all()
    for run in unfinished:
        abandon(session=session, run=run, now=now)
    return len(unfinished)
