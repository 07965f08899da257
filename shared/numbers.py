"""Numbers as respondents write them, read from answers and paper forms and shown back the
same way: 12,5 and 1.250.000,5 in Indonesian, 12.5 and 1,250,000.5 in English."""

from __future__ import annotations

import re
from decimal import Decimal

_PERCENT = re.compile(r"(%|persen|percent)$")
_NO_CENTS = re.compile(r"[.,]-$")
_RUPIAH = re.compile(r"^rp\.?")
# Amounts are written in words of scale: 1,5 miliar, 500 juta, 2 million. Whole words only,
# so "m" (metres? miliar?) stays unread rather than guessed.
_SCALE = re.compile(
    r"(ribu|rb|thousand|juta|jt|million|miliar|milyar|billion|triliun|trilyun|trillion)$"
)
_SCALE_FACTOR = {
    "ribu": 10**3,
    "rb": 10**3,
    "thousand": 10**3,
    "juta": 10**6,
    "jt": 10**6,
    "million": 10**6,
    "miliar": 10**9,
    "milyar": 10**9,
    "billion": 10**9,
    "triliun": 10**12,
    "trilyun": 10**12,
    "trillion": 10**12,
}
_DIGITS = re.compile(r"-?\d+(\.\d+)?")
# Thousands groups with one separator used throughout: 1.250, 1,250,000.
_GROUPED = re.compile(r"-?\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*")


def parse_number(raw: str, language: str = "id") -> float | None:
    """Read 75, 12,5, 1.250, 1.250,5, 1,250.5, 80%, 85 persen, Rp 1,5 miliar, 500 juta;
    None if it is no number.

    With both separators the last one is the decimal point and the others must group
    thousands. A lone separator before exactly three digits ("1.250", "1,250") is read the
    way the respondent's language writes thousands (id: 1.250 = 1250 and 1,250 = 1,25; en:
    1,250 = 1250 and 1.250 = 1.25); several must group thousands ("1.250.000")."""
    text = _PERCENT.sub("", _RUPIAH.sub("", raw.strip().lower().replace(" ", "")))
    text = _NO_CENTS.sub("", text)  # "Rp 1.500.000.000,-": the ",-" says "no cents"
    scale = _SCALE.search(text)
    if scale is not None:
        text = text[: scale.start()]
        plain = parse_number(text, language) if text else None
        if plain is None:
            return None
        # Through Decimal: 1.2 * 10**6 must be 1200000, not 1199999.9999999998.
        return float(Decimal(repr(plain)) * _SCALE_FACTOR[scale.group(1)])
    if not text:
        return None
    if "," in text and "." in text:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        whole, _, fraction = text.rpartition(decimal)
        grouped = _GROUPED.fullmatch(whole)
        if grouped is None or grouped.group(1) == decimal:
            return None
        text = whole.replace(grouped.group(1), "") + "." + fraction
    elif text.count(",") + text.count(".") > 1:
        if _GROUPED.fullmatch(text) is None:
            return None  # "1.5.0", "1,2,3"
        text = text.replace(",", "").replace(".", "")
    elif (grouped := _GROUPED.fullmatch(text)) and grouped.group(1) == (
        "." if language == "id" else ","
    ):
        text = text.replace(grouped.group(1), "")
    else:
        text = text.replace(",", ".")
    if not _DIGITS.fullmatch(text):
        return None
    return float(text)


_TO_INDONESIAN = str.maketrans({",": ".", ".": ","})


def format_number(value: float, language: str = "id") -> str:
    """The number exactly as stored, grouped as the language writes it."""
    if value == 0:
        return "0"  # not "-0"
    text = f"{Decimal(repr(value)):,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.translate(_TO_INDONESIAN) if language == "id" else text
