// The HTTP service: one fastify instance with its plugins (body parsers with limits, auth on
// every collection route, metrics, errors in CompreFace's shape) and the route files.
import { storeModelKey } from '../store/model-key.js';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import multipart from '@fastify/multipart';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { FaceAnalyzer, type FaceAnalyzerOptions } from '../pipeline/face-analyzer.js';
import { ApiKeys } from './auth.js';
import { Collections, type CollectionSource } from './collections.js';
import type { ServerContext } from './context.js';
import { badRequest, toResponse } from './errors.js';
import { FaceService } from './faces.js';
import { assertJsonDepth, resolveLimits, type Limits } from './limits.js';
import { Metrics } from './metrics.js';
import { collectOpenApi } from './openapi.js';
import { InferenceQueue } from './queue.js';
import { detectRoutes } from './routes/compreface/detect.js';
import { embeddingsVerifyRoutes } from './routes/compreface/embeddings-verify.js';
import { faceImageRoutes } from './routes/compreface/face-image.js';
import { facesRoutes } from './routes/compreface/faces.js';
import { recognizeRoutes } from './routes/compreface/recognize.js';
import { subjectsRoutes } from './routes/compreface/subjects.js';
import { verifyRoutes } from './routes/compreface/verify.js';
import { healthRoutes } from './routes/health.js';
import { immichRoutes } from './routes/immich.js';
import { partialAnswers } from './routes/internal-partial.js';
import { internalSearchRoutes } from './routes/internal-search.js';
import { RoutedCollections } from '../store/router/routed-collections.js';
import { ShardRouter, type ShardRouterOptions } from '../store/router/shard-router.js';
import { webRoutes } from './routes/web.js';
import type { StoreConfig } from './store-collections.js';

export interface ServerOptions {
  /** Directory of the collections (one FaceIndex per API key); required without `store`. */
  dataDir?: string;
  /** Keep the collections in PostgreSQL instead, searching a local replica (docs/scale-out.md). */
  store?: StoreConfig;
  /** Router mode: searches fan out to these shards (src/store/router/); writes go to `store` when given. */
  route?: ShardRouterOptions;
  apiKeys: readonly string[];
  /** An analyzer to use (not disposed on close), or options to create one. */
  analyzer?: FaceAnalyzer | FaceAnalyzerOptions;
  limits?: Partial<Limits>;
  /** fastify's logger option (pino): false, true, or pino options. Default false. */
  logger?: FastifyServerOptions['logger'];
}

const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? 'dev';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set once the handler runs: errors before it (parsing, validation) are the request's fault. */
    handlerStarted?: boolean;
  }
}

async function openCollections(options: ServerOptions, analyzer: FaceAnalyzer): Promise<CollectionSource> {
  const { dim } = analyzer.recognizer;
  const modelKey = storeModelKey(analyzer.recognizer);
  if (options.route) {
    const router = new ShardRouter(options.route);
    if (!options.store) return new RoutedCollections(router, dim);
    // Writes go to the store; the router searches nothing itself, so its replica is the
    // thinnest slice there is (it only tells the router that the feed has passed a write).
    const { StoreCollections } = await import('./store-collections.js');
    const store = await StoreCollections.open({ ...options.store, shard: { index: 0, count: 65536 } }, { dim, modelKey });
    return new RoutedCollections(router, dim, { collections: store, replica: store.replica });
  }
  if (options.store) {
    const { StoreCollections } = await import('./store-collections.js');
    return StoreCollections.open(options.store, { dim, modelKey });
  }
  if (typeof options.dataDir !== 'string') throw new TypeError(`options.dataDir: expected a directory (or options.store), got ${typeof options.dataDir}`);
  return new Collections(options.dataDir, dim);
}

/** Builds the service (models loaded, routes registered); call listen() on it, close() to drain and close indexes. */
export async function createServer(options: ServerOptions): Promise<FastifyInstance> {
  const limits: Limits = resolveLimits(options.limits);
  const keys = new ApiKeys(options.apiKeys);
  const owned = !(options.analyzer instanceof FaceAnalyzer);
  const analyzer = options.analyzer instanceof FaceAnalyzer ? options.analyzer : await FaceAnalyzer.create(options.analyzer ?? {});
  const queue = new InferenceQueue(limits.concurrency, limits.queued, limits.inferenceTimeoutMs);
  let collections: CollectionSource | undefined;
  // Every collection opens now: a locked or corrupt one (or an unreachable store) fails the start, not a request.
  try {
    collections = await openCollections(options, analyzer);
    await Promise.all(keys.list().map((k) => collections!.get(k)));
  } catch (err) {
    await collections?.closeAll();
    if (owned) await analyzer.dispose();
    throw err;
  }
  const ctx: ServerContext = {
    faces: new FaceService(analyzer, queue, limits),
    collections,
    keys, limits, version,
    metrics: new Metrics(() => queue.depth),
  };

  const app = Fastify({
    logger: options.logger ?? false,
    genReqId: () => randomUUID(),
    bodyLimit: limits.bodyBytes,
    requestTimeout: limits.requestTimeoutMs,
    routerOptions: { maxParamLength: 300 },
    forceCloseConnections: 'idle',
  });
  const openapi = collectOpenApi(app, version);

  // JSON: an empty body is no body (the CompreFace SDK sends DELETE with a JSON content type
  // and nothing in it); depth is checked before parsing.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, text, done) => {
    const s = text as string;
    if (s.trim().length === 0) return done(null, undefined);
    try {
      assertJsonDepth(s, limits.jsonDepth);
      done(null, JSON.parse(s));
    } catch (err) {
      done(err instanceof SyntaxError ? badRequest(`JSON body: ${err.message}`) : (err as Error), undefined);
    }
  });
  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    // busboy's buffers at 1 MiB instead of 16 KiB, so a photo's body (often several 64 KiB
    // chunks) is not held back by backpressure between the parser and the file stream
    // (measured: multipart 87.5-97.7%, median 90.3%, -> 91.4-95.0% of in process by rate in
    // bench/server.js; the cause is our reading of the streams, not profiled).
    highWaterMark: 1 << 20, fileHwm: 1 << 20,
    limits: { fileSize: limits.bodyBytes, files: 2, fields: 8, parts: 10, fieldSize: 1 << 20, headerPairs: 100 },
  });

  // Hooks on every request take fastify's callback form: an async hook costs a promise and a
  // microtask turn per request, on every process a routed search passes through.
  app.addHook('preHandler', (req, _reply, done) => {
    req.handlerStarted = true;
    done();
  });
  app.setErrorHandler((err, req, reply) => {
    let { status, body, headers } = toResponse(err);
    // A failure before the handler (body parsing, multipart, validation) is the request's fault.
    if (status >= 500 && !req.handlerStarted) ({ status, body } = { status: 400, body: { message: (err as Error).message, code: 1 } });
    if (status >= 500) req.log.error({ err }, 'request failed');
    else req.log.info({ status, message: body.message }, 'request refused');
    void reply.code(status).headers(headers).send(body);
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send({ message: `no route ${req.method} ${req.url.split('?')[0]!.slice(0, 200)}`, code: 3 });
  });
  app.addHook('onResponse', (req, reply, done) => {
    ctx.metrics.observe(req.method, req.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    done();
  });

  if (options.route) partialAnswers(app);
  healthRoutes(app, ctx);
  immichRoutes(app, ctx);
  webRoutes(app);
  app.get('/openapi.json', { schema: { summary: 'This document' } }, async () => openapi());
  await app.register(async (api) => {
    // Every collection route: the key picks the collection; no key or a wrong one is a 401.
    api.addHook('onRequest', (req, _reply, done) => {
      try {
        req.apiKey = keys.check(req.headers['x-api-key']);
      } catch (err) {
        return done(err as Error);
      }
      done();
    });
    facesRoutes(api, ctx);
    recognizeRoutes(api, ctx);
    subjectsRoutes(api, ctx);
    detectRoutes(api, ctx);
    verifyRoutes(api, ctx);
    internalSearchRoutes(api, ctx);
    embeddingsVerifyRoutes(api, ctx);
    faceImageRoutes(api, ctx);
  });

  // Draining: answers in flight close their connection, so a keep-alive client cannot hold
  // the shutdown for the keep-alive timeout.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', (_req, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
  app.addHook('onClose', async () => {
    await queue.idle();  // an overrun answered 504 may still be running on the models
    await ctx.collections.closeAll();
    if (owned) await analyzer.dispose();
  });
  return app;
}
