"""Who may do what. Roles (citizen, staff, planner) come from invitations and are stored on
the respondent; admins are the Telegram ids of REMBUK_ADMIN_IDS, never a stored role.

`require_admin` wraps a handler callback so that it only runs for admins (the invitation
commands); everyone else gets a polite refusal. The wrapped callback receives the caller as a
third argument::

    @require_admin
    async def on_invite_staff(update, context, member: Member) -> None: ...

The planner commands check their own rule in bot/planner.py: a planner of a campaign sees
that campaign's digests, and everyone else, admins included, is refused.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import ContextTypes

from bot.members import Member
from bot.runtime import runtime

MemberCallback = Callable[[Update, ContextTypes.DEFAULT_TYPE, Member], Awaitable[None]]
Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


def require_admin(callback: MemberCallback) -> Callback:
    """Run the callback only for the admins of REMBUK_ADMIN_IDS."""

    @functools.wraps(callback)
    async def guarded(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        bot = runtime(context)
        assert update.effective_user is not None
        member = await bot.member(update.effective_user.id)
        if not member.is_admin:
            await bot.refuse(update, member)
            return
        await callback(update, context, member)

    return guarded
