// Immich's machine-learning API (what Immich's server calls at MACHINE_LEARNING_URL):
// GET /ping and POST /predict with form fields `entries` (JSON: the tasks) and `image`.
// Only facial-recognition is served; other tasks (clip, ocr) get a 422 saying so.
//
// Immich stores face embeddings as vector(512). Ours are 128-d and L2-normalised; zero-padding
// to 512 keeps every norm and every cosine, so Immich's cosine distances are exactly ours:
// set Immich's facial-recognition maxDistance to 1 - (the recogniser's group threshold).
import type { FastifyInstance } from 'fastify';
import { ApiError, CODES, badRequest } from '../errors.js';
import type { ServerContext } from '../context.js';
import { imageField } from '../image-input.js';

export const IMMICH_DIM = 512;

interface FacialRecognitionTask {
  detection?: { modelName?: unknown; options?: { minScore?: unknown } };
  recognition?: { modelName?: unknown };
}

function parseEntries(raw: unknown): FacialRecognitionTask {
  if (typeof raw !== 'string') throw badRequest(`entries: expected a JSON string form field, got ${raw === undefined ? 'nothing' : typeof raw}`);
  let entries: unknown;
  try {
    entries = JSON.parse(raw);
  } catch {
    throw badRequest('entries: expected JSON, got text that does not parse');
  }
  if (entries === null || typeof entries !== 'object' || Array.isArray(entries)) throw badRequest('entries: expected a JSON object of tasks');
  const tasks = Object.keys(entries);
  const other = tasks.filter((t) => t !== 'facial-recognition');
  if (other.length > 0 || tasks.length === 0) {
    throw new ApiError(422, CODES.unsupported, `entries: facecore serves only 'facial-recognition', got ${tasks.map((t) => `'${t}'`).join(', ') || 'no task'}`);
  }
  const task = (entries as Record<string, unknown>)['facial-recognition'];
  if (task === null || typeof task !== 'object') throw badRequest("entries['facial-recognition']: expected an object");
  return task as FacialRecognitionTask;
}

/** The 128-d unit vector zero-padded to Immich's 512 (cosines unchanged), as Immich's JSON string. */
export function immichEmbedding(embedding: Float32Array): string {
  const out = new Array<number>(Math.max(IMMICH_DIM, embedding.length)).fill(0);
  embedding.forEach((v, i) => (out[i] = Math.round(v * 1e7) / 1e7));
  return JSON.stringify(out);
}

export function immichRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/ping', { schema: { summary: 'Immich ML liveness: answers pong' } }, async (_req, reply) => {
    reply.type('text/plain');
    return 'pong';
  });

  app.post('/predict', {
    schema: { summary: 'Immich ML: faces with 512-d (zero-padded) embeddings', description: 'multipart/form-data: `entries` (JSON string) and `image` (file)' },
  }, async (req) => {
    const body = req.body as Record<string, unknown> | undefined;
    const task = parseEntries(body?.entries);
    const minScore = task.detection?.options?.minScore ?? 0.7;
    if (typeof minScore !== 'number' || !(minScore >= 0 && minScore <= 1)) throw badRequest(`entries: detection.options.minScore: expected a number in [0, 1], got ${JSON.stringify(minScore)}`);
    const bytes = await imageField(body, 'image', ctx.limits.imagePixels);
    const { faces, width, height } = await ctx.faces.faces(bytes, minScore);
    return {
      'facial-recognition': faces.map((f) => ({
        boundingBox: { x1: Math.round(f.box[0]), y1: Math.round(f.box[1]), x2: Math.round(f.box[2]), y2: Math.round(f.box[3]) },
        embedding: immichEmbedding(f.embedding),
        score: f.score,
      })),
      imageHeight: height,
      imageWidth: width,
    };
  });
}
