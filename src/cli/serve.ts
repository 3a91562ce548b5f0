// `facecore serve --data <dir> --api-key <key>`: the HTTP service (CompreFace REST API v1 and
// Immich's ML API, src/server/). Keys may also come from FACECORE_API_KEYS (comma-separated)
// or --api-key-file (one per line), which keeps them out of `ps`. SIGTERM/SIGINT: stop
// accepting, let requests in flight finish, close the indexes, exit 0.
import path from 'node:path';
import type { Command, CliContext, ParsedArgs } from './command.js';
import { MODEL_OPTIONS, modelChoice } from './models.js';
import { UsageError } from './output.js';
import type { StoreConfig } from '../server/store-collections.js';
import { parseSlice } from '../store/shard.js';
import { preferThroughputGc } from './throughput-gc.js';

const USAGE = `Usage: facecore serve --data <dir> --api-key <key> [--api-key <key2> ...] [options]
       facecore serve --store postgres://… [--shard i/n] --api-key <key> [options]
       facecore serve --route <url>,<url>... [--store postgres://…] --api-key <key> [options]

Serves the CompreFace REST API v1 (/api/v1/...) and Immich's machine-learning API (/ping,
/predict) over facecore's models. Each API key is its own face collection, stored under
--data (file names are a hash of the key). See docs/server.md.

Options:
  --data <dir>                 where the collections live (created if missing; required without --store)
  --store <url>                keep the collections in PostgreSQL (postgres://user:pass@host/db); this
                               process searches a local copy kept in sync (docs/scale-out.md)
  --shard <i/n>                with --store: search only slice i of n (faces by hash of their id)
  --api-key <key>              an API key (repeatable; at least 8 characters)
  --api-key-file <file>        API keys, one per line (# comments allowed)
                               (also: FACECORE_API_KEYS=key1,key2 in the environment)
  --route <urls>               router: detect and embed here, search the shards at these
                               comma-separated http://host:port URLs; with --store, writes
                               go to the store (docs/scale-out.md). A request may add
                               ?partial=true to accept the answer of the shards that answered
  --shard-timeout <ms>         router: how long a shard may take to answer (default 5000)
  --host <addr>                address to listen on (default 127.0.0.1)
  --port <n>                   port (default 8000; 0 picks a free one)
  --concurrency <n>            analyses at once (default 2)
  --queue <n>                  analyses waiting before 503 + Retry-After (default 64)
  --inference-timeout <ms>     an analysis not started within this is 503 + Retry-After,
                               one running longer 504 (default 20000; 0: no limit)
  --log-level <level>          pino level: fatal, error, warn, info (default), debug, silent
  --model, --detector          models, as for 'facecore identify'
  -h, --help                   show this help`;

function intOption(values: ParsedArgs['values'], name: string, fallback: number, min: number, max: number): number {
  const raw = values[name] as string | undefined;
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name}: expected an integer in [${min}, ${max}], got ${JSON.stringify(raw)}`);
  return n;
}

function storeOption(values: ParsedArgs['values']): StoreConfig | undefined {
  const url = values.store as string | undefined;
  const shard = values.shard as string | undefined;
  if (url === undefined) {
    if (shard !== undefined) throw new UsageError('--shard: only with --store <url>');
    return undefined;
  }
  if (values.data !== undefined) throw new UsageError('--data and --store: give one (files or PostgreSQL)');
  if (!/^postgres(ql)?:\/\//.test(url)) throw new UsageError(`--store: expected a postgres://… URL, got ${JSON.stringify(url)}`);
  try {
    return { url, ...(shard === undefined ? {} : { shard: parseSlice(shard) }) };
  } catch (err) {
    throw new UsageError(`--${(err as Error).message}`);
  }
}

/** --route's shard URLs, each checked (a typo fails here, before the models load). */
async function routeOption(values: ParsedArgs['values']): Promise<string[] | undefined> {
  const raw = values.route as string | undefined;
  if (raw === undefined) {
    if (values['shard-timeout'] !== undefined) throw new UsageError('--shard-timeout: only with --route <urls>');
    return undefined;
  }
  if (values.data !== undefined || values.shard !== undefined) throw new UsageError('--route: the router keeps no faces of its own: no --data or --shard (--store for writes)');
  const urls = raw.split(',').map((u) => u.trim()).filter((u) => u.length > 0);
  if (urls.length === 0) throw new UsageError('--route: expected comma-separated http://host:port URLs, got none');
  const { shardUrl } = await import('../store/router/shard-client.js');
  for (const url of urls) {
    try {
      shardUrl(url, '--route');
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  return urls;
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'HTTP service: CompreFace REST API + Immich ML API',
  usage: USAGE,
  options: {
    data: { type: 'string' },
    store: { type: 'string' },
    shard: { type: 'string' },
    route: { type: 'string' },
    'shard-timeout': { type: 'string' },
    'api-key': { type: 'string', multiple: true },
    'api-key-file': { type: 'string' },
    host: { type: 'string' },
    port: { type: 'string' },
    concurrency: { type: 'string' },
    queue: { type: 'string' },
    'inference-timeout': { type: 'string' },
    'log-level': { type: 'string' },
    ...MODEL_OPTIONS,
  },
  async run(args: ParsedArgs, ctx: CliContext): Promise<number> {
    const v = args.values;
    preferThroughputGc();
    const route = await routeOption(v);
    if (!v.data && !v.store && !route) throw new UsageError('missing --data <dir>');
    const store = storeOption(v);
    const { gatherApiKeys } = await import('../server/auth.js');
    const keyFile = v['api-key-file'] as string | undefined;
    const keys = gatherApiKeys((v['api-key'] as string[] | undefined) ?? [], process.env.FACECORE_API_KEYS, keyFile && path.resolve(ctx.cwd, keyFile));
    if (keys.length === 0) throw new UsageError('expected an API key: --api-key <key>, --api-key-file <file> or FACECORE_API_KEYS');
    const port = intOption(v, 'port', 8000, 0, 65535);
    const host = (v.host as string | undefined) ?? '127.0.0.1';
    const level = (v['log-level'] as string | undefined) ?? 'info';
    const choice = modelChoice(v, (p) => path.resolve(ctx.cwd, p));
    const limits = {
      concurrency: intOption(v, 'concurrency', 2, 1, 64), queued: intOption(v, 'queue', 64, 0, 100000),
      // Absent: the library's default (limits.ts).
      ...(v['inference-timeout'] !== undefined && { inferenceTimeoutMs: intOption(v, 'inference-timeout', 0, 0, 3_600_000) }),
    };
    const { createServer } = await import('../server/app.js');
    const app = await createServer({
      dataDir: v.data === undefined ? undefined : path.resolve(ctx.cwd, v.data as string),
      store,
      route: route && { shards: route, timeoutMs: intOption(v, 'shard-timeout', 5000, 1, 600000) },
      apiKeys: keys,
      analyzer: { recognizer: choice.model, detector: choice.detector },
      limits,
      logger: { level },
    });
    await app.listen({ host, port });
    const closed = new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        app.log.info({ signal }, 'shutting down: draining requests, closing collections');
        app.close().then(resolve, resolve);
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    await closed;
    return 0;
  },
};
