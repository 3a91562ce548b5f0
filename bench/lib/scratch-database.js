// A throwaway PostgreSQL database for a bench: created on the admin server (FACECORE_BENCH_POSTGRES,
// else FACECORE_TEST_POSTGRES, else the local default) and dropped, connections and all, at the end.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const adminUrl = process.env.FACECORE_BENCH_POSTGRES ?? process.env.FACECORE_TEST_POSTGRES ?? 'postgres://facecore:facecore@127.0.0.1:5432/postgres';

async function adminQuery(sql) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** `{ url, drop() }` of a new empty database; rejects when the admin server cannot be reached. */
export async function createScratchDatabase() {
  const name = `facecore_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
