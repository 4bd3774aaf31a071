-- Hindsight's database: a public interface, documented in docs/schema.md.
-- Timestamps are UTC (naive TIMESTAMP). Durations are minutes.

CREATE TABLE IF NOT EXISTS postmortems (
    postmortem_id VARCHAR PRIMARY KEY,
    title VARCHAR,
    incident_date DATE,
    postmortem_date DATE,
    days_to_postmortem INTEGER,
    severity VARCHAR,
    team VARCHAR,
    service VARCHAR,
    started_at TIMESTAMP,
    detected_at TIMESTAMP,
    acknowledged_at TIMESTAMP,
    mitigated_at TIMESTAMP,
    resolved_at TIMESTAMP,
    minutes_to_detect DOUBLE,
    minutes_to_acknowledge DOUBLE,
    minutes_to_mitigate DOUBLE,
    minutes_to_resolve DOUBLE,
    users_affected BIGINT,
    failed_requests BIGINT,
    lost_transactions BIGINT,
    estimated_cost DOUBLE,
    customer_impact BOOLEAN,
    near_miss BOOLEAN,
    primary_cause_category VARCHAR,
    root_cause VARCHAR,
    summary VARCHAR,
    language VARCHAR,
    author VARCHAR,
    participants VARCHAR[],
    tags VARCHAR[],
    source_path VARCHAR NOT NULL,
    source_format VARCHAR NOT NULL,
    content_sha256 VARCHAR NOT NULL,
    ingested_at TIMESTAMP NOT NULL,
    readers_known BOOLEAN,
    duplicate_key VARCHAR
);

CREATE TABLE IF NOT EXISTS actions (
    action_id VARCHAR PRIMARY KEY,
    postmortem_id VARCHAR NOT NULL,
    position INTEGER NOT NULL,
    description VARCHAR NOT NULL,
    owner VARCHAR,
    due_date DATE,
    priority VARCHAR,
    status VARCHAR,
    ticket VARCHAR,
    completed_at TIMESTAMP,
    blocked_since TIMESTAMP,
    source_path VARCHAR NOT NULL,
    tickets VARCHAR[]
);

CREATE TABLE IF NOT EXISTS action_status_history (
    action_id VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    observed_at TIMESTAMP NOT NULL,
    source VARCHAR NOT NULL,
    run_id INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS causes (
    postmortem_id VARCHAR NOT NULL,
    position INTEGER NOT NULL,
    category VARCHAR,
    is_primary BOOLEAN NOT NULL,
    raw VARCHAR
);

CREATE TABLE IF NOT EXISTS timeline_events (
    postmortem_id VARCHAR NOT NULL,
    position INTEGER NOT NULL,
    occurred_at TIMESTAMP,
    kind VARCHAR,
    event VARCHAR
);

CREATE TABLE IF NOT EXISTS whys (
    postmortem_id VARCHAR NOT NULL,
    position INTEGER NOT NULL,
    question VARCHAR,
    answer VARCHAR
);

CREATE TABLE IF NOT EXISTS learnings (
    postmortem_id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    position INTEGER NOT NULL,
    text VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS readers (
    postmortem_id VARCHAR NOT NULL,
    reader VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS recurrence_links (
    postmortem_id VARCHAR NOT NULL,
    recurrence_of VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS incidents (
    incident_id VARCHAR PRIMARY KEY,
    severity VARCHAR,
    started_at TIMESTAMP,
    resolved_at TIMESTAMP,
    customer_impact BOOLEAN,
    postmortem_id VARCHAR,
    source_path VARCHAR NOT NULL
);

-- Tracker rows whose post-mortem or action is not loaded yet; retried on every run.
CREATE TABLE IF NOT EXISTS tracker_pending (
    source_path VARCHAR NOT NULL,
    line INTEGER,
    incident_title VARCHAR,
    incident_date DATE,
    position INTEGER,
    description VARCHAR,
    status VARCHAR,
    reviewed_on DATE
);

-- Ticket statuses read from tracker exports (a Jira CSV, a gh JSON); matched to actions.tickets on every run.
CREATE TABLE IF NOT EXISTS tracker_tickets (
    source_path VARCHAR NOT NULL,
    line INTEGER,
    tracker VARCHAR NOT NULL,
    ticket VARCHAR NOT NULL,
    title VARCHAR,
    raw_status VARCHAR,
    status VARCHAR,
    observed_at TIMESTAMP,
    resolved_at TIMESTAMP
);

CREATE TABLE IF NOT EXISTS source_files (
    source_path VARCHAR PRIMARY KEY,
    content_sha256 VARCHAR NOT NULL,
    source_format VARCHAR,
    status VARCHAR NOT NULL,
    run_id INTEGER NOT NULL,
    loaded_at TIMESTAMP NOT NULL,
    size BIGINT,
    mtime_ns BIGINT
);

CREATE TABLE IF NOT EXISTS ingest_runs (
    run_id INTEGER PRIMARY KEY,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    paths VARCHAR,
    config VARCHAR,
    files_seen INTEGER,
    files_loaded INTEGER,
    files_unchanged INTEGER,
    files_rejected INTEGER,
    postmortems INTEGER,
    actions INTEGER,
    warnings INTEGER,
    errors INTEGER
);

CREATE TABLE IF NOT EXISTS ingest_errors (
    run_id INTEGER NOT NULL,
    source_path VARCHAR NOT NULL,
    line INTEGER,
    level VARCHAR NOT NULL,
    message VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS schema_info (
    key VARCHAR PRIMARY KEY,
    value VARCHAR
);

-- Added after the first release: a file from then gets the column, and its rows the best guess
-- (a post-mortem with a reader certainly gave the field; NULL is only ever such an old row).
ALTER TABLE postmortems ADD COLUMN IF NOT EXISTS readers_known BOOLEAN;
UPDATE postmortems SET readers_known = postmortem_id IN (SELECT postmortem_id FROM readers)
WHERE readers_known IS NULL;

-- Added with tracker exports: the tickets an action names. A file whose actions were loaded before has
-- none yet, so it is read again on the next run (its content hash is forgotten).
ALTER TABLE actions ADD COLUMN IF NOT EXISTS tickets VARCHAR[];
UPDATE source_files SET content_sha256 = '' WHERE source_path IN (SELECT source_path FROM actions WHERE tickets IS NULL);

-- Added with streaming loads. The duplicate guard's key is stored, so a copy is found by a join on it
-- instead of folding every title again; NULL only on rows of an older file, filled by its next ingest
-- that loads something. A file's size and modification time let a re-ingest skip it unread; a file
-- whose hash was forgotten (above) has them forgotten too, so that it is read again.
ALTER TABLE postmortems ADD COLUMN IF NOT EXISTS duplicate_key VARCHAR;
ALTER TABLE source_files ADD COLUMN IF NOT EXISTS size BIGINT;
ALTER TABLE source_files ADD COLUMN IF NOT EXISTS mtime_ns BIGINT;
UPDATE source_files SET size = NULL, mtime_ns = NULL WHERE content_sha256 = '' AND size IS NOT NULL;

-- Schema 2: an estimated cost keeps its currency ("5300€" is 5300 EUR), and a blocked action the reason
-- its document gives ("Blocked by" / "Bloqué par"). A file loaded under schema 1 never had them read,
-- so every file is read again once (its hash, size and time forgotten) by the first run on schema 2.
ALTER TABLE postmortems ADD COLUMN IF NOT EXISTS cost_currency VARCHAR;
ALTER TABLE actions ADD COLUMN IF NOT EXISTS blocked_by VARCHAR;
UPDATE source_files SET content_sha256 = '', size = NULL, mtime_ns = NULL
WHERE (SELECT value FROM schema_info WHERE key = 'schema_version') = '1';
