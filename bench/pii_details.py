"""Time scrub_pii on short FGD answers and on long complaints (issue 11 item 7); prints
JSON lines. Run on a branch and on main to compare: `.venv/bin/python bench/pii_details.py`."""

from __future__ import annotations

import json
import time

from shared.pii import scrub_pii

SHORT = [
    "jalan desa rusak parah sudah lama tidak diperbaiki",
    "saya mohon bantuan untuk obat di puskesmas",
    "Puskesmas jauh dan bidan jarang ada",
    "SAYA SANGAT KECEWA DENGAN PELAYANAN KANTOR DESA",
    "air bersih belum masuk RT 03 RW 05",
]
LONG = "Saya Budi Santoso warga Jl. Merdeka No. 5 RT 03/RW 05. " + (
    "Bantuan BLT tidak cair padahal sudah terdaftar di DTKS sejak lama dan sudah lapor ke desa. "
    * 8
)


def main() -> None:
    scrub_pii("Saya Budi")  # load the word lists
    texts = SHORT * 4000
    start = time.perf_counter()
    for text in texts:
        scrub_pii(text)
    print(
        json.dumps(
            {"texts": len(texts), "kind": "short", "seconds": round(time.perf_counter() - start, 3)}
        )
    )
    start = time.perf_counter()
    for _ in range(2000):
        scrub_pii(LONG)
    print(
        json.dumps(
            {
                "texts": 2000,
                "kind": f"long ({len(LONG)} chars)",
                "seconds": round(time.perf_counter() - start, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
