"""Planner curations in the database (shared.models.Curation): store, list, undo.

Keyword-only functions taking a session; the caller's transaction decides when they are
committed, so a sheet's curations are stored all together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from processor.curation import Curation, CurationDataError
from processor.pipeline import KIND_OF_QUESTION
from shared.models import Answer, ImportedAnswer, SurveyRun
from shared.models import Curation as StoredCuration

BY_LENGTH = 64


class CurationStoreError(Exception):
    """A request the store refuses (unknown id, already undone); the message is for people."""


def stored_curations(*, session: Session, campaign_id: int) -> list[StoredCuration]:
    """Every curation of the campaign, undone ones included, oldest first."""
    return list(
        session.exec(
            select(StoredCuration)
            .where(StoredCuration.campaign_id == campaign_id)
            .order_by(col(StoredCuration.id))
        )
    )


def as_curation(row: StoredCuration) -> Curation:
    """The stored row as processor.curation reads it (CurationDataError if damaged)."""
    return Curation.from_record(
        action=row.action,
        target=row.target,
        value=row.value,
        id=row.id or 0,
        before=row.before,
        after=row.after,
        by=row.created_by,
        at=row.created_at.isoformat(),
    )


def active_curations(*, session: Session, campaign_id: int) -> list[Curation]:
    """The campaign's curations that are not undone, in order. A stored one that cannot be
    read (never expected) comes with its `problem` set, so the analysis reports it as stale
    rather than dropping it silently."""
    curations = []
    for row in stored_curations(session=session, campaign_id=campaign_id):
        if row.undone_at is not None:
            continue
        try:
            curations.append(as_curation(row))
        except CurationDataError as exc:
            curations.append(
                Curation(
                    action=row.action,
                    id=row.id or 0,
                    before=row.before,
                    after=row.after,
                    by=row.created_by,
                    at=row.created_at.isoformat(),
                    problem=str(exc),
                )
            )
    return curations


def _same(row: StoredCuration, curation: Curation) -> bool:
    target, value = curation.record()
    return row.action == curation.action and row.target == target and row.value == value


def save_curations(
    *,
    session: Session,
    campaign_id: int,
    curations: Iterable[Curation],
    by: str,
    now: datetime,
) -> tuple[list[StoredCuration], list[tuple[Curation, int]]]:
    """Store the new curations; returns (stored rows, [(curation, id of the identical active
    one)] for those already stored, which are skipped)."""
    active = [
        r for r in stored_curations(session=session, campaign_id=campaign_id) if not r.undone_at
    ]
    stored: list[StoredCuration] = []
    skipped: list[tuple[Curation, int]] = []
    for curation in curations:
        twin = next((r for r in [*active, *stored] if _same(r, curation)), None)
        if twin is not None:
            skipped.append((curation, twin.id or 0))
            continue
        target, value = curation.record()
        row = StoredCuration(
            campaign_id=campaign_id,
            action=curation.action,
            target=target,
            value=value,
            before=curation.before,
            after=curation.after,
            created_by=by[:BY_LENGTH],
            created_at=now,
        )
        session.add(row)
        session.flush()
        stored.append(row)
    return stored, skipped


def undo_curation(
    *, session: Session, campaign_id: int, curation_id: int, by: str, now: datetime
) -> StoredCuration:
    row = session.get(StoredCuration, curation_id)
    if row is None or row.campaign_id != campaign_id:
        raise CurationStoreError(f"no curation #{curation_id} in this campaign")
    if row.undone_at is not None:
        raise CurationStoreError(
            f"curation #{curation_id} was already undone by {row.undone_by} "
            f"at {row.undone_at:%Y-%m-%d %H:%M}"
        )
    row.undone_by, row.undone_at = by[:BY_LENGTH], now
    session.add(row)
    session.flush()
    return row


def answer_domains(
    *, session: Session, campaign_id: int, answer_ids: Sequence[str]
) -> dict[str, str | None]:
    """For each answer id of the analysis ("a12" from the bot, "i7" imported) that is a
    text answer of the campaign: its stored domain (None when an import left it empty)."""
    bot = [int(a[1:]) for a in answer_ids if a[:1] == "a" and a[1:].isdigit()]
    imported = [int(a[1:]) for a in answer_ids if a[:1] == "i" and a[1:].isdigit()]
    found: dict[str, str | None] = {}
    content = sorted({question for _, question in KIND_OF_QUESTION})
    if bot:
        rows = session.exec(
            select(Answer.id, Answer.domain)
            .join(SurveyRun, col(SurveyRun.id) == Answer.run_id)
            .where(
                col(Answer.id).in_(bot),
                SurveyRun.campaign_id == campaign_id,
                col(Answer.question_id).in_(content),
            )
        )
        found.update({f"a{i}": d for i, d in rows})
    if imported:
        rows = session.exec(
            select(ImportedAnswer.id, ImportedAnswer.domain).where(
                col(ImportedAnswer.id).in_(imported),
                ImportedAnswer.campaign_id == campaign_id,
                col(ImportedAnswer.question_id).in_(content),
            )
        )
        found.update({f"i{i}": d for i, d in rows})
    return found
