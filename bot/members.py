"""The sender of an update as the bot knows them: role, campaign, language, admin or not."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from bot.respondents import find_respondent, has_consented
from shared.models import Role


@dataclass(frozen=True)
class Member:
    user_id: int
    respondent_id: int | None  # None: never agreed to the privacy notice (or erased)
    role: Role | None
    campaign_id: int | None  # the campaign a staff member or planner was invited to
    language: str
    is_admin: bool  # from REMBUK_ADMIN_IDS, not from the database


def load_member(
    *, session: Session, user_id: int, admin_ids: frozenset[int], default_language: str
) -> Member:
    respondent = find_respondent(session=session, telegram_user_id=user_id)
    known = respondent if has_consented(respondent) else None
    return Member(
        user_id=user_id,
        respondent_id=known.id if known else None,
        role=Role(known.role) if known else None,
        campaign_id=known.campaign_id if known else None,
        language=respondent.language if respondent else default_language,
        is_admin=user_id in admin_ids,
    )
