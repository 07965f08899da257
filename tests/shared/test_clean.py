"""The one rule for characters no output format can carry (shared.clean)."""

from __future__ import annotations

import pytest

from shared.clean import clean_text, has_illegal_characters


@pytest.mark.parametrize(
    "raw",
    ["obat\x0b habis", "a\x00b", "x\x1fy", "tanda\ufffe", "akhir\uffff", "sur\ud800rogate"],
)
def test_illegal_characters_become_spaces(raw: str) -> None:
    cleaned = clean_text(raw)
    assert not has_illegal_characters(cleaned)
    assert len(cleaned) == len(raw)
    assert " " in cleaned


def test_line_breaks_tabs_and_letters_are_kept() -> None:
    text = "baris satu\nbaris dua\r\n\tmenjorok — Ñame ＠ 😀"
    assert clean_text(text) == text
    assert not has_illegal_characters(text)
