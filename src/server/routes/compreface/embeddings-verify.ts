// Verification with embeddings the client computed (CompreFace 1.2): against one stored face
// (/recognition/embeddings/faces/{image_id}/verify) or against a source embedding
// (/verification/embeddings/verify). Results come in the order the embeddings were sent, each
// echoing its input, with CompreFace's calibrated similarity.
import type { FastifyInstance } from 'fastify';
import { notFound } from '../../errors.js';
import { cosine } from '../../faces.js';
import type { ServerContext } from '../../context.js';
import { imageIdSchema } from '../../schemas.js';
import { similarityOf } from '../../similarity.js';
import { embeddingListSchema, embeddingRow, embeddingRows, embeddingSchema } from './embedding-input.js';

/** Each row of `unitRows` (row-major, unit) against `reference` (unit), as CompreFace answers it. */
function similarities(inputs: number[][], unitRows: Float32Array, reference: Float32Array, threshold: number) {
  const dim = reference.length;
  return { result: inputs.map((embedding, i) => ({ embedding, similarity: similarityOf(cosine(unitRows.subarray(i * dim, (i + 1) * dim), reference), threshold) })) };
}

export function embeddingsVerifyRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post<{ Params: { image_id: string }; Body: { embeddings: number[][] } }>('/api/v1/recognition/embeddings/faces/:image_id/verify', {
    schema: {
      summary: 'Compare embeddings (computed with this server\'s model) with one stored face',
      params: { type: 'object', required: ['image_id'], properties: { image_id: imageIdSchema } },
      body: { type: 'object', required: ['embeddings'], properties: { embeddings: embeddingListSchema(ctx.limits.embeddingsPerRequest) } },
    },
  }, async (req) => {
    const rows = embeddingRows('embeddings', req.body.embeddings, ctx.faces.dim);
    const collection = await ctx.collections.get(req.apiKey);
    const rec = await collection.getFace(req.params.image_id);
    if (!rec) throw notFound(`image_id: no face ${req.params.image_id} in this collection`);
    return similarities(req.body.embeddings, rows, rec.vector, ctx.faces.verifyThreshold);
  });

  app.post<{ Body: { source: number[]; targets: number[][] } }>('/api/v1/verification/embeddings/verify', {
    schema: {
      summary: 'Compare target embeddings with a source embedding (both computed with this server\'s model)',
      body: {
        type: 'object', required: ['source', 'targets'],
        properties: { source: embeddingSchema, targets: embeddingListSchema(ctx.limits.embeddingsPerRequest) },
      },
    },
  }, async (req) => {
    const dim = ctx.faces.dim;
    const source = embeddingRow('source', req.body.source, dim);
    const targets = embeddingRows('targets', req.body.targets, dim);
    return similarities(req.body.targets, targets, source, ctx.faces.verifyThreshold);
  });
}
