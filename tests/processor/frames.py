"""Tiny answer frames for the pure pipeline functions."""

from __future__ import annotations

import pandas as pd

from processor.pipeline import ANSWER_COLUMNS


def answers_frame(rows: list[dict]) -> pd.DataFrame:
    """rows: dicts with at least question_id and text; the rest gets defaults.

    Each row is its own unit/respondent unless told otherwise.
    """
    filled = []
    for n, row in enumerate(rows, start=1):
        unit = row.get("unit", f"{n}.0")
        filled.append(
            {
                "answer_id": f"a{n}",
                "origin": "bot",
                "unit": unit,
                "row_id": row.get("row_id", f"{unit}.0"),
                "respondent": row.get("respondent", f"r-{n}"),
                "source": "-",
                "instrument": row.get("instrument", "external"),
                "question_id": row["question_id"],
                "domain": row.get("domain"),
                "text": row.get("text"),
                "number": row.get("number"),
            }
        )
    return pd.DataFrame(filled, columns=list(ANSWER_COLUMNS))
