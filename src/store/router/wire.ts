// What a router and its shards say to each other over POST /internal/v1/search (the shard side
// is src/server/routes/internal-search.ts). Queries go as base64 float32 (vectors-wire.ts);
// scores come back as JSON numbers: a float32 widened to a double prints exactly, so the
// router merges the very scores each shard computed.

export const SEARCH_PATH = '/internal/v1/search';

export interface ShardSearchRequest {
  /** Query rows of the shards' model dimension, as base64 of their little-endian float32 bytes (what a router sends). */
  vectors?: string;
  /** The same rows as JSON numbers, one array each (instead of `vectors`). */
  embeddings?: number[][];
  k: number;
  minScore?: number;
  /** Answer the top-k faces (default true). */
  faces?: boolean;
  /** Answer the top-k subjects by their best face (aggregate 'max'; default false). */
  labels?: boolean;
  /** Store-backed shards: answer once every store change numbered <= after is applied (read-your-writes through a router). */
  after?: number;
}

export interface WireFaceHit {
  id: string;
  subject: string;
  score: number;
  /** The face's store sequence number (meta.seq); null when the face has none. */
  seq: number | null;
}

export interface WireLabelHit {
  subject: string;
  /** The subject's best face on this shard. */
  score: number;
}

export interface ShardSearchAnswer {
  faces?: WireFaceHit[][];
  labels?: WireLabelHit[][];
}
