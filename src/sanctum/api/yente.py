"""yente's matching API over Sanctum's matcher: algorithm names, request checks, the query
echo and the result fields a yente client reads.

yente's algorithm names are accepted and mapped: `best` and the logic/regression names
run Sanctum's default matcher, `name-based` runs it on the query's names alone, and
`sanctum` and `ofac` are Sanctum's own. An unknown name is a 400, as in yente. A
request's `config` and `weights` may only name options and features of the algorithm it
asks for (400 otherwise, as yente); Sanctum's matcher takes no per-request tuning, so
valid ones are listed back in `ignored`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sanctum import config as match_config
from sanctum.api.problems import Problem
from sanctum.schemata import MATCHABLE

DEFAULT_ALGORITHM = "sanctum"


@dataclass(frozen=True)
class Algorithm:
    """An algorithm name a client may ask for, and what runs for it."""

    name: str
    runs: str
    names_only: bool
    description: str
    config: tuple[str, ...] = ()
    """The config options yente's algorithm of this name takes (nomenklatura 4.17.4)."""
    features: tuple[str, ...] = ()
    """The weights (features) yente's algorithm of this name takes (nomenklatura 4.17.4)."""

    @property
    def ran(self) -> str:
        """What a response names as having run."""
        return f"{self.runs}:name-based" if self.names_only else self.runs


SANCTUM_FEATURES = ("name", "birth_date", "country", "gender", "identifier")
LOGIC_V2_CONFIG = (
    "nm_extra_query_name",
    "nm_extra_result_name",
    "nm_family_name_weight",
    "nm_fuzzy_cutoff_factor",
    "nm_name_property",
    "nm_number_mismatch",
)
LOGIC_V2_FEATURES = (
    "name_match",
    "address_entity_match",
    "crypto_wallet_address",
    "isin_security_match",
    "lei_code_match",
    "ogrn_code_match",
    "vessel_imo_mmsi_match",
    "inn_code_match",
    "bic_code_match",
    "uei_code_match",
    "npi_code_match",
    "identifier_match",
    "weak_alias_match",
    "address_prop_match",
    "country_mismatch",
    "dob_year_disjoint",
    "dob_day_disjoint",
    "gender_mismatch",
)
MAPPED = "yente's name for Sanctum's default matcher"
ALGORITHMS: dict[str, Algorithm] = {
    a.name: a
    for a in (
        Algorithm(
            "sanctum",
            "sanctum",
            False,
            "Token-aligned, rarity-weighted name score (transliterations, Korean syllables, "
            "Arabic-script readings, typos) with date of birth, country, gender and "
            "identifiers; every score explained.",
            features=SANCTUM_FEATURES,
        ),
        Algorithm("ofac", "ofac", False, "OFAC's Sanctions List Search name score (0-100)."),
        Algorithm(
            "name-based",
            "sanctum",
            True,
            "Sanctum's matcher on the query's names alone (other properties are not read).",
            features=("name",),
        ),
        Algorithm("best", "sanctum", False, f"{MAPPED} (yente: its best algorithm)."),
        Algorithm("logic-v2", "sanctum", False, MAPPED + ".", LOGIC_V2_CONFIG, LOGIC_V2_FEATURES),
        Algorithm("logic-v1", "sanctum", False, MAPPED + "."),
        Algorithm("name-qualified", "sanctum", False, MAPPED + "."),
        Algorithm("regression-v1", "sanctum", False, MAPPED + "."),
    )
}
ALGORITHMS["best"] = Algorithm(
    "best", "sanctum", False, ALGORITHMS["best"].description, LOGIC_V2_CONFIG, LOGIC_V2_FEATURES
)


def algorithm(name: str | None) -> Algorithm:
    """The algorithm a request names (None: Sanctum's default); 400 for an unknown name."""
    key = (name or DEFAULT_ALGORITHM).strip().lower()
    found = ALGORITHMS.get(key)
    if found is None:
        raise Problem(
            400, f"invalid algorithm {name!r}; see /algorithms for the names", "algorithm"
        )
    return found


def check_tuning(algo: Algorithm, config: dict[str, Any], weights: dict[str, float]) -> list[str]:
    """400 for a config option or weight the algorithm does not take (as yente); the
    accepted ones, which Sanctum's matcher does not read, are returned to be named."""
    for key in config:
        if key not in algo.config:
            raise Problem(
                400, f"invalid configuration parameter {key!r} for algorithm {algo.name}", "config"
            )
    for key in weights:
        if key not in algo.features:
            raise Problem(400, f"invalid weight {key!r} for algorithm {algo.name}", "weights")
    return [f"config.{k}" for k in config] + [f"weights.{k}" for k in weights]


def algorithms_doc() -> dict[str, Any]:
    """`/algorithms` in yente's shape: every accepted name with what it runs."""
    out = []
    for algo in ALGORITHMS.values():
        features = {
            f: {"description": f"{f} (Sanctum feature)", "coefficient": 1.0, "url": ""}
            for f in (SANCTUM_FEATURES if algo.runs == "sanctum" else ("ofac_name",))
        }
        config = {"type": "float", "description": "accepted, not read", "default": None}
        docs = {
            "name": algo.name,
            "description": algo.description,
            "config": {k: config for k in algo.config},
            "features": features,
        }
        out.append(
            {"name": algo.name, "description": algo.description, "features": features, "docs": docs}
        )
    return {"algorithms": out, "default": DEFAULT_ALGORITHM, "best": DEFAULT_ALGORITHM}


def check_schema(key: str, schema: str) -> None:
    """400 for a schema FtM does not know or Sanctum cannot screen (yente: 400)."""
    if schema not in MATCHABLE:
        raise Problem(
            400,
            f"queries.{key}.schema: cannot match {schema!r}; use one of {', '.join(MATCHABLE)}",
            f"queries.{key}.schema",
        )


def as_strings(properties: dict[str, Any]) -> dict[str, list[str]]:
    """Property values as lists of strings (a number is its text, as yente reads it)."""
    out: dict[str, list[str]] = {}
    for prop, values in properties.items():
        items = values if isinstance(values, list) else [values]
        out[prop] = [str(v) for v in items if v is not None and not isinstance(v, (dict, list))]
    return out


def echo(query_id: str | None, schema: str, properties: dict[str, list[str]]) -> dict[str, Any]:
    """The query as yente echoes it: its id, and the properties FtM makes of the values
    (countries as codes, dates and names cleaned; values FtM cannot read dropped)."""
    from followthemoney import model

    entity = model.make_entity(schema)
    for prop, values in properties.items():
        if prop in entity.schema.properties:
            for value in values:
                entity.add(prop, value, quiet=True, fuzzy=True)
    return {"id": query_id, "schema": schema, "properties": dict(entity.properties)}


def names_only(properties: dict[str, list[str]]) -> dict[str, list[str]]:
    """The name properties of a query (for `name-based`)."""
    names = {"name", "alias", "weakAlias", "previousName", "firstName", "secondName"}
    names |= {"middleName", "fatherName", "motherName", "lastName", "title"}
    return {p: v for p, v in properties.items() if p in names}


def since(text: str | None) -> str | None:
    """`changed_since` (a date, or a date and time as yente takes it) as an ISO prefix
    comparable with a change's date; 400 for another form."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text) if "T" in text else date.fromisoformat(text)
    except ValueError as exc:
        raise Problem(
            400, f"changed_since: not a date or date-time: {text!r}", "changed_since"
        ) from exc
    return moment.isoformat()


def moment(day: str | None) -> str | None:
    """A version date as yente's datetime (`YYYY-MM-DDT00:00:00`)."""
    if not day:
        return None
    return day if "T" in day else f"{day[:10]}T00:00:00"


def explanations(explanation: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Sanctum's explanation as yente's `explanations`: per feature its score, with the
    query and listed name for the name feature."""
    name = explanation.get("name") or {}
    out: dict[str, dict[str, Any]] = {}
    for feature, score in (explanation.get("features") or {}).items():
        item: dict[str, Any] = {"detail": None, "score": score, "query": None, "candidate": None}
        if feature in ("name", "ofac_name") and name:
            item["query"] = name.get("query_name")
            item["candidate"] = name.get("listed_name")
            item["detail"] = f"{name.get('query_name')!r} ~ {name.get('listed_name')!r}"
        out[feature] = item
    return out


THRESHOLD_HELP = f"Score a result needs to be a match (default {match_config.THRESHOLD})."
