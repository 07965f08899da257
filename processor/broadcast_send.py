"""Sending a broadcast (issue 14 item 4), exactly once per respondent.

The broadcast's BroadcastDelivery rows are sent by the digest delivery code
(processor.delivery._Deliverer) with its claims, leases, per-part progress, RetryAfter
waits, backoff and blocked-user handling; only what a person receives differs (their
domains' parts, in their language, the opt-out button under the last part). Recipients who
erased their data, blocked the bot or turned broadcasts off since it started are skipped.
Every sending run is audited on the Broadcast row (who, when, the tally).

The bot sends with its Application's bot (its AIORateLimiter keeps to Telegram's limits);
the CLI with `make_rate_limited_bot`, the same limiter on its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session
from telegram import Bot, InlineKeyboardMarkup
from telegram.ext import AIORateLimiter, ExtBot
from telegram.request import HTTPXRequest

from processor import digest_store
from processor.broadcast import Recipient, compose_broadcast, plan_counts, recipients
from processor.delivery import (
    Clock,
    DeliveryPolicy,
    DeliveryReport,
    Part,
    Sleep,
    _Deliverer,
    deliver_rows,
)
from shared.models import Broadcast, BroadcastDelivery, Digest, Respondent, stored_id
from shared.survey_data import MessageCatalog

Keyboard = Callable[[str], InlineKeyboardMarkup]  # language -> the opt-out button


def make_rate_limited_bot(
    *, token: str, base_url: str, base_file_url: str, rate: float, read_timeout: float = 30.0
) -> ExtBot:
    """A bot with the Application's rate limiter (overall `rate` messages a second); use
    it as `async with bot:` so the limiter starts."""
    request = HTTPXRequest(
        connection_pool_size=8, read_timeout=read_timeout, write_timeout=60.0, connect_timeout=10.0
    )
    limiter = AIORateLimiter(overall_max_rate=rate, overall_time_period=1, max_retries=3)
    return ExtBot(
        token,
        base_url=base_url,
        base_file_url=base_file_url,
        request=request,
        rate_limiter=limiter,
    )


class _BroadcastDeliverer(_Deliverer):
    table = BroadcastDelivery

    def __init__(self, *, messages: MessageCatalog, keyboard: Keyboard, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.messages = messages
        self.keyboard = keyboard

    def parts(self, delivery: BroadcastDelivery, digest: Digest, person: Respondent) -> list[Part]:  # type: ignore[override]
        texts = compose_broadcast(
            digest.summary,
            list(delivery.domains),
            language=delivery.language,
            messages=self.messages,
        )
        last = len(texts) - 1
        button = self.keyboard(delivery.language)
        return [
            Part("message", text=text, markup=button if i == last else None)
            for i, text in enumerate(texts)
        ]


@dataclass
class BroadcastRun:
    broadcast_id: int
    report: DeliveryReport
    tally: dict[str, int] = field(default_factory=dict)  # every delivery's status, after
    skipped: list[int] = field(default_factory=list)  # erased, blocked or turned off before


def _skip_reason(person: Respondent) -> str | None:
    if person.erased or person.telegram_user_id is None:
        return "erased"
    if person.opted_out:
        return "blocked the bot"
    if person.broadcasts_off:
        return "turned broadcasts off"
    return None


def _load(
    *, session: Session, broadcast_id: int, now: datetime
) -> tuple[list[tuple[BroadcastDelivery, Digest, Respondent]], list[int]]:
    """The pending rows to send, after skipping those who can no longer be messaged."""
    broadcast = session.get(Broadcast, broadcast_id)
    assert broadcast is not None
    digest = session.get(Digest, broadcast.digest_id)
    assert digest is not None
    rows: list[tuple[BroadcastDelivery, Digest, Respondent]] = []
    skipped: list[int] = []
    for delivery, person in digest_store.open_broadcast_deliveries(
        session=session, broadcast_id=broadcast_id
    ):
        reason = _skip_reason(person)
        if reason is None:
            rows.append((delivery, digest, person))
            continue
        digest_store.skip_delivery(
            session=session, delivery_id=stored_id(delivery), reason=reason, now=now
        )
        skipped.append(stored_id(person))
    return rows, skipped


async def send_broadcast(
    *,
    engine: Engine,
    bot: Bot,
    clock: Clock,
    broadcast_id: int,
    messages: MessageCatalog,
    keyboard: Keyboard,
    by: str,
    policy: DeliveryPolicy | None = None,
    sleep: Sleep = asyncio.sleep,
    before_part: Callable[[int, int], Awaitable[None]] | None = None,
) -> BroadcastRun:
    """Send every pending delivery of the broadcast, then audit the run as `by`. Running it
    again (after a crash, or while another run is going) sends nobody twice."""
    deliverer = _BroadcastDeliverer(
        messages=messages,
        keyboard=keyboard,
        engine=engine,
        bot=bot,
        clock=clock,
        sleep=sleep,
        policy=policy or DeliveryPolicy(),
        before_part=before_part,
    )
    rows, skipped = await deliverer.db(_load, broadcast_id=broadcast_id, now=clock())
    report = DeliveryReport()
    await deliver_rows(deliverer, rows, report)
    _, tally = await deliverer.db(
        digest_store.record_broadcast_run, broadcast_id=broadcast_id, by=by, now=clock()
    )
    return BroadcastRun(broadcast_id, report, tally, skipped)


@dataclass(frozen=True)
class Preview:
    """What a broadcast of the campaign's latest digest would do (the dry run, /kabari)."""

    digest: Digest | None
    planned: list[Recipient]
    counts: dict
    existing: Broadcast | None = None  # this digest's broadcast, if one was started
    tally: dict[str, int] = field(default_factory=dict)  # its deliveries by status
    stale: bool = False  # the digest is old or answers came in after it (see is_stale)


STALE_AFTER = timedelta(days=8)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def is_stale(made: datetime, latest_answer: datetime | None, now: datetime) -> bool:
    """A digest older than STALE_AFTER, or older than the campaign's latest answers: a
    broadcast of it tells respondents old news (the dry run and /kabari warn). Pure."""
    if _utc(now) - _utc(made) > STALE_AFTER:
        return True
    return latest_answer is not None and _utc(latest_answer) > _utc(made)


def preview_broadcast(
    *, session: Session, campaign_id: int, now: datetime | None = None
) -> Preview:
    """What a broadcast of the latest digest would do; with `now`, whether it is stale."""
    digest = digest_store.latest_digest(session=session, campaign_id=campaign_id)
    if digest is None:
        return Preview(None, [], plan_counts([]))
    stale = now is not None and is_stale(
        digest.created_at,
        digest_store.latest_answer_at(session=session, campaign_id=campaign_id),
        now,
    )
    planned = recipients(
        digest_store.answered_domains(session=session, campaign_id=campaign_id), digest.summary
    )
    existing = digest_store.broadcast_for_digest(session=session, digest_id=stored_id(digest))
    tally = (
        digest_store.broadcast_tally(session=session, broadcast_id=stored_id(existing))
        if existing is not None
        else {}
    )
    return Preview(digest, planned, plan_counts(planned), existing, tally, stale)
