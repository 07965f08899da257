"""Writing many cells to an xlsxwriter worksheet quickly, with the renderers' rules:
text through clean_text, numbers as numbers, missing values (None, NaN) and, in a
column, empty texts without a format left empty (no cell: a tenth of the workbook's).

analysis.xlsx holds a few hundred thousand cells at 100k answers; xlsxwriter's own work
per cell is most of its writing time, so the loops here do as little as possible
around it: types are told apart by class, and clean_text runs only on the texts that
need it (one search over all of a column's texts usually shows that none does).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from shared.clean import clean_text, has_illegal_characters


def text_fixes(values: Iterable[Any]) -> dict[str, str]:
    """Each distinct text among `values` that clean_text changes, with its cleaned form."""
    texts = {value for value in values if value.__class__ is str}
    if not has_illegal_characters("\n".join(texts)):
        return {}
    return {text: clean_text(text) for text in texts if has_illegal_characters(text)}


def write_value(worksheet: Any, row: int, column: int, value: Any, cell_format: Any = None) -> None:
    """One cell of any type: a number (not a bool) as a number unless NaN, None left
    empty, anything else as its cleaned text."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isnan(value):
            worksheet.write_number(row, column, value, cell_format)
    elif value is not None:
        worksheet.write_string(row, column, clean_text(str(value)), cell_format)


def write_column(
    worksheet: Any, values: list[Any], first_row: int, column: int, cell_format: Any = None
) -> None:
    """A column's cells from `first_row` down, in `cell_format` if given (see write_value)."""
    write_string, write_number = worksheet.write_string, worksheet.write_number
    fixes = text_fixes(values)
    for row, value in enumerate(values, start=first_row):
        kind = value.__class__
        if kind is str:
            if value or cell_format is not None:
                write_string(row, column, fixes.get(value, value) if fixes else value, cell_format)
        elif kind is int or (kind is float and value == value):  # NaN != NaN: left empty
            write_number(row, column, value, cell_format)
        elif kind is not float:
            write_value(worksheet, row, column, value, cell_format)
