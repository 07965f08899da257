"""Issue 12: imports that one bad character, an odd CSV, a second concurrent run or a huge
file used to break."""

from __future__ import annotations

import threading
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import xlsxwriter
from sqlmodel import Session, select
from typer.testing import CliRunner

from processor.digest_job import produce_digest
from processor.importer import (
    ImportFileError,
    file_digest,
    import_rows,
    parse_rows,
    read_table,
)
from shared.clean import has_illegal_characters
from shared.db import session_scope
from shared.models import ImportedAnswer, ImportedFile
from tests.conftest import NOW

YEARS = [2027, 2028, 2029, 2030, 2031]
runner = CliRunner()


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _import(path: Path, *args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    from cli.main import app

    return runner.invoke(
        app, ["import", str(path), "--campaign", "uji", *args], env=env, catch_exceptions=False
    )


@pytest.fixture
def cli_env(consultation, database_url: str, monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    consultation.session.commit()
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)


def _stored_texts(engine) -> list[str]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return [a.value_text for a in session.exec(select(ImportedAnswer)) if a.value_text]


# 1. One character never stops a campaign -----------------------------------------------


def test_a_vertical_tab_in_csv_rows_is_cleaned_and_the_digest_runs(
    cli_env, engine, survey_data, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    citizens = _write(
        tmp_path,
        "warga.csv",
        "responden,bidang,kebutuhan,alasan\n"
        + "".join(
            f"Warga {n},kesehatan,obat di puskesmas\x0b sering habis,jauh\x0c dari kota\n"
            for n in range(3)
        ),
    )
    staff = _write(
        tmp_path,
        "staf.csv",
        "bidang,kebutuhan,realisasi,strategi,target_2027\n"
        "kesehatan,stok obat puskesmas\x0b,pengadaan\x0b obat 2025,e-katalog obat\x00,90\n",
    )
    assert _import(citizens, "--instrument", "external").exit_code == 0
    assert _import(staff, "--instrument", "internal").exit_code == 0
    texts = _stored_texts(engine)
    assert "obat di puskesmas  sering habis" in texts and "pengadaan  obat 2025" in texts
    assert not any(has_illegal_characters(t) for t in texts)
    produced = produce_digest(
        engine=engine,
        survey_data=survey_data,
        campaign_code="uji",
        slot="manual:test",
        out_dir=tmp_path / "out",
        now=NOW,
        record=False,
    )
    assert produced.summary["counts"]["imported_answers"] == len(texts)
    assert (tmp_path / "out").is_dir() and any((tmp_path / "out").rglob("*.docx"))


def test_an_xlsx_cell_with_a_control_character_is_read_as_text_not_as_its_escape(
    tmp_path: Path,
) -> None:
    path = tmp_path / "forms.xlsx"
    with xlsxwriter.Workbook(str(path)) as book:  # stores \x0b as _x000B_, as Excel does
        sheet = book.add_worksheet()
        for row, values in enumerate(
            [("kebutuhan", "alasan"), ("obat\x0b habis", "ketik _x0041_ saja"), ("baris\x01", "")]
        ):
            for column, value in enumerate(values):
                sheet.write_string(row, column, value)
    frame = read_table(path)
    assert frame["kebutuhan"].tolist() == ["obat  habis", "baris "]
    assert frame["alasan"].tolist() == ["ketik _x0041_ saja", ""]  # only controls decoded


# 3. CSV reading -----------------------------------------------------------------------------


def test_a_trailing_delimiter_does_not_shift_the_columns(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "forms.csv",
        "responden,kebutuhan,alasan\nWarga Satu,obat habis,jauh dari kota,\n"
        "Warga Dua,jalan rusak,,\n",
    )
    frame = read_table(path)
    assert frame.to_dict("records") == [
        {"responden": "Warga Satu", "kebutuhan": "obat habis", "alasan": "jauh dari kota"},
        {"responden": "Warga Dua", "kebutuhan": "jalan rusak", "alasan": ""},
    ]


def test_text_past_the_header_refuses_the_file_naming_the_row(tmp_path: Path) -> None:
    path = _write(tmp_path, "forms.csv", "kebutuhan,alasan\nobat,jauh\nair,keruh,lagi\n")
    with pytest.raises(ImportFileError, match="row 3 has 3 cells but the header has 2"):
        read_table(path)


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("kebutuhan\nobat habis di puskesmas\nbus sekolah\n", ["obat habis di puskesmas"]),
        ("kebutuhan;alasan\nobat, vitamin;jauh\n", ["obat, vitamin"]),
        ("kebutuhan\talasan\nobat, vitamin\tjauh; sekali\n", ["obat, vitamin"]),
    ],
)
def test_the_delimiter_is_the_one_that_splits_the_header(text: str, column: list[str]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        frame = read_table(_write(Path(folder), "forms.csv", text))
    assert frame["kebutuhan"].tolist()[: len(column)] == column


@pytest.mark.parametrize("text", ["", "\n\n  \n", "\ufeff"])
def test_an_empty_csv_is_said_to_be_empty(tmp_path: Path, text: str) -> None:
    with pytest.raises(ImportFileError, match="^the file is empty$"):
        read_table(_write(tmp_path, "forms.csv", text))


def test_a_repeated_column_is_named_as_repeated(tmp_path: Path) -> None:
    path = _write(tmp_path, "forms.csv", "kebutuhan,alasan,Kebutuhan\nobat,jauh,air\n")
    with pytest.raises(ImportFileError, match="the column kebutuhan appears twice"):
        read_table(path)


def test_a_windows_1252_csv_from_excel_is_read_with_its_accents(tmp_path: Path) -> None:
    """Excel's "CSV (Comma delimited)" on Windows writes Windows-1252, not UTF-8."""
    path = tmp_path / "rapat.csv"
    path.write_bytes(
        "kebutuhan;alasan\nKafé – puskesmas buka sore;jam 08.00–12.00\n".encode("cp1252")
    )
    table = read_table(path)
    assert table.to_dict("records") == [
        {"kebutuhan": "Kafé – puskesmas buka sore", "alasan": "jam 08.00–12.00"}
    ]


def test_utf8_stays_utf8_even_when_a_character_straddles_a_read_block(tmp_path: Path) -> None:
    line = "x" * 99 + "\n"  # 100 bytes
    head = "kebutuhan\n" + line * ((1 << 20) // 100 - 1)
    padding = "y" * ((1 << 20) - len(head.encode()) - 1)  # "é" (2 bytes) starts at the last byte
    path = tmp_path / "panjang.csv"
    path.write_bytes((head + padding + "é\n").encode("utf-8"))
    assert read_table(path)["kebutuhan"].iloc[-1] == padding + "é"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_a_utf16_csv_is_refused_with_how_to_save_it(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "unicode.csv"
    path.write_bytes("kebutuhan\nobat\n".encode(encoding))
    if not path.read_bytes().startswith((b"\xff\xfe", b"\xfe\xff")):
        path.write_bytes(b"\xfe\xff" + path.read_bytes())
    with pytest.raises(ImportFileError, match='UTF-16 text; save it as "CSV UTF-8"'):
        read_table(path)


def test_bytes_neither_utf8_nor_windows_1252_refuse_the_file(tmp_path: Path, caplog) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "aneh.csv"
    path.write_bytes(b"kebutuhan\nobat \x81\x8d\n")  # undefined in Windows-1252
    with pytest.raises(ImportFileError, match="neither UTF-8 nor Windows-1252"):
        read_table(path)
    assert "read as Windows-1252" not in caplog.text  # one line: the refusal alone


def test_the_file_name_is_printed_once_in_an_error(cli_env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = _write(tmp_path, "rapat-desa.csv", "kebutuhan,nama\nobat,Bu Siti\n")
    result = _import(path, "--instrument", "external")
    assert result.exit_code != 0
    assert result.output.count("rapat-desa.csv") == 1, result.output
    assert "unknown column(s) nama" in result.output


# 2. Idempotent imports ---------------------------------------------------------------------


def _parsed(path: Path):  # type: ignore[no-untyped-def]
    from shared.survey_data import load_survey_data

    survey_data = load_survey_data()
    rows, errors = parse_rows(
        read_table(path),
        instrument="external",
        domains=survey_data.domains,
        plan_years=YEARS,
        max_length=500,
    )
    assert errors == []
    return rows


def test_two_imports_of_one_file_at_once_load_it_once(consultation, engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    consultation.session.commit()
    path = _write(
        tmp_path, "dup.csv", "kebutuhan\n" + "".join(f"kebutuhan {n}\n" for n in range(50))
    )
    rows = _parsed(path)
    first_holds = threading.Event()
    outcome: dict[str, object] = {}

    def hold(form) -> None:  # type: ignore[no-untyped-def]
        # The first import keeps its transaction open while the second one starts.
        if not first_holds.is_set():
            first_holds.set()
            threading.Event().wait(1.0)

    def run(name: str, on_row) -> None:  # type: ignore[no-untyped-def]
        try:
            with session_scope(engine) as session:
                outcome[name] = import_rows(
                    session=session,
                    campaign=consultation.campaign,
                    instrument="external",
                    file="dup.csv",
                    rows=rows,
                    pseudonym_key="k",
                    now=NOW,
                    content_hash=file_digest(path),
                    on_row=on_row,
                )
        except ImportFileError as exc:
            outcome[name] = exc

    first = threading.Thread(target=run, args=("first", hold))
    first.start()
    assert first_holds.wait(10)
    second = threading.Thread(target=run, args=("second", None))
    second.start()
    first.join(30)
    second.join(30)
    assert outcome["first"] == (50, 0)
    assert isinstance(outcome["second"], ImportFileError)
    assert "already imported" in str(outcome["second"])
    with Session(engine) as session:
        assert len(session.exec(select(ImportedAnswer)).all()) == 50
        record = session.exec(select(ImportedFile)).one()
        assert (record.file_name, record.rows, record.answers) == ("dup.csv", 50, 50)
        assert record.content_hash == file_digest(path)


def test_the_same_content_under_another_name_is_warned_about(
    cli_env, engine, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    text = "kebutuhan\nobat habis\n"
    first = _import(_write(tmp_path, "a.csv", text), "--instrument", "external")
    assert first.exit_code == 0 and "warning" not in first.output
    again = _import(_write(tmp_path, "a.csv", text), "--instrument", "external")
    assert again.exit_code != 0 and "a.csv: already imported into uji (1 answers)" in again.output
    second = _import(_write(tmp_path, "b.csv", text), "--instrument", "external")
    assert second.exit_code == 0
    assert "warning: b.csv has the same content as a.csv" in " ".join(second.output.split())
    replaced = _import(tmp_path / "a.csv", "--instrument", "external", "--replace")
    assert replaced.exit_code == 0 and "replacing 1 earlier answers" in replaced.output
    assert len(_stored_texts(engine)) == 2


# 8. Bounds ----------------------------------------------------------------------------------


def test_a_csv_over_the_row_or_byte_limit_is_refused_before_it_is_read(
    cli_env, engine, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    path = _write(tmp_path, "big.csv", "kebutuhan\n" + "obat habis\n" * 3)
    rows = _import(path, "--instrument", "external", env={"REMBUK_IMPORT_MAX_ROWS": "2"})
    assert rows.exit_code != 0 and "REMBUK_IMPORT_MAX_ROWS" in rows.output
    size = _import(path, "--instrument", "external", env={"REMBUK_IMPORT_MAX_BYTES": "20"})
    assert size.exit_code != 0 and "REMBUK_IMPORT_MAX_BYTES" in size.output
    assert _stored_texts(engine) == []
    exact = _import(path, "--instrument", "external", env={"REMBUK_IMPORT_MAX_ROWS": "3"})
    assert exact.exit_code == 0 and len(_stored_texts(engine)) == 3


def test_an_xlsx_that_expands_past_the_limit_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    pd.DataFrame({"kebutuhan": [f"{n} " + "x" * 1000 for n in range(2000)]}).to_excel(
        path, index=False
    )
    assert path.stat().st_size < 100_000  # compresses well ...
    with zipfile.ZipFile(path) as archive:
        expanded = sum(info.file_size for info in archive.infolist())
    assert expanded > 1_000_000  # ... and expands
    with pytest.raises(ImportFileError, match="bytes uncompressed"):
        read_table(path, max_bytes=1_000_000)
    with pytest.raises(ImportFileError, match="rows 2,000, the limit is 1,999"):
        read_table(path, max_rows=1999)
    assert len(read_table(path, max_bytes=expanded, max_rows=2000)) == 2000


def test_an_xlsx_with_no_declared_size_is_still_held_to_the_row_limit(tmp_path: Path) -> None:
    path = tmp_path / "forms.xlsx"
    pd.DataFrame({"kebutuhan": ["obat"] * 10}).to_excel(path, index=False)
    # Without the sheet's <dimension> the rows are counted from the data itself.
    stripped = tmp_path / "stripped.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(stripped, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("xl/worksheets/"):
                data = data.replace(b'<dimension ref="A1:A11"/>', b"")
            target.writestr(info, data)
    with pytest.raises(ImportFileError, match="the limit is 9"):
        read_table(stripped, max_rows=9)


def test_not_an_xlsx_is_refused_in_one_line(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="^not a readable .xlsx file"):
        read_table(_write(tmp_path, "forms.xlsx", "kebutuhan\nobat\n"))


def test_bulk_insert_keeps_every_character_and_number(consultation, engine) -> None:  # type: ignore[no-untyped-def]
    from processor.importer import FormRow

    consultation.session.commit()
    texts = ["a\tb", "c\\nd \\N", "line one\nline two\r\nthree", "kutip \"'", "ünï ✓ 😀"]
    rows = [
        FormRow(row=n + 2, respondent="Bu Siti", domain="kesehatan", texts={"need": t}, numbers={})
        for n, t in enumerate(texts)
    ] + [FormRow(row=9, respondent=None, domain=None, texts={}, numbers={"target_y1": 1250.5})]
    with session_scope(engine) as session:
        assert import_rows(
            session=session,
            campaign=consultation.campaign,
            instrument="internal",
            file="staf.csv",
            rows=rows,
            pseudonym_key="k",
            now=NOW,
        ) == (6, 0)
    with Session(engine) as session:
        stored = session.exec(select(ImportedAnswer).order_by(ImportedAnswer.source_row)).all()
    assert [a.value_text for a in stored[:5]] == texts
    assert stored[5].value_number == 1250.5 and stored[5].respondent_label is None
    assert {a.imported_at for a in stored} == {NOW}
    assert stored[0].instrument == "internal" and stored[0].domain == "kesehatan"
    assert stored[0].respondent_label.startswith("r-")


def test_two_rembuk_import_processes_at_once_load_the_file_once(
    consultation, engine, database_url: str, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    import os
    import subprocess
    import sys

    consultation.session.commit()
    path = _write(
        tmp_path, "dup.csv", "kebutuhan,alasan\n" + "".join(f"obat {n},jauh\n" for n in range(8000))
    )
    rembuk = str(Path(sys.executable).parent / "rembuk")
    env = {**os.environ, "DATABASE_URL": database_url, "REMBUK_PSEUDONYM_KEY": "k"}
    command = [rembuk, "import", str(path), "--instrument", "external", "--campaign", "uji"]
    runs = [
        subprocess.Popen(
            command,
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [(run.communicate(timeout=120)[0], run.returncode) for run in runs]
    outputs = [(code, output) for output, code in outputs]
    assert sorted(code for code, _ in outputs) == [0, 1], outputs
    refused = next(output for code, output in outputs if code)
    assert "dup.csv: already imported into uji" in " ".join(refused.split())
    with Session(engine) as session:
        assert len(session.exec(select(ImportedAnswer)).all()) == 16_000


def test_an_unreadable_file_is_said_so_without_its_path(tmp_path: Path) -> None:
    folder = tmp_path / "forms.csv"
    folder.mkdir()  # a directory named like a file: open() fails
    with pytest.raises(ImportFileError) as caught:
        read_table(folder)
    assert str(caught.value) == "cannot read it: Is a directory"


def test_a_quote_never_closed_refuses_the_file_instead_of_swallowing_rows(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from processor.importer import ImportFileError, read_table

    path = tmp_path / "unclosed.csv"
    path.write_text(
        'responden,kebutuhan,alasan\nA,"obat habis,jauh\nB,jalan rusak,banjir\nC,air,kering\n',
        encoding="utf-8",
    )
    with pytest.raises(ImportFileError, match="never closed"):
        read_table(path)
    fine = tmp_path / "multiline.csv"
    fine.write_text('responden,kebutuhan\nA,"obat habis\nsetiap bulan"\nB,air\n', encoding="utf-8")
    assert read_table(fine)["kebutuhan"].tolist() == ["obat habis\nsetiap bulan", "air"]


def test_percent_cells_read_as_fractions_are_refused_with_a_reason(survey_data) -> None:  # type: ignore[no-untyped-def]
    from processor.importer import parse_rows

    frame = pd.DataFrame(
        {
            "bidang": ["kesehatan", "kesehatan"],
            "kebutuhan": ["obat lengkap", "obat lengkap"],
            "strategi": ["e-logistik", "e-logistik"],
            "indikator": ["Ketersediaan obat (%)", "Ketersediaan obat (%)"],
            "satuan": ["%", "%"],
            "nilai_awal": ["0.45", "-5"],
            "tahun_dasar": ["2025", "2025"],
            "target_2027": ["0.5", "50"],
        },
        dtype=object,
    )
    rows, errors = parse_rows(
        frame,
        instrument="internal",
        domains=survey_data.domains,
        plan_years=[2027, 2028, 2029, 2030, 2031],
        max_length=2000,
        target_range=survey_data.questionnaire("internal").target_range,
        budget_range=survey_data.questionnaire("internal").year_range("budget"),
        agencies=survey_data.agencies,
        units=survey_data.units,
    )
    assert not rows
    fraction, negative = (e.reason for e in errors)
    assert "look like fractions; write 45 for 45 %" in fraction
    assert "baseline" in negative and "without a baseline" not in negative
