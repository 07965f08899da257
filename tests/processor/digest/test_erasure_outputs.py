"""Erasure reaches what was already made (issue 14 item 5): after a digest quoted a citizen,
erasing them removes their words and answer ids from every Digest row and every file the
digest wrote, while the counts stay as they were."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from sqlmodel import Session, select

from bot.respondents import erase_respondent
from processor.digest_job import produce_digest
from processor.erasure import Traces, scrub_files, scrub_key
from processor.summary import listed_answer_ids
from shared.models import Answer, Digest, Respondent, RespondentProfile, SurveyRun
from tests.processor.digest.conftest import NOW

# Everyone asks for street lights, each in their own words; the obstacle is shared.
NEEDS = [
    "lampu jalan di desa kami mati sudah tiga bulan",
    "lampu jalan desa mati tolong diperbaiki segera",
    "lampu penerangan jalan desa banyak yang mati",
    "perbaiki lampu jalan desa yang mati di malam hari",
    "lampu jalan mati di desa, gelap sekali malam hari",
    "lampu jalan desa mati dan belum diganti",
]


def _fill(consultation) -> None:  # type: ignore[no-untyped-def]
    c = consultation
    for n, need in enumerate(NEEDS):
        c.run(
            c.respondent(f"warga{n}"),
            [
                (
                    "pekerjaan_umum",
                    [{"need": need, "reason": "supaya aman"}],
                    {"obstacle": "anggaran desa tidak cukup untuk lampu"},
                )
            ],
        )
    c.session.commit()


def _texts_in(path: Path) -> str:
    """Everything a file says: the members of a zip (docx, xlsx) or the file itself."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return "\n".join(
                archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
            )
    return path.read_bytes().decode("utf-8", "replace")


def _quoted(summary: dict) -> list[str]:
    return [
        quote
        for domain in summary["domains"].values()
        for themes in domain["themes"].values()
        for theme in themes
        for quote in theme["quotes"]
    ]


def _listed_ids(summary: dict) -> set[str]:
    """Every answer id the summary's themes and staff rows list."""
    found: set[str] = set()
    for domain in summary["domains"].values():
        for themes in domain["themes"].values():
            for theme in themes:
                found |= set(listed_answer_ids(theme.get("answer_ids")))
        for gap in domain.get("gaps", []):
            for row in gap.get("staff_rows", []):
                found |= set(listed_answer_ids(row.get("answer_ids")))
    return found


def test_erasing_a_quoted_citizen_scrubs_digest_rows_and_files(
    consultation, engine, survey_data, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    _fill(consultation)
    out = tmp_path / "out"
    produced = produce_digest(
        engine=engine,
        survey_data=survey_data,
        campaign_code="uji",
        slot="cron:erasure",
        out_dir=out,
        now=NOW,
    )
    assert produced.digest is not None and produced.out_dir is not None
    before = produced.digest.summary
    quoted = [q for q in _quoted(before) if q in NEEDS]
    assert quoted, "the digest quotes at least one citizen's need"
    quote = quoted[0]
    files = sorted(p for p in produced.out_dir.iterdir() if p.is_file())
    assert {p.suffix for p in files} >= {".json", ".html", ".docx", ".xlsx"}
    assert any(quote in _texts_in(p) for p in files if p.suffix in (".json", ".xlsx"))

    with Session(engine) as session:
        answer = session.exec(select(Answer).where(Answer.value_text == quote)).one()
        run = session.get(SurveyRun, answer.run_id)
        respondent = session.get(Respondent, run.respondent_id)
        old_pseudonym, respondent_id = respondent.pseudonym, respondent.id
        session.add(RespondentProfile(respondent_id=respondent.id, sex="p", updated_at=NOW))
        session.commit()
        erased_id = f"a{answer.id}"
        assert erased_id in _listed_ids(before)
        report = erase_respondent(session=session, respondent=respondent, now=NOW)
        session.commit()
    scrub_files(report, output_dir=out)
    assert report.digests == 1 and not report.files.failed
    assert {p.name for p in report.files.rewritten} == {p.name for p in files}

    with Session(engine) as session:
        digests = session.exec(select(Digest)).all()
        assert session.get(RespondentProfile, respondent_id) is None
    for digest in digests:
        stored = json.dumps(digest.summary, ensure_ascii=False) + json.dumps(
            digest.message_parts, ensure_ascii=False
        )
        assert quote not in stored
        assert erased_id not in _listed_ids(digest.summary)
        # Counts already sent stay as they were.
        assert digest.summary["counts"] == before["counts"]
        assert digest.answer_count == produced.digest.answer_count
    for path in files:
        text = _texts_in(path)
        assert quote not in text, path.name
        assert old_pseudonym not in text, path.name
    # The other citizens' words are still there.
    others = [q for q in _quoted(digests[0].summary) if q in NEEDS]
    assert others and quote not in others
    assert any(others[0] in _texts_in(p) for p in files if p.suffix == ".json")


def test_a_second_erasure_pass_changes_nothing_and_unrelated_digests_stay(
    consultation, engine, survey_data, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    _fill(consultation)
    out = tmp_path / "out"
    produced = produce_digest(
        engine=engine,
        survey_data=survey_data,
        campaign_code="uji",
        slot="cron:one",
        out_dir=out,
        now=NOW,
    )
    assert produced.out_dir is not None
    c = consultation
    late = c.respondent("late")
    c.run(late, [("kesehatan", [{"need": "dokter jaga malam di puskesmas"}], {})])
    c.session.commit()
    stamps = {p: p.stat().st_mtime_ns for p in produced.out_dir.iterdir()}
    with Session(engine) as session:
        person = session.get(Respondent, late.id)
        report = erase_respondent(session=session, respondent=person, now=NOW)
        session.commit()
    scrub_files(report, output_dir=out)
    # They answered after the digest: nothing made before holds them, nothing is rewritten.
    assert report.digests == 0 and report.files.rewritten == []
    assert {p: p.stat().st_mtime_ns for p in produced.out_dir.iterdir()} == stamps


def test_a_curation_key_loses_the_erased_answers_and_their_label() -> None:
    """The Kurasi key names a theme by its label and answer ids: an erased citizen's answer
    ids go, and a label that was their words becomes the theme's keywords."""
    traces = Traces.of(answer_ids=["a7"], texts=[NEEDS[3]], pseudonym="p-erased")
    key = {
        "link": {
            "source": {
                "label": NEEDS[3],
                "keywords": ["lampu jalan", "desa mati"],
                "answer_ids": ["a2", "a7"],
            },
            "target": {"label": "anggaran desa kurang", "answer_ids": ["a9"]},
        }
    }
    scrubbed = scrub_key(key, traces, {})
    assert scrubbed["link"]["source"] == {
        "label": "lampu jalan, desa mati",
        "keywords": ["lampu jalan", "desa mati"],
        "answer_ids": ["a2"],
    }
    assert scrubbed["link"]["target"] == key["link"]["target"]
    assert key["link"]["source"]["answer_ids"] == ["a2", "a7"], "the input is not changed"


def test_answer_exports_anywhere_under_the_output_directory_lose_the_erased_rows(
    consultation, engine, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """`rembuk export` files (CSV and XLSX) need no summary.json next to them."""
    from processor.load import load_campaign_frames
    from processor.render import write_answers_export
    from shared import crud

    _fill(consultation)
    out = tmp_path / "out"
    with Session(engine) as session:
        campaign = crud.get_campaign(session=session, code="uji")
        frames = load_campaign_frames(connection=session.connection(), campaign=campaign)
    csv_path = write_answers_export(frames.answers, out / "export.csv", file_format="csv")
    xlsx_path = write_answers_export(
        frames.answers, out / "deep" / "er" / "jawaban.xlsx", file_format="xlsx"
    )
    quote, other = NEEDS[2], NEEDS[3]
    for path in (csv_path, xlsx_path):
        assert quote in _texts_in(path) and other in _texts_in(path)
    untouched = out / "notes.csv"
    untouched.write_text("nothing,of,theirs\r\n", encoding="utf-8")
    with Session(engine) as session:
        answer = session.exec(select(Answer).where(Answer.value_text == quote)).one()
        run = session.get(SurveyRun, answer.run_id)
        respondent = session.get(Respondent, run.respondent_id)
        pseudonym = respondent.pseudonym
        report = erase_respondent(session=session, respondent=respondent, now=NOW)
        session.commit()
    scrub_files(report, output_dir=out)
    assert not report.files.failed
    assert sorted(report.files.rewritten) == sorted([csv_path, xlsx_path])
    for path in (csv_path, xlsx_path):
        text = _texts_in(path)
        assert quote not in text, path.name
        assert pseudonym not in text, path.name
        assert f"a{answer.id}" not in text.split(), path.name
        assert other in text, path.name  # the others' rows stay
    theirs = int((frames.answers["respondent"] == pseudonym).sum())
    assert theirs == 3  # need, reason, obstacle: every row of theirs goes, CRLF rows kept
    assert csv_path.read_bytes().count(b"\r\n") == 1 + len(frames.answers) - theirs
    assert untouched.read_text(encoding="utf-8") == "nothing,of,theirs\n"
