// /api/v1/recognition/faces: a key's face collection (add, list, delete, verify against one face).
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { noFace, notFound } from '../../errors.js';
import { cosine } from '../../faces.js';
import { imageField } from '../../image-input.js';
import type { ServerContext } from '../../context.js';
import { detProbSchema, faceQuerySchema, IMAGE_BODY, imageIdSchema, subjectFilterSchema as subjectFilter, subjectSchema, type FaceQuery } from '../../schemas.js';
import { similarityOf } from '../../similarity.js';
import { faceJson } from './face-json.js';

const BASE = '/api/v1/recognition/faces';
const idParams = { type: 'object', required: ['image_id'], properties: { image_id: imageIdSchema } } as const;

export function facesRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post<{ Querystring: { subject: string; det_prob_threshold?: number } }>(BASE, {
    schema: {
      summary: 'Add a face (the image\'s main face) to a subject', description: IMAGE_BODY,
      querystring: { type: 'object', required: ['subject'], properties: { subject: subjectSchema, det_prob_threshold: detProbSchema } },
    },
  }, async (req, reply) => {
    const bytes = await imageField(req.body, 'file', ctx.limits.imagePixels);
    const face = await ctx.faces.mainFace(bytes, req.query.det_prob_threshold);
    const collection = await ctx.collections.get(req.apiKey);
    const image_id = randomUUID();
    const { subject } = req.query;
    // 2xx only once the face is durable (and searchable through this process).
    await collection.addFace(image_id, subject, face.embedding, { added: Date.now() });
    reply.code(201);
    return { image_id, subject };
  });

  app.get<{ Querystring: { page: number; size: number; subject?: string } }>(BASE, {
    schema: {
      summary: 'List the faces of the collection (paged)',
      querystring: {
        type: 'object',
        properties: {
          page: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 },
          size: { type: 'integer', minimum: 1, maximum: 1000, default: 20 },
          subject: subjectFilter,
        },
      },
    },
  }, async (req) => {
    const collection = await ctx.collections.get(req.apiKey);
    const { page, size } = req.query;
    const subject = req.query.subject || undefined;
    const { faces: found, total } = await collection.listFaces({ subject, offset: page * size, limit: size });
    const faces = found.map((r) => ({ image_id: r.id, subject: r.subject }));
    return { faces, page_number: page, page_size: size, total_pages: Math.ceil(total / size), total_elements: total };
  });

  app.delete<{ Querystring: { subject?: string } }>(BASE, {
    schema: { summary: 'Delete the faces of a subject (or all faces without ?subject)', querystring: { type: 'object', properties: { subject: subjectFilter } } },
  }, async (req) => {
    const collection = await ctx.collections.get(req.apiKey);
    const subject = req.query.subject || undefined;
    const deleted = await collection.deleteFaces(subject);
    return { deleted };
  });

  app.delete<{ Params: { image_id: string } }>(`${BASE}/:image_id`, { schema: { summary: 'Delete one face', params: idParams } }, async (req) => {
    const collection = await ctx.collections.get(req.apiKey);
    const { image_id } = req.params;
    const gone = await collection.deleteFace(image_id);
    if (!gone) throw notFound(`image_id: no face ${image_id} in this collection`);
    return { image_id, subject: gone.subject };
  });

  app.post<{ Body: string[] }>(`${BASE}/delete`, {
    schema: { summary: 'Delete several faces by image_id', body: { type: 'array', maxItems: 1000, items: imageIdSchema } },
  }, async (req) => {
    const collection = await ctx.collections.get(req.apiKey);
    const found = await collection.deleteFacesById(req.body);
    return found.map((r) => ({ image_id: r.id, subject: r.subject }));
  });

  app.post<{ Params: { image_id: string }; Querystring: FaceQuery }>(`${BASE}/:image_id/verify`, {
    schema: { summary: 'Compare each face of an image with one stored face', description: IMAGE_BODY, params: idParams, querystring: faceQuerySchema },
  }, async (req) => {
    const collection = await ctx.collections.get(req.apiKey);
    const rec = await collection.getFace(req.params.image_id);
    if (!rec) throw notFound(`image_id: no face ${req.params.image_id} in this collection`);
    const bytes = await imageField(req.body, 'file', ctx.limits.imagePixels);
    const { faces, ms } = await ctx.faces.faces(bytes, req.query.det_prob_threshold, req.query.limit);
    if (faces.length === 0) throw noFace();
    const t = ctx.faces.verifyThreshold;
    return {
      result: faces.map((f) => ({ ...faceJson(f, req.query, ms), subject: rec.label, similarity: similarityOf(cosine(f.embedding, rec.vector), t) })),
    };
  });
}
