// JSON-schema pieces the CompreFace routes share (they validate the query and document it).
const BAD_CHARS = '^[^\\u0000]*$';

export const subjectSchema = { type: 'string', minLength: 1, maxLength: 256, pattern: BAD_CHARS } as const;
/** In list and delete, `subject=` (empty) means every subject, as in CompreFace. */
export const subjectFilterSchema = { type: 'string', maxLength: 256, pattern: BAD_CHARS } as const;
export const imageIdSchema = { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9-]+$' } as const;
export const detProbSchema = { type: 'number', minimum: 0, maximum: 1, description: 'Minimum detection score of a face (0..1)' } as const;
export const limitSchema = { type: 'integer', minimum: 0, maximum: 1000, default: 0, description: 'Faces answered per image, best first (0: all)' } as const;
export const facePluginsSchema = { type: 'string', maxLength: 200, description: "Comma-separated; 'calculator' adds each face's embedding, 'pose' its pitch/roll/yaw, 'landmarks' is always on; others are ignored" } as const;
export const statusSchema = { type: 'boolean', description: 'Add execution_time (ms) to each face' } as const;

/** Shared wording for routes taking an image. */
export const IMAGE_BODY = 'Image as multipart/form-data field `file`, or JSON {"file": "<base64>"}';

export interface FaceQuery {
  limit?: number;
  det_prob_threshold?: number;
  face_plugins?: string;
  status?: boolean;
  prediction_count?: number;
}

export const faceQuerySchema = {
  type: 'object',
  properties: { limit: limitSchema, det_prob_threshold: detProbSchema, face_plugins: facePluginsSchema, status: statusSchema },
} as const;
