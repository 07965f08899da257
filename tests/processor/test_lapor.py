"""SP4N-LAPOR! imports (issue 11 item 6): the "Laporan Ringkas" export as XLSX (its 20
headings) or CSV (snake_case and short headings), one complaint per report, tracking ids
that make a newer export add only new reports, Rahasia reports counted but never shown,
Anonim reports without a respondent, and domain hints from the category and agency."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from lxml import etree
from sqlmodel import Session, SQLModel, select
from typer.testing import CliRunner

from cli.main import app
from processor.analysis import run_analysis
from processor.digest import compose_digest
from processor.draft import write_draft
from processor.importer import ImportFileError, read_table
from processor.lapor import (
    COMPLAINT_QUESTION,
    CONFIDENTIAL_QUESTION,
    import_reports,
    import_warnings,
    lapor_columns,
    looks_like_lapor,
    parse_reports,
    report_text,
)
from processor.load import load_campaign_frames
from processor.render import write_answers_export
from shared import crud, db
from shared.lapor_data import load_lapor_mapping
from shared.models import ComplaintReport, ImportedAnswer
from shared.survey_data import SurveyDataError, load_survey_data

DATA = Path(__file__).parent / "data"
NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
# Words of the three Rahasia reports of the sample (4521003, 4521006, 4521011).
SECRETS = ("obat di puskesmas sering habis", "blt dana desa", "pungutan uang seragam")


@pytest.fixture(scope="module")
def mapping():  # type: ignore[no-untyped-def]
    return load_lapor_mapping(domains=load_survey_data().domains)


def _reports(name: str, mapping):  # type: ignore[no-untyped-def]
    return parse_reports(read_table(DATA / name), mapping=mapping)


def test_the_xlsx_export_with_its_20_headings_is_read(mapping) -> None:  # type: ignore[no-untyped-def]
    reports, errors = _reports("lapor-sample.xlsx", mapping)
    assert errors == [] and len(reports) == 12
    by_id = {r.tracking_id: r for r in reports}
    # Title, then the final body when there is one (4521002), else the initial one.
    assert by_id["4521002"].text == (
        "Bansos PKH tidak cair. Bantuan PKH pelapor tidak cair selama tiga bulan padahal "
        "terdaftar di DTKS."
    )
    assert by_id["4521001"].text.startswith("Jalan rusak parah di Desa Lubuk Kambing. Saya")
    assert [r.tracking_id for r in reports if r.confidential] == ["4521003", "4521006", "4521011"]
    assert [r.tracking_id for r in reports if r.anonymous] == ["4521004", "4521006"]
    # Agency first, category when the agency names no domain; none when neither maps.
    assert by_id["4521008"].domain == "energi"  # PT PLN (Persero)
    assert by_id["4521007"].domain == "kesehatan"  # Puskesmas Merlung
    assert by_id["4521010"].domain is None  # Topik Khusus, Pemerintah Kabupaten
    assert by_id["4521004"].domain == "adminduk_perizinan"
    assert (by_id["4521001"].kecamatan, by_id["4521004"].kecamatan) == ("merlung", "betara")
    assert by_id["4521002"].kelurahan == "tungkal ii"


def test_the_csv_with_short_headings_reads_the_same_reports(mapping) -> None:  # type: ignore[no-untyped-def]
    full, _ = _reports("lapor-sample.xlsx", mapping)
    short, errors = _reports("lapor-sample.csv", mapping)
    assert errors == []
    assert [(r.tracking_id, r.text, r.domain, r.confidential, r.anonymous) for r in short] == [
        (r.tracking_id, r.text, r.domain, r.confidential, r.anonymous) for r in full
    ]


def test_headings_match_loosely(mapping) -> None:  # type: ignore[no-untyped-def]
    plan = lapor_columns(
        ["TRACKING-ID", "judul_laporan", "Isi Laporan (Awal)", "Dinas Tujuan", "kolom lain"],
        mapping,
    )
    assert plan == {
        "TRACKING-ID": "tracking_id",
        "judul_laporan": "title",
        "Dinas Tujuan": "agency",
    } | {"Isi Laporan (Awal)": "body_initial"}
    assert looks_like_lapor(["Tracking_ID", "Isi Laporan"], mapping)
    assert not looks_like_lapor(["tracking id", "status"], mapping)
    assert not looks_like_lapor(["respondent", "domain", "isi"], mapping)


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        (["judul", "isi"], "no Tracking ID column"),
        (["tracking_id", "status"], "no Judul Laporan or Isi Laporan column"),
        (["tracking_id", "judul", "Judul Laporan"], "two columns hold the title field"),
    ],
)
def test_a_file_that_is_no_lapor_export_is_refused(mapping, columns, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ImportFileError, match=message):
        lapor_columns(columns, mapping)


def test_bad_rows_are_reported(mapping) -> None:  # type: ignore[no-untyped-def]
    frame = pd.DataFrame(
        {
            "tracking_id": ["1", "", "2", "1", ""],
            "judul": ["Jalan rusak", "Air mati", "", "Lagi", ""],
            "isi_laporan_awal": ["", "", "", "", ""],
        }
    )
    reports, errors = parse_reports(frame, mapping=mapping)
    assert [r.tracking_id for r in reports] == ["1"]
    assert [(e.row, e.reason) for e in errors] == [
        (3, "no tracking id"),
        (4, "no title and no text"),
        (5, "tracking id 1 is also in row 2"),
    ]


@pytest.mark.parametrize(
    ("columns", "cells", "expected"),
    [
        # One type column, Indonesian or English, in any case and with stray spaces.
        (["Tipe Laporan"], ["Rahasia"], (True, False)),
        (["Sifat Laporan"], ["RAHASIA "], (True, False)),
        (["Report Type"], ["Confidential"], (True, False)),
        (["Tipe"], ["Anonymous"], (False, True)),
        (["Tipe Laporan"], ["Anonim, Rahasia"], (True, True)),
        (["Tipe Laporan"], ["Tidak Rahasia"], (False, False)),
        (["Tipe Laporan"], ["Biasa"], (False, False)),
        (["Tipe Laporan"], [""], (False, False)),
        # Ya/Tidak columns of their own.
        (["Rahasia", "Anonim"], ["Ya", "Tidak"], (True, False)),
        (["is_rahasia", "anonim"], ["true", "1"], (True, True)),
        (["is_rahasia", "is_anonim"], ["false", "0"], (False, False)),
        (["Tipe Laporan", "Rahasia"], ["Biasa", "Ya"], (True, False)),
    ],
)
def test_report_types_and_flag_columns(mapping, columns, cells, expected) -> None:  # type: ignore[no-untyped-def]
    frame = pd.DataFrame(
        [["1", "Pungli di kantor desa", *cells]], columns=["id laporan", "judul", *columns]
    )
    reports, errors = parse_reports(frame, mapping=mapping)
    assert errors == [] and (reports[0].confidential, reports[0].anonymous) == expected
    assert import_warnings(list(frame.columns), reports, mapping) == []


def test_an_unknown_type_is_kept_rahasia_and_a_missing_type_warns(mapping) -> None:  # type: ignore[no-untyped-def]
    frame = pd.DataFrame(
        [["1", "Pungli", "R"], ["2", "Jalan", "Biasa"], ["3", "Air", "Rahasia"]],
        columns=["Tracking ID", "Judul", "Tipe Laporan"],
    )
    reports, _ = parse_reports(frame, mapping=mapping)
    assert [r.confidential for r in reports] == [True, False, True]
    assert import_warnings(list(frame.columns), reports, mapping) == [
        "1 reports have a type lapor.yaml does not know ('R'): they are treated as Rahasia"
    ]
    untyped = frame.drop(columns="Tipe Laporan")
    reports, _ = parse_reports(untyped, mapping=mapping)
    assert not any(r.confidential for r in reports)
    assert import_warnings(list(untyped.columns), reports, mapping) == [
        "no report type column (Tipe Laporan, Rahasia, Anonim): all reports are treated as public"
    ]


def test_a_tracking_id_in_scientific_notation_is_refused_not_merged(mapping) -> None:  # type: ignore[no-untyped-def]
    """Excel writes 4521003 and 4521004 alike as 4.521E+06 once the column is narrowed."""
    frame = pd.DataFrame(
        {"tracking_id": ["4.521E+06", "4,521e+06", "4521003"], "judul": ["a", "b", "c"]}
    )
    reports, errors = parse_reports(frame, mapping=mapping)
    assert [r.tracking_id for r in reports] == ["4521003"]
    assert [e.row for e in errors] == [2, 3]
    assert all("cut short by a spreadsheet" in e.reason for e in errors)


def test_tracking_ids_are_trimmed_and_compared_without_case(  # type: ignore[no-untyped-def]
    session: Session, survey_data, mapping
) -> None:
    frame = pd.DataFrame(
        {"Tracking ID": ["0045", "45", " 45 ", "ab7", "AB7 "], "Judul": list("abcde")}
    )
    reports, errors = parse_reports(frame, mapping=mapping)
    assert [r.tracking_id for r in reports] == ["0045", "45", "ab7"]  # leading zeros count
    assert [(e.row, e.reason) for e in errors] == [
        (4, "tracking id 45 is also in row 3"),
        (6, "tracking id AB7 is also in row 5"),
    ]
    campaign = crud.ensure_default_campaign(
        session=session, survey_data=survey_data, timezone="Asia/Jakarta", now=NOW
    )
    first = import_reports(
        session=session,
        campaign=campaign,
        file="a.csv",
        reports=reports,
        pseudonym_key="k",
        now=NOW,
    )
    newer = pd.DataFrame({"Tracking ID": ["Ab7", "0046"], "Judul": ["x", "y"]})
    again = import_reports(
        session=session,
        campaign=campaign,
        file="b.csv",
        reports=parse_reports(newer, mapping=mapping)[0],
        pseudonym_key="k",
        now=NOW,
    )
    assert (first.new, again.new, again.known) == (3, 1, 1)


def test_report_text() -> None:
    assert report_text("Judul", "awal", "akhir") == "Judul. akhir"
    assert report_text("Judul?", "awal", "") == "Judul? awal"
    assert report_text("Jalan rusak", "Jalan rusak parah", "") == "Jalan rusak parah"
    assert report_text("", "", "isi") == "isi" and report_text("Judul", "", "") == "Judul"


def test_a_bad_mapping_stops_start_up(data_dir_copy: Path) -> None:
    path = data_dir_copy / "lapor.yaml"
    path.write_text(path.read_text().replace("  energi: [pln", "  listrikku: [pln"))
    with pytest.raises(SurveyDataError, match="lapor.yaml: unknown domain 'listrikku'"):
        load_survey_data(data_dir_copy)


def test_a_newer_export_adds_only_new_reports(session: Session, survey_data, mapping) -> None:  # type: ignore[no-untyped-def]
    campaign = crud.ensure_default_campaign(
        session=session, survey_data=survey_data, timezone="Asia/Jakarta", now=NOW
    )
    results = []
    for name in ("lapor-sample.xlsx", "lapor-sample.csv", "lapor-sample-newer.csv"):
        reports, _ = _reports(name, mapping)
        results.append(
            import_reports(
                session=session,
                campaign=campaign,
                file=name,
                reports=reports,
                pseudonym_key="k",
                now=NOW,
            )
        )
    session.commit()
    assert [(r.new, r.known, r.confidential, r.anonymous) for r in results] == [
        (12, 0, 3, 2),
        (0, 12, 0, 0),
        (3, 12, 0, 1),
    ]
    everything = session.exec(select(ImportedAnswer)).all()
    # A named report's kecamatan is a profile row for the coverage tables, not an answer.
    places = {
        a.respondent_label: a.value_text for a in everything if a.question_id.startswith("profile_")
    }
    answers = [a for a in everything if not a.question_id.startswith("profile_")]
    assert None not in places and "merlung" in places.values()
    frames = load_campaign_frames(connection=session.connection(), campaign=campaign)
    assert frames.profiles is not None
    by_respondent = dict(
        zip(frames.profiles["respondent"], frames.profiles["kecamatan"], strict=True)
    )
    assert {k: by_respondent[k] for k in places} == places
    assert len(answers) == 15
    assert sum(a.question_id == CONFIDENTIAL_QUESTION for a in answers) == 3
    assert sum(a.question_id == COMPLAINT_QUESTION for a in answers) == 12
    # Anonim: no respondent label; every other report is its own respondent.
    labels = [a.respondent_label for a in answers]
    assert labels.count(None) == 3 and len({x for x in labels if x}) == 12
    assert all("4521" not in (x or "") for x in labels)
    stored = {r.tracking_id: r for r in session.exec(select(ComplaintReport)).all()}
    assert stored["4521001"].kecamatan == "merlung" and stored["4521006"].confidential
    assert stored["4521013"].source_file == "lapor-sample-newer.csv"


def test_the_cli_imports_and_refuses_politely(engine, monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    env = {"DATABASE_URL": engine.url.render_as_string(hide_password=False)}
    runner = CliRunner()
    first = runner.invoke(
        app, ["import", str(DATA / "lapor-sample.xlsx"), "--format", "lapor"], env=env
    )
    assert first.exit_code == 0, first.output
    assert "Imported 12 new reports" in first.output and "3 Rahasia, 2 Anonim" in first.output
    again = runner.invoke(
        app, ["import", str(DATA / "lapor-sample.csv"), "--format", "lapor"], env=env
    )
    assert again.exit_code == 0 and "Imported 0 new reports" in again.output
    assert "12 already imported" in again.output
    bad = tmp_path / "laporan.csv"
    bad.write_text("judul,isi\nJalan rusak,parah\n", encoding="utf-8")
    refused = runner.invoke(app, ["import", str(bad), "--format", "lapor"], env=env)
    assert refused.exit_code == 1
    assert refused.output.strip().splitlines() == [
        "laporan.csv: no Tracking ID column: this does not look like a LAPOR! Laporan Ringkas "
        "export"
    ]
    unknown = runner.invoke(app, ["import", str(bad), "--format", "pdf"], env=env)
    assert unknown.exit_code == 1 and "--format must be form or lapor" in unknown.output
    # Without --format lapor: a LAPOR export is named as one; else --instrument is asked for.
    plain = runner.invoke(app, ["import", str(DATA / "lapor-sample.csv")], env=env)
    assert plain.exit_code == 1
    assert plain.output.strip() == (
        "lapor-sample.csv: this looks like an SP4N-LAPOR! export: add --format lapor"
    )
    form = runner.invoke(app, ["import", str(bad)], env=env)
    assert form.exit_code == 1
    assert form.output.strip() == "--instrument is required (external or internal)"
    untyped = tmp_path / "untyped.csv"
    untyped.write_text("Tracking ID,Judul Laporan\n77,Jalan rusak\n", encoding="utf-8")
    warned = runner.invoke(app, ["import", str(untyped), "--format", "lapor"], env=env)
    assert warned.exit_code == 0
    assert "warning: no report type column" in warned.output
    assert "all reports are treated as public" in warned.output


def _docx_text(path: Path) -> str:
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    with zipfile.ZipFile(path) as archive:
        root = etree.fromstring(archive.read("word/document.xml"))
    return "\n".join("".join(t.text or "" for t in p.iter(f"{w}t")) for p in root.iter(f"{w}p"))


def _xlsx_text(path: Path) -> str:
    book = openpyxl.load_workbook(path, read_only=True)
    return "\n".join(
        str(v)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for v in row
        if v is not None
    )


@pytest.fixture(scope="module")
def outputs(database_url, survey_data, tools, tmp_path_factory) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Every output of a campaign that holds the 15 sample reports and two FGD answers."""
    return _outputs(
        ("lapor-sample.xlsx", "lapor-sample-newer.csv"),
        database_url=database_url,
        survey_data=survey_data,
        tools=tools,
        out=tmp_path_factory.mktemp("lapor"),
    )


def _outputs(names, *, database_url, survey_data, tools, out) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Every output of a campaign that holds the reports of the files `names`."""
    engine = db.make_engine(database_url)
    with engine.begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            connection.execute(table.delete())
    mapping = load_lapor_mapping(domains=survey_data.domains)
    try:
        with Session(engine, expire_on_commit=False) as session:
            campaign = crud.ensure_default_campaign(
                session=session, survey_data=survey_data, timezone="Asia/Jakarta", now=NOW
            )
            for name in names:
                reports, _ = _reports(name, mapping)
                import_reports(
                    session=session,
                    campaign=campaign,
                    file=name,
                    reports=reports,
                    pseudonym_key="k",
                    now=NOW,
                )
            session.commit()
        result = run_analysis(
            engine=engine,
            campaign_code=campaign.code,
            out_dir=out,
            now=NOW,
            survey_data=survey_data,
            tools=tools,
        )
        docx = write_draft(result.summary, out_dir=out, language="id", now=NOW)
        digest = compose_digest(
            result.summary,
            None,
            language="id",
            messages=survey_data.messages,
            period_start=None,
            period_end=NOW,
        )
        with Session(engine) as session:
            frames = load_campaign_frames(connection=session.connection(), campaign=campaign)
    finally:
        engine.dispose()
    csv = write_answers_export(frames.answers, out / "jawaban.csv", file_format="csv")
    return {
        "summary.json": result.summary_path.read_text("utf-8"),
        "analysis.xlsx": _xlsx_text(result.xlsx_path),
        "draft.docx": _docx_text(docx),
        "digest": "\n".join(digest),
        "export.csv": csv.read_text("utf-8"),
    }


def test_complaints_are_grouped_by_domain_and_counted(outputs: dict[str, str]) -> None:
    summary = json.loads(outputs["summary.json"])
    assert "citizen_complaint" in summary["kinds"]
    complaints = {
        code: sum(t["answer_count"] for t in domain["themes"]["citizen_complaint"])
        for code, domain in summary["domains"].items()
        if domain["themes"].get("citizen_complaint")
    }
    assert sum(complaints.values()) == 15
    assert complaints["kesehatan"] == 4 and complaints["sosial"] == 3
    assert "Pengaduan warga (SP4N-LAPOR!): 4 pengaduan" in outputs["digest"]
    assert "Pengaduan warga lewat SP4N-LAPOR!: 4 pengaduan." in outputs["draft.docx"]


def test_rahasia_reports_are_counted_but_never_shown(outputs: dict[str, str]) -> None:
    for name, text in outputs.items():
        folded = text.lower()
        assert not [s for s in SECRETS if s in folded], name
    # counted: the three are in the answer tables, as a placeholder
    assert outputs["export.csv"].count("[laporan rahasia]") == 3
    assert outputs["analysis.xlsx"].count("[laporan rahasia]") >= 3


def test_complaint_texts_are_pii_scrubbed(outputs: dict[str, str]) -> None:
    for name, text in outputs.items():
        assert "Budi Santoso" not in text and "1506034507800001" not in text, name
        assert "Merdeka No. 5" not in text, name


def test_words_of_rahasia_reports_are_never_keywords(  # type: ignore[no-untyped-def]
    database_url, survey_data, tools, tmp_path
) -> None:
    # Four Rahasia reports name a headmaster; two public ones speak of the same fee.
    found = _outputs(
        ("lapor-rahasia-named.csv",),
        database_url=database_url,
        survey_data=survey_data,
        tools=tools,
        out=tmp_path,
    )
    for name, text in found.items():
        assert "zulkarnain" not in text.lower(), name
    themes = [
        theme
        for domain in json.loads(found["summary.json"])["domains"].values()
        for theme in domain["themes"].get("citizen_complaint", [])
    ]
    assert sum(t["answer_count"] for t in themes) == 6
    for theme in themes:
        words = {w for k in theme["keywords"] for w in k.split()}
        assert not words & {"zulkarnain", "kepala", "memungut", "300", "ribu", "lagi"}, theme
        if theme["label"] == "[laporan rahasia]":
            assert theme["keywords"] == [] and theme["quotes"] == []
    assert any(theme["keywords"] for theme in themes)  # the public reports keep theirs
