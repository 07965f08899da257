"""Complaint-channel reports in the analysis (issue 11 item 6): a report typed Rahasia is
counted in its domain and theme but its text is never shown. Its quotes, and a label or
representative taken from it, are replaced after the themes are grouped; the answer
tables and the export show a placeholder instead of its text."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from processor.lapor import CONFIDENTIAL_QUESTION
from shared.pii import scrub_pii

COMPLAINT_KIND = "citizen_complaint"
CONFIDENTIAL_TEXT = "[laporan rahasia]"


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
    was one takes its first remaining quote, or the placeholder when it has none."""
    hidden = confidential(texts)
    if not hidden.any():
        return table
    secret = {scrub_pii(text) for text in texts.loc[hidden, "text"]}
    rows = []
    for row in table.to_dict("records"):
        if row["kind"] == COMPLAINT_KIND:
            row["quotes"] = [quote for quote in row["quotes"] if quote not in secret]
            if row["representative"] in secret:
                shown = row["quotes"][0] if row["quotes"] else CONFIDENTIAL_TEXT
                row["representative"] = shown
                if not row["is_other"]:
                    row["label"] = _shorten(tidy(shown), label_length)
        rows.append(row)
    return pd.DataFrame(rows, columns=table.columns, index=table.index)


def _shorten(text: str, length: int) -> str:
    """As a theme label is shortened (processor.themes)."""
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"
