"""Standard crontab expressions as APScheduler triggers (settings check them, the digest
schedule runs them)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _crontab_days(field: str) -> str:
    """Standard crontab weekdays (0 or 7 = Sunday, 1 = Monday) as APScheduler 3 names:
    its own numbers start at Monday = 0, so "1" would silently mean Tuesday."""

    def name(token: str) -> str:
        return _DAY_NAMES[int(token)] if token.isdigit() and int(token) <= 7 else token

    parts = []
    for item in field.split(","):
        base, _, step = item.partition("/")
        base = "-".join(name(t) for t in base.split("-"))
        parts.append(f"{base}/{step}" if step else base)
    return ",".join(parts)


def cron_trigger(expression: str, timezone: str) -> CronTrigger:
    """A standard crontab expression ("0 7 * * 1" = Mondays 07:00) in a time zone."""
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"crontab needs 5 fields, got {len(fields)}: {expression!r}")
    minute, hour, day, month, day_of_week = fields
    return CronTrigger(
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=_crontab_days(day_of_week),
        timezone=ZoneInfo(timezone),
    )
