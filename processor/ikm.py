"""The Indeks Kepuasan Masyarakat (IKM) of PermenPANRB 14/2017, as pure functions.

Per service unit and period:

- NRR (nilai rata-rata) of an element = the mean of its scores (1-4);
- IKM = Σ (NRR_i × 1/9) over the nine elements: the weighted NRR sum, on the 1-4 scale;
- converted IKM = IKM × 25 (conversion value), on the 25-100 scale;
- mutu pelayanan (grade) from the regulation's interval table, read on the converted IKM
  rounded to two decimals (the table's precision): 25.00-64.99 D, 65.00-76.60 C,
  76.61-88.30 B, 88.31-100.00 A.

The arithmetic is exact (fractions): nothing is rounded before the end, where the values are
given as floats. A unit's respondent count is compared with the regulation's minimum sample
(the Krejcie-Morgan table the regulation reproduces) when its population of service users
is known.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pandas as pd

from shared.survey_data import SKM_ELEMENTS, ServiceUnitList

WEIGHT = Fraction(1, len(SKM_ELEMENTS))  # 1/9: every element weighs the same
CONVERSION = 25  # the converted IKM is on the 25-100 scale

SKM_COLUMNS = ("run_id", "unit", "submitted_at", "element", "score")


@dataclass(frozen=True)
class Grade:
    letter: str  # "A" … "D"
    label_id: str  # kinerja unit pelayanan, as the regulation words it
    label_en: str
    low: float  # the interval of the converted IKM, as the regulation's table gives it
    high: float
    nrr_low: float  # the same interval on the 1-4 scale (nilai interval)
    nrr_high: float


# PermenPANRB 14/2017, Lampiran: nilai persepsi, nilai interval (NI), nilai interval konversi
# (NIK), mutu pelayanan and kinerja unit pelayanan.
GRADES: tuple[Grade, ...] = (
    Grade("D", "Tidak baik", "Poor", 25.00, 64.99, 1.00, 2.5996),
    Grade("C", "Kurang baik", "Fair", 65.00, 76.60, 2.60, 3.064),
    Grade("B", "Baik", "Good", 76.61, 88.30, 3.0644, 3.532),
    Grade("A", "Sangat baik", "Very good", 88.31, 100.00, 3.5324, 4.00),
)

# The regulation's sample table (Krejcie and Morgan): population N -> minimum sample S.
KREJCIE_MORGAN: tuple[tuple[int, int], ...] = (
    (10, 10), (15, 14), (20, 19), (25, 24), (30, 28), (35, 32), (40, 36), (45, 40),
    (50, 44), (55, 48), (60, 52), (65, 56), (70, 59), (75, 63), (80, 66), (85, 70),
    (90, 73), (95, 76), (100, 80), (110, 86), (120, 92), (130, 97), (140, 103),
    (150, 108), (160, 113), (170, 118), (180, 123), (190, 127), (200, 132), (210, 136),
    (220, 140), (230, 144), (240, 148), (250, 152), (260, 155), (270, 159), (280, 162),
    (290, 165), (300, 169), (320, 175), (340, 181), (360, 186), (380, 191), (400, 196),
    (420, 201), (440, 205), (460, 210), (480, 214), (500, 217), (550, 226), (600, 234),
    (650, 242), (700, 248), (750, 254), (800, 260), (850, 265), (900, 269), (950, 274),
    (1000, 278), (1100, 285), (1200, 291), (1300, 297), (1400, 302), (1500, 306),
    (1600, 310), (1700, 313), (1800, 317), (1900, 320), (2000, 322), (2200, 327),
    (2400, 331), (2600, 335), (2800, 338), (3000, 341), (3500, 346), (4000, 351),
    (4500, 354), (5000, 357), (6000, 361), (7000, 364), (8000, 367), (9000, 368),
    (10000, 370), (15000, 375), (20000, 377), (30000, 379), (40000, 380), (50000, 381),
    (75000, 382), (100000, 384),
)  # fmt: skip


def minimum_sample(population: int) -> int:
    """The minimum number of respondents for `population` service users: the table's row
    for that population, or for the next larger one listed (never fewer than the table
    asks); at most 384. A population under 10 must all be asked."""
    if population < 1:
        raise ValueError("population must be at least 1")
    if population <= KREJCIE_MORGAN[0][0]:
        return population
    sizes = [size for size, _ in KREJCIE_MORGAN]
    position = bisect.bisect_left(sizes, population)
    return KREJCIE_MORGAN[min(position, len(sizes) - 1)][1]


def nrr(scores: Sequence[int]) -> Fraction:
    """The element's nilai rata-rata: total of its scores / number of scores, exactly."""
    if not scores:
        raise ValueError("an element needs at least one score")
    if any(score not in (1, 2, 3, 4) for score in scores):
        raise ValueError("SKM scores are 1, 2, 3 or 4")
    return Fraction(sum(scores), len(scores))


def ikm(nrrs: Mapping[str, Fraction]) -> Fraction:
    """IKM = Σ (NRR × 1/9) over the nine elements (1-4 scale), exactly."""
    missing = [code for code in SKM_ELEMENTS if code not in nrrs]
    if missing:
        raise ValueError(f"no NRR for element {missing[0]}")
    return sum((nrrs[code] * WEIGHT for code in SKM_ELEMENTS), Fraction(0))


def converted(value: Fraction) -> Fraction:
    """IKM × 25: the converted IKM (25-100)."""
    return value * CONVERSION


def rounded(value: Fraction | float, places: int = 2) -> float:
    """Half-up rounding of the exact value (the end of the calculation)."""
    if isinstance(value, Fraction):
        exact = Decimal(value.numerator) / Decimal(value.denominator)
    else:
        exact = Decimal(str(value))
    return float(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def grade(converted_ikm: Fraction | float) -> Grade:
    """The mutu pelayanan of a converted IKM, read on its value rounded to two decimals."""
    value = rounded(converted_ikm)
    if not 25 <= value <= 100:
        raise ValueError(f"a converted IKM is between 25 and 100, not {value}")
    return next(g for g in GRADES if value <= g.high)


@dataclass(frozen=True)
class UnitIkm:
    """The IKM of one unit (or of all units pooled: code "") in one period."""

    code: str
    name: str
    period: str
    respondents: int
    nrr: Mapping[str, float]  # element -> NRR, rounded to 4 decimals at the end
    ikm: float  # converted (25-100), rounded to 2 decimals at the end
    grade: Grade
    population: int | None = None
    minimum_sample: int | None = None
    domain: str | None = None  # the unit's domain (service_units.yaml)

    @property
    def below_minimum(self) -> bool:
        return self.minimum_sample is not None and self.respondents < self.minimum_sample

    def as_json(self) -> dict:
        """summary.json's `ikm` entry."""
        return {
            "code": self.code,
            "name": self.name,
            "domain": self.domain,
            "period": self.period,
            "respondents": self.respondents,
            "nrr": dict(self.nrr),
            "ikm": self.ikm,
            "grade": self.grade.letter,
            "grade_label": {"id": self.grade.label_id, "en": self.grade.label_en},
            "population": self.population,
            "minimum_sample": self.minimum_sample,
            "below_minimum_sample": self.below_minimum,
        }


def period_of(stamps: pd.Series, timezone: str = "Asia/Jakarta") -> pd.Series:
    """The survey period of each submission: its half-year in the campaign's time zone
    ("2026-S2"), the usual SKM reporting period."""
    local = pd.to_datetime(stamps, utc=True).dt.tz_convert(timezone)
    half = (local.dt.month > 6).astype(int) + 1
    return local.dt.year.astype(str) + "-S" + half.astype(str)


def complete_responses(skm: pd.DataFrame) -> pd.DataFrame:
    """One row per run that scored all nine elements (run_id, unit, submitted_at and one
    column per element); incomplete runs are left out, as a paper form missing an
    element would be."""
    valid = skm.loc[skm["element"].isin(SKM_ELEMENTS) & skm["score"].isin([1, 2, 3, 4])]
    wide = valid.pivot_table(
        index=["run_id", "unit", "submitted_at"], columns="element", values="score", aggfunc="last"
    )
    wide = wide.reindex(columns=list(SKM_ELEMENTS)).dropna()
    return wide.astype(int).reset_index()


def unit_ikm(
    responses: pd.DataFrame,
    *,
    code: str,
    name: str,
    period: str,
    population: int | None,
    domain: str | None = None,
) -> UnitIkm:
    """The IKM of the complete `responses` (complete_responses' rows) of one unit."""
    nrrs = {element: nrr(responses[element].tolist()) for element in SKM_ELEMENTS}
    value = converted(ikm(nrrs))
    return UnitIkm(
        code=code,
        name=name,
        period=period,
        respondents=len(responses),
        nrr={element: rounded(nrrs[element], 4) for element in SKM_ELEMENTS},
        ikm=rounded(value),
        grade=grade(value),
        population=population,
        minimum_sample=minimum_sample(population) if population else None,
        domain=domain,
    )


def ikm_table(
    skm: pd.DataFrame,
    units: ServiceUnitList | None,
    *,
    language: str = "id",
    timezone: str = "Asia/Jakarta",
) -> list[UnitIkm]:
    """Per unit and period (half-year), in the units' list order then by period; units the
    list no longer holds come after, under their code."""
    responses = complete_responses(skm)
    if responses.empty:
        return []
    responses = responses.assign(period=period_of(responses["submitted_at"], timezone))
    known = units.by_code if units is not None else {}
    order = {code: position for position, code in enumerate(known)}
    results = []
    for (code, period), group in responses.groupby(["unit", "period"], sort=False):
        unit = known.get(code)
        results.append(
            unit_ikm(
                group,
                code=str(code),
                name=unit.name.get(language) if unit is not None else str(code),
                period=str(period),
                population=unit.population if unit is not None else None,
                domain=unit.domain if unit is not None else None,
            )
        )
    return sorted(results, key=lambda r: (order.get(r.code, len(order)), r.code, r.period))


def overall_ikm(skm: pd.DataFrame, *, name: str, timezone: str = "Asia/Jakarta") -> UnitIkm | None:
    """All units pooled (every respondent counts once) in the latest period: the regency's
    IKM, the plan's baseline when several units took part. None without a response."""
    responses = complete_responses(skm)
    if responses.empty:
        return None
    periods = period_of(responses["submitted_at"], timezone)
    latest = periods.max()
    return unit_ikm(
        responses.loc[periods == latest], code="", name=name, period=str(latest), population=None
    )


def empty_skm() -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series(dtype=object) for column in SKM_COLUMNS})
