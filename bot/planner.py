"""Planner commands: /ringkasan (/summary) sends the latest digest now, /unduh (/download)
its files. Anyone who is not a planner of a campaign gets a polite refusal (admins too:
an admin who wants digests is invited as a planner).

`planner_handlers(...)` returns the handlers, to be given to
`bot.telegram_app.build_application(extra_handlers=...)`.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path

from babel.dates import format_date
from sqlalchemy.engine import Engine
from sqlmodel import select
from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CommandHandler, ContextTypes, filters

from processor import digest_store
from processor.delivery import parts_for
from shared.db import session_scope
from shared.models import Respondent
from shared.survey_data import SurveyData

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Latest:
    language: str
    campaign_id: int | None  # None: not a planner
    texts: list[str]
    files: list[tuple[str, str]]  # (path, caption key)
    created: object = None


def _latest_for(engine: Engine, telegram_user_id: int, default_language: str) -> _Latest:
    with session_scope(engine) as session:
        person = session.exec(
            select(Respondent).where(Respondent.telegram_user_id == telegram_user_id)
        ).first()
        language = person.language if person is not None else default_language
        campaign = digest_store.planner_campaign(session=session, telegram_user_id=telegram_user_id)
        if campaign is None:
            return _Latest(language, None, [], [])
        digest = digest_store.latest_digest(session=session, campaign_id=campaign.id)
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


def planner_handlers(
    *, engine: Engine, survey_data: SurveyData, default_language: str = "id"
) -> list[BaseHandler]:
    """The planner command handlers (private chats only)."""
    messages = survey_data.messages

    async def latest(update: Update) -> _Latest | None:
        user = update.effective_user
        if user is None or update.effective_message is None:
            return None
        found = await asyncio.to_thread(_latest_for, engine, user.id, default_language)
        if found.campaign_id is None:
            await update.effective_message.reply_text(messages.text("planner_only", found.language))
            return None
        if not found.texts:
            await update.effective_message.reply_text(
                messages.text("planner_no_digest", found.language)
            )
            return None
        return found

    async def on_summary(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        found = await latest(update)
        if found is None:
            return
        for text in found.texts:
            await update.effective_message.reply_text(
                text, parse_mode=ParseMode.HTML, disable_web_page_preview=True
            )

    async def on_download(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        found = await latest(update)
        if found is None:
            return
        locale = "id_ID" if found.language == "id" else "en_GB"
        date = format_date(found.created, format="long", locale=locale) if found.created else ""
        for path, caption_key in found.files:
            file = Path(path)
            try:
                content = await asyncio.to_thread(file.read_bytes)
            except OSError:
                logger.warning("Digest file %s is missing", file)
                await update.effective_message.reply_text(
                    messages.text("planner_file_missing", found.language, name=file.name)
                )
                continue
            await update.effective_message.reply_document(
                content,
                filename=file.name,
                caption=messages.text(caption_key, found.language, date=date),
            )

    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    return [
        CommandHandler(["ringkasan", "summary"], on_summary, filters=private),
        CommandHandler(["unduh", "download"], on_download, filters=private),
    ]
