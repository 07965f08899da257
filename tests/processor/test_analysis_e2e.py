"""The analysis end to end against the database (SQLite, or PostgreSQL in CI)."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
from typer.testing import CliRunner

from processor.analysis import run_analysis
from processor.importer import import_rows, parse_rows
from processor.summary import listed_answer_ids
from shared.models import Instrument, Role, RunStatus
from tests.processor.conftest import NOW

CITIZENS = [
    ("jalan desa diaspal", "jalan rusak tidak diperbaiki bertahun-tahun"),
    ("jalan desa diaspal", "laporan tidak ditanggapi"),
    ("Jalan desa di aspal", "tidak ada anggaran"),
    ("lampu jalan dipasang", "lampu jalan mati berbulan-bulan, hub 081234567890"),
    ("pasang lampu jalan", "lampu jalan mati tidak diganti"),
]


def _fill(consultation, survey_data) -> None:  # type: ignore[no-untyped-def]
    c = consultation
    for n, (need, obstacle) in enumerate(CITIZENS):
        c.run(
            c.respondent(f"warga{n}"),
            [("pekerjaan_umum", [{"need": need, "reason": "supaya aman"}], {"obstacle": obstacle})],
            source="balai-desa" if n % 2 else None,
        )
    c.run(
        c.respondent("warga-lainnya"),
        [
            (
                "lainnya",
                [{"need": "ngurus KTP lama bgt", "reason": "blangko habis"}],
                {"obstacle": "harus bolak-balik ke kabupaten"},
            )
        ],
    )
    c.run(c.respondent("erased"), [("kesehatan", [{"need": "dokter jaga", "reason": "x y z"}], {})])
    assert c.respondent("erased", erased=True).erased  # erased after answering
    c.run(
        c.respondent("belum"), [("kesehatan", [{"need": "obat"}], {})], status=RunStatus.in_progress
    )
    c.run(
        c.respondent("staf", role=Role.staff),
        [
            (
                "pekerjaan_umum",
                [
                    {
                        "need": "pengaspalan jalan desa",
                        "obstacle": "anggaran terbatas",
                        "realisation": "40% jalan desa sudah diaspal",
                        "strategy": "usulkan DAK untuk aspal jalan desa",
                        "target_indicator": "persentase jalan desa mantap",
                        "opd": "dpupr",
                        "unit": "persen",
                        "baseline": 40,
                        "baseline_year": 2025,
                        "budget_y1": 1_500_000_000,
                        "budget_y3": 2_000_000_000,
                        "target_y1": 50,
                        "target_y2": 60,
                        "target_y3": 70,
                        "target_y4": 80,
                        "target_y5": 90,
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
                "need": ["sampah menumpuk di TPS", "sampah menumpuk di tps"],
                "obstacle": ["truk sampah jarang datang", ""],
            }
        ),
        instrument="external",
        domains=survey_data.domains,
        plan_years=[2027],
        max_length=2000,
    )
    assert errors == []
    import_rows(
        session=c.session,
        campaign=c.campaign,
        instrument="external",
        file="kertas.csv",
        rows=rows,
        pseudonym_key="k",
        now=NOW,
    )
    c.session.commit()


def test_run_analysis_writes_the_documented_summary(
    consultation,
    engine,
    survey_data,
    tools,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    _fill(consultation, survey_data)
    result = run_analysis(
        engine=engine,
        campaign_code="uji",
        out_dir=tmp_path,
        now=NOW,
        survey_data=survey_data,
        tools=tools,
    )
    summary = result.summary
    assert json.loads(result.summary_path.read_text(encoding="utf-8")) == json.loads(
        json.dumps(summary)
    )
    assert summary["schema_version"] == 4
    assert summary["campaign"] == {
        "code": "uji",
        "name": "Kampanye uji",
        "plan_years": [2027, 2028, 2029, 2030, 2031],
        "timezone": "Asia/Jakarta",
    }
    assert summary["generated_at"] == NOW.isoformat()
    counts = summary["counts"]
    # The erased respondent's run is gone; the in-progress one is only counted.
    assert counts["submitted_runs"] == 7 and counts["in_progress_runs"] == 1
    assert counts["respondents"] == 9  # 5 + lainnya + staff + 2 paper forms
    assert counts["imported_answers"] == 3
    assert counts["answers"] == 5 * 3 + 3 + 5 + 3
    assert counts["by_source"] == {"-": 5, "balai-desa": 2, "impor:kertas.csv": 2}
    assert set(summary["domains"]) == {"pekerjaan_umum", "adminduk_perizinan", "lingkungan_hidup"}
    assert summary["kinds"][0] == "citizen_need" and len(summary["kinds"]) == 10  # + complaints
    assert counts["by_domain"]["adminduk_perizinan"] == {"respondents": 1, "answers": 3}
    assert summary["unmapped"] == {"answers": 0}

    works = summary["domains"]["pekerjaan_umum"]
    assert works["name"] == {
        "id": "Pekerjaan Umum dan Penataan Ruang",
        "en": "Public Works and Spatial Planning",
    }
    needs = works["themes"]["citizen_need"]
    assert [t["id"] for t in needs] == [
        "pekerjaan_umum.citizen_need.1",
        "pekerjaan_umum.citizen_need.2",
    ]
    assert needs[0]["answer_count"] == 3 and needs[0]["respondent_count"] == 3
    assert all(a.startswith("a") for a in listed_answer_ids(needs[0]["answer_ids"]))
    quotes = [q for kind in works["themes"].values() for t in kind for q in t["quotes"]]
    assert not any("0812" in q for q in quotes) and any("[TELEPON]" in q for q in quotes)
    assert works["dimensions"]["kurang_responsif"] >= 2 and works["dimensions"]["anggaran"] >= 2
    assert summary["dimensions"]["anggaran"]["group"] == "cause"
    gaps = {g["need_theme_id"]: g for g in works["gaps"]}
    roads = gaps["pekerjaan_umum.citizen_need.1"]
    assert roads["status"] == "ditangani"
    staff_row = roads["staff_rows"][0]
    assert staff_row["targets"] == {
        "2027": 50.0,
        "2028": 60.0,
        "2029": 70.0,
        "2030": 80.0,
        "2031": 90.0,
    }
    assert staff_row["row_id"].endswith(".0.0") and staff_row["indicator"]
    # The row's agency, unit, baseline and budget, as the README documents them.
    assert staff_row["opd"] == {
        "code": "dpupr",
        "name": {
            "id": "Dinas Pekerjaan Umum dan Penataan Ruang",
            "en": "Public Works and Spatial Planning Office",
        },
        "short": "Dinas PUPR",
    }
    assert staff_row["unit"] == {"code": "persen", "name": {"id": "%", "en": "%"}, "whole": False}
    assert staff_row["baseline"] == {"value": 40.0, "year": 2025}
    assert staff_row["budget"] == {"2027": 1_500_000_000.0, "2029": 2_000_000_000.0}
    # the officer only as a pseudonym, as every respondent outside the database
    assert staff_row["respondent"].startswith("r-") and len(staff_row["respondent"]) > 8
    assert gaps["pekerjaan_umum.citizen_need.2"]["status"] == "belum_ditangani"
    imported = summary["domains"]["lingkungan_hidup"]["themes"]["citizen_need"][0]
    assert listed_answer_ids(imported["answer_ids"])[0].startswith("i")
    assert imported["answer_count"] == 2

    book = openpyxl.load_workbook(result.xlsx_path)
    # Domains in the order of domains.yaml.
    assert book.sheetnames == [
        "Ringkasan",
        "Cakupan",  # coverage (issue 14): nobody here gave a profile
        "pekerjaan_umum",
        "lingkungan_hidup",
        "adminduk_perizinan",
        "Tautan",
        "Kurasi",
        "Jawaban",
    ]
    answers = book["Jawaban"]
    assert answers.freeze_panes == "A2" and answers.auto_filter.ref
    header = [cell.value for cell in answers[1]]
    assert {"domain", "kind", "theme_id", "text", "answers", "respondents"} <= set(header)
    rows = list(answers.iter_rows(min_row=2, values_only=True))
    # one row per distinct text of a theme; the answers add up to every answer
    assert sum(row[header.index("answers")] for row in rows) == counts["answers"]
    assert len(rows) < counts["answers"]
    texts = [row[header.index("text")] for row in rows]
    assert not any("081234567890" in t for t in texts)
    # each obstacle carries the dimensions it counts for, so the draft's counts can be checked
    tagged = [r for r in rows if r[header.index("dimensions")]]
    assert tagged and all(r[header.index("kind")].endswith("obstacle") for r in tagged)
    by_dimension = sum(
        r[header.index("answers")]
        for r in tagged
        if r[header.index("domain")] == "pekerjaan_umum"
        and "kurang_responsif" in r[header.index("dimensions")].split(", ")
    )
    assert by_dimension == works["dimensions"]["kurang_responsif"]


def test_analysis_of_an_empty_campaign(consultation, engine, survey_data, tools, tmp_path) -> None:  # type: ignore[no-untyped-def]
    consultation.session.commit()
    result = run_analysis(
        engine=engine,
        campaign_code="uji",
        out_dir=tmp_path,
        now=NOW,
        survey_data=survey_data,
        tools=tools,
    )
    assert result.summary["counts"]["answers"] == 0 and result.summary["domains"] == {}
    assert result.xlsx_path.exists()


def test_cli_import_analyse_export(
    consultation,
    engine,
    survey_data,
    database_url,
    tmp_path: Path,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    from cli.main import app

    _fill(consultation, survey_data)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)
    forms = tmp_path / "forms.csv"
    forms.write_text("kebutuhan,bidang\npuskesmas buka sore,kesehatan\n,planet\n", encoding="utf-8")
    runner = CliRunner()
    imported = runner.invoke(
        app, ["import", str(forms), "--instrument", "external", "--campaign", "uji"]
    )
    assert imported.exit_code == 1, imported.output  # one bad row: reported, others loaded
    assert "row 3" in imported.output and "Imported 1 rows" in imported.output
    analysed = runner.invoke(app, ["analyse", "--campaign", "uji", "--out", "hasil"])
    assert analysed.exit_code == 0, analysed.output
    summary = json.loads((tmp_path / "hasil" / "summary.json").read_text(encoding="utf-8"))
    assert "kesehatan" in summary["domains"]
    exported = runner.invoke(
        app, ["export", "--format", "csv", "--out", "jawaban.csv", "--campaign", "uji"]
    )
    assert exported.exit_code == 0, exported.output
    frame = pd.read_csv(tmp_path / "jawaban.csv")
    assert {"answer_id", "respondent", "question_id", "text"} <= set(frame.columns)
    assert not frame["text"].fillna("").str.contains("081234567890").any()
    assert not frame["respondent"].str.contains("warga").any()  # pseudonyms only


def test_imported_staff_rows_and_a_campaigns_own_agencies_reach_the_summary(
    consultation,
    engine,
    survey_data,
    tools,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    from shared.agencies import set_campaign_agencies
    from shared.survey_data import AgencyList

    c = consultation
    own = AgencyList.model_validate(
        {
            "agencies": [
                {
                    "code": "dlhk",
                    "name": {"id": "Dinas Lingkungan Hidup dan Kebersihan", "en": "Env. Office"},
                    "short": "DLHK",
                    "domains": ["lingkungan_hidup"],
                },
                {"code": "setda", "name": {"id": "Setda", "en": "Secretariat"}, "short": "Setda"},
            ]
        }
    )
    set_campaign_agencies(
        session=c.session, campaign=c.campaign, agencies=own, source_file="x", now=NOW
    )
    rows, errors = parse_rows(
        pd.DataFrame(
            {
                "bidang": ["lingkungan hidup", "lingkungan hidup"],
                "kebutuhan": ["truk sampah tambahan", "bank sampah desa"],
                "dinas": ["DLHK", "Setda"],
                "indikator": ["Jumlah truk sampah", "Desa dengan bank sampah"],
                "satuan": ["unit", "desa"],
                "nilai_awal": ["4", ""],
                "tahun_dasar": ["2025", ""],
                "target_2027": ["6", "10"],
                "pagu_2027": ["900 juta", ""],
            }
        ),
        instrument="internal",
        domains=survey_data.domains,
        plan_years=[2027, 2028, 2029, 2030, 2031],
        max_length=2000,
        agencies=own,
        units=survey_data.units,
    )
    assert errors == []
    import_rows(
        session=c.session,
        campaign=c.campaign,
        instrument="internal",
        file="staf.csv",
        rows=rows,
        pseudonym_key="k",
        now=NOW,
    )
    c.session.commit()
    summary = run_analysis(
        engine=engine,
        campaign_code="uji",
        out_dir=tmp_path,
        now=NOW,
        survey_data=survey_data,
        tools=tools,
        write_xlsx=False,
    ).summary
    domain = summary["domains"]["lingkungan_hidup"]
    staff = [r for g in domain["gaps"] for r in g["staff_rows"]] + domain["staff_rows_without_need"]
    by_need = {r["need"]: r for r in staff}
    trucks, banks = by_need["truk sampah tambahan"], by_need["bank sampah desa"]
    assert trucks["opd"] == {
        "code": "dlhk",
        "name": {"id": "Dinas Lingkungan Hidup dan Kebersihan", "en": "Env. Office"},
        "short": "DLHK",
    }
    assert trucks["unit"]["code"] == "unit" and trucks["unit"]["whole"] is True
    assert trucks["baseline"] == {"value": 4.0, "year": 2025}
    assert trucks["budget"] == {"2027": 900_000_000.0} and trucks["targets"] == {"2027": 6.0}
    assert banks["opd"]["code"] == "setda" and banks["baseline"] is None and banks["budget"] == {}
