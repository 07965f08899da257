"""One rule for characters that no output format can carry.

XML 1.0 (and so DOCX and XLSX) refuses the C0 control characters other than tab, line
feed and carriage return, the non-characters U+FFFE and U+FFFF, and lone surrogates;
PostgreSQL refuses NUL in text. Text is cleaned with `clean_text` where it enters (the
bot, imports) and again where it leaves (every renderer), so one stray character in one
answer never stops a campaign's digest.
"""

from __future__ import annotations

import re

# Tab, line feed and carriage return are kept: they are how people break their lines.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def clean_text(text: str) -> str:
    """`text` with every character XML or PostgreSQL cannot store replaced by a space."""
    return _ILLEGAL.sub(" ", text)


def has_illegal_characters(text: str) -> bool:
    return _ILLEGAL.search(text) is not None


# Right-to-left overrides and isolates: in a report, one left unpaired shows the text after
# it reversed ("Trojan Source"). Respondents' Indonesian and English text needs none.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def display_text(text: str) -> str:
    """`text` for a document people read: clean_text, without direction overrides."""
    return _BIDI_CONTROLS.sub("", clean_text(text))
