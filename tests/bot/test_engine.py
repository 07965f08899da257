"""The pure survey engine: every transition and every validation message."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.engine import (
    DONE,
    REVIEW,
    ChoiceInput,
    Command,
    Context,
    EditInput,
    Outcome,
    Progress,
    TextInput,
    UserInput,
    advance,
    plan_steps,
)
from shared.numbers import format_number, parse_number
from shared.survey_data import SurveyData

YEARS = (2027, 2028, 2029, 2030, 2031)


def make_ctx(survey_data: SurveyData, instrument: str = "external", language: str = "id"):
    return Context(
        questionnaire=survey_data.questionnaire(instrument),
        domains=survey_data.domains,
        messages=survey_data.messages,
        language=language,
        plan_years=YEARS,
        free_text_max=2000,
        agencies=survey_data.agencies,
        units=survey_data.units,
    )


class Run:
    """Applies outcomes in memory, as the store does in the database."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.progress = Progress(receipt_code="ABCD2345")
        self.last: Outcome = self.send(Command.start)

    def send(self, user_input: UserInput) -> Outcome:
        outcome = advance(self.ctx, self.progress, user_input)
        answers = dict(self.progress.answers)
        for key in outcome.deletes:
            answers.pop(key)
        for write in outcome.writes:
            answers[write.key] = write
        self.progress = Progress(outcome.step, outcome.editing, answers, "ABCD2345")
        self.last = outcome
        return outcome

    def text(self, value: str) -> Outcome:
        return self.send(TextInput(value))

    def choose(self, value: str) -> Outcome:
        return self.send(ChoiceInput(value))

    def answer(self, question_id: str, block: int = 0, item: int = 0):
        return self.progress.answers.get((question_id, block, item))


@pytest.fixture
def ctx(survey_data: SurveyData) -> Context:
    return make_ctx(survey_data)


@pytest.fixture
def run(ctx: Context) -> Run:
    return Run(ctx)


def fill_one_domain(run: Run, domain: str = "kesehatan") -> None:
    run.choose(domain)
    run.text("Puskesmas buka sampai sore")
    run.text("Banyak warga bekerja sampai siang")
    run.choose("no")
    run.text("Antre lama dan obat sering habis")
    run.text("Tambah dokter jaga")


def test_start_asks_for_the_domain_first(run: Run, ctx: Context) -> None:
    prompt = run.last.prompt
    assert prompt.step == "domain@0.0"
    assert prompt.kind == "domain"
    assert prompt.progress == "Pertanyaan 1 dari 7"
    assert [c.value for c in prompt.choices] == [d.code for d in ctx.domains.domains]
    assert not prompt.can_go_back
    assert run.last.writes == () and run.last.error is None


def test_domain_choice_is_stored_and_progress_names_the_domain(run: Run) -> None:
    outcome = run.choose("kesehatan")
    assert [(w.question_id, w.domain, w.choice) for w in outcome.writes] == [
        ("domain", "kesehatan", "kesehatan")
    ]
    assert outcome.step == "need@0.0"
    assert outcome.prompt.progress == "Pertanyaan 2 dari 7 · Kesehatan"
    assert outcome.prompt.hint and "puskesmas" in outcome.prompt.hint


@pytest.mark.parametrize("typed", ["2", "kesehatan", "  KESEHATAN "])
def test_domain_can_be_typed_by_number_or_name(run: Run, typed: str) -> None:
    outcome = run.text(typed)
    assert outcome.error is None
    assert run.answer("domain").choice == "kesehatan"


def test_without_numbered_choices_a_typed_number_is_no_choice(survey_data: SurveyData) -> None:
    from dataclasses import replace as with_fields

    run = Run(with_fields(make_ctx(survey_data, language="en"), numbered_choices=False))
    assert run.text("2").error == (
        "Please choose a domain by pressing one of the buttons below. You can tell your story"
        " in the next question."
    )
    assert run.answer("domain") is None
    assert run.text("Health").error is None and run.answer("domain").choice == "kesehatan"


@pytest.mark.parametrize(
    ("typed", "domain"),
    [
        ("adminduk", "adminduk_perizinan"),
        ("PU &  Tata Ruang", "pekerjaan_umum"),
        ("Health", "kesehatan"),
    ],
)
def test_a_domain_can_be_typed_by_an_alias_or_its_other_names(
    run: Run, typed: str, domain: str
) -> None:
    assert run.text(typed).error is None
    assert run.answer("domain").choice == domain


@pytest.mark.parametrize("bad", [ChoiceInput("mars"), TextInput("99"), TextInput("entah")])
def test_choice_not_offered_is_refused_politely(run: Run, bad: UserInput) -> None:
    outcome = run.send(bad)
    assert outcome.error == "Pilihan itu tidak tersedia. Silakan pilih salah satu pilihan yang ada."
    assert outcome.writes == ()
    assert outcome.step == "domain@0.0"


def test_empty_and_whitespace_text_is_refused(run: Run) -> None:
    run.choose("pendidikan")
    for empty in ("", "   \n\t "):
        outcome = run.text(empty)
        assert outcome.error == "Jawaban tidak boleh kosong. Silakan tulis jawaban Anda."
        assert outcome.writes == () and outcome.step == "need@0.0"


def test_too_short_text_names_the_minimum(run: Run) -> None:
    run.choose("pendidikan")
    outcome = run.text("ab")
    assert outcome.error == "Jawaban terlalu pendek. Tulis paling sedikit 3 karakter."


def test_text_over_the_limit_is_refused_not_cut(run: Run) -> None:
    run.choose("pendidikan")
    run.text("Guru tambahan")
    outcome = run.text("x" * 2001)
    assert outcome.error and "2001" in outcome.error and "2000" in outcome.error
    assert outcome.writes == ()
    assert run.answer("need").text == "Guru tambahan"  # earlier answer untouched
    assert run.text("x" * 2000).error is None
    assert run.answer("reason").text == "x" * 2000


def test_text_is_stored_trimmed_but_never_corrected(run: Run) -> None:
    run.choose("pendidikan")
    run.text("  sklh rusak gak ada guru  \n")
    assert run.answer("need").text == "sklh rusak gak ada guru"


def test_a_button_press_where_text_is_expected_is_refused(run: Run) -> None:
    run.choose("pendidikan")
    outcome = run.choose("yes")
    assert outcome.error and "tidak tersedia" in outcome.error
    assert outcome.writes == ()


def test_another_need_repeats_the_item_and_grows_the_total(run: Run) -> None:
    run.choose("kesehatan")
    run.text("Puskesmas buka sore")
    run.text("Warga kerja siang")
    outcome = run.choose("yes")
    assert outcome.step == "need@0.1"
    assert outcome.prompt.progress == "Pertanyaan 5 dari 10 · Kesehatan · kebutuhan ke-2"
    run.text("Ambulans desa")
    run.text("Rumah sakit jauh")
    outcome = run.text("tidak")  # typed no
    assert outcome.step == "obstacle@0.0"
    assert run.answer("need", 0, 1).text == "Ambulans desa"
    assert run.answer("more_needs", 0, 1).choice == "no"


def test_with_two_needs_the_first_is_numbered_too(run: Run) -> None:
    run.choose("kesehatan")
    run.text("Puskesmas buka sore")
    run.text("Warga kerja siang")
    run.choose("yes")
    run.send(Command.back)  # the "another need?" question of the first need
    outcome = run.send(Command.back)
    assert outcome.step == "reason@0.0"
    assert outcome.prompt.progress == "Pertanyaan 3 dari 10 · Kesehatan · kebutuhan ke-1"


def test_review_numbers_the_needs_of_a_domain_with_several(run: Run) -> None:
    run.choose("kesehatan")
    run.text("Puskesmas buka sore")
    run.text("Warga kerja siang")
    run.choose("yes")
    run.text("Ambulans desa")
    run.text("Rumah sakit jauh")
    run.choose("no")
    run.text("Antre lama")
    run.text("Tambah dokter")
    outcome = run.choose("no")
    labels = [item.label for item in outcome.prompt.review_items]
    assert labels == [
        "Bidang layanan",
        "Kebutuhan 1",
        "Alasan 1",
        "Kebutuhan 2",
        "Alasan 2",
        "Hambatan",
        "Saran strategi",
    ]


@pytest.mark.parametrize(("typed", "value"), [("ya", "yes"), ("Iya", "yes"), ("gak", "no")])
def test_yes_no_can_be_typed(run: Run, typed: str, value: str) -> None:
    run.choose("kesehatan")
    run.text("Puskesmas buka sore")
    run.text("Warga kerja siang")
    run.text(typed)
    assert run.answer("more_needs").choice == value


def test_another_domain_opens_a_new_block(run: Run) -> None:
    fill_one_domain(run)
    outcome = run.choose("yes")
    assert outcome.step == "domain@1.0"
    run.choose("pendidikan")
    run.text("Guru honorer ditambah")
    assert run.answer("need", 1, 0).domain == "pendidikan"
    assert run.answer("need", 0, 0).domain == "kesehatan"
    assert run.last.prompt.progress.endswith("· Pendidikan")


def test_back_goes_to_the_previous_question_and_shows_the_answer(run: Run) -> None:
    run.choose("kesehatan")
    run.text("Puskesmas buka sore")
    outcome = run.send(Command.back)
    assert outcome.step == "need@0.0"
    assert outcome.prompt.current_answer == "Puskesmas buka sore"
    assert outcome.writes == () and outcome.deletes == ()


def test_back_at_the_first_question_is_refused(run: Run) -> None:
    outcome = run.send(Command.back)
    assert outcome.error == "Ini sudah pertanyaan pertama, tidak bisa kembali lagi."
    assert outcome.step == "domain@0.0"


def test_skip_rules(run: Run) -> None:
    run.choose("kesehatan")
    outcome = run.send(Command.skip)  # required and unanswered
    assert outcome.error == "Pertanyaan ini wajib dijawab dan tidak bisa dilewati."
    assert outcome.step == "need@0.0"
    run.text("Puskesmas buka sore")
    run.send(Command.back)
    outcome = run.send(Command.skip)  # required but answered: keeps the answer
    assert outcome.error is None and outcome.step == "reason@0.0"
    assert run.answer("need").text == "Puskesmas buka sore"
    run.text("Warga kerja siang")
    run.choose("no")
    run.text("Antre lama")
    assert run.last.prompt.optional
    outcome = run.send(Command.skip)  # optional strategy
    assert outcome.writes == () and outcome.step == "more_domains@0.0"
    assert run.answer("strategy") is None


def test_finishing_leads_to_a_review_without_navigation_answers(run: Run) -> None:
    fill_one_domain(run)
    outcome = run.choose("no")
    assert outcome.step == REVIEW
    labels = [(item.label, item.value) for item in outcome.prompt.review_items]
    assert labels == [
        ("Bidang layanan", "Kesehatan"),
        ("Kebutuhan", "Puskesmas buka sampai sore"),
        ("Alasan", "Banyak warga bekerja sampai siang"),
        ("Hambatan", "Antre lama dan obat sering habis"),
        ("Saran strategi", "Tambah dokter jaga"),
    ]
    assert outcome.prompt.choices[0].value == "submit"


def test_typing_in_the_review_points_to_the_buttons(run: Run) -> None:
    fill_one_domain(run)
    run.choose("no")
    outcome = run.text("halo")
    assert outcome.step == REVIEW and outcome.writes == ()
    assert outcome.error and "memeriksa jawaban" in outcome.error


def test_edit_from_the_review_returns_to_the_review(run: Run) -> None:
    fill_one_domain(run)
    run.choose("no")
    outcome = run.send(EditInput("obstacle@0.0"))
    assert outcome.editing and outcome.step == "obstacle@0.0"
    assert outcome.prompt.current_answer == "Antre lama dan obat sering habis"
    bad = run.text("  ")
    assert bad.error and bad.editing and bad.step == "obstacle@0.0"
    outcome = run.text("Obat sering habis")
    assert outcome.step == REVIEW and not outcome.editing
    assert run.answer("obstacle").text == "Obat sering habis"


def test_back_while_editing_returns_to_the_review_unchanged(run: Run) -> None:
    fill_one_domain(run)
    run.choose("no")
    run.send(EditInput("need@0.0"))
    outcome = run.send(Command.back)
    assert outcome.step == REVIEW and outcome.writes == ()


@pytest.mark.parametrize("step", ["more_needs@0.0", "need@5.0", "garbage"])
def test_only_shown_content_answers_can_be_edited(run: Run, step: str) -> None:
    fill_one_domain(run)
    run.choose("no")
    outcome = run.send(EditInput(step))
    assert outcome.error == "Jawaban itu tidak bisa diubah. Pilih salah satu jawaban dari daftar."
    assert outcome.step == REVIEW and outcome.writes == ()


def test_editing_the_domain_moves_the_whole_block(run: Run) -> None:
    fill_one_domain(run, "kesehatan")
    run.choose("no")
    run.send(EditInput("domain@0.0"))
    outcome = run.choose("pendidikan")
    assert outcome.step == REVIEW
    assert {a.domain for a in run.progress.answers.values()} == {"pendidikan"}
    # the respondent is told that their four answers (need, reason, obstacle, strategy) moved
    assert outcome.prompt.notice == (
        "Bidang diganti menjadi Pendidikan; 4 jawaban lain di bagian ini ikut dipindahkan."
    )


@pytest.mark.parametrize(
    ("domain", "example"),
    [("pendidikan", "guru cukup di sekolah desa"), ("kesehatan", "puskesmas buka sampai sore")],
)
def test_the_need_example_is_the_chosen_domains(run: Run, domain: str, example: str) -> None:
    hint = run.choose(domain).prompt.hint
    assert hint is not None and hint.startswith(f"Contoh: {example}")


def test_a_review_reached_early_offers_no_submit_and_back_resumes(run: Run) -> None:
    run.choose("kesehatan")
    run.text("Puskesmas buka sore")
    early = run.send(Command.review)
    assert early.prompt.text == "Jawaban Anda sejauh ini:" and early.prompt.choices == ()
    assert "Kembali untuk melanjutkan" in (early.prompt.hint or "")
    typed = run.text("kirim saja")  # words typed at the review: no submit button to point to
    assert typed.error == (
        "Pilih jawaban yang ingin diubah, atau tekan Kembali untuk melanjutkan pengisian."
    )
    assert run.send(Command.back).step == "reason@0.0"  # the first unanswered question
    run.text("Warga kerja pagi")
    run.choose("no")
    run.text("Antre lama")
    run.text("Tambah dokter")
    assert run.send(Command.review).prompt.choices == ()  # "another domain?" is unanswered
    assert run.send(Command.back).step == "more_domains@0.0"
    finished = run.choose("no")
    assert finished.step == REVIEW and finished.prompt.text.startswith("Periksa jawaban")
    assert [c.value for c in finished.prompt.choices] == ["submit"]


def test_the_review_names_a_domain_as_its_button_does(run: Run) -> None:
    fill_one_domain(run, "pekerjaan_umum")
    review = run.choose("no")
    assert review.step == REVIEW
    assert review.prompt.review_items[0].value == "Jalan, Air & Tata Ruang"


def test_choosing_the_same_domain_again_or_a_first_domain_says_nothing(run: Run) -> None:
    assert run.choose("kesehatan").prompt.notice is None
    run.text("Puskesmas buka sampai sore")
    run.send(Command.back)
    run.send(Command.back)
    assert run.progress.step == "domain@0.0"
    assert run.choose("kesehatan").prompt.notice is None
    run.send(Command.back)
    moved = run.choose("pendidikan")
    assert moved.prompt.notice == (
        "Bidang diganti menjadi Pendidikan; 1 jawaban lain di bagian ini ikut dipindahkan."
    )
    assert run.answer("need", 0, 0).domain == "pendidikan"


def test_a_withdrawn_need_is_not_counted_as_moved(run: Run) -> None:
    run.choose("kesehatan")
    run.text("Puskesmas buka sore")
    run.text("Warga kerja pagi")
    run.choose("yes")
    run.text("Ambulans desa")
    run.text("Rumah sakit jauh")
    run.send(Command.back)
    run.send(Command.back)
    run.send(Command.back)
    run.choose("no")  # the second need is off the path now, though still stored
    run.text("Antre lama")
    run.text("Tambah dokter")
    run.choose("no")
    assert run.answer("need", 0, 1) is not None
    run.send(EditInput("domain@0.0"))
    moved = run.choose("pendidikan")
    shown = [i for i in moved.prompt.review_items if i.step != "domain@0.0"]
    assert len(shown) == 4
    assert moved.prompt.notice is not None and moved.prompt.notice.endswith(
        "; 4 jawaban lain di bagian ini ikut dipindahkan."
    )


def test_submit_with_a_required_answer_missing_moves_to_it(run: Run) -> None:
    run.choose("kesehatan")
    run.text("Puskesmas buka sore")
    outcome = run.send(Command.submit)
    assert outcome.error == (
        "Masih ada pertanyaan wajib yang belum dijawab: Alasan. Mohon dijawab dulu."
    )
    assert outcome.step == "reason@0.0" and not outcome.submitted


def test_a_missing_question_is_named_without_its_question_mark(run: Run) -> None:
    run.choose("kesehatan")
    run.text("Puskesmas buka sore")
    run.text("Warga kerja pagi")
    outcome = run.send(Command.submit)
    assert outcome.error == (
        "Masih ada pertanyaan wajib yang belum dijawab: Ada kebutuhan lain untuk layanan ini."
        " Mohon dijawab dulu."
    )


def test_submit_gives_a_receipt_and_drops_answers_off_the_path(run: Run) -> None:
    run.choose("kesehatan")
    run.text("Puskesmas buka sore")
    run.text("Warga kerja siang")
    run.choose("yes")
    run.text("Ambulans desa")  # later abandoned by answering "no" instead
    run.send(Command.back)
    run.send(Command.back)  # more_needs@0.0
    run.choose("no")
    run.text("Antre lama")
    run.send(Command.skip)
    run.choose("no")
    outcome = run.send(Command.submit)
    assert outcome.submitted and outcome.step == DONE
    assert outcome.prompt.receipt_code == "ABCD2345"
    assert "ABCD2345" in outcome.prompt.text
    assert outcome.deletes == (("need", 0, 1),)


def test_after_submission_every_input_says_it_is_already_in(run: Run) -> None:
    fill_one_domain(run)
    run.choose("no")
    run.send(Command.submit)
    outcome = run.text("satu lagi")
    assert outcome.writes == () and outcome.step == DONE
    assert outcome.error and "sudah terkirim" in outcome.error


def test_resume_from_an_unknown_step_goes_to_the_first_unanswered(run: Run) -> None:
    run.choose("kesehatan")
    run.text("Puskesmas buka sore")
    stale = replace(run.progress, step="removed_question@0.0")
    outcome = advance(run.ctx, stale, Command.start)
    assert outcome.step == "reason@0.0"


def test_the_engine_never_mutates_the_progress(run: Run) -> None:
    run.choose("kesehatan")
    before = dict(run.progress.answers)
    advance(run.ctx, run.progress, TextInput("Puskesmas buka sore"))
    assert dict(run.progress.answers) == before


def test_english_texts(survey_data: SurveyData) -> None:
    run = Run(make_ctx(survey_data, language="en"))
    assert run.last.prompt.text == "Which basic service would you like to talk about?"
    run.choose("kesehatan")
    assert run.last.prompt.progress == "Question 2 of 7 · Health"
    assert run.text("").error == "The answer cannot be empty. Please write your answer."


# Internal FGD ---------------------------------------------------------------------------


@pytest.fixture
def staff(survey_data: SurveyData) -> Run:
    return Run(make_ctx(survey_data, "internal"))


def fill_staff_row(run: Run, *, unit: str = "unit", baseline: str | None = "2") -> None:
    """A staff row up to its first yearly target."""
    run.choose("kesehatan")
    run.text("Layanan puskesmas 24 jam")
    run.text("Kekurangan dokter")
    run.text("Dua puskesmas sudah 24 jam")
    run.text("Rekrut dokter PPPK")
    run.choose("dinkes")
    run.text("Jumlah puskesmas 24 jam (unit)")
    run.choose(unit)
    if baseline is None:
        run.send(Command.skip)
    else:
        run.text(baseline)
        run.text("2025")


def test_staff_targets_are_asked_per_plan_year(staff: Run) -> None:
    fill_staff_row(staff)
    prompt = staff.last.prompt
    assert staff.last.step == "target_y1@0.0"
    assert prompt.text == (
        "Rencana penguatan sasaran per tahun: berapa target indikator itu?\n"
        "Target tahun 2027 untuk «Jumlah puskesmas 24 jam (unit)» (1 dari 5)"
    )
    for value in ("3", "4", "5", "6"):
        staff.text(value)
    # later years: the year and the indicator only, not the whole question again
    assert staff.last.prompt.text == (
        "Target tahun 2031 untuk «Jumlah puskesmas 24 jam (unit)» (5 dari 5)"
    )
    staff.text("8")
    assert [staff.answer(f"target_y{n}").number for n in range(1, 6)] == [3, 4, 5, 6, 8]
    assert staff.last.step == "budget_y1@0.0"


def test_a_staff_row_moved_to_another_domain_counts_its_targets(staff: Run) -> None:
    fill_staff_row(staff)
    for value in ("3", "4", "5", "6", "8"):
        staff.text(value)
    staff.send(Command.skip)  # no budget
    staff.choose("no")
    staff.send(EditInput("domain@0.0"))
    moved = staff.choose("pendidikan")
    # the domain, 5 texts, OPD, unit, baseline and its year, 5 targets
    assert len(moved.prompt.review_items) == 15
    assert moved.prompt.notice == (
        "Bidang diganti menjadi Pendidikan; 14 jawaban lain di bagian ini ikut dipindahkan."
    )


def test_the_moved_notice_in_english_uses_the_button_label(survey_data: SurveyData) -> None:
    run = Run(make_ctx(survey_data, language="en"))
    run.choose("adminduk_perizinan")
    run.text("KTP selesai sehari")
    run.send(Command.back)
    run.send(Command.back)
    moved = run.choose("pekerjaan_umum")
    assert moved.prompt.notice == (
        "Domain changed to Roads, Water & Land Use. Other answers in this section moved with it: 1."
    )


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("banyak", "Mohon tulis angka saja, misalnya 75 atau 12,5."),
        ("-5", "Angka harus di antara 0 dan 1.000.000.000."),
    ],
)
def test_staff_target_must_be_a_number_in_range(staff: Run, typed: str, error: str) -> None:
    fill_staff_row(staff)
    outcome = staff.text(typed)
    assert outcome.error == error and outcome.writes == ()
    assert outcome.step == "target_y1@0.0"


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("75", 75.0),
        ("12,5", 12.5),
        ("12.5", 12.5),
        ("1.250", 1250.0),
        ("1.250,5", 1250.5),
        ("80%", 80.0),
        (" 3 000 ", 3000.0),
        ("abc", None),
        ("", None),
        ("1,250,000", 1250000.0),
        ("1.250.000,5", 1250000.5),
        ("1,250", 1.25),  # Indonesian: a decimal comma
        ("85 persen", 85.0),
        ("1.5.0", None),  # not thousands groups
        ("1,2,3", None),
        ("1.25.000", None),
        ("-2,5", -2.5),
        ("0,5", 0.5),
        ("12.500,75", 12500.75),
        ("1,5 miliar", 1_500_000_000.0),  # amounts in words of scale, as budgets are said
        ("Rp 1.750.000.000", 1_750_000_000.0),
        ("500 juta", 500_000_000.0),
        ("1,2 juta", 1_200_000.0),
        ("miliar", None),
        ("2 m", None),  # metres or miliar: not guessed
    ],
)
def test_parse_number(raw: str, value: float | None) -> None:
    assert parse_number(raw) == value


@pytest.mark.parametrize(
    ("raw", "value"),
    [("1,250", 1250.0), ("1.250", 1.25), ("1,250.5", 1250.5), ("12.5", 12.5), ("80 percent", 80.0)],
)
def test_parse_number_in_english(raw: str, value: float) -> None:
    assert parse_number(raw, "en") == value


@pytest.mark.parametrize(
    ("value", "indonesian", "english"),
    [
        (12.5, "12,5", "12.5"),
        (1250000.5, "1.250.000,5", "1,250,000.5"),
        (80.0, "80", "80"),
        (12.34567, "12,34567", "12.34567"),  # as typed, not rounded
        (0.00001, "0,00001", "0.00001"),
        (-0.0, "0", "0"),
    ],
)
def test_numbers_are_shown_as_the_language_writes_them(
    value: float, indonesian: str, english: str
) -> None:
    assert format_number(value, "id") == indonesian
    assert format_number(value, "en") == english


def test_staff_review_labels_targets_with_years(staff: Run) -> None:
    fill_staff_row(staff)
    for value in ("3", "4", "5", "6", "8"):
        staff.text(value)
    staff.send(Command.skip)
    staff.choose("no")
    outcome = staff.choose("no")
    labels = [item.label for item in outcome.prompt.review_items]
    assert labels[-5:] == [f"Target {year}" for year in YEARS]
    assert staff.send(Command.submit).submitted


def test_plan_steps_counts_unanswered_repeats_as_no(ctx: Context) -> None:
    steps, complete = plan_steps(ctx, {})
    assert [s.key for s in steps] == [
        "domain@0.0",
        "need@0.0",
        "reason@0.0",
        "more_needs@0.0",
        "obstacle@0.0",
        "strategy@0.0",
        "more_domains@0.0",
    ]
    assert not complete


@pytest.mark.parametrize("typed", ["ya", "Yes", "ok.", "tidak"])
def test_a_bare_yes_or_no_is_not_an_open_answer(run: Run, typed: str) -> None:
    run.choose("kesehatan")
    outcome = run.text(typed)
    assert outcome.error is not None
    assert outcome.error.startswith(
        'Mohon tulis jawaban Anda dengan beberapa kata, bukan hanya "ya"'
    )
    assert '"tidak ada"' in outcome.error  # and says how to answer "none"
    assert outcome.step == "need@0.0" and outcome.writes == ()


def test_none_can_answer_an_open_question(run: Run) -> None:
    fill_one_domain(run, "kesehatan")
    assert run.answer("obstacle") is not None
    run.send(EditInput("obstacle@0.0"))
    outcome = run.text("tidak ada")
    assert outcome.error is None and run.answer("obstacle").text == "tidak ada"


def test_an_empty_line_to_a_choice_asks_to_choose(run: Run) -> None:
    outcome = run.text("   ")
    assert outcome.error == "Belum ada yang dipilih. Silakan pilih salah satu pilihan yang ada."
    assert outcome.step == "domain@0.0" and not run.progress.answers
    assert run.text("lompat").error == (
        "Pilihan itu tidak tersedia. Silakan pilih salah satu pilihan yang ada."
    )


# Internal FGD v2: agency, unit, baseline and its year, indicative budget -----------------


def test_the_agency_is_chosen_with_the_domains_usual_agencies_first(staff: Run) -> None:
    staff.choose("kesehatan")
    for answer in ("Layanan puskesmas 24 jam", "Kekurangan dokter", "Dua puskesmas", "Rekrut"):
        staff.text(answer)
    prompt = staff.last.prompt
    assert staff.last.step == "opd@0.0" and prompt.kind == "agency"
    assert [c.value for c in prompt.choices[:2]] == ["dinkes", "rsud"]  # serve kesehatan
    assert prompt.choices[2].value == "disdikbud"  # then the list's own order
    assert prompt.choices[0].label == "Dinkes"
    staff.text("Rumah Sakit Umum Daerah")  # any of its names may be typed
    assert staff.answer("opd").choice == "rsud"


def test_a_typed_agency_name_works_on_telegram_and_a_wrong_one_asks_for_a_button(
    survey_data: SurveyData,
) -> None:
    staff = Run(replace(make_ctx(survey_data, "internal"), numbered_choices=False))
    staff.choose("pendidikan")
    for answer in ("Sekolah dekat", "Guru kurang", "Ada 3 SD", "Rekrut guru"):
        staff.text(answer)
    assert staff.text("2").error == "Mohon pilih dengan menekan salah satu tombol di bawah."
    staff.text("dinas pendidikan")
    assert staff.answer("opd").choice == "disdikbud"


def test_the_next_row_offers_the_agency_of_the_last_row_first(staff: Run) -> None:
    fill_staff_row(staff)
    for value in ("3", "4", "5", "6", "8"):
        staff.text(value)
    staff.send(Command.skip)
    staff.choose("yes")
    for answer in ("Ambulans desa", "Armada kurang", "Dua ambulans", "Tambah ambulans"):
        staff.text(answer)
    # chosen in row 1, then the domain's others
    assert [c.value for c in staff.last.prompt.choices[:2]] == ["dinkes", "rsud"]
    staff.choose("rsud")
    assert staff.answer("opd", 0, 1).choice == "rsud"


def test_the_unit_is_a_choice_and_can_be_typed(staff: Run) -> None:
    fill_staff_row(staff)
    staff.send(EditInput("unit@0.0"))
    assert staff.last.prompt.kind == "unit"
    assert "%" in [c.label for c in staff.last.prompt.choices]
    staff.text("persen")
    assert staff.answer("unit").choice == "persen"


def test_a_skipped_baseline_asks_no_year(staff: Run) -> None:
    fill_staff_row(staff, baseline=None)
    assert staff.answer("baseline") is None
    assert staff.last.step == "target_y1@0.0"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("2025", 2025.0), ("2026", 2026.0), ("2027", None), ("25", None), ("1999", None)],
)
def test_the_baseline_year_lies_before_the_plan(
    staff: Run, typed: str, stored: float | None
) -> None:
    fill_staff_row(staff)
    staff.send(EditInput("baseline_year@0.0"))
    outcome = staff.text(typed)
    if stored is None:
        assert outcome.error == "Mohon tulis tahun dengan empat angka, antara 2000 dan 2026."
    else:
        assert outcome.error is None and staff.answer("baseline_year").number == stored


def test_a_whole_unit_refuses_a_decimal_target_politely(staff: Run) -> None:
    fill_staff_row(staff)  # unit: "unit", a whole one
    outcome = staff.text("2,5")
    assert outcome.error == (
        "Satuan «unit» dihitung utuh, jadi mohon tulis bilangan bulat, misalnya 2."
    )
    assert outcome.writes == () and outcome.step == "target_y1@0.0"
    assert staff.text("3").error is None


def test_a_whole_unit_refuses_a_decimal_baseline_but_a_percentage_takes_one(
    survey_data: SurveyData,
) -> None:
    staff = Run(make_ctx(survey_data, "internal"))
    fill_staff_row(staff, unit="desa", baseline=None)
    staff.send(Command.back)  # to the baseline
    assert staff.text("146,2").error.startswith("Satuan «desa» dihitung utuh")
    other = Run(make_ctx(survey_data, "internal"))
    fill_staff_row(other, unit="persen", baseline="45,5")
    assert other.answer("baseline").number == 45.5
    assert other.text("50,5").error is None


def test_the_budget_is_asked_per_year_and_skipped_whole(staff: Run) -> None:
    fill_staff_row(staff)
    for value in ("3", "4", "5", "6", "8"):
        staff.text(value)
    prompt = staff.last.prompt
    assert staff.last.step == "budget_y1@0.0" and prompt.optional
    assert prompt.text.endswith("Pagu tahun 2027 untuk «Jumlah puskesmas 24 jam (unit)» (1 dari 5)")
    staff.send(Command.skip)  # at the first year: no budget at all
    assert staff.last.step == "more_rows@0.0"
    assert not [key for key in staff.progress.answers if key[0].startswith("budget")]


def test_budget_amounts_can_be_written_in_words(staff: Run) -> None:
    fill_staff_row(staff)
    for value in ("3", "4", "5", "6", "8"):
        staff.text(value)
    staff.text("1,5 miliar")
    staff.text("Rp 1.750.000.000")
    staff.send(Command.skip)  # a later year skipped alone
    assert staff.last.step == "budget_y4@0.0"
    assert staff.answer("budget_y1").number == 1_500_000_000
    assert staff.answer("budget_y2").number == 1_750_000_000
    assert staff.answer("budget_y3") is None


def test_an_internal_context_without_its_agency_list_is_refused(survey_data: SurveyData) -> None:
    with pytest.raises(ValueError, match="pass agencies"):
        replace(make_ctx(survey_data, "internal"), agencies=None)


def test_a_whole_unit_chosen_later_for_a_row_with_decimals_is_refused(
    survey_data: SurveyData,
) -> None:
    staff = Run(make_ctx(survey_data, "internal"))
    fill_staff_row(staff, unit="persen", baseline="45,5")
    staff.send(EditInput("unit@0.0"))
    outcome = staff.choose("desa")
    assert outcome.error == (
        "Satuan «desa» dihitung utuh, tetapi Nilai awal berisi 45,5. "
        "Ubah dulu angka itu, atau pilih satuan lain."
    )
    assert staff.answer("unit").choice == "persen"
    assert staff.choose("km").error is None  # a unit with decimals is fine
