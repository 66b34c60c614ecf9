/**
 * prisma/migrations vs prisma/schema.prisma, through the offline wasm migrate wrapper.
 * "no drift" is the test that fails when someone edits the schema without `migrate.ts dev <name>`.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import {
  DEFAULT_MIGRATIONS_DIR,
  DEFAULT_SCHEMA_PATH,
  applyMigrations,
  checkMigrations,
  createMigration,
} from '../../prisma/migrate.ts';

const adminUrl = inject('pgAdminUrl');

async function admin<T>(sql: string, url = adminUrl): Promise<pg.QueryResult & { rows: T[] }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

/** An empty database (not cloned from the template), dropped in afterAll. */
async function emptyDatabase(): Promise<string> {
  const name = `t_${inject('pgRunId')}_empty_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE "${name}"`);
  created.push(name);
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}
const created: string[] = [];

let migrationNames: string[];
let tmp: string;

beforeAll(async () => {
  migrationNames = (await fs.readdir(DEFAULT_MIGRATIONS_DIR, { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'yesno-migrations-'));
});

afterAll(async () => {
  for (const name of created) await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

describe('prisma/migrations', () => {
  it('has a lock file for postgresql and at least the init migration', async () => {
    expect(await fs.readFile(path.join(DEFAULT_MIGRATIONS_DIR, 'migration_lock.toml'), 'utf8')).toContain('provider = "postgresql"');
    expect(migrationNames.length).toBeGreaterThan(0);
    expect(migrationNames[0]).toMatch(/^\d{14}_init$/);
  });

  it('apply to an empty database, are recorded in _prisma_migrations, and applying again is a no-op', async () => {
    const url = await emptyDatabase();
    expect(await applyMigrations(url)).toEqual(migrationNames);

    const { rows } = await admin<{ migration_name: string; finished: boolean }>(
      'SELECT migration_name, finished_at IS NOT NULL AS finished FROM _prisma_migrations ORDER BY migration_name',
      url,
    );
    expect(rows).toEqual(migrationNames.map((migration_name) => ({ migration_name, finished: true })));
    const tables = await admin<{ n: number }>(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public' AND tablename = 'Order'`, url);
    expect(tables.rows[0]?.n).toBe(1);

    expect(await applyMigrations(url)).toEqual([]);
  });

  it('match schema.prisma: no drift', async () => {
    const drift = await checkMigrations(adminUrl);
    expect(drift, `schema.prisma and prisma/migrations disagree; run \`npx tsx prisma/migrate.ts dev <name>\`. Missing SQL:\n${drift}`).toBe('');
  });
});

describe('migrate.ts on a changed schema', () => {
  it('reports the drift, writes a migration for it, and is in sync afterwards', async () => {
    const schemaPath = path.join(tmp, 'schema.prisma');
    const schema = await fs.readFile(DEFAULT_SCHEMA_PATH, 'utf8');
    const changed = schema.replace(/(model Setting \{\n)/, '$1  note      String?\n');
    expect(changed).not.toBe(schema);
    await fs.writeFile(schemaPath, changed);
    const migrationsDir = path.join(tmp, 'migrations');
    await fs.cp(DEFAULT_MIGRATIONS_DIR, migrationsDir, { recursive: true });

    const drift = await checkMigrations(adminUrl, { schemaPath, migrationsDir });
    expect(drift).toMatch(/ALTER TABLE "Setting" ADD COLUMN\s+"note" TEXT/);

    const name = await createMigration(adminUrl, 'Add setting note', { schemaPath, migrationsDir });
    expect(name).toMatch(/^\d{14}_add_setting_note$/);
    expect(await fs.readFile(path.join(migrationsDir, name!, 'migration.sql'), 'utf8')).toContain('"note" TEXT');
    expect(await checkMigrations(adminUrl, { schemaPath, migrationsDir })).toBe('');
    expect(await createMigration(adminUrl, 'nothing', { schemaPath, migrationsDir })).toBeNull();

    const url = await emptyDatabase();
    expect(await applyMigrations(url, { migrationsDir })).toEqual([...migrationNames, name]);
  });

  it('applies a script with semicolons inside literals, and a failing migration leaves nothing behind', async () => {
    const migrationsDir = path.join(tmp, 'scripts');
    await fs.mkdir(path.join(migrationsDir, '20000101000000_a'), { recursive: true });
    await fs.writeFile(
      path.join(migrationsDir, '20000101000000_a', 'migration.sql'),
      `CREATE TABLE "T" (v text);\nINSERT INTO "T" VALUES ('a;b');\nCOMMENT ON TABLE "T" IS $$x;y$$;\n`,
    );
    const url = await emptyDatabase();
    expect(await applyMigrations(url, { migrationsDir })).toEqual(['20000101000000_a']);
    expect((await admin<{ v: string }>('SELECT v FROM "T"', url)).rows).toEqual([{ v: 'a;b' }]);

    await fs.mkdir(path.join(migrationsDir, '20000102000000_b'));
    await fs.writeFile(path.join(migrationsDir, '20000102000000_b', 'migration.sql'), `CREATE TABLE "U" (v int);\nSELECT no_such_function();\n`);
    await expect(applyMigrations(url, { migrationsDir })).rejects.toThrow(/no_such_function/);
    const u = await admin<{ n: number }>(`SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'U'`, url);
    expect(u.rows[0]?.n).toBe(0);
  });
});
