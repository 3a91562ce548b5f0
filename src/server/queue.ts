// A bounded inference queue: at most `concurrency` analyses run at once (onnxruntime already
// uses the cores), at most `maxQueued` wait; beyond that the request is refused at once with
// 503 + Retry-After rather than piling up latency and memory.
//
// With a timeout (ms, 0: none), a request that has not started within it leaves the queue
// with 503 + Retry-After, and one whose analysis runs longer is answered 504. An analysis
// cannot be interrupted (onnxruntime runs to the end), so an overrun keeps its slot until it
// really ends: the queue never runs more than `concurrency` at once, and frees the slot then.
import { ApiError, CODES } from './errors.js';

export class InferenceQueue {
  #running = 0;
  readonly #waiting: (() => void)[] = [];
  #idle: (() => void)[] = [];

  constructor(readonly concurrency: number, readonly maxQueued: number, readonly timeoutMs = 0, readonly retryAfterSeconds = 1) {}

  /** Requests running (overruns included) plus waiting. */
  get depth(): number {
    return this.#running + this.#waiting.length;
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.#running >= this.concurrency) {
      if (this.#waiting.length >= this.maxQueued) throw this.#busy(`${this.#waiting.length} requests already waiting for inference`);
      await this.#slot();
    } else {
      this.#running++;
    }
    let work: Promise<T>;
    try {
      work = job();
    } catch (err) {
      work = Promise.reject(err);
    }
    // The slot is held until the work ends, whether or not its request is still waiting for it.
    const release = () => this.#release();
    void work.then(release, release);
    return this.timeoutMs > 0 ? this.#deadline(work) : work;
  }

  /** Resolves once nothing runs or waits: overruns answered 504 included (close waits for it before freeing the models). */
  idle(): Promise<void> {
    if (this.depth === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  // Hand the slot straight to the next waiter (the running count stays).
  #release(): void {
    const next = this.#waiting.shift();
    if (next) return next();
    if (--this.#running === 0) {
      for (const resolve of this.#idle) resolve();
      this.#idle = [];
    }
  }

  /** Resolves when a slot is handed over; rejects (and leaves the queue) after timeoutMs. */
  #slot(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const take = () => {
        clearTimeout(timer);
        resolve();
      };
      this.#waiting.push(take);
      if (this.timeoutMs > 0) {
        timer = setTimeout(() => {
          const i = this.#waiting.indexOf(take);
          if (i < 0) return;
          this.#waiting.splice(i, 1);
          reject(this.#busy(`inference did not start within ${this.timeoutMs} ms`));
        }, this.timeoutMs);
      }
    });
  }

  #deadline<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ApiError(504, CODES.timeout, `inference ran over ${this.timeoutMs} ms; try a smaller image or later`)), this.timeoutMs);
    });
    return Promise.race([work, late]).finally(() => clearTimeout(timer));
  }

  #busy(why: string): ApiError {
    return new ApiError(503, CODES.busy, `server busy: ${why}`, { 'retry-after': String(this.retryAfterSeconds) });
  }
}
