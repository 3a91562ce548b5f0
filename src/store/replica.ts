// ShardReplica: a serving process's in-memory copy of its slice of the store, one FaceIndex per
// collection. It loads everything at start, then applies the change feed in sequence order:
// woken by NOTIFY, by a writer in this process waiting for its own write, and by a slow poll
// that covers notifications lost while the listening connection was down. Each face carries
// its store number in meta ({ seq }), so equal scores go to the earlier-numbered face.
import { FaceIndex } from '../gallery/face-index.js';
import type { Meta } from '../gallery/row-store.js';
import type { Change, PostgresStore } from './postgres-store.js';
import { assertSlice, type ShardSlice } from './shard.js';

export interface ReplicaOptions {
  /** This process's slice (default: every face). */
  shard?: ShardSlice;
  /** Milliseconds between catch-up polls when no notification comes (default 1000). */
  pollMs?: number;
  /** Rows per read of the feed (default 10,000). */
  batch?: number;
}

/** A change committed in the store that this replica could not apply in time (the feed is unreadable). */
export class ReplicaLagError extends Error {}

interface Waiter {
  seq: number;
  resolve: () => void;
}

/** Adds for one collection gathered from consecutive changes, applied in one FaceIndex.add. */
interface PendingAdds {
  has: Set<string>;
  ids: string[];
  labels: string[];
  meta: Meta[];
  vectors: Float32Array[];
}

export class ShardReplica {
  readonly shard: ShardSlice;
  readonly #indexes = new Map<string, FaceIndex>();
  readonly #waiters: Waiter[] = [];
  readonly #appliedListeners = new Set<(applied: number) => void>();
  #applied = 0;
  #running: Promise<void> | undefined;
  #again = false;
  #failure: Error | undefined;
  #stopListening: (() => Promise<void>) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  private constructor(private readonly store: PostgresStore, shard: ShardSlice, private readonly batch: number) {
    this.shard = shard;
  }

  /** Loads the slice and starts following the feed. */
  static async start(store: PostgresStore, options: ReplicaOptions = {}): Promise<ShardReplica> {
    const shard = assertSlice('options.shard', options.shard ?? { index: 0, count: 1 });
    const replica = new ShardReplica(store, shard, options.batch ?? 10_000);
    // Listen first: a write committed during the load then wakes a catch-up after it.
    replica.#stopListening = await store.onChange((head) => {
      if (head > replica.#applied) replica.catchUp();
    });
    try {
      await replica.catchUp();
    } catch (err) {
      await replica.close();
      throw err;
    }
    replica.#timer = setInterval(() => replica.catchUp(), options.pollMs ?? 1000);
    replica.#timer.unref();
    return replica;
  }

  /** The number of the last change applied (every change up to it is in the indexes). */
  get applied(): number {
    return this.#applied;
  }

  /** A collection's faces in this slice (an empty index until its first face arrives). */
  index(collection: string): FaceIndex {
    return this.#indexFor(collection);
  }

  /** Faces held, over all collections. */
  get size(): number {
    let n = 0;
    for (const index of this.#indexes.values()) n += index.size;
    return n;
  }

  /**
   * Resolves once every change numbered <= seq is applied (a writer's read-your-writes);
   * rejects after `timeoutMs` (default 10 s) while the feed cannot be read.
   */
  waitFor(seq: number, timeoutMs = 10_000): Promise<void> {
    if (this.#applied >= seq) return Promise.resolve();
    if (this.#closed) return Promise.reject(new Error('replica: closed'));
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.#waiters.indexOf(waiter);
        if (i >= 0) this.#waiters.splice(i, 1);
        reject(new ReplicaLagError(`replica: change ${seq} committed but not applied here within ${timeoutMs} ms (applied ${this.#applied}${this.#failure ? `; ${this.#failure.message}` : ''})`));
      }, timeoutMs);
      const waiter: Waiter = { seq, resolve: () => { clearTimeout(timer); resolve(); } };
      this.#waiters.push(waiter);
      void this.catchUp();
    });
  }

  /** Calls `listener(applied)` after each batch of changes is applied; the function it gives stops it. */
  onApplied(listener: (applied: number) => void): () => void {
    this.#appliedListeners.add(listener);
    return () => this.#appliedListeners.delete(listener);
  }

  /** Reads and applies the feed until it is empty; one run at a time (a call during a run runs it again after). */
  catchUp(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    const run = (async () => {
      do {
        this.#again = false;
        await this.#drain();
      } while (this.#again && !this.#closed);
    })();
    this.#running = run.finally(() => (this.#running = undefined));
    // A failed read (the database restarting) is retried by the next poll or notification.
    this.#running.catch((err: Error) => (this.#failure = err));
    return this.#running;
  }

  /** The last catch-up failure, if the feed could not be read (cleared by the next success). */
  get failure(): Error | undefined {
    return this.#failure;
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#stopListening?.();
    await this.#running?.catch(() => undefined);
    for (const w of this.#waiters.splice(0)) w.resolve();
    await Promise.all([...this.#indexes.values()].map((index) => index.close()));
    this.#indexes.clear();
  }

  async #drain(): Promise<void> {
    for (;;) {
      const { changes, last } = await this.store.changesSince(this.#applied, { shard: this.shard, limit: this.batch });
      await this.#apply(changes);
      this.#applied = Math.max(this.#applied, last);
      this.#failure = undefined;
      this.#wake();
      if (changes.length > 0) for (const listener of this.#appliedListeners) listener(this.#applied);
      if (changes.length < this.batch) return;
    }
  }

  async #apply(changes: Change[]): Promise<void> {
    const pending = new Map<string, PendingAdds>();
    const flush = async (collection: string) => {
      const p = pending.get(collection);
      if (!p) return;
      pending.delete(collection);
      const vectors = new Float32Array(p.ids.length * this.store.dim);
      p.vectors.forEach((v, i) => vectors.set(v, i * this.store.dim));
      await this.#indexFor(collection).add(p.ids, vectors, { labels: p.labels, meta: p.meta });
    };
    for (const c of changes) {
      const index = this.#indexFor(c.collection);
      // A face present already (renamed: it comes again under its new subject) is replaced.
      if (index.has(c.id) || pending.get(c.collection)?.has.has(c.id)) {
        await flush(c.collection);
        await index.remove([c.id]);
      }
      if (c.kind === 'remove') continue;
      const p = pending.get(c.collection) ?? { has: new Set<string>(), ids: [], labels: [], meta: [], vectors: [] };
      pending.set(c.collection, p);
      p.has.add(c.id);
      p.ids.push(c.id);
      p.labels.push(c.subject);
      p.meta.push({ ...c.meta, seq: c.seq });
      p.vectors.push(c.vector);
    }
    for (const collection of [...pending.keys()]) await flush(collection);
  }

  #indexFor(collection: string): FaceIndex {
    let index = this.#indexes.get(collection);
    if (!index) {
      index = new FaceIndex({ dim: this.store.dim });
      this.#indexes.set(collection, index);
    }
    return index;
  }

  #wake(): void {
    for (let i = this.#waiters.length - 1; i >= 0; i--) {
      const w = this.#waiters[i]!;
      if (w.seq <= this.#applied) {
        this.#waiters.splice(i, 1);
        w.resolve();
      }
    }
  }
}
