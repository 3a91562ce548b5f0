// PostgresStore: PostgreSQL as the system of record for face collections (one per API key),
// their subjects and faces. A write resolves only after it commits. Every face write is
// numbered (a store-wide sequence, commit order = number order, see migrations.ts); serving
// processes keep a replica of their slice by reading changesSince(seq) and listening for
// NOTIFY facecore_changes (payload: the new head). node-postgres as its docs show: a Pool,
// transactions on one checked-out client, a dedicated client for LISTEN.
import pg from 'pg';
import { assertInteger, assertOptionsObject, describe } from '../core/validate.js';
import { collectionStem } from './collection-stem.js';
import { assertName, assertNames, checkFaces, vectorOf, type FaceToAdd, type Meta } from './face-input.js';
import { migrate } from './migrations.js';
import { assertSlice, shardHash, type ShardSlice } from './shard.js';

export type { FaceToAdd };

export interface StoreOptions {
  /** Embedding length of the model this process serves. */
  dim: number;
  /** The model's key (registry name or file hash): a process sees only faces made by its model. */
  modelKey: string;
  /** Connections in the pool (default 10). */
  poolSize?: number;
}

export interface StoredFace {
  id: string;
  subject: string;
  vector: Float32Array;
  meta?: Meta;
  seq: number;
}

/** One entry of the change feed: a face now present (added, or moved to another subject), or removed. */
export type Change =
  | { kind: 'add'; seq: number; collection: string; id: string; subject: string; vector: Float32Array; meta?: Meta }
  | { kind: 'remove'; seq: number; collection: string; id: string };

export interface ChangeBatch {
  /** In sequence order. */
  changes: Change[];
  /** Every change numbered <= last has been returned (by this or an earlier call): continue from it. */
  last: number;
}

export const NOTIFY_CHANNEL = 'facecore_changes';
const UNIQUE_VIOLATION = '23505';

const CHANGES_SQL = `
  WITH h AS (SELECT seq AS head FROM facecore_head)
  SELECT h.head, c.seq, col.stem, c.id, c.subject, c.embedding, c.meta
  FROM h
  LEFT JOIN LATERAL (
    SELECT * FROM (
      SELECT f.seq, f.collection_id, f.id, f.subject, f.embedding, f.meta FROM faces f
      WHERE f.seq > $1 AND f.seq <= h.head AND f.model_key = $2 AND f.shard_hash % $3 = $4
      UNION ALL
      SELECT r.seq, r.collection_id, r.face_id, NULL, NULL, NULL FROM face_removals r
      WHERE r.seq > $1 AND r.seq <= h.head AND r.shard_hash % $3 = $4
    ) u ORDER BY seq LIMIT $5
  ) c ON true
  LEFT JOIN collections col ON col.id = c.collection_id
  ORDER BY c.seq`;

// Deletes faces matching `where` ($1 = collection, $2 = first new seq - 1, then the caller's
// parameters), writing one numbered removal each; returns them in removal order.
const deleteFacesSql = (where: string) => `
  WITH gone AS (DELETE FROM faces WHERE collection_id = $1 AND ${where} RETURNING id, subject, shard_hash, seq),
  numbered AS (SELECT id, subject, shard_hash, row_number() OVER (ORDER BY seq) AS n FROM gone),
  logged AS (INSERT INTO face_removals (seq, collection_id, face_id, shard_hash) SELECT $2 + n, $1, id, shard_hash FROM numbered)
  SELECT id, subject FROM numbered ORDER BY n`;

interface Write {
  client: pg.PoolClient;
  collection: number;
  /** The head when the write began (its numbers start at head + 1). */
  head: number;
}

export class PostgresStore {
  readonly #pool: pg.Pool;
  readonly #collections = new Map<string, Promise<number>>();
  readonly #listeners = new Set<pg.Client>();
  #closed = false;

  private constructor(private readonly url: string, readonly dim: number, readonly modelKey: string, pool: pg.Pool) {
    this.#pool = pool;
  }

  /** Connects and brings the schema up to date (concurrent connects migrate once). */
  static async connect(url: string, options: StoreOptions): Promise<PostgresStore> {
    if (typeof url !== 'string' || !/^postgres(ql)?:\/\//.test(url)) throw new TypeError(`url: expected a postgres://… connection string, got ${describe(url)}`);
    const opts = assertOptionsObject('options', options);
    const dim = assertInteger('options.dim', opts.dim, 1, 65536);
    const modelKey = assertName('options.modelKey', opts.modelKey);
    const poolSize = opts.poolSize === undefined ? 10 : assertInteger('options.poolSize', opts.poolSize, 1, 1000);
    const pool = new pg.Pool({ connectionString: url, max: poolSize });
    // An idle client losing its server (a restart) must not crash the process: the pool drops it.
    pool.on('error', () => undefined);
    try {
      const client = await pool.connect();
      try {
        await migrate(client);
      } finally {
        client.release();
      }
    } catch (err) {
      await pool.end();
      throw err;
    }
    return new PostgresStore(url, dim, modelKey, pool);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#listeners].map((c) => c.end().catch(() => undefined)));
    this.#listeners.clear();
    await this.#pool.end();
  }

  /** The number of the last committed write. */
  async head(): Promise<number> {
    const { rows } = await this.#pool.query<{ seq: string }>('SELECT seq FROM facecore_head');
    return Number(rows[0]!.seq);
  }

  // ---- faces

  /**
   * Adds faces (and their subjects) to a key's collection; resolves after the commit to the
   * last number given out. With `dedupKey` a repeated call adds nothing and resolves to the
   * first call's number with added 0. An id already in the collection rejects it all.
   */
  async addFaces(apiKey: string, faces: FaceToAdd[], options?: { dedupKey?: string }): Promise<{ seq: number; added: number }> {
    const opts = assertOptionsObject('options', options);
    const dedupKey = opts.dedupKey === undefined ? undefined : assertName('options.dedupKey', opts.dedupKey);
    const rows = checkFaces(faces, this.dim);
    return this.#write(apiKey, async ({ client, collection, head }) => {
      if (dedupKey !== undefined) {
        const fresh = await client.query('INSERT INTO dedup_keys (collection_id, key, seq, added) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
          [collection, dedupKey, head + rows.length, rows.length]);
        if (fresh.rowCount === 0) {
          const { rows: [done] } = await client.query<{ seq: string }>('SELECT seq FROM dedup_keys WHERE collection_id = $1 AND key = $2', [collection, dedupKey]);
          return { result: { seq: Number(done!.seq), added: 0 }, used: 0 };
        }
      }
      if (rows.length === 0) return { result: { seq: head, added: 0 }, used: 0 };
      // One statement (round trips are most of a write's time): the subjects, then the faces;
      // the foreign key is checked at its end, when the subjects are there.
      try {
        await client.query(`
          WITH new_subjects AS (INSERT INTO subjects (collection_id, name) SELECT $1, unnest($10::text[]) ON CONFLICT DO NOTHING)
          INSERT INTO faces (collection_id, id, subject, model_key, dim, embedding, meta, seq, shard_hash)
          SELECT $1, t.id, t.subject, $2, $3, t.embedding, t.meta, $4 + t.n, t.shard_hash
          FROM unnest($5::text[], $6::text[], $7::bytea[], $8::jsonb[], $9::bigint[]) WITH ORDINALITY AS t(id, subject, embedding, meta, shard_hash, n)`,
        [collection, this.modelKey, this.dim, head, rows.map((r) => r.id), rows.map((r) => r.subject), rows.map((r) => r.bytes),
          rows.map((r) => r.meta), rows.map((r) => shardHash(r.id)), [...new Set(rows.map((r) => r.subject))]]);
      } catch (err) {
        const e = err as { code?: string; constraint?: string; detail?: string };
        if (e.code !== UNIQUE_VIOLATION || e.constraint !== 'faces_pkey') throw err;
        const id = /^Key \(collection_id, id\)=\(\d+, (.*)\) already exists\.$/s.exec(e.detail ?? '')?.[1];
        throw new RangeError(`faces: id ${id === undefined ? '(one of them)' : JSON.stringify(id)} is already in the collection (remove it first)`);
      }
      return { result: { seq: head + rows.length, added: rows.length }, used: rows.length };
    });
  }

  /** Removes faces by id (unknown ids are skipped); resolves to the removed faces and the last number. */
  async removeFaces(apiKey: string, ids: string[]): Promise<{ seq: number; removed: { id: string; subject: string }[] }> {
    const list = assertNames('ids', ids);
    return this.#removeWhere(apiKey, 'model_key = $3 AND id = ANY($4::text[])', [this.modelKey, list]);
  }

  /** Removes every face of the collection, or of one subject (the subject stays). */
  async removeAllFaces(apiKey: string, subject?: string): Promise<{ seq: number; removed: { id: string; subject: string }[] }> {
    if (subject === undefined) return this.#removeWhere(apiKey, 'model_key = $3', [this.modelKey]);
    return this.#removeWhere(apiKey, 'model_key = $3 AND subject = $4', [this.modelKey, assertName('subject', subject)]);
  }

  async getFace(apiKey: string, id: string): Promise<StoredFace | undefined> {
    assertName('id', id);
    const collection = await this.#collection(apiKey);
    const { rows } = await this.#pool.query<{ subject: string; embedding: Buffer; meta: Meta | null; seq: string }>(
      'SELECT subject, embedding, meta, seq FROM faces WHERE collection_id = $1 AND id = $2 AND model_key = $3', [collection, id, this.modelKey]);
    const r = rows[0];
    if (!r) return undefined;
    return { id, subject: r.subject, vector: vectorOf(r.embedding), seq: Number(r.seq), ...(r.meta ? { meta: r.meta } : {}) };
  }

  /** A page of the collection's faces (of one subject when given), in sequence order, and the total. */
  async listFaces(apiKey: string, options?: { subject?: string; offset?: number; limit?: number }): Promise<{ faces: { id: string; subject: string }[]; total: number }> {
    const opts = assertOptionsObject('options', options);
    const subject = opts.subject === undefined ? null : assertName('options.subject', opts.subject);
    const offset = opts.offset === undefined ? 0 : assertInteger('options.offset', opts.offset, 0, Number.MAX_SAFE_INTEGER);
    const limit = opts.limit === undefined ? null : assertInteger('options.limit', opts.limit, 0, Number.MAX_SAFE_INTEGER);
    const collection = await this.#collection(apiKey);
    const where = 'collection_id = $1 AND model_key = $2 AND ($3::text IS NULL OR subject = $3)';
    const [page, count] = await Promise.all([
      this.#pool.query<{ id: string; subject: string }>(`SELECT id, subject FROM faces WHERE ${where} ORDER BY seq OFFSET $4 LIMIT $5`,
        [collection, this.modelKey, subject, offset, limit]),
      this.#pool.query<{ n: string }>(`SELECT count(*) AS n FROM faces WHERE ${where}`, [collection, this.modelKey, subject]),
    ]);
    return { faces: page.rows, total: Number(count.rows[0]!.n) };
  }

  // ---- subjects

  /** The collection's subjects, oldest first (they may have no faces). */
  async subjects(apiKey: string): Promise<string[]> {
    const collection = await this.#collection(apiKey);
    const { rows } = await this.#pool.query<{ name: string }>('SELECT name FROM subjects WHERE collection_id = $1 ORDER BY created_at, name', [collection]);
    return rows.map((r) => r.name);
  }

  async hasSubject(apiKey: string, subject: string): Promise<boolean> {
    assertName('subject', subject);
    const collection = await this.#collection(apiKey);
    const { rowCount } = await this.#pool.query('SELECT 1 FROM subjects WHERE collection_id = $1 AND name = $2', [collection, subject]);
    return rowCount === 1;
  }

  /** Adds a subject; resolves to false when it was there already. */
  async addSubject(apiKey: string, subject: string): Promise<boolean> {
    assertName('subject', subject);
    const collection = await this.#collection(apiKey);
    const { rowCount } = await this.#pool.query('INSERT INTO subjects (collection_id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING', [collection, subject]);
    return rowCount === 1;
  }

  /**
   * Moves `from`'s faces to `to` (merging when `to` exists, as CompreFace does) and drops
   * `from`. The moved faces get new numbers (a replica re-adds them, in their old order).
   * Resolves to renamed false, changing nothing, when `from` does not exist.
   */
  async renameSubject(apiKey: string, from: string, to: string): Promise<{ seq: number; renamed: boolean }> {
    assertName('from', from);
    assertName('to', to);
    return this.#write<{ seq: number; renamed: boolean }>(apiKey, async ({ client, collection, head }) => {
      const { rowCount: exists } = await client.query('SELECT 1 FROM subjects WHERE collection_id = $1 AND name = $2 FOR UPDATE', [collection, from]);
      if (exists === 0) return { result: { seq: head, renamed: false }, used: 0 };
      if (from === to) return { result: { seq: head, renamed: true }, used: 0 };
      await client.query('INSERT INTO subjects (collection_id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING', [collection, to]);
      const moved = await client.query(`
        UPDATE faces f SET subject = $3, seq = $4 + o.n
        FROM (SELECT id, row_number() OVER (ORDER BY seq) AS n FROM faces WHERE collection_id = $1 AND subject = $2) o
        WHERE f.collection_id = $1 AND f.id = o.id`, [collection, from, to, head]);
      await client.query('DELETE FROM subjects WHERE collection_id = $1 AND name = $2', [collection, from]);
      const used = moved.rowCount ?? 0;
      return { result: { seq: head + used, renamed: true }, used };
    });
  }

  /** Removes subjects and all their faces; resolves to the subjects that existed and the faces removed. */
  async removeSubjects(apiKey: string, subjects: string[]): Promise<{ seq: number; subjects: string[]; faces: number }> {
    const names = assertNames('subjects', subjects);
    return this.#write(apiKey, async ({ client, collection, head }) => {
      const gone = await client.query(deleteFacesSql('subject = ANY($3::text[])'), [collection, head, names]);
      const dropped = await client.query<{ name: string }>('DELETE FROM subjects WHERE collection_id = $1 AND name = ANY($2::text[]) RETURNING name', [collection, names]);
      const used = gone.rowCount ?? 0;
      return { result: { seq: head + used, subjects: dropped.rows.map((r) => r.name), faces: used }, used };
    });
  }

  // ---- change feed

  /**
   * The changes numbered after `seq` (of one shard slice when given), oldest first, at most
   * `limit` (default 10,000) per call: call again from `last` until `changes` comes back empty.
   */
  async changesSince(seq: number, options?: { shard?: ShardSlice; limit?: number }): Promise<ChangeBatch> {
    assertInteger('seq', seq, 0, Number.MAX_SAFE_INTEGER);
    const opts = assertOptionsObject('options', options);
    const shard = opts.shard === undefined ? { index: 0, count: 1 } : assertSlice('options.shard', opts.shard as ShardSlice);
    const limit = opts.limit === undefined ? 10_000 : assertInteger('options.limit', opts.limit, 1, 1_000_000);
    const { rows } = await this.#pool.query<{
      head: string; seq: string | null; stem: string; id: string; subject: string | null; embedding: Buffer | null; meta: Meta | null;
    }>(CHANGES_SQL, [seq, this.modelKey, shard.count, shard.index, limit]);
    const changes: Change[] = [];
    for (const r of rows) {
      if (r.seq === null) continue;
      const n = Number(r.seq);
      if (r.subject === null) changes.push({ kind: 'remove', seq: n, collection: r.stem, id: r.id });
      else changes.push({ kind: 'add', seq: n, collection: r.stem, id: r.id, subject: r.subject, vector: vectorOf(r.embedding!), ...(r.meta ? { meta: r.meta } : {}) });
    }
    const head = Number(rows[0]!.head);
    return { changes, last: changes.length === limit ? changes[changes.length - 1]!.seq : Math.max(head, seq) };
  }

  /**
   * Calls `listener(head)` after each commit that numbered changes (any process's), and once
   * with the current head after a lost connection is back (notifications in between are lost).
   * Resolves once listening; the function it gives stops it.
   */
  async onChange(listener: (head: number) => void): Promise<() => Promise<void>> {
    let stopped = false;
    let current: pg.Client | undefined;
    const listen = async (): Promise<void> => {
      const client = new pg.Client({ connectionString: this.url });
      client.on('notification', (msg) => {
        if (msg.channel === NOTIFY_CHANNEL) listener(Number(msg.payload));
      });
      const lost = () => {
        this.#listeners.delete(client);
        if (stopped || this.#closed || current !== client) return;
        current = undefined;
        const retry = () => {
          if (stopped || this.#closed) return;
          listen().then(
            () => this.head().then((head) => !stopped && !this.#closed && listener(head), () => undefined),
            () => setTimeout(retry, 500).unref(),
          );
        };
        setTimeout(retry, 200).unref();
      };
      client.on('error', lost);
      client.on('end', lost);
      await client.connect();
      await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
      if (stopped || this.#closed) {
        await client.end();
        return;
      }
      current = client;
      this.#listeners.add(client);
    };
    await listen();
    return async () => {
      stopped = true;
      const c = current;
      current = undefined;
      if (c) {
        this.#listeners.delete(c);
        await c.end().catch(() => undefined);
      }
    };
  }

  // ---- internals

  /** The collection row of a key (created on first use). */
  #collection(apiKey: string): Promise<number> {
    if (typeof apiKey !== 'string' || apiKey.length === 0) throw new TypeError(`apiKey: expected a non-empty string, got ${describe(apiKey)}`);
    const stem = collectionStem(apiKey);
    let id = this.#collections.get(stem);
    if (!id) {
      id = this.#pool.query<{ id: string }>(
        'INSERT INTO collections (stem) VALUES ($1) ON CONFLICT (stem) DO UPDATE SET stem = EXCLUDED.stem RETURNING id', [stem],
      ).then((r) => Number(r.rows[0]!.id));
      id.catch(() => this.#collections.delete(stem));
      this.#collections.set(stem, id);
    }
    return id;
  }

  /**
   * Runs `job` in a transaction holding the head row: it numbers its changes head+1 ..
   * head+used; the head moves and NOTIFY goes out in the same commit.
   */
  async #write<T>(apiKey: string, job: (w: Write) => Promise<{ result: T; used: number }>): Promise<T> {
    const collection = await this.#collection(apiKey);
    const client = await this.#pool.connect();
    let failed = false;
    try {
      // Several statements per round trip where none takes parameters (the numbers are ours).
      const [, locked] = await client.query('BEGIN; SELECT seq FROM facecore_head FOR UPDATE') as unknown as pg.QueryResult<{ seq: string }>[];
      const head = Number(locked!.rows[0]!.seq);
      const { result, used } = await job({ client, collection, head });
      const next = head + used;
      if (!Number.isSafeInteger(next)) throw new RangeError(`store: sequence number ${next} is past 2^53`);
      await client.query(used > 0 ? `UPDATE facecore_head SET seq = ${next}; SELECT pg_notify('${NOTIFY_CHANNEL}', '${next}'); COMMIT` : 'COMMIT');
      return result;
    } catch (err) {
      failed = true;
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      // A client that failed mid-transaction may have lost its server: the pool drops it.
      client.release(failed);
    }
  }

  async #removeWhere(apiKey: string, where: string, params: unknown[]): Promise<{ seq: number; removed: { id: string; subject: string }[] }> {
    return this.#write(apiKey, async ({ client, collection, head }) => {
      const { rows } = await client.query<{ id: string; subject: string }>(deleteFacesSql(where), [collection, head, ...params]);
      return { result: { seq: head + rows.length, removed: rows }, used: rows.length };
    });
  }
}
