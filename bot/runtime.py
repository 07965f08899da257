"""What the handlers share, kept in `application.bot_data` (built once in build_application)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from telegram import Update
from telegram.ext import ContextTypes

from bot.conversation import Conversation, Reply, Show
from bot.dbwork import DatabaseWorker
from bot.members import Member, load_member
from bot.outbox import Outbox
from bot.reminders import Housekeeping
from bot.throttle import FloodThrottle
from shared.settings import Settings

RUNTIME_KEY = "rembuk"


@dataclass
class Runtime:
    settings: Settings
    conversation: Conversation
    db: DatabaseWorker
    throttle: FloodThrottle
    outbox: Outbox = field(init=False)
    housekeeping: Housekeeping = field(init=False)
    # Group and channel chats already told that the bot only works in private chats.
    told_private_only: set[int] = field(default_factory=set)
    background: list[asyncio.Task] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Answers waiting for the database worker commit together (SQLite; bot.dbwork).
        self.db.enable_groups(self.conversation.engine)

    async def member(self, user_id: int) -> Member:
        return await self.db.run(self._load_member, user_id=user_id)

    def _load_member(self, user_id: int) -> Member:
        with self.conversation.transaction() as session:
            return load_member(
                session=session,
                user_id=user_id,
                admin_ids=self.settings.admin_ids,
                default_language=self.settings.language,
            )

    async def refuse(self, update: Update, member: Member) -> None:
        """Politely say no to someone without the right role."""
        text = self.conversation.texts("not_allowed", member.language)
        if update.effective_chat is not None:
            await self.outbox.deliver(
                update.get_bot(),
                update.effective_chat.id,
                Reply(messages=(Show(text),), language=member.language),
                update.callback_query,
            )

    async def blocked(self, chat_id: int) -> None:
        """403 from Telegram: the user blocked the bot; never message them again."""
        await self.db.run(self.conversation.opted_out, user_id=chat_id)


def runtime(context: ContextTypes.DEFAULT_TYPE) -> Runtime:
    return context.bot_data[RUNTIME_KEY]
