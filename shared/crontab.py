"""Standard crontab expressions as APScheduler triggers (settings check them, the digest
schedule runs them)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def _day_number(token: str) -> int:
    """A crontab weekday: 0-7 (0 and 7 = Sunday) or a three-letter English name."""
    if token.isdigit() and int(token) <= 7:
        return int(token) % 7
    if token.lower() in _DAY_NAMES:
        return _DAY_NAMES.index(token.lower())
    raise ValueError(f"not a weekday: {token!r}")


def _crontab_days(field: str) -> str:
    """The weekday field of standard crontab (0 or 7 = Sunday, 1 = Monday; ranges, lists
    and steps counted from Sunday) as the explicit list of day names APScheduler 3 takes:
    its own numbers start at Monday = 0, and it drops a step after day names."""
    if field == "*":
        return field
    days: set[int] = set()
    for item in field.split(","):
        base, _, step_text = item.partition("/")
        if step_text and not (step_text.isdigit() and int(step_text) > 0):
            raise ValueError(f"not a step: {step_text!r}")
        step = int(step_text or 1)
        if base == "*":
            first, last = 0, 6
        elif "-" in base:
            start, _, end = base.partition("-")
            # 7 ends a range as Sunday after Saturday ("5-7" = Fri, Sat, Sun).
            first, last = _day_number(start), 7 if end == "7" else _day_number(end)
            if last < first:
                raise ValueError(f"a range must go forwards: {base!r}")
        else:
            first = _day_number(base)
            last = 6 if step_text else first  # "1/2": from Monday to the end of the week
        days.update(day % 7 for day in range(first, last + 1, step))
    return ",".join(_DAY_NAMES[day] for day in sorted(days))


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
