// /api/v1/verification/verify: the main face of source_image against every face of target_image.
import type { FastifyInstance } from 'fastify';
import { mainFace } from '../../../pipeline/main-face.js';
import { noFace } from '../../errors.js';
import { cosine } from '../../faces.js';
import type { ServerContext } from '../../context.js';
import { imageField } from '../../image-input.js';
import { faceQuerySchema, type FaceQuery } from '../../schemas.js';
import { similarityOf } from '../../similarity.js';
import { faceJson, pluginsVersions } from './face-json.js';

export function verifyRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post<{ Querystring: FaceQuery }>('/api/v1/verification/verify', {
    schema: {
      summary: 'Verify: is the source face in the target image?',
      description: 'Images as multipart fields `source_image` and `target_image`, or JSON {"source_image": "<base64>", "target_image": "<base64>"}',
      querystring: faceQuerySchema,
    },
  }, async (req) => {
    const [src, dst] = await Promise.all([imageField(req.body, 'source_image', ctx.limits.imagePixels), imageField(req.body, 'target_image', ctx.limits.imagePixels)]);
    const source = await ctx.faces.faces(src, req.query.det_prob_threshold);
    const sourceFace = mainFace(source.faces, source.width, source.height);
    if (!sourceFace) throw noFace();
    const target = await ctx.faces.faces(dst, req.query.det_prob_threshold, req.query.limit);
    if (target.faces.length === 0) throw noFace();
    const t = ctx.faces.verifyThreshold;
    return {
      result: [{
        source_image_face: faceJson(sourceFace, req.query, source.ms),
        face_matches: target.faces.map((f) => ({ ...faceJson(f, req.query, target.ms), similarity: similarityOf(cosine(sourceFace.embedding, f.embedding), t) })),
      }],
      plugins_versions: pluginsVersions(ctx.version),
    };
  });
}
