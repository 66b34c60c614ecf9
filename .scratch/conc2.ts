import { startEmbeddedPostgres } from '../core/db/embedded.ts';
import pg from 'pg';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
const h = await startEmbeddedPostgres({ dataDir: '/tmp/embtest/pg', port: 55432, fast: true });
const c = new pg.Client(h.url); await c.connect();
for (let round = 0; round < 3; round++) {
  await c.query('DROP DATABASE IF EXISTS conc2 WITH (FORCE)'); await c.query('CREATE DATABASE conc2');
  const u = new URL(h.url); u.pathname = '/conc2';
  const run = () => promisify(execFile)('node_modules/.bin/tsx', ['prisma/migrate.ts', 'deploy'], { env: { ...process.env, DATABASE_URL: u.toString() } }).then((r) => r.stdout.trim(), (e) => 'ERR ' + String(e.stderr || e).slice(0, 400));
  console.log(await Promise.all([run(), run(), run()]));
}
await c.end(); await h.stop();
