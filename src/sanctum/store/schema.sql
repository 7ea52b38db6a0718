-- Sanctum store, schema version 2 (PRAGMA user_version; see db.SCHEMA_VERSION).
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
