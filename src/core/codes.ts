// The codes the native kernels and the index file use for metrics, storages and identity
// aggregates: defined here once (they match native Metric / Storage / Aggregate and the
// file header bytes in docs/index-format.md).

export type Metric = 'cosine' | 'dot';
export type Storage = 'f32' | 'f16' | 'i8';
export type Aggregate = 'max' | 'mean';

const METRIC_CODE: Readonly<Record<Metric, number>> = { dot: 0, cosine: 1 };
const STORAGE_CODE: Readonly<Record<Storage, number>> = { f32: 0, f16: 1, i8: 2 };
const AGGREGATE_CODE: Readonly<Record<Aggregate, number>> = { max: 0, mean: 1 };

/** Allowed values, the default first (for option checks and their messages). */
export const METRICS: readonly Metric[] = ['cosine', 'dot'];
export const STORAGES: readonly Storage[] = ['f32', 'f16', 'i8'];
export const AGGREGATES: readonly Aggregate[] = ['max', 'mean'];

export const metricCode = (metric: Metric): number => METRIC_CODE[metric];
export const storageCode = (storage: Storage): number => STORAGE_CODE[storage];
export const aggregateCode = (aggregate: Aggregate): number => AGGREGATE_CODE[aggregate];

/** The metric / storage of a code (a file header byte), or undefined for an unknown code. */
export const metricOf = (code: number): Metric | undefined => METRICS.find((m) => METRIC_CODE[m] === code);
export const storageOf = (code: number): Storage | undefined => STORAGES.find((s) => STORAGE_CODE[s] === code);

/** Bytes per stored value. */
export function bytesPerValue(storage: Storage): number {
  return storage === 'f32' ? 4 : storage === 'f16' ? 2 : 1;
}
