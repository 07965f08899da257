"""processor.xlsx_cells: a column of mixed values becomes the cells the renderers have
always written (text cleaned, numbers as numbers, None and NaN left empty); and the
Jawaban table's order and dimensions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import xlsxwriter

from processor.render import answers_sheet
from processor.xlsx_cells import text_fixes, write_column

VALUES = [
    "teks biasa",
    "bel\x07 dan \ufffe",
    "",
    "=1+1",
    7,
    2.5,
    float("nan"),
    None,
    True,
    np.int64(3),
    np.float64(1.25),
    "bel\x07 dan \ufffe",
]


def test_a_mixed_column_is_written_as_before(tmp_path: Path) -> None:
    path = tmp_path / "cells.xlsx"
    with xlsxwriter.Workbook(str(path)) as book:
        write_column(book.add_worksheet("S"), VALUES, 1, 0)
    sheet = openpyxl.load_workbook(path)["S"]
    cells = [(cell.value, cell.data_type) for cell in sheet["A"][1:]]
    assert cells == [
        ("teks biasa", "s"),
        ("bel  dan  ", "s"),
        (None, "n"),  # an empty text is no cell: Excel's COUNTA would count an empty text
        ("=1+1", "s"),  # never a formula
        (7, "n"),
        (2.5, "n"),
        (None, "n"),  # NaN: empty
        (None, "n"),
        ("True", "s"),
        ("3", "s"),  # numpy integers were always written as their text
        (1.25, "n"),
        ("bel  dan  ", "s"),
    ]


def test_text_fixes_names_only_the_texts_that_change() -> None:
    assert text_fixes(["a", "b\x00", 3, None, "b\x00"]) == {"b\x00": "b "}
    assert text_fixes(["a", "b", 1.5]) == {}


def test_the_answers_sheet_sorts_themes_by_number_then_most_written_texts() -> None:
    grouped = pd.DataFrame(
        {
            "domain": ["d"] * 5,
            "kind": ["citizen_obstacle"] * 5,
            "theme_id": ["d.o.0", "d.o.10", "d.o.2", "", "d.o.2"],
            "domain_source": ["respondent"] * 5,
            "text": ["lain", "sepuluh", "dua", "tanpa", "dua lagi"],
            "answers": [1, 1, 1, 1, 2],
            "respondents": [1, 1, 1, 1, 2],
            "first_answer_id": ["a1", "a2", "a3", "a4", "a5"],
            "dimensions": ["", "", "biaya, informasi, lambat", "", "biaya"],
        }
    )
    sheet = answers_sheet(grouped)
    assert sheet["text"].tolist() == ["dua lagi", "dua", "sepuluh", "lain", "tanpa"]
    assert sheet["dimensions"].tolist() == ["biaya", "biaya, informasi, lambat", "", "", ""]
    assert sheet["answers"].tolist() == [2, 1, 1, 1, 1]
    assert sheet["respondents"].tolist() == [2, 1, 1, 1, 1]
