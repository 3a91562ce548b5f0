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
    // 2xx only after the index's log record is fsynced (FaceIndex durability 'fsync').
    await collection.exclusive(async () => {
      await collection.index.add([image_id], face.embedding, { labels: [subject], meta: [{ added: Date.now() }] });
      await collection.addSubject(subject);
    });
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
    const all = [...collection.index.entries()].filter((r) => subject === undefined || r.label === subject);
    const faces = all.slice(page * size, (page + 1) * size).map((r) => ({ image_id: r.id, subject: r.label }));
    return { faces, page_number: page, page_size: size, total_pages: Math.ceil(all.length / size), total_elements: all.length };
  });

  app.delete<{ Querystring: { subject?: string } }>(BASE, {
    schema: { summary: 'Delete the faces of a subject (or all faces without ?subject)', querystring: { type: 'object', properties: { subject: subjectFilter } } },
  }, async (req) => {
    const collection = await ctx.collections.get(req.apiKey);
    const subject = req.query.subject || undefined;
    const deleted = await collection.exclusive(async () => {
      const ids = [...collection.index.entries()].filter((r) => subject === undefined || r.label === subject).map((r) => r.id);
      return ids.length === 0 ? 0 : collection.index.remove(ids);
    });
    return { deleted };
  });

  app.delete<{ Params: { image_id: string } }>(`${BASE}/:image_id`, { schema: { summary: 'Delete one face', params: idParams } }, async (req) => {
    const collection = await ctx.collections.get(req.apiKey);
    const { image_id } = req.params;
    return collection.exclusive(async () => {
      const rec = collection.index.get(image_id);
      if (!rec) throw notFound(`image_id: no face ${image_id} in this collection`);
      await collection.index.remove([image_id]);
      return { image_id, subject: rec.label };
    });
  });

  app.post<{ Body: string[] }>(`${BASE}/delete`, {
    schema: { summary: 'Delete several faces by image_id', body: { type: 'array', maxItems: 1000, items: imageIdSchema } },
  }, async (req) => {
    const collection = await ctx.collections.get(req.apiKey);
    return collection.exclusive(async () => {
      const found = req.body.map((id) => collection.index.get(id)).filter((r) => r !== undefined);
      if (found.length > 0) await collection.index.remove(found.map((r) => r.id));
      return found.map((r) => ({ image_id: r.id, subject: r.label }));
    });
  });

  app.post<{ Params: { image_id: string }; Querystring: FaceQuery }>(`${BASE}/:image_id/verify`, {
    schema: { summary: 'Compare each face of an image with one stored face', description: IMAGE_BODY, params: idParams, querystring: faceQuerySchema },
  }, async (req) => {
    const collection = await ctx.collections.get(req.apiKey);
    const rec = collection.index.get(req.params.image_id);
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
