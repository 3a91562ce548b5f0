// The OpenAPI 3 document, built from the routes' own JSON schemas (collected as they are
// registered), so the document and the validation cannot drift apart.
import type { FastifyInstance, RouteOptions } from 'fastify';

interface Schema {
  summary?: string;
  description?: string;
  querystring?: { properties?: Record<string, object>; required?: string[] };
  params?: { properties?: Record<string, object>; required?: string[] };
  body?: object;
}

const PUBLIC = new Set(['/ping', '/predict', '/health', '/metrics', '/openapi.json', '/']);

function parameters(where: 'query' | 'path', s: Schema['querystring']): object[] {
  return Object.entries(s?.properties ?? {}).map(([name, schema]) => ({ name, in: where, required: where === 'path' || (s?.required ?? []).includes(name), schema }));
}

export function collectOpenApi(app: FastifyInstance, version: string): () => object {
  const paths: Record<string, Record<string, object>> = {};
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).filter((m) => m !== 'HEAD');
    const s = (route.schema ?? {}) as Schema;
    const url = route.url.replace(/:(\w+)/g, '{$1}');
    for (const m of methods) {
      (paths[url] ??= {})[m.toLowerCase()] = {
        summary: s.summary,
        ...(s.description ? { description: s.description } : {}),
        parameters: [...parameters('path', s.params), ...parameters('query', s.querystring)],
        ...(s.body ? { requestBody: { content: { 'application/json': { schema: s.body } } } } : {}),
        ...(PUBLIC.has(route.url) ? { security: [] } : {}),
        responses: { 200: { description: 'OK' }, 400: { description: '{ message, code }' }, 401: { description: 'missing or wrong x-api-key' } },
      };
    }
  });
  return () => ({
    openapi: '3.0.3',
    info: { title: 'facecore serve: CompreFace-compatible and Immich ML API', version },
    components: { securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' } } },
    security: [{ apiKey: [] }],
    paths,
  });
}
