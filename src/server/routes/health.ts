// GET /health (liveness + what is loaded) and GET /metrics (Prometheus text).
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';

export function healthRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/health', { schema: { summary: 'Liveness and the loaded models' } }, async () => ({
    status: 'ok',
    version: ctx.version,
    detector: ctx.faces.analyzer.detector.name,
    recognizer: ctx.faces.analyzer.recognizer.id,
    dim: ctx.faces.dim,
    thresholds: { verify: ctx.faces.verifyThreshold, group: ctx.faces.groupThreshold },
    collections: ctx.keys.size,
  }));

  app.get('/metrics', { schema: { summary: 'Prometheus metrics: requests, latencies, queue depth' } }, async (_req, reply) => {
    reply.type('text/plain; version=0.0.4');
    return ctx.metrics.text();
  });
}
