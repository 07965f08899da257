"""/hapus_data reaches what was already made (issue 14 item 5): a digest quoted the citizen;
after the erasure, neither the Digest row nor any file of the digest holds their words."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from processor import erasure
from processor.digest_job import AnalysisOutput, produce_digest
from shared.models import Answer, Digest
from shared.settings import Settings
from shared.survey_data import SurveyData
from tests.bot.conftest import Harness, texts_of

SUMMARY = Path(__file__).parents[1] / "processor" / "digest" / "fixtures" / "summary.json"
ALICE = 4101
WORDS = "Bidan desa harus datang setiap hari ke dusun kami"


def _analyse_quoting(answer_id: int):  # type: ignore[no-untyped-def]
    """Stands in for the analysis: the fixture summary, quoting Alice in its top theme,
    and a workbook listing her answer."""

    def analyse(*, engine, campaign_code, out_dir, now, survey_data):  # type: ignore[no-untyped-def]
        from openpyxl import Workbook

        summary = json.loads(SUMMARY.read_text(encoding="utf-8"))
        summary["campaign"]["code"] = campaign_code
        theme = summary["domains"]["kesehatan"]["themes"]["citizen_need"][0]
        theme["quotes"].append(WORDS)
        theme["answer_ids"].append(f"a{answer_id}")
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
        book = Workbook()
        book.active.append(["answer_id", "text"])
        book.active.append([f"a{answer_id}", WORDS])
        book.active.append(["a1", "puskesmas buka sore"])
        book.create_sheet("kesehatan").append(["kutipan", "\n".join(theme["quotes"])])
        book.save(out_dir / "analysis.xlsx")
        return AnalysisOutput(summary, out_dir / "analysis.xlsx", out_dir / "summary.json")

    return analyse


def _says(path: Path) -> str:
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    return path.read_text(encoding="utf-8")


async def test_hapus_data_scrubs_the_digest_and_its_files(
    bot: Harness,
    engine: Engine,
    settings: Settings,
    survey_data: SurveyData,
    default_campaign: str,
) -> None:
    await bot.join(ALICE)
    await bot.tap(ALICE, "Kesehatan")
    await bot.say(ALICE, WORDS)
    with Session(engine) as session:
        answer_id = session.exec(select(Answer.id).where(Answer.value_text == WORDS)).one()
    produced = produce_digest(
        engine=engine,
        survey_data=survey_data,
        campaign_code=default_campaign,
        slot="cron:hapus",
        out_dir=Path(settings.output_dir),
        now=bot.clock(),
        analyse=_analyse_quoting(answer_id),
    )
    assert produced.out_dir is not None
    files = sorted(p for p in produced.out_dir.iterdir() if p.is_file())
    assert sum(WORDS in _says(p) for p in files) == 2  # summary.json, analysis.xlsx

    await bot.say(ALICE, "/hapus_data")
    calls = await bot.tap(ALICE, "Ya, hapus")
    assert "sudah dihapus" in texts_of(calls, "editMessageText")[-1]
    erasure.wait_for_background(timeout=60)

    with Session(engine) as session:
        digest = session.exec(select(Digest)).one()
    stored = json.dumps(digest.summary, ensure_ascii=False)
    assert WORDS not in stored and f"a{answer_id}" not in stored
    theme = digest.summary["domains"]["kesehatan"]["themes"]["citizen_need"][0]
    assert theme["answer_count"] == 22 and len(theme["quotes"]) == 3  # counts stay
    for path in files:
        assert WORDS not in _says(path), path.name
    assert "puskesmas buka sore" in _says(produced.out_dir / "analysis.xlsx")
