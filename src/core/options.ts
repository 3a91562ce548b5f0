// Options common to the similarity kernels: metric and thread count.
import { native } from '../native.js';
import { METRICS, metricCode as codeOf, type Metric } from './codes.js';
import { assertInteger, assertOneOf } from './validate.js';

export { METRICS, type Metric };

/** Kernel code of `options.metric` (default cosine), checked. */
export function metricCode(metric: unknown): number {
  return codeOf(assertOneOf('options.metric', metric ?? 'cosine', METRICS));
}

/** Threads to use: the option, or every core of the machine. */
export function threadCount(threads: unknown): number {
  if (threads === undefined) return native.defaultThreads();
  return assertInteger('options.threads', threads, 1, 1024);
}

/** The machine's core count, the default for `threads`. */
export function defaultThreads(): number {
  return native.defaultThreads();
}
