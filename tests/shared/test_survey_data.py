"""Questionnaires, domains and dimensions are data, validated at start-up."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from shared.survey_data import QuestionKind, SurveyDataError, load_survey_data


def edit_yaml(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def question(data: dict, question_id: str) -> dict:
    return next(q for q in data["questions"] if q["id"] == question_id)


def test_shipped_data_loads(survey_data) -> None:  # type: ignore[no-untyped-def]
    external = survey_data.questionnaire("external")
    internal = survey_data.questionnaire("internal")
    assert [q.id for q in external.content_questions] == [
        "domain",
        "need",
        "reason",
        "obstacle",
        "strategy",
    ]
    assert any(q.kind is QuestionKind.year_targets for q in internal.questions)
    codes = [d.code for d in survey_data.domains.domains]
    for expected in ("pendidikan", "kesehatan", "pekerjaan_umum", "adminduk_perizinan"):
        assert expected in codes
    seed = [d.code for d in survey_data.dimensions.dimensions if d.group == "seed"]
    assert len(seed) == 7
    for domain in survey_data.domains.domains:
        assert domain.name.id and domain.name.en and domain.description.en


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: question(d, "need").update(kind="essay"), "id need > kind"),
        (lambda d: question(d, "need")["text"].pop("en"), "id need > text > en: Field required"),
        (lambda d: question(d, "reason").update(id="need"), "question need: duplicate id"),
        (
            lambda d: question(d, "need").update(min_length=50, max_length=10),
            "id need: min_length is greater than max_length",
        ),
        (
            lambda d: question(d, "obstacle").update(repeat="item"),
            "id obstacle: only a yes_no question can carry a repeat rule",
        ),
        (
            lambda d: question(d, "need").update(scope="block"),
            "question need: item questions must all come before block questions",
        ),
        (
            lambda d: d["questions"].insert(0, d["questions"].pop(1)),
            "question need: the first question must be of kind domain",
        ),
    ],
)
def test_a_broken_questionnaire_names_file_question_and_problem(
    data_dir_copy: Path,
    change,
    expected: str,  # type: ignore[no-untyped-def]
) -> None:
    path = data_dir_copy / "external.yaml"
    edit_yaml(path, change)
    with pytest.raises(SurveyDataError) as error:
        load_survey_data(data_dir_copy)
    assert str(path) in str(error.value)
    assert expected in str(error.value)


def test_a_broken_domain_file_names_the_domain(data_dir_copy: Path) -> None:
    path = data_dir_copy / "domains.yaml"
    edit_yaml(path, lambda d: d["domains"][1]["short"].update(id="x" * 40))
    with pytest.raises(SurveyDataError, match=r"domains.yaml: .*kesehatan.*short name"):
        load_survey_data(data_dir_copy)


@pytest.mark.parametrize("alias", ["pendidikan", "  PENDIDIKAN ", "Education"])
def test_an_alias_naming_another_domain_is_refused(data_dir_copy: Path, alias: str) -> None:
    path = data_dir_copy / "domains.yaml"
    edit_yaml(path, lambda d: d["domains"][1].update(aliases=[alias]))
    with pytest.raises(SurveyDataError, match=r"kesehatan: name or alias .* is also pendidikan"):
        load_survey_data(data_dir_copy)


def test_a_domain_without_the_example_a_hint_shows_is_refused(data_dir_copy: Path) -> None:
    edit_yaml(data_dir_copy / "domains.yaml", lambda d: d["domains"][2].pop("example"))
    with pytest.raises(SurveyDataError, match="domain pekerjaan_umum has no example"):
        load_survey_data(data_dir_copy)


@pytest.mark.parametrize("alias", ["   ", "3"])
def test_a_blank_or_numeric_alias_is_refused(data_dir_copy: Path, alias: str) -> None:
    path = data_dir_copy / "domains.yaml"
    edit_yaml(path, lambda d: d["domains"][1].update(aliases=[alias]))
    with pytest.raises(SurveyDataError, match=r"kesehatan.*alias .* is blank or a number"):
        load_survey_data(data_dir_copy)


def test_invalid_yaml_and_missing_message_are_reported(data_dir_copy: Path) -> None:
    (data_dir_copy / "internal.yaml").write_text("id: [unclosed", encoding="utf-8")
    with pytest.raises(SurveyDataError, match=r"internal.yaml: not valid YAML"):
        load_survey_data(data_dir_copy)


def test_a_missing_interface_text_is_reported(data_dir_copy: Path) -> None:
    edit_yaml(data_dir_copy / "external.yaml", lambda d: None)
    edit_yaml(data_dir_copy / "messages.yaml", lambda d: d["messages"].pop("error_empty"))
    with pytest.raises(SurveyDataError, match="missing message error_empty"):
        load_survey_data(data_dir_copy)


def innovation(data: dict, code: str) -> dict:
    return next(i for i in data["innovations"] if i["code"] == code)


def test_the_innovation_library_loads_and_covers_every_domain(survey_data) -> None:  # type: ignore[no-untyped-def]
    library = survey_data.innovations
    assert len(library.innovations) >= 25
    outreach = library.by_code["jemput_bola"]
    assert outreach.instrument == "sop" and outreach.quick_win
    assert "kurang_aksesibel" in outreach.dimensions
    # every service domain (but the catch-all) has a pattern of its own
    named = {code for i in library.innovations for code in i.domains}
    services = {d.code for d in survey_data.domains.domains} - {"lainnya"}
    assert services <= named
    # the additions to the guide's dimensions have patterns that address them
    addressed = {code for i in library.innovations for code in i.dimensions}
    assert {"integritas", "petugas_tidak_hadir"} <= addressed
    for pattern in library.innovations:
        assert pattern.basis.id.strip() and pattern.basis.en.strip()


def test_every_innovation_keyword_keeps_words_after_normalisation(survey_data) -> None:  # type: ignore[no-untyped-def]
    from shared.text import TextTools

    tools = TextTools.from_data_dir()
    empty = [
        (i.code, k)
        for i in survey_data.innovations.innovations
        for k in i.keywords
        if not tools.streams(k).words
    ]
    assert empty == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: innovation(d, "jemput_bola")["domains"].append("kesehatann"),
            "innovation jemput_bola: unknown domain 'kesehatann'",
        ),
        (
            lambda d: innovation(d, "saber_pungli")["dimensions"].append("korupsi"),
            "innovation saber_pungli: unknown dimension 'korupsi'",
        ),
        (
            lambda d: innovation(d, "jemput_bola").update(instrument="instruksi"),
            "code jemput_bola > instrument",
        ),
        (
            lambda d: d["innovations"].append(dict(innovation(d, "bank_sampah"))),
            "innovation bank_sampah: duplicate code",
        ),
        (
            lambda d: innovation(d, "tps3r").update(keywords=[]),
            "code tps3r > keywords",
        ),
        (
            lambda d: innovation(d, "tps3r").update(dimensions=[]),
            "code tps3r > dimensions",
        ),
        (
            lambda d: innovation(d, "tps3r").update(owner="dlh"),
            "code tps3r > owner: Extra inputs are not permitted",
        ),
    ],
)
def test_a_broken_innovation_is_refused_by_name(
    data_dir_copy: Path,
    change,
    expected: str,  # type: ignore[no-untyped-def]
) -> None:
    path = data_dir_copy / "innovations.yaml"
    edit_yaml(path, change)
    with pytest.raises(SurveyDataError) as error:
        load_survey_data(data_dir_copy)
    assert str(path) in str(error.value)
    assert expected in str(error.value)


def _agency(data: dict, code: str) -> dict:
    return next(a for a in data["agencies"] if a["code"] == code)


@pytest.mark.parametrize(
    ("file", "change", "expected"),
    [
        (
            "agencies.yaml",
            lambda d: _agency(d, "dinkes")["domains"].append("kehutanan"),
            "agency dinkes: unknown domain 'kehutanan'",
        ),
        (
            "agencies.yaml",
            lambda d: _agency(d, "rsud").update(aliases=["Dinkes"]),
            "agency rsud: name 'Dinkes' is also dinkes's",
        ),
        (
            "agencies.yaml",
            lambda d: _agency(d, "dinkes").update(short="Dinas Kesehatan Kabupaten"),
            "code dinkes > short: String should have at most 16 characters",
        ),
        ("units.yaml", lambda d: d["units"][0].pop("whole"), "code persen > whole: Field required"),
        (
            "internal.yaml",
            lambda d: question(d, "baseline_year").update(asked_if="target"),
            "question baseline_year: asked_if must name an earlier content question",
        ),
        (
            "internal.yaml",
            lambda d: question(d, "need").update(in_row_unit=True),
            "id need: in_row_unit only applies to number and year_targets questions",
        ),
    ],
)
def test_broken_agency_unit_and_staff_question_data_is_named(
    data_dir_copy: Path,
    file: str,
    change,  # type: ignore[no-untyped-def]
    expected: str,
) -> None:
    edit_yaml(data_dir_copy / file, change)
    with pytest.raises(SurveyDataError) as error:
        load_survey_data(data_dir_copy)
    assert file in str(error.value) and expected in str(error.value)


def test_the_internal_questionnaire_asks_a_rows_agency_unit_baseline_and_budget(
    survey_data,  # type: ignore[no-untyped-def]
) -> None:
    internal = survey_data.questionnaire("internal")
    assert internal.version == 2
    kinds = {q.id: q.kind for q in internal.item_questions}
    assert kinds["opd"] is QuestionKind.agency and kinds["unit"] is QuestionKind.unit
    assert kinds["baseline"] is QuestionKind.number and kinds["baseline_year"] is QuestionKind.year
    assert kinds["budget"] is QuestionKind.year_targets and not internal.by_id["budget"].required
    assert internal.target_range == (0, 1_000_000_000)  # the target's, not the budget's
    whole = {u.code for u in survey_data.units.units if u.whole}
    assert {"unit", "orang", "desa", "dokumen"} <= whole and "persen" not in whole


def _drop_question(data: dict, question_id: str) -> None:
    data["questions"] = [q for q in data["questions"] if q["id"] != question_id]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: _drop_question(d, "biaya"), "element biaya: missing or not a choice"),
        (
            lambda d: d["questions"][4]["options"].reverse(),
            "element biaya: options must be the scores 1, 2, 3, 4",
        ),
        (lambda d: _drop_question(d, "saran"), "question saran: missing or not free text"),
        (lambda d: d.update(instrument="external"), "instrument must be skm"),
    ],
)
def test_a_broken_skm_is_refused_at_start_up(data_dir_copy: Path, change, expected: str) -> None:  # type: ignore[no-untyped-def]
    path = data_dir_copy / "skm.yaml"
    edit_yaml(path, change)
    with pytest.raises(SurveyDataError) as error:
        load_survey_data(data_dir_copy)
    assert "skm.yaml" in str(error.value) and expected in str(error.value)


def test_service_units_name_known_domains_and_fit_a_deep_link(data_dir_copy: Path) -> None:
    data = load_survey_data(data_dir_copy)
    assert data.service_units is not None
    assert data.service_units.find("DUKCAPIL", "tjb2027").domain == "adminduk_perizinan"
    only = data.service_units.by_code["rsud"].model_copy(update={"campaigns": ("lain",)})
    assert only.in_campaign("LAIN") and not only.in_campaign("tjb2027")
    edit_yaml(
        data_dir_copy / "service_units.yaml",
        lambda d: d["units"][0].update(domain="tidak_ada", campaigns=["lain"]),
    )
    with pytest.raises(SurveyDataError, match="unit dukcapil: unknown domain 'tidak_ada'"):
        load_survey_data(data_dir_copy)
    edit_yaml(data_dir_copy / "service_units.yaml", lambda d: d["units"][0].update(code="u" * 25))
    with pytest.raises(SurveyDataError, match="service_units.yaml"):
        load_survey_data(data_dir_copy)
