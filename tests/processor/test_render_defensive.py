"""Issue 12 items 1 and 8: every renderer cleans what it writes, and output files are
written through unique temporary files."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from processor.digest import escape_text
from processor.render import write_answers_export, write_summary_json
from shared.files import replace_atomically

DIRTY = "obat\x0b habis\x00 di\x1f puskesmas\ufffe"
CLEAN = "obat  habis  di  puskesmas "


def _answers() -> pd.DataFrame:
    return pd.DataFrame(
        {"answer_id": [1], "respondent": ["r-1\x01"], "text": [DIRTY], "value_number": [None]}
    )


def test_summary_json_holds_no_illegal_character(tmp_path: Path) -> None:
    path = write_summary_json(
        {"campaign": {"name": DIRTY}, "quotes": [DIRTY, 3], DIRTY: True}, tmp_path / "s.json"
    )
    loaded = json.loads(path.read_text(encoding="utf-8"))
    assert loaded == {"campaign": {"name": CLEAN}, "quotes": [CLEAN, 3], CLEAN: True}


def test_cleaning_the_summary_json_leaves_the_callers_summary_as_it_was(tmp_path: Path) -> None:
    summary = {"clean": {"a": ["x", 1], "b": ("y",)}, "dirty": [{"c": DIRTY}, "z"]}
    path = write_summary_json(summary, tmp_path / "s.json")
    assert summary["dirty"] == [{"c": DIRTY}, "z"]
    loaded = json.loads(path.read_text(encoding="utf-8"))
    assert loaded == {"clean": {"a": ["x", 1], "b": ["y"]}, "dirty": [{"c": CLEAN}, "z"]}


def test_the_csv_export_holds_no_illegal_character(tmp_path: Path) -> None:
    path = write_answers_export(_answers(), tmp_path / "a.csv", file_format="csv")
    frame = pd.read_csv(path, keep_default_na=False)
    assert frame["text"].tolist() == [CLEAN] and frame["respondent"].tolist() == ["r-1 "]


def test_the_xlsx_export_holds_the_text_not_its_escapes(tmp_path: Path) -> None:
    path = write_answers_export(_answers(), tmp_path / "a.xlsx", file_format="xlsx")
    sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][rows[0].index("text")] == CLEAN


def test_digest_html_cleans_before_escaping() -> None:
    assert escape_text("a\x0bb\x01<c>") == "a b &lt;c&gt;"


def test_two_writers_of_one_file_use_different_temporary_files(tmp_path: Path) -> None:
    target = tmp_path / "analysis.xlsx"
    seen: list[Path] = []

    def outer(temporary: Path) -> None:
        seen.append(temporary)
        temporary.write_text("outer", encoding="utf-8")
        # A second run writes the same output while the first is still writing.
        replace_atomically(target, inner)
        assert temporary.read_text(encoding="utf-8") == "outer"

    def inner(temporary: Path) -> None:
        seen.append(temporary)
        temporary.write_text("inner", encoding="utf-8")

    replace_atomically(target, outer)
    assert seen[0] != seen[1] and all(p.parent == tmp_path for p in seen)
    assert target.read_text(encoding="utf-8") == "outer"  # the last rename wins
    assert sorted(p.name for p in tmp_path.iterdir()) == ["analysis.xlsx"]


def test_a_failed_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    def failing(temporary: Path) -> None:
        temporary.write_text("half", encoding="utf-8")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        replace_atomically(tmp_path / "a.json", failing)
    assert list(tmp_path.iterdir()) == []


def test_concurrent_exports_into_one_directory_all_succeed(tmp_path: Path) -> None:
    errors: list[BaseException] = []

    def export() -> None:
        try:
            for _ in range(5):
                write_answers_export(_answers(), tmp_path / "a.xlsx", file_format="xlsx")
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=export) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert [p.name for p in tmp_path.iterdir()] == ["a.xlsx"]
