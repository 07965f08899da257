"""Keyword-only data access for digests and their deliveries. Callers own the session.

Concurrency rules (several processors on one PostgreSQL, or a restart mid-delivery):
- a digest is unique per (campaign, slot): `create_digest` returns None to the loser;
- a delivery is claimed by bumping `attempts` with a compare-and-swap; the claim is a lease
  kept alive by `updated_at` (every recorded part and every wait refreshes it). Another
  processor may take a delivery over only when its lease is stale, and every write of the
  holder checks that `attempts` is still its own, so a stale holder stops instead of sending.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from shared.models import Campaign, DeliveryStatus, Digest, DigestDelivery, Respondent, Role


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
            .order_by(Respondent.id)
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
        if planner.id in existing:
            continue
        try:
            with session.begin_nested():
                session.add(
                    DigestDelivery(digest_id=digest_id, respondent_id=planner.id, updated_at=now)
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
    return list(session.exec(query.order_by(DigestDelivery.digest_id, DigestDelivery.id)))


def claim_delivery(
    *, session: Session, delivery_id: int, seen_attempts: int, now: datetime, stale_before: datetime
) -> bool:
    """Take the delivery (attempts += 1) if it is still pending, nobody claimed it since we
    read it, and it is new or its previous holder's lease is stale."""
    result = session.execute(
        update(DigestDelivery)
        .where(
            col(DigestDelivery.id) == delivery_id,
            col(DigestDelivery.status) == DeliveryStatus.pending,
            col(DigestDelivery.attempts) == seen_attempts,
            (col(DigestDelivery.attempts) == 0) | (col(DigestDelivery.updated_at) <= stale_before),
        )
        .values(attempts=seen_attempts + 1, updated_at=now)
    )
    return result.rowcount == 1


def _held(delivery_id: int, attempts: int):  # type: ignore[no-untyped-def]
    return (col(DigestDelivery.id) == delivery_id) & (col(DigestDelivery.attempts) == attempts)


def record_part(
    *, session: Session, delivery_id: int, attempts: int, parts_sent: int, now: datetime
) -> bool:
    """Record that the first `parts_sent` parts are out; False if we lost the lease."""
    result = session.execute(
        update(DigestDelivery)
        .where(_held(delivery_id, attempts))
        .values(parts_sent=parts_sent, updated_at=now)
    )
    return result.rowcount == 1


def heartbeat(*, session: Session, delivery_id: int, attempts: int, now: datetime) -> bool:
    result = session.execute(
        update(DigestDelivery).where(_held(delivery_id, attempts)).values(updated_at=now)
    )
    return result.rowcount == 1


def finish_delivery(
    *,
    session: Session,
    delivery_id: int,
    attempts: int,
    status: DeliveryStatus,
    now: datetime,
    error: str | None = None,
) -> bool:
    values: dict[str, object] = {"status": status, "updated_at": now, "last_error": error}
    if status == DeliveryStatus.sent:
        values["sent_at"] = now
    result = session.execute(
        update(DigestDelivery).where(_held(delivery_id, attempts)).values(**values)
    )
    return result.rowcount == 1


def note_error(
    *, session: Session, delivery_id: int, attempts: int, error: str, now: datetime
) -> bool:
    result = session.execute(
        update(DigestDelivery)
        .where(_held(delivery_id, attempts))
        .values(last_error=error[:2000], updated_at=now)
    )
    return result.rowcount == 1


def mark_opted_out(*, session: Session, respondent_id: int) -> None:
    """The person blocked the bot: never message them again."""
    respondent = session.get(Respondent, respondent_id)
    if respondent is not None and not respondent.opted_out:
        respondent.opted_out = True
        session.add(respondent)
