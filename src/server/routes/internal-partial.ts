// Router mode: `?partial=true` on any request opts into answers from the shards that answered
// when some did not; the answer then says so ({ partial, unavailable_shards } in the JSON body
// and an x-facecore-partial header). Without it a shard that fails is a 503 naming the shard.
import type { FastifyInstance } from 'fastify';
import type { RouteScope } from '../collections.js';

declare module 'fastify' {
  interface FastifyRequest {
    routeScope?: RouteScope;
  }
}

export function partialAnswers(app: FastifyInstance): void {
  // The routes hand req.routeScope to the collection's searches (no AsyncLocalStorage: on
  // Node 20 it turns on promise hooks for every promise of the process).
  app.addHook('preHandler', (req, _reply, done) => {
    const partial = new URLSearchParams(req.url.split('?')[1] ?? '').get('partial') === 'true';
    req.routeScope = { partial, unavailable: new Set() };
    done();
  });
  app.addHook('preSerialization', (req, reply, payload, done) => {
    const scope = req.routeScope;
    if (!scope?.partial || reply.statusCode !== 200 || payload === null || typeof payload !== 'object' || Array.isArray(payload)) return done(null, payload);
    const unavailable = [...scope.unavailable];
    void reply.header('x-facecore-partial', unavailable.length > 0 ? unavailable.join(',') : 'complete');
    done(null, { ...payload, partial: unavailable.length > 0, unavailable_shards: unavailable });
  });
}
