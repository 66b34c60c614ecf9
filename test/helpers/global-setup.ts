/**
 * Vitest global setup (runs once, in the main process, before any test file).
 *
 * Starts ONE throw-away embedded PostgreSQL (fsync off) in a fresh temp directory, or uses the server
 * of TEST_DATABASE_URL when set, builds the template database `yesno_template` with every migration
 * applied, and hands the server to the test files through `project.provide` (read them with
 * `inject`, or simply call `createTestDatabase()` from ./db.ts). The returned teardown drops this
 * run's test databases and stops the server.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { freePort, startEmbeddedPostgres } from '../../core/db/embedded.ts';
import { applyMigrations } from '../../prisma/migrate.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the test server's `postgres` database (or TEST_DATABASE_URL): for CREATE/DROP DATABASE. */
    pgAdminUrl: string;
    /** Database every test database is cloned from (all migrations applied). */
    pgTemplate: string;
    /** Unique per `vitest run`; prefixes test database names so teardown only drops ours. */
    pgRunId: string;
  }
}

const TEMPLATE = 'yesno_template';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const t0 = performance.now();
  const runId = randomBytes(4).toString('hex');
  let adminUrl: string;
  let stopServer = async () => {};

  const external = process.env.TEST_DATABASE_URL;
  if (external) {
    adminUrl = external;
  } else {
    // mkdtemp makes a 0700 directory; the server runs as the `postgres` user and must traverse it.
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'yesno-test-pg-'));
    await fs.chmod(dir, 0o755);
    const server = await startEmbeddedPostgres({
      dataDir: path.join(dir, 'pg'),
      port: await freePort(),
      database: 'postgres',
      fast: true,
    });
    adminUrl = server.url;
    stopServer = async () => {
      await server.stop();
      await fs.rm(dir, { recursive: true, force: true });
    };
  }

  try {
    await admin(adminUrl, async (c) => {
      await c.query(`DROP DATABASE IF EXISTS "${TEMPLATE}" WITH (FORCE)`);
      await c.query(`CREATE DATABASE "${TEMPLATE}"`);
    });
    const templateUrl = new URL(adminUrl);
    templateUrl.pathname = `/${TEMPLATE}`;
    await applyMigrations(templateUrl.toString());
  } catch (error) {
    await stopServer();
    throw error;
  }

  project.provide('pgAdminUrl', adminUrl);
  project.provide('pgTemplate', TEMPLATE);
  project.provide('pgRunId', runId);
  if (process.env.TEST_DB_TIMINGS === '1') {
    console.log(`[global-setup] postgres + ${TEMPLATE} ready in ${Math.round(performance.now() - t0)} ms`);
  }

  return async () => {
    // Test files drop their own databases; this catches the ones a failed file left behind.
    await admin(adminUrl, async (c) => {
      const { rows } = await c.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`t\\_${runId}\\_%`]);
      for (const { datname } of rows) await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
      if (external) await c.query(`DROP DATABASE IF EXISTS "${TEMPLATE}" WITH (FORCE)`);
    }).catch((e: Error) => console.error(`[global-teardown] cleanup failed: ${e.message}`));
    await stopServer();
  };
}

async function admin(url: string, fn: (c: pg.Client) => Promise<void>): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await fn(client);
  } finally {
    await client.end();
  }
}

