// Router mode: `?partial=true` on any request opts into answers from the shards that answered
// when some did not; the answer then says so ({ partial, unavailable_shards } in the JSON body
// and an x-facecore-partial header). Without it a shard that fails is a 503 naming the shard.
import type { FastifyInstance } from 'fastify';
import { routeScope, type RouteScope } from '../../store/router/routed-collections.js';

declare module 'fastify' {
  interface FastifyRequest {
    routeScope?: RouteScope;
  }
}

export function partialAnswers(app: FastifyInstance): void {
  // Callback style: fastify calls the handler from done(), so it runs inside the scope.
  app.addHook('preHandler', (req, _reply, done) => {
    const partial = new URLSearchParams(req.url.split('?')[1] ?? '').get('partial') === 'true';
    req.routeScope = { partial, unavailable: new Set() };
    routeScope.run(req.routeScope, done);
  });
  app.addHook('preSerialization', async (req, reply, payload) => {
    const scope = req.routeScope;
    if (!scope?.partial || reply.statusCode !== 200 || payload === null || typeof payload !== 'object' || Array.isArray(payload)) return payload;
    const unavailable = [...scope.unavailable];
    void reply.header('x-facecore-partial', unavailable.length > 0 ? unavailable.join(',') : 'complete');
    return { ...payload, partial: unavailable.length > 0, unavailable_shards: unavailable };
  });
}
