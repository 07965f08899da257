"""One polite reminder for a run left idle, and expiry of runs idle for too long."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select
from telegram import Bot
from telegram.error import Forbidden

from bot import keyboards, store
from bot.conversation import Conversation, Show
from bot.dbwork import DatabaseWorker
from bot.engine import current_prompt
from bot.respondents import forget_processed_updates
from shared.models import Respondent, RunStatus, SurveyRun, stored_id

logger = logging.getLogger(__name__)

_BATCH = 200
# Telegram keeps an unconfirmed update for 24 hours; remember handled ids a bit longer.
PROCESSED_UPDATES_KEPT = timedelta(days=2)


@dataclass(frozen=True)
class Due:
    chat_id: int
    message: Show


def expire_idle_runs(*, session: Session, now: datetime, expire_after: timedelta) -> int:
    """Mark runs with no activity for `expire_after` as expired; returns how many."""
    idle = session.exec(
        select(SurveyRun)
        .where(
            SurveyRun.status == RunStatus.in_progress,
            SurveyRun.updated_at <= now - expire_after,
        )
        .limit(_BATCH)
        .with_for_update(skip_locked=True)
    ).all()
    for run in idle:
        run.status = RunStatus.expired
        run.ended_at = now
        session.add(run)
    session.flush()
    return len(idle)


def claim_due_reminders(
    *, session: Session, now: datetime, remind_after: timedelta, expire_after: timedelta
) -> list[tuple[SurveyRun, Respondent]]:
    """Runs idle for `remind_after` that were never reminded, never cancelled, and whose
    respondent can still be messaged. They are marked reminded in the same transaction, so
    a reminder goes out at most once even with several bot workers (rows are skip-locked)."""
    rows = session.exec(
        select(SurveyRun, Respondent)
        .join(Respondent, col(Respondent.id) == SurveyRun.respondent_id)
        .where(
            SurveyRun.status == RunStatus.in_progress,
            col(SurveyRun.reminded_at).is_(None),
            col(SurveyRun.cancelled_at).is_(None),
            col(SurveyRun.updated_at) <= now - remind_after,
            col(SurveyRun.updated_at) > now - expire_after,
            col(Respondent.telegram_user_id).is_not(None),
            col(Respondent.opted_out).is_(False),
            col(Respondent.erased).is_(False),
        )
        .limit(_BATCH)
        .with_for_update(skip_locked=True, of=SurveyRun)
    ).all()
    for run, _ in rows:
        run.reminded_at = now
        session.add(run)
    session.flush()
    return list(rows)


class Housekeeping:
    """Reminds and expires runs; `sweep()` once, or `loop()` forever on an interval."""

    def __init__(
        self,
        *,
        conversation: Conversation,
        db: DatabaseWorker,
        remind_after: timedelta,
        expire_after: timedelta,
        on_blocked: Callable[[int], Awaitable[None]],
    ) -> None:
        self.conversation = conversation
        self.db = db
        self.remind_after = remind_after
        self.expire_after = expire_after
        self._on_blocked = on_blocked

    def _collect(self) -> list[Due]:
        now = self.conversation.clock()
        due: list[Due] = []
        with self.conversation.transaction() as session:
            expire_idle_runs(session=session, now=now, expire_after=self.expire_after)
            forget_processed_updates(session=session, before=now - PROCESSED_UPDATES_KEPT)
            claimed = claim_due_reminders(
                session=session,
                now=now,
                remind_after=self.remind_after,
                expire_after=self.expire_after,
            )
            texts = self.conversation.texts
            for run, respondent in claimed:
                if respondent.telegram_user_id is None:  # excluded by the query
                    continue
                language = respondent.language
                ctx = self.conversation.run_context(session, run, language)
                prompt = current_prompt(ctx, store.load_progress(session=session, run=run))
                keyboard = keyboards.resume_keyboard(
                    run_id=stored_id(run),
                    messages=texts.messages,
                    language=language,
                )
                # Only "continue" makes sense under a reminder.
                keyboard = type(keyboard)([keyboard.inline_keyboard[0][:1]])
                text = texts("reminder", language, progress=prompt.progress or "-")
                due.append(Due(respondent.telegram_user_id, Show(text, keyboard)))
        return due

    async def sweep(self, bot: Bot) -> int:
        """Expire idle runs and send the reminders that are due; returns reminders sent."""
        due = await self.db.run(self._collect)
        sent = 0
        for item in due:
            try:
                await bot.send_message(
                    item.chat_id, item.message.text, reply_markup=item.message.keyboard
                )
                sent += 1
            except Forbidden:
                await self._on_blocked(item.chat_id)
        return sent

    async def loop(self, bot: Bot, interval: float) -> None:
        while True:
            try:
                await self.sweep(bot)
            except asyncio.CancelledError:
                raise
            except Exception:  # keep reminding after a passing database or network error
                logger.exception("housekeeping sweep failed")
            await asyncio.sleep(interval)
