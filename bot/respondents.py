"""Respondent records of the Telegram bot: consent, language, opt-out, erasure, update ids."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from processor import erasure
from shared import crud
from shared.models import (
    Answer,
    AnswerRevision,
    ProcessedUpdate,
    Respondent,
    RespondentProfile,
    Role,
    SurveyRun,
    stored_id,
)


def find_respondent(*, session: Session, telegram_user_id: int) -> Respondent | None:
    return session.exec(
        select(Respondent).where(Respondent.telegram_user_id == telegram_user_id)
    ).first()


def find_by_receipt(*, session: Session, receipt_code: str) -> Respondent | None:
    """The respondent who was given this receipt code (read back over the phone, so case,
    spaces and dashes do not matter)."""
    code = "".join(ch for ch in receipt_code.upper() if ch.isalnum())
    run = session.exec(select(SurveyRun).where(SurveyRun.receipt_code == code)).first()
    return session.get(Respondent, run.respondent_id) if run is not None else None


def stored_counts(*, session: Session, respondent: Respondent) -> tuple[int, int]:
    """How many runs and answers of the respondent are stored."""
    run_ids = select(SurveyRun.id).where(SurveyRun.respondent_id == respondent.id)
    runs = session.exec(
        select(func.count()).select_from(SurveyRun).where(SurveyRun.respondent_id == respondent.id)
    ).one()
    answers = session.exec(
        select(func.count()).select_from(Answer).where(col(Answer.run_id).in_(run_ids))
    ).one()
    return int(runs), int(answers)


def has_consented(respondent: Respondent | None) -> bool:
    return respondent is not None and respondent.consent_at is not None and not respondent.erased


def record_consent(
    *,
    session: Session,
    telegram_user_id: int,
    language: str,
    pseudonym_key: str,
    consent_version: str,
    now: datetime,
) -> Respondent:
    """Create (or update) the respondent who agreed to the privacy notice."""
    respondent = crud.get_or_create_respondent(
        session=session,
        pseudonym_key=pseudonym_key,
        now=now,
        telegram_user_id=telegram_user_id,
        language=language,
        role=Role.citizen,
    )
    if respondent.consent_at is None:
        respondent.consent_at = now
        respondent.consent_version = consent_version
        respondent.language = language
    respondent.opted_out = False
    session.add(respondent)
    session.flush()
    return respondent


def record_decline(*, session: Session, language: str, now: datetime) -> None:
    """Keep only the fact that someone declined: no Telegram id, a random pseudonym."""
    session.add(
        Respondent(
            pseudonym=f"declined-{secrets.token_hex(8)}",
            language=language,
            consent_declined_at=now,
            created_at=now,
        )
    )
    session.flush()


def mark_opted_out(*, session: Session, telegram_user_id: int) -> None:
    """The user blocked the bot: never message them again (until they write to us)."""
    session.exec(
        update(Respondent)
        .where(col(Respondent.telegram_user_id) == telegram_user_id)
        .values(opted_out=True)
    )


def erase_respondent(
    *, session: Session, respondent: Respondent, now: datetime
) -> erasure.ErasureReport:
    """Delete every answer, revision and run of the respondent, and forget who they were.

    The row stays as an anonymous tombstone because invitations and deliveries refer to it;
    its pseudonym is replaced so that the person starts afresh if they come back. Their
    profile row goes. What was already made goes too (processor.erasure): their quotes and
    answer ids leave every stored digest here, in the same transaction; the returned report
    carries the file work to do once it is committed (`erasure.scrub_files`).
    """
    traces = erasure.collect_traces(
        session=session, respondent_id=stored_id(respondent), pseudonym=respondent.pseudonym
    )
    run_ids = select(SurveyRun.id).where(SurveyRun.respondent_id == respondent.id)
    session.exec(delete(AnswerRevision).where(col(AnswerRevision.run_id).in_(run_ids)))
    session.exec(delete(Answer).where(col(Answer.run_id).in_(run_ids)))
    session.exec(delete(SurveyRun).where(col(SurveyRun.respondent_id) == respondent.id))
    session.exec(
        delete(RespondentProfile).where(col(RespondentProfile.respondent_id) == respondent.id)
    )
    respondent.telegram_user_id = None
    respondent.local_name = None
    respondent.pseudonym = f"erased-{secrets.token_hex(8)}"
    respondent.consent_at = None
    respondent.consent_version = None
    respondent.erased = True
    respondent.erased_at = now
    session.add(respondent)
    session.flush()
    report = erasure.ErasureReport(traces)
    if traces.answer_ids or traces.texts:
        report.digests = len(erasure.scrub_digests(session=session, traces=traces))
        erasure.scrub_curations(session=session, traces=traces)
        report.directories = erasure.digest_directories(session=session)
    return report


def forget_processed_updates(*, session: Session, before: datetime) -> None:
    """Telegram redelivers for at most a day, so older update ids need not be kept."""
    session.exec(delete(ProcessedUpdate).where(col(ProcessedUpdate.processed_at) < before))
