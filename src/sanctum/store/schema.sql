-- Sanctum store, schema version 4 (PRAGMA user_version; see db.SCHEMA_VERSION).
-- Statements carry the first and last version (global seq) that stated
-- them, so history and diffs are queries, not copies.
CREATE TABLE IF NOT EXISTS files (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    name TEXT NOT NULL,
    archived TEXT NOT NULL,
    first_loaded TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS versions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    source TEXT NOT NULL,
    label TEXT NOT NULL,
    version_date TEXT NOT NULL,
    published TEXT,
    loaded_at TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    parties INTEGER NOT NULL,
    counts TEXT NOT NULL,
    issues TEXT NOT NULL,
    UNIQUE (source, fingerprint)
);
CREATE TABLE IF NOT EXISTS version_files (
    seq INTEGER NOT NULL REFERENCES versions(seq),
    name TEXT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES files(sha256),
    PRIMARY KEY (seq, name)
);
CREATE TABLE IF NOT EXISTS sources (
    source TEXT PRIMARY KEY,
    latest_seq INTEGER NOT NULL REFERENCES versions(seq)
);
CREATE TABLE IF NOT EXISTS statements (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    party_id TEXT NOT NULL,
    schema TEXT NOT NULL,
    prop TEXT NOT NULL,
    value TEXT NOT NULL,
    first_seq INTEGER NOT NULL,
    last_seq INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS statements_entity ON statements (entity_id, last_seq);
CREATE INDEX IF NOT EXISTS statements_party ON statements (party_id);
-- Statements whose value is another entity's id (links, sanctions, wallets): the OR chain
-- costs nothing per insert, where `prop IN (...)` builds a lookup table for every row.
-- Queries must repeat this exact condition (db.REF_CONDITION) for SQLite to use the index.
CREATE INDEX IF NOT EXISTS statements_refs ON statements (value)
    WHERE (prop = 'entity' OR prop = 'holder' OR prop = 'subject' OR prop = 'object'
           OR prop = 'owner' OR prop = 'asset' OR prop = 'person' OR prop = 'relative'
           OR prop = 'associate');
CREATE TABLE IF NOT EXISTS xlinks (
    a TEXT NOT NULL,
    b TEXT NOT NULL,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (a, b, kind, value)
);
CREATE TABLE IF NOT EXISTS load_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source TEXT NOT NULL,
    at TEXT NOT NULL,
    files TEXT NOT NULL,
    ok INTEGER NOT NULL,
    message TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS entity_state (
    source TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (source, entity_id)
);
-- Alerts and case management (monitor/alerts.py, monitor/webhooks.py). Portable SQL: on
-- PostgreSQL `INTEGER PRIMARY KEY` becomes an identity column, everything else is as is.
-- One alert per (customer, listed party); `version` grows with every change of the row
-- (optimistic concurrency: an update names the version it read).
CREATE TABLE IF NOT EXISTS alerts (
    id INTEGER PRIMARY KEY,
    customer_id TEXT NOT NULL,
    party_id TEXT NOT NULL,
    entity_ids TEXT NOT NULL,
    best_entity_id TEXT NOT NULL,
    caption TEXT NOT NULL,
    score REAL NOT NULL,
    explanation TEXT NOT NULL,
    customer_hash TEXT NOT NULL,
    party_hash TEXT NOT NULL,
    customer_summary TEXT NOT NULL,
    party_summary TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT NOT NULL,
    list_versions TEXT NOT NULL,
    matcher_version TEXT NOT NULL,
    first_run INTEGER NOT NULL,
    last_run INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS alerts_customer ON alerts (customer_id);
CREATE INDEX IF NOT EXISTS alerts_status ON alerts (status);
-- The history of every alert (and of webhook and suppression changes), in order; each
-- event is appended to the audit trail once (`audit_id`, NULL until it is).
CREATE TABLE IF NOT EXISTS alert_events (
    id INTEGER PRIMARY KEY,
    alert_id INTEGER,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL,
    list_versions TEXT NOT NULL,
    matcher_version TEXT NOT NULL,
    audit_id INTEGER
);
CREATE INDEX IF NOT EXISTS alert_events_alert ON alert_events (alert_id);
CREATE INDEX IF NOT EXISTS alert_events_unaudited ON alert_events (audit_id) WHERE audit_id IS NULL;
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY,
    alert_id INTEGER NOT NULL REFERENCES alerts(id),
    decision TEXT NOT NULL,
    reason TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    state TEXT NOT NULL,
    reviewed_by TEXT,
    reviewed_at TEXT,
    review_reason TEXT
);
CREATE INDEX IF NOT EXISTS decisions_alert ON decisions (alert_id);
-- An approved false positive: the pair stays quiet while both sides hash as they did.
CREATE TABLE IF NOT EXISTS suppressions (
    id INTEGER PRIMARY KEY,
    alert_id INTEGER NOT NULL REFERENCES alerts(id),
    decision_id INTEGER NOT NULL REFERENCES decisions(id),
    customer_id TEXT NOT NULL,
    party_id TEXT NOT NULL,
    customer_hash TEXT NOT NULL,
    party_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    ended_at TEXT,
    ended_by TEXT,
    end_reason TEXT
);
CREATE INDEX IF NOT EXISTS suppressions_alert ON suppressions (alert_id);
CREATE TABLE IF NOT EXISTS webhooks (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    removed_at TEXT
);
-- The outbox: one row per (webhook, alert event), delivered at least once.
CREATE TABLE IF NOT EXISTS webhook_deliveries (
    id INTEGER PRIMARY KEY,
    webhook_id INTEGER NOT NULL REFERENCES webhooks(id),
    event_id INTEGER NOT NULL REFERENCES alert_events(id),
    body TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_at TEXT NOT NULL,
    lease_until TEXT,
    last_error TEXT,
    created_at TEXT NOT NULL,
    delivered_at TEXT,
    UNIQUE (webhook_id, event_id)
);
CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON webhook_deliveries (state, next_at);
-- Listed entries each version added, changed or removed (derived entities counted under
-- their entry): what monitoring re-screens after that version.
CREATE TABLE IF NOT EXISTS version_changes (
    seq INTEGER NOT NULL,
    party_id TEXT NOT NULL,
    PRIMARY KEY (seq, party_id)
);
-- Listed parties (store/parties.py): every entry ever grouped with another, and the party
-- it belongs to now (its own id once alone again). `changed_seq`: the version whose commit
-- last changed the entry's party or that party's members (monitoring re-screens those).
CREATE TABLE IF NOT EXISTS party_members (
    entity_id TEXT PRIMARY KEY,
    party_id TEXT NOT NULL,
    changed_seq INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS party_members_party ON party_members (party_id);
-- The customer book and its monitoring (monitor/; docs/monitoring.md). Portable SQL: TEXT,
-- INTEGER, ISO-8601 UTC timestamps as TEXT, JSON as TEXT.
CREATE TABLE IF NOT EXISTS customers (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    schema TEXT NOT NULL,
    record TEXT NOT NULL,
    hash TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    screened_hash TEXT,
    screened_run INTEGER
);
CREATE TABLE IF NOT EXISTS customer_imports (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    file TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    mode TEXT NOT NULL,
    counts TEXT NOT NULL,
    audit_id INTEGER
);
-- The tokens of every customer's names, and each token's lookup keys (spelling, Korean
-- syllables, consonant skeleton, typo buckets): what finds the customers a new listed
-- name may meet without reading the book.
CREATE TABLE IF NOT EXISTS customer_tokens (
    token TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    PRIMARY KEY (token, customer_id)
);
CREATE INDEX IF NOT EXISTS customer_tokens_customer ON customer_tokens (customer_id);
-- per connection: the customers a monitoring run screened in full, read by its commit
CREATE TEMP TABLE IF NOT EXISTS monitor_screened (
    id TEXT PRIMARY KEY,
    hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS customer_names (
    customer_id TEXT PRIMARY KEY,
    names TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS customer_keys (
    key TEXT NOT NULL,
    token TEXT NOT NULL,
    PRIMARY KEY (key, token)
);
-- One row per monitoring run: what it screened, against which list versions (`to_seq`:
-- the store generation it brought the book up to), and its outcome.
CREATE TABLE IF NOT EXISTS monitor_runs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    actor TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,
    from_seq INTEGER NOT NULL,
    to_seq INTEGER NOT NULL,
    list_versions TEXT NOT NULL,
    matcher_version TEXT NOT NULL,
    counts TEXT NOT NULL,
    audit_id INTEGER
);
-- Data derived from the versions in force (cross-list links): the inputs it was last
-- built from and whether that build finished, so a crash between a load and its
-- derivation is repaired on the next run (Store.repair_derived).
CREATE TABLE IF NOT EXISTS derived_state (
    name TEXT PRIMARY KEY,
    inputs TEXT NOT NULL,
    completed INTEGER NOT NULL,
    at TEXT NOT NULL
);
-- What an FtM export says of its entities beyond their properties: the datasets they are
-- in, whether they are a sanctions target, and the ids they were merged from (referents).
-- The latest version that stated them wins (read by the API's yente-shaped answers).
CREATE TABLE IF NOT EXISTS entity_context (
    entity_id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    datasets TEXT NOT NULL,
    target INTEGER
);
CREATE TABLE IF NOT EXISTS entity_referents (
    referent TEXT PRIMARY KEY,
    entity_id TEXT NOT NULL
);
-- API keys (`sanctum.store.keys`): the secret is kept only as a salted PBKDF2 hash.
CREATE TABLE IF NOT EXISTS api_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    scopes TEXT NOT NULL,
    salt TEXT NOT NULL,
    hash TEXT NOT NULL,
    strict INTEGER NOT NULL DEFAULT 0,
    created TEXT NOT NULL,
    revoked TEXT
);
-- The audit trail (`sanctum.audit`): each record's hash chains it to the one before;
-- audit_meta holds the chain's scheme and the id of the key it is made with.
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    query TEXT NOT NULL,
    list_versions TEXT NOT NULL,
    matcher_version TEXT NOT NULL,
    algorithm TEXT NOT NULL,
    results TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_meta (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
