// The inference queue: concurrency and queue bounds, and the inference timeout (503 + Retry-After
// for a request that never started, 504 for an overrun) without the queue losing or leaking slots.
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/server/errors.js';
import { InferenceQueue } from '../../src/server/queue.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A job that takes `ms` and records how many jobs ran at once. */
function jobs() {
  let now = 0;
  let peak = 0;
  return {
    job: <T>(ms: number, value: T) => async () => {
      peak = Math.max(peak, ++now);
      await sleep(ms);
      now--;
      return value;
    },
    peak: () => peak,
  };
}
const outcome = (p: Promise<unknown>) => p.then((v) => ({ ok: v }), (e: ApiError) => ({ status: e.statusCode, code: e.code, retry: e.headers['retry-after'] }));

describe('InferenceQueue', () => {
  it('runs at most `concurrency` at once, in arrival order, and refuses beyond the queue', async () => {
    const q = new InferenceQueue(2, 3);
    const { job, peak } = jobs();
    const order: number[] = [];
    const runs = Array.from({ length: 6 }, (_, i) => outcome(q.run(async () => {
      const v = await job(10, i)();
      order.push(v);
      return v;
    })));
    expect(q.depth).toBe(5);
    const out = await Promise.all(runs);
    expect(out[5]).toEqual({ status: 503, code: 5, retry: '1' });
    expect(out.slice(0, 5)).toEqual([0, 1, 2, 3, 4].map((ok) => ({ ok })));
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(peak()).toBe(2);
    expect(q.depth).toBe(0);
  });

  it('answers 503 + Retry-After to a request not started within the timeout, and drops it from the queue', async () => {
    const q = new InferenceQueue(1, 10, 30);
    const { job } = jobs();
    const first = outcome(q.run(job(20, 'a')));
    const waiter = outcome(q.run(job(5, 'never')));
    expect(q.depth).toBe(2);
    // 'a' ends at ~20 ms, so the waiter starts in time; a third arriving now waits behind it.
    expect(await first).toEqual({ ok: 'a' });
    expect(await waiter).toEqual({ ok: 'never' });
    const slow = outcome(q.run(job(80, 'slow')));
    const late = outcome(q.run(job(5, 'late')));
    expect(await late).toEqual({ status: 503, code: 5, retry: '1' });
    expect(q.depth).toBe(1);  // only the running one is left
    expect(await slow).toEqual({ status: 504, code: 8, retry: undefined });
  });

  it('answers 504 to an overrun but keeps its slot until the work really ends, then runs the next', async () => {
    const q = new InferenceQueue(1, 10, 40);
    const { job, peak } = jobs();
    const over = outcome(q.run(job(120, 'over')));
    await sleep(10);
    const t = performance.now();
    const next = q.run(job(5, 'next'));
    expect(await over).toEqual({ status: 504, code: 8, retry: undefined });
    // Answered at ~40 ms, while the overrun still holds the only slot (depth: it and the waiter).
    expect(q.depth).toBe(2);
    // The waiter would time out at 40 ms after it arrived; the overrun ends at ~120 ms: 503.
    expect(await outcome(next)).toEqual({ status: 503, code: 5, retry: '1' });
    expect(performance.now() - t).toBeGreaterThanOrEqual(35);
    await sleep(130);
    expect(q.depth).toBe(0);
    // Not wedged: the freed slot serves the next request.
    expect(await q.run(job(5, 'after'))).toBe('after');
    expect(peak()).toBe(1);
  });

  it('tells when nothing runs or waits any more, overruns included (close waits for it)', async () => {
    const q = new InferenceQueue(1, 10, 20);
    await q.idle();
    let ended = false;
    const over = outcome(q.run(async () => {
      await sleep(80);
      ended = true;
    }));
    expect(await over).toEqual({ status: 504, code: 8, retry: undefined });
    expect(ended).toBe(false);
    await q.idle();
    expect([ended, q.depth]).toEqual([true, 0]);
  });

  it('frees the slot when a job throws (synchronously or not) and passes the error on', async () => {
    const q = new InferenceQueue(1, 4, 1000);
    await expect(q.run(() => {
      throw new RangeError('input: bad');
    })).rejects.toThrow('input: bad');
    await expect(q.run(async () => {
      throw new TypeError('input: worse');
    })).rejects.toThrow('input: worse');
    expect(q.depth).toBe(0);
    expect(await q.run(async () => 7)).toBe(7);
  });
});
