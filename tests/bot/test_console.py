"""The console chat runs the engine against the real database and resumes."""

from __future__ import annotations

import io

from sqlmodel import Session, select

from bot.console import run_console
from shared import crud
from shared.models import Answer, RunStatus, SurveyRun
from shared.settings import load_settings
from tests.conftest import NOW


class Interrupting(io.StringIO):
    """Standard input whose reader presses Ctrl-C after the given lines."""

    def readline(self, *args) -> str:  # type: ignore[no-untyped-def]
        line = super().readline(*args)
        if line == "":
            raise KeyboardInterrupt
        return line


def chat(engine, survey_data, lines, *, instrument="external", language="id", stdin=None):  # type: ignore[no-untyped-def]
    output: list[str] = []
    with Session(engine) as session:
        crud.ensure_default_campaign(
            session=session, survey_data=survey_data, timezone="Asia/Jakarta", now=NOW
        )
        session.commit()
    code = run_console(
        engine=engine,
        settings=load_settings(database_url=str(engine.url)),
        survey_data=survey_data,
        instrument=instrument,
        language=language,
        name="pilot",
        stdin=stdin or io.StringIO("".join(f"{line}\n" for line in lines)),
        write=output.append,
        clock=lambda: NOW,
    )
    return code, "\n".join(output)


def answers(engine) -> dict[str, str | float | None]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        rows = session.exec(select(Answer)).all()
        return {
            f"{r.question_id}@{r.block}.{r.item}": r.value_text or r.value_number or r.value_choice
            for r in rows
        }


def test_a_full_external_survey(engine, survey_data) -> None:  # type: ignore[no-untyped-def]
    code, out = chat(
        engine,
        survey_data,
        [
            "2",
            "Puskesmas buka sore",
            "Warga bekerja sampai siang",
            "1",
            "Ambulans desa",
            "Rumah sakit jauh",
            "2",
            "Antre lama",
            "/lewati",
            "2",
            "/kirim",
        ],
    )
    assert code == 0
    assert "Pertanyaan 5 dari 10 · Kesehatan" in out
    assert "Kode tanda terima" in out
    stored = answers(engine)
    assert stored["need@0.1"] == "Ambulans desa" and stored["obstacle@0.0"] == "Antre lama"
    assert "strategy@0.0" not in stored
    with Session(engine) as session:
        run = session.exec(select(SurveyRun)).one()
        assert run.status == RunStatus.submitted and run.receipt_code in out


def test_after_submitting_the_receipt_is_shown_and_a_new_survey_only_on_request(
    engine, survey_data
) -> None:  # type: ignore[no-untyped-def]
    submit = ["1", "Guru honorer", "Kelas penuh", "2", "Atap bocor", "/lewati", "2", "/kirim"]
    chat(engine, survey_data, submit)
    with Session(engine) as session:
        receipt = session.exec(select(SurveyRun)).one().receipt_code
    code, out = chat(engine, survey_data, [""])
    assert code == 0
    assert f"Jawaban Anda sudah terkirim (kode tanda terima {receipt})" in out
    assert "Ketik /baru" in out and "Pertanyaan 1" not in out
    with Session(engine) as session:
        assert len(session.exec(select(SurveyRun)).all()) == 1
    code, out = chat(engine, survey_data, [], stdin=Interrupting(""))
    assert code == 130 and "Traceback" not in out
    code, out = chat(engine, survey_data, ["/baru", "3"])
    assert "Pertanyaan 2" in out
    with Session(engine) as session:
        runs = session.exec(select(SurveyRun).order_by(SurveyRun.id)).all()
        assert [r.status for r in runs] == [RunStatus.submitted, RunStatus.in_progress]


def test_end_of_input_keeps_answers_and_the_same_command_resumes(engine, survey_data) -> None:  # type: ignore[no-untyped-def]
    code, out = chat(engine, survey_data, ["3", "Jalan desa diaspal"])
    assert code == 0 and "Jawaban Anda tersimpan" in out
    assert answers(engine) == {"domain@0.0": "pekerjaan_umum", "need@0.0": "Jalan desa diaspal"}
    code, out = chat(engine, survey_data, ["Becek saat hujan"])
    assert "Pertanyaan 3 dari 7 · Jalan, Air & Tata Ruang" in out.split("Mengapa")[0]
    assert answers(engine)["reason@0.0"] == "Becek saat hujan"


def test_ctrl_c_keeps_answers(engine, survey_data) -> None:  # type: ignore[no-untyped-def]
    code, out = chat(engine, survey_data, [], stdin=Interrupting("1\nGuru honorer\n"))
    assert code == 130 and "Jawaban Anda tersimpan" in out
    assert answers(engine)["need@0.0"] == "Guru honorer"


def test_bad_input_is_explained_and_nothing_is_lost(engine, survey_data) -> None:  # type: ignore[no-untyped-def]
    code, out = chat(
        engine,
        survey_data,
        [
            "40",
            "1",
            "Guru",
            "   ",
            "/kembali",
            "/kembali",
            "/kembali",
            "/entah",
            "/ubah 9",
        ],
        language="en",
    )
    assert "That choice is not available" in out
    assert "The answer cannot be empty" in out
    assert "This is already the first question" in out
    assert "Unknown command" in out
    assert answers(engine) == {"domain@0.0": "pendidikan", "need@0.0": "Guru"}


def test_edit_outside_the_review_shows_it_and_a_wrong_number_names_the_range(
    engine, survey_data
) -> None:  # type: ignore[no-untyped-def]
    code, out = chat(
        engine, survey_data, ["1", "Guru", "/ubah", "/ubah 99", "/ubah 2", "SD negeri"]
    )
    assert code == 0
    _, _, after = out.partition("Jawaban Anda sejauh ini:")  # the review, reached early
    assert "/kirim" not in after.split("Ketik /ubah diikuti nomor jawaban dari")[0]
    assert "  2. Kebutuhan: Guru" in after
    assert "Ketik /ubah diikuti nomor jawaban dari 1 sampai 2, misalnya /ubah 1." in after
    assert "Jawaban Anda sekarang: Guru" in after
    assert answers(engine)["need@0.0"] == "SD negeri"


def test_edit_with_no_answers_yet_says_so(engine, survey_data) -> None:  # type: ignore[no-untyped-def]
    code, out = chat(engine, survey_data, ["/ubah", "/ubah 3"])
    assert code == 0
    assert out.count("Belum ada jawaban.") >= 2  # the empty review, then the answer to /ubah 3
    assert "sampai 0" not in out


def test_the_internal_survey_labels_targets_with_plan_years(engine, survey_data) -> None:  # type: ignore[no-untyped-def]
    code, out = chat(
        engine,
        survey_data,
        [
            "2",
            "Puskesmas 24 jam",
            "Kurang dokter",
            "Dua puskesmas",
            "Rekrut dokter",
            "1",  # the OPD: the health domain's own agencies are numbered first
            "Jumlah puskesmas 24 jam",
            "2",  # unit
            "2",  # baseline
            "2025",  # its year
            "dua",
            "2",
            "3",
            "4",
            "5",
            "6",
            "/lewati",  # no indicative budget
            "2",
            "2",
            "/kirim",
        ],
        instrument="internal",
    )
    assert "  1. Dinkes\n  2. RSUD\n  3. Disdikbud" in out
    assert "Target tahun 2027 untuk «" in out and "Mohon tulis angka saja" in out
    stored = answers(engine)
    assert stored["target_y5@0.0"] == 6.0
    assert (stored["opd@0.0"], stored["unit@0.0"]) == ("dinkes", "unit")
    assert (stored["baseline@0.0"], stored["baseline_year@0.0"]) == (2.0, 2025.0)
    assert "budget_y1@0.0" not in stored
    assert "Kode tanda terima" in out
