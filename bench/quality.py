"""Matching-quality benchmarks: DPRK variant recall, cross-list recall, OFAC parity,
population alert rate. Each takes a `screen(query) -> list[(id, score)]` function so
Sanctum and the baselines are measured on exactly the same queries."""

from __future__ import annotations

import csv
import random
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from common import BENCHMARKS

Query = dict[str, Any]
ScreenFn = Callable[[Query], list[tuple[str, float]]]

LOCALES = ["en_US", "ko_KR", "ru_RU", "ar_AA", "zh_CN", "es_MX", "de_DE", "fr_FR", "tr_TR", "fa_IR"]
SEED = 20231130


def norm_text(text: str) -> str:
    """Case- and space-folded text (for 'present verbatim in the lists')."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.sub(r"[,]", " ", text).split())


def dprk_rows() -> list[dict[str, str]]:
    """The DPRK name variants development set."""
    with (BENCHMARKS / "dprk_name_variants.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def dprk_query(row: dict[str, str]) -> Query:
    schema = "Person" if row["entity_type"] == "person" else "Organization"
    return {"schema": schema, "properties": {"name": [row["variant"]]}}


def scores_for_expected(rows: list[dict[str, str]], screen: ScreenFn) -> list[float]:
    """For each row, the score the expected entity got (0 when not returned)."""
    out = []
    for row in rows:
        results = dict(screen(dprk_query(row)))
        out.append(results.get(row["expected_id"], 0.0))
    return out


def recall(scores: list[float], threshold: float) -> float:
    return sum(s >= threshold for s in scores) / max(len(scores), 1)


def population(n_per_locale: int = 1000, seed: int = SEED) -> list[tuple[str, str]]:
    """Seeded synthetic customer names: (locale, name). Another seed gives other names
    (the speed benchmark's, never screened before it times them)."""
    from faker import Faker

    out: list[tuple[str, str]] = []
    for i, locale in enumerate(LOCALES):
        fake = Faker(locale)
        fake.seed_instance(seed + i)
        seen: set[str] = set()
        while len(seen) < n_per_locale:
            seen.add(fake.name())
        out.extend((locale, name) for name in sorted(seen))
    random.Random(seed).shuffle(out)
    return out


def top_scores(names: list[tuple[str, str]], screen: ScreenFn) -> list[tuple[str, float]]:
    """(locale, best score of any listed party) for each population name."""
    out = []
    for locale, name in names:
        results = screen({"schema": "Person", "properties": {"name": [name]}})
        out.append((locale, max((s for _, s in results), default=0.0)))
    return out


def alert_rates(tops: list[tuple[str, float]], threshold: float) -> dict[str, float]:
    by: dict[str, list[bool]] = defaultdict(list)
    for locale, score in tops:
        by[locale].append(score >= threshold)
    rates = {loc: sum(v) / len(v) for loc, v in sorted(by.items())}
    rates["overall"] = sum(score >= threshold for _, score in tops) / max(len(tops), 1)
    return rates


def ofac_parity() -> dict[str, Any]:
    """Share of the OFAC fixture within ±5 points of OFAC's own score (-1 = below 80)."""
    from sanctum.match.ofac import SLS_DEFAULT_THRESHOLD, ofac_score

    with (BENCHMARKS / "ofac_parity_dev.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    within = 0
    misses = []
    for row in rows:
        ours = ofac_score(row["query_name"], row["result_name"])
        theirs = int(row["ofac_score"])
        ok = ours < SLS_DEFAULT_THRESHOLD if theirs == -1 else abs(ours - theirs) <= 5
        within += ok
        if not ok:
            misses.append({**row, "ours": ours})
    return {"rows": len(rows), "within_5": within, "share": within / len(rows), "misses": misses}
