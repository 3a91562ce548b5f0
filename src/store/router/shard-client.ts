// One shard as the router sees it: POST /internal/v1/search over a keep-alive connection pool
// (undici's Pool: a reused socket saves the TCP handshake per search, and its client costs a
// quarter less CPU a request than node:http's here), bounded by a timeout. Any failure (refused, reset, timeout, a non-200) is a ShardError naming
// the shard, so the router can say which one failed.
import { Pool } from 'undici';
import { SEARCH_PATH, type ShardSearchAnswer } from './wire.js';

/** Errors of a socket the shard closed or reset under a request. */
const RESET = new Set(['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE']);

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
  readonly #pool: Pool;

  constructor(url: string, private readonly timeoutMs: number) {
    const parsed = shardUrl(url);
    this.name = parsed.origin;
    this.#pool = new Pool(parsed.origin, { connections: 64, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  }

  /** The shard's answer to `body` (a ShardSearchRequest as JSON), or a ShardError. */
  async search(apiKey: string, body: string): Promise<ShardSearchAnswer> {
    let answer: { statusCode: number; text: string };
    try {
      answer = await this.#post(apiKey, body);
    } catch (err) {
      // A pooled socket the shard closed (a restart, or its keep-alive timeout) fails a request
      // already sent on it: once more on a fresh one. A search changes nothing, so a retry is safe.
      if (!RESET.has((err as { code?: string }).code ?? '')) throw this.#failure(err);
      try {
        answer = await this.#post(apiKey, body);
      } catch (again) {
        throw this.#failure(again);
      }
    }
    let json: unknown;
    try {
      json = JSON.parse(answer.text);
    } catch {
      throw new ShardError(this.name, `answered ${answer.statusCode} with a body that is not JSON`);
    }
    if (answer.statusCode !== 200) throw new ShardError(this.name, `answered ${answer.statusCode}: ${(json as { message?: string }).message ?? answer.text.slice(0, 200)}`);
    return json as ShardSearchAnswer;
  }

  async #post(apiKey: string, body: string): Promise<{ statusCode: number; text: string }> {
    const res = await this.#pool.request({
      method: 'POST', path: SEARCH_PATH, body,
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
    });
    return { statusCode: res.statusCode, text: await res.body.text() };
  }

  #failure(err: unknown): ShardError {
    const e = err as { code?: string; message?: string };
    if (e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT') return new ShardError(this.name, `no answer within ${this.timeoutMs} ms`);
    const message = e.message ?? String(err);
    return new ShardError(this.name, e.code && !message.includes(e.code) ? `${e.code} ${message}` : message);
  }

  close(): void {
    void this.#pool.destroy();
  }
}
