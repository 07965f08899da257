"""Persistence of survey runs: load a run's progress, apply an engine outcome atomically."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot import answers as answer_rows
from bot import profiles
from bot.engine import DONE, Outcome, Progress
from shared.models import (
    Answer,
    Campaign,
    Instrument,
    Respondent,
    RunStatus,
    SurveyRun,
    stored_id,
)

RECEIPT_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read over the phone


def new_receipt_code() -> str:
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(8))


def questionnaire_ref(campaign: Campaign, instrument: Instrument) -> tuple[str, int]:
    if instrument is Instrument.external:
        return campaign.external_questionnaire_id, campaign.external_questionnaire_version
    if instrument is Instrument.skm:  # one SKM for every campaign; the run records its version
        return "skm", 1
    return campaign.internal_questionnaire_id, campaign.internal_questionnaire_version


def plan_years(campaign: Campaign) -> tuple[int, ...]:
    return tuple(range(campaign.plan_first_year, campaign.plan_last_year + 1))


def open_run(
    *, session: Session, respondent: Respondent, campaign: Campaign, instrument: Instrument
) -> SurveyRun | None:
    return session.exec(
        select(SurveyRun).where(
            SurveyRun.respondent_id == respondent.id,
            SurveyRun.campaign_id == campaign.id,
            SurveyRun.instrument == instrument,
            SurveyRun.status == RunStatus.in_progress,
        )
    ).first()


def start_or_resume_run(
    *,
    session: Session,
    respondent: Respondent,
    campaign: Campaign,
    instrument: Instrument,
    now: datetime,
    source: str | None = None,
    served_version: int | None = None,
) -> tuple[SurveyRun, bool]:
    """The respondent's open run for this campaign and instrument, or a new one.

    A new run records `served_version`, the version of the questionnaire file it is asked
    with (its answers carry it), else the version the campaign was opened with: a campaign
    opened under internal v1 still asks v2's questions once the file is v2.
    Returns the run and whether it was created now.
    """
    run = open_run(session=session, respondent=respondent, campaign=campaign, instrument=instrument)
    if run is not None:
        return run, False
    questionnaire_id, version = questionnaire_ref(campaign, instrument)
    version = served_version if served_version is not None else version
    for _ in range(5):
        run = SurveyRun(
            respondent_id=stored_id(respondent),
            campaign_id=stored_id(campaign),
            instrument=instrument,
            questionnaire_id=questionnaire_id,
            questionnaire_version=version,
            source=source,
            receipt_code=new_receipt_code(),
            started_at=now,
            updated_at=now,
        )
        try:
            with session.begin_nested():
                session.add(run)
            return run, True
        except IntegrityError:
            # Another worker opened the run first (partial unique index), or, very rarely,
            # the receipt code collided: look again, then retry with a new code.
            existing = open_run(
                session=session, respondent=respondent, campaign=campaign, instrument=instrument
            )
            if existing is not None:
                return existing, False
    raise RuntimeError("could not allocate a unique receipt code")


def lock_run(*, session: Session, run_id: int) -> SurveyRun:
    """Re-read the run, locking its row (PostgreSQL) so two workers apply inputs in turn."""
    run = session.exec(select(SurveyRun).where(SurveyRun.id == run_id).with_for_update()).one()
    session.refresh(run)
    return run


def load_progress(*, session: Session, run: SurveyRun) -> Progress:
    rows = session.exec(select(Answer).where(Answer.run_id == run.id))
    answers = {
        (row.question_id, row.block, row.item): answer_rows.stored_answer(row) for row in rows
    }
    session.flush()
    _, profile = profiles.run_answers(session.connection(), run.respondent_id, stored_id(run))
    answers.update(profile)
    return Progress(
        step=DONE if run.status == RunStatus.submitted else run.current_step,
        editing=run.editing,
        answers=answers,
        receipt_code=run.receipt_code or "",
    )


def apply_outcome(*, session: Session, run: SurveyRun, outcome: Outcome, now: datetime) -> None:
    """Store what the engine decided: answers upserted (old values audited), the cursor moved."""
    session.flush()  # pending ORM changes first: the writer speaks SQL directly
    connection = session.connection()
    run_id = stored_id(run)
    answer_rows.write_outcome(
        connection,
        run_id=run_id,
        questionnaire_version=run.questionnaire_version,
        rows=answer_rows.rows_of_run(connection, run_id),
        outcome=outcome,
        now=now,
        respondent_id=run.respondent_id,
    )
    session.expire(run)  # re-read the cursor and status written above on next access
