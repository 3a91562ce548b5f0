// A facecore server on 127.0.0.1:<free port> over a fresh data directory, for the server tests.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createServer, type ServerOptions } from '../../src/server/app.js';
import { FaceAnalyzer } from '../../src/pipeline/face-analyzer.js';
import { sharedData } from '../helpers/shared.js';

export const KEY = 'test-key-0123456789';
export const OTHER_KEY = 'other-key-0123456789';

export interface Running {
  app: FastifyInstance;
  url: string;
  port: number;
  dataDir: string;
  close(): Promise<void>;
}

let analyzer: Promise<FaceAnalyzer> | undefined;
/** One analyzer per test file (loading models is the slow part). */
export const sharedAnalyzer = () => (analyzer ??= FaceAnalyzer.create());

export async function startServer(options: Partial<ServerOptions> = {}): Promise<Running> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'facecore-serve-'));
  const app = await createServer({ dataDir, apiKeys: [KEY, OTHER_KEY], analyzer: await sharedAnalyzer(), ...options });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  return { app, url: `http://127.0.0.1:${port}`, port, dataDir, close: () => app.close() };
}

/** deepface photos (labels.csv): img1/img2/img4 Angelina Jolie, img3/img12 another woman, img8/img9 a man. */
export const photo = (name: string) => sharedData('deepface', name);
