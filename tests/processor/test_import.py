"""Import of paper forms: bad rows reported, good rows loaded, all or nothing."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlmodel import select

from processor import importer
from processor.importer import ImportFileError, import_rows, parse_rows, read_table
from shared.db import session_scope
from shared.models import ImportedAnswer

YEARS = [2027, 2028, 2029, 2030, 2031]
EXTERNAL_CSV = """Responden;Bidang;Kebutuhan;Alasan;Hambatan;Strategi
Bu Siti;Kesehatan;puskesmas buka sampai sore;kerja pagi;antre lama;tambah dokter
;;jalan desa diaspal;becek kalau hujan;tidak ada anggaran;
Pak Budi;Planet;sinyal internet;;;
;;;;;
;pendidikan;;;;
Ani;;ngurus KTP lama, hub 081234567890;blangko habis;harus bolak-balik;
"""


def _parse(frame: pd.DataFrame, instrument: str = "external"):  # type: ignore[no-untyped-def]
    from shared.survey_data import load_survey_data

    survey_data = load_survey_data()
    return parse_rows(
        frame,
        instrument=instrument,
        domains=survey_data.domains,
        plan_years=YEARS,
        max_length=50,
        target_range=survey_data.questionnaire(instrument).target_range,  # as the CLI does
        budget_range=survey_data.questionnaire(instrument).year_range("budget"),
        agencies=survey_data.agencies,
        units=survey_data.units,
    )


def test_bad_rows_are_reported_with_row_number_and_reason(tmp_path: Path) -> None:
    path = tmp_path / "forms.csv"
    path.write_text(EXTERNAL_CSV, encoding="utf-8")
    rows, errors = _parse(read_table(path))
    assert [(e.row, e.reason) for e in errors] == [
        (4, "unknown domain 'Planet'"),
        (6, "no answer text in the row"),
    ]
    assert [r.row for r in rows] == [2, 3, 7]
    assert rows[0].domain == "kesehatan" and rows[0].respondent == "Bu Siti"
    assert rows[1].domain is None
    assert rows[0].texts == {
        "need": "puskesmas buka sampai sore",
        "reason": "kerja pagi",
        "obstacle": "antre lama",
        "strategy": "tambah dokter",
    }


def test_staff_targets_by_year_or_position(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "need": ["aspal jalan", "air bersih", "x" * 51, "lampu jalan", "drainase"],
            "target_2027": ["1.250", "4o", "1", "-5", "9" * 400],
            "target_y2": ["50,5%", "", "", "", ""],
        }
    )
    rows, errors = _parse(frame, "internal")
    # Read as the bot reads a typed target: 1.250 is a thousand two hundred and fifty.
    assert rows[0].numbers == {"target_y1": 1250.0, "target_y2": 50.5}
    # and held to the questionnaire's range, as the bot does (0 to 1.000.000.000)
    assert [(e.row, e.reason[:40]) for e in errors] == [
        (3, "target_y1: '4o' is not a number"),
        (4, "need: longer than 50 characters"),
        (5, "target_y1: -5 is outside 0–1,000,000,000"),
        (6, "target_y1: " + "9" * 29),
    ]
    assert errors[-1].reason.endswith("is outside 0–1,000,000,000")


STAFF_CSV = "\n".join(
    [
        "Bidang;Kebutuhan;Strategi;Perangkat Daerah;Indikator;Satuan;Nilai Awal;Tahun Dasar;"
        "Target 2027;Target 2028;Pagu 2027;Pagu_Y2",
        "Kesehatan;ambulans desa;tambah armada;Dinas Kesehatan;Desa dengan ambulans;desa;12;2025;"
        "15;18;1,5 miliar;1.750.000.000",
        "Kesehatan;puskesmas 24 jam;rekrut dokter;RSUD;Cakupan layanan;%;45,5;2024;50,5;55;;",
        "Kesehatan;posyandu aktif;kader;Dinas Kehutanan;Posyandu aktif;unit;10;2025;12;14;;",
        "Kesehatan;jalan desa;aspal;PUPR;Panjang jalan;meter persegi;2;2025;3;4;;",
        "Kesehatan;sekolah;guru;disdikbud;Sekolah layak;sekolah;2,5;2027;3,5;4;;",
        "",
    ]
)


def test_staff_rows_carry_agency_unit_baseline_and_budget(tmp_path: Path) -> None:
    path = tmp_path / "staf.csv"
    path.write_text(STAFF_CSV, encoding="utf-8")
    rows, errors = _parse(read_table(path), "internal")
    assert [r.row for r in rows] == [2, 3]
    assert rows[0].texts["opd"] == "dinkes" and rows[0].texts["unit"] == "desa"
    assert rows[0].numbers == {
        "baseline": 12.0,
        "baseline_year": 2025.0,
        "target_y1": 15.0,
        "target_y2": 18.0,
        "budget_y1": 1_500_000_000.0,
        "budget_y2": 1_750_000_000.0,
    }
    assert (rows[1].texts["opd"], rows[1].texts["unit"]) == ("rsud", "persen")
    assert rows[1].numbers["baseline"] == 45.5 and "budget_y1" not in rows[1].numbers
    reasons = {e.row: e.reason for e in errors}
    assert reasons[4] == "unknown OPD 'Dinas Kehutanan' (see `rembuk campaign agencies`)"
    assert reasons[5].startswith("unknown unit 'meter persegi'; use one of: %, unit, orang")
    # a year inside the plan, and decimals of a unit that counts whole schools
    assert reasons[6] == (
        "baseline_year: '2027' is not a year from 2000 to 2026; "
        "baseline: 2.5 is not a whole number of schools; "
        "target_y1: 3.5 is not a whole number of schools"
    )


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        (["nama", "need"], "unknown column(s) nama"),
        (["domain", "respondent"], "no answer column"),
        (["need", "kebutuhan"], "two columns hold the same field"),
        (["need", "target_2040"], "unknown column(s) target_2040"),
        (["need", "pagu_2040"], "unknown column(s) pagu_2040"),
        (["opd", "target_2027"], "no answer column"),
    ],
)
def test_bad_files_are_refused_whole(columns: list[str], message: str) -> None:
    kind = "internal" if any(c.startswith(("target", "pagu")) for c in columns) else "external"
    with pytest.raises(ImportFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        _parse(pd.DataFrame({c: ["x"] for c in columns}), kind)


def test_xlsx_is_read_like_csv(tmp_path: Path) -> None:
    path = tmp_path / "forms.xlsx"
    pd.DataFrame({"Kebutuhan": ["air bersih", None], "Bidang": ["PU & Tata Ruang", ""]}).to_excel(
        path, index=False
    )
    rows, errors = _parse(read_table(path))
    assert errors == [] and [(r.row, r.domain) for r in rows] == [(2, "pekerjaan_umum")]


@pytest.mark.parametrize(
    ("written", "domain"),
    [
        ("PU  &  tata ruang", "pekerjaan_umum"),  # an earlier button label, spaced loosely
        ("Adminduk", "adminduk_perizinan"),
        ("KTP, KK & Perizinan", "adminduk_perizinan"),
        ("ＫＥＳＥＨＡＴＡＮ", "kesehatan"),  # full-width letters, as some keyboards type
    ],
)
def test_a_domain_is_read_by_any_of_its_names(written: str, domain: str) -> None:
    rows, errors = _parse(pd.DataFrame({"kebutuhan": ["air bersih"], "bidang": [written]}))
    assert errors == [] and [r.domain for r in rows] == [domain]


def _load(consultation, tmp_path: Path, name: str = "forms.csv", **kwargs):  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_text(EXTERNAL_CSV, encoding="utf-8")
    rows, errors = _parse(read_table(path))
    return (
        rows,
        errors,
        dict(
            campaign=consultation.campaign,
            instrument="external",
            file=name,
            rows=rows,
            pseudonym_key="k",
            now=pd.Timestamp("2026-11-27", tz="UTC").to_pydatetime(),
            **kwargs,
        ),
    )


def test_good_rows_are_loaded_with_pseudonyms(consultation, engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    consultation.session.commit()
    rows, errors, args = _load(consultation, tmp_path)
    with session_scope(engine) as session:
        answers, replaced = import_rows(session=session, **args)
    assert (answers, replaced, len(errors)) == (10, 0, 2)
    with session_scope(engine) as session:
        stored = session.exec(select(ImportedAnswer).order_by(ImportedAnswer.id)).all()
        assert len(stored) == 10
        assert {a.source_row for a in stored} == {2, 3, 7}
        labels = {a.source_row: a.respondent_label for a in stored}
        assert labels[3] is None and labels[2].startswith("r-") and "Siti" not in labels[2]
        # Loading the same file twice is refused; --replace swaps it in one transaction.
        with pytest.raises(ImportFileError, match="already imported"):
            import_rows(session=session, **args)
    with session_scope(engine) as session:
        assert import_rows(session=session, **dict(args, replace=True)) == (10, 10)
    with session_scope(engine) as session:
        assert len(session.exec(select(ImportedAnswer)).all()) == 10


def test_a_crash_midway_leaves_nothing_behind(
    consultation,
    engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    consultation.session.commit()
    seen: list[int] = []

    def crash_on_second_row(form) -> None:  # type: ignore[no-untyped-def]
        seen.append(form.row)
        if len(seen) == 2:
            raise RuntimeError("power cut")

    rows, errors, args = _load(consultation, tmp_path, on_row=crash_on_second_row)
    with pytest.raises(RuntimeError, match="power cut"), session_scope(engine) as session:
        import_rows(session=session, **args)
    with session_scope(engine) as session:
        assert session.exec(select(ImportedAnswer)).all() == []
    # And the same file then loads cleanly.
    with session_scope(engine) as session:
        assert import_rows(session=session, **dict(args, on_row=None)) == (10, 0)


def test_a_crash_while_replacing_keeps_the_old_import(
    consultation,
    engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    consultation.session.commit()
    rows, errors, args = _load(consultation, tmp_path)
    with session_scope(engine) as session:
        import_rows(session=session, **args)
    monkeypatch.setattr(importer, "_BATCH", 2)  # so new answers are written before the crash
    calls = {"n": 0}

    def failing(form) -> None:  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] > 2:  # the old answers deleted, some new ones inserted
            raise OSError("disk full")

    with pytest.raises(OSError), session_scope(engine) as session:
        import_rows(session=session, **dict(args, replace=True, on_row=failing))
    with session_scope(engine) as session:
        assert len(session.exec(select(ImportedAnswer)).all()) == 10
