"""IKM arithmetic of PermenPANRB 14/2017 against a hand-computed example."""

from __future__ import annotations

from datetime import UTC, datetime
from fractions import Fraction

import pandas as pd
import pytest

from processor import ikm
from shared.survey_data import SKM_ELEMENTS, load_survey_data

# Four respondents of one unit; columns are the nine elements in the regulation's order.
SCORES = {
    "persyaratan": [4, 3, 3, 2],  # 12/4 = 3.00
    "prosedur": [3, 3, 3, 3],  # 3.00
    "waktu": [2, 2, 3, 3],  # 2.50
    "biaya": [4, 4, 4, 4],  # 4.00
    "produk": [3, 4, 3, 4],  # 3.50
    "kompetensi": [3, 3, 4, 4],  # 3.50
    "perilaku": [4, 4, 4, 3],  # 15/4 = 3.75
    "pengaduan": [1, 2, 2, 3],  # 2.00
    "sarana": [3, 3, 2, 3],  # 11/4 = 2.75
}
HAND_NRR = {
    "persyaratan": 3.0,
    "prosedur": 3.0,
    "waktu": 2.5,
    "biaya": 4.0,
    "produk": 3.5,
    "kompetensi": 3.5,
    "perilaku": 3.75,
    "pengaduan": 2.0,
    "sarana": 2.75,
}
# Σ NRR = 28; IKM = 28 × 1/9 = 3.1111…; converted = 3.1111… × 25 = 77.777… -> 77.78, B.


def _frame(scores=SCORES, unit="dukcapil", when=datetime(2026, 11, 2, 3, tzinfo=UTC), first=1):
    rows = []
    for element, values in scores.items():
        for offset, score in enumerate(values):
            rows.append((first + offset, unit, when, element, score))
    return pd.DataFrame(rows, columns=list(ikm.SKM_COLUMNS))


def test_every_element_nrr_ikm_and_conversion_by_hand() -> None:
    nrrs = {element: ikm.nrr(values) for element, values in SCORES.items()}
    assert {e: float(v) for e, v in nrrs.items()} == HAND_NRR
    value = ikm.ikm(nrrs)
    assert value == Fraction(28, 9)  # exact: nothing rounded on the way
    assert ikm.converted(value) == Fraction(700, 9)
    assert ikm.rounded(ikm.converted(value)) == 77.78
    assert ikm.grade(ikm.converted(value)).letter == "B"


def test_table_of_one_unit_matches_the_hand_computation() -> None:
    data = load_survey_data()
    frame = _frame()
    before = frame.copy()
    [row] = ikm.ikm_table(frame, data.service_units)
    pd.testing.assert_frame_equal(frame, before)  # inputs are not changed
    assert row.code == "dukcapil"
    assert row.name == "Dinas Kependudukan dan Pencatatan Sipil"
    assert row.period == "2026-S2"
    assert row.respondents == 4
    assert dict(row.nrr) == HAND_NRR
    assert row.ikm == 77.78
    assert (row.grade.letter, row.grade.label_id) == ("B", "Baik")
    # Dukcapil serves 6,000 users a period: the regulation's table asks for 361.
    assert row.minimum_sample == 361 and row.below_minimum
    entry = row.as_json()
    assert list(entry["nrr"]) == list(SKM_ELEMENTS)
    assert entry["grade"] == "B" and entry["respondents"] == 4


def test_no_rounding_before_the_end() -> None:
    # NRR of 1/3 steps: rounding each weighted NRR to two decimals first would give
    # 9 × round(3⅓ / 9, 2) = 9 × 0.37 = 3.33 -> 83.25, not 83.33.
    scores = {element: [3, 3, 4] for element in SKM_ELEMENTS}
    [row] = ikm.ikm_table(_frame(scores), None)
    assert row.nrr["biaya"] == 3.3333
    assert row.ikm == 83.33


@pytest.mark.parametrize(
    ("value", "letter"),
    [
        (25.00, "D"),
        (64.99, "D"),
        (64.994, "D"),
        (64.995, "C"),
        (65.00, "C"),
        (76.60, "C"),
        (76.61, "B"),
        (88.30, "B"),
        (88.31, "A"),
        (100.00, "A"),
    ],
)
def test_grade_boundaries(value: float, letter: str) -> None:
    assert ikm.grade(value).letter == letter


def test_grade_labels_and_out_of_range() -> None:
    labels = [(g.letter, g.label_id) for g in ikm.GRADES]
    assert labels == [
        ("D", "Tidak baik"),
        ("C", "Kurang baik"),
        ("B", "Baik"),
        ("A", "Sangat baik"),
    ]
    with pytest.raises(ValueError):
        ikm.grade(24.99)
    with pytest.raises(ValueError):
        ikm.nrr([0, 4])


def test_all_ones_and_all_fours_are_the_ends_of_the_scale() -> None:
    low = ikm.ikm_table(_frame({e: [1, 1] for e in SKM_ELEMENTS}), None)[0]
    high = ikm.ikm_table(_frame({e: [4] for e in SKM_ELEMENTS}), None)[0]
    assert (low.ikm, low.grade.letter) == (25.0, "D")
    assert (high.ikm, high.grade.letter) == (100.0, "A")


@pytest.mark.parametrize(
    ("population", "sample"),
    [(5, 5), (10, 10), (100, 80), (101, 86), (1000, 278), (6000, 361), (100000, 384), (10**7, 384)],
)
def test_minimum_sample_follows_the_regulation_table(population: int, sample: int) -> None:
    assert ikm.minimum_sample(population) == sample


def test_incomplete_runs_and_periods_and_units() -> None:
    data = load_survey_data()
    complete = _frame()
    partial = _frame({"persyaratan": [1]}, first=99)  # one element only: not counted
    earlier = _frame(
        {e: [4, 4] for e in SKM_ELEMENTS}, when=datetime(2026, 3, 1, tzinfo=UTC), first=50
    )
    other = _frame({e: [2] for e in SKM_ELEMENTS}, unit="rsud", first=70)
    table = ikm.ikm_table(pd.concat([other, complete, partial, earlier]), data.service_units)
    assert [(r.code, r.period, r.respondents) for r in table] == [
        ("dukcapil", "2026-S1", 2),
        ("dukcapil", "2026-S2", 4),
        ("rsud", "2026-S2", 1),
    ]
    overall = ikm.overall_ikm(pd.concat([other, complete, earlier]), name="Kabupaten")
    assert overall is not None and overall.period == "2026-S2" and overall.respondents == 5
    assert ikm.ikm_table(ikm.empty_skm(), data.service_units) == []
    assert ikm.overall_ikm(ikm.empty_skm(), name="x") is None
