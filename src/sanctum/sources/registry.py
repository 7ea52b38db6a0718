"""Registry of official sources: id, authority, official URLs and the parser of each.

Source ids are the folder names of the shared mirror layout (`<source>/<date>/<files>`).
Every official URL can be overridden with `SANCTUM_URL_<SOURCE ID IN CAPITALS>` holding
space-separated URLs (used for air-gapped mirrors and by the tests' loopback server).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sanctum import settings

if TYPE_CHECKING:  # parsers (and FollowTheMoney with them) load only when a list is read
    from sanctum.sources.base import ParseContext, ParseResult

Parser = Callable[[Sequence[Path], "ParseContext"], "ParseResult"]


@dataclass(frozen=True)
class SourceSpec:
    """One official list: who publishes it, where, how it is read, how fresh it must be."""

    id: str
    title: str
    authority: str
    parser: str
    """`module:function` of the parser, imported only when needed."""
    urls: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    """File-name patterns (regular expressions) that belong to this source."""
    max_age_days: int = 7
    optional_files: frozenset[str] = field(default_factory=frozenset)
    delta: bool = False
    """A delta format (FtM `ADD`/`MOD`/`DEL`): its parser is handed the previous version's
    entities, so its versions load one after another, never in a pool of processes."""

    def load_parser(self) -> Parser:
        """Import and return the parser function."""
        module, func = self.parser.split(":")
        parser: Parser = getattr(importlib.import_module(module), func)
        return parser

    def official_urls(self) -> tuple[str, ...]:
        """The URLs to fetch, honouring `SANCTUM_URL_<ID>` overrides."""
        return settings.source_urls(self.id) or self.urls

    def owns(self, file_name: str) -> bool:
        """True if a file of this name belongs to this source."""
        return any(re.fullmatch(p, file_name, re.IGNORECASE) for p in self.files)


OFAC = "https://www.treasury.gov/ofac/downloads"

SOURCES: dict[str, SourceSpec] = {
    s.id: s
    for s in [
        SourceSpec(
            "us_ofac_sdn",
            "OFAC Specially Designated Nationals (SDN) list",
            "US Treasury OFAC",
            "sanctum.sources.ofac:parse_sdn",
            urls=tuple(
                f"{OFAC}/{f}" for f in ("sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv")
            ),
            files=(r"sdn\.csv", r"alt\.csv", r"add\.csv", r"sdn_comments\.csv"),
            max_age_days=3,
        ),
        SourceSpec(
            "us_ofac_cons",
            "OFAC Consolidated (non-SDN) lists",
            "US Treasury OFAC",
            "sanctum.sources.ofac:parse_cons",
            urls=tuple(
                f"{OFAC}/consolidated/{f}"
                for f in ("cons_prim.csv", "cons_alt.csv", "cons_add.csv", "cons_comments.csv")
            ),
            files=(r"cons_(prim|alt|add|comments)\.csv",),
            max_age_days=3,
        ),
        SourceSpec(
            "un_sc",
            "UN Security Council Consolidated List",
            "UN Security Council",
            "sanctum.sources.un_sc:parse",
            urls=("https://scsanctions.un.org/resources/xml/en/consolidated.xml",),
            files=(r"consolidated\.xml",),
            max_age_days=3,
        ),
        SourceSpec(
            "uk_ofsi",
            "UK OFSI Consolidated List of Financial Sanctions Targets",
            "UK HM Treasury OFSI",
            "sanctum.sources.uk_ofsi:parse",
            urls=("https://ofsistorage.blob.core.windows.net/publishlive/2022format/ConList.csv",),
            files=(r"ConList\.(csv|xlsx)", r"UK_Sanctions_List\.xlsx"),
            max_age_days=3,
        ),
        SourceSpec(
            "au_dfat",
            "Australia DFAT Consolidated List",
            "Australia DFAT",
            "sanctum.sources.au_dfat:parse",
            urls=("https://www.dfat.gov.au/sites/default/files/regulation8_consolidated.xlsx",),
            files=(r"regulation8_consolidated\.xlsx",),
            max_age_days=7,
        ),
        SourceSpec(
            "ca_sema",
            "Canada Consolidated Autonomous Sanctions List (SEMA/JVCFOA)",
            "Global Affairs Canada",
            "sanctum.sources.ca_sema:parse",
            urls=(
                "https://www.international.gc.ca/world-monde/assets/office_docs/"
                "international_relations-relations_internationales/sanctions/sema-lmes.xml",
            ),
            files=(r"sema-lmes\.xml",),
            max_age_days=7,
        ),
        SourceSpec(
            "us_csl",
            "US Consolidated Screening List",
            "US trade.gov ITA",
            "sanctum.sources.us_csl:parse",
            urls=(
                "https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.csv",
            ),
            files=(r"consolidated\.csv(\.gz)?",),
            max_age_days=7,
        ),
        SourceSpec(
            "us_bis_dpl",
            "US BIS Denied Persons List",
            "US Commerce BIS",
            "sanctum.sources.us_bis_dpl:parse",
            urls=("https://www.bis.doc.gov/dpl/dpl.txt",),
            files=(r"dpl\.txt",),
            max_age_days=14,
        ),
        SourceSpec(
            "opensanctions_ftm",
            "FollowTheMoney entities (OpenSanctions format)",
            "OpenSanctions",
            "sanctum.sources.ftm:parse",
            urls=("https://data.opensanctions.org/datasets/latest/sanctions/entities.ftm.json",),
            files=(r".*\.ftm\.json", r".*\.delta\.json", r".*\.jsonl?"),
            max_age_days=7,
            delta=True,
        ),
    ]
}

CUSTOM_PARSERS: dict[str, tuple[str, bool]] = {
    ".csv": ("sanctum.sources.custom_csv:parse", False),
    ".json": ("sanctum.sources.ftm:parse", True),
    ".jsonl": ("sanctum.sources.ftm:parse", True),
}
"""A firm's own list (any source id not above) is read by its file extension: the parser,
and whether it is a delta format (`SourceSpec.delta`)."""


def get(source_id: str) -> SourceSpec:
    """The spec of a known source, or a custom-list spec for a firm's own source id."""
    if source_id in SOURCES:
        return SOURCES[source_id]
    return SourceSpec(source_id, f"Own list {source_id}", source_id, "", max_age_days=3650)


def format_of(spec: SourceSpec, files: Sequence[Path]) -> SourceSpec:
    """The spec that reads these files: a registered source's own, or for a custom list
    the one its file extension chooses (parser and `delta`)."""
    if spec.parser:
        return spec
    suffixes = {f.suffix.lower() for f in files}
    for suffix, (target, delta) in CUSTOM_PARSERS.items():
        if suffix in suffixes:
            return SourceSpec(spec.id, spec.title, spec.authority, target, delta=delta)
    from sanctum.errors import ParseError

    raise ParseError(str(files[0]), "own lists must be a .csv (see docs/custom-lists.md) or .jsonl")


def parser_for(spec: SourceSpec, files: Sequence[Path]) -> Parser:
    """The parser of a registered source, or of a custom list chosen by file extension."""
    return format_of(spec, files).load_parser()


def guess_source(file_name: str) -> str | None:
    """The registered source a file name belongs to, if exactly one claims it."""
    owners = [s.id for s in SOURCES.values() if s.owns(file_name)]
    return owners[0] if len(owners) == 1 else None
