"""`rembuk wilayah load`: a campaign's own kecamatan and desa (issue 14)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session
from typer.testing import CliRunner

from cli.main import app
from shared import crud
from shared.survey_data import SurveyDataError
from shared.wilayah import campaign_wilayah, read_wilayah_csv


def test_a_csv_of_kecamatan_and_desa_becomes_the_campaign_s_list(
    database_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, survey_data
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("REMBUK_PSEUDONYM_KEY", "test-key")
    with Session(engine) as session:
        campaign = crud.ensure_default_campaign(
            session=session, survey_data=survey_data, timezone="Asia/Jakarta", now=datetime.now(UTC)
        )
        session.commit()
        code, campaign_id = campaign.code, campaign.id
    csv_file = tmp_path / "wilayah.csv"
    csv_file.write_text(
        "Kecamatan,Desa,Penduduk\n"
        "Sungai Manau,Desa Baru,12.500\n"
        "Sungai Manau,Seling,\n"
        "Bangko,Pematang Kandis,40000\n"
        "Bangko,Desa Baru,\n"
        "Tabir,,9000\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        app, ["wilayah", "load", str(csv_file), "--campaign", code, "--regency", "Kab. Merangin"]
    )
    assert result.exit_code == 0, result.output
    assert "3 kecamatan and 4 desa" in result.output
    with Session(engine) as session:
        own = campaign_wilayah(session=session, campaign_id=campaign_id, default=None)
    assert own is not None and own.regency == "Kab. Merangin"
    assert [k.code for k in own.kecamatan] == ["sungai_manau", "bangko", "tabir"]
    assert own.populations == {"sungai_manau": 12500, "bangko": 40000, "tabir": 9000}
    assert [d.name for d in own.by_code["bangko"].desa] == ["Pematang Kandis", "Desa Baru"]


def test_a_bad_wilayah_csv_is_refused_with_a_reason(tmp_path: Path) -> None:
    wrong = tmp_path / "w.csv"
    wrong.write_text("nama,desa\nA,B\n", encoding="utf-8")
    with pytest.raises(SurveyDataError, match="kecamatan,desa"):
        read_wilayah_csv(wrong, "X")
    wrong.write_text("kecamatan,desa,penduduk\nA,B,banyak\n", encoding="utf-8")
    with pytest.raises(SurveyDataError, match="line 2: penduduk 'banyak'"):
        read_wilayah_csv(wrong, "X")
