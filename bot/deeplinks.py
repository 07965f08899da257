"""Deep-link payloads of `t.me/<bot>?start=<payload>` (Telegram: ≤ 64 chars of A-Za-z0-9_-).

- ``<campaign>``: join a campaign, e.g. ``tjb2027``;
- ``<campaign>--<venue>``: the same, recording where the link or QR code was found, e.g.
  ``tjb2027--puskesmas-kuala`` (venue ≤ 40 characters);
- ``<campaign>--skm--<unit>``: the SKM (Survei Kepuasan Masyarakat) of one service unit, from
  the QR code at its counter, e.g. ``tjb2027--skm--dukcapil`` (unit code ≤ 24 characters, so
  the payload stays within 64);
- ``inv--<token>``: a single-use staff or planner invitation made by an admin.

Because "--" separates the parts, a campaign called ``inv`` cannot have venue links.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_PAYLOAD = 64
MAX_VENUE = 40
INVITE_PREFIX = "inv--"
_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_VENUE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
SKM_MARK = "skm--"  # after the campaign's "--": the rest names a service unit
_UNIT = re.compile(r"^[a-z][a-z0-9_]{0,23}$")


@dataclass(frozen=True)
class CampaignLink:
    campaign_code: str
    venue: str | None = None
    unit: str | None = None  # a service unit's code: the link opens that unit's SKM


@dataclass(frozen=True)
class InviteLink:
    token: str


@dataclass(frozen=True)
class BadLink:
    pass


StartLink = CampaignLink | InviteLink | BadLink


def parse_payload(payload: str) -> StartLink:
    """What a /start payload asks for; BadLink for anything this bot does not make."""
    if not _PAYLOAD.match(payload):
        return BadLink()
    if payload.startswith(INVITE_PREFIX):
        token = payload.removeprefix(INVITE_PREFIX)
        return InviteLink(token) if 16 <= len(token) <= 43 else BadLink()
    code, separator, venue = payload.partition("--")
    if not code or len(code) > 32:
        return BadLink()
    if separator and not _VENUE.match(venue):
        return BadLink()
    if venue.startswith(SKM_MARK):
        unit = venue.removeprefix(SKM_MARK).lower()
        return CampaignLink(code.lower(), unit=unit) if _UNIT.match(unit) else BadLink()
    return CampaignLink(code.lower(), venue or None)


def campaign_payload(campaign_code: str, venue: str | None = None) -> str:
    payload = campaign_code if not venue else f"{campaign_code}--{venue}"
    if not _PAYLOAD.match(payload) or (venue is not None and not _VENUE.match(venue)):
        raise ValueError(
            f"a venue must be 1-{MAX_VENUE} letters, digits, '-' or '_' and the whole link "
            f"payload at most {MAX_PAYLOAD} characters"
        )
    return payload


def skm_payload(campaign_code: str, unit: str) -> str:
    """The payload of a service unit's SKM link: ``<campaign>--skm--<unit>``."""
    payload = f"{campaign_code}--{SKM_MARK}{unit}"
    if not _UNIT.match(unit) or not _PAYLOAD.match(payload) or len(campaign_code) > 32:
        raise ValueError(
            "a unit code must be 1-24 lowercase letters, digits or '_' (starting with a "
            f"letter) and the whole link payload at most {MAX_PAYLOAD} characters"
        )
    return payload


def invite_payload(token: str) -> str:
    return INVITE_PREFIX + token


def link(bot_username: str, payload: str) -> str:
    return f"https://t.me/{bot_username}?start={payload}"
