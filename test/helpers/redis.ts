// Tests on a real Redis: FACECORE_TEST_REDIS (default redis://127.0.0.1:6379). When the variable
// is set the server is required (an unreachable one fails the suite); when unset and nothing
// answers, the suites skip, saying why. Each test uses its own queue name and removes it.
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';

export const redisUrl = process.env.FACECORE_TEST_REDIS ?? 'redis://127.0.0.1:6379';

async function reachable(): Promise<boolean> {
  const redis = new Redis(redisUrl, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/** Whether the queue suites run: true when Redis answers; throws when FACECORE_TEST_REDIS names one that does not. */
export async function hasRedis(): Promise<boolean> {
  const ok = await reachable();
  if (!ok && process.env.FACECORE_TEST_REDIS !== undefined) throw new Error(`FACECORE_TEST_REDIS=${redisUrl} does not answer`);
  if (!ok) console.warn(`[facecore tests] no Redis at ${redisUrl}: queue tests are skipped (set FACECORE_TEST_REDIS or run .ci/run).`);
  return ok;
}

/** A queue name no other test or run uses. */
export function testQueueName(tag: string): string {
  return `facecore-test-${tag}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** Deletes every key of the queue (jobs, events, locks). */
export async function removeQueue(connection: Redis, name: string): Promise<void> {
  const queue = new Queue(name, { connection });
  try {
    await queue.obliterate({ force: true });
  } finally {
    await queue.close();
  }
}
