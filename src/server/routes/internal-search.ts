// POST /internal/v1/search: the shard side of the router (src/store/router/). Per query, the
// exact top-k faces of the key's collection with each face's seq (the store's number; for a
// file-backed collection, meta.seq when a face has one), and with `labels` the top-k subjects
// by their best face: from these lists a router merges exactly what one index holding every
// shard's faces would answer (merge.ts says why).
import type { FastifyInstance } from 'fastify';
import type { Meta } from '../../gallery/row-store.js';
import type { ShardSearchAnswer, ShardSearchRequest } from '../../store/router/wire.js';
import { SEARCH_PATH } from '../../store/router/wire.js';
import type { ShardReplica } from '../../store/replica.js';
import type { ServerContext } from '../context.js';
import { badRequest } from '../errors.js';
import { decodeVectors } from '../../store/router/vectors-wire.js';

/** The store's sequence number of a face, when its meta carries one. */
const seqOf = (meta: Meta | undefined) => (typeof meta?.seq === 'number' ? meta.seq : null);

/** The rows as one Float32Array, each checked to hold `dim` finite numbers. */
function queryRows(rows: number[][], dim: number): Float32Array {
  const out = new Float32Array(rows.length * dim);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (row.length !== dim) throw badRequest(`embeddings[${i}]: expected ${dim} numbers (this server's model), got ${row.length}`);
    if (!row.every(Number.isFinite)) throw badRequest(`embeddings[${i}]: expected finite numbers`);
    out.set(row, i * dim);
  }
  return out;
}

export function internalSearchRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post<{ Body: ShardSearchRequest }>(SEARCH_PATH, {
    schema: {
      summary: 'Shard search for a router: exact top-k faces (with seq) and subjects',
      body: {
        type: 'object', required: ['k'], additionalProperties: false,
        properties: {
          // base64 float32 rows: at most embeddingsPerRequest rows of 4096 numbers (decodeVectors checks the model's dim).
          vectors: { type: 'string', minLength: 1, maxLength: Math.ceil((ctx.limits.embeddingsPerRequest * 4096 * 4) / 3) * 4 },
          embeddings: { type: 'array', minItems: 1, maxItems: ctx.limits.embeddingsPerRequest, items: { type: 'array', items: { type: 'number' }, maxItems: 4096 } },
          k: { type: 'integer', minimum: 1, maximum: 1000 },
          minScore: { type: 'number', minimum: -1, maximum: 1 },
          faces: { type: 'boolean', default: true },
          labels: { type: 'boolean', default: false },
          after: { type: 'integer', minimum: 0 },
        },
      },
    },
  }, async (req): Promise<ShardSearchAnswer> => {
    const { vectors, embeddings, k, minScore, faces, labels, after } = req.body;
    if ((vectors === undefined) === (embeddings === undefined)) throw badRequest('expected the queries as either vectors (base64 float32) or embeddings (arrays of numbers), not both or neither');
    let queries: Float32Array;
    try {
      queries = vectors !== undefined ? decodeVectors('vectors', vectors, ctx.faces.dim, ctx.limits.embeddingsPerRequest) : queryRows(embeddings!, ctx.faces.dim);
    } catch (err) {
      throw err instanceof RangeError || err instanceof TypeError ? badRequest((err as Error).message) : err;
    }
    // A router's own earlier write: wait for this process's replica to have it (store-backed only).
    const { replica } = ctx.collections as { replica?: ShardReplica };
    if (after !== undefined && replica) await replica.waitFor(after);
    const collection = await ctx.collections.get(req.apiKey);
    // The top-k above minScore is the top-k, then cut at minScore (hits come best first).
    const above = <T extends { score: number }>(row: T[]) => (minScore === undefined ? row : row.filter((h) => h.score >= minScore));
    const [faceHits, labelHits] = await Promise.all([faces ? collection.search(queries, k) : undefined, labels ? collection.searchLabels(queries, k) : undefined]);
    const answer: ShardSearchAnswer = {};
    if (faceHits) {
      answer.faces = await Promise.all(faceHits.map(async (row) => Promise.all(above(row).map(async (h) => ({
        id: h.id, subject: h.label, score: h.score, seq: h.seq ?? seqOf((await collection.getFace(h.id))?.meta),
      })))));
    }
    if (labelHits) answer.labels = labelHits.map((row) => above(row).map((h) => ({ subject: h.label, score: h.score })));
    return answer;
  });
}
