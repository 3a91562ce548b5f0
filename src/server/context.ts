// What every route handler is given: the models, the collections, the limits.
import type { ApiKeys } from './auth.js';
import type { CollectionSource } from './collections.js';
import type { FaceService } from './faces.js';
import type { Limits } from './limits.js';
import type { Metrics } from './metrics.js';

export interface ServerContext {
  faces: FaceService;
  collections: CollectionSource;
  keys: ApiKeys;
  limits: Limits;
  metrics: Metrics;
  version: string;
}

declare module 'fastify' {
  /** OpenAPI words on a route (openapi.ts puts them in the document). */
  interface FastifySchema {
    summary?: string;
    description?: string;
  }
  interface FastifyRequest {
    /** The x-api-key that authenticated this request (routes under auth only). */
    apiKey: string;
  }
}
