"""Per-category evaluation set: labelled (query name, listed party) pairs derived from the
loaded lists, scored by Sanctum and by nomenklatura's logic-v2 in the same run, with
precision, recall and F1 per category.

Positives are other names of the same party (aliases, cross-list entries) and synthetic
transformations of a listed name that keep its party (legal form respelt or dropped, dots,
`&`/`and`, initials, a title added, a Japanese name in kanji). Hard negatives are names of
other parties that share tokens, legal forms, initials or a qualified base name, and
near-miss one-word names; a negative's two parties are `known_apart` (of one list, or
persons born in different years), never merely unlinked. Each pair names its target
party; the query's own listed names are left out of the target where the pair is two
listed names (`Pair.exclude`), so a party never meets itself verbatim; a transformation is
compared with the party's names as listed, the name it was made from among them.

Run alone: `python bench/categories.py` (needs a loaded SANCTUM_HOME); `make bench` runs it
as part of bench/run.py.
"""

from __future__ import annotations

import random
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from normality import ascii_text
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

SEED = 23
ORG = ("Organization", "Company", "LegalEntity")
PER_CATEGORY = 600
"""At most this many pairs of each label per category (the set is ~4,000 pairs)."""
THRESHOLDS = {"sanctum": 0.80, "logic-v2": 0.70}
"""Each matcher at its own alert threshold, as the other benchmarks use them."""


@dataclass(frozen=True)
class Pair:
    """One labelled comparison: a query name against a listed party (or an ad-hoc record)."""

    category: str
    schema: str
    name: str
    target: str
    """Listed entry id; "" for a pair against `record`."""
    label: bool
    how: str
    exclude: frozenset[str] = frozenset()
    """Names of the target left out: the query's own listed name and its other writings."""
    record: tuple[str, ...] = ()
    """Names of an ad-hoc target record (Japanese names as the lists would romanise them)."""


@dataclass
class Lists:
    """What the generators read from the index: each party's names as listed."""

    ids: list[str]
    schema: list[str]
    names: list[list[str]]
    linked: dict[str, set[str]] = field(default_factory=dict)
    """Parties the lists say are the same (cross-list links), both ways."""
    lists: list[str] = field(default_factory=list)
    """The list each entry is from (`list_of`)."""
    born: list[frozenset[str]] = field(default_factory=list)
    """Years of birth each entry gives (empty: none given)."""


def words(text: str) -> tuple[str, ...]:
    """Lower-case ASCII words of a name, in order."""
    return tuple(re.findall(r"[a-z0-9]+", (ascii_text(text) or "").lower()))


def key(text: str) -> tuple[str, ...]:
    """A name's words as a sorted tuple: two writings of the same words share it."""
    return tuple(sorted(words(text)))


def latin(text: str) -> bool:
    """Written in Latin letters (with diacritics), digits and punctuation."""
    return all(ord(c) < 0x250 or not c.isalpha() for c in text)


def load_lists(screener: Any) -> Lists:
    """Each party's listed names (no derived readings, no vendor aliases) and its links."""
    from sanctum.index import DERIVED_NOTE

    index = screener.index
    names: list[list[str]] = []
    for entry in index.entries:
        recs = (index.names[n] for n in entry.names)
        names.append(
            list(
                dict.fromkeys(
                    r.text
                    for r in recs
                    if r.kind in ("name", "alias", "previous", "weak")
                    and not r.note.startswith(DERIVED_NOTE)
                )
            )
        )
    linked: dict[str, set[str]] = defaultdict(set)
    db = screener.store.db
    pairs = db.execute("SELECT a, b FROM xlinks").fetchall()
    members: dict[str, set[str]] = defaultdict(set)
    for entity, party in db.execute("SELECT entity_id, party_id FROM party_members"):
        members[party].add(entity)
    pairs += [(a, b) for group in members.values() for a in group for b in group if a != b]
    for a, b in pairs:
        linked[a].add(b)
        linked[b].add(a)
    ids = [e.id for e in index.entries]
    from sanctum.feature_table import BIRTH_DATE

    born = [frozenset(d[:4] for d in e.facts[BIRTH_DATE.slot]) for e in index.entries]
    return Lists(
        ids,
        [e.schema for e in index.entries],
        names,
        dict(linked),
        [list_of(e.id, e.source) for e in index.entries],
        born,
    )


def list_of(entity_id: str, source: str) -> str:
    """The list an entry is from: its source, the CSL's copies of OFAC entries (an entity
    number) apart from the other lists it compiles (a hash)."""
    if source == "us_csl":
        return "us_csl_ofac" if entity_id.rsplit("-", 1)[-1].isdigit() else "us_csl"
    return source


def same_party(lists: Lists, i: int, j: int) -> bool:
    """The lists link the two parties (a cross-list link, or one party of the store), or
    they share a name word for word."""
    if i == j or lists.ids[j] in lists.linked.get(lists.ids[i], ()):
        return True
    return not {key(n) for n in lists.names[i]}.isdisjoint(key(n) for n in lists.names[j])


def known_apart(lists: Lists, i: int, j: int) -> bool:
    """The lists say these are two parties: not `same_party`, and either two entries of
    one list (a list names each party it designates once) or two persons whose years of
    birth differ. Two entries of different lists that no link joins are of unknown
    identity, not a negative: the UK's `GROMOV Alexey Alexeyevich` is Australia's
    `Alexei Alexeyevich GROMOV`, and no identifier in either list says so."""
    if same_party(lists, i, j):
        return False
    if lists.lists[i] == lists.lists[j]:
        return True
    return bool(lists.born[i] and lists.born[j] and lists.born[i].isdisjoint(lists.born[j]))


def exclude_of(lists: Lists, i: int, name: str) -> frozenset[str]:
    """The party's names that are the query's own words (any order, case, punctuation)."""
    k = key(name)
    return frozenset(n for n in lists.names[i] if key(n) == k)


def capped(rng: random.Random, pairs: Iterable[Pair], cap: int = PER_CATEGORY) -> list[Pair]:
    """At most `cap` positives and `cap` negatives, drawn at random, in a stable order."""
    out: list[Pair] = []
    for label in (True, False):
        these = sorted({p for p in pairs if p.label is label}, key=lambda p: (p.name, p.target))
        out += rng.sample(these, min(cap, len(these)))
    return out


def word_parties(lists: Lists, schemata: tuple[str, ...]) -> dict[str, set[int]]:
    """Word (4+ letters) → the parties of these schemata with a Latin name holding it."""
    out: dict[str, set[int]] = defaultdict(set)
    for i, ns in enumerate(lists.names):
        if lists.schema[i] in schemata:
            for n in ns:
                if latin(n):
                    for w in words(n):
                        if len(w) >= 4:
                            out[w].add(i)
    return out


# -- aliases and cross-list entries -------------------------------------------------------


def aliases(lists: Lists, rng: random.Random, crosslist: list[tuple[str, str, str]]) -> list[Pair]:
    """Positives: another listed name of the same party sharing a word with the query, and
    UK / AU / CA names of UN parties (`crosslist`: schema, name, UN id). Negatives: a
    listed name against another party holding one of its words (rare words: in 2 to 40
    parties), the first of them `known_apart` from it."""
    pairs: list[Pair] = []
    for i, ns in enumerate(lists.names):
        latin_names = [n for n in ns if latin(n)]
        for a in latin_names:
            for b in latin_names:
                if a != b and key(a) != key(b) and set(words(a)) & set(words(b)) - {"al"}:
                    pairs.append(
                        Pair(
                            "aliases",
                            lists.schema[i],
                            a,
                            lists.ids[i],
                            True,
                            "other name",
                            exclude_of(lists, i, a),
                        )
                    )
                    break
    pairs += [Pair("aliases", s, n, t, True, "cross-list") for s, n, t in crosslist]
    by_word = word_parties(lists, (*ORG, "Person"))
    for i, ns in enumerate(lists.names):
        for a in (n for n in ns[:1] if latin(n)):
            for w in words(a):
                holders = by_word.get(w, set())
                if 2 <= len(holders) <= 40:
                    others = sorted(holders - {i}, key=lambda x: lists.ids[x])
                    j = next((x for x in others if known_apart(lists, i, x)), None)
                    if j is not None:
                        family = ORG if lists.schema[i] in ORG else (lists.schema[i],)
                        if lists.schema[j] in family:
                            pairs.append(
                                Pair(
                                    "aliases",
                                    lists.schema[i],
                                    a,
                                    lists.ids[j],
                                    False,
                                    f"shares {w!r}",
                                )
                            )
                            break
    return capped(rng, pairs)


# -- organisations: legal forms -----------------------------------------------------------

SPELLINGS = {
    "llc": ("LLC", "L.L.C.", "Limited Liability Company"),
    "ltd": ("Ltd", "Ltd.", "Limited"),
    "ag": ("AG", "Aktiengesellschaft"),
    "gmbh": ("GmbH", "Gesellschaft mit beschränkter Haftung"),
    "srl": ("S.R.L.", "SRL", "Societate cu Răspundere Limitată"),
    "jsc": ("JSC", "J.S.C.", "Joint Stock Company"),
    "coltd": ("Co., Ltd.", "Co Ltd", "Company Limited"),
    "inc": ("Inc", "Inc.", "Incorporated"),
    "corp": ("Corp", "Corp.", "Corporation"),
    "plc": ("PLC", "P.L.C.", "Public Limited Company"),
    "ooo": ("OOO", "ООО", "Obshchestvo s Ogranichennoy Otvetstvennostyu"),
    "pjsc": ("PJSC", "Public Joint Stock Company"),
    "fze": ("FZE", "Free Zone Establishment"),
    "sa": ("S.A.", "SA", "Sociedad Anónima"),
}
"""Writings of legal forms the generator swaps between (the matcher reads them from
`rigour`'s org-type data; this table only makes test queries)."""


def legal_forms(name: str) -> list[tuple[str, str]]:
    """(text as written, rigour's compare form) of each legal form in a name."""
    from rigour.names import extract_org_types

    folded = name.casefold()
    return [(t, form) for t, form in extract_org_types(folded) if t in folded]


def respelt(name: str, rng: random.Random) -> tuple[str, str] | None:
    """The name with one legal form written another way, or dropped: (name, how)."""
    found = [(t, f) for t, f in legal_forms(name) if f in SPELLINGS]
    if not found:
        return None
    text, form = found[-1]
    start = name.casefold().rfind(text)
    others = [s for s in SPELLINGS[form] if s.casefold() != text]
    if rng.random() < 0.25 or not others:
        new, how = "", f"{form} dropped"
    else:
        new = rng.choice(others)
        how = f"{text} → {new}"
    out = " ".join((name[:start] + new + name[start + len(text) :]).replace(" ,", ",").split())
    return (out.strip(" ,"), how) if words(out) and key(out) != key(name) else None


def org_legal_form(lists: Lists, rng: random.Random) -> list[Pair]:
    """Positives: a listed company name with its legal form respelt or dropped, or one
    added to a name without one. Negatives: the same respelt name against another
    company with that legal form and a word in common."""
    pairs: list[Pair] = []
    by_word = word_parties(lists, ORG)
    for i, ns in enumerate(lists.names):
        if lists.schema[i] not in ORG:
            continue
        for a in (n for n in ns if latin(n)):
            variant = respelt(a, rng)
            if variant is None:
                if len(words(a)) >= 2 and not legal_forms(a) and rng.random() < 0.05:
                    form = rng.choice(("LLC", "Ltd", "Inc.", "GmbH", "JSC", "Co., Ltd."))
                    pairs.append(
                        Pair(
                            "org_legal_form",
                            lists.schema[i],
                            f"{a} {form}",
                            lists.ids[i],
                            True,
                            f"{form} added",
                        )
                    )
                continue
            q, how = variant
            pairs.append(
                Pair(
                    "org_legal_form",
                    lists.schema[i],
                    q,
                    lists.ids[i],
                    True,
                    how,
                )
            )
            forms = {f for _t, f in legal_forms(a)}
            for w in words(a):
                for j in sorted(by_word.get(w, ()), key=lambda x: lists.ids[x])[:20]:
                    if not known_apart(lists, i, j):
                        continue
                    if any(forms & {f for _t, f in legal_forms(b)} for b in lists.names[j]):
                        pairs.append(
                            Pair(
                                "org_legal_form",
                                lists.schema[i],
                                q,
                                lists.ids[j],
                                False,
                                f"shares {w!r} and a legal form",
                            )
                        )
                        break
            break
    return capped(rng, pairs)


# -- organisations: initialisms, punctuation, articles, numerals --------------------------

_ACRONYM = re.compile(r"\(([A-Z][A-Z0-9&-]{1,7})\)")


def number_words(n: int) -> str:
    """`39` → `Thirty-Nine` (below 100)."""
    from sanctum.names.normalize import NUMBER_WORDS, TENS_WORDS

    if n < 20:
        return NUMBER_WORDS[n].title()
    tens, unit = divmod(n, 10)
    return TENS_WORDS[tens - 2].title() + (f"-{NUMBER_WORDS[unit].title()}" if unit else "")


def initialisms(name: str) -> list[str]:
    """Words of a name that are initialisms: in capitals within a name that is not, or in
    brackets (`Bank (BSPR)`); legal forms aside (respelt by `org_legal_form`)."""
    found = re.findall(r"\(([A-Z]{2,6})\)", name)
    if not name.isupper():
        found += re.findall(r"\b[A-Z]{2,6}\b", name)
    return [a for a in dict.fromkeys(found) if not legal_forms(a)]


def punctuation_variants(name: str) -> Iterator[tuple[str, str]]:
    """The name written otherwise, keeping its party: (variant, how)."""
    if " & " in name:
        yield name.replace(" & ", " and "), "& → and"
    if re.search(r"\band\b", name, re.I):
        yield re.sub(r"\band\b", "&", name, flags=re.I), "and → &"
    if re.match(r"the\s", name, re.I):
        yield name[4:], "leading The dropped"
    elif len(words(name)) >= 2:
        yield f"The {name}", "leading The added"
    if re.search(r"['’]s\b", name):
        yield re.sub(r"['’]s\b", "s", name), "possessive without apostrophe"
    m = re.search(r"\b(\d{1,2})\b", name)
    if m and not re.search(r"\d{3,}", name):
        n = int(m[1])
        yield name[: m.start()] + number_words(n) + name[m.end() :], "digits → words"
        yield name[: m.start()] + f"No. {n}" + name[m.end() :], "No. added"
    for acro in initialisms(name):
        yield name.replace(acro, ".".join(acro) + "."), "initialism dotted"
    for acro in re.findall(r"\b(?:[A-Z]\.){2,6}", name):
        yield name.replace(acro, acro.replace(".", "")), "initialism undotted"


def org_initialism(lists: Lists, rng: random.Random) -> list[Pair]:
    """Positives: punctuation variants of listed organisation names, and the acronyms the
    lists give in brackets (alone, with or without dots). Negatives: an acronym against
    another party whose listed acronym is one letter away, and a variant against another
    party sharing a word."""
    pairs: list[Pair] = []
    acronyms: dict[str, set[int]] = defaultdict(set)
    for i, ns in enumerate(lists.names):
        if lists.schema[i] not in ORG:
            continue
        for a in (n for n in ns if latin(n)):
            for acro in _ACRONYM.findall(a):
                if len(acro) >= 3 and acro.isalpha():
                    acronyms[acro].add(i)
            for v, how in punctuation_variants(a):
                if words(v) and v != a:
                    pairs.append(
                        Pair(
                            "org_initialism",
                            lists.schema[i],
                            v,
                            lists.ids[i],
                            True,
                            how,
                        )
                    )
    for acro, holders in sorted(acronyms.items()):
        for i in sorted(holders)[:1]:
            for q in (acro, ".".join(acro) + "."):
                pairs.append(
                    Pair(
                        "org_initialism",
                        lists.schema[i],
                        q,
                        lists.ids[i],
                        True,
                        "acronym the list gives",
                    )
                )
        near = [
            other
            for other, _d, _n in process.extract(
                acro, list(acronyms), scorer=Levenshtein.distance, score_cutoff=1, limit=None
            )
            if other != acro and len(other) == len(acro)
        ]
        for other in near[:2]:
            i = min(holders)
            for j in sorted(acronyms[other])[:1]:
                if known_apart(lists, i, j):
                    pairs.append(
                        Pair(
                            "org_initialism",
                            lists.schema[i],
                            acro,
                            lists.ids[j],
                            False,
                            f"acronym {acro} vs {other}",
                        )
                    )
    by_word = word_parties(lists, ORG)
    for p in [p for p in pairs if p.label and p.how != "acronym the list gives"]:
        i = lists.ids.index(p.target) if rng.random() < 0.1 else -1
        if i < 0:
            continue
        for w in words(p.name):
            holders = sorted(by_word.get(w, set()) - {i})
            if 1 <= len(holders) <= 30:
                j = holders[0]
                if known_apart(lists, i, j):
                    pairs.append(
                        Pair(
                            "org_initialism",
                            p.schema,
                            p.name,
                            lists.ids[j],
                            False,
                            f"{p.how}; shares {w!r}",
                        )
                    )
                    break
    return capped(rng, pairs)


# -- organisations: qualifiers ------------------------------------------------------------

QUALIFIED_PER_BASE = 4
"""Parties of one qualified base name paired with each other (CSIC lists 40 institutes)."""
_QUALIFIER = re.compile(r"^(?P<base>.+?)\s*\((?P<q>[^()]{2,30})\)\s*(?P<rest>.*)$")
_ORDINAL = re.compile(r"\b\d+(?:st|nd|rd|th)?\b", re.I)


def org_qualifier(lists: Lists, rng: random.Random) -> list[Pair]:
    """Negatives: parties whose names differ only in a bracketed qualifier (a branch's
    country or city) or a number (`713th` / `714th Research Institute`). Positives: the
    same name with its qualifier out of brackets, or after a comma."""
    pairs: list[Pair] = []
    groups: dict[tuple[str, ...], dict[int, str]] = defaultdict(dict)
    for i, ns in enumerate(lists.names):
        if lists.schema[i] not in ORG:
            continue
        for a in (n for n in ns if latin(n)):
            m = _QUALIFIER.match(a)
            if m and not legal_forms(m["q"]) and not _ACRONYM.fullmatch(f"({m['q']})"):
                groups[("q", *key(m["base"] + " " + m["rest"]))].setdefault(i, a)
                pairs.append(
                    Pair(
                        "org_qualifier",
                        lists.schema[i],
                        f"{m['base']} {m['q']} {m['rest']}".strip(),
                        lists.ids[i],
                        True,
                        "qualifier out of brackets",
                    )
                )
                pairs.append(
                    Pair(
                        "org_qualifier",
                        lists.schema[i],
                        f"{m['base']} {m['rest']}, {m['q']}".replace(" ,", ","),
                        lists.ids[i],
                        True,
                        "qualifier after a comma",
                    )
                )
            if _ORDINAL.search(a):
                groups[("n", *key(_ORDINAL.sub(" ", a)))].setdefault(i, a)
    for members in groups.values():
        parties = sorted(members)
        for i in parties[:QUALIFIED_PER_BASE]:
            for j in parties[:QUALIFIED_PER_BASE]:
                if i != j and known_apart(lists, i, j) and key(members[i]) != key(members[j]):
                    pairs.append(
                        Pair(
                            "org_qualifier",
                            lists.schema[i],
                            members[i],
                            lists.ids[j],
                            False,
                            f"other qualifier: {members[j]}",
                        )
                    )
    return capped(rng, pairs)


# -- persons: initials and titles ---------------------------------------------------------


def given_and_surname(name: str) -> tuple[list[str], str] | None:
    """(given names, surname) of a Latin person name: `SURNAME, Given` or `Given Surname`."""
    parts = name.split()
    capitals = [i for i, p in enumerate(parts) if p.isupper() and len(p) > 1]
    if "," in name:
        sur, _, given = name.partition(",")
        g, s = given.split(), sur.strip()
    elif len(capitals) == 1 and not name.isupper():  # `Dmitry Sergeyevich PESKOV`
        g, s = [p for i, p in enumerate(parts) if i != capitals[0]], parts[capitals[0]]
    else:
        g, s = parts[:-1], parts[-1] if parts else ""
    if not g or len(words(s)) != 1 or len(s) < 3 or any(len(x) < 2 for x in g) or len(g) > 3:
        return None
    return g, s.title() if s.isupper() else s


def person_initials(lists: Lists, rng: random.Random) -> list[Pair]:
    """Positives: `J. Surname`, `J Surname`, `J. M. Surname`, `John M. Surname`,
    `JC Surname` (for Jean-Claude) from listed person names. Negatives: an initial that
    none of the party's given names has, and the initial of another listed person of the
    same surname whose given names start otherwise."""
    pairs: list[Pair] = []
    by_surname: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for i, ns in enumerate(lists.names):
        if lists.schema[i] != "Person":
            continue
        for a in (n for n in ns[:2] if latin(n)):
            parsed = given_and_surname(a)
            if parsed is None:
                continue
            g, s = parsed
            first = g[0]
            initials = {x[0].upper() for x in g} | {
                x[0].upper() for x in "-".join(g).split("-") if x
            }
            forms = [
                (f"{first[0].upper()}. {s}", "first initial"),
                (f"{first[0].upper()} {s}", "first initial, no dot"),
            ]
            if len(g) >= 2:
                forms += [
                    (" ".join(x[0].upper() + "." for x in g) + f" {s}", "all initials"),
                    (f"{first.title()} {g[1][0].upper()}. {s}", "middle initial"),
                ]
            if "-" in first:
                forms.append(
                    (
                        "".join(p[0].upper() for p in first.split("-") if p) + f" {s}",
                        "hyphenated initials",
                    )
                )
            for q, how in forms:
                pairs.append(
                    Pair(
                        "person_initials",
                        "Person",
                        q,
                        lists.ids[i],
                        True,
                        how,
                    )
                )
            other = rng.choice([c for c in "ABDEFGHKLMNRST" if c not in initials] or ["Q"])
            pairs.append(
                Pair(
                    "person_initials",
                    "Person",
                    f"{other}. {s}",
                    lists.ids[i],
                    False,
                    "another initial",
                )
            )
            by_surname[s.lower()].append((i, first[0].upper()))
    for s, people in by_surname.items():
        for i, ini in people:
            for j, other in people:
                if ini != other and known_apart(lists, i, j):
                    pairs.append(
                        Pair(
                            "person_initials",
                            "Person",
                            f"{ini}. {s.title()}",
                            lists.ids[j],
                            False,
                            f"{ini}. against {other}.",
                        )
                    )
                    break
    return capped(rng, pairs)


TITLES = (
    "Mr",
    "Mrs",
    "Dr",
    "Prof.",
    "Sheikh",
    "Haji",
    "Mullah",
    "Maulvi",
    "General",
    "Colonel",
    "Sayyid",
    "Hajji",
)
HANGUL_TITLES = ("동지", "씨", "위원장")
ARABIC_TITLES = ("الشيخ", "الحاج", "ملا")


def person_titles(lists: Lists, rng: random.Random) -> list[Pair]:
    """Positives: a listed person name with a title or honorific added (Latin, Korean after
    a Hangul name, Arabic before an Arabic-script one). Negatives: a title and the party's
    surname with another listed person's given name (`Dr Omar Nasrallah` against Hassan
    Nasrallah)."""
    pairs: list[Pair] = []
    given_pool: list[str] = []
    for ns, schema in zip(lists.names, lists.schema, strict=True):
        if schema == "Person":
            for n in ns[:1]:
                parsed = given_and_surname(n) if latin(n) else None
                if parsed:
                    given_pool.append(parsed[0][0].title())
    for i, ns in enumerate(lists.names):
        if lists.schema[i] != "Person":
            continue
        for a in ns[:3]:
            if re.search("[\uac00-\ud7a3]", a):
                q = f"{a} {rng.choice(HANGUL_TITLES)}"
            elif re.search("[\u0600-\u06ff]", a):
                q = f"{rng.choice(ARABIC_TITLES)} {a}"
            elif latin(a):
                q = f"{rng.choice(TITLES)} {a}"
            else:
                continue
            pairs.append(
                Pair(
                    "person_titles",
                    "Person",
                    q,
                    lists.ids[i],
                    True,
                    "title added",
                )
            )
            parsed = given_and_surname(a) if latin(a) else None
            if parsed:
                g, s = parsed
                other = rng.choice(given_pool)
                if other.lower() not in {x.lower() for x in g}:
                    pairs.append(
                        Pair(
                            "person_titles",
                            "Person",
                            f"{rng.choice(TITLES)} {other} {s}",
                            lists.ids[i],
                            False,
                            "title, same surname, other given name",
                        )
                    )
    return capped(rng, pairs)


# -- short names --------------------------------------------------------------------------

SHORT_LOCALES = (
    "en_US",
    "de_DE",
    "fr_FR",
    "es_ES",
    "it_IT",
    "tr_TR",
    "pl_PL",
    "nl_NL",
    "ru_RU",
    "uk_UA",
    "hi_IN",
    "el_GR",
    "pt_BR",
    "sv_SE",
    "id_ID",
    "ar_AA",
)
SUFFIXES = ("Ltd", "Inc", "Group", "LLC", "GmbH", "Trading")


def customer_words(seed: int) -> list[str]:
    """Single words customers are named by: Faker first and last names, and company words,
    in 16 locales (Latin, Cyrillic, Devanagari, Greek, Arabic scripts)."""
    from faker import Faker

    out: set[str] = set()
    for k, locale in enumerate(SHORT_LOCALES):
        fake = Faker(locale)
        fake.seed_instance(seed + k)
        for _ in range(300):
            out.add(fake.last_name())
            out.add(fake.first_name())
    return sorted(w for w in out if " " not in w and len(w) >= 3)


def short_names(lists: Lists, rng: random.Random) -> list[Pair]:
    """Negatives: a one-word customer name (plain, or with a company suffix) one edit away
    from a one-word listed name or from a word of a longer listed company name (after
    ASCII folding, so Cyrillic and Devanagari words take part). Positives: one-word listed
    names in another case, and one-word aliases of the same party."""
    pairs: list[Pair] = []
    single: dict[str, int] = {}
    org_word: dict[str, int] = {}
    for i, ns in enumerate(lists.names):
        for a in ns:
            w = words(a)
            if len(w) == 1 and len(w[0]) >= 3:
                single.setdefault(w[0], i)
                pairs.append(
                    Pair(
                        "short_names",
                        lists.schema[i],
                        a.title() if a.isupper() else a.upper(),
                        lists.ids[i],
                        True,
                        "one word, case",
                    )
                )
            elif lists.schema[i] in ORG and latin(a):
                for t in w:
                    if len(t) >= 5:
                        org_word.setdefault(t, i)
        ones = [a for a in ns if len(words(a)) == 1 and latin(a)]
        for a in ones:
            for b in ones:
                if key(a) != key(b):
                    pairs.append(
                        Pair(
                            "short_names",
                            lists.schema[i],
                            a,
                            lists.ids[i],
                            True,
                            "one-word alias",
                            exclude_of(lists, i, a),
                        )
                    )
    vocab_single, vocab_org = list(single), list(org_word)
    for word in customer_words(SEED):
        folded = "".join(words(word))
        if len(folded) < 3:
            continue
        for vocab, table, how in (
            (vocab_single, single, "one-word name"),
            (vocab_org, org_word, "word of a company name"),
        ):
            found = process.extractOne(folded, vocab, scorer=Levenshtein.distance, score_cutoff=1)
            if found and found[0] != folded:
                i = table[found[0]]
                q = word if rng.random() < 0.5 else f"{word} {rng.choice(SUFFIXES)}"
                if not same_name_of(lists, i, folded):
                    pairs.append(
                        Pair(
                            "short_names",
                            "LegalEntity" if " " in q else "Thing",
                            q,
                            lists.ids[i],
                            False,
                            f"{how} {found[0]!r} one edit away",
                        )
                    )
    return capped(rng, pairs)


def same_name_of(lists: Lists, i: int, folded: str) -> bool:
    """The party has a one-word name that is this word."""
    return any(words(n) == (folded,) for n in lists.names[i])


# -- Japanese -----------------------------------------------------------------------------

JAPANESE = (
    ("山口組", "Organization", "us-ofac-sdn-13071"),
    ("六代目山口組", "Organization", "us-ofac-sdn-13071"),
    ("神戸山口組", "Organization", "us-ofac-sdn-20379"),
    ("住吉会", "Organization", "us-ofac-sdn-15495"),
    ("稲川会", "Organization", "us-ofac-sdn-15661"),
    ("オウム真理教", "Organization", "us-ofac-sdn-4691"),
    ("篠田建市", "Person", "us-ofac-sdn-13072"),
    ("高山清司", "Person", "us-ofac-sdn-13073"),
    ("西口茂男", "Person", "us-ofac-sdn-15496"),
    ("清田次郎", "Person", "us-ofac-sdn-15662"),
    ("やまぐちぐみ", "Organization", "us-ofac-sdn-13071"),
    ("スミヨシカイ", "Organization", "us-ofac-sdn-15495"),
)
"""Listed Japanese parties (OFAC's Yakuza and Aum Shinrikyo designations) by the names
Japanese records write them in: kanji, hiragana, katakana."""
JAPANESE_RECORDS = (
    ("安倍晋三", ("Abe Shinzo",), True),
    ("岸田文雄", ("KISHIDA, Fumio",), True),
    ("田中角栄", ("Kakuei Tanaka",), True),
    ("東京電力", ("Tokyo Denryoku",), True),
    ("トヨタ", ("Toyota",), True),
    ("安倍晋三", ("Abe Tomoko",), False),
    ("岸田文雄", ("Kishimoto Fumio",), False),
    ("田中角栄", ("Tanaka Makiko",), False),
    ("山口組", ("Yamamoto Gumi",), False),
    ("住吉会", ("Sumitomo Kai",), False),
    ("高山清司", ("Takayama Kenji",), False),
    ("清田次郎", ("Kiyota Taro",), False),
)
"""Japanese names against romanised records: the same person or company (True), or
another sharing half the name (False)."""


def japanese() -> list[Pair]:
    """Listed Japanese parties queried in kanji and kana (positives; the same query against
    another Japanese party: negatives), and a table of names against romanised records."""
    pairs = []
    for name, schema, target in JAPANESE:
        pairs.append(Pair("japanese", schema, name, target, True, "kanji/kana → Hepburn"))
        others = sorted({t for _n, s, t in JAPANESE if s == schema and t != target})
        pairs.append(Pair("japanese", schema, name, others[0], False, "another Japanese party"))
    for name, record, label in JAPANESE_RECORDS:
        schema = "Organization" if name in ("東京電力", "トヨタ", "山口組", "住吉会") else "Person"
        pairs.append(Pair("japanese", schema, name, "", label, "table", record=record))
    return pairs


# -- scoring ------------------------------------------------------------------------------


def build(screener: Any, crosslist: list[tuple[str, str, str]]) -> list[Pair]:
    """The whole labelled set, every category, from the loaded lists."""
    lists = load_lists(screener)
    known = set(lists.ids)
    pairs: list[Pair] = []
    for make in (
        lambda r: aliases(lists, r, crosslist),
        lambda r: org_legal_form(lists, r),
        lambda r: org_initialism(lists, r),
        lambda r: org_qualifier(lists, r),
        lambda r: person_initials(lists, r),
        lambda r: person_titles(lists, r),
        lambda r: short_names(lists, r),
        lambda r: japanese(),
    ):
        pairs += make(random.Random(SEED))
    return [p for p in pairs if not p.target or p.target in known]


def sanctum_scorer(screener: Any) -> Callable[[Pair], float]:
    """Sanctum's score of a pair: the party scored on its names bar the excluded ones
    (`score_sanctum` with those names only), or `compare` against an ad-hoc record."""
    from sanctum.match.query import parse_query
    from sanctum.match.score import compatible, score_sanctum
    from sanctum.pairwise import compare

    index = screener.index

    def score(p: Pair) -> float:
        query = {"schema": p.schema, "properties": {"name": [p.name]}}
        if not p.target:
            return compare(
                query, {"schema": p.schema, "properties": {"name": list(p.record)}}
            ).score
        entry = index.entries[index.entry_by_id[p.target]]
        if not compatible(p.schema, entry.schema):
            return 0.0
        only = {
            n
            for n in entry.names
            if index.names[n].text not in p.exclude
            and not any(repr(x) in index.names[n].note for x in p.exclude)
        }
        if not only:
            return 0.0
        return float(score_sanctum(parse_query(query), entry, index, only, {}, screener.near).score)

    return score


def logic_v2_scorer(screener: Any) -> Callable[[Pair], float]:
    """logic-v2's score of a pair: the query entity against the party's listed names bar
    the excluded ones (as yente would hold them: no readings derived by Sanctum)."""
    from followthemoney import model
    from nomenklatura.matching import get_algorithm
    from nomenklatura.matching.types import ScoringConfig

    algo: Any = get_algorithm("logic-v2")
    config = ScoringConfig.defaults()
    lists = load_lists(screener)
    where = {eid: i for i, eid in enumerate(lists.ids)}
    count = [0]

    def entity(schema: str, names: Iterable[str], eid: str) -> Any:
        proxy = model.make_entity(schema)
        proxy.id = eid
        proxy.add("name", list(names), quiet=True)
        return proxy

    def score(p: Pair) -> float:
        count[0] += 1
        q = entity(p.schema, [p.name], f"q{count[0]}")
        if p.target:
            i = where[p.target]
            names = [n for n in lists.names[i] if n not in p.exclude]
            cand = entity(lists.schema[i], names, f"c{count[0]}")
        else:
            cand = entity(p.schema, p.record, f"c{count[0]}")
        if not names_of(cand) or not q.schema.can_match(cand.schema):
            return 0.0
        return float(algo.compare(q, cand, config).score)

    return score


def names_of(proxy: Any) -> list[str]:
    return list(proxy.get("name"))


def prf(scores: list[tuple[Pair, float]], threshold: float) -> dict[str, Any]:
    """Precision, recall and F1 of the pairs at a threshold, with the counts."""
    tp = sum(p.label and s >= threshold for p, s in scores)
    fp = sum(not p.label and s >= threshold for p, s in scores)
    fn = sum(p.label and s < threshold for p, s in scores)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "pairs": len(scores),
        "positives": tp + fn,
        "precision": precision,
        "recall": recall,
        "f1": f1,
    }


def evaluate(screener: Any, crosslist: list[tuple[str, str, str]]) -> dict[str, Any]:
    """The set built and scored by both matchers: per category and overall."""
    pairs = build(screener, crosslist)
    out: dict[str, Any] = {"pairs": len(pairs), "by": {}}
    for name, make in (("sanctum", sanctum_scorer), ("logic-v2", logic_v2_scorer)):
        score = make(screener)
        scored = [(p, score(p)) for p in pairs]
        t = THRESHOLDS[name]
        cats = sorted({p.category for p in pairs})
        per = {c: prf([x for x in scored if x[0].category == c], t) for c in cats}
        per["overall"] = prf(scored, t)
        out["by"][name] = per
        out.setdefault("misses", {})[name] = [
            {
                "category": p.category,
                "query": p.name,
                "target": p.target or list(p.record),
                "label": p.label,
                "how": p.how,
                "score": round(s, 4),
            }
            for p, s in scored
            if (s >= t) != p.label
        ]
    return out


def render(result: dict[str, Any]) -> str:
    """Markdown table: per category, both matchers' precision, recall, F1."""
    lines = [
        f"Per-category set: {result['pairs']} labelled pairs "
        f"(Sanctum at {THRESHOLDS['sanctum']}, logic-v2 at {THRESHOLDS['logic-v2']})",
        "",
        "| category | pairs (pos) | Sanctum P / R / F1 | logic-v2 P / R / F1 |",
        "|---|---|---|---|",
    ]
    ours, theirs = result["by"]["sanctum"], result["by"]["logic-v2"]
    for cat in ours:
        a, b = ours[cat], theirs[cat]
        lines.append(
            f"| {cat} | {a['pairs']} ({a['positives']}) | "
            f"{a['precision']:.3f} / {a['recall']:.3f} / **{a['f1']:.3f}** | "
            f"{b['precision']:.3f} / {b['recall']:.3f} / {b['f1']:.3f} |"
        )
    return "\n".join(lines)


def crosslist_names(screener: Any) -> list[tuple[str, str, str]]:
    """(schema, name, UN id) of UK / AU / CA names of parties the UN lists (bench/run.py's
    cross-list queries), a seeded sample."""
    from run import crosslist_queries

    out = [
        (q["schema"], q["properties"]["name"][0], t)
        for q, targets in crosslist_queries(screener)
        for t in sorted(targets)[:1]
    ]
    return random.Random(SEED).sample(out, min(300, len(out)))


def main() -> None:
    import json

    from common import OUT
    from sanctum.screen import Screener

    screener = Screener()
    result = evaluate(screener, crosslist_names(screener))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "categories.json").write_text(json.dumps(result, indent=1, ensure_ascii=False))
    print(render(result))


if __name__ == "__main__":
    main()


# -- a fresh population -------------------------------------------------------------------

POPULATION_LOCALES = (
    "en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "es_MX", "it_IT", "pt_BR", "nl_NL", "pl_PL",
    "ru_RU", "uk_UA", "tr_TR", "ar_AA", "fa_IR", "hi_IN", "id_ID", "zh_CN", "ko_KR", "ja_JP",
)  # fmt: skip
POPULATION_SEED = 20260423
"""Other seeds than the population benchmark's (bench/quality.py): names never tuned on."""


def fresh_population(per_locale: int = 500) -> list[tuple[str, str, str]]:
    """(locale, schema, name): half persons, half companies, per locale (20 locales)."""
    from faker import Faker

    out: list[tuple[str, str, str]] = []
    for i, locale in enumerate(POPULATION_LOCALES):
        fake = Faker(locale)
        fake.seed_instance(POPULATION_SEED + i)
        people: set[str] = set()
        companies: set[str] = set()
        while len(people) < per_locale // 2:
            people.add(fake.name())
        while len(companies) < per_locale - per_locale // 2:
            companies.add(fake.company())
        out += [(locale, "Person", n) for n in sorted(people)]
        out += [(locale, "Organization", n) for n in sorted(companies)]
    return out


def namesake(explanation: dict[str, Any]) -> bool:
    """An alert whose query is a correct reading of the listed name: both names covered
    (NAMESAKE_COVERAGE: a Korean key or an Arabic-script reading meets below 1, a legal
    form left over weighs little), no token met by spelling alone (no edit, doubled
    letter, romanized key or skeleton: `match.features.FUZZY`)."""
    from sanctum.match.features import FUZZY

    name = explanation.get("name") or {}
    return (
        name.get("query_coverage", 0) >= NAMESAKE_COVERAGE
        and name.get("listed_coverage", 0) >= NAMESAKE_COVERAGE
        and all(t["how"] not in FUZZY for t in name["tokens"])
    )


NAMESAKE_COVERAGE = 0.9


def population_alerts(screener: Any, threshold: float = THRESHOLDS["sanctum"]) -> dict[str, Any]:
    """Alert rate on the fresh population, namesakes and other alerts apart."""
    names = fresh_population()
    alerts: list[dict[str, Any]] = []
    for locale, schema, name in names:
        result = screener.screen({"schema": schema, "properties": {"name": [name]}}, limit=1)
        best = result.results[0] if result.results else None
        if best is not None and best.score >= threshold:
            alerts.append(
                {"locale": locale, "schema": schema, "query": name, "listed": best.id,
                 "score": best.score, "namesake": namesake(best.explanation),
                 "met": (best.explanation.get("name") or {}).get("listed_name")}
            )  # fmt: skip
    n = len(names)
    return {
        "names": n,
        "locales": len(POPULATION_LOCALES),
        "alert_rate": len(alerts) / n,
        "namesake_rate": sum(a["namesake"] for a in alerts) / n,
        "other_rate": sum(not a["namesake"] for a in alerts) / n,
        "alerts": alerts,
    }
