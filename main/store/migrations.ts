/**
 * Versioned schema migrations, applied in order inside one transaction each; `PRAGMA user_version`
 * records the last one applied. Never edit a released migration: add a new one.
 */
export const migrations: readonly string[] = [
  // 1: devices, tags, samples, settings
  `
  CREATE TABLE devices (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    protocol   TEXT NOT NULL CHECK (protocol IN ('opcua', 'modbus')),
    enabled    INTEGER NOT NULL DEFAULT 1,
    settings   TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE tags (
    id        INTEGER PRIMARY KEY,
    device_id INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    name      TEXT NOT NULL,
    unit      TEXT NOT NULL DEFAULT '',
    config    TEXT NOT NULL,
    UNIQUE (device_id, name)
  );
  -- Clustered by tag then time: history queries read one contiguous range per tag.
  -- No foreign key on purpose: checking it would cost every insert; tag deletes remove samples explicitly.
  CREATE TABLE samples (
    tag_id  INTEGER NOT NULL,
    ts      INTEGER NOT NULL,
    value   REAL,
    quality INTEGER NOT NULL,
    PRIMARY KEY (tag_id, ts)
  ) WITHOUT ROWID;
  CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
  // 2: text of string tags; audit log of writes to devices
  `
  ALTER TABLE samples ADD COLUMN text TEXT;
  CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    ts          INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    device_id   INTEGER,
    device_name TEXT NOT NULL,
    target      TEXT NOT NULL,
    value       TEXT NOT NULL,
    outcome     TEXT NOT NULL CHECK (outcome IN ('ok', 'failed')),
    message     TEXT
  );
  CREATE INDEX audit_log_ts ON audit_log (ts);
  `,
  // 3: store-and-forward to TwinEdge (outbox, the batch in flight, rejected points, device links)
  `
  -- Samples waiting for upload, per device, in chunks: appended in the samples' own transaction, deleted
  -- only after TwinEdge confirmed them. seq is the insertion order.
  CREATE TABLE sync_outbox (
    seq       INTEGER PRIMARY KEY,
    device_id INTEGER NOT NULL,
    count     INTEGER NOT NULL,
    first_ts  INTEGER NOT NULL,
    bytes     INTEGER NOT NULL,
    data      TEXT NOT NULL
  );
  -- The batch being sent, exactly as sent, with its idempotency key: after a crash it is sent again
  -- unchanged, so TwinEdge recognises it and nothing is stored twice. At most one row.
  CREATE TABLE sync_inflight (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    idempotency_key TEXT NOT NULL,
    seqs            TEXT NOT NULL,
    points          TEXT NOT NULL,
    created_at      INTEGER NOT NULL
  );
  CREATE TABLE sync_rejections (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    device_name TEXT NOT NULL,
    tag_name    TEXT NOT NULL,
    ts          INTEGER NOT NULL,
    code        TEXT NOT NULL,
    message     TEXT NOT NULL
  );
  CREATE TABLE sync_devices (
    device_id        INTEGER PRIMARY KEY,
    cloud_id         TEXT,
    state            TEXT NOT NULL,
    message          TEXT,
    synced_hash      TEXT,
    cloud_updated_at TEXT,
    conflict_id      TEXT,
    synced_at        INTEGER
  );
  `,
  // 4: local alarms (rules, the state each rule's alarm is in, every lifecycle transition)
  `
  CREATE TABLE alarm_rules (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    source     TEXT NOT NULL CHECK (source IN ('local', 'demo', 'cloud')),
    cloud_id   TEXT,
    config     TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX alarm_rules_cloud ON alarm_rules (cloud_id) WHERE cloud_id IS NOT NULL;
  CREATE TABLE alarm_state (
    rule_id INTEGER PRIMARY KEY,
    runtime TEXT NOT NULL
  );
  CREATE TABLE alarm_events (
    id        INTEGER PRIMARY KEY,
    ts        INTEGER NOT NULL,
    rule_id   INTEGER NOT NULL,
    rule_name TEXT NOT NULL,
    severity  TEXT NOT NULL,
    kind      TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state  TEXT NOT NULL,
    value     REAL,
    actor     TEXT NOT NULL,
    note      TEXT,
    shelved   INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX alarm_events_ts ON alarm_events (ts);
  `,
  // 5: trend rollups (per minute and per hour, kept after raw samples age out), their dirty marks, saved views
  `
  -- One row per tag and bucket. count: usable samples (value present, quality not bad); min/max/sum/first/last
  -- are over usable samples only (null when none); worst_quality over every sample in the bucket.
  CREATE TABLE rollup_1m (
    tag_id        INTEGER NOT NULL,
    bucket        INTEGER NOT NULL,
    count         INTEGER NOT NULL,
    bad_count     INTEGER NOT NULL,
    min           REAL,
    max           REAL,
    sum           REAL,
    first_ts      INTEGER,
    first_value   REAL,
    last_ts       INTEGER,
    last_value    REAL,
    worst_quality INTEGER NOT NULL,
    PRIMARY KEY (tag_id, bucket)
  ) WITHOUT ROWID;
  CREATE TABLE rollup_1h (
    tag_id        INTEGER NOT NULL,
    bucket        INTEGER NOT NULL,
    count         INTEGER NOT NULL,
    bad_count     INTEGER NOT NULL,
    min           REAL,
    max           REAL,
    sum           REAL,
    first_ts      INTEGER,
    first_value   REAL,
    last_ts       INTEGER,
    last_value    REAL,
    worst_quality INTEGER NOT NULL,
    PRIMARY KEY (tag_id, bucket)
  ) WITHOUT ROWID;
  -- Minute buckets whose raw samples changed since their rollup was computed (written with the samples).
  CREATE TABLE rollup_dirty (
    tag_id INTEGER NOT NULL,
    bucket INTEGER NOT NULL,
    PRIMARY KEY (tag_id, bucket)
  ) WITHOUT ROWID;
  CREATE TABLE trend_views (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    config       TEXT NOT NULL,
    dashboard_id TEXT,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
  );
  `,
  // 6: the oldest queued sample, asked for the sync status every second, without scanning the outbox
  `
  CREATE INDEX sync_outbox_first_ts ON sync_outbox (first_ts);
  `,
  // 7: the batch in flight is kept as its encoded request body (gzip: a tenth of the bytes to write per batch)
  `
  CREATE TABLE sync_inflight_body (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    idempotency_key TEXT NOT NULL,
    seqs            TEXT NOT NULL,
    body            BLOB NOT NULL,
    gzipped         INTEGER NOT NULL,
    created_at      INTEGER NOT NULL
  );
  -- A batch left in flight by version 6 becomes the body it was sent as, {"data": points}, uncompressed:
  -- the same JSON under the same key, so TwinEdge still recognises it.
  INSERT INTO sync_inflight_body (id, idempotency_key, seqs, body, gzipped, created_at)
    SELECT id, idempotency_key, seqs, CAST('{"data":' || points || '}' AS BLOB), 0, created_at FROM sync_inflight;
  DROP TABLE sync_inflight;
  ALTER TABLE sync_inflight_body RENAME TO sync_inflight;
  `,
  // 8: events the OPC UA servers report themselves (plain events and condition transitions), bounded by
  // ServerEventsRepo.prune (age and row count)
  `
  CREATE TABLE server_events (
    id             INTEGER PRIMARY KEY,
    device_id      INTEGER NOT NULL,
    device_name    TEXT NOT NULL,
    ts             INTEGER NOT NULL,
    received_at    INTEGER NOT NULL,
    event_id       TEXT NOT NULL,
    event_type     TEXT NOT NULL,
    source_node    TEXT NOT NULL,
    source_name    TEXT NOT NULL,
    severity       INTEGER NOT NULL,
    message        TEXT NOT NULL,
    condition_id   TEXT,
    condition_name TEXT,
    state          TEXT
  );
  CREATE INDEX server_events_ts ON server_events (ts);
  CREATE INDEX server_events_device_ts ON server_events (device_id, ts);
  `,
  // 9: deleted tags whose samples and rollups are still being removed, in bounded steps in the background
  // (TagPurge). Queued in the deleting transaction, so a crash mid-way resumes at the next start; their ids
  // are not given to new tags until the purge is done.
  `
  CREATE TABLE tag_purge (
    tag_id    INTEGER PRIMARY KEY,
    queued_at INTEGER NOT NULL
  );
  `,
  // 10: storage policies and compressed raw storage. Devices stored before storage policies keep storing every
  // sample until an engineer changes that (new devices default to lossless on-change). Sealed blocks hold a tag's
  // older raw samples, encoded by main/store/raw/block-codec.ts (read through raw-samples.ts); a tag's blocks never overlap, and
  // rows in the samples table may fall inside a block's range (late arrivals) until the compactor seals them in.
  `
  UPDATE devices SET settings = json_set(settings, '$.storage', json('{"mode":"every","deadband":0,"band":"absolute","maxIntervalS":600,"compression":0}'))
    WHERE json_type(settings, '$.storage') IS NULL;
  CREATE TABLE sample_blocks (
    tag_id INTEGER NOT NULL,
    t0     INTEGER NOT NULL,
    t1     INTEGER NOT NULL,
    n      INTEGER NOT NULL,
    data   BLOB NOT NULL,
    PRIMARY KEY (tag_id, t0)
  ) WITHOUT ROWID;
  `,
];
