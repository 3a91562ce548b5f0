// /api/v1/detection/detect: the faces of an image (no collection involved).
import type { FastifyInstance } from 'fastify';
import { noFace } from '../../errors.js';
import type { ServerContext } from '../../context.js';
import { imageField } from '../../image-input.js';
import { faceQuerySchema, IMAGE_BODY, type FaceQuery } from '../../schemas.js';
import { faceJson, pluginsVersions } from './face-json.js';

export function detectRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post<{ Querystring: FaceQuery }>('/api/v1/detection/detect', {
    schema: { summary: 'Detect faces', description: IMAGE_BODY, querystring: faceQuerySchema },
  }, async (req) => {
    const bytes = await imageField(req.body, 'file', ctx.limits.imagePixels);
    const { faces, ms } = await ctx.faces.faces(bytes, req.query.det_prob_threshold, req.query.limit);
    if (faces.length === 0) throw noFace();
    return { result: faces.map((f) => faceJson(f, req.query, ms)), plugins_versions: pluginsVersions(ctx.version) };
  });
}
