// /api/v1/recognition/recognize (every face of an image against the collection's subjects)
// and /api/v1/recognition/embeddings/recognize (the same for embeddings the client computed).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { noFace } from '../../errors.js';
import type { ServerContext } from '../../context.js';
import { imageField } from '../../image-input.js';
import { faceQuerySchema, IMAGE_BODY, type FaceQuery } from '../../schemas.js';
import { similarityOf } from '../../similarity.js';
import { embeddingListSchema, embeddingRows } from './embedding-input.js';
import { faceJson, pluginsVersions } from './face-json.js';

const predictionCount = { type: 'integer', minimum: 1, maximum: 100, default: 1, description: 'Subjects answered per face, best first' } as const;

export function recognizeRoutes(app: FastifyInstance, ctx: ServerContext): void {
  /** Per query row, the best subjects with CompreFace similarities. */
  async function subjectsFor(req: FastifyRequest, vectors: Float32Array, k: number) {
    const collection = await ctx.collections.get(req.apiKey);
    const t = ctx.faces.verifyThreshold;
    const hits = await collection.searchLabels(vectors, k, req.routeScope);
    return hits.map((row) => row.map((h) => ({ subject: h.label, similarity: similarityOf(h.score, t) })));
  }

  app.post<{ Querystring: FaceQuery }>('/api/v1/recognition/recognize', {
    schema: {
      summary: 'Recognise every face of an image', description: IMAGE_BODY,
      querystring: { ...faceQuerySchema, properties: { ...faceQuerySchema.properties, prediction_count: predictionCount } },
    },
  }, async (req) => {
    const bytes = await imageField(req.body, 'file', ctx.limits.imagePixels);
    const { faces, ms } = await ctx.faces.faces(bytes, req.query.det_prob_threshold, req.query.limit);
    if (faces.length === 0) throw noFace();
    const dim = ctx.faces.dim;
    const vectors = new Float32Array(faces.length * dim);
    faces.forEach((f, i) => vectors.set(f.embedding, i * dim));
    const subjects = await subjectsFor(req, vectors, req.query.prediction_count ?? 1);
    return { result: faces.map((f, i) => ({ ...faceJson(f, req.query, ms), subjects: subjects[i] })), plugins_versions: pluginsVersions(ctx.version) };
  });

  app.post<{ Body: { embeddings: number[][] }; Querystring: { prediction_count?: number } }>('/api/v1/recognition/embeddings/recognize', {
    schema: {
      summary: 'Recognise embeddings (computed with this server\'s model)',
      querystring: { type: 'object', properties: { prediction_count: predictionCount } },
      body: {
        type: 'object', required: ['embeddings'],
        properties: { embeddings: embeddingListSchema(ctx.limits.embeddingsPerRequest) },
      },
    },
  }, async (req) => {
    const rows = req.body.embeddings;
    const vectors = embeddingRows('embeddings', rows, ctx.faces.dim);
    const subjects = await subjectsFor(req, vectors, req.query.prediction_count ?? 1);
    return { result: rows.map((embedding, i) => ({ embedding, similarities: subjects[i] })) };
  });
}
