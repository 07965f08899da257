"""Complaint-channel reports in the analysis (issue 11 item 6): a report typed Rahasia is
counted in its domain and theme but its text is never shown. Its quotes, and a label or
representative taken from it, are replaced after the themes are grouped; a keyword is kept
only when every one of its words is in a public (not Rahasia) answer of its own theme, so
a theme of Rahasia reports alone has none; the answer tables and the export show a
placeholder instead of its text."""

from __future__ import annotations

import re
from collections.abc import Callable

import pandas as pd

from processor.lapor import CONFIDENTIAL_QUESTION
from shared.pii import scrub_pii

COMPLAINT_KIND = "citizen_complaint"
CONFIDENTIAL_TEXT = "[laporan rahasia]"
_WORD = re.compile(r"\w+")


def confidential(frame: pd.DataFrame) -> pd.Series:
    """Rows of `frame` (answers or texts) that are Rahasia reports; none in a frame
    without question ids."""
    if "question_id" not in frame.columns:
        return pd.Series(False, index=frame.index)
    return frame["question_id"].astype(str) == CONFIDENTIAL_QUESTION


def mask_confidential(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with the text of Rahasia reports replaced (a new frame; none: the same)."""
    hidden = confidential(frame)
    if not hidden.any():
        return frame
    return frame.assign(text=frame["text"].where(~hidden, CONFIDENTIAL_TEXT))


def withhold_confidential(
    table: pd.DataFrame,
    texts: pd.DataFrame,
    *,
    tidy: Callable[[str], str],
    label_length: int,
) -> pd.DataFrame:
    """The theme table without quotes of Rahasia reports; a theme whose representative
    was one takes its first remaining quote, or the placeholder when it has none. Keywords
    keep only words of the theme's public answers (`texts` has each text's theme_id)."""
    hidden = confidential(texts)
    if not hidden.any():
        return table
    secret = {scrub_pii(text) for text in texts.loc[hidden, "text"]}
    public = public_words(texts.loc[~hidden])
    shown = public_quotes(texts.loc[~hidden])
    rows = [
        _withhold(row, secret, public, shown, tidy=tidy, label_length=label_length)
        for row in table.to_dict("records")
    ]
    return pd.DataFrame(rows, columns=table.columns, index=table.index)


def _withhold(  # noqa: PLR0913 - the row and what it is checked against
    row: dict,
    secret: set[str],
    public: dict[str, set[str]],
    shown: dict[str, list[str]],
    *,
    tidy: Callable[[str], str],
    label_length: int,
) -> dict:
    """One theme row (changed in place) without Rahasia words and quotes."""
    allowed = public.get(row["theme_id"], set())
    row["keywords"] = [k for k in row["keywords"] if set(_WORD.findall(k.lower())) <= allowed]
    if row["kind"] != COMPLAINT_KIND:
        return row
    count = len(row["quotes"])
    row["quotes"] = [quote for quote in row["quotes"] if quote not in secret]
    if not row["quotes"]:  # all quoted were Rahasia: the theme's public answers
        row["quotes"] = shown.get(row["theme_id"], [])[:count]
    if row["representative"] in secret:
        chosen = row["quotes"][0] if row["quotes"] else CONFIDENTIAL_TEXT
        row["representative"] = chosen
        if not row["is_other"]:
            row["label"] = _shorten(tidy(chosen), label_length)
    return row


def public_quotes(texts: pd.DataFrame) -> dict[str, list[str]]:
    """theme_id -> its public answers, scrubbed, commonest first."""
    quotes: dict[str, list[str]] = {}
    # Rows may stand for several answers (`answers`, processor.pipeline.WEIGHT).
    counted = texts.assign(_n=texts["answers"] if "answers" in texts.columns else 1)
    for theme_id, group in counted.groupby("theme_id", sort=False):
        group = group.loc[group["text"].notna()]
        ranked = group.groupby(group["text"].astype(str), sort=False)["_n"].sum()
        ranked = ranked.sort_values(ascending=False, kind="stable")
        quotes[str(theme_id)] = [scrub_pii(text) for text in ranked.index]
    return quotes


def public_words(texts: pd.DataFrame) -> dict[str, set[str]]:
    """theme_id -> the lowercase words of its answers (`texts`: their text and, when there,
    their normalised form)."""
    columns = [c for c in ("text", "norm") if c in texts.columns]
    words: dict[str, set[str]] = {}
    for theme_id, group in texts.groupby("theme_id", sort=False):
        found = words.setdefault(str(theme_id), set())
        for column in columns:
            for text in group[column].dropna().astype(str):
                found.update(_WORD.findall(text.lower()))
    return words


def _shorten(text: str, length: int) -> str:
    """As a theme label is shortened (processor.themes)."""
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"
