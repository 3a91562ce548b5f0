// The inference thread: onnxruntime-node's InferenceSession.run (1.30) executes synchronously
// on the calling thread (its Promise only defers the start with setImmediate), so a 200 ms model
// run would freeze the event loop. Every session therefore lives in one worker thread; the main
// thread sends it inputs and gets outputs back. One thread for all models also means one model
// runs at a time, so onnxruntime's intra-op pools never compete with each other.
//
// The worker's code is a plain CommonJS script given as a string (it needs no build step and
// works from src/ under vitest as from dist/); it loads onnxruntime-node by resolved path.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ort = require(workerData.ortPath);
const sessions = new Map();
const meta = (m) => ({ name: m.name, isTensor: m.isTensor, shape: m.isTensor ? m.shape : [] });
async function handle(msg) {
  switch (msg.op) {
    case 'load': {
      const session = await ort.InferenceSession.create(msg.model, msg.options);
      sessions.set(msg.session, session);
      return { inputs: session.inputMetadata.map(meta), outputs: session.outputMetadata.map(meta) };
    }
    case 'run': {
      const session = sessions.get(msg.session);
      if (!session) throw new Error('the session was disposed');
      const t0 = performance.now();
      const out = await session.run({ [msg.input]: new ort.Tensor('float32', msg.data, msg.dims) });
      const ms = performance.now() - t0;
      const outputs = session.outputNames.map((n) => ({ data: out[n].data, dims: Array.from(out[n].dims) }));
      // Each output owns its whole ArrayBuffer (onnxruntime-node 1.30): hand them over instead of copying.
      const moved = new Set(outputs.filter((o) => o.data.byteOffset === 0 && o.data.byteLength === o.data.buffer.byteLength).map((o) => o.data.buffer));
      return { result: { ms, outputs }, transfer: [...moved] };
    }
    case 'release': {
      const session = sessions.get(msg.session);
      sessions.delete(msg.session);
      if (session) await session.release();
      return null;
    }
    default:
      throw new Error('unknown op ' + msg.op);
  }
}
// A buffer that cannot move (one a future onnxruntime backs with native memory) is copied instead.
function send(id, result, transfer) {
  try {
    parentPort.postMessage({ id, result }, transfer);
  } catch {
    parentPort.postMessage({ id, result });
  }
}
parentPort.on('message', (msg) => {
  handle(msg).then(
    (reply) => (reply && reply.transfer ? send(msg.id, reply.result, reply.transfer) : send(msg.id, reply, [])),
    (err) => parentPort.postMessage({ id: msg.id, error: String(err && err.message || err) }),
  );
});
`;

export interface ValueInfo {
  name: string;
  isTensor: boolean;
  shape: readonly (number | string)[];
}

export interface OutputTensor {
  data: Float32Array;
  dims: number[];
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

let worker: Worker | undefined;
let nextId = 1;
const pending = new Map<number, Pending>();

function start(): Worker {
  const require = createRequire(import.meta.url);
  const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { ortPath: require.resolve('onnxruntime-node') } });
  w.on('message', (msg: { id: number; result?: unknown; error?: string }) => {
    const job = pending.get(msg.id);
    if (job === undefined) return;
    pending.delete(msg.id);
    if (pending.size === 0) w.unref();
    if (msg.error !== undefined) job.reject(new Error(msg.error));
    else job.resolve(msg.result);
  });
  const fail = (err: Error) => {
    if (worker === w) worker = undefined;
    for (const job of pending.values()) job.reject(new Error(`onnxruntime inference thread stopped: ${err.message}`));
    pending.clear();
  };
  w.on('error', fail);
  w.on('exit', (code) => fail(new Error(`exit code ${code}`)));
  w.unref();
  return w;
}

/**
 * Sends one request to the inference thread (started on first use; idle, it does not keep the
 * process alive). Buffers in `transfer` move there instead of being copied (detached here).
 */
export function request<T>(msg: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<T> {
  worker ??= start();
  const w = worker;
  const id = nextId++;
  return new Promise<T>((resolve, reject) => {
    pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    w.ref();
    w.postMessage({ ...msg, id }, transfer);
  });
}
