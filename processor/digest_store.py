"""Keyword-only data access for digests and their deliveries. Callers own the session.

Concurrency rules (several processors on one PostgreSQL, or a restart mid-delivery):
- a digest is unique per (campaign, slot): `create_digest` returns None to the loser;
- a delivery is claimed by bumping `attempts` with a compare-and-swap; the claim is a lease
  kept alive by `updated_at` (every recorded part and every wait refreshes it). Another
  processor may take a delivery over only when its lease is stale, and every write of the
  holder checks that `attempts` is still its own, so a stale holder stops instead of sending.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Result, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from processor.broadcast import Recipient, plan_counts
from shared.models import (
    Answer,
    Broadcast,
    BroadcastDelivery,
    Campaign,
    DeliveryStatus,
    Digest,
    DigestDelivery,
    Instrument,
    Respondent,
    Role,
    RunStatus,
    SurveyRun,
    stored_id,
)

DeliveryTable = type[DigestDelivery] | type[BroadcastDelivery]


def rowcount(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE changed (`session.execute` types its result as a
    plain `Result`; for those statements it is a `CursorResult`)."""
    return cast(CursorResult[Any], result).rowcount


def create_digest(*, session: Session, digest: Digest) -> Digest | None:
    """Insert the digest; None when its (campaign, slot) exists already (another process)."""
    try:
        with session.begin_nested():
            session.add(digest)
            session.flush()
    except IntegrityError:
        return None
    return digest


def get_digest(*, session: Session, digest_id: int) -> Digest | None:
    return session.get(Digest, digest_id)


def digest_for_slot(*, session: Session, campaign_id: int, slot: str) -> Digest | None:
    return session.exec(
        select(Digest).where(Digest.campaign_id == campaign_id, Digest.slot == slot)
    ).first()


def latest_digest(*, session: Session, campaign_id: int) -> Digest | None:
    return session.exec(
        select(Digest)
        .where(Digest.campaign_id == campaign_id)
        .order_by(col(Digest.period_end).desc(), col(Digest.id).desc())
    ).first()


def latest_answer_at(*, session: Session, campaign_id: int) -> datetime | None:
    """When the campaign's latest consultation was submitted (None: none yet)."""
    return session.exec(
        select(func.max(SurveyRun.submitted_at)).where(
            SurveyRun.campaign_id == campaign_id,
            SurveyRun.instrument == Instrument.external,
            SurveyRun.status == RunStatus.submitted,
        )
    ).one()


def planners(*, session: Session, campaign_id: int) -> list[Respondent]:
    """The campaign's planners who can be messaged (have Telegram, not opted out or erased)."""
    return list(
        session.exec(
            select(Respondent)
            .where(
                Respondent.role == Role.planner,
                Respondent.campaign_id == campaign_id,
                col(Respondent.telegram_user_id).is_not(None),
                Respondent.opted_out == False,  # noqa: E712
                Respondent.erased == False,  # noqa: E712
            )
            .order_by(col(Respondent.id))
        )
    )


def planner_campaign(*, session: Session, telegram_user_id: int) -> Campaign | None:
    """The campaign this Telegram user plans for, or None if they are not a planner."""
    respondent = session.exec(
        select(Respondent).where(Respondent.telegram_user_id == telegram_user_id)
    ).first()
    if (
        respondent is None
        or respondent.role != Role.planner
        or respondent.campaign_id is None
        or respondent.erased
    ):
        return None
    return session.get(Campaign, respondent.campaign_id)


def ensure_deliveries(*, session: Session, digest_id: int, campaign_id: int, now: datetime) -> int:
    """A pending delivery row for every current planner without one; returns how many were
    added. Safe to run concurrently: the unique (digest, respondent) key drops duplicates."""
    existing = set(
        session.exec(
            select(DigestDelivery.respondent_id).where(DigestDelivery.digest_id == digest_id)
        )
    )
    added = 0
    for planner in planners(session=session, campaign_id=campaign_id):
        planner_id = stored_id(planner)
        if planner_id in existing:
            continue
        try:
            with session.begin_nested():
                session.add(
                    DigestDelivery(digest_id=digest_id, respondent_id=planner_id, updated_at=now)
                )
            added += 1
        except IntegrityError:
            pass
    return added


def open_deliveries(*, session: Session, digest_id: int | None = None) -> list[DigestDelivery]:
    """Pending deliveries (oldest digest first), optionally of one digest."""
    query = select(DigestDelivery).where(DigestDelivery.status == DeliveryStatus.pending)
    if digest_id is not None:
        query = query.where(DigestDelivery.digest_id == digest_id)
    return list(session.exec(query.order_by(col(DigestDelivery.digest_id), col(DigestDelivery.id))))


def claim_delivery(
    *,
    session: Session,
    delivery_id: int,
    seen_attempts: int,
    now: datetime,
    stale_before: datetime,
    table: DeliveryTable = DigestDelivery,
) -> bool:
    """Take the delivery (attempts += 1) if it is still pending, nobody claimed it since we
    read it, and it is new or its previous holder's lease is stale. `table` is
    DigestDelivery or BroadcastDelivery (the same claim and lease columns)."""
    result = session.execute(
        update(table)
        .where(
            col(table.id) == delivery_id,
            col(table.status) == DeliveryStatus.pending,
            col(table.attempts) == seen_attempts,
            (col(table.attempts) == 0) | (col(table.updated_at) <= stale_before),
        )
        .values(attempts=seen_attempts + 1, updated_at=now)
    )
    return rowcount(result) == 1


def _held(delivery_id: int, attempts: int, table: DeliveryTable) -> ColumnElement[bool]:
    return (col(table.id) == delivery_id) & (col(table.attempts) == attempts)


def record_part(
    *,
    session: Session,
    delivery_id: int,
    attempts: int,
    parts_sent: int,
    now: datetime,
    table: DeliveryTable = DigestDelivery,
) -> bool:
    """Record that the first `parts_sent` parts are out; False if we lost the lease."""
    result = session.execute(
        update(table)
        .where(_held(delivery_id, attempts, table))
        .values(parts_sent=parts_sent, updated_at=now)
    )
    return rowcount(result) == 1


def heartbeat(
    *,
    session: Session,
    delivery_id: int,
    attempts: int,
    now: datetime,
    table: DeliveryTable = DigestDelivery,
) -> bool:
    result = session.execute(
        update(table).where(_held(delivery_id, attempts, table)).values(updated_at=now)
    )
    return rowcount(result) == 1


def finish_delivery(
    *,
    session: Session,
    delivery_id: int,
    attempts: int,
    status: DeliveryStatus,
    now: datetime,
    error: str | None = None,
    table: DeliveryTable = DigestDelivery,
) -> bool:
    values: dict[str, object] = {"status": status, "updated_at": now, "last_error": error}
    if status == DeliveryStatus.sent:
        values["sent_at"] = now
    result = session.execute(
        update(table).where(_held(delivery_id, attempts, table)).values(**values)
    )
    return rowcount(result) == 1


def note_error(
    *,
    session: Session,
    delivery_id: int,
    attempts: int,
    error: str,
    now: datetime,
    table: DeliveryTable = DigestDelivery,
) -> bool:
    result = session.execute(
        update(table)
        .where(_held(delivery_id, attempts, table))
        .values(last_error=error[:2000], updated_at=now)
    )
    return rowcount(result) == 1


def mark_opted_out(*, session: Session, respondent_id: int) -> None:
    """The person blocked the bot: never message them again."""
    respondent = session.get(Respondent, respondent_id)
    if respondent is not None and not respondent.opted_out:
        respondent.opted_out = True
        session.add(respondent)


# Broadcasts ("what we heard" to respondents, issue 14) ------------------------------------


def answered_domains(
    *, session: Session, campaign_id: int
) -> list[tuple[int, str, list[str], str]]:
    """(respondent id, language, domains answered, pseudonym prefix) of every citizen of the
    campaign who submitted answers and can be messaged: has Telegram, did not block the
    bot, turn broadcasts off or erase their data.

    Only consultation answers count (the `external` instrument): a citizen who only filled
    in a service unit's SKM gets no "what we heard" for the domain the bot filled in for
    them, and an SKM does not add its unit's domain to a consultation respondent's parts."""
    rows = session.exec(
        select(Respondent.id, Respondent.language, Respondent.pseudonym, Answer.domain)
        .join(SurveyRun, col(SurveyRun.respondent_id) == col(Respondent.id))
        .join(Answer, col(Answer.run_id) == col(SurveyRun.id))
        .where(
            SurveyRun.campaign_id == campaign_id,
            SurveyRun.status == RunStatus.submitted,
            SurveyRun.instrument == Instrument.external,
            Respondent.role == Role.citizen,
            col(Respondent.telegram_user_id).is_not(None),
            Respondent.opted_out == False,  # noqa: E712
            Respondent.erased == False,  # noqa: E712
            Respondent.broadcasts_off == False,  # noqa: E712
            col(Answer.domain).is_not(None),
        )
        .distinct()
    ).all()
    people: dict[int, tuple[str, set[str], str]] = {}
    for respondent_id, language, pseudonym, domain in rows:
        if respondent_id is None or domain is None:  # excluded by the query
            continue
        people.setdefault(respondent_id, (language, set(), pseudonym[:12]))[1].add(domain)
    return [(r, lang, sorted(domains), label) for r, (lang, domains, label) in people.items()]


def broadcast_for_digest(*, session: Session, digest_id: int) -> Broadcast | None:
    return session.exec(select(Broadcast).where(Broadcast.digest_id == digest_id)).first()


def start_broadcast(
    *,
    session: Session,
    digest: Digest,
    started_by: str,
    planned: Sequence[Recipient],
    now: datetime,
) -> tuple[Broadcast, bool]:
    """The digest's broadcast with a pending delivery row per planned recipient, and
    whether it was made now. A broadcast exists once per digest: starting it again (or
    at once from two places) returns the existing one, so nobody gets it twice."""
    digest_id = stored_id(digest)
    existing = broadcast_for_digest(session=session, digest_id=digest_id)
    if existing is not None:
        return existing, False
    broadcast = Broadcast(
        campaign_id=digest.campaign_id,
        digest_id=digest_id,
        started_by=started_by[:200],
        started_at=now,
        counts={"planned": plan_counts(planned), "runs": []},
    )
    try:
        with session.begin_nested():
            session.add(broadcast)
            session.flush()
    except IntegrityError:
        found = broadcast_for_digest(session=session, digest_id=digest_id)
        assert found is not None
        return found, False
    broadcast_id = stored_id(broadcast)
    for recipient in planned:
        session.add(
            BroadcastDelivery(
                broadcast_id=broadcast_id,
                respondent_id=recipient.respondent_id,
                domains=list(recipient.domains),
                language=recipient.language,
                updated_at=now,
            )
        )
    session.flush()
    return broadcast, True


def open_broadcast_deliveries(
    *, session: Session, broadcast_id: int
) -> list[tuple[BroadcastDelivery, Respondent]]:
    return list(
        session.exec(
            select(BroadcastDelivery, Respondent)
            .join(Respondent, col(Respondent.id) == col(BroadcastDelivery.respondent_id))
            .where(
                BroadcastDelivery.broadcast_id == broadcast_id,
                BroadcastDelivery.status == DeliveryStatus.pending,
            )
            .order_by(col(BroadcastDelivery.id))
        ).all()
    )


def skip_delivery(*, session: Session, delivery_id: int, reason: str, now: datetime) -> None:
    """A recipient who erased their data, blocked the bot or turned broadcasts off since
    the broadcast started: never sent."""
    session.execute(
        update(BroadcastDelivery)
        .where(
            col(BroadcastDelivery.id) == delivery_id,
            col(BroadcastDelivery.status) == DeliveryStatus.pending,
        )
        .values(status=DeliveryStatus.skipped, last_error=reason, updated_at=now)
    )


def broadcast_tally(*, session: Session, broadcast_id: int) -> dict[str, int]:
    """How many deliveries of the broadcast are in each status (every status named)."""
    rows = session.exec(
        select(BroadcastDelivery.status, func.count())
        .where(BroadcastDelivery.broadcast_id == broadcast_id)
        .group_by(BroadcastDelivery.status)
    ).all()
    tally = {status.value: 0 for status in DeliveryStatus}
    tally.update({str(status): int(n) for status, n in rows})
    return tally


def record_broadcast_run(
    *, session: Session, broadcast_id: int, by: str, now: datetime
) -> tuple[Broadcast, dict[str, int]]:
    """Audit one sending run (who, when, the tally after it); the broadcast is finished
    once nothing is pending."""
    broadcast = session.get(Broadcast, broadcast_id)
    assert broadcast is not None
    tally = broadcast_tally(session=session, broadcast_id=broadcast_id)
    counts = dict(broadcast.counts or {})
    counts["runs"] = [*counts.get("runs", []), {"by": by[:200], "at": now.isoformat(), **tally}]
    counts["result"] = tally
    broadcast.counts = counts
    if tally[DeliveryStatus.pending.value] == 0 and broadcast.finished_at is None:
        broadcast.finished_at = now
    session.add(broadcast)
    session.flush()
    return broadcast, tally


def set_broadcasts_off(*, session: Session, telegram_user_id: int) -> Respondent | None:
    """The respondent pressed "no more news": no broadcast reaches them again."""
    respondent = session.exec(
        select(Respondent).where(Respondent.telegram_user_id == telegram_user_id)
    ).first()
    if respondent is not None and not respondent.broadcasts_off:
        respondent.broadcasts_off = True
        session.add(respondent)
        session.flush()
    return respondent
