"""Standard crontab expressions as APScheduler triggers (settings check them, the digest
schedule runs them)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def _day_number(token: str) -> int:
    """A crontab weekday: 0-7 (7 is Sunday again, after Saturday) or a three-letter
    English name (0-6)."""
    if token.isdigit() and int(token) <= 7:
        return int(token)
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
            first, last = _day_number(start), _day_number(end)  # "5-7": Fri, Sat, Sun
            if last < first:
                raise ValueError(f"a range must go forwards: {base!r}")
        elif step_text:
            raise ValueError(f"a step needs a range or *: {item!r}")  # as cronie
        else:
            first = last = _day_number(base)
        days.update(day % 7 for day in range(first, last + 1, step))
    return ",".join(_DAY_NAMES[day] for day in sorted(days))


def cron_trigger(expression: str, timezone: str) -> CronTrigger:
    """A standard crontab expression ("0 7 * * 1" = Mondays 07:00) in a time zone."""
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"crontab needs 5 fields, got {len(fields)}: {expression!r}")
    minute, hour, day, month, day_of_week = fields
    if not day.startswith("*") and not day_of_week.startswith("*"):
        # crontab runs when either matches, APScheduler only when both do: refuse rather
        # than run on other days than the planner expects.
        raise ValueError("give a day of the month or a day of the week, not both")
    return CronTrigger(
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=_crontab_days(day_of_week),
        timezone=ZoneInfo(timezone),
    )
