"""Who may do what: roles come from invitations, admins from REMBUK_ADMIN_IDS.

`require_role(...)` wraps a handler callback so that it only runs for members with one of
the roles (admins always pass); everyone else gets a polite refusal. The wrapped callback
receives the caller as a third argument::

    @require_role(Role.planner)
    async def on_summary(update, context, member: Member) -> None: ...

Planner commands also check `member.campaign_id` against the campaign they show.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import ContextTypes

from bot.members import Member
from bot.runtime import runtime
from shared.models import Role

MemberCallback = Callable[[Update, ContextTypes.DEFAULT_TYPE, Member], Awaitable[None]]
Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]


def require_role(*roles: Role) -> Callable[[MemberCallback], Callback]:
    """Run the callback only for admins and members with one of `roles`."""

    def decorate(callback: MemberCallback) -> Callback:
        @functools.wraps(callback)
        async def guarded(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            bot = runtime(context)
            member = await bot.member(update.effective_user.id)
            if not member.has_role(*roles):
                await bot.refuse(update, member)
                return
            await callback(update, context, member)

        return guarded

    return decorate


def require_admin(callback: MemberCallback) -> Callback:
    """Run the callback only for the admins of REMBUK_ADMIN_IDS."""
    return require_role()(callback)
