"""`rembuk curate`: load the Kurasi sheet of analysis.xlsx, list and undo curations."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import select
from typer.testing import CliRunner

from cli.main import app
from processor.curation_sheet import COLUMNS, HEADER_ROW, NEW_DOMAIN, NEW_LABEL, SHEET
from shared.models import Curation
from tests.processor.conftest import consultation, tools  # noqa: F401 (fixtures)
from tests.processor.test_curation import BIRTH_NEED, BRIBE_OBSTACLE, _fill

runner = CliRunner()


def _edit(path: Path, edits: dict[str, tuple[str, str]]) -> dict[str, int]:
    """Write `edits` ({label: (column, value)}) into the Kurasi sheet; the rows edited."""
    book = load_workbook(path)
    sheet = book[SHEET]
    at = {name: COLUMNS.index(name) + 1 for name in COLUMNS}
    rows = {}
    for row in range(HEADER_ROW + 2, sheet.max_row + 1):
        label = sheet.cell(row, at["label"]).value
        if label in edits:
            column, value = edits[label]
            sheet.cell(row, at[column]).value = value
            rows[label] = row
    book.save(path)
    return rows


@pytest.fixture
def analysed(consultation, database_url, tmp_path, monkeypatch) -> Path:  # noqa: F811  # type: ignore[no-untyped-def]
    _fill(consultation)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["analyse", "--campaign", "uji", "--out", "out"])
    assert result.exit_code == 0, result.output
    return tmp_path / "out" / "analysis.xlsx"


def test_curate_load_list_analyse_and_undo(analysed: Path, session) -> None:  # type: ignore[no-untyped-def]
    rows = _edit(
        analysed,
        {BIRTH_NEED: (NEW_LABEL, "Persalinan aman"), BRIBE_OBSTACLE: (NEW_DOMAIN, "nowhere")},
    )
    refused = runner.invoke(app, ["curate", str(analysed), "--campaign", "uji", "--by", "Sari"])
    assert refused.exit_code == 1
    assert (
        f"Kurasi row {rows[BRIBE_OBSTACLE]}: “nowhere” is not a domain code; pick one from "
        "the list" in refused.output
    )
    assert "1 problem(s) in the Kurasi sheet of analysis.xlsx; nothing was stored" in (
        refused.output
    )
    assert session.exec(select(Curation)).all() == []  # nothing half-applied

    _edit(analysed, {BRIBE_OBSTACLE: (NEW_DOMAIN, "sosial")})
    loaded = runner.invoke(app, ["curate", str(analysed), "--campaign", "uji", "--by", "Sari"])
    assert loaded.exit_code == 0, loaded.output
    assert "Stored 2 curation(s) for uji by Sari" in loaded.output
    twice = runner.invoke(app, ["curate", str(analysed), "--campaign", "uji"])
    assert "Stored 0 curation(s)" in twice.output and "already stored as #" in twice.output

    analysed_again = runner.invoke(app, ["analyse", "--campaign", "uji", "--out", "out"])
    assert "Curations: 2 applied, 0 no longer apply" in analysed_again.output
    listing = runner.invoke(app, ["curate", "--list", "--campaign", "uji"])
    assert listing.exit_code == 0, listing.output
    assert f"ganti nama: tema “{BIRTH_NEED}”" in listing.output
    assert f"{BIRTH_NEED} → Persalinan aman; by Sari" in listing.output
    assert "berlaku" in listing.output and "2 curation(s) of uji" in listing.output

    first = min(c.id for c in session.exec(select(Curation)))
    undone = runner.invoke(
        app, ["curate", "--undo", str(first), "--campaign", "uji", "--by", "Ani"]
    )
    assert undone.exit_code == 0 and f"Undid #{first}" in undone.output
    again = runner.invoke(app, ["curate", "--undo", str(first), "--campaign", "uji"])
    assert again.exit_code == 1 and "already undone by Ani" in again.output
    listing = runner.invoke(app, ["curate", "--list", "--campaign", "uji"])
    assert "undone by Ani" in listing.output


def test_curate_refuses_what_it_cannot_use(analysed: Path, tmp_path: Path) -> None:
    neither = runner.invoke(app, ["curate", "--campaign", "uji"])
    assert neither.exit_code == 1 and "Give an analysis.xlsx to load" in neither.output
    missing = runner.invoke(app, ["curate", "nothing.xlsx", "--campaign", "uji"])
    assert missing.exit_code == 1 and "No file nothing.xlsx" in missing.output
    text = tmp_path / "notes.xlsx"
    text.write_text("not a workbook", encoding="utf-8")
    broken = runner.invoke(app, ["curate", str(text), "--campaign", "uji"])
    assert broken.exit_code == 1
    assert "notes.xlsx cannot be read as an .xlsx workbook" in broken.output
    created = runner.invoke(
        app, ["campaign", "create", "lain", "--name", "Lain", "--plan-years", "2027-2031"]
    )
    assert created.exit_code == 0, created.output
    other = runner.invoke(app, ["curate", str(analysed), "--campaign", "lain"])
    assert other.exit_code == 1
    assert "is the analysis of campaign uji, not lain" in other.output


def test_curate_refuses_a_filled_down_key_and_a_cleared_marker(analysed: Path, session) -> None:  # type: ignore[no-untyped-def]
    book = load_workbook(analysed)
    sheet = book[SHEET]
    key, label = COLUMNS.index("kunci") + 1, COLUMNS.index("label") + 1
    row = next(
        r for r in range(HEADER_ROW + 2, sheet.max_row) if sheet.cell(r, label).value == BIRTH_NEED
    )
    sheet.cell(row + 1, key).value = sheet.cell(row, key).value  # Excel fill-down
    sheet.cell(row + 1, COLUMNS.index(NEW_LABEL) + 1).value = "Label baru"
    book.save(analysed)
    refused = runner.invoke(app, ["curate", str(analysed), "--campaign", "uji"])
    assert refused.exit_code == 1
    assert (
        f"Kurasi row {row + 1}: the hidden kunci column was changed; copy the sheet again "
        "from the latest analysis.xlsx" in refused.output
    )
    assert session.exec(select(Curation)).all() == []

    sheet.cell(row + 1, key).value = None
    sheet.cell(1, key).value = None  # the campaign marker
    book.save(analysed)
    cleared = runner.invoke(app, ["curate", str(analysed), "--campaign", "uji"])
    assert cleared.exit_code == 1
    assert "hidden campaign marker" in cleared.output and "is missing" in cleared.output
    assert session.exec(select(Curation)).all() == []
