// A bounded inference queue: at most `concurrency` analyses run at once (onnxruntime already
// uses the cores), at most `maxQueued` wait; beyond that the request is refused at once with
// 503 + Retry-After rather than piling up latency and memory.
import { ApiError, CODES } from './errors.js';

export class InferenceQueue {
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(readonly concurrency: number, readonly maxQueued: number, readonly retryAfterSeconds = 1) {}

  /** Requests running plus waiting. */
  get depth(): number {
    return this.#running + this.#waiting.length;
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.#running >= this.concurrency) {
      if (this.#waiting.length >= this.maxQueued) {
        throw new ApiError(503, CODES.busy, `server busy: ${this.#waiting.length} requests already waiting for inference`, { 'retry-after': String(this.retryAfterSeconds) });
      }
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#running++;
    }
    try {
      return await job();
    } finally {
      // Hand the slot straight to the next waiter (the running count stays).
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running--;
    }
  }
}
