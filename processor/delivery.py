"""Deliver a digest to the campaign's planners, exactly once per (digest, planner).

Each planner's delivery is a sequence of parts: the message parts (HTML), then the XLSX and
the DOCX as documents. `parts_sent` is committed after every part, so a crash resumes at
the next part: nothing already confirmed is sent again and nothing is dropped. (The one
window no client can close: a request Telegram executed but whose answer never arrived, e.g.
a read timeout; that single part may then arrive twice.)

Errors: RetryAfter waits as long as Telegram asks; network errors, timeouts and 5xx are
retried with exponential backoff; a planner who blocked the bot (403) is marked opted out
and skipped; any other failure is recorded on that planner's row and the others go on.
Database work runs in worker threads, never on the event loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session
from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.request import HTTPXRequest

from processor import digest_store
from shared.db import session_scope
from shared.models import DeliveryStatus, Digest, DigestDelivery, Respondent, stored_id

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class DeliveryPolicy:
    attempts_per_part: int = 6  # network errors / 5xx / timeouts before giving up for now
    backoff_base: float = 1.0  # seconds; doubles each retry
    backoff_max: float = 60.0
    max_retry_after: float = 3600.0  # never wait longer than this on one RetryAfter
    lease: timedelta = timedelta(minutes=10)  # a silent holder's claim expires after this
    max_claims: int = 20  # after this many claims a delivery is marked failed


@dataclass(frozen=True)
class Part:
    kind: str  # "message" or "document"
    text: str = ""
    path: str = ""
    filename: str = ""
    markup: InlineKeyboardMarkup | None = (
        None  # reply_markup of a message (the broadcasts' opt-out button)
    )


@dataclass
class DeliveryReport:
    sent: list[int] = field(default_factory=list)  # respondent ids fully delivered now
    blocked: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)  # given up (permanent error)
    retry_later: list[int] = field(default_factory=list)  # still pending
    skipped: list[int] = field(default_factory=list)  # held by another processor


_T = TypeVar("_T")


class LostLease(Exception):
    """Another processor took this delivery over; stop without sending more."""


class RetriesExhausted(Exception):
    """Transient errors went on too long; the delivery stays pending for a later run."""


def parts_for(digest: Digest, language: str) -> list[Part]:
    """The ordered parts a planner receives for this digest, in their language (pure)."""
    stored = [p for p in digest.message_parts or [] if isinstance(p, dict)]
    texts = [p["text"] for p in stored if p.get("language") == language] or [
        p["text"] for p in stored if p.get("language") == "id"
    ]
    parts = [Part("message", text=text) for text in texts]
    for path in (digest.xlsx_path, digest.docx_path):
        if path:
            parts.append(Part("document", path=path, filename=Path(path).name))
    return parts


def make_bot(*, token: str, base_url: str, base_file_url: str, read_timeout: float = 30.0) -> Bot:
    """A Bot on the configured Bot API (the real one or a self-hosted/fake server)."""
    request = HTTPXRequest(
        connection_pool_size=4, read_timeout=read_timeout, write_timeout=60.0, connect_timeout=10.0
    )
    return Bot(token, base_url=base_url, base_file_url=base_file_url, request=request)


def _retry_after_seconds(error: RetryAfter) -> float:
    value = error.retry_after  # timedelta with PTB_TIMEDELTA set (cli.main), else seconds
    return float(value.total_seconds() if isinstance(value, timedelta) else value)


class _Deliverer:
    """Sends the parts of pending delivery rows. Subclassed for broadcasts
    (processor.broadcast_send): `table` names the delivery table, `parts` what one person
    receives."""

    table: digest_store.DeliveryTable = DigestDelivery

    def parts(self, delivery: DigestDelivery, digest: Digest, person: Respondent) -> list[Part]:
        return parts_for(digest, person.language)

    def __init__(
        self,
        *,
        engine: Engine,
        bot: Bot,
        clock: Clock,
        sleep: Sleep,
        policy: DeliveryPolicy,
        before_part: Callable[[int, int], Awaitable[None]] | None,
    ) -> None:
        self.engine, self.bot, self.clock, self.sleep = engine, bot, clock, sleep
        self.policy = policy
        self.before_part = before_part

    async def db(self, function: Callable[..., _T], /, **kwargs: Any) -> _T:
        def run() -> _T:
            with session_scope(self.engine) as session:
                return function(session=session, **kwargs)

        return await asyncio.to_thread(run)

    async def wait(self, seconds: float, delivery: DigestDelivery, attempts: int) -> None:
        """Sleep while keeping the lease alive (a heartbeat at least every lease/3)."""
        step = max(1.0, self.policy.lease.total_seconds() / 3)
        remaining = seconds
        while remaining > 0:
            chunk = min(step, remaining)
            await self.sleep(chunk)
            remaining -= chunk
            held = await self.db(
                digest_store.heartbeat,
                delivery_id=delivery.id,
                attempts=attempts,
                now=self.clock(),
                table=self.table,
            )
            if not held:
                raise LostLease

    async def send(self, chat_id: int, part: Part) -> None:
        if part.kind == "message":
            await self.bot.send_message(
                chat_id,
                part.text,
                parse_mode=ParseMode.HTML,
                disable_web_page_preview=True,
                reply_markup=part.markup,
            )
            return
        content = await asyncio.to_thread(Path(part.path).read_bytes)
        await self.bot.send_document(chat_id, document=content, filename=part.filename)

    async def send_with_retries(
        self, chat_id: int, part: Part, delivery: DigestDelivery, attempts: int
    ) -> None:
        failures = 0
        while True:
            try:
                await self.send(chat_id, part)
                return
            except RetryAfter as error:
                seconds = min(_retry_after_seconds(error), self.policy.max_retry_after)
                logger.info("Flood control for chat %s: waiting %.0f s", chat_id, seconds)
                await self.wait(seconds, delivery, attempts)
            except (Forbidden, BadRequest):
                raise
            except NetworkError as error:  # includes TimedOut and 5xx
                failures += 1
                await self.db(
                    digest_store.note_error,
                    table=self.table,
                    delivery_id=delivery.id,
                    attempts=attempts,
                    error=f"{type(error).__name__}: {error}",
                    now=self.clock(),
                )
                if failures >= self.policy.attempts_per_part:
                    raise RetriesExhausted(str(error)) from error
                delay = min(self.policy.backoff_max, self.policy.backoff_base * 2 ** (failures - 1))
                logger.info("Network error to chat %s (%s); retry in %.1f s", chat_id, error, delay)
                await self.wait(delay, delivery, attempts)

    async def deliver_one(
        self, delivery: DigestDelivery, digest: Digest, planner: Respondent, report: DeliveryReport
    ) -> None:
        person_id = stored_id(planner)
        if not await self._claim(delivery, person_id, report):
            return
        attempts = delivery.attempts + 1
        parts = self.parts(delivery, digest, planner)
        try:
            await self._send_parts(delivery, parts, planner, attempts)
            report.sent.append(person_id)
        except Forbidden as error:
            logger.warning("Planner %s blocked the bot; marking opted out", planner.pseudonym)
            await self._block(delivery, person_id, attempts, str(error))
            report.blocked.append(person_id)
        except LostLease:
            logger.warning("Delivery %s was taken over by another processor", delivery.id)
            report.skipped.append(person_id)
        except RetriesExhausted:
            report.retry_later.append(person_id)
        except (TelegramError, OSError) as error:  # BadRequest, missing file, ...
            logger.error("Delivery %s to %s failed: %s", delivery.id, planner.pseudonym, error)
            await self.db(
                digest_store.finish_delivery,
                table=self.table,
                delivery_id=delivery.id,
                attempts=attempts,
                status=DeliveryStatus.failed,
                now=self.clock(),
                error=f"{type(error).__name__}: {error}",
            )
            report.failed.append(person_id)

    async def _claim(
        self, delivery: DigestDelivery, person_id: int, report: DeliveryReport
    ) -> bool:
        """Take the delivery's lease; False (noted in the report) when it was given up on
        after too many claims or another processor holds it."""
        now = self.clock()
        if delivery.attempts >= self.policy.max_claims:
            await self.db(
                digest_store.finish_delivery,
                table=self.table,
                delivery_id=delivery.id,
                attempts=delivery.attempts,
                status=DeliveryStatus.failed,
                now=now,
                error=f"gave up after {delivery.attempts} attempts; last: {delivery.last_error}",
            )
            report.failed.append(person_id)
            return False
        claimed = await self.db(
            digest_store.claim_delivery,
            table=self.table,
            delivery_id=delivery.id,
            seen_attempts=delivery.attempts,
            now=now,
            stale_before=now - self.policy.lease,
        )
        if not claimed:
            report.skipped.append(person_id)
            return False
        return True

    async def _send_parts(
        self, delivery: DigestDelivery, parts: list[Part], planner: Respondent, attempts: int
    ) -> None:
        """The parts not sent yet, each recorded once sent; then the delivery is finished."""
        chat_id = planner.telegram_user_id
        if planner.opted_out or chat_id is None:
            raise Forbidden("planner opted out or erased")
        for index in range(delivery.parts_sent, len(parts)):
            if self.before_part is not None:
                await self.before_part(stored_id(planner), index)
            await self.send_with_retries(chat_id, parts[index], delivery, attempts)
            held = await self.db(
                digest_store.record_part,
                table=self.table,
                delivery_id=delivery.id,
                attempts=attempts,
                parts_sent=index + 1,
                now=self.clock(),
            )
            if not held:
                raise LostLease
        await self.db(
            digest_store.finish_delivery,
            table=self.table,
            delivery_id=delivery.id,
            attempts=attempts,
            status=DeliveryStatus.sent,
            now=self.clock(),
        )

    async def _block(
        self, delivery: DigestDelivery, person_id: int, attempts: int, reason: str
    ) -> None:
        """The person blocked the bot (or opted out): mark them opted out, end the delivery."""

        def block(*, session: Session) -> None:
            digest_store.mark_opted_out(session=session, respondent_id=person_id)
            digest_store.finish_delivery(
                session=session,
                delivery_id=stored_id(delivery),
                attempts=attempts,
                status=DeliveryStatus.blocked,
                now=self.clock(),
                error=reason,
                table=self.table,
            )

        await self.db(block)


def _load_open(
    *, session: Session, digest_ids: Sequence[int] | None
) -> list[tuple[DigestDelivery, Digest, Respondent]]:
    rows = []
    for delivery in digest_store.open_deliveries(session=session):
        if digest_ids is not None and delivery.digest_id not in digest_ids:
            continue
        digest = session.get(Digest, delivery.digest_id)
        planner = session.get(Respondent, delivery.respondent_id)
        if digest is not None and planner is not None:
            rows.append((delivery, digest, planner))
    return rows


async def deliver_pending(
    *,
    engine: Engine,
    bot: Bot,
    clock: Clock,
    digest_ids: Sequence[int] | None = None,
    policy: DeliveryPolicy | None = None,
    sleep: Sleep = asyncio.sleep,
    before_part: Callable[[int, int], Awaitable[None]] | None = None,
) -> DeliveryReport:
    """Send every pending delivery (of the given digests, or all), planner after planner.
    A failure of one planner is recorded on their row and never stops the others.
    `before_part(respondent_id, index)` is a test hook called before each send."""
    deliverer = _Deliverer(
        engine=engine,
        bot=bot,
        clock=clock,
        sleep=sleep,
        policy=policy or DeliveryPolicy(),
        before_part=before_part,
    )

    def load(*, session: Session) -> list[tuple[DigestDelivery, Digest, Respondent]]:
        return _load_open(session=session, digest_ids=digest_ids)

    report = DeliveryReport()
    await deliver_rows(deliverer, await deliverer.db(load), report)
    return report


async def deliver_rows(
    deliverer: _Deliverer,
    rows: Sequence[tuple[object, Digest, Respondent]],
    report: DeliveryReport,
) -> None:
    """Deliver (delivery row, digest, person) after another; one person's failure is
    recorded on their row and never stops the others."""
    for delivery, digest, person in rows:
        try:
            await deliverer.deliver_one(delivery, digest, person, report)  # type: ignore[arg-type]
        except asyncio.CancelledError:
            raise
        except Exception:  # a bug or a database hiccup for this person: go on with the next
            logger.exception("Unexpected error delivering digest %s", digest.id)
            report.retry_later.append(stored_id(person))
