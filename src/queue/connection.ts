// One Redis connection per process for BullMQ, from a redis:// or rediss:// URL. BullMQ's
// blocking calls need maxRetriesPerRequest: null (a worker then waits out a Redis restart
// instead of failing its jobs).
import { Redis } from 'ioredis';

/** Checks the --queue URL's form before any connection is tried. */
export function parseRedisUrl(url: string, name = '--queue'): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RangeError(`${name}: expected a redis://host[:port][/db] URL, got ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new RangeError(`${name}: expected a redis:// or rediss:// URL, got ${JSON.stringify(parsed.protocol)}`);
  }
  return parsed;
}

/** Connects and waits until Redis answers; rejects (and disconnects) when it does not within `timeoutMs`. */
export async function openRedis(url: string, timeoutMs = 5000): Promise<Redis> {
  const where = parseRedisUrl(url).host;
  // The first connection fails at once; once up, a lost connection is retried (up to 2 s apart).
  let up = false;
  const redis = new Redis(url, {
    maxRetriesPerRequest: null, lazyConnect: true, connectTimeout: timeoutMs,
    retryStrategy: (times) => (up ? Math.min(times * 200, 2000) : null),
  });
  const failed = (err: Error) => err;
  redis.on('error', failed);
  try {
    await redis.connect();
    await redis.ping();
    up = true;
  } catch (err) {
    redis.disconnect();
    throw new Error(`cannot reach Redis at ${where}: ${(err as Error).message}`);
  } finally {
    redis.off('error', failed);
  }
  return redis;
}

/** BullMQ needs Redis to keep every key: under an evicting policy jobs vanish silently. */
export async function evictionPolicy(redis: Redis): Promise<string> {
  const reply = (await redis.config('GET', 'maxmemory-policy')) as string[];
  return reply[1] ?? 'unknown';
}
