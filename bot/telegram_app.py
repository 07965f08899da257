"""The Telegram adapter: a python-telegram-bot Application around the survey conversation.

Handlers are thin: they turn an update into one call of bot.conversation (run on the
database thread) and deliver the Reply. Update flow:

  group -3  gate: private chats only, per-user flood throttle
  group -2  dedupe: an update id Telegram delivers twice is handled once (bot.claims)
  group  0  commands, typed answers, buttons, everything else (one polite note)
  group  1  settle: claim the update of a handler that made no transaction
"""

from __future__ import annotations

import asyncio
import functools
import gc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlparse

from sqlalchemy.engine import Engine
from telegram import (
    BotCommand,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import Forbidden, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import callback_data, claims
from bot.access import require_admin
from bot.callback_data import Kind
from bot.conversation import Button, Conversation, Reply, Show
from bot.dbwork import DatabaseWorker
from bot.engine import ChoiceInput, Command, TextInput
from bot.http import AiohttpRequest
from bot.members import Member
from bot.outbox import Outbox
from bot.reminders import Housekeeping
from bot.runtime import RUNTIME_KEY, Runtime, runtime
from bot.throttle import FloodThrottle, Verdict
from bot.updates import PerUserUpdateProcessor
from shared.models import Role
from shared.settings import Settings
from shared.survey_data import SurveyData

logger = logging.getLogger(__name__)

PostInitHook = Callable[[Application], Awaitable[None]]
_PostInit = Callable[[Application], Coroutine[Any, Any, None]]

# Commands in both languages: (Indonesian, English, description key). /start and /status
# are the same in both.
USER_COMMANDS = (
    ("start", "start", "cmd_start"),
    ("bantuan", "help", "cmd_help"),
    ("ubah", "edit", "cmd_edit"),
    ("status", "status", "cmd_status"),
    ("batal", "cancel", "cmd_cancel"),
    ("bahasa", "language", "cmd_language"),
    ("privasi", "privacy", "cmd_privacy"),
    ("hapus_data", "delete_my_data", "cmd_delete"),
)
ADMIN_COMMANDS = (
    ("undang_staf", "invite_staff", "cmd_invite_staff"),
    ("undang_perencana", "invite_planner", "cmd_invite_planner"),
)
_ONLY_NEW_MESSAGES = filters.UpdateType.MESSAGE
# Connections to the Bot API. Telegram allows ~30 messages/s; over a 100–300 ms round trip
# each connection carries a few calls per second, and a button answer makes three calls.
CONNECTION_POOL_SIZE = 32


def configure_transport(builder: ApplicationBuilder) -> ApplicationBuilder:
    """The HTTP transport for the Bot API (the benchmark's echo bot uses the same): aiohttp
    instead of python-telegram-bot's default httpx, see bot.http."""
    return builder.request(
        AiohttpRequest(connection_pool_size=CONNECTION_POOL_SIZE)
    ).get_updates_request(AiohttpRequest(connection_pool_size=1))


def _user_id(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


async def _reply(update: Update, context: ContextTypes.DEFAULT_TYPE, reply: Reply) -> None:
    assert update.effective_chat is not None
    await runtime(context).outbox.deliver(
        context.bot, update.effective_chat.id, reply, update.callback_query
    )


# Gate and dedupe --------------------------------------------------------------------------


async def gate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Serve private chats only, and throttle a user who floods the bot."""
    bot = runtime(context)
    chat = update.effective_chat
    if chat is None:
        raise ApplicationHandlerStop  # poll states, inline queries …: nothing to answer
    if chat.type != ChatType.PRIVATE:
        if chat.id not in bot.told_private_only and update.effective_message is not None:
            bot.told_private_only.add(chat.id)
            text = bot.conversation.texts("private_only", bot.settings.language)
            try:
                await context.bot.send_message(chat.id, text)
            except TelegramError as error:  # e.g. a channel where the bot may not post
                logger.info("could not tell chat %s it is private-only: %s", chat.id, error)
        raise ApplicationHandlerStop
    if update.effective_user is None:
        raise ApplicationHandlerStop
    verdict = bot.throttle.check(update.effective_user.id)
    if verdict is Verdict.allow:
        return
    if verdict is Verdict.drop_and_note:
        language = await bot.db.run(bot.conversation.language_of, user_id=_user_id(update))
        note = bot.conversation.texts("throttled", language)
        await _reply(update, context, Reply(messages=(Show(note),), language=language))
    raise ApplicationHandlerStop


async def dedupe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Handle an update id once, even if Telegram delivers it twice or to two workers: the
    handler's first transaction claims it (bot.claims), so nothing is written here."""
    claims.expect(update.update_id)


def _claiming_first(handler: BaseHandler) -> BaseHandler:
    """Extra handlers (planner commands …) do not know about claims: their update is claimed
    in a transaction of its own before they run, so a duplicate never reaches them."""
    callback = getattr(handler, "callback", None)
    if callback is None:
        return handler  # settle() claims it afterwards

    @functools.wraps(callback)
    async def claimed(update: object, context: ContextTypes.DEFAULT_TYPE) -> Any:
        if claims.pending() is not None:
            bot = runtime(context)
            await bot.db.run(bot.conversation.claim)
        return await callback(update, context)

    handler.callback = claimed
    return handler


async def settle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Claim the update now if its handler made no transaction (nothing else claimed it)."""
    if claims.pending() is not None:
        bot = runtime(context)
        await bot.db.run(bot.conversation.claim)


# Commands ---------------------------------------------------------------------------------


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Welcome, consent, and the survey; a deep-link payload names a campaign or an invite."""
    bot = runtime(context)
    payload = context.args[0] if context.args else None
    reply = await bot.db.run(bot.conversation.start, user_id=_user_id(update), payload=payload)
    await _reply(update, context, reply)


async def on_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """How it works and the commands."""
    bot = runtime(context)
    await _reply(
        update,
        context,
        await bot.db.run(bot.conversation.text, user_id=_user_id(update), key="help"),
    )


async def on_cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop for now; every answer stays saved."""
    bot = runtime(context)
    await _reply(
        update, context, await bot.db.run(bot.conversation.cancel, user_id=_user_id(update))
    )


async def on_edit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show the review with an edit button per answer."""
    bot = runtime(context)
    reply = await bot.db.run(
        bot.conversation.answer, user_id=_user_id(update), user_input=Command.review
    )
    await _reply(update, context, reply)


async def on_status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """How far the respondent is."""
    bot = runtime(context)
    await _reply(
        update, context, await bot.db.run(bot.conversation.status, user_id=_user_id(update))
    )


async def on_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Offer Indonesian and English."""
    bot = runtime(context)
    reply = await bot.db.run(bot.conversation.language_menu, user_id=_user_id(update))
    await _reply(update, context, reply)


async def on_privacy(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The privacy notice."""
    bot = runtime(context)
    await _reply(
        update, context, await bot.db.run(bot.conversation.privacy, user_id=_user_id(update))
    )


async def on_delete_my_data(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask to confirm the erasure of everything about the respondent."""
    bot = runtime(context)
    reply = await bot.db.run(bot.conversation.erase_request, user_id=_user_id(update))
    await _reply(update, context, reply)


async def _invite(
    update: Update, context: ContextTypes.DEFAULT_TYPE, member: Member, role: Role
) -> None:
    bot = runtime(context)
    reply = await bot.db.run(
        bot.conversation.invite,
        user_id=member.user_id,
        role=role,
        campaign_code=context.args[0] if context.args else None,
        bot_username=context.bot.username,
    )
    await _reply(update, context, reply)


@require_admin
async def on_invite_staff(
    update: Update, context: ContextTypes.DEFAULT_TYPE, member: Member
) -> None:
    """An admin makes a single-use staff invitation (link and QR code)."""
    await _invite(update, context, member, Role.staff)


@require_admin
async def on_invite_planner(
    update: Update, context: ContextTypes.DEFAULT_TYPE, member: Member
) -> None:
    """An admin makes a single-use planner invitation (link and QR code)."""
    await _invite(update, context, member, Role.planner)


async def on_unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A command this bot does not have."""
    bot = runtime(context)
    reply = await bot.db.run(bot.conversation.text, user_id=_user_id(update), key="unknown_command")
    await _reply(update, context, reply)


# Answers and buttons ----------------------------------------------------------------------


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A typed answer to the current question."""
    bot = runtime(context)
    assert update.message is not None and update.message.text is not None
    reply = await bot.db.run(
        bot.conversation.answer,
        user_id=_user_id(update),
        user_input=TextInput(update.message.text),
    )
    await _reply(update, context, reply)


_BUTTON_COMMANDS = {c.value: c for c in (Command.back, Command.skip, Command.submit)}


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An inline button: a choice, navigation, edit, consent, resume, language or erasure."""
    bot = runtime(context)
    conversation = bot.conversation
    query = update.callback_query
    assert query is not None
    user_id = _user_id(update)
    try:
        data = callback_data.parse(query.data)
        reply = await _dispatch_button(bot, conversation, user_id, data)
    except callback_data.Outdated:
        language = await bot.db.run(conversation.language_of, user_id=user_id)
        reply = Reply(note=conversation.texts.plain("button_outdated", language), language=language)
    except callback_data.ParseError as error:
        logger.warning("callback data not understood (%s): %r", error, query.data)
        language = await bot.db.run(conversation.language_of, user_id=user_id)
        reply = Reply(note=conversation.texts.plain("button_unknown", language), language=language)
    await _reply(update, context, reply)


async def _dispatch_button(
    bot: Runtime, conversation: Conversation, user_id: int, data: callback_data.Callback
) -> Reply:
    kind = data.kind
    if kind in (Kind.answer, Kind.command, Kind.edit):
        return await _run_button(bot, conversation, user_id, data)
    if kind is Kind.consent:
        return await _consent_button(bot, conversation, user_id, data)
    if kind is Kind.resume:
        return await _resume_button(bot, conversation, user_id, data)
    if kind is Kind.language:
        return await _language_button(bot, conversation, user_id, data)
    return await _erase_button(bot, conversation, user_id, data)


async def _run_button(
    bot: Runtime, conversation: Conversation, user_id: int, data: callback_data.Callback
) -> Reply:
    """A button of a survey run: an answer, a command (back, skip...) or an edit."""
    run_id, at, value = data.fields
    if not run_id.isdigit():
        raise callback_data.ParseError("run id")
    button = Button(int(run_id), at)
    if data.kind is Kind.answer:
        return await bot.db.run(
            conversation.answer, user_id=user_id, user_input=ChoiceInput(value), button=button
        )
    if data.kind is Kind.command:
        if value not in _BUTTON_COMMANDS:
            raise callback_data.ParseError("command")
        return await bot.db.run(
            conversation.answer,
            user_id=user_id,
            user_input=_BUTTON_COMMANDS[value],
            button=button,
        )
    return await bot.db.run(
        conversation.answer,
        user_id=user_id,
        user_input=Command.review,
        button=button,
        edit_hash=value,
    )


async def _consent_button(
    bot: Runtime, conversation: Conversation, user_id: int, data: callback_data.Callback
) -> Reply:
    agree, language, carry = data.fields
    if agree not in ("y", "n"):
        raise callback_data.ParseError("consent")
    return await bot.db.run(
        conversation.consent,
        user_id=user_id,
        agree=agree == "y",
        language=language,
        carry=carry,
    )


async def _resume_button(
    bot: Runtime, conversation: Conversation, user_id: int, data: callback_data.Callback
) -> Reply:
    run_id, action = data.fields
    if not run_id.isdigit() or action not in ("continue", "restart", "new"):
        raise callback_data.ParseError("resume")
    return await bot.db.run(conversation.resume, user_id=user_id, run_id=int(run_id), action=action)


async def _language_button(
    bot: Runtime, conversation: Conversation, user_id: int, data: callback_data.Callback
) -> Reply:
    (language,) = data.fields
    if language not in ("id", "en"):
        raise callback_data.ParseError("language")
    return await bot.db.run(conversation.set_language, user_id=user_id, language=language)


async def _erase_button(
    bot: Runtime, conversation: Conversation, user_id: int, data: callback_data.Callback
) -> Reply:
    (choice,) = data.fields
    if choice not in ("yes", "no"):
        raise callback_data.ParseError("erase")
    return await bot.db.run(conversation.erase, user_id=user_id, confirmed=choice == "yes")


async def on_edited_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An edited message is not read again; point to /ubah."""
    bot = runtime(context)
    reply = await bot.db.run(bot.conversation.text, user_id=_user_id(update), key="edited_ignored")
    await _reply(update, context, reply)


async def on_other_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice, video, documents, locations, contacts, polls …: ask for text."""
    bot = runtime(context)
    reply = await bot.db.run(bot.conversation.text, user_id=_user_id(update), key="only_text")
    await _reply(update, context, reply)


# Errors -----------------------------------------------------------------------------------


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log every unexpected error with its context, and tell the user without losing their place."""
    bot = runtime(context)
    error = context.error
    if isinstance(error, claims.AlreadyHandled):
        logger.info("update %s was already handled; skipping it", error.update_id)
        return
    # The update failed: leave it unclaimed, so that Telegram's redelivery is handled.
    claims.drop()
    chat = update.effective_chat if isinstance(update, Update) else None
    if isinstance(error, Forbidden) and chat is not None:
        await bot.blocked(chat.id)
        return
    update_id = update.update_id if isinstance(update, Update) else None
    kind = type(update).__name__
    if isinstance(update, Update):
        kind = next((k for k in Update.ALL_TYPES if getattr(update, k, None) is not None), kind)
    logger.error(
        "error while handling update %s (%s, chat %s)",
        update_id,
        kind,
        chat.id if chat else None,
        exc_info=error,
    )
    if chat is None or chat.type != ChatType.PRIVATE:
        return
    language: str = bot.settings.language
    try:
        language = await bot.db.run(bot.conversation.language_of, user_id=chat.id)
    except Exception:  # the database may be what failed; the default language will do
        logger.debug("could not read the user's language", exc_info=True)
    text = bot.conversation.texts("error_generic", language)
    try:
        if isinstance(update, Update) and update.callback_query is not None:
            await update.callback_query.answer()
        await context.bot.send_message(chat.id, text)
    except TelegramError:
        logger.warning("could not tell chat %s about the error", chat.id, exc_info=True)


# Start-up ---------------------------------------------------------------------------------


async def register_commands(application: Application) -> None:
    """setMyCommands in Indonesian (default) and English; admins also see the invite commands."""
    bot = runtime_of(application)
    texts = bot.conversation.texts

    def commands(table: Sequence[tuple[str, str, str]], language: str) -> list[BotCommand]:
        index = 0 if language == "id" else 1
        return [BotCommand(row[index], texts.plain(row[2], language)) for row in table]

    for language, code in (("id", None), ("id", "id"), ("en", "en")):
        await application.bot.set_my_commands(
            commands(USER_COMMANDS, language), scope=BotCommandScopeDefault(), language_code=code
        )
    for admin_id in sorted(bot.settings.admin_ids):
        for language, code in (("id", None), ("en", "en")):
            try:
                await application.bot.set_my_commands(
                    commands(USER_COMMANDS + ADMIN_COMMANDS, language),
                    scope=BotCommandScopeChat(admin_id),
                    language_code=code,
                )
            except TelegramError as error:  # the admin has not opened the bot yet
                logger.info("no admin command menu for %s yet: %s", admin_id, error)
                break


def runtime_of(application: Application) -> Runtime:
    return application.bot_data[RUNTIME_KEY]


def build_application(
    *,
    settings: Settings,
    survey_data: SurveyData,
    engine: Engine,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    extra_handlers: Sequence[BaseHandler] = (),
    post_init_hooks: Sequence[PostInitHook] = (),
    housekeeping: bool = True,
) -> Application:
    """The bot's Application. `extra_handlers` are added before the catch-all handlers (the
    planner commands plug in here); `post_init_hooks` run once the bot is initialised (the
    processor's scheduler plugs in here)."""
    if not settings.telegram_bot_token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    processor = PerUserUpdateProcessor(max_concurrent_updates=256)
    rate_limiter = AIORateLimiter(
        overall_max_rate=settings.telegram_rate_limit, overall_time_period=1, max_retries=3
    )
    builder = (
        Application.builder()
        .token(settings.telegram_bot_token)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_api_base_file_url)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .rate_limiter(rate_limiter)
        .concurrent_updates(processor)
        .post_init(_post_init(post_init_hooks, housekeeping))
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
    )
    application = configure_transport(builder).build()
    conversation = Conversation(
        settings=settings, survey_data=survey_data, engine=engine, clock=clock
    )
    bot = Runtime(
        settings=settings,
        conversation=conversation,
        db=DatabaseWorker(settings.database_url),
        throttle=FloodThrottle(
            max_updates=settings.throttle_max_updates, window=settings.throttle_window_seconds
        ),
    )
    bot.outbox = Outbox(on_blocked=bot.blocked)
    bot.housekeeping = Housekeeping(
        conversation=conversation,
        db=bot.db,
        remind_after=timedelta(hours=settings.reminder_after_hours),
        expire_after=timedelta(days=settings.expiry_after_days),
        on_blocked=bot.blocked,
    )
    application.bot_data[RUNTIME_KEY] = bot

    application.add_handler(TypeHandler(Update, gate), group=-3)
    application.add_handler(TypeHandler(Update, dedupe), group=-2)
    application.add_handler(TypeHandler(Update, settle), group=1)
    application.add_handlers(
        [
            CommandHandler("start", on_start, filters=_ONLY_NEW_MESSAGES),
            CommandHandler(["bantuan", "help"], on_help, filters=_ONLY_NEW_MESSAGES),
            CommandHandler(["batal", "cancel"], on_cancel, filters=_ONLY_NEW_MESSAGES),
            CommandHandler(["ubah", "edit"], on_edit, filters=_ONLY_NEW_MESSAGES),
            CommandHandler("status", on_status, filters=_ONLY_NEW_MESSAGES),
            CommandHandler(["bahasa", "language"], on_language, filters=_ONLY_NEW_MESSAGES),
            CommandHandler(["privasi", "privacy"], on_privacy, filters=_ONLY_NEW_MESSAGES),
            CommandHandler(
                ["hapus_data", "delete_my_data"], on_delete_my_data, filters=_ONLY_NEW_MESSAGES
            ),
            CommandHandler(
                ["undang_staf", "invite_staff"], on_invite_staff, filters=_ONLY_NEW_MESSAGES
            ),
            CommandHandler(
                ["undang_perencana", "invite_planner"],
                on_invite_planner,
                filters=_ONLY_NEW_MESSAGES,
            ),
            *(_claiming_first(handler) for handler in extra_handlers),
            MessageHandler(_ONLY_NEW_MESSAGES & filters.COMMAND, on_unknown_command),
            MessageHandler(_ONLY_NEW_MESSAGES & filters.TEXT, on_text),
            CallbackQueryHandler(on_button),
            MessageHandler(filters.UpdateType.EDITED, on_edited_message),
            MessageHandler(_ONLY_NEW_MESSAGES, on_other_message),
        ]
    )
    application.add_error_handler(on_error)
    return application


def _post_init(hooks: Sequence[PostInitHook], housekeeping: bool) -> _PostInit:
    async def post_init(application: Application) -> None:
        bot = runtime_of(application)
        await register_commands(application)
        if housekeeping:
            bot.background.append(
                asyncio.create_task(
                    bot.housekeeping.loop(
                        application.bot, bot.settings.housekeeping_interval_seconds
                    ),
                    name="rembuk-housekeeping",
                )
            )
        for hook in hooks:
            await hook(application)

    return post_init


# Collect the youngest objects after this many more allocations than deallocations
# (Python's default is 700); the older generations as by default.
GC_YOUNG_THRESHOLD = 50_000


def tune_garbage_collector() -> None:
    """Make the garbage collector walk far fewer objects that are still in use: once the
    bot's Application is built, before serving (process-wide, so `rembuk run` does it, not
    build_application, which the tests call many times in one process).

    Measured under bench/bot_throughput.py (1,000 citizens), collections took over a tenth
    of the bot's CPU, and more the more updates were in flight: each collection walks
    every tracked object of its generations, and what start-up loaded (modules,
    SQLAlchemy's metadata, the survey data: some 150,000 objects that live as long as the
    process) and the objects of the updates in flight (their tasks, Update objects …) were
    walked again and again. Start-up's objects are frozen (never collected, which costs
    nothing for objects that live for the whole run anyway), and the youngest generation
    is collected after 50,000 net allocations instead of 700, by when most of an update's
    objects are freed already: about 10 collections instead of 8,000 in that run. Memory
    only grows by the reference cycles waiting a little longer (a few MB at most)."""
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, older, oldest)


async def _post_stop(application: Application) -> None:
    bot = runtime_of(application)
    for task in bot.background:
        task.cancel()
    await asyncio.gather(*bot.background, return_exceptions=True)
    bot.background.clear()


async def _post_shutdown(application: Application) -> None:
    runtime_of(application).db.shutdown()


# Running ----------------------------------------------------------------------------------


@asynccontextmanager
async def running(
    application: Application,
    *,
    poll_timeout: float = 10.0,
    poll_interval: float = 0.0,
    webhook: dict[str, Any] | None = None,
) -> AsyncIterator[Application]:
    """Run the Application inside an existing event loop (tests, benchmark): long polling,
    or a webhook server when `webhook` holds the arguments of Updater.start_webhook."""
    await application.initialize()
    if application.post_init:
        await application.post_init(application)
    assert application.updater is not None
    if webhook is not None:
        await application.updater.start_webhook(**webhook)
    else:
        await application.updater.start_polling(
            poll_interval=poll_interval, timeout=timedelta(seconds=poll_timeout)
        )
    await application.start()
    try:
        yield application
    finally:
        await application.updater.stop()
        await application.stop()
        if application.post_stop:
            await application.post_stop(application)
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)


def run_polling(application: Application) -> None:
    """Block, serving updates by long polling, until Ctrl-C or SIGTERM."""
    tune_garbage_collector()
    application.run_polling()


def run_webhook(application: Application, settings: Settings) -> None:
    """Block, serving updates posted by Telegram behind a reverse proxy."""
    if not settings.webhook_url:
        raise ValueError("REMBUK_WEBHOOK_URL is not set")
    tune_garbage_collector()
    application.run_webhook(
        listen=settings.webhook_listen,
        port=settings.webhook_port,
        url_path=urlparse(settings.webhook_url).path.lstrip("/"),
        webhook_url=settings.webhook_url,
        secret_token=settings.webhook_secret,
    )
