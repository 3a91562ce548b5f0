// Errors the HTTP API answers with: CompreFace's { message, code } body and an HTTP status.
// Anything else thrown in a handler is mapped here, so a client never sees a 5xx for its own
// bad input (TypeError/RangeError from the library are the client's fault: 400).

/** An error with the HTTP status and CompreFace-style code to answer with. */
export class ApiError extends Error {
  constructor(readonly statusCode: number, readonly code: number, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

/** facecore's codes (CompreFace numbers its own the same way: one per kind of failure). */
export const CODES = {
  badRequest: 1,
  unauthorized: 2,
  notFound: 3,
  tooLarge: 4,
  busy: 5,
  unsupported: 6,
  unavailable: 7,  // a shard behind the router did not answer (src/store/router/)
  timeout: 8,  // an analysis ran over --inference-timeout (504)
  noFace: 28,  // CompreFace's "No face is found in the given image"
  internal: 0,
} as const;

export const noFace = () => new ApiError(400, CODES.noFace, 'No face is found in the given image');
export const badRequest = (message: string) => new ApiError(400, CODES.badRequest, message);
export const notFound = (message: string) => new ApiError(404, CODES.notFound, message);

interface FastifyishError {
  statusCode?: number;
  code?: string | number;
  message: string;
  validation?: unknown;
  headers?: Record<string, string>;
}

/** The status, body and headers for any error a request ended with. */
export function toResponse(err: unknown): { status: number; body: { message: string; code: number }; headers: Record<string, string> } {
  if (err instanceof ApiError) return { status: err.statusCode, body: { message: err.message, code: err.code }, headers: err.headers };
  const e = err as FastifyishError;
  // Library validation (decode, gallery, analyzer): the request carried something unusable.
  // (fastify's own errors are RangeErrors too, but carry their status.)
  const library = (err instanceof TypeError || err instanceof RangeError) && typeof e.statusCode !== 'number';
  const status = library ? 400 : typeof e?.statusCode === 'number' ? e.statusCode : 500;
  if (status === 413) return { status, body: { message: e.message, code: CODES.tooLarge }, headers: {} };
  if (status === 415) return { status, body: { message: e.message, code: CODES.unsupported }, headers: {} };
  if (status >= 400 && status < 500) return { status, body: { message: e.message, code: CODES.badRequest }, headers: {} };
  return { status: 500, body: { message: 'internal error', code: CODES.internal }, headers: {} };
}
