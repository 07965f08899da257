"""analysis.xlsx, cell by cell: the workbook written from a fixed input
(data/xlsx_sample_input.json, see data/make_xlsx_sample.py) must match the one recorded
in data/xlsx_sample_expected.json: every sheet's values, cell types and formats, merged
ranges, drop-downs, column widths and hidden columns, frozen panes and filters. It
guards the writer's speed work: a faster writer must write the same workbook.

A deliberate change of the workbook's content rewrites the record:
    .venv/bin/python -m tests.processor.test_xlsx_golden
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd

from processor.render import write_analysis_xlsx

DATA = Path(__file__).resolve().parent / "data"
INPUT = DATA / "xlsx_sample_input.json"
EXPECTED = DATA / "xlsx_sample_expected.json"
DOMAINS = ("kesehatan", "adminduk_perizinan", "sosial")


SHEET_KEYS = ["domain", "kind", "theme_id", "domain_source", "text"]


@dataclass(frozen=True)
class _Analysis:
    """The recorded input is one row per answer (texts) and per answer tag; the writer
    reads the Jawaban rows through sheet_texts(), grouped here as the analysis groups
    them (processor.analysis.sheet_texts, tested on its own in test_aggregation)."""

    texts: pd.DataFrame
    dimension_tags: pd.DataFrame

    def sheet_texts(self) -> pd.DataFrame:
        keys = self.texts.assign(
            domain=self.texts["domain"].astype(object).fillna(""),
            theme_id=self.texts["theme_id"].astype(object).fillna(""),
        )
        grouped = (
            keys.groupby(SHEET_KEYS, sort=False, dropna=False)
            .agg(
                answers=("answer_id", "size"),
                respondents=("respondent", "nunique"),
                first_answer_id=("answer_id", "first"),
            )
            .reset_index()
        )
        tags = self.dimension_tags
        joined = tags.groupby("answer_id")["dimension"].agg(lambda c: ", ".join(sorted(c)))
        return grouped.assign(dimensions=grouped["first_answer_id"].map(joined).fillna(""))


def _write(path: Path) -> Path:
    data = json.loads(INPUT.read_text(encoding="utf-8"))
    analysis = _Analysis(
        texts=pd.DataFrame(data["texts"]), dimension_tags=pd.DataFrame(data["dimension_tags"])
    )
    return write_analysis_xlsx(analysis, data["summary"], path, domains=DOMAINS)


def _rgb(color: Any) -> str | None:
    rgb = getattr(color, "rgb", None)
    return rgb if isinstance(rgb, str) else None


def _style(cell: Any) -> str:
    font, fill, align, border = cell.font, cell.fill, cell.alignment, cell.border
    return json.dumps(
        [
            bool(font.b),
            bool(font.i),
            font.sz,
            fill.fill_type,
            _rgb(fill.fgColor) if fill.fill_type else None,
            bool(align.wrap_text),
            align.vertical,
            border.left.style,
            _rgb(border.left.color),
            cell.number_format,
        ]
    )


def _cells(sheet: Any, styles: dict[str, int]) -> list[list[Any]]:
    """Every cell that holds a value or a format other than the default; a format as its
    number in `styles` (filled as they come)."""
    default = _style(openpyxl.Workbook().active["A1"])
    found = []
    for row in sheet.iter_rows():
        for cell in row:
            style = _style(cell)
            if cell.value is None and style == default:
                continue
            number = styles.setdefault(style, len(styles))
            found.append([cell.coordinate, cell.data_type, cell.value, number])
    return found


def _columns(sheet: Any) -> list[list[Any]]:
    return [
        [key, dim.min, dim.max, dim.width, bool(dim.hidden), bool(dim.alignment.wrap_text)]
        for key, dim in sorted(sheet.column_dimensions.items())
    ]


def workbook_record(path: Path) -> dict[str, Any]:
    """What a planner sees of the workbook, as JSON-able lists."""
    book = openpyxl.load_workbook(path)
    styles: dict[str, int] = {}
    record: dict[str, Any] = {"sheets": book.sheetnames}
    for sheet in book.worksheets:
        record[sheet.title] = {
            "cells": _cells(sheet, styles),
            "merged": sorted(str(r) for r in sheet.merged_cells.ranges),
            "validations": [
                [str(v.sqref), v.type, v.formula1, v.allow_blank]
                for v in sheet.data_validations.dataValidation
            ],
            "columns": _columns(sheet),
            "rows": [
                [number, dim.ht] for number, dim in sorted(sheet.row_dimensions.items()) if dim.ht
            ],
            "freeze": sheet.freeze_panes,
            "filter": sheet.auto_filter.ref,
        }
    record["styles"] = [json.loads(style) for style in styles]
    return record


def _lines(record: dict[str, Any]) -> list[str]:
    """One JSON line per cell (and per other fact), so that a failure names the cell."""
    lines = [json.dumps(record["sheets"], ensure_ascii=False)]
    lines += [json.dumps(["style", n, style]) for n, style in enumerate(record["styles"])]
    for name in record["sheets"]:
        for field, value in record[name].items():
            items = value if isinstance(value, list) else [value]
            lines += [json.dumps([name, field, item], ensure_ascii=False) for item in items]
    return lines


def test_the_workbook_is_written_cell_for_cell_as_recorded(tmp_path: Path) -> None:
    written = _lines(workbook_record(_write(tmp_path / "analysis.xlsx")))
    expected = EXPECTED.read_text(encoding="utf-8").splitlines()
    missing = [line for line in expected if line not in set(written)]
    extra = [line for line in written if line not in set(expected)]
    assert (missing[:5], extra[:5]) == ([], [])
    assert written == expected  # the same lines in the same order


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        lines = _lines(workbook_record(_write(Path(folder) / "analysis.xlsx")))
    EXPECTED.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(EXPECTED, len(lines), "lines", file=sys.stderr)
