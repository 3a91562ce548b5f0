// A router in front of shards, as processes, for the router tests and bench: collections
// written straight into FaceIndex files (one slice per shard, faces carrying meta.seq as the
// store stamps them), `facecore serve --data` per shard and `facecore serve --route` in front.
import type { ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { FaceIndex } from '../../src/gallery/face-index.js';
import { collectionStem } from '../../src/server/collections.js';
import { serveChild, type ServeChild } from '../helpers/serve-child.js';

export interface Face {
  id: string;
  subject: string;
  seq: number;
}

export { shardOf } from '../../src/store/shard.js';

/** Writes `faces` (rows of `vectors`, in seq order) as the key's collection under dataDir. */
export async function writeCollection(dataDir: string, key: string, faces: Face[], vectors: Float32Array, dim: number): Promise<void> {
  const index = await FaceIndex.open(path.join(dataDir, `${collectionStem(key)}.fci`), { dim });
  try {
    await index.add(faces.map((f) => f.id), vectors, { labels: faces.map((f) => f.subject), meta: faces.map((f) => ({ seq: f.seq })) });
  } finally {
    await index.close();
  }
}

/** A port free now (the test then starts a server on it, so a restart keeps its URL). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export type Served = ServeChild;

/** `facecore serve <args>` from a child tree (buildForChild) with `key`; give --port to keep the URL across restarts. */
export const serve = (tree: string, args: string[], key: string): Promise<Served> => serveChild(tree, args, { FACECORE_API_KEYS: key });

/** SIGKILL, resolved once the child is reaped (its port is then free). */
export function kill9(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
