"""Engine prompts and interface texts as Telegram HTML; everything a user wrote is escaped."""

from __future__ import annotations

import html

from bot.engine import Prompt
from shared.survey_data import MessageCatalog

# Telegram's limit is 4,096 characters after entity parsing; stay well below it.
MESSAGE_BUDGET = 3500
# The review shows long answers shortened (with "…"); the stored answer is never cut.
REVIEW_VALUE_PREVIEW = 300
_TYPED_KINDS = ("text", "number", "year_targets", "year")


def esc(value: object) -> str:
    return html.escape(str(value), quote=False)


class Texts:
    """Interface texts of messages.yaml. Bot templates are HTML; values are escaped."""

    def __init__(self, messages: MessageCatalog) -> None:
        self.messages = messages

    def __call__(self, key: str, language: str, **values: object) -> str:
        escaped = {name: esc(value) for name, value in values.items()}
        return self.messages.text(key, language, **escaped)

    def plain(self, key: str, language: str, **values: object) -> str:
        """A text for places without HTML (button labels, callback answers)."""
        return self.messages.text(key, language, **values)


def _preview(value: str) -> str:
    if len(value) <= REVIEW_VALUE_PREVIEW:
        return value
    return value[:REVIEW_VALUE_PREVIEW].rstrip() + "…"


def question_html(prompt: Prompt, texts: Texts, language: str, *, for_answering: bool) -> str:
    """One question: progress, text, hint, the current answer, and what to do."""
    lines = []
    if prompt.progress:
        lines.append(f"<i>{esc(prompt.progress)}</i>")
    title = f"<b>{esc(prompt.text)}</b>"
    if prompt.optional:
        title += " " + esc(texts.plain("optional", language))
    lines.append(title)
    if prompt.hint:
        lines.append(f"<i>{esc(prompt.hint)}</i>")
    if prompt.current_answer is not None:
        lines.append(texts("current_answer", language, answer=_preview(prompt.current_answer)))
    if for_answering and prompt.kind in _TYPED_KINDS:
        lines.append("✍️ " + texts("type_answer", language))
    return "\n".join(lines)


def review_chunks(prompt: Prompt, texts: Texts, language: str) -> list[str]:
    """The review as one or more messages, each under Telegram's length limit."""
    head = [f"<b>{esc(prompt.text)}</b>"]
    chunks: list[list[str]] = [head]
    size = len(head[0])
    domain = None
    for number, item in enumerate(prompt.review_items, start=1):
        lines = []
        if item.domain != domain and item.domain is not None and number > 1:
            lines.append("")
        domain = item.domain
        lines.append(f"{number}. <b>{esc(item.label)}</b>: {esc(_preview(item.value))}")
        length = sum(len(line) + 1 for line in lines)
        if size + length > MESSAGE_BUDGET:
            chunks.append([])
            size = 0
        chunks[-1].extend(lines)
        size += length
    if prompt.hint:
        chunks[-1].extend(["", f"<i>{esc(prompt.hint)}</i>"])
    return ["\n".join(lines).strip() for lines in chunks]


def done_html(prompt: Prompt) -> str:
    text = esc(prompt.text)
    if prompt.receipt_code:
        code = esc(prompt.receipt_code)
        text = text.replace(code, f"<code>{code}</code>", 1)
    return "🙏 " + text


def prompt_chunks(
    prompt: Prompt, texts: Texts, language: str, *, error: str | None = None
) -> list[str]:
    """What to send for a prompt; the last chunk carries the keyboard."""
    if prompt.kind == "review":
        chunks = review_chunks(prompt, texts, language)
    elif prompt.kind == "done":
        chunks = [done_html(prompt)]
    else:
        chunks = [question_html(prompt, texts, language, for_answering=True)]
    if prompt.notice:
        chunks[0] = f"ℹ️ {esc(prompt.notice)}\n\n{chunks[0]}"
    if error:
        chunks[0] = f"⚠️ {esc(error)}\n\n{chunks[0]}"
    return chunks


def answered_html(prompt: Prompt, texts: Texts, language: str, answer: str | None) -> str:
    """A question as it stays in the chat after a button answered it (keyboard removed);
    answer None: it was skipped."""
    question = question_html(prompt, texts, language, for_answering=False)
    if answer is None:
        return f"{question}\n\n⏭️ {texts('skipped', language)}"
    return f"{question}\n\n✅ {texts('chosen', language, answer=answer)}"
