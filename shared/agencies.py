"""A campaign's agencies (OPD): its own list when one was loaded, else the default
shared/questionnaires/agencies.yaml.

A campaign's own list comes from a YAML file shaped like agencies.yaml or from a CSV with
the columns code, name_id, name_en, short, domains and aliases (domains and aliases
separated by ";"). It is validated like the default list and stored whole.
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

from sqlmodel import Session

from shared.models import Campaign, CampaignAgencies, stored_id
from shared.survey_data import (
    AgencyList,
    SurveyData,
    SurveyDataError,
    check_agency_domains,
    load_agencies,
    validate_data,
)

CSV_COLUMNS = ("code", "name_id", "name_en", "short", "domains", "aliases")


def _split(cell: str | None) -> list[str]:
    return [part.strip() for part in (cell or "").split(";") if part.strip()]


def _csv_agencies(path: Path) -> AgencyList:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise SurveyDataError(f"{path}: cannot be read as UTF-8 CSV: {exc}") from exc
    header = {name.strip().lower() for name in (rows[0].keys() if rows else ())}
    missing = [c for c in CSV_COLUMNS[:4] if c not in header]
    if missing:
        raise SurveyDataError(
            f"{path}: missing column {missing[0]!r} (need {', '.join(CSV_COLUMNS)})"
        )
    data = {
        "agencies": [
            {
                "code": (row.get("code") or "").strip().lower(),
                "name": {
                    "id": (row.get("name_id") or "").strip(),
                    "en": (row.get("name_en") or "").strip(),
                },
                "short": (row.get("short") or "").strip(),
                "domains": _split(row.get("domains")),
                "aliases": _split(row.get("aliases")),
            }
            for row in ({k.strip().lower(): v for k, v in r.items() if k} for r in rows)
        ]
    }
    return validate_data(AgencyList, data, str(path))


def read_agency_file(path: Path, survey_data: SurveyData) -> AgencyList:
    """A campaign's agency list from YAML or CSV; SurveyDataError names what is wrong."""
    agencies = _csv_agencies(path) if path.suffix.lower() == ".csv" else load_agencies(path)
    check_agency_domains(agencies, survey_data.domains, str(path))
    return agencies


def set_campaign_agencies(
    *, session: Session, campaign: Campaign, agencies: AgencyList, source_file: str, now: datetime
) -> None:
    """Replace the campaign's own list (answers already given keep their codes)."""
    row = session.get(CampaignAgencies, campaign.id)
    data = [agency.model_dump(mode="json") for agency in agencies.agencies]
    if row is None:
        row = CampaignAgencies(
            campaign_id=stored_id(campaign), agencies=data, source_file="", loaded_at=now
        )
    row.agencies, row.source_file, row.loaded_at = data, source_file[:255], now
    session.add(row)
    session.flush()


def reset_campaign_agencies(*, session: Session, campaign: Campaign) -> bool:
    """Back to the default list; False when the campaign had no list of its own."""
    row = session.get(CampaignAgencies, campaign.id)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def campaign_agencies(*, session: Session, campaign_id: int, default: AgencyList) -> AgencyList:
    """The campaign's own list, or `default`."""
    row = session.get(CampaignAgencies, campaign_id)
    if row is None:
        return default
    return AgencyList.model_validate({"agencies": row.agencies})


def has_own_agencies(*, session: Session, campaign_id: int) -> bool:
    return session.get(CampaignAgencies, campaign_id) is not None
