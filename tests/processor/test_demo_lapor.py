"""The demo's SP4N-LAPOR! export: a file the LAPOR! import reads without a bad row, over the
demo's domains and the default wilayah, with a few Rahasia and Anonim reports, and letters
whose names and numbers the PII scrubber removes."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from processor.demo import DOMAIN_WEIGHTS
from processor.demo_lapor import lapor_export_csv
from processor.importer import read_table
from processor.lapor import parse_reports, place_name
from shared.lapor_data import load_lapor_mapping
from shared.pii import scrub_pii
from shared.survey_data import load_survey_data

NOW = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


def _reports(tmp_path):  # type: ignore[no-untyped-def]
    survey_data = load_survey_data()
    path = tmp_path / "lapor-ekspor.csv"
    path.write_text(lapor_export_csv(now=NOW), encoding="utf-8")
    mapping = load_lapor_mapping(domains=survey_data.domains)
    return survey_data, *parse_reports(read_table(path), mapping=mapping)


def test_the_demo_export_reads_as_lapor_reports_of_the_demo_domains(tmp_path) -> None:  # type: ignore[no-untyped-def]
    survey_data, reports, errors = _reports(tmp_path)
    assert errors == [] and 25 <= len(reports) <= 40
    domains = Counter(r.domain for r in reports)
    assert set(domains) == set(DOMAIN_WEIGHTS)  # every report maps, to a demo domain
    assert 1 <= sum(r.confidential for r in reports) <= 5
    assert 1 <= sum(r.anonymous for r in reports) <= 5
    wilayah = survey_data.wilayah
    assert wilayah is not None
    kecamatan = {place_name(k.name) for k in wilayah.kecamatan}
    desa = {place_name(d.name) for k in wilayah.kecamatan for d in k.desa}
    assert {r.kecamatan for r in reports} <= kecamatan
    assert {r.kelurahan for r in reports} - {None} <= desa
    assert all(r.reported_on and r.reported_on < "2026-12-03" for r in reports)


def test_the_demo_letters_carry_pii_that_the_scrubber_removes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    _, reports, _ = _reports(tmp_path)
    personal = ("1506034507800001", "081234567890", "Budi Santoso", "Ahmad Fauzi", "Pelabuhan No")
    texts = [r.text for r in reports]
    assert any(word in text for text in texts for word in personal)
    scrubbed = [scrub_pii(text) for text in texts]
    assert not [word for text in scrubbed for word in personal if word in text]
    assert lapor_export_csv(now=NOW) == lapor_export_csv(now=NOW)  # seeded
