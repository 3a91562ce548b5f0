// The store's schema, as numbered migrations run in order by PostgresStore.connect. A migration
// once released is never edited: a change is a new entry at the end.
//
// Why it looks like this:
// - `facecore_head` holds the last sequence number given out. A write transaction takes its row
//   lock to allocate numbers and keeps it to commit, so writes commit in sequence order and a
//   reader that has seen seq s has seen every write numbered <= s (no gaps to wait for).
// - `faces` holds the current faces; `seq` is the number of the write that last put the face
//   there (an add, or a rename that moved it to another subject). `face_removals` is append-only:
//   a replica learns of a removal from it. Together they are the change feed (changesSince).
// - `shard_hash` (src/store/shard.ts) lets a shard read its slice with `shard_hash % n = i`.
import type pg from 'pg';

export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE facecore_head (one boolean PRIMARY KEY DEFAULT true CHECK (one), seq bigint NOT NULL);
  INSERT INTO facecore_head VALUES (true, 0);
  CREATE TABLE collections (
    id bigserial PRIMARY KEY,
    stem text NOT NULL UNIQUE,                       -- collectionStem(api key): the key is never stored
    created_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE TABLE subjects (
    collection_id bigint NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    name text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (collection_id, name)
  );
  CREATE TABLE faces (
    collection_id bigint NOT NULL REFERENCES collections (id),
    id text NOT NULL,
    subject text NOT NULL,
    model_key text NOT NULL,
    dim integer NOT NULL,
    embedding bytea NOT NULL,                        -- dim float32 values, little-endian
    meta jsonb,
    seq bigint NOT NULL UNIQUE,
    shard_hash bigint NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (collection_id, id),
    -- No cascades: a face leaves only through the store's code, which writes its removal.
    FOREIGN KEY (collection_id, subject) REFERENCES subjects (collection_id, name)
  );
  CREATE INDEX faces_subject ON faces (collection_id, subject);
  CREATE TABLE face_removals (
    seq bigint PRIMARY KEY,
    collection_id bigint NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    face_id text NOT NULL,
    shard_hash bigint NOT NULL,
    removed_at timestamptz NOT NULL DEFAULT now()
  );
  -- An idempotent write's key (a queue job id): a second write with it adds nothing.
  CREATE TABLE dedup_keys (
    collection_id bigint NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    key text NOT NULL,
    seq bigint NOT NULL,
    added integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (collection_id, key)
  );
  `,
];

/** Any fixed number: the advisory lock that makes concurrent connects migrate one at a time. */
const MIGRATION_LOCK = 0x66616365;

/** Brings the schema up to date; returns the version it is at. */
export async function migrate(client: pg.ClientBase): Promise<number> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS facecore_schema (version integer NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
    const { rows } = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM facecore_schema');
    const at = rows[0]?.v ?? 0;
    if (at > MIGRATIONS.length) throw new RangeError(`store: the database schema is at version ${at}, newer than this facecore knows (${MIGRATIONS.length}); upgrade facecore`);
    for (let v = at; v < MIGRATIONS.length; v++) {
      await client.query(MIGRATIONS[v]!);
      await client.query('INSERT INTO facecore_schema (version) VALUES ($1)', [v + 1]);
    }
    await client.query('COMMIT');
    return MIGRATIONS.length;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
