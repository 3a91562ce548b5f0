// PostgreSQL for the store tests: FACECORE_TEST_POSTGRES (set by .ci/run) names a server the
// tests must reach; unset, the default local one is tried and the suites skip, saying why, when
// it is not there. Each test gets its own database, dropped afterwards.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const postgresUrl = process.env.FACECORE_TEST_POSTGRES ?? 'postgres://facecore:facecore@127.0.0.1:5432/postgres';
const required = process.env.FACECORE_TEST_POSTGRES !== undefined;

async function probe(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (err) {
    return (err as Error).message;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const failure = await probe();
if (failure !== undefined && required) throw new Error(`FACECORE_TEST_POSTGRES=${postgresUrl} is set but unreachable: ${failure}`);
if (failure !== undefined) console.warn(`[facecore tests] PostgreSQL at ${postgresUrl} is unreachable (${failure}): store tests are skipped. Set FACECORE_TEST_POSTGRES to require it.`);

export const hasPostgres = failure === undefined;

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** Runs `run` on a connection to the test server's admin database. */
export async function admin<T>(run: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** A fresh, empty database on the test server (drop() removes it, ending its connections). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `facecore_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
