# ruff: noqa: E501 - sentences of letters
"""Writes bench/data/long_complaints.jsonl: the long-complaint set of issue 11.

    .venv/bin/python bench/make_long_complaints.py

Each hand-written problem statement of bench/long_complaints_cores.py is wrapped, with a
fixed random seed, the way letters to a complaint channel are: an optional greeting
("Yth. Bapak/Ibu …"), a self-introduction with NIK, KK and address, sometimes a
chronology of where the writer already went, and a closing plea ("mohon
ditindaklanjuti, terima kasih"). The names, numbers and places are invented. Every third
statement (by position) is in the held-out part, chosen before any tuning; the
statements of CORES_HOLDOUT2, written after the parameters were chosen, are `holdout2`.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from bench.long_complaints_cores import CORES, CORES_HOLDOUT2

OUT = Path(__file__).parent / "data" / "long_complaints.jsonl"

GREETINGS = [
    "Yth. Bapak/Ibu Bupati",
    "Kepada Yth. Admin LAPOR!",
    "Assalamualaikum wr. wb.",
    "Selamat siang Bapak/Ibu.",
    "Dengan hormat,",
    "Permisi min,",
    "Yth. Bapak Kepala Dinas terkait",
    "Salam sejahtera untuk kita semua.",
    "Selamat pagi pak, maaf mengganggu.",
]
NAMES = [
    "Siti Aminah",
    "Budi Santoso",
    "Wahyuni",
    "Agus Salim",
    "Rina Marlina",
    "Dedi Kurniawan",
    "Sri Wahyuningsih",
    "Muhammad Rifai",
    "Yohanes Ndun",
    "Ni Made Sari",
    "Slamet Riyadi",
]
PLACES = ["Sukamaju", "Karangrejo", "Tanjung Sari", "Mekarjaya", "Wonosari", "Sidomulyo"]
KECAMATAN = ["Cibadak", "Pandanwangi", "Sukaraja", "Tegalrejo"]
STREETS = ["Jl. Melati", "Jl. Raya Timur", "Gg. Mawar", "Jl. Pahlawan"]
IDENTITIES = [
    "Saya {name}, NIK {nik}, warga RT 0{rt}/RW 0{rw} Desa {place} Kecamatan {kec}.",
    "Perkenalkan nama saya {name} (No. KK {kk}), beralamat di {street} No. {no} Kelurahan {place}.",
    "Saya warga Dusun {place} RT {rt} RW {rw}, NIK {nik}, KK {kk}.",
    "Nama: {name}\nNIK: {nik}\nAlamat: {street} No. {no}, {place}, Kec. {kec}",
    "saya {name} dr desa {place} kec {kec}, nik {nik}.",
    "Saya yang bertanda tangan di bawah ini, {name}, NIK {nik}, alamat RT 00{rt} RW 00{rw} Kel. {place}, menyampaikan pengaduan sebagai berikut.",
]
CHRONOLOGY = [
    "Sebelumnya saya sudah menyampaikan hal ini ke ketua RT dan dijanjikan akan diteruskan, tapi sampai sekarang tidak ada kabar.",
    "Saya juga sudah datang langsung ke kantor terkait pada hari Senin tanggal {day} bulan lalu, diterima oleh petugas dan diminta menunggu.",
    "Minggu berikutnya saya kembali lagi dan jawabannya masih sama, disuruh bersabar karena sedang diproses.",
    "Terus terang kami sudah capek bolak-balik, ongkos ojek pulang pergi saja sudah habis banyak.",
    "Tetangga-tetangga saya juga mengalami hal yang sama dan sepakat agar saya yang menuliskan laporan ini mewakili mereka.",
    "Saya lampirkan foto sebagai bukti, semoga bisa menjadi bahan pertimbangan.",
    "Kami tidak bermaksud menjelek-jelekkan siapa pun, kami hanya ingin haknya dipenuhi sebagaimana mestinya.",
]
CLOSINGS = [
    "Mohon ditindaklanjuti, terima kasih.",
    "Atas perhatiannya saya ucapkan terima kasih. Wassalamualaikum wr. wb.",
    "Mohon segera ditindaklanjuti pak, kami sangat berharap. Terima kasih",
    "Demikian laporan ini saya sampaikan, atas perhatian Bapak/Ibu saya ucapkan terima kasih.",
    "Terima kasih banyak, semoga cepat direspon.",
    "Mohon bantuannya. Hormat saya.",
]


def _digits(rng: random.Random, n: int) -> str:
    return "33" + "".join(str(rng.randrange(10)) for _ in range(n - 2))


def _letter(rng: random.Random, title: str, body: str) -> str:
    fill = {
        "name": rng.choice(NAMES),
        "nik": _digits(rng, 16),
        "kk": _digits(rng, 16),
        "rt": rng.randrange(1, 9),
        "rw": rng.randrange(1, 9),
        "place": rng.choice(PLACES),
        "kec": rng.choice(KECAMATAN),
        "street": rng.choice(STREETS),
        "no": rng.randrange(1, 99),
        "day": rng.randrange(1, 28),
    }
    parts: list[str] = []
    if rng.random() < 0.6:
        parts.append(rng.choice(GREETINGS))
    if rng.random() < 0.55:
        parts.append(rng.choice(IDENTITIES).format(**fill))
    parts.append(body)
    roll = rng.random()
    if roll < 0.35:
        parts.append(
            " ".join(s.format(**fill) for s in rng.sample(CHRONOLOGY, rng.randrange(1, 4)))
        )
    elif roll < 0.41:  # the few very long letters: the whole story, twice told
        story = " ".join(s.format(**fill) for s in CHRONOLOGY)
        parts.append(story + "\n\n" + body + " " + story)
    if rng.random() < 0.7:
        parts.append(rng.choice(CLOSINGS))
    text = "\n".join(parts)
    return f"{title}\n{text}" if title else text


def main() -> None:
    rng = random.Random(11)
    with OUT.open("w", encoding="utf-8") as out:
        for n, (domain, category, title, body) in enumerate(CORES):
            record = {
                "id": f"L{n + 1:03d}",
                "domain": domain,
                "category": f"{domain}/{category}",
                "part": "holdout" if n % 3 == 2 else "dev",
                "text": _letter(rng, title, body),
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        for n, (domain, category, title, body) in enumerate(CORES_HOLDOUT2, start=len(CORES)):
            record = {
                "id": f"L{n + 1:03d}",
                "domain": domain,
                "category": f"{domain}/{category}",
                "part": "holdout2",
                "text": _letter(rng, title, body),
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
