"""A reproducible customer book of ordinary names, with the acceptance scenario's planted
customers (issue 20): Faker names of ten locales (the population benchmark's), each
locale's generator seeded, so the same size and seed give the same book byte for byte.

    python bench/book.py 100000 book.csv
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from pathlib import Path

LOCALES = ["en_US", "ko_KR", "ru_RU", "ar_AA", "zh_CN", "es_MX", "de_DE", "fr_FR", "tr_TR", "fa_IR"]
"""The population benchmark's locales (bench/quality.py)."""
COUNTRIES = ["us", "kr", "ru", "ae", "cn", "mx", "de", "fr", "tr", "ir"]
SEED = 20231201
COLUMNS = ["id", "name", "schema", "birth_date", "country"]
PLANTED = [
    {"id": "planted-1", "name": "Gang Gyeong-il", "schema": "Person", "birth_date": "1969-09-01"},
    {"id": "planted-2", "name": "강경일", "schema": "", "birth_date": ""},
    {"id": "planted-3", "name": "KIMSUKY Group", "schema": "", "birth_date": ""},
    {"id": "planted-4", "name": "Velvet Chollima", "schema": "", "birth_date": ""},
]
"""Customers the 1 December 2023 OFAC update must raise one alert each for:
us-ofac-sdn-37658 (KANG Kyong Il) and us-ofac-sdn-45430 (KIMSUKY)."""


def ordinary(n: int, seed: int = SEED) -> Iterator[dict[str, str]]:
    """n customers of ordinary names, the locales taking turns; half with a birth date."""
    from faker import Faker

    fakes = []
    for i, locale in enumerate(LOCALES):
        fake = Faker(locale)
        fake.seed_instance(seed + i)
        fakes.append(fake)
    for k in range(n):
        fake = fakes[k % len(fakes)]
        dob = fake.date_of_birth(minimum_age=18, maximum_age=90).isoformat() if k % 2 else ""
        yield {
            "id": f"c{k:07d}",
            "name": fake.name(),
            "schema": "Person",
            "birth_date": dob,
            "country": COUNTRIES[k % len(fakes)] if k % 3 == 0 else "",
        }


def write_book(path: Path, n: int, seed: int = SEED, planted: bool = True) -> Path:
    """Write the book (n ordinary customers, then the planted ones) as CSV."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(ordinary(n, seed))
        if planted:
            writer.writerows({**p, "country": ""} for p in PLANTED)
    return path


if __name__ == "__main__":
    write_book(Path(sys.argv[2]), int(sys.argv[1]))
