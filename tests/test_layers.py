"""House rules read from the sources themselves: data flows one way through the layers
(sources → store → names → feature table → index → match → screen → api/cli, monitoring
beside api/cli), tables are defined only in the store's schema, and no function is
longer than 80 lines."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "sanctum"

LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "base",
        (
            "sanctum._native",
            "sanctum.settings",
            "sanctum.errors",
            "sanctum.runtime",
            "sanctum.values",
            "sanctum.schemata",
            "sanctum.crypto",
        ),
    ),
    ("sources", ("sanctum.sources",)),
    (
        "store",
        (
            "sanctum.store",
            "sanctum.fetch",
            "sanctum.catalog",
            "sanctum.freshness",
            "sanctum.audit",
        ),
    ),
    ("names", ("sanctum.names", "sanctum.config")),
    ("features", ("sanctum.feature_table",)),
    ("index", ("sanctum.index",)),
    ("match", ("sanctum.match",)),
    (
        "screen",
        (
            "sanctum.screen",
            "sanctum.search",
            "sanctum.batch",
            "sanctum.pairwise",
            "sanctum.grouping",
            "sanctum.explain",
        ),
    ),
    ("monitor", ("sanctum.monitor",)),
    ("api", ("sanctum.api",)),
    ("cli", ("sanctum.cli", "sanctum.cli_cases", "sanctum.cli_output", "sanctum.__main__")),
)
"""Every module's layer, lowest first (a module belongs to the longest prefix listed).
Neutral modules (base) serve every layer: settings, errors, the GC, dates and country
codes, the party schemata, address checks. The tuning constants of matching (`config`)
belong to the lowest layer that reads them, names: no load or parse reaches them."""

RANK = {name: rank for rank, (name, _) in enumerate(LAYERS)}
TOP = {"monitor": {"monitor"}, "api": {"api", "monitor"}, "cli": {"cli", "monitor"}}
"""The top layers: each imports every layer below screen and screen itself, and api and
cli may import monitor; none imports another top layer beyond that."""
PARSER_USERS = {"sanctum.store.loader", "sanctum.fetch", "sanctum.catalog", "sanctum.freshness"}
"""Besides api and cli, the only modules that know the parsers (`sanctum.sources`): the
loader turns their results into the store's own records, freshness reads each source's age rule
from the registry; the query path never reads them."""
FACADE = "sanctum"
"""`sanctum/__init__.py`: the package's public names, imported lazily from any layer."""


def layer_of(module: str) -> str:
    """The layer of a module: the longest prefix listed in LAYERS."""
    best = ("", "")
    for name, prefixes in LAYERS:
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > len(best[1]):
                best = (name, prefix)
    if not best[0]:
        raise AssertionError(f"{module} belongs to no layer: add it to LAYERS")
    return best[0]


def module_name(path: Path) -> str:
    """The import name of a source file under SRC."""
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, module) of every `sanctum` module a file imports, anywhere in it (lazy imports
    and `TYPE_CHECKING` blocks too); `from sanctum import x` counts as `sanctum.x` when x
    is a module."""
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("sanctum"):
                    yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if not node.module.startswith("sanctum"):
                continue
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                is_module = (SRC / Path(*sub.split("."))).with_suffix(".py").exists() or (
                    SRC / Path(*sub.split("."))
                ).is_dir()
                yield node.lineno, sub if is_module else node.module


def violation(importer: str, imported: str) -> str | None:
    """Why `importer` may not import `imported`, or None if it may."""
    if importer == FACADE:
        return None
    src = layer_of(importer)
    if imported == FACADE:  # its version and public names, for the API and the CLI
        return None if src in TOP else "imports the package facade"
    dst = layer_of(imported)
    if dst == "sources" and src not in ("sources", "api", "cli") and importer not in PARSER_USERS:
        return "reaches the parsers (only the loader, fetch, catalog, api and cli do)"
    if src in TOP:
        if dst in TOP and dst not in TOP[src]:
            return f"{src} imports {dst}"
        return None
    if RANK[dst] > RANK[src]:
        return f"{src} imports the higher layer {dst}"
    return None


def sources() -> list[Path]:
    """Every Python file of the package."""
    return sorted(PACKAGE.rglob("*.py"))


def test_every_module_has_a_layer() -> None:
    for path in sources():
        name = module_name(path)
        if name != FACADE:
            layer_of(name)


def test_imports_flow_one_way() -> None:
    found = [
        f"{path.relative_to(SRC)}:{line}: {module_name(path)} → {imported}: {why}"
        for path in sources()
        for line, imported in imports(path)
        if (why := violation(module_name(path), imported))
    ]
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("sanctum.index", "sanctum.match.features"),  # index reached into the matcher
        ("sanctum.index", "sanctum.match.config"),
        ("sanctum.runtime", "sanctum.match.config"),  # GC thresholds made loads reach match
        ("sanctum.runtime", "sanctum.config"),
        ("sanctum.store.loader", "sanctum.config"),
        ("sanctum.sources.ofac", "sanctum.config"),
        ("sanctum.match.query", "sanctum.sources.dates"),  # parser helpers in the query path
        ("sanctum.search", "sanctum.sources.base"),
        ("sanctum.store.db", "sanctum.sources.base"),  # the store knew the parsers' types
        ("sanctum.cli", "sanctum.api.app"),  # a command reaching into the HTTP layer
        ("sanctum.cli", "sanctum.api.keys"),  # `sanctum keys` read the records through the API
        ("sanctum.audit", "sanctum.api.keys"),
        ("sanctum.store.keys", "sanctum.api.ratelimit"),
        ("sanctum.monitor.alerts", "sanctum.api.app"),
        ("sanctum.monitor.alerts", "sanctum.cli"),
        ("sanctum.api.app", "sanctum.cli"),
        ("sanctum.names.normalize", "sanctum.index"),
        ("sanctum.sources.ofac", "sanctum.store.db"),
    ],
)
def test_a_back_edge_is_refused(importer: str, imported: str) -> None:
    """Each back-edge the layers had (and a few more) fails the contract if it returns."""
    assert violation(importer, imported) is not None


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("sanctum.api.app", "sanctum.monitor.alerts"),
        ("sanctum.cli", "sanctum.monitor.views"),
        ("sanctum.monitor.alerts", "sanctum.screen"),
        ("sanctum.store.loader", "sanctum.sources.registry"),
        ("sanctum.index", "sanctum.feature_table"),
        ("sanctum.match.query", "sanctum.values"),
        ("sanctum.cli", "sanctum.store.keys"),
        ("sanctum.api.keys", "sanctum.store.keys"),
    ],
)
def test_a_downward_edge_is_allowed(importer: str, imported: str) -> None:
    assert violation(importer, imported) is None


def test_tables_are_defined_only_in_the_store_schema() -> None:
    """Every table (the API keys' and the audit trail's too) is created by
    store/schema.sql and migrated by `Store._migrate` only."""
    found = [
        str(path.relative_to(PACKAGE))
        for path in sources()
        if "CREATE TABLE" in path.read_text("utf-8").upper()
    ]
    assert not found


MAX_FUNCTION_LINES = 80


def test_no_function_is_longer_than_80_lines() -> None:
    found = []
    for path in sources():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                assert node.end_lineno is not None
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    where = path.relative_to(PACKAGE)
                    found.append(f"{where}:{node.lineno} {node.name}: {length} lines")
    assert not found, "\n".join(found)


GUIDE = SRC.parent / "docs" / "architecture.md"


def test_the_architecture_guide_names_every_module() -> None:
    """docs/architecture.md says where each module sits: a new module is added to it (a
    list format's parser is `sources/<format>.py` there)."""
    from sanctum.sources.registry import CUSTOM_PARSERS, SOURCES

    parsers = [s.parser for s in SOURCES.values()] + [p for p, _ in CUSTOM_PARSERS.values()]
    formats = {parser.split(":")[0] for parser in parsers}
    guide = GUIDE.read_text("utf-8")
    missing = [
        str(path.relative_to(PACKAGE))
        for path in sources()
        if path.name != "__init__.py"
        and module_name(path) not in formats
        and str(path.relative_to(PACKAGE)) not in guide
        and f"`{path.name}`" not in guide
        and f"{path.name} " not in guide
    ]
    assert not missing


def test_every_file_the_architecture_guide_names_exists() -> None:
    root = SRC.parent
    named = set(re.findall(r"[\w/]+\.(?:py|sql|md)\b", GUIDE.read_text("utf-8")))
    gone = [
        name
        for name in sorted(named)
        if not any(
            (base / name).exists() or list(base.rglob(name))
            for base in (PACKAGE, root / "tests", root / "docs", root)
        )
    ]
    assert not gone
