"""PII scrubbing, table-driven (issue 12 item 4): every way of writing a NIK, a phone
number, an e-mail, a handle or a name that leaked before, and ordinary content that must
come out unchanged. The table is tests/processor/pii_cases.py."""

from __future__ import annotations

import random

import pytest

from shared.pii import PII_PLACEHOLDERS, _may_hold_pii, _scrub_pii, fold, scrub_pii
from tests.shared.pii_cases import (
    KNOWN_MISSES,
    NEGATIVES,
    POSITIVES,
    REAL_NEGATIVES,
    REAL_WRITING,
)


def test_the_table_is_large_enough() -> None:
    # The issue asks for at least 100 cases, at least 20 of them negatives.
    assert len(POSITIVES) + len(NEGATIVES) >= 100
    assert len(NEGATIVES) >= 20
    assert len({text for text, _ in POSITIVES} | set(NEGATIVES)) == len(POSITIVES) + len(NEGATIVES)


@pytest.mark.parametrize(("text", "expected"), POSITIVES, ids=[t for t, _ in POSITIVES])
def test_pii_is_scrubbed(text: str, expected: str) -> None:
    assert scrub_pii(text) == expected


@pytest.mark.parametrize("text", NEGATIVES)
def test_ordinary_content_is_unchanged(text: str) -> None:
    assert scrub_pii(text) == text


def test_the_real_writing_table_is_large_enough() -> None:
    # Issue 11 item 7: at least 60 new cases, in small letters and in capitals too.
    assert len(REAL_WRITING) >= 60
    texts = [text for text, _ in REAL_WRITING]
    assert sum(text.isupper() for text in texts) >= 10
    assert sum(text == text.lower() for text in texts) >= 10
    every = {t for t, _ in POSITIVES} | set(NEGATIVES) | set(texts) | set(REAL_NEGATIVES)
    assert len(every) == len(POSITIVES) + len(NEGATIVES) + len(texts) + len(REAL_NEGATIVES)


@pytest.mark.parametrize(("text", "expected"), REAL_WRITING, ids=[t for t, _ in REAL_WRITING])
def test_personal_details_in_real_writing_are_scrubbed(text: str, expected: str) -> None:
    # Self-introductions, dates of birth, addresses, account/card numbers, plates.
    assert scrub_pii(text) == expected


@pytest.mark.parametrize("text", REAL_NEGATIVES)
def test_roads_and_ordinary_self_statements_are_unchanged(text: str) -> None:
    # "jalan" as a road is what many complaints are about; "saya mohon" is no name.
    assert scrub_pii(text) == text


@pytest.mark.parametrize(("text", "expected"), REAL_WRITING[::5])
def test_details_scrubbed_twice_change_nothing_more(text: str, expected: str) -> None:
    assert scrub_pii(scrub_pii(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [pytest.param(t, e, marks=pytest.mark.xfail(strict=True)) for t, e in KNOWN_MISSES],
)
def test_known_misses(text: str, expected: str) -> None:
    # Listed in the README; when one starts to pass, move it to the table and the README.
    assert scrub_pii(text) == expected


@pytest.mark.parametrize(("text", "expected"), POSITIVES[::7])
def test_scrubbing_twice_changes_nothing_more(text: str, expected: str) -> None:
    assert scrub_pii(scrub_pii(text)) == expected


@pytest.mark.parametrize(
    "text",
    ["ＪＡＬＡＮ rusak ｍ² 5", "jalan\u200brusak …", "café 2 km", "ﬁx lampu ½ hari"],
)
def test_a_text_without_pii_comes_back_as_written(text: str) -> None:
    # Scrubbing reads NFKC, but returns the text itself (not its NFKC form) when nothing
    # is found: reports quote answers as written.
    assert scrub_pii(text) == text


def test_only_the_pii_is_normalised() -> None:
    assert scrub_pii("ＪＡＬＡＮ rusak, hp ０８１２３４５６７８９０") == "JALAN rusak, hp [TELEPON]"


def test_a_custom_placeholder_map_is_used() -> None:
    blank = {key: "_" for key in PII_PLACEHOLDERS}
    assert scrub_pii("Kades Sutrisno 0812 3456 7890 t.me/x_y_z", placeholders=blank) == (
        "Kades _ _ _"
    )


def test_pii_shortcut_skips_only_texts_no_pattern_can_change() -> None:
    # Texts without 9 digits, an "@", a domain or an "at" are returned without running the
    # patterns: check that the patterns would have left them alone anyway.
    rng = random.Random(3)
    pieces = [
        *("0", "8", "62", "+62", "021", "(0741)", "(0)", "(+62)", "０８", "12", "345", "2024"),
        *(" ", "-", ".", "/", " / ", ":", "x", "t", "me", "@", "at", "[", "]", "com", "id"),
    ]
    skipped = 0
    for _ in range(20_000):
        text = fold("".join(rng.choice(pieces) for _ in range(rng.randint(1, 9))))
        if not _may_hold_pii(text):
            skipped += 1
            assert _scrub_pii(text, PII_PLACEHOLDERS) == text, text
    assert skipped > 1000
    assert scrub_pii("(021) 555-123") == "[TELEPON]"  # 9 digits: the shortest replaced


def test_ordinary_numbers_in_any_combination_are_never_replaced() -> None:
    # Times, dates, amounts, years, counts, RT/RW, percentages, distances, ranges and
    # reference numbers, joined as people join them: none is a NIK or a phone number.
    rng = random.Random(1)

    def amount() -> str:
        value = rng.choice([5, 25, 2500, 1500000, 62500000, 1000000000])
        return "Rp " + f"{value:,}".replace(",", ".")

    makers = [
        amount,
        lambda: f"{rng.randint(0, 23):02d}.{rng.choice(['00', '15', '30', '45'])}",
        lambda: f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(2019, 2031)}",
        lambda: str(rng.randint(1990, 2031)),
        lambda: str(rng.randint(0, 500)),
        lambda: f"RT {rng.randint(1, 20):02d} RW {rng.randint(1, 9):02d}",
        lambda: f"{rng.randint(1, 100)}%",
        lambda: f"{rng.randint(1, 50)} km",
        lambda: f"{rng.randint(1, 20)}-{rng.randint(21, 60)}",
        lambda: f"ke-{rng.randint(1, 10)}",
        lambda: f"No. {rng.randint(1, 300)}/{rng.randint(1, 12)}/{rng.randint(1990, 2031)}",
        lambda: f"{rng.randint(0, 9)},{rng.randint(0, 99)}",
    ]
    separators = [" ", " - ", ", ", " s/d ", " / ", "-", " dan ", "  ", ".", "/"]
    for _ in range(20_000):
        text = rng.choice(makers)()
        for _ in range(rng.randint(1, 5)):
            text += rng.choice(separators) + rng.choice(makers)()
        assert scrub_pii(text) == text
