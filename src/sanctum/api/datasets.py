"""Datasets as yente names them: every loaded source is a dataset, an FtM export's entities
keep the datasets they state, and collections group sources: `default` (every loaded
list), `sanctions` (every official list) and one per authority (its name in snake case,
e.g. `us_treasury_ofac` for OFAC's SDN and non-SDN lists).

The `/match/{dataset}` and `/search/{dataset}` paths, the `include_dataset` and
`exclude_dataset` filters and `/catalog` all read the same names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from sanctum.api.problems import Problem
from sanctum.sources import registry
from sanctum.store.db import EntityContext


@lru_cache(maxsize=256)
def slug(text: str) -> str:
    """An authority's name as a dataset name: lower case, runs of other characters `_`
    (memoised: every /match names its datasets, from a dozen authorities)."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def collections(loaded: Iterable[str]) -> dict[str, list[str]]:
    """Every collection and the loaded sources in it (a collection may be empty)."""
    loaded = sorted(loaded)
    official = [s for s in loaded if s in registry.SOURCES]
    out: dict[str, list[str]] = {"default": loaded, "sanctions": official}
    for source in official:
        out.setdefault(slug(registry.SOURCES[source].authority), []).append(source)
    return out


def names_of_source(source: str, groups: dict[str, list[str]]) -> set[str]:
    """The dataset names that hold a source: the source and every collection of it."""
    return {source} | {name for name, members in groups.items() if source in members}


def scope(dataset: str, loaded: list[str]) -> set[str]:
    """The loaded sources a path's dataset covers: 404 for a name that is neither a
    source nor a collection, 503 for a known one with nothing loaded."""
    groups = collections(loaded)
    if dataset in groups:
        wanted = set(groups[dataset])
    elif dataset in loaded:
        wanted = {dataset}
    elif dataset in registry.SOURCES:
        raise Problem(503, f"list {dataset!r} is not loaded: nothing can be screened", "dataset")
    else:
        raise Problem(
            404, f"unknown dataset {dataset!r}; use a source id or a collection", "dataset"
        )
    if not wanted:
        raise Problem(503, f"no list of {dataset!r} is loaded: nothing can be screened", "dataset")
    return wanted


def entity_datasets(source: str, context: EntityContext | None) -> list[str]:
    """The datasets an entity is in, as its answer lists them: those its FtM export
    states, else its source."""
    if context is not None and context.datasets:
        return list(context.datasets)
    return [source]


FTM_PARSER = "sanctum.sources.ftm:parse"


def may_state_datasets(source: str) -> bool:
    """Whether a source's entities may state datasets of their own: an FtM export (an
    official one, or a list loaded under an id of its own). Other official formats never
    do, so their entities need no look-up."""
    spec = registry.SOURCES.get(source)
    return spec is None or spec.parser == FTM_PARSER


def filter_names(
    source: str, context: EntityContext | None, groups: dict[str, list[str]]
) -> set[str]:
    """Every name `include_dataset`/`exclude_dataset` may use to select an entity: its
    own datasets, its source and the collections of that source."""
    return set(entity_datasets(source, context)) | names_of_source(source, groups)


def catalog_datasets(
    summary: list[dict[str, Any]], index_versions: dict[str, str]
) -> list[dict[str, Any]]:
    """`/catalog`'s datasets in yente's shape: each loaded source (version, update time,
    entity count), then each collection with its sources as `children`."""
    out: list[dict[str, Any]] = []
    for item in summary:
        out.append(
            {
                "name": item["source"],
                "title": item["title"],
                "summary": f"{item['authority']}: {item['title']}",
                "version": item["version"],
                "updated_at": item["loaded_at"],
                "entity_count": item["entities"]["total"],
                "children": [],
                "load": True,
                "index_version": index_versions.get(item["source"]),
                "index_current": index_versions.get(item["source"]) == item["version"],
            }
        )
    for name, members in collections(item["source"] for item in summary).items():
        versions = sorted(index_versions.get(m) or "" for m in members)
        out.append(
            {
                "name": name,
                "title": COLLECTION_TITLES.get(name, f"Lists of {name.replace('_', ' ')}"),
                "summary": "A collection of " + (", ".join(members) or "no loaded list"),
                "version": versions[-1] if versions else None,
                "updated_at": None,
                "entity_count": None,
                "children": members,
                "load": True,
                "index_version": versions[-1] if versions else None,
                "index_current": True,
            }
        )
    return out


COLLECTION_TITLES = {"default": "Every loaded list", "sanctions": "Every official sanctions list"}
