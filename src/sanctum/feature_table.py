"""The feature table: every fact the matcher compares, declared once.

Each `Feature` names the query properties and the listed properties it reads, how a value
of either side is read, the function that compares them (its docstring is the feature's
documentation), and the most it can add to a score. Everything else is derived from this
table, never written again by hand:

- `match/query.py` reads a query's facts (`Query.facts`, one slot per feature);
- `index.py` files a listed party's facts (`Entry.facts`) from the properties named here;
- `match/score.py` adds each feature's contribution and explains it under its name, and
  bounds a party's score with `bonus` (`features_bonus_max`), which no comparison may
  exceed (tests/match/test_feature_table.py);
- `search.py` shows the facts a result carries.

Names are the backbone of every score, compared token by token by `match/score.py`
(`best_name`); `NAMES` declares which properties they are read from and how much each
kind of listed name counts. The table sits below the index and the matcher so that both
read it (sources → store → names → feature table → index → match).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import lru_cache

from sanctum import config
from sanctum.names.identifiers import CONTACT_PROPS, identifier_key, identifier_label
from sanctum.values import country_code, parse_date

Read = Callable[[str, str], str | None]
"""(property, value as a query or a list writes it) → the form compared, or None: left
out. A query value that cannot be meant raises ValueError (the query parser's error)."""
Compare = Callable[[Sequence[str], AbstractSet[str]], tuple[float, str]]
"""Query values, listed values → (contribution, why); (0.0, "") when it does not apply."""


@dataclass
class Feature:
    """One fact compared between a query and a listed party (see the module docstring)."""

    name: str
    """Label of its contribution in the explanation (`features`)."""
    query: tuple[str, ...]
    """FtM properties of a query it reads, in order."""
    listed: tuple[str, ...]
    """FtM properties of a listed party (or of its identity documents) it reads."""
    read_query: Read
    read_listed: Read
    compare: Compare
    bonus: float
    """The most `compare` can add to a score (bounds of `screen.py` rely on it)."""
    floor: bool = False
    """True: `compare` gives a score the party reaches at least (an identifier listed),
    not a contribution added to the name score; its why names the query value that met,
    the explanation's entry under the feature's name."""
    note: str = ""
    """Of a floor feature: the explanation's note, `{}` the value that met."""
    slot: int = -1
    """Its position in FEATURES: where `Query.facts` and `Entry.facts` hold its values."""

    @property
    def doc(self) -> str:
        """What the feature measures: its comparison's docstring (read from the source
        where the compiled build keeps none)."""
        return (self.compare.__doc__ or _source_doc(self.compare)).strip()


@dataclass
class NameFeature:
    """Where names are read from: query properties, the parts a query may give instead
    of a whole name, and each listed name property with the kind it is indexed as."""

    query: tuple[str, ...]
    parts: tuple[str, ...]
    """Name parts joined (in this order) into one name when a query gives no whole name."""
    listed: dict[str, str]
    """Listed name property → kind (`NameRec.kind`)."""
    factors: dict[str, float]
    """Kind → factor on its name score (weak aliases count less)."""


def _as_is(_prop: str, value: str) -> str | None:
    """The value unchanged."""
    return value


def _lower(_prop: str, value: str) -> str | None:
    """The value in lower case."""
    return value.lower()


def _date(_prop: str, value: str) -> str | None:
    """A query's date as an ISO prefix (`parse_date`); one it cannot read is refused."""
    iso = parse_date(value)
    if iso is None:
        raise ValueError(f"cannot read date {value!r} (use YYYY-MM-DD)")
    return iso


def _country(_prop: str, value: str) -> str | None:
    """A query's country as an ISO code (`country_code`); None if it names none."""
    return country_code(value)


def _listed_identifier(prop: str, value: str) -> str | None:
    """A listed identifier by its lookup key (`names.identifiers.identifier_key`)."""
    return identifier_key(prop, value) or None


def _query_identifier(prop: str, value: str) -> str | None:
    """A query identifier as its lookup key, a space, and how the explanation names it
    (`email:hongsiao@naver.com e-mail hongsiao@naver.com`: keys hold no space). A
    document number too short to compare is left out; a contact (e-mail, website, phone,
    wallet) that cannot be read is refused."""
    key = identifier_key(prop, value)
    if key:
        return f"{key} {identifier_label(prop, value)}"
    if prop in CONTACT_PROPS:
        raise ValueError(f"cannot read {CONTACT_PROPS[prop]} {value!r}")
    return None


def identifier_of(value: str) -> str:
    """The lookup key of a query identifier as read (`_query_identifier`)."""
    return value.partition(" ")[0]


@lru_cache(maxsize=50_000)
def _years(dates: frozenset[str]) -> frozenset[int]:
    """Years of listed dates of birth (cached: a listed party meets many queries)."""
    return frozenset(int(d[:4]) for d in dates if d[:4].isdigit())


@lru_cache(maxsize=4_096)
def _query_dates(dates: tuple[str, ...]) -> tuple[frozenset[str], frozenset[int], frozenset[int]]:
    """A query's dates of birth, once for all the parties it meets: the full dates, their
    years, and every year within DOB_YEAR_TOLERANCE of one (a listed year outside those
    conflicts)."""
    years = frozenset(int(q[:4]) for q in dates)
    tol = config.DOB_YEAR_TOLERANCE
    return (
        frozenset(q for q in dates if len(q) == 10),
        years,
        frozenset(y + d for y in years for d in range(-tol, tol + 1)),
    )


def dob_feature(query: Sequence[str], listed: AbstractSet[str]) -> tuple[float, str]:
    """Dates of birth: exact day agrees (+), same year (+), or years too far apart (−)."""
    if not query or not listed:
        return 0.0, ""
    full, q_years, q_near = _query_dates(tuple(query))
    if not full.isdisjoint(listed):
        return config.DOB_EXACT_BONUS, "same date of birth"
    l_years = (
        _years(listed)
        if isinstance(listed, frozenset)
        else frozenset(int(d[:4]) for d in listed if d[:4].isdigit())
    )
    if not q_years.isdisjoint(l_years):
        return config.DOB_YEAR_BONUS, "same year of birth"
    if l_years and q_near.isdisjoint(l_years):
        return -config.DOB_CONFLICT_PENALTY, "different year of birth"
    return 0.0, ""


def country_feature(query: Sequence[str], listed: AbstractSet[str]) -> tuple[float, str]:
    """Nationality / country: shared (+) or none in common (−)."""
    if not query or not listed:
        return 0.0, ""
    if not listed.isdisjoint(query):
        return config.COUNTRY_MATCH_BONUS, "country in common"
    return -config.COUNTRY_CONFLICT_PENALTY, "no country in common"


def gender_feature(query: Sequence[str], listed: AbstractSet[str]) -> tuple[float, str]:
    """Gender stated on both sides and different (−)."""
    if query and listed and listed.isdisjoint(query):
        return -config.GENDER_CONFLICT_PENALTY, "different gender"
    return 0.0, ""


def identifier_feature(query: Sequence[str], listed: AbstractSet[str]) -> tuple[float, str]:
    """A document number (passport, national id, registration, IMO), e-mail address,
    website, phone number or wallet address the listed party also carries: strong
    evidence on its own, whatever the names (IDENTIFIER_MATCH_SCORE at least); the why
    names the query's identifier (`e-mail hongsiao@naver.com`)."""
    for value in query:
        key, _, label = value.partition(" ")
        if key in listed:
            return config.IDENTIFIER_MATCH_SCORE, label
    return 0.0, ""


NAMES = NameFeature(
    query=("name", "alias", "weakAlias"),
    parts=("firstName", "secondName", "middleName", "fatherName", "lastName"),
    listed={"name": "name", "alias": "alias", "weakAlias": "weak", "previousName": "previous"},
    factors={
        "name": 1.0,
        "alias": 1.0,
        "previous": 1.0,
        "weak": config.WEAK_ALIAS_FACTOR,
        "cyber": config.CYBER_ALIAS_FACTOR,
    },
)

BIRTH_DATE = Feature(
    "birth_date",
    query=("birthDate",),
    listed=("birthDate",),
    read_query=_date,
    read_listed=_as_is,
    compare=dob_feature,
    bonus=config.DOB_EXACT_BONUS,
)
COUNTRY = Feature(
    "country",
    query=("nationality", "citizenship", "country", "jurisdiction"),
    listed=("nationality", "citizenship", "country", "jurisdiction"),
    read_query=_country,
    read_listed=_as_is,
    compare=country_feature,
    bonus=config.COUNTRY_MATCH_BONUS,
)
GENDER = Feature(
    "gender",
    query=("gender",),
    listed=("gender",),
    read_query=_lower,
    read_listed=_lower,
    compare=gender_feature,
    bonus=0.0,
)
_DOCUMENTS = (
    "passportNumber",
    "idNumber",
    "imoNumber",
    "registrationNumber",
    "taxNumber",
    "innCode",
    "mmsi",
)
IDENTIFIER = Feature(
    "identifier",
    query=(*_DOCUMENTS, *CONTACT_PROPS),
    listed=(*_DOCUMENTS, "number", *CONTACT_PROPS),  # `number`: of Passport, Identification
    read_query=_query_identifier,
    read_listed=_listed_identifier,
    compare=identifier_feature,
    bonus=config.IDENTIFIER_MATCH_SCORE,
    floor=True,
    note="{} listed: an exact identifier meeting is strong evidence",
)

FEATURES = (BIRTH_DATE, COUNTRY, GENDER, IDENTIFIER)
"""Every feature besides names, in the order they are applied and explained."""
for _slot, _feature in enumerate(FEATURES):
    _feature.slot = _slot
ADDED = tuple(f for f in FEATURES if not f.floor)
"""Features whose contribution is added to the name score."""
FLOORS = tuple(f for f in FEATURES if f.floor)
"""Features that lift the score to their own when they agree."""


def listed_properties() -> tuple[str, ...]:
    """Every listed property a feature reads (the index fetches these), in table order."""
    return tuple(dict.fromkeys(p for f in FEATURES for p in f.listed))


def listed_readers() -> dict[str, tuple[int, Read]]:
    """Listed property → the slot of the feature reading it, and how it reads a value."""
    out: dict[str, tuple[int, Read]] = {}
    for f in FEATURES:
        for prop in f.listed:
            if prop in out:
                raise ValueError(f"listed property {prop!r} read by two features")
            out[prop] = (f.slot, f.read_listed)
    return out


def _source_doc(func: Callable[..., object]) -> str:
    """A function's docstring read from its module's source file (compiled builds drop it)."""
    import ast
    import sys
    from pathlib import Path

    module = sys.modules.get(func.__module__)
    built = Path(getattr(module, "__file__", "") or "")
    path = built.with_name(built.name.split(".")[0] + ".py")  # x.cpython-311-….so → x.py
    if not path.is_file():
        return ""
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.FunctionDef) and node.name == func.__name__:
            return ast.get_docstring(node) or ""
    return ""
