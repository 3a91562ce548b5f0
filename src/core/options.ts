// Options common to the similarity kernels: metric and thread count.
import { native } from '../native.js';
import { assertInteger, assertOneOf } from './validate.js';

export type Metric = 'cosine' | 'dot';
export const METRICS: readonly Metric[] = ['cosine', 'dot'];

/** Kernel code of a metric (matches native Metric). */
export function metricCode(metric: unknown): number {
  return assertOneOf('options.metric', metric ?? 'cosine', METRICS) === 'dot' ? 0 : 1;
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
