"""Request and response models of every route, so `/openapi.json` describes each answer.

`/match` answers in yente's `EntityMatchResponse` shape (`responses[key]` holding
`status`, `results`, `total`, `query`), with Sanctum's additions beside yente's fields.
Field order is the order of the answers' JSON members.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

# -- requests -------------------------------------------------------------------------


class EntityQuery(BaseModel):
    """One query in the yente shape (`EntityExample`): a schema and FtM properties, with
    an optional id the answer echoes."""

    model_config = ConfigDict(populate_by_name=True)

    id: str | None = Field(default=None, description="Echoed back in the answer's query.")
    schema_: str = Field(alias="schema", description="Person, Organization, ...")
    properties: dict[str, str | int | float | list[Any]] = Field(
        description="FtM properties: each a value or a list of values (numbers are read as text)."
    )


class MatchRequest(BaseModel):
    """The yente `/match` request body (`EntityMatchQuery`)."""

    queries: dict[str, EntityQuery]
    weights: dict[str, float] = Field(
        default_factory=dict,
        description="Weights of the asked algorithm's features (checked, not read: see `ignored`).",
    )
    config: dict[str, str | int | float | bool | None] = Field(
        default_factory=dict,
        description="Options of the asked algorithm (checked, not read: see `ignored`).",
    )


class AddressRequest(BaseModel):
    """A batch of wallet addresses, optionally of one stated currency."""

    addresses: list[str]
    currency: str | None = None


# -- shared pieces --------------------------------------------------------------------


class Total(BaseModel):
    """How many results there are in all (yente's `total`)."""

    value: int
    relation: Literal["eq"] = "eq"


Properties = dict[str, list[str]]
"""FtM properties: each a list of values."""


# -- system ---------------------------------------------------------------------------


class Health(BaseModel):
    """The process is up."""

    status: Literal["ok"]


FreshnessState = Literal["fresh", "warning", "stale", "missing"]


class SourceFreshness(BaseModel):
    """How fresh one source is (`sanctum.freshness`): its publication date, its last
    confirmation at its source, their ages and limits, and the resulting state."""

    source: str
    loaded: bool
    version: str | None = None
    published: str | None = None
    published_age_days: float | None = None
    warn_age_days: float
    confirmed_at: str | None = None
    confirmed_age_days: float | None = None
    age_days: float | None = Field(default=None, description="`confirmed_age_days`.")
    max_age_days: float
    state: FreshnessState
    stale: bool
    reason: str


class Readiness(BaseModel):
    """Whether the service can screen: lists loaded and fresh."""

    status: Literal["ready", "not ready"]
    reasons: list[str]
    sources: list[SourceFreshness]


# -- read -----------------------------------------------------------------------------


class SourceFile(BaseModel):
    """One raw file of a version, by name, hash and size."""

    name: str
    sha256: str
    size: int


class LoadAttempt(BaseModel):
    """The most recent load attempt of a source."""

    at: str
    files: list[str]
    ok: bool
    message: str | None


class CatalogSource(BaseModel):
    """One source in force: version, publication, counts, files, age and freshness."""

    source: str
    title: str
    authority: str
    version: str
    label: str
    published: str | None
    loaded_at: str
    versions: int
    confirmed_at: str
    age_days: int = Field(description="Whole days since `confirmed_at`.")
    confirmed_age_days: float
    max_age_days: float
    published_age_days: float
    warn_age_days: float
    state: FreshnessState
    entities: dict[str, int] = Field(description="Listed parties: `total` and per schema.")
    wallets: int = 0
    sanctions: int = 0
    links: int = 0
    identifications: int = 0
    issues: dict[str, int] = Field(default_factory=dict)
    files: list[SourceFile]
    last_attempt: LoadAttempt | None
    freshness: SourceFreshness | None


class YenteDataset(BaseModel):
    """A dataset as yente's catalog lists it: a loaded source, or a collection of them."""

    name: str
    title: str
    summary: str | None
    version: str | None
    updated_at: str | None
    entity_count: int | None
    children: list[str]
    load: bool
    index_version: str | None
    index_current: bool


class Catalog(BaseModel):
    """yente's `DataCatalogModel` (datasets, current, outdated, index_stale), with
    Sanctum's own record of each source in force in `sources`."""

    datasets: list[YenteDataset]
    current: list[str]
    outdated: list[str]
    index_stale: bool
    sources: list[CatalogSource]


class Designation(BaseModel):
    """Who designated a party (or a party linked to it across lists), under what, when."""

    entity_id: str
    authority: str
    program: list[str]
    date: str | None


class CrossListLink(BaseModel):
    """A party of another list that is the same person or body, and why."""

    id: str
    kind: str = Field(description="What they share: a UN reference, an IMO number, ...")
    value: str


class EntityResponse(BaseModel):
    """An entity as yente answers it (`EntityResponse`): adjacent entities nested in its
    properties on `/entities/{id}`."""

    model_config = ConfigDict(populate_by_name=True)

    id: str
    caption: str
    schema_: str = Field(alias="schema")
    properties: dict[str, list[str | EntityResponse]]
    datasets: list[str]
    referents: list[str]
    target: bool
    first_seen: str | None
    last_seen: str | None
    last_change: str | None


class EntityView(EntityResponse):
    """`/entities/{id}`: yente's `EntityResponse` (nested), then Sanctum's view: the
    source, whether the entry is in force, its designations, identifications, wallets,
    relations and cross-list links."""

    source: str
    status: Literal["current", "removed"]
    sanctions: list[Properties]
    designated_by: list[Designation]
    identifications: list[Properties]
    wallets: list[Properties]
    relations: list[dict[str, Any]] = Field(
        description="Relations (ownership, family, ...): id, schema, FtM properties and "
        "`counterparts` (id, caption, schema and side of each entity at the other end)."
    )
    cross_list_links: list[CrossListLink]
    country_names: dict[str, str] = Field(description="Country code → the name people read.")
    history: list[dict[str, Any]] = Field(
        description="Per version that changed the entry: `version`, `event` (listed, "
        "changed, removed) and, for a change, each property's added and removed values."
    )


class VersionInfo(BaseModel):
    """One loaded version of a source."""

    seq: int
    source: str
    label: str
    version: str
    published: str | None
    loaded_at: str
    parties: int


class PropertyChange(BaseModel):
    """Values a property gained and lost."""

    added: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)


class ChangedEntry(BaseModel):
    """An entry in both versions whose properties changed."""

    id: str
    caption: str
    properties: dict[str, PropertyChange]


class Diff(BaseModel):
    """What changed in a source between the versions in force on two days."""

    model_config = ConfigDict(populate_by_name=True)

    source: str
    from_: VersionInfo = Field(alias="from")
    to: VersionInfo
    added: list[str]
    removed: list[str]
    changed: list[ChangedEntry]
    hidden_by_truncation: list[str]
    captions: dict[str, str] = Field(description="Id → caption of every entry listed above.")


class ListedEntity(BaseModel):
    """A listed party as yente's results show it: id, caption, schema, properties, datasets."""

    model_config = ConfigDict(populate_by_name=True)

    id: str
    caption: str
    schema_: str = Field(alias="schema")
    properties: Properties
    datasets: list[str]


class SearchResult(ListedEntity):
    """One party found by `/search`: yente's `EntityResponse` fields, with the relevance
    and the name that was found."""

    referents: list[str]
    target: bool
    first_seen: str | None
    last_seen: str | None
    last_change: str | None
    score: float = Field(
        description="Relevance in [0, 1]: how well the text and the name found cover each other."
    )
    matched_name: str


class FacetValue(BaseModel):
    """One value of a facet and how many results have it."""

    name: str
    label: str
    count: int


class SearchFacet(BaseModel):
    """Counts of one facet over every result (yente's `SearchFacet`)."""

    label: str
    values: list[FacetValue]


class SearchResponse(BaseModel):
    """A page of `/search` results (yente's `SearchResponse`), with the list versions."""

    results: list[SearchResult]
    total: Total
    limit: int
    offset: int
    facets: dict[str, SearchFacet]
    list_versions: dict[str, str]


# -- screening ------------------------------------------------------------------------


class PartyMember(BaseModel):
    """One entry of a listed party (`group=party`)."""

    id: str
    source: str
    caption: str
    schema_: str = Field(alias="schema")
    score: float | None
    programs: list[str]
    authorities: list[str]


class FeatureExplanation(BaseModel):
    """One feature's part of a score (yente's `FeatureResult`)."""

    detail: str | None
    score: float
    query: str | None = None
    candidate: str | None = None


class ScoredEntity(ListedEntity):
    """One result of a query: yente's `ScoredEntityResponse` (every property the entity
    has, its datasets, referents, first and last seen, last change, explanations), with
    Sanctum's `features`, `explanation` and `source` beside them."""

    referents: list[str]
    target: bool
    first_seen: str | None = Field(description="Date of the first list version stating it.")
    last_seen: str | None = Field(description="Date of the latest list version stating it.")
    last_change: str | None = Field(description="Date of the version that last changed it.")
    score: float
    explanations: dict[str, FeatureExplanation]
    match: bool
    features: dict[str, float]
    explanation: dict[str, Any] = Field(
        description="Which query name met which listed name, token by token, and how."
    )
    source: str = Field(description="The Sanctum source (list) the entry is in.")
    party_id: str | None = Field(
        default=None, description="With `group=party`: the listed party this entry heads."
    )
    lists: list[str] | None = Field(
        default=None, description="With `group=party`: every list designating the party."
    )
    programs: list[str] | None = Field(
        default=None, description="With `group=party`: every programme designating it."
    )
    members: list[PartyMember] | None = Field(
        default=None, description="With `group=party`: every entry of the party, all lists."
    )


class QueryEcho(BaseModel):
    """A query as yente echoes it: id, schema, and the properties FtM reads from it."""

    model_config = ConfigDict(populate_by_name=True)

    id: str | None
    schema_: str = Field(alias="schema")
    properties: Properties


class EntityMatches(BaseModel):
    """The answer to one query (yente's `EntityMatches`); `total` counts the matches."""

    status: int
    results: list[ScoredEntity]
    total: Total
    query: QueryEcho
    matched_parties: int | None = Field(
        default=None, description="With `group=party`: parties at or above the threshold."
    )
    more_matched: int | None = Field(
        default=None, description="With `group=party`: matched parties the limit left out."
    )


class MatchResponse(BaseModel):
    """The answer to a `/match` batch (yente's `EntityMatchResponse`), with the algorithm
    that ran, the request options it did not read, the matcher version, the list
    versions screened and the stale sources among them."""

    responses: dict[str, EntityMatches]
    limit: int
    algorithm: str = Field(description="What ran (`sanctum`, `ofac`, `sanctum:name-based`).")
    ignored: list[str] = Field(description="Accepted `config`/`weights` entries not read.")
    matcher_version: str
    list_versions: dict[str, str | None]
    stale: list[str]
    warnings: list[str] = Field(
        description="Sources screened whose publication is older than SANCTUM_WARN_AGE."
    )


class FeatureDoc(BaseModel):
    """A feature of an algorithm (nomenklatura's `FeatureDoc`)."""

    description: str | None
    coefficient: float
    url: str


class ConfigVar(BaseModel):
    """An option of an algorithm (nomenklatura's `ConfigVar`)."""

    type: str
    description: str | None
    default: str | int | float | bool | None


class AlgorithmDocs(BaseModel):
    """An algorithm's documentation (nomenklatura's `AlgorithmDocs`)."""

    name: str
    description: str | None
    config: dict[str, ConfigVar]
    features: dict[str, FeatureDoc]


class AlgorithmInfo(BaseModel):
    """An algorithm name `/match` accepts, and what runs for it."""

    name: str
    description: str | None
    features: dict[str, FeatureDoc]
    docs: AlgorithmDocs


class AlgorithmResponse(BaseModel):
    """`/algorithms` (yente's `AlgorithmResponse`)."""

    algorithms: list[AlgorithmInfo]
    default: str
    best: str


class WalletHit(BaseModel):
    """A listed wallet holding the address, and its holder."""

    wallet_id: str
    address: str
    currency: str
    holder_id: str
    holder: str
    source: str
    sanctions: list[Properties]


class AddressFound(BaseModel):
    """The holders of one valid address."""

    status: Literal[200]
    address: str
    normalised: str
    chain: str
    valid: bool | None = Field(
        description="Whether its checksum holds; null where the chain has none."
    )
    matches: list[WalletHit]
    list_versions: dict[str, str]


class AddressProblem(BaseModel):
    """The problem document of an address no chain accepts."""

    type: str
    title: str
    status: int
    detail: str
    field: str


class AddressInvalid(BaseModel):
    """An address no chain accepts, with why."""

    address: str
    status: Literal[422]
    error: AddressProblem


class AddressResponse(BaseModel):
    """The answer to `POST /screen/addresses`: one item per address, in order."""

    responses: list[AddressFound | AddressInvalid]
    stale: list[str]
    matcher_version: str


# -- admin ----------------------------------------------------------------------------


class UpdateOutcome(BaseModel):
    """What an update did for one version (or one download) of one source."""

    source: str
    status: Literal["loaded", "unchanged", "rejected", "failed"]
    label: str | None = Field(default=None, description="The version's folder or download stamp.")
    version: str | None = Field(default=None, description="The version date, when one is in force.")
    entries: int | None = None
    issues: int = 0
    message: str = ""


class UpdateResponse(BaseModel):
    """What `POST /admin/update` did."""

    mode: Literal["mirror", "web"]
    outcomes: list[UpdateOutcome]
    generation: int
    list_versions: dict[str, str]


# -- alerts ---------------------------------------------------------------------------


AlertStatus = Literal[
    "open", "needs_info", "pending_approval", "true_match", "false_positive", "closed"
]


class AlertSummary(BaseModel):
    """An alert's line in the work list."""

    id: int
    status: AlertStatus
    reason: str
    customer_id: str
    party_id: str = Field(description="The listed party (its first-seen member entry).")
    caption: str
    score: float
    entity_ids: list[str] = Field(description="Every member entry of the party, all lists.")
    created_at: str
    updated_at: str
    version: int = Field(description="Grows with every change; name it to change safely.")


class AlertList(BaseModel):
    """Alerts, oldest first."""

    alerts: list[AlertSummary]
    total: int


class FieldPair(BaseModel):
    """One field of the customer beside the same field of the listed party."""

    field: str
    customer: Any
    party: Any


class DecisionOut(BaseModel):
    """A decision and its review."""

    id: int
    decision: str
    reason: str
    decided_by: str
    decided_at: str
    state: Literal["pending", "approved", "rejected", "effective", "lapsed"]
    reviewed_by: str | None
    reviewed_at: str | None
    review_reason: str | None


class SuppressionOut(BaseModel):
    """The suppression an approved false positive holds."""

    id: int
    alert_id: int
    decision_id: int
    customer_id: str
    party_id: str
    customer_hash: str
    party_hash: str
    created_at: str
    created_by: str
    expires_at: str
    ended_at: str | None
    ended_by: str | None
    end_reason: str | None
    state: Literal["active", "expired", "ended"]


class EventOut(BaseModel):
    """One event of the alert's history (also in the audit trail)."""

    id: int
    alert_id: int | None
    at: str
    actor: str
    kind: str
    detail: dict[str, Any]
    list_versions: dict[str, str]
    matcher_version: str
    audit_id: int | None


class AlertView(AlertSummary):
    """One alert in full."""

    best_entity_id: str
    customer: dict[str, Any]
    party: dict[str, Any]
    side_by_side: list[FieldPair]
    explanation: dict[str, Any] = Field(description="Per-feature explanation of the score.")
    list_versions: dict[str, str]
    matcher_version: str
    first_run: int
    last_run: int
    decisions: list[DecisionOut]
    suppression: SuppressionOut | None
    history: list[EventOut]


class DecisionRequest(BaseModel):
    """An analyst's decision."""

    decision: Literal["true_match", "false_positive", "needs_info"]
    reason: str = Field(min_length=1, max_length=2000)
    version: int | None = Field(default=None, description="The alert version decided on.")


class ApprovalRequest(BaseModel):
    """An approver's review of the pending decision."""

    approve: bool = Field(description="true approves (the decision takes effect), false rejects.")
    reason: str = Field(default="", max_length=2000)
    version: int | None = Field(default=None, description="The alert version reviewed.")
