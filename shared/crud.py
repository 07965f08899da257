"""Keyword-only data access for campaigns, respondents and secrets. Callers own the session."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from shared.models import AppSecret, Campaign, CampaignStatus, Respondent, Role
from shared.settings import zoneinfo_area_name
from shared.survey_data import SurveyData

DEFAULT_CAMPAIGN_CODE = "umum"
PSEUDONYM_SECRET = "pseudonym_key"


class CampaignError(Exception):
    """A campaign request that cannot be done (unknown code, duplicate, bad years)."""


def _check_timezone(timezone: str) -> str:
    """The name, if the tz database knows it: a campaign's digests are scheduled in it, so
    a typo must be refused when typed, not when the scheduler starts. Only Area/Location
    names and UTC: "localtime", "posixrules" or "Factory" are files of the tz database that
    mean something else on every machine."""
    try:
        if timezone != "UTC" and not zoneinfo_area_name(timezone):
            raise ValueError(timezone)
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise CampaignError(
            f"unknown time zone {timezone!r}; use a tz database name, e.g. Asia/Jakarta, "
            "Asia/Makassar or Asia/Jayapura"
        ) from None
    return timezone


def get_secret(*, session: Session, name: str, configured: str | None = None) -> str:
    """The configured secret, else one generated once and kept in the database."""
    if configured:
        return configured
    stored = session.get(AppSecret, name)
    if stored is not None:
        return stored.value
    try:
        with session.begin_nested():
            session.add(AppSecret(name=name, value=secrets.token_hex(32)))
    except IntegrityError:  # another process created it first
        pass
    stored = session.get(AppSecret, name, populate_existing=True)
    assert stored is not None
    return stored.value


def make_pseudonym(*, key: str, identity: str) -> str:
    """A stable keyed hash of an identity such as "tg:12345"; reveals nothing without the key."""
    digest = hmac.new(key.encode(), identity.encode(), hashlib.sha256).hexdigest()
    return f"r-{digest[:20]}"


def create_campaign(
    *,
    session: Session,
    code: str,
    name: str,
    plan_first_year: int,
    plan_last_year: int,
    survey_data: SurveyData,
    timezone: str,
    now: datetime,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
) -> Campaign:
    code = code.strip().lower()
    if not code or not code.replace("_", "").replace("-", "").isalnum() or len(code) > 32:
        raise CampaignError(
            "campaign code must be 1-32 letters, digits, '-' or '_' (it goes into links)"
        )
    if "--" in code:
        raise CampaignError("campaign code must not contain '--' (it separates link parts)")
    if plan_last_year < plan_first_year or plan_last_year - plan_first_year > 9:
        raise CampaignError("plan years must be a range like 2027-2031 (at most 10 years)")
    _check_timezone(timezone)
    if get_campaign(session=session, code=code) is not None:
        raise CampaignError(f"campaign {code!r} already exists")
    external = survey_data.questionnaire("external")
    internal = survey_data.questionnaire("internal")
    campaign = Campaign(
        code=code,
        name=name,
        external_questionnaire_id=external.id,
        external_questionnaire_version=external.version,
        internal_questionnaire_id=internal.id,
        internal_questionnaire_version=internal.version,
        plan_first_year=plan_first_year,
        plan_last_year=plan_last_year,
        opens_at=opens_at or now,
        closes_at=closes_at,
        timezone=timezone,
        created_at=now,
    )
    session.add(campaign)
    session.flush()
    return campaign


def get_campaign(*, session: Session, code: str) -> Campaign | None:
    return session.exec(select(Campaign).where(Campaign.code == code.strip().lower())).first()


def list_campaigns(*, session: Session) -> list[Campaign]:
    return list(session.exec(select(Campaign).order_by(col(Campaign.created_at), col(Campaign.id))))


def open_campaigns(*, session: Session, now: datetime) -> list[Campaign]:
    campaigns = session.exec(
        select(Campaign).where(Campaign.status == CampaignStatus.open).order_by(col(Campaign.id))
    )
    return [
        c for c in campaigns if c.opens_at <= now and (c.closes_at is None or c.closes_at > now)
    ]


def update_campaign(
    *, session: Session, code: str, name: str | None = None, timezone: str | None = None
) -> Campaign:
    """Rename a campaign or move it to another time zone (None: keep)."""
    campaign = get_campaign(session=session, code=code)
    if campaign is None:
        raise CampaignError(f"no campaign {code!r}")
    if timezone is not None:
        campaign.timezone = _check_timezone(timezone)
    if name is not None:
        if not name.strip():
            raise CampaignError("a campaign name must not be empty")
        campaign.name = name.strip()
    session.add(campaign)
    session.flush()
    return campaign


def close_campaign(*, session: Session, code: str, now: datetime) -> Campaign:
    campaign = get_campaign(session=session, code=code)
    if campaign is None:
        raise CampaignError(f"no campaign {code!r}")
    campaign.status = CampaignStatus.closed
    campaign.closes_at = (
        campaign.closes_at if campaign.closes_at and campaign.closes_at < now else now
    )
    session.add(campaign)
    return campaign


def resolve_campaign(
    *, session: Session, now: datetime, code: str | None = None
) -> Campaign | None:
    """The campaign a respondent joins: the named open one, else the only open one."""
    if code:
        campaign = get_campaign(session=session, code=code)
        if campaign is None:
            return None
        return campaign if campaign in open_campaigns(session=session, now=now) else None
    candidates = open_campaigns(session=session, now=now)
    return candidates[0] if len(candidates) == 1 else None


def ensure_default_campaign(
    *, session: Session, survey_data: SurveyData, timezone: str, now: datetime
) -> Campaign | None:
    """Give a fresh database one open campaign, so the first run just works."""
    if session.exec(select(Campaign.id).limit(1)).first() is not None:
        return None
    first_year = now.year + 1
    return create_campaign(
        session=session,
        code=DEFAULT_CAMPAIGN_CODE,
        name="Master Plan Pelayanan Publik",
        plan_first_year=first_year,
        plan_last_year=first_year + 4,
        survey_data=survey_data,
        timezone=timezone,
        now=now,
    )


def get_or_create_respondent(
    *,
    session: Session,
    pseudonym_key: str,
    now: datetime,
    telegram_user_id: int | None = None,
    local_name: str | None = None,
    language: str = "id",
    role: Role = Role.citizen,
) -> Respondent:
    """Find a respondent by Telegram id or local name, creating them on first contact."""
    if (telegram_user_id is None) == (local_name is None):
        raise ValueError("give exactly one of telegram_user_id and local_name")
    if telegram_user_id is not None:
        query = select(Respondent).where(Respondent.telegram_user_id == telegram_user_id)
        identity = f"tg:{telegram_user_id}"
    else:
        query = select(Respondent).where(Respondent.local_name == local_name)
        identity = f"local:{local_name}"
    respondent = session.exec(query).first()
    if respondent is not None:
        return respondent
    respondent = Respondent(
        telegram_user_id=telegram_user_id,
        local_name=local_name,
        pseudonym=make_pseudonym(key=pseudonym_key, identity=identity),
        role=role,
        language=language,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(respondent)
    except IntegrityError:  # a second worker created the same respondent concurrently
        respondent = session.exec(query).one()
    return respondent
