/**
 * Per-test-file databases: a fresh clone of the migrated template built by ./global-setup.ts.
 *
 *   let db: TestDatabase;
 *   beforeAll(async () => { db = await createTestDatabase(); });
 *   afterAll(async () => { await db?.drop(); });
 *   it('…', async () => { await db.prisma.user.create({ data: { name: 'ann' } }); });
 *
 * Cloning (`CREATE DATABASE … TEMPLATE yesno_template`) takes tens of milliseconds, so each file
 * (or even each test) can have its own database and files can run in parallel.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import type { PrismaClient } from '../../generated/prisma/client.ts';
import { createPrisma } from '../../core/db/client.ts';

/** An isolated, migrated database. */
export interface TestDatabase {
  /** Database name, `t_<run>_<random>`. */
  name: string;
  /** Connection string (e.g. for pg-boss or a second client). */
  url: string;
  /** Prisma client over `url`. */
  prisma: PrismaClient;
  /** Disconnects `prisma` and drops the database (closing any other connection to it). */
  drop(): Promise<void>;
}

/** Creates a fresh database cloned from the migrated template. */
export async function createTestDatabase(opts: { poolMax?: number } = {}): Promise<TestDatabase> {
  const adminUrl = inject('pgAdminUrl');
  const name = `t_${inject('pgRunId')}_${randomBytes(5).toString('hex')}`;
  await adminQuery(adminUrl, `CREATE DATABASE "${name}" TEMPLATE "${inject('pgTemplate')}"`);
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  const prisma = createPrisma(url, opts);
  let dropped = false;
  return {
    name,
    url,
    prisma,
    async drop() {
      if (dropped) return;
      dropped = true;
      await prisma.$disconnect();
      await adminQuery(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
