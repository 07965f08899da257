"""Corpus-driven spelling corrections: typos merge with their word, real words never do."""

from __future__ import annotations

import pytest

from shared.spelling import SpellingRules, spelling_corrections
from shared.text import TextTools
from tests.processor.frames import answers_frame
from tests.processor.test_themes import _groups, _needs, _run

RULES = SpellingRules()


@pytest.fixture(scope="module")
def text_tools() -> TextTools:
    return TextTools.from_data_dir()


def _fix(counts: dict[str, int], **kwargs) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return spelling_corrections(counts, rules=RULES, **kwargs)


def test_a_rare_typo_of_a_frequent_word_is_corrected() -> None:
    counts = {"puskesmas": 40, "pskesmas": 1, "puskemsas": 2, "desa": 30, "deas": 1, "dsea": 2}
    assert _fix(counts) == {
        "pskesmas": "puskesmas",  # a letter dropped
        "puskemsas": "puskesmas",  # two letters swapped
        "deas": "desa",  # a short word: only a swap is accepted
        "dsea": "desa",
    }


def test_two_edits_only_for_long_words() -> None:
    counts = {"kecelakaan": 30, "kecelakan": 1, "kecelkan": 1, "sampah": 30, "saph": 1}
    # 10 letters: two edits away is still the word; 6 letters: one edit only.
    assert _fix(counts) == {"kecelakan": "kecelakaan", "kecelkan": "kecelakaan"}


def test_a_keyword_is_a_correction_even_when_rare_in_the_corpus() -> None:
    counts = {"ambulans": 1, "ambulnas": 1, "posyandu": 2, "posyndu": 1}
    assert _fix(counts) == {}
    assert _fix(counts, anchors={"ambulans", "posyandu", "ikan"}) == {
        "ambulnas": "ambulans",
        "posyndu": "posyandu",
    }
    # ... but only a keyword the answers use: "iran" is no typo of a keyword never written.
    assert _fix({"iran": 1, "ikan": 0}, anchors={"ikan"}) == {}


def test_vowels_dropped_as_chat_writes_them() -> None:
    # "amblns" is more frequent than "ambulans" here: it is how many people write it.
    counts = {"ambulans": 12, "amblns": 16, "kshtn": 1, "kesehatan": 3}
    assert _fix(counts, anchors={"ambulans"}) == {"amblns": "ambulans", "kshtn": "kesehatan"}
    # Not a keyword and rarer than the abbreviation: the corpus says nothing.
    assert _fix({"ambulans": 12, "amblns": 16}) == {}


@pytest.mark.parametrize(
    ("rare", "frequent"),
    [("jala", "jalan"), ("sawah", "sampah"), ("gula", "guru"), ("guru", "gula"), ("kali", "kala")],
)
def test_different_words_are_not_merged_even_without_a_dictionary(rare, frequent) -> None:  # type: ignore[no-untyped-def]
    # The length and distance rules alone keep these apart, whatever the frequencies.
    counts = {frequent: 500, rare: 1}
    assert _fix(counts, anchors={frequent}) == {}


@pytest.mark.parametrize(("rare", "frequent"), [("jala", "jalan"), ("sawah", "sampah")])
def test_known_words_are_never_corrected(text_tools: TextTools, rare, frequent) -> None:  # type: ignore[no-untyped-def]
    counts = {frequent: 500, rare: 1}
    assert text_tools.spelling_corrections(counts, RULES, anchors={frequent}) == {}
    # "pelayaran" (shipping) is not in the dictionary, but it stems to a root: a word.
    counts = {"pelayanan": 500, "pelayaran": 1}
    assert text_tools.spelling_corrections(counts, RULES) == {}


def test_the_frequency_ratio_guards_words_the_corpus_uses_often() -> None:
    assert _fix({"puskesmas": 40, "pskesmas": 5}) == {}  # 8x: not rare enough
    assert _fix({"puskesmas": 50, "pskesmas": 5}) == {"pskesmas": "puskesmas"}


def test_ties_go_to_the_nearest_then_most_frequent_then_alphabetical() -> None:
    assert _fix({"bantal": 30, "bantul": 40, "bantel": 1}) == {"bantel": "bantul"}
    assert _fix({"bantal": 40, "bantul": 40, "bantel": 1}) == {"bantel": "bantal"}
    # Same result whatever the order of the input.
    reordered = dict(reversed(list({"bantal": 40, "bantul": 40, "bantel": 1}.items())))
    assert _fix(reordered) == {"bantel": "bantal"}
    # A chain is followed to its end: "puskemas" is itself a typo.
    chain = {"puskesmas": 1000, "puskemas": 50, "puskemsa": 1}
    assert _fix(chain) == {"puskemas": "puskesmas", "puskemsa": "puskesmas"}


def test_analyse_applies_the_corrections_and_counts_them(text_tools: TextTools) -> None:
    texts = ["obat di puskesmas lengkap"] * 1 + [f"puskesmas nomor {n}" for n in "abcdefghij"]
    texts += ["obat di pskesmas lengkap dong"]
    plain = text_tools.analyse(texts)
    assert plain["obat di pskesmas lengkap dong"].norm == "obat pskesmas lengkap"
    fixed = text_tools.analyse(texts, spelling=RULES)
    assert fixed["obat di pskesmas lengkap dong"].norm == "obat puskesmas lengkap"
    assert fixed["obat di pskesmas lengkap dong"].typos == 1
    assert fixed["obat di puskesmas lengkap"].typos == 0


def test_demo_typos_join_their_theme(tools, survey_data) -> None:  # type: ignore[no-untyped-def]
    needs = (
        ["obat di puskesmas lengkap bgt"] * 4
        + ["obat di pskesmas lengkap dong"] * 2
        + ["Mohon ambulans desa siaga"] * 3
        + ["mohon amblns desa siaga"] * 4
        + ["tolong ambulans deas siaga dong"] * 2
        + ["sawah irigasi lancar"] * 2
        + ["sampah diangkut rutin"] * 3
    )
    analysis = _run(tools, survey_data, answers_frame(_needs(needs, "kesehatan")))
    groups = sorted(map(sorted, _groups(analysis).values()))
    assert groups == [
        ["Mohon ambulans desa siaga", "mohon amblns desa siaga", "tolong ambulans deas siaga dong"],
        ["obat di pskesmas lengkap dong", "obat di puskesmas lengkap bgt"],
        ["sampah diangkut rutin"],
        ["sawah irigasi lancar"],
    ]
    typos = dict(zip(analysis.texts["text"], analysis.texts["typos"], strict=False))
    assert typos["obat di pskesmas lengkap dong"] == 1 and typos["mohon amblns desa siaga"] == 1
    assert typos["sawah irigasi lancar"] == 0


def test_spelling_can_be_switched_off(tools, survey_data) -> None:  # type: ignore[no-untyped-def]
    from processor.pipeline import Parameters

    needs = ["obat di puskesmas lengkap"] * 3 + ["obat di pskesmas lengkap"] * 2
    analysis = _run(
        tools, survey_data, answers_frame(_needs(needs, "kesehatan")), Parameters(spelling=None)
    )
    assert analysis.texts["key_index"].nunique() == 2
