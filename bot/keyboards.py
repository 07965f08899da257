"""Inline keyboards of the bot; every button's data comes from bot.callback_data."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callback_data
from bot.callback_data import Kind
from bot.engine import PAGE_PREFIX, Choice, Command, Prompt
from shared.survey_data import LANGUAGES, MessageCatalog

# Domain names are at most 24 characters (checked when the data is loaded): two fit a row.
_CHOICES_PER_ROW = 2
# Agency short names are at most 16 characters and unit names are shorter: three fit a row
# on a phone, which keeps the list of some 30 agencies to a screen.
_NARROW_CHOICES_PER_ROW = 3
_NARROW_KINDS = ("agency", "unit")
_EDIT_BUTTONS_PER_ROW = 5
# Telegram shows at most 100 buttons on a message; the review leaves room for submit/back.
_MAX_EDIT_BUTTONS = 90


def _rows(buttons: Sequence[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def prompt_keyboard(
    prompt: Prompt, *, run_id: int, messages: MessageCatalog, language: str
) -> InlineKeyboardMarkup | None:
    """Buttons of a question (choices, skip, back) or of the review (edit N, submit, back)."""

    def text(key: str, **values: object) -> str:
        return messages.text(key, language, **values)

    at = callback_data.step_hash(prompt.step)
    rows: list[list[InlineKeyboardButton]] = []
    if prompt.kind == "done":
        return None
    if prompt.kind == "review":
        edits = [
            InlineKeyboardButton(
                text("review_edit_button", number=number),
                callback_data=callback_data.make(
                    Kind.edit, run_id, at, callback_data.step_hash(item.step)
                ),
            )
            for number, item in enumerate(prompt.review_items[:_MAX_EDIT_BUTTONS], start=1)
        ]
        rows.extend(_rows(edits, _EDIT_BUTTONS_PER_ROW))
        if prompt.choices:  # only once every question is answered
            rows.append(
                [
                    InlineKeyboardButton(
                        "✅ " + text("submit"),
                        callback_data=callback_data.make(Kind.command, run_id, at, Command.submit),
                    )
                ]
            )
    elif prompt.choices:
        shown, paging = _page_of(prompt, run_id, at, text)
        buttons = [
            InlineKeyboardButton(
                choice.label,
                callback_data=callback_data.make(Kind.answer, run_id, at, choice.value),
            )
            for choice in shown
        ]
        width = _NARROW_CHOICES_PER_ROW if prompt.kind in _NARROW_KINDS else _CHOICES_PER_ROW
        rows.extend(_rows(buttons, width))
        if paging:
            rows.append(paging)
    navigation = []
    if prompt.can_go_back:
        navigation.append(
            InlineKeyboardButton(
                "◀️ " + text("back"),
                callback_data=callback_data.make(Kind.command, run_id, at, Command.back),
            )
        )
    if prompt.optional:
        navigation.append(
            InlineKeyboardButton(
                text("skip") + " ▶️",
                callback_data=callback_data.make(Kind.command, run_id, at, Command.skip),
            )
        )
    if navigation:
        rows.append(navigation)
    return InlineKeyboardMarkup(rows) if rows else None


def _page_of(
    prompt: Prompt, run_id: int, at: str, text: Callable[..., str]
) -> tuple[Sequence[Choice], list[InlineKeyboardButton]]:
    """The choices of the prompt's page and the buttons to the pages before and after (a
    long place list would not fit a phone's screen)."""
    size = prompt.page_size
    if not size or len(prompt.choices) <= size:
        return prompt.choices, []
    pages = (len(prompt.choices) + size - 1) // size
    page = min(max(prompt.page, 0), pages - 1)
    paging = []
    for target, key in ((page - 1, "page_previous"), (page + 1, "page_next")):
        if 0 <= target < pages:
            value = f"{PAGE_PREFIX}{target}"
            paging.append(
                InlineKeyboardButton(
                    text(key, page=target + 1, pages=pages),
                    callback_data=callback_data.make(Kind.answer, run_id, at, value),
                )
            )
    return prompt.choices[page * size : (page + 1) * size], paging


def consent_keyboard(
    *, messages: MessageCatalog, language: str, carry: str
) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    messages.text("consent_agree", language),
                    callback_data=callback_data.make(Kind.consent, "y", language, carry),
                ),
                InlineKeyboardButton(
                    messages.text("consent_decline", language),
                    callback_data=callback_data.make(Kind.consent, "n", language, carry),
                ),
            ]
        ]
    )


def resume_keyboard(
    *, run_id: int, messages: MessageCatalog, language: str, can_continue: bool = True
) -> InlineKeyboardMarkup:
    if not can_continue:
        key, action = "start_new", "new"
        return InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        messages.text(key, language),
                        callback_data=callback_data.make(Kind.resume, run_id, action),
                    )
                ]
            ]
        )
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    "▶️ " + messages.text("continue", language),
                    callback_data=callback_data.make(Kind.resume, run_id, "continue"),
                ),
                InlineKeyboardButton(
                    "🔄 " + messages.text("start_over", language),
                    callback_data=callback_data.make(Kind.resume, run_id, "restart"),
                ),
            ]
        ]
    )


def language_keyboard(*, messages: MessageCatalog) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    messages.text("language_name", language),
                    callback_data=callback_data.make(Kind.language, language),
                )
                for language in LANGUAGES
            ]
        ]
    )


def erase_keyboard(*, messages: MessageCatalog, language: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    "🗑 " + messages.text("erase_yes", language),
                    callback_data=callback_data.make(Kind.erase, "yes"),
                ),
                InlineKeyboardButton(
                    messages.text("erase_no", language),
                    callback_data=callback_data.make(Kind.erase, "no"),
                ),
            ]
        ]
    )


def broadcast_off_keyboard(*, messages: MessageCatalog, language: str) -> InlineKeyboardMarkup:
    """The one button under a broadcast that turns broadcasts off (issue 14)."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    messages.text("broadcast_off_button", language),
                    callback_data=callback_data.make(Kind.broadcasts_off, "off"),
                )
            ]
        ]
    )


def broadcast_confirm_keyboard(
    *, messages: MessageCatalog, language: str, digest_id: int
) -> InlineKeyboardMarkup:
    """Send / cancel under a planner's /kabari preview."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    messages.text("kabari_send_button", language),
                    callback_data=callback_data.make(Kind.broadcast, digest_id, "send"),
                ),
                InlineKeyboardButton(
                    messages.text("kabari_cancel_button", language),
                    callback_data=callback_data.make(Kind.broadcast, digest_id, "cancel"),
                ),
            ]
        ]
    )
