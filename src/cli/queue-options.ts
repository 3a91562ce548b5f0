// What `facecore enroll --queue` and `facecore worker` share: the Redis URL and queue name,
// the store URL, and connecting with one-line errors.
import type { Redis } from 'ioredis';
import type { PostgresStore, StoreOptions } from '../store/postgres-store.js';
import type { OptionSpec } from './command.js';
import { importOptional } from '../optional/import-optional.js';
import { CliError, UsageError } from './output.js';

export const QUEUE_CONNECTION_OPTIONS: OptionSpec = {
  queue: { type: 'string' },
  'queue-name': { type: 'string' },
  store: { type: 'string' },
};

export const QUEUE_CONNECTION_USAGE = `  --queue <redis://host[:port][/db]>  the Redis of the job queue
  --queue-name <name>          the queue (default facecore-enroll)
  --store <postgres://...>     the PostgreSQL store the workers write to (enroll: with --wait,
                               count the collection's faces there at the end)`;

export interface QueueArgs {
  url: string;
  name: string;
}

export function queueArgs(values: Record<string, unknown>): QueueArgs {
  const url = values.queue as string | undefined;
  if (!url) throw new UsageError('missing --queue redis://host[:port][/db]');
  if (!/^rediss?:\/\//.test(url)) throw new UsageError(`--queue: expected a redis:// or rediss:// URL, got ${JSON.stringify(url)}`);
  const name = (values['queue-name'] as string | undefined) ?? 'facecore-enroll';
  // BullMQ builds Redis keys as bull:<name>:...; a colon would split them.
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(name)) throw new UsageError(`--queue-name: expected 1-100 letters, digits, '.', '_' or '-', got ${JSON.stringify(name)}`);
  return { url, name };
}

export function storeUrl(values: Record<string, unknown>): string {
  const url = values.store as string | undefined;
  if (!url) throw new UsageError('missing --store postgres://user:password@host[:port]/database');
  if (!/^postgres(ql)?:\/\//.test(url)) throw new UsageError(`--store: expected a postgres:// URL, got ${JSON.stringify(url.replace(/\/\/[^@/]*@/, '//***@'))}`);
  return url;
}

/** A numeric option > 0 (an integer >= 1 when `integer`), or `fallback` when absent. */
export function positiveOption(values: Record<string, unknown>, name: string, fallback: number, integer: boolean): number {
  const raw = values[name] as string | undefined;
  if (raw === undefined) return fallback;
  const x = Number(raw);
  if (raw.trim() === '' || !(x > 0) || !Number.isFinite(x) || (integer && !Number.isInteger(x))) {
    throw new UsageError(`--${name}: expected ${integer ? 'an integer >= 1' : 'a number > 0'}, got ${JSON.stringify(raw)}`);
  }
  return x;
}

/** Connects to the queue's Redis, warning when its eviction policy could drop jobs. */
export async function connectQueue(url: string, warn: (text: string) => void): Promise<Redis> {
  // bullmq and ioredis are optional peers: say which to install before importing modules that need them.
  for (const pkg of ['bullmq', 'ioredis']) {
    await importOptional(pkg, 'the embedding queue (--queue)').catch((err: Error) => {
      throw new CliError(err.message);
    });
  }
  const { openRedis, evictionPolicy } = await import('../queue/connection.js');
  let redis: Redis;
  try {
    redis = await openRedis(url);
  } catch (err) {
    throw new CliError((err as Error).message.split('\n')[0]!);
  }
  const policy = await evictionPolicy(redis).catch(() => 'unknown');
  if (policy !== 'noeviction' && policy !== 'unknown') warn(`Redis maxmemory-policy is ${policy}: it may evict queued jobs; set it to noeviction`);
  return redis;
}

/** Opens the PostgreSQL store (running its migrations), failing in one line. */
export async function openStore(url: string, options: StoreOptions): Promise<PostgresStore> {
  const { PostgresStore } = await import('../store/postgres-store.js');
  try {
    return await PostgresStore.connect(url, options);
  } catch (err) {
    throw new CliError(`cannot open the store: ${(err as Error).message.split('\n')[0]}`);
  }
}
