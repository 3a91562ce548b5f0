// One shard as the router sees it: POST /internal/v1/search over a keep-alive connection pool
// (node:http's Agent: no dependency, and a reused socket saves the TCP handshake per search),
// bounded by a timeout. Any failure (refused, reset, timeout, a non-200) is a ShardError naming
// the shard, so the router can say which one failed.
import http from 'node:http';
import { SEARCH_PATH, type ShardSearchAnswer } from './wire.js';

export class ShardError extends Error {
  constructor(readonly shard: string, readonly reason: string) {
    super(`shard ${shard}: ${reason}`);
  }
}

/** Parses and checks a shard's base URL ("http://host:port", no path beyond '/'); `name` is the argument's. */
export function shardUrl(raw: string, name = 'shards'): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RangeError(`${name}: expected http://host:port URLs, got ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'http:' || (url.pathname !== '/' && url.pathname !== '') || url.search !== '') {
    throw new RangeError(`${name}: expected http://host:port URLs, got ${JSON.stringify(raw)}`);
  }
  return url;
}

export class ShardClient {
  readonly name: string;
  readonly #url: URL;
  readonly #agent: http.Agent;

  constructor(url: string, private readonly timeoutMs: number) {
    this.#url = shardUrl(url);
    this.name = this.#url.origin;
    this.#agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  }

  /** The shard's answer to `body` (a ShardSearchRequest as JSON), or a ShardError. */
  search(apiKey: string, body: string): Promise<ShardSearchAnswer> {
    return this.#post(apiKey, body, true);
  }

  #post(apiKey: string, body: string, mayRetry: boolean): Promise<ShardSearchAnswer> {
    return new Promise((resolve, reject) => {
      const fail = (reason: string) => reject(new ShardError(this.name, reason));
      const req = http.request(this.#url, {
        method: 'POST', path: SEARCH_PATH, agent: this.#agent, timeout: this.timeoutMs,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-api-key': apiKey },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => fail(err.message));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            return fail(`answered ${res.statusCode} with a body that is not JSON`);
          }
          if (res.statusCode !== 200) return fail(`answered ${res.statusCode}: ${(json as { message?: string }).message ?? text.slice(0, 200)}`);
          resolve(json as ShardSearchAnswer);
        });
      });
      // 'timeout' is socket inactivity: the answer did not come within timeoutMs.
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      req.on('error', (err: NodeJS.ErrnoException) => {
        // A pooled socket the shard closed while idle (keep-alive timeout, or a restart): once more on a fresh one.
        if (mayRetry && req.reusedSocket && err.code === 'ECONNRESET') return resolve(this.#post(apiKey, body, false));
        fail(err.code && !err.message.includes(err.code) ? `${err.code} ${err.message}` : err.message);
      });
      req.end(body);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}
