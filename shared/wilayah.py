"""A campaign's regions (kecamatan and desa/kelurahan): its own list when one was loaded,
else the default shared/questionnaires/wilayah.yaml.

A campaign's own list comes from a CSV with the columns kecamatan and desa (one row per
desa; a kecamatan without desa may have an empty desa) and an optional penduduk (the
kecamatan's population, on any of its rows). Codes are made from the names. It is
validated like the default list and stored whole.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from datetime import datetime
from pathlib import Path

from sqlmodel import Session

from shared.models import CampaignWilayah
from shared.survey_data import SurveyDataError, Wilayah, validate_data

CSV_COLUMNS = ("kecamatan", "desa", "penduduk")
_CODE_LENGTH = 32


def code_of(name: str) -> str:
    """ "Tungkal IV Kota" -> "tungkal_iv_kota" (ASCII, at most 32 characters)."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    code = re.sub(r"[^a-z0-9]+", "_", plain).strip("_")[:_CODE_LENGTH].strip("_")
    return code or "x"


def _population(cell: str | None, where: str) -> int | None:
    text = (cell or "").strip().replace(".", "").replace(",", "").replace(" ", "")
    if not text:
        return None
    if not text.isdigit():
        raise SurveyDataError(f"{where}: penduduk {cell!r} is not a whole number")
    return int(text)


def _rows(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise SurveyDataError(f"{path}: cannot be read as UTF-8 CSV: {exc}") from exc
    rows = [{(k or "").strip().lower(): (v or "").strip() for k, v in r.items()} for r in rows]
    if not rows or "kecamatan" not in rows[0] or "desa" not in rows[0]:
        raise SurveyDataError(f"{path}: need the columns kecamatan,desa (and optional penduduk)")
    return rows


def read_wilayah_csv(path: Path, regency: str) -> Wilayah:
    """A regency's kecamatan and desa from CSV; SurveyDataError names what is wrong."""
    places: dict[str, dict] = {}
    for number, row in enumerate(_rows(path), start=2):
        where = f"{path} line {number}"
        name = " ".join(row.get("kecamatan", "").split())
        if not name:
            raise SurveyDataError(f"{where}: kecamatan is empty")
        place = places.setdefault(
            code_of(name), {"code": code_of(name), "name": name, "desa": {}, "population": None}
        )
        population = _population(row.get("penduduk"), where)
        if population is not None:
            place["population"] = population
        desa = " ".join(row.get("desa", "").split())
        if desa:
            place["desa"].setdefault(code_of(desa), {"code": code_of(desa), "name": desa})
    data = {
        "regency": regency,
        "source": path.name,
        "kecamatan": [{**p, "desa": list(p["desa"].values())} for p in places.values()],
    }
    return validate_data(Wilayah, data, str(path))


def set_campaign_wilayah(
    *, session: Session, campaign_id: int, wilayah: Wilayah, source_file: str, now: datetime
) -> None:
    """Replace the campaign's own list (profiles already given keep their codes)."""
    row = session.get(CampaignWilayah, campaign_id) or CampaignWilayah(
        campaign_id=campaign_id, wilayah={}, source_file="", loaded_at=now
    )
    row.wilayah = wilayah.model_dump(mode="json")
    row.source_file = source_file
    row.loaded_at = now
    session.add(row)


def campaign_wilayah(
    *, session: Session, campaign_id: int, default: Wilayah | None
) -> Wilayah | None:
    """The campaign's own list, else `default`."""
    row = session.get(CampaignWilayah, campaign_id)
    if row is None:
        return default
    return Wilayah.model_validate(row.wilayah)
