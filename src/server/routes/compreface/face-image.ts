// GET /api/v1/recognition/faces/{image_id}/img: CompreFace returns the enrolled photo. facecore
// stores each face's embedding and never the photo (less personal data at rest, and no second
// store to keep in step with every delete path), so a known face answers 501 saying so and an
// unknown one 404, both in CompreFace's { message, code } shape.
import type { FastifyInstance } from 'fastify';
import { ApiError, CODES, notFound } from '../../errors.js';
import type { ServerContext } from '../../context.js';
import { imageIdSchema } from '../../schemas.js';

export function faceImageRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get<{ Params: { image_id: string } }>('/api/v1/recognition/faces/:image_id/img', {
    schema: {
      summary: 'Download an enrolled image: not offered (facecore keeps embeddings, not photos)',
      params: { type: 'object', required: ['image_id'], properties: { image_id: imageIdSchema } },
    },
  }, async (req) => {
    const collection = await ctx.collections.get(req.apiKey);
    if ((await collection.getFace(req.params.image_id)) === undefined) throw notFound(`image_id: no face ${req.params.image_id} in this collection`);
    throw new ApiError(501, CODES.unsupported, `image_id: facecore keeps each face's embedding, not its image; there is no image of ${req.params.image_id} to download`);
  });
}
