"""No PII in any output (issue 12 item 4): a small campaign whose answers, staff rows,
imported rows and import file name carry every case of the PII table goes through the
real pipeline; summary.json, analysis.xlsx, the DOCX draft, the digest HTML and the CSV
and XLSX export are then searched for what the table scrubs."""

from __future__ import annotations

import html
import json
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from lxml import etree
from sqlmodel import Session, SQLModel

from processor.analysis import run_analysis
from processor.digest import compose_digest
from processor.draft import write_draft
from processor.importer import import_rows, parse_rows
from processor.load import load_campaign_frames
from processor.render import write_answers_export
from shared import crud, db
from shared.models import Instrument, Role
from tests.processor.conftest import NOW, Consultation
from tests.shared.pii_cases import (
    ACCOUNTS,
    ADDRESSES,
    BIRTH_DATES,
    EMAILS,
    HANDLES,
    INTRODUCTIONS,
    NAMES,
    NIK,
    PHONES,
    PLATES,
    POSITIVES,
    REAL_WRITING,
)

# What the table's positives contain and no output may: names, e-mail and handle parts
# (as words), and the digits of every NIK and phone number (searched for in the digits of
# each paragraph, cell or value, however they were grouped).
WORDS = [
    *("budi", "santoso", "sutrisno", "sari", "wulandari", "hendra", "bambang", "susilo"),
    *("rahmat", "joko", "sugeng", "agus", "siti", "aminah", "ñame", "éka", "budi_s"),
    *("gmail", "yahoo", "abcdef123", "desa.go.id"),
    # issue 11: self-introductions, addresses, plates
    *("hadi", "gunawan", "hidayat", "riyadi", "hartono", "wijaya", "susanto"),
    *("merdeka", "pattimura", "diponegoro", "mawar", "melati", "kartini", "pramuka"),
    *("krajan", "sukamaju", "griya", "gajah mada", "kja", "bh1234ab"),
]
DIGITS = [
    *("3201012345678901", "1571020304050006", "1571020304050007", "3201010101900001"),
    *("812345678", "8139876543", "8571234567", "98765432"),
    *("215550000", "274550000", "741123456"),
    # issue 11: accounts, cards, dates of birth, phones run together
    *("0123010123455", "1234567890", "1420012345678", "7123456789", "0001234567890"),
    *("6013011234567890", "5221841234567890", "12051980", "01011990", "05061972"),
    *("19800512", "8123450012"),
]
FILE_NAME = "wawancara Pak Sutrisno 0812-3456-7890 budi.santoso@gmail.com.csv"
TOPICS = [
    ("kesehatan", "obat di puskesmas sering habis", "stok obat tidak dicatat"),
    ("pekerjaan_umum", "jalan desa rusak parah", "jalan berlubang tidak diperbaiki"),
    ("adminduk_perizinan", "urus ktp lama sekali", "blangko ktp habis"),
]
# Needs shared by a few respondents, each adding one kind of PII, so that the theme label
# the digest shows carries that kind.
LABELLED = [
    ("sosial", "bansos tidak cair", NIK),
    ("energi", "listrik sering padam", PHONES),
    ("perhubungan", "angkot jarang lewat", EMAILS),
    ("kominfo", "info desa tidak sampai", HANDLES),
    ("pendidikan", "guru sering bolos", NAMES),
    ("perumahan", "rumah tidak layak huni", INTRODUCTIONS),
    ("adminduk_perizinan", "akta kelahiran lama", BIRTH_DATES),
    ("pekerjaan_umum", "drainase tersumbat", ADDRESSES),
    ("perbankan_keuangan", "bantuan tidak masuk rekening", ACCOUNTS),
    ("perhubungan", "kendaraan parkir sembarangan", PLATES),
]
WORD = re.compile("|".join(rf"(?<!\w){re.escape(w)}(?!\w)" for w in WORDS))


def _fill(c: Consultation) -> None:
    """Citizens, staff rows and an import, each text a topic sentence and a PII case."""
    cases = [text for text, _ in POSITIVES + REAL_WRITING]
    for n, case in enumerate(cases):
        domain, need, obstacle = TOPICS[n % len(TOPICS)]
        c.run(
            c.respondent(f"warga{n}"),
            [(domain, [{"need": f"{need}, {case}", "reason": case}], {"obstacle": obstacle})],
        )
    for domain, need, kind in LABELLED:
        for n, (case, _) in enumerate(kind[:5]):
            c.run(c.respondent(f"{domain}{n}"), [(domain, [{"need": f"{need} {case}"}], {})])
    for n, case in enumerate(cases[::4]):
        domain, need, obstacle = TOPICS[n % len(TOPICS)]
        c.run(
            c.respondent(f"staf{n}", role=Role.staff),
            [
                (
                    domain,
                    [
                        {
                            "need": need,
                            "obstacle": f"{obstacle}, {case}",
                            "realisation": f"baru 40% selesai, {case}",
                            "strategy": f"koordinasi dengan {case}",
                            "target_indicator": f"persentase {need}",
                            "target_y1": 50,
                        }
                    ],
                    {},
                )
            ],
            instrument=Instrument.internal,
        )
    rows, errors = parse_rows(
        pd.DataFrame(
            {
                "need": [f"{TOPICS[n % 3][1]} {case}" for n, case in enumerate(cases[1::5])],
                "obstacle": [case for case in cases[1::5]],
            }
        ),
        instrument="external",
        domains=c.survey_data.domains,
        plan_years=[2027],
        max_length=2000,
    )
    assert errors == []
    import_rows(
        session=c.session,
        campaign=c.campaign,
        instrument="external",
        file=FILE_NAME,
        rows=rows,
        pseudonym_key="k",
        now=NOW,
    )
    c.session.commit()


def _docx_paragraphs(path: Path) -> Iterator[str]:
    """Every paragraph of every part (body, tables, headers, footers, notes)."""
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("word/") and name.endswith(".xml"):
                root = etree.fromstring(archive.read(name))
                for paragraph in root.iter(f"{w}p"):
                    yield "".join(t.text or "" for t in paragraph.iter(f"{w}t"))


def _xlsx_cells(path: Path) -> Iterator[str]:
    book = openpyxl.load_workbook(path, read_only=True)
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            yield from (str(value) for value in row if value is not None)
        yield sheet.title


def _json_strings(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item)
    elif value is not None:
        yield str(value)


def _leaks(pieces: Iterator[str]) -> list[str]:
    found = []
    for piece in pieces:
        folded = unicodedata.normalize("NFKC", piece).lower()
        digits = re.sub(r"[^0-9]", "", folded)
        if WORD.search(folded) or any(secret in digits for secret in DIGITS):
            found.append(piece)
    return found


@pytest.fixture(scope="module")
def outputs(database_url, survey_data, tools, tmp_path_factory) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """Every output format's texts (paragraphs, cells, lines, values), made once for the
    tests of this module: the pipeline and the draft take a while."""
    out = tmp_path_factory.mktemp("pii-outputs")
    engine = db.make_engine(database_url)
    with engine.begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            connection.execute(table.delete())
    try:
        with Session(engine, expire_on_commit=False) as session:
            campaign = crud.create_campaign(
                session=session,
                code="uji",
                name="Kampanye uji",
                plan_first_year=2027,
                plan_last_year=2031,
                survey_data=survey_data,
                timezone="Asia/Jakarta",
                now=NOW,
            )
            _fill(Consultation(session=session, campaign=campaign, survey_data=survey_data))
        result = run_analysis(
            engine=engine,
            campaign_code="uji",
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
    xlsx = write_answers_export(frames.answers, out / "jawaban.xlsx", file_format="xlsx")
    return {
        "summary.json": list(_json_strings(json.loads(result.summary_path.read_text("utf-8")))),
        "analysis.xlsx": list(_xlsx_cells(result.xlsx_path)),
        "draft.docx": list(_docx_paragraphs(docx)),
        "digest.html": [html.unescape(part) for part in digest],
        "export.csv": csv.read_text(encoding="utf-8").splitlines(),
        "export.xlsx": list(_xlsx_cells(xlsx)),
    }


def test_no_output_format_leaks_pii(outputs: dict[str, list[str]]) -> None:
    for name, pieces in outputs.items():
        assert _leaks(iter(pieces)) == [], name


def test_the_cases_reach_every_output(outputs: dict[str, list[str]]) -> None:
    # The search above means something only if scrubbed texts are in each output.
    kinds = ["[NIK]", "[TELEPON]", "[EMAIL]", "[USERNAME]", "[NAMA]"]
    kinds += ["[ALAMAT]", "[TGL_LAHIR]", "[REKENING]", "[NO_KARTU]", "[NOPOL]"]
    for name, pieces in outputs.items():
        text = "\n".join(pieces)
        found = [kind for kind in kinds if kind in text]
        assert found == kinds, (name, found)
    for name in ("summary.json", "analysis.xlsx", "draft.docx", "export.csv", "export.xlsx"):
        # The import file's name, scrubbed where it enters the frames.
        assert any("wawancara Pak [NAMA] [TELEPON] [EMAIL]" in p for p in outputs[name]), name


def test_the_leak_search_finds_what_it_looks_for() -> None:
    assert _leaks(iter(["hub ０８１２ ３４５６ ７８９０", "Pak Sutrisno", "ok [TELEPON]"])) == [
        "hub ０８１２ ３４５６ ７８９０",
        "Pak Sutrisno",
    ]
    assert _leaks(iter(["alamat Jl. Merdeka", "BH1234AB", "ttl 12-05-1980", "[ALAMAT]"])) == [
        "alamat Jl. Merdeka",
        "BH1234AB",
        "ttl 12-05-1980",
    ]
