"""Single-use, expiring invitations for staff and planners; only the token's hash is stored."""

from __future__ import annotations

import hashlib
import io
import secrets
from datetime import datetime, timedelta

import segno
from sqlalchemy import update
from sqlmodel import Session, col, select

from shared.models import Campaign, Invite, Respondent, Role, stored_id

INVITABLE_ROLES = (Role.staff, Role.planner)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_invite(
    *,
    session: Session,
    role: Role,
    campaign: Campaign,
    now: datetime,
    valid_for: timedelta,
    created_by: str | None = None,
) -> tuple[Invite, str]:
    """Store a new invitation; return it and the token (which is never stored)."""
    if role not in INVITABLE_ROLES:
        raise ValueError(f"cannot invite a {role}")
    token = secrets.token_urlsafe(18)  # 24 characters of A-Za-z0-9_-
    invite = Invite(
        role=role,
        campaign_id=stored_id(campaign),
        token_hash=hash_token(token),
        created_by=created_by,
        created_at=now,
        expires_at=now + valid_for,
    )
    session.add(invite)
    session.flush()
    return invite, token


def find_usable_invite(*, session: Session, token: str, now: datetime) -> Invite | None:
    """The unused, unexpired invitation with this token, if any."""
    invite = session.exec(select(Invite).where(Invite.token_hash == hash_token(token))).first()
    if invite is None or invite.used_at is not None or invite.expires_at <= now:
        return None
    return invite


def redeem_invite(
    *, session: Session, token: str, respondent: Respondent, now: datetime
) -> Invite | None:
    """Use the invitation once and give the respondent its role and campaign.

    The conditional UPDATE makes "single use" hold even when two bot workers redeem the
    same token at the same moment: only one of them changes a row.
    """
    invite = find_usable_invite(session=session, token=token, now=now)
    if invite is None:
        return None
    claimed = session.exec(
        update(Invite)
        .where(col(Invite.id) == invite.id, col(Invite.used_at).is_(None))
        .values(used_at=now, used_by_respondent_id=respondent.id)
    )
    if claimed.rowcount != 1:
        return None
    session.refresh(invite)
    respondent.role = invite.role
    respondent.campaign_id = invite.campaign_id
    session.add(respondent)
    session.flush()
    return invite


def qr_png(link: str, scale: int = 8) -> bytes:
    """The link as a QR code PNG, large enough to print on an A4 poster or a counter card."""
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()
