"""Coverage tables (issue 14): pure functions on frames, suppression below 5, rates."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from processor.coverage import (
    NOT_GIVEN,
    SUPPRESSED,
    alerts,
    coverage_summary,
    per_thousand,
)
from processor.pipeline import CITIZEN_KINDS
from shared.survey_data import SurveyData, Wilayah

WILAYAH = Wilayah.model_validate(
    {
        "regency": "Kabupaten Contoh",
        "kecamatan": [
            {"code": "kota", "name": "Kota", "population": 60000},
            {"code": "hulu", "name": "Hulu", "population": 30000},
            {"code": "hilir", "name": "Hilir", "population": 10000},
        ],
        "population_shares": {"sex": {"female": 0.5, "male": 0.5}},
    }
)


def _texts(people: dict[str, str]) -> pd.DataFrame:
    """One citizen need per respondent, in the given domain; and a staff answer."""
    rows = [
        {"respondent": who, "kind": "citizen_need", "domain": domain}
        for who, domain in people.items()
    ]
    rows.append({"respondent": "staff-1", "kind": "staff_need", "domain": "kesehatan"})
    return pd.DataFrame(rows)


def _profiles(rows: list[tuple[str, str | None, str | None]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "respondent": who,
                "kecamatan": place,
                "desa": None,
                "age_band": None,
                "sex": sex,
                "disability": None,
            }
            for who, place, sex in rows
        ]
    )


def _scenario() -> tuple[pd.DataFrame, pd.DataFrame]:
    # 30 citizens: 24 in Kota (20 health, 4 education), 3 in Hulu, none in Hilir, 3 with
    # no profile at all; 26 women, 1 man.
    domains = {f"c{i}": ("kesehatan" if i < 20 else "pendidikan") for i in range(30)}
    profile = [(f"c{i}", "kota", "female") for i in range(24)]
    profile += [("c24", "hulu", "male"), ("c25", "hulu", "female"), ("c26", "hulu", None)]
    frozen = _profiles(profile)
    texts = _texts(domains)
    return texts, frozen


def _by_code(rows: list[dict]) -> dict[str, dict]:
    return {row["code"]: row for row in rows}


def test_tables_count_citizens_with_shares_and_suppress_small_counts(
    survey_data: SurveyData,
) -> None:
    texts, profiles = _scenario()
    before = (texts.copy(), profiles.copy())
    coverage = coverage_summary(
        texts, profiles, kinds=CITIZEN_KINDS, wilayah=WILAYAH, profile=survey_data.profile
    )
    pd.testing.assert_frame_equal(texts, before[0])  # inputs untouched
    pd.testing.assert_frame_equal(profiles, before[1])
    assert coverage["respondents"] == 30 and coverage["with_profile"] == 27
    places = _by_code(coverage["by_kecamatan"])
    assert list(places) == ["kota", "hulu", "hilir", NOT_GIVEN]
    assert places["kota"]["respondents"] == 24 and places["kota"]["share"] == 0.8
    assert places["kota"]["per_1000"] == 0.4  # 24 of 60,000 residents
    assert places["kota"]["by_domain"] == {"kesehatan": 20, "pendidikan": SUPPRESSED}
    # Three people are "< 5": no count, share or rate that would give them away.
    assert places["hulu"]["respondents"] == SUPPRESSED
    assert places["hulu"]["share"] is None and places["hulu"]["per_1000"] is None
    assert places["hilir"]["respondents"] == 0 and places["hilir"]["per_1000"] == 0.0
    assert places[NOT_GIVEN]["respondents"] == SUPPRESSED
    sexes = _by_code(coverage["by_sex"])
    assert sexes["female"]["respondents"] == 25 and sexes["female"]["name"]["id"] == "Perempuan"
    assert sexes["male"]["respondents"] == SUPPRESSED
    assert sexes[NOT_GIVEN]["respondents"] == SUPPRESSED  # c26 and the three without profile
    ages = _by_code(coverage["by_age_band"])
    assert ages[NOT_GIVEN]["respondents"] == 30 and ages["60_plus"]["respondents"] == 0
    assert list(_by_code(coverage["by_disability"])) == ["yes", "no", "prefer_not", NOT_GIVEN]


def test_alerts_name_empty_and_thin_kecamatan_and_groups_far_below_their_share(
    survey_data: SurveyData,
) -> None:
    texts, profiles = _scenario()
    coverage = coverage_summary(
        texts, profiles, kinds=CITIZEN_KINDS, wilayah=WILAYAH, profile=survey_data.profile
    )
    found = {(a["kind"], a["field"], a["code"]) for a in coverage["alerts"]}
    assert ("no_respondents", "kecamatan", "hilir") in found
    assert ("few_respondents", "kecamatan", "hulu") in found
    assert ("no_respondents", "kecamatan", "kota") not in found
    # Men are 1 of 26 who gave their sex, against half the population: far below (shown
    # suppressed, so the alert is about the table's "< 5", not a count).
    assert not any(a[2] == "male" for a in found)  # a suppressed cell has no share to compare
    # With ten men the share is known and still far below a half.
    more_men = pd.concat(
        [profiles, _profiles([(f"m{i}", "kota", "male") for i in range(6)])], ignore_index=True
    )
    texts_more = pd.concat(
        [texts, _texts({f"m{i}": "kesehatan" for i in range(6)}).iloc[:-1]], ignore_index=True
    )
    coverage = coverage_summary(
        texts_more, more_men, kinds=CITIZEN_KINDS, wilayah=WILAYAH, profile=survey_data.profile
    )
    below = [a for a in coverage["alerts"] if a["kind"] == "below_population_share"]
    assert [(a["field"], a["code"]) for a in below] == [("sex", "male")]
    assert below[0]["population_share"] == 0.5 and below[0]["share"] < 0.25


def test_no_shares_are_compared_on_a_handful_of_respondents() -> None:
    coverage = {
        "by_kecamatan": [],
        "by_age_band": [],
        "by_sex": [
            {"code": "female", "name": {}, "respondents": 9, "population_share": 0.5},
            {"code": "male", "name": {}, "respondents": 0, "population_share": 0.5},
        ],
        "by_disability": [],
    }
    assert alerts(coverage) == []  # 9 respondents: too few to call a group under-represented


def test_per_thousand() -> None:
    assert per_thousand(3, 12000) == 0.25
    assert per_thousand(3, None) is None and per_thousand(3, 0) is None


def test_without_profiles_everyone_is_not_given(survey_data: SurveyData) -> None:
    texts = _texts({f"c{i}": "kesehatan" for i in range(6)})
    empty = _profiles([]).reindex(
        columns=["respondent", "kecamatan", "desa", "age_band", "sex", "disability"]
    )
    coverage = coverage_summary(
        texts, empty, kinds=CITIZEN_KINDS, wilayah=survey_data.wilayah, profile=survey_data.profile
    )
    places = _by_code(coverage["by_kecamatan"])
    assert places[NOT_GIVEN]["respondents"] == 6 and places["tungkal_ilir"]["respondents"] == 0
    assert coverage["alerts"] == []  # no kecamatan named at all: nowhere to point at


def test_the_cakupan_sheet_keeps_suppressed_cells_suppressed(survey_data: SurveyData) -> None:
    from processor.render import coverage_frames

    texts, profiles = _scenario()
    coverage = coverage_summary(
        texts, profiles, kinds=CITIZEN_KINDS, wilayah=WILAYAH, profile=survey_data.profile
    )
    places, ages, sexes, disability, alerts_table = coverage_frames(coverage)
    hulu = places.set_index("kecamatan").loc["Hulu"]
    assert (
        hulu["responden"] == SUPPRESSED and hulu["porsi"] == "" and hulu["per 1.000 penduduk"] == ""
    )
    assert places.set_index("kecamatan").loc["Kota", "kesehatan"] == 20
    assert sexes.set_index("jenis kelamin").loc["Laki-laki", "responden"] == SUPPRESSED
    assert set(alerts_table["peringatan"]) == {"tidak ada responden", "responden sangat sedikit"}
    assert set(alerts_table["bidang"]) == {"kecamatan"}


def test_the_cakupan_sheet_shows_shares_as_percentages_and_counts_as_counts(
    survey_data: SurveyData, tmp_path: Path
) -> None:
    import openpyxl
    import xlsxwriter

    from processor.render import XlsxInput, _coverage_sheet, _Sheets

    texts, profiles = _scenario()
    coverage = coverage_summary(
        texts, profiles, kinds=CITIZEN_KINDS, wilayah=WILAYAH, profile=survey_data.profile
    )
    path = tmp_path / "cakupan.xlsx"
    with xlsxwriter.Workbook(str(path)) as book:
        _coverage_sheet(_Sheets(book), XlsxInput(analysis=None, summary={"coverage": coverage}))  # type: ignore[arg-type]
    sheet = openpyxl.load_workbook(path)["Cakupan"]
    header = [cell.value for cell in sheet[1]]
    kota = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == "Kota")
    share = kota[header.index("porsi")]
    count = kota[header.index("responden")]
    assert 0 < share.value <= 1 and share.number_format == "0.0%"
    assert count.value == 24 and count.number_format == "General"
    # The next tables' count columns, under the same letters, stay counts.
    ages = next(row for row in sheet.iter_rows() if row[0].value == "usia")
    assert ages[2].value == "porsi"


def test_coded_sorted_respondents_count_as_pseudonyms_do(survey_data: SurveyData) -> None:
    """The analysis hands coverage respondent codes in order and domains as categories
    (read in one pass); any other frame is hashed. Both count the same."""
    texts, profiles = _scenario()
    texts = texts.sample(frac=1.0, random_state=4).reset_index(drop=True)  # out of order
    extra = pd.DataFrame(
        {"respondent": ["c1", "c24"], "kind": ["citizen_obstacle"] * 2, "domain": ["sosial"] * 2}
    )
    texts = pd.concat([texts, extra], ignore_index=True)
    as_written = coverage_summary(
        texts, profiles, kinds=CITIZEN_KINDS, wilayah=WILAYAH, profile=survey_data.profile
    )
    code = {who: i for i, who in enumerate(sorted(set(texts["respondent"])))}
    coded = texts.assign(
        respondent=texts["respondent"].map(code), domain=texts["domain"].astype("category")
    ).sort_values("respondent", kind="stable")
    coded_profiles = profiles.assign(respondent=profiles["respondent"].map(code))
    assert coded["respondent"].is_monotonic_increasing
    assert (
        coverage_summary(
            coded, coded_profiles, kinds=CITIZEN_KINDS, wilayah=WILAYAH, profile=survey_data.profile
        )
        == as_written
    )
    kota = _by_code(as_written["by_kecamatan"])["kota"]
    assert kota["by_domain"] == {"kesehatan": 20, "pendidikan": SUPPRESSED, "sosial": SUPPRESSED}
