"""A hand-made campaign where the right links, actions and policies are obvious.

Health: people who want shorter queues meet long queues and suggest online queueing; an
agency row plans exactly that. People who want safe childbirth say the midwife lives far
away and suggest a maternity waiting house; the only agency row about it speaks of the
waiting house, never of childbirth, so it answers the need only through its suggestion.
Public works: citizens of Sukamaju want clean water; the one agency row paves Sukamaju's
road. The two share a place name and nothing else, so they must not be linked.
"""

from __future__ import annotations

import pandas as pd

from tests.processor.frames import answers_frame

# (need, obstacle, suggestion, how many blocks)
HEALTH_BLOCKS = (
    (
        "antrean puskesmas lebih cepat",
        "antre lama dari subuh di puskesmas",
        "antrean online lewat whatsapp",
        8,
    ),
    (
        "persalinan aman untuk ibu hamil",
        "bidan tinggal jauh dari dusun",
        "rumah tunggu kelahiran dekat puskesmas",
        6,
    ),
    ("obat puskesmas selalu lengkap", "obat sering kosong harus beli di apotek", None, 6),
    ("antrean puskesmas lebih cepat", "petugas ada calo minta uang pelicin", None, 3),
)
WATER_BLOCKS = (("air bersih di sukamaju", "pipa pdam sering bocor", "perbaiki pipa pdam", 5),)
QUEUE_ROW = {
    "need": "Antrean pelayanan lebih singkat",
    "obstacle": "Pendaftaran masih manual",
    "realisation": "Nomor antrean kertas di 2 puskesmas",
    "strategy": "Pendaftaran daring dan antrean elektronik",
    "target_indicator": "Puskesmas dengan antrean daring",
}
WAITING_HOUSE_ROW = {
    "need": "Rumah tunggu kelahiran",
    "obstacle": "Lahan belum tersedia",
    "realisation": "Satu rumah tunggu berfungsi",
    "strategy": "Bangun rumah tunggu kelahiran di tiap kecamatan",
    "target_indicator": "Rumah tunggu kelahiran berfungsi",
}
ROAD_ROW = {
    "need": "Pengaspalan jalan sukamaju",
    "obstacle": "Anggaran terbatas",
    "realisation": "10 km jalan beraspal",
    "strategy": "Aspal jalan poros sukamaju",
    "target_indicator": "Panjang jalan beraspal",
}
STAFF = (
    ("kesehatan", QUEUE_ROW, (3, 5, 7, 8, 9)),
    ("kesehatan", WAITING_HOUSE_ROW, (1, 2, 3, 4, 5)),
    ("pekerjaan_umum", ROAD_ROW, (12, 15, 18, 21, 25)),
)


def _citizen_rows() -> list[dict]:
    rows: list[dict] = []
    number = 0
    for domain, blocks in (("kesehatan", HEALTH_BLOCKS), ("pekerjaan_umum", WATER_BLOCKS)):
        for need, obstacle, suggestion, count in blocks:
            for _ in range(count):
                number += 1
                unit = f"{number}.0"
                common = {"domain": domain, "unit": unit, "respondent": f"warga-{number}"}
                rows.append({**common, "question_id": "need", "text": need, "row_id": f"{unit}.0"})
                rows.append({**common, "question_id": "obstacle", "text": obstacle})
                if suggestion:
                    rows.append({**common, "question_id": "strategy", "text": suggestion})
    return rows


def _staff_rows() -> list[dict]:
    rows: list[dict] = []
    for number, (domain, fields, targets) in enumerate(STAFF, start=900):
        unit = f"{number}.0"
        common = {
            "domain": domain,
            "unit": unit,
            "row_id": f"{unit}.0",
            "respondent": f"staf-{number}",
            "instrument": "internal",
        }
        rows += [{**common, "question_id": q, "text": t} for q, t in fields.items()]
        rows += [
            {**common, "question_id": f"target_y{year}", "number": value}
            for year, value in enumerate(targets, start=1)
        ]
    return rows


def handmade_answers() -> pd.DataFrame:
    return answers_frame(_citizen_rows() + _staff_rows())
