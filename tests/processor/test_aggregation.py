"""The analysis on aggregated answers (one row per distinct content key with its weight,
integers per answer) counts exactly what one row per answer counts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from processor import pipeline
from processor.analysis import analyse, build_summary
from processor.load import packed_strings, per_answer_frame
from processor.pipeline import (
    WEIGHT,
    Aggregator,
    Members,
    aggregate_answers,
    answer_id_list,
    answer_labels,
    answer_number,
    distinct_answer_pairs,
    distinct_pairs,
    first_positions,
    respondent_row_codes,
)
from processor.summary import listed_answer_ids
from processor.themes import theme_counts
from tests.processor.conftest import NOW
from tests.processor.frames import answers_frame
from tests.processor.handmade import handmade_answers

CAMPAIGN = {"code": "uji", "name": "Uji", "plan_years": [2027, 2028, 2029], "timezone": "UTC"}
RUNS = pd.DataFrame(columns=["run_id", "respondent", "status", "source", "instrument"])


def _summary(tools, survey_data, answers) -> dict:  # type: ignore[no-untyped-def]
    analysis = analyse(
        campaign=CAMPAIGN, runs=RUNS, answers=answers, survey_data=survey_data, tools=tools
    )
    summary = build_summary(analysis, survey_data=survey_data, now=NOW)
    return summary


def _many_respondents() -> pd.DataFrame:
    """The same few answers from many respondents, one respondent in two blocks."""
    texts = ["jalan desa diaspal", "jalan desa diaspal", "lampu jalan dipasang"] * 10
    rows = [
        {
            "question_id": "need",
            "text": text,
            "domain": "pekerjaan_umum",
            "respondent": f"r-{n % 12}",
            "unit": f"{n}.0",
        }
        for n, text in enumerate(texts)
    ]
    return answers_frame(rows)


def test_answers_aggregate_to_distinct_rows_with_weights() -> None:
    frame = _many_respondents()
    table = aggregate_answers(frame, usable_domains=["pekerjaan_umum"])
    assert len(table.rows) == 2
    assert sorted(table.rows[WEIGHT].tolist()) == [10, 20]
    assert table.rows["unit"].isna().all() and table.rows["row_id"].isna().all()
    members = table.members
    assert answer_labels(members.answer).tolist() == frame["answer_id"].tolist()
    assert members.respondents[members.respondent].tolist() == frame["respondent"].tolist()
    assert table.rows["text"].to_numpy()[members.row].tolist() == frame["text"].tolist()


def test_answers_without_a_usable_domain_and_staff_answers_stay_apart() -> None:
    frame = answers_frame(
        [
            {"question_id": "need", "text": "air bersih", "domain": "lainnya"},
            {"question_id": "need", "text": "air bersih", "domain": "lainnya"},
            {"question_id": "need", "text": "air bersih", "domain": None},
            {"question_id": "need", "text": "air bersih", "instrument": "internal"},
            {"question_id": "need", "text": "air bersih", "instrument": "internal"},
        ]
    )
    table = aggregate_answers(frame, usable_domains=["pekerjaan_umum"])
    assert table.rows[WEIGHT].tolist() == [1] * 5
    assert table.rows["row_id"].tolist() == frame["row_id"].tolist()


def test_theme_counts_equal_the_per_answer_counts() -> None:
    frame = _many_respondents()
    table = aggregate_answers(frame, usable_domains=["pekerjaan_umum"])
    theme_of_row = pd.Series(np.where(table.rows["text"].str.startswith("jalan"), "t1", "t2"))
    counts = theme_counts(theme_of_row, table.rows[WEIGHT].to_numpy(), table.members)
    per_answer = frame.assign(
        theme_id=np.where(frame["text"].str.startswith("jalan"), "t1", "t2")
    ).groupby("theme_id")
    assert counts["answer_count"].to_dict() == per_answer.size().to_dict()
    assert counts["respondent_count"].to_dict() == per_answer["respondent"].nunique().to_dict()
    ids = {theme: answer_id_list(numbers) for theme, numbers in counts["answer_ids"].items()}
    assert ids == per_answer["answer_id"].agg(list).to_dict()


def test_answer_numbers_keep_the_origin() -> None:
    assert [answer_number(a) for a in ("a7", "i7")] == [7, -7]
    assert answer_labels(np.array([7, -7])).tolist() == ["a7", "i7"]


def test_summary_is_the_same_aggregated_or_one_row_per_answer(tools, survey_data) -> None:  # type: ignore[no-untyped-def]
    frame = pd.concat([handmade_answers(), _many_respondents()], ignore_index=True)
    frame = frame.assign(answer_id=[f"a{n}" for n in range(1, len(frame) + 1)])
    aggregated = aggregate_answers(frame, usable_domains=survey_data.domains.by_code)
    apart = aggregate_answers(frame, usable_domains=())  # no domain usable: all kept apart
    # A staff row's fields are in a table of their own.
    assert apart.fields is not None and len(apart.fields.rows) > 0
    assert len(aggregated.rows) < len(apart.rows) + len(apart.fields.rows) == len(frame)
    one = _summary(tools, survey_data, aggregated)
    other = _summary(tools, survey_data, apart)
    assert one == other
    roads = next(
        theme
        for theme in one["domains"]["pekerjaan_umum"]["themes"]["citizen_need"]
        if "jalan desa diaspal" in theme["quotes"]
    )
    # Answers n = 0..29 with n % 3 != 2, from respondents n % 12: 8 of them.
    assert roads["answer_count"] == 20 and roads["respondent_count"] == 8
    assert len(listed_answer_ids(roads["answer_ids"])) == 20


def test_a_table_read_run_by_run_is_put_back_in_answer_order() -> None:
    frame = answers_frame(
        [
            {"question_id": "need", "text": "air", "domain": "kesehatan"},
            {"question_id": "need", "text": "obat", "domain": "kesehatan"},
            {"question_id": "need", "text": "air", "domain": "kesehatan"},
        ]
    ).assign(answer_id=["a9", "a2", "a5"])  # as read run by run
    table = aggregate_answers(frame, usable_domains=["kesehatan"]).in_answer_order()
    assert answer_labels(table.members.answer).tolist() == ["a2", "a5", "a9"]
    assert table.rows["text"].tolist() == ["obat", "air"]  # by their first answer
    assert table.rows["text"].to_numpy()[table.members.row].tolist() == ["obat", "air", "air"]
    assert table.rows[WEIGHT].tolist() == [1, 2]


def test_distinct_pairs_are_what_np_unique_gives() -> None:
    rng = np.random.default_rng(7)
    high = rng.integers(-50, 400, size=5000).astype(np.int32)  # imported units are negative
    low = rng.integers(0, 30, size=5000)
    assert np.array_equal(
        distinct_pairs(high, low, 30), np.unique(high.astype(np.int64) * 30 + low)
    )
    assert high.dtype == np.int32, "the input is not changed"
    assert len(distinct_pairs(high[:0], low[:0], 30)) == 0


def _random_members(rng: np.random.Generator, n: int, rows: int, respondents: int) -> Members:
    return Members(
        answer=np.arange(1, n + 1, dtype=np.int32),
        row=rng.integers(0, rows, size=n).astype(np.int32),
        respondent=rng.integers(0, respondents, size=n).astype(np.int32),
        unit=rng.integers(-50, 10**11, size=n),
        respondents=np.array([f"r{i}" for i in range(respondents)], dtype=object),
    )


def test_answer_pairs_made_chunk_by_chunk_are_the_whole_arrays_pairs(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(11)
    members = _random_members(rng, 5000, rows=40, respondents=300)
    code_of_row = rng.integers(-1, 7, size=40).astype(np.int32)  # -1: a row without a code
    codes = code_of_row[members.row]
    known = codes >= 0
    expected = np.unique(members.unit[known] * 7 + codes[known])
    monkeypatch.setattr(pipeline, "PAIR_CHUNK", 333)  # many chunks, pairs met in several
    assert np.array_equal(distinct_answer_pairs(members.unit, members, code_of_row, 7), expected)
    monkeypatch.setattr(pipeline, "PAIR_CHUNK", 10**6)
    assert np.array_equal(distinct_answer_pairs(members.unit, members, code_of_row, 7), expected)


def test_respondent_row_codes_mark_each_respondents_codes(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(12)
    members = _random_members(rng, 4000, rows=25, respondents=200)
    code_of_row = rng.integers(-1, 5, size=25).astype(np.int32)
    monkeypatch.setattr(pipeline, "PAIR_CHUNK", 500)
    seen = respondent_row_codes(members, code_of_row, 5)
    expected = np.zeros((200, 5), dtype=bool)
    for respondent, row in zip(members.respondent, members.row, strict=True):
        if code_of_row[row] >= 0:
            expected[respondent, code_of_row[row]] = True
    assert seen.shape == (200, 5) and np.array_equal(seen, expected)


def test_first_positions_are_each_codes_first_place() -> None:
    codes = np.array([3, 1, 3, 0, 1, 3], dtype=np.int32)
    # Codes 2 and 4 never come: len(codes).
    assert first_positions(codes, 5).tolist() == [3, 1, 6, 0, 6]


def test_staff_fields_are_apart_and_the_content_members_are_not_copied(
    tools,  # type: ignore[no-untyped-def]
    survey_data,
) -> None:
    frame = handmade_answers()
    frame = frame.assign(answer_id=[f"a{n}" for n in range(1, len(frame) + 1)])
    table = aggregate_answers(frame, usable_domains=survey_data.domains.by_code)
    assert table.fields is not None
    assert {"target_y1", "target_y5"} <= set(table.fields.rows["question_id"])
    assert not set(table.rows["question_id"]) & set(table.fields.rows["question_id"])
    analysis = analyse(
        campaign=CAMPAIGN, runs=RUNS, answers=table, survey_data=survey_data, tools=tools
    )
    assert analysis.members is table.members
    assert len(analysis.targets) > 0, "targets come from the fields table"


def test_every_answer_comes_back_in_answer_order_fields_among_them() -> None:
    frame = handmade_answers()
    frame = frame.assign(answer_id=[f"a{n}" for n in range(1, len(frame) + 1)])
    table = aggregate_answers(frame, usable_domains=()).in_answer_order()
    again = per_answer_frame(table)
    assert again["answer_id"].tolist() == frame["answer_id"].tolist()
    assert again["question_id"].tolist() == frame["question_id"].tolist()


def test_an_answer_id_beyond_32_bits_is_refused_by_name() -> None:
    aggregator = Aggregator(())
    key = ("bot", None, None, "-", "external", "need", "kesehatan", "obat habis", None)
    aggregator.add_key(7, 0, 1, key)
    try:
        aggregator.add_key(2**31, 0, 1, key)
    except ValueError as error:
        assert "answer 2147483648" in str(error)
    else:
        raise AssertionError("an id beyond 32 bits was taken")


def test_packed_strings_are_the_same_texts_and_keep_missing_ones_missing() -> None:
    values = pd.Series(["r-1", None, "r-3"], dtype=object)
    packed = packed_strings(values)
    assert packed.tolist() == ["r-1", None, "r-3"]
    assert packed.iloc[0] is not values.iloc[0], "new objects"
