"""Benchmark of `rembuk import` on a large paper-form file (a script, not a test).

    .venv/bin/python bench/import_scale.py [--rows 100000] [--format csv|xlsx]
                                           [--database-url URL] [--keep DIR]

Writes a synthetic external-FGD file (respondent, domain, need, reason, obstacle, strategy:
four answers a row; fixed seed), migrates a fresh database (a SQLite file in a temporary
directory, or a new PostgreSQL database made beside --database-url and dropped after),
creates a campaign, then runs `rembuk import` in a child process and reports its wall
time, CPU time and peak RSS (getrusage of the child: start-up and imports included).
Prints one JSON object on one line. The issue's target: 100k rows in <= 15 s, <= 500 MB.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REMBUK = str(Path(sys.executable).parent / "rembuk")
SEED = 20261203
DOMAINS = ["kesehatan", "pendidikan", "pekerjaan umum", "adminduk", "sosial"]
WORDS = (
    "obat puskesmas jalan rusak sekolah guru air bersih listrik sinyal bidan dokter antre "
    "lama jauh mahal blangko habis jembatan banjir sampah pasar bantuan beasiswa angkutan"
).split()


def _phrase(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 9)))


def write_forms(path: Path, rows: int) -> None:
    rng = random.Random(SEED)
    header = ["responden", "bidang", "kebutuhan", "alasan", "hambatan", "strategi"]
    records = (
        [f"Warga {n % 20000}", rng.choice(DOMAINS)] + [_phrase(rng) for _ in range(4)]
        for n in range(rows)
    )
    if path.suffix == ".csv":
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(records)
        return
    import xlsxwriter

    with xlsxwriter.Workbook(str(path), {"constant_memory": True}) as book:
        sheet = book.add_worksheet()
        sheet.write_row(0, 0, header)
        for number, record in enumerate(records, start=1):
            sheet.write_row(number, 0, record)


def _postgres_database(admin_url: str) -> tuple[str, object]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"rembuk_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(admin_url).set(database=name).render_as_string(hide_password=False), drop


def _rembuk(env: dict[str, str], *args: str) -> None:
    subprocess.run([REMBUK, *args], env=env, check=True, capture_output=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    parser.add_argument("--database-url", help="PostgreSQL admin URL (default: SQLite)")
    parser.add_argument("--keep", type=Path, help="write the files here and keep them")
    options = parser.parse_args()
    folder = options.keep or Path(tempfile.mkdtemp(prefix="rembuk-import-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    forms = folder / f"forms.{options.format}"
    write_forms(forms, options.rows)
    drop = None
    if options.database_url:
        url, drop = _postgres_database(options.database_url)
    else:
        database = folder / "bench.db"
        database.unlink(missing_ok=True)
        url = f"sqlite:///{database}"
    env = {**os.environ, "DATABASE_URL": url, "REMBUK_PSEUDONYM_KEY": "bench"}
    try:
        _rembuk(env, "db", "upgrade")
        _rembuk(env, "campaign", "create", "bench", "--name", "Bench", "--plan-years", "2027-2031")
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        before, cpu_before = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
        started = time.monotonic()
        done = subprocess.run(
            [REMBUK, "import", str(forms), "--instrument", "external", "--campaign", "bench"],
            env=env,
            capture_output=True,
            text=True,
        )
        seconds = time.monotonic() - started
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        peak_kb, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime - cpu_before
    finally:
        if drop is not None:
            drop()  # type: ignore[operator]
    if done.returncode != 0:
        print(done.stdout + done.stderr, file=sys.stderr)
    result = {
        "bench": "import_scale",
        "rows": options.rows,
        "format": options.format,
        "database": url.split(":", 1)[0],
        "file_mb": round(forms.stat().st_size / 1e6, 1),
        "seconds": round(seconds, 2),
        # CPU time of the import process: on a shared, loaded machine a steadier figure
        # than the wall time (the database server's own work is not in it).
        "cpu_seconds": round(cpu, 2),
        # The largest child so far; the import is by far the largest of the three.
        "peak_rss_mb": round(max(peak_kb, before) / 1024, 1),
        "rc": done.returncode,
        "load_1min": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(result))
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
