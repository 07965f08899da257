"""Planner commands: /ringkasan (/summary) sends the latest digest now, /unduh (/download)
its files, /kabari (/broadcast) previews and, on the planner's confirmation, sends the
respondents "what we heard" (processor.broadcast); the "no more news" button under such a
message turns broadcasts off for that respondent. Anyone who is not a planner of a
campaign gets a polite refusal (admins too: an admin who wants digests is invited as a
planner).

`planner_handlers(...)` returns the handlers, to be given to
`bot.telegram_app.build_application(extra_handlers=...)`.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from babel.dates import format_date
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from telegram import Bot, CallbackQuery, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ContextTypes, filters

from bot import callback_data, keyboards
from bot.callback_data import Kind
from processor import digest_store
from processor.broadcast import compose_broadcast
from processor.broadcast_send import Preview, preview_broadcast, send_broadcast
from processor.delivery import parts_for
from processor.digest import escape_text
from shared.db import session_scope
from shared.models import Campaign, DeliveryStatus, Respondent, stored_id
from shared.survey_data import MessageCatalog, SurveyData

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Latest:
    language: str
    campaign_id: int | None  # None: not a planner
    texts: list[str]
    files: list[tuple[str, str]]  # (path, caption key)
    created: datetime | None = None


def _planner_of(
    session: Session, telegram_user_id: int, default_language: str
) -> tuple[Respondent | None, str, Campaign | None]:
    """The planner's respondent row, language and campaign (one lookup for every command)."""
    person = session.exec(
        select(Respondent).where(Respondent.telegram_user_id == telegram_user_id)
    ).first()
    language = person.language if person is not None else default_language
    campaign = digest_store.planner_campaign(session=session, telegram_user_id=telegram_user_id)
    return person, language, campaign


def _latest_for(engine: Engine, telegram_user_id: int, default_language: str) -> _Latest:
    with session_scope(engine) as session:
        person, language, campaign = _planner_of(session, telegram_user_id, default_language)
        if campaign is None:
            return _Latest(language, None, [], [])
        digest = digest_store.latest_digest(session=session, campaign_id=stored_id(campaign))
        if digest is None:
            return _Latest(language, campaign.id, [], [])
        texts = [p.text for p in parts_for(digest, language) if p.kind == "message"]
        files = [
            (path, key)
            for path, key in (
                (digest.xlsx_path, "planner_caption_xlsx"),
                (digest.docx_path, "planner_caption_docx"),
            )
            if path
        ]
        return _Latest(language, campaign.id, texts, files, digest.created_at)


class _Digests:
    """The handlers of /ringkasan (/summary) and /unduh (/download)."""

    def __init__(self, *, engine: Engine, messages: MessageCatalog, default_language: str):
        self.engine, self.messages, self.default_language = engine, messages, default_language

    async def latest(self, update: Update) -> tuple[_Latest, Message] | None:
        user, message = update.effective_user, update.effective_message
        if user is None or message is None:
            return None
        found = await asyncio.to_thread(_latest_for, self.engine, user.id, self.default_language)
        if found.campaign_id is None:
            await message.reply_text(self.messages.text("planner_only", found.language))
            return None
        if not found.texts:
            await message.reply_text(self.messages.text("planner_no_digest", found.language))
            return None
        return found, message

    async def on_summary(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        latest = await self.latest(update)
        if latest is None:
            return
        found, message = latest
        for text in found.texts:
            await message.reply_text(text, parse_mode=ParseMode.HTML, disable_web_page_preview=True)

    async def on_download(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        latest = await self.latest(update)
        if latest is None:
            return
        found, message = latest
        locale = "id_ID" if found.language == "id" else "en_GB"
        date = format_date(found.created, format="long", locale=locale) if found.created else ""
        for path, caption_key in found.files:
            file = Path(path)
            try:
                content = await asyncio.to_thread(file.read_bytes)
            except OSError:
                logger.warning("Digest file %s is missing", file)
                await message.reply_text(
                    self.messages.text("planner_file_missing", found.language, name=file.name)
                )
                continue
            await message.reply_document(
                content,
                filename=file.name,
                caption=self.messages.text(caption_key, found.language, date=date),
            )


def planner_handlers(
    *, engine: Engine, survey_data: SurveyData, default_language: str = "id"
) -> list[BaseHandler]:
    """The planner command handlers (private chats only)."""
    digests = _Digests(
        engine=engine, messages=survey_data.messages, default_language=default_language
    )
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    return [
        CommandHandler(["ringkasan", "summary"], digests.on_summary, filters=private),
        CommandHandler(["unduh", "download"], digests.on_download, filters=private),
        *broadcast_handlers(
            engine=engine, survey_data=survey_data, default_language=default_language
        ),
    ]


# Broadcasts (/kabari) ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Kabari:
    language: str
    campaign_id: int | None  # None: not a planner
    preview: Preview | None = None
    planner: str = ""  # "planner:<pseudonym prefix>", for the audit


def _kabari_for(engine: Engine, telegram_user_id: int, default_language: str) -> _Kabari:
    with session_scope(engine) as session:
        person, language, campaign = _planner_of(session, telegram_user_id, default_language)
        if campaign is None or person is None:
            return _Kabari(language, None)
        preview = preview_broadcast(
            session=session, campaign_id=stored_id(campaign), now=datetime.now(UTC)
        )
        return _Kabari(language, campaign.id, preview, f"planner:{person.pseudonym[:12]}")


def _start_for(engine: Engine, found: _Kabari, digest_id: int) -> tuple[int, int] | None:
    """Start (or find) the broadcast of the previewed digest: (broadcast id, pending), or
    None when the button belongs to an older digest."""
    preview = found.preview
    if preview is None or preview.digest is None or preview.digest.id != digest_id:
        return None
    with session_scope(engine) as session:
        started, _ = digest_store.start_broadcast(
            session=session,
            digest=preview.digest,
            started_by=found.planner,
            planned=preview.planned,
            now=datetime.now(UTC),
        )
        started_id = stored_id(started)
        tally = digest_store.broadcast_tally(session=session, broadcast_id=started_id)
        return started_id, tally[DeliveryStatus.pending.value]


def _preview_text(preview: Preview, language: str, messages: MessageCatalog) -> str:
    from processor.summary import parse_summary

    assert preview.digest is not None
    summary = parse_summary(preview.digest.summary)
    counts = preview.counts
    locale = "id_ID" if language == "id" else "en_GB"
    domains = ", ".join(
        f"{escape_text(summary.domain_name(code, language))} {n}"
        for code, n in sorted(counts["by_domain"].items(), key=lambda x: (-x[1], x[0]))
    )
    languages = ", ".join(f"{code} {n}" for code, n in counts["by_language"].items())
    date = format_date(preview.digest.created_at, format="long", locale=locale)
    text = messages.text(
        "kabari_preview",
        language,
        date=date,
        recipients=counts["recipients"],
        domains=domains or "-",
        languages=languages or "-",
    )
    if preview.stale:  # one line before the sample: the digest is old news
        text = messages.text("kabari_stale", language, date=date) + "\n" + text
    return text


def _refusal(found: _Kabari) -> tuple[str, dict[str, object]] | None:
    """Why /kabari cannot offer a broadcast now (message key and values), or None."""
    preview = found.preview
    if found.campaign_id is None or preview is None:
        return "planner_only", {}
    if preview.digest is None:
        return "planner_no_digest", {}
    if preview.existing is not None and not preview.tally.get("pending"):
        return "kabari_already", {"sent": preview.tally.get("sent", 0)}
    if preview.existing is None and not preview.planned:
        return "kabari_nobody", {}
    return None


class _Broadcasts:
    """The handlers of /kabari, its buttons, and the respondents' "no more news" button."""

    def __init__(self, *, engine: Engine, messages: MessageCatalog, default_language: str):
        self.engine, self.messages, self.default_language = engine, messages, default_language

    async def find(self, user_id: int) -> _Kabari:
        return await asyncio.to_thread(_kabari_for, self.engine, user_id, self.default_language)

    async def on_kabari(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user, message = update.effective_user, update.effective_message
        if user is None or message is None:
            return
        found = await self.find(user.id)
        refused = _refusal(found)
        if refused is not None:
            key, values = refused
            await message.reply_text(self.messages.text(key, found.language, **values))
            return
        preview, language = found.preview, found.language
        assert preview is not None and preview.digest is not None
        await message.reply_text(
            _preview_text(preview, language, self.messages), parse_mode=ParseMode.HTML
        )
        first = preview.planned[0].domains[:1] if preview.planned else ()
        sample = compose_broadcast(
            preview.digest.summary, list(first), language=language, messages=self.messages
        )[0]
        await message.reply_text(
            sample,
            parse_mode=ParseMode.HTML,
            disable_web_page_preview=True,
            reply_markup=keyboards.broadcast_confirm_keyboard(
                messages=self.messages, language=language, digest_id=stored_id(preview.digest)
            ),
        )

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query, user = update.callback_query, update.effective_user
        if query is None or user is None:
            return
        digest_id, action = _broadcast_fields(query.data)
        found = await self.find(user.id)
        await _answer_and_clear(query)
        key, values = await self.confirm(found, digest_id, action, context, update)
        await context.bot.send_message(user.id, self.messages.text(key, found.language, **values))

    async def confirm(
        self,
        found: _Kabari,
        digest_id: int,
        action: str,
        context: ContextTypes.DEFAULT_TYPE,
        update: Update,
    ) -> tuple[str, dict[str, object]]:
        """Start (or resume) the broadcast the planner confirmed; the reply's text."""
        if found.campaign_id is None:
            return "planner_only", {}
        if action != "send":
            return "kabari_cancelled", {}
        started = await asyncio.to_thread(_start_for, self.engine, found, digest_id)
        if started is None:
            return "kabari_outdated", {}
        broadcast_id, pending = started
        if not pending:
            return "kabari_already", {
                "sent": (found.preview.tally if found.preview else {}).get("sent", 0)
            }
        assert update.effective_user is not None
        context.application.create_task(
            self.send_and_report(context.bot, update.effective_user.id, broadcast_id, found),
            update=update,
            name=f"rembuk-broadcast-{broadcast_id}",
        )
        return "kabari_started", {"recipients": pending}

    async def send_and_report(
        self, bot: Bot, chat_id: int, broadcast_id: int, found: _Kabari
    ) -> None:
        """Send with the Application's bot (its rate limiter), then tell the planner."""
        messages = self.messages
        run = await send_broadcast(
            engine=self.engine,
            bot=bot,
            clock=lambda: datetime.now(UTC),
            broadcast_id=broadcast_id,
            messages=messages,
            keyboard=lambda lang: keyboards.broadcast_off_keyboard(
                messages=messages, language=lang
            ),
            by=found.planner,
        )
        keys = ("sent", "blocked", "skipped", "failed", "pending")
        tally = {key: run.tally.get(key, 0) for key in keys}
        try:
            await bot.send_message(chat_id, messages.text("kabari_done", found.language, **tally))
        except TelegramError as error:
            logger.info("Could not report broadcast %s to its planner: %s", broadcast_id, error)

    async def on_broadcasts_off(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query, user = update.callback_query, update.effective_user
        if query is None or user is None:
            return
        person = await asyncio.to_thread(_turn_off, self.engine, user.id)
        language = person.language if person is not None else self.default_language
        await _answer_and_clear(query)
        await context.bot.send_message(user.id, self.messages.text("broadcast_off_done", language))


def broadcast_handlers(
    *, engine: Engine, survey_data: SurveyData, default_language: str = "id"
) -> list[BaseHandler]:
    """/kabari (/broadcast) with its send/cancel buttons, and the respondents' "no more
    news" button."""
    handlers = _Broadcasts(
        engine=engine, messages=survey_data.messages, default_language=default_language
    )
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    return [
        CommandHandler(["kabari", "broadcast"], handlers.on_kabari, filters=private),
        CallbackQueryHandler(handlers.on_button, pattern=_pattern(Kind.broadcast)),
        CallbackQueryHandler(handlers.on_broadcasts_off, pattern=_pattern(Kind.broadcasts_off)),
    ]


def _pattern(kind: Kind) -> str:
    return rf"^{callback_data.VERSION}\|{kind.value}\|"


def _broadcast_fields(data: str | None) -> tuple[int, str]:
    try:
        parsed = callback_data.parse(data)
    except ValueError:
        return 0, "cancel"
    digest_id, action = parsed.fields
    return (int(digest_id) if digest_id.isdigit() else 0), action


def _turn_off(engine: Engine, telegram_user_id: int) -> Respondent | None:
    with session_scope(engine) as session:
        return digest_store.set_broadcasts_off(session=session, telegram_user_id=telegram_user_id)


async def _answer_and_clear(query: CallbackQuery) -> None:
    """Stop the button's spinner and take the buttons away, so nobody presses twice."""
    try:
        await query.answer()
        await query.edit_message_reply_markup(reply_markup=None)
    except BadRequest as error:  # too old, or not modified
        logger.debug("could not update the pressed message: %s", error)
