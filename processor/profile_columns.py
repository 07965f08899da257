"""Profile columns of an imported paper form (issue 14): kecamatan, desa, age band, sex and
disability, as the codes the bot stores (see profile.yaml and shared.wilayah).

A form's profile is kept as imported rows "profile_<field>" (code as text), which
processor.load separates from the answers. Pure: no file, no database.
"""

from __future__ import annotations

from collections.abc import Mapping

from shared.wilayah import code_of

# File column -> field (COMMON_COLUMNS of processor.importer).
PROFILE_COLUMNS = {
    "kecamatan": "profile_kecamatan",
    "desa": "profile_desa",
    "kelurahan": "profile_desa",
    "desa_kelurahan": "profile_desa",
    "usia": "profile_age_band",
    "kelompok_usia": "profile_age_band",
    "age_band": "profile_age_band",
    "jenis_kelamin": "profile_sex",
    "sex": "profile_sex",
    "disabilitas": "profile_disability",
    "disability": "profile_disability",
}
_SEX = {
    "perempuan": "female",
    "p": "female",
    "wanita": "female",
    "female": "female",
    "f": "female",
    "laki-laki": "male",
    "laki laki": "male",
    "lakilaki": "male",
    "l": "male",
    "pria": "male",
    "male": "male",
    "m": "male",
}
_DISABILITY = {
    "ya": "yes",
    "yes": "yes",
    "y": "yes",
    "tidak": "no",
    "no": "no",
    "n": "no",
    "t": "no",
    "tidak ingin menjawab": "prefer_not",
    "prefer not to say": "prefer_not",
    "prefer_not": "prefer_not",
}
_BANDS = (("under_25", 0, 24), ("25_39", 25, 39), ("40_59", 40, 59), ("60_plus", 60, 150))


_YEARS = {"tahun", "thn", "th", "years", "year"}


def _age_band(value: str) -> str | None:
    # The form's own labels say "25–39 tahun", "60 tahun ke atas": the unit word is dropped.
    words = [w for w in value.lower().split() if w not in _YEARS]
    text = "_".join(words).replace("–", "_").replace("-", "_")
    if text in {band for band, _, _ in _BANDS}:
        return text
    if text.isdigit():  # an age in years
        age = int(text)
        return next((band for band, low, high in _BANDS if low <= age <= high), None)
    return _AGE_WORDS.get(text)


_AGE_WORDS = {
    "di_bawah_25": "under_25",
    "60_ke_atas": "60_plus",
    "60+": "60_plus",
    "60_or_over": "60_plus",
    "over_60": "60_plus",
}


def profile_codes(values: Mapping[str, str], problems: list[str]) -> dict[str, str]:
    """The profile fields of one form row as codes; an unreadable value is a problem."""
    codes: dict[str, str] = {}
    for field, value in values.items():
        if not value:
            continue
        key = " ".join(value.lower().split())
        if field in ("profile_kecamatan", "profile_desa"):
            code: str | None = code_of(value)
        elif field == "profile_age_band":
            code = _age_band(value)
        elif field == "profile_sex":
            code = _SEX.get(key)
        else:
            code = _DISABILITY.get(key)
        if code is None:
            problems.append(f"{field.removeprefix('profile_')}: unknown value {value!r}")
        else:
            codes[field] = code
    return codes
