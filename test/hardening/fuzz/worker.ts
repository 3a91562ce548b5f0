// Fuzz worker (a child process): runs calls [from, to) of a seed. Before each call it writes
// ">i" with a synchronous write, so a crash is pinned to its call; a failed check is "!<json>".
import fs from 'node:fs';
import { runCall } from './calls.js';

const [seed, from, to] = process.argv.slice(2).map(Number) as [number, number, number];
for (let i = from; i < to; i++) {
  fs.writeSync(1, `>${i}\n`);
  const failure = await runCall(seed, i);
  if (failure) fs.writeSync(1, `!${JSON.stringify(failure)}\n`);
}
fs.writeSync(1, 'done\n');
