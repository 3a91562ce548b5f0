// Prometheus text exposition of request counts (by route and status), a latency histogram
// per route, and the inference queue's depth. Kept in memory; reset on restart.
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface RouteStats {
  counts: Map<number, number>;
  buckets: number[];
  sum: number;
  n: number;
}

const label = (s: string) => s.replace(/["\\\n]/g, '_');

export class Metrics {
  readonly #routes = new Map<string, RouteStats>();

  constructor(private readonly queueDepth: () => number) {}

  /** One finished request: its route pattern (never the raw URL: bounded label set), status and seconds. */
  observe(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${route}`;
    let s = this.#routes.get(key);
    if (!s) this.#routes.set(key, (s = { counts: new Map(), buckets: BUCKETS.map(() => 0), sum: 0, n: 0 }));
    s.counts.set(status, (s.counts.get(status) ?? 0) + 1);
    BUCKETS.forEach((b, i) => {
      if (seconds <= b) s.buckets[i]!++;
    });
    s.sum += seconds;
    s.n++;
  }

  text(): string {
    const lines = [
      '# HELP facecore_http_requests_total HTTP requests answered, by route and status.',
      '# TYPE facecore_http_requests_total counter',
    ];
    for (const [key, s] of this.#routes) {
      const [method, route] = key.split(' ');
      for (const [status, n] of s.counts) lines.push(`facecore_http_requests_total{method="${method}",route="${label(route!)}",status="${status}"} ${n}`);
    }
    lines.push('# HELP facecore_http_request_duration_seconds Time from request to answer.', '# TYPE facecore_http_request_duration_seconds histogram');
    for (const [key, s] of this.#routes) {
      const [method, route] = key.split(' ');
      const l = `method="${method}",route="${label(route!)}"`;
      BUCKETS.forEach((b, i) => lines.push(`facecore_http_request_duration_seconds_bucket{${l},le="${b}"} ${s.buckets[i]}`));
      lines.push(`facecore_http_request_duration_seconds_bucket{${l},le="+Inf"} ${s.n}`);
      lines.push(`facecore_http_request_duration_seconds_sum{${l}} ${s.sum}`, `facecore_http_request_duration_seconds_count{${l}} ${s.n}`);
    }
    lines.push('# HELP facecore_inference_queue_depth Analyses running or waiting.', '# TYPE facecore_inference_queue_depth gauge');
    lines.push(`facecore_inference_queue_depth ${this.queueDepth()}`);
    return lines.join('\n') + '\n';
  }
}
