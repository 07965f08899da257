"""Turning a Reply into Bot API calls; a user who blocked the bot is marked opted out."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from telegram import Bot, CallbackQuery
from telegram.error import BadRequest, Forbidden

from bot.conversation import Reply
from bot.http import results_unread

logger = logging.getLogger(__name__)


class Outbox:
    """Sends replies in order; on 403 calls `on_blocked(user_id)` and stops."""

    def __init__(self, *, on_blocked: Callable[[int], Awaitable[None]]) -> None:
        self._on_blocked = on_blocked

    async def deliver(
        self, bot: Bot, chat_id: int, reply: Reply, query: CallbackQuery | None = None
    ) -> None:
        try:
            with results_unread():  # the sent messages are not read back (bot.http)
                await self._deliver(bot, chat_id, reply, query)
        except Forbidden:
            logger.info("chat %s blocked the bot; marking it opted out", chat_id)
            await self._on_blocked(chat_id)

    async def _deliver(
        self, bot: Bot, chat_id: int, reply: Reply, query: CallbackQuery | None
    ) -> None:
        if query is not None:
            # The spinner on the button stops and the pressed message loses its keyboard
            # while the next question is sent: three independent calls, done together.
            await asyncio.gather(
                self._answer_query(query, reply),
                self._update_pressed(query, reply),
                self._send_all(bot, chat_id, reply),
            )
        else:
            await self._send_all(bot, chat_id, reply)

    async def _send_all(self, bot: Bot, chat_id: int, reply: Reply) -> None:
        for message in reply.messages:
            if message.photo is not None:
                await bot.send_photo(
                    chat_id,
                    photo=message.photo,
                    caption=message.text,
                    reply_markup=message.keyboard,
                )
            else:
                await bot.send_message(chat_id, message.text, reply_markup=message.keyboard)

    async def _answer_query(self, query: CallbackQuery, reply: Reply) -> None:
        try:
            await query.answer(reply.note)
        except BadRequest as error:  # too old to answer (Telegram allows about 15 minutes)
            logger.debug("could not answer callback query: %s", error)

    async def _update_pressed(self, query: CallbackQuery, reply: Reply) -> None:
        if query.message is None:
            return
        try:
            if reply.pressed is not None:
                await query.edit_message_text(reply.pressed, reply_markup=None)
            else:
                await query.edit_message_reply_markup(reply_markup=None)
        except BadRequest as error:  # "message is not modified", or the message is too old
            logger.debug("could not update the pressed message: %s", error)
