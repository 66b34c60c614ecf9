import { startEmbeddedPostgres } from '../core/db/embedded.ts';
import { applyMigrations, checkMigrations, createMigration } from '../prisma/migrate.ts';
const h = await startEmbeddedPostgres({ dataDir: '/tmp/embtest/pg', port: 55432, fast: true });
const log = (l: string) => console.log('LOG', l.slice(0, 300));
try {
  let t = performance.now();
  console.log('check (no migrations):', JSON.stringify((await checkMigrations(h.url, { log, migrationsDir: '/tmp/embtest/mig' })).slice(0, 200)), Math.round(performance.now()-t));
  t = performance.now();
  console.log('create:', await createMigration(h.url, 'init', { log, migrationsDir: '/tmp/embtest/mig' }), Math.round(performance.now()-t));
  t = performance.now();
  console.log('check:', JSON.stringify(await checkMigrations(h.url, { log, migrationsDir: '/tmp/embtest/mig' })), Math.round(performance.now()-t));
  t = performance.now();
  console.log('apply:', await applyMigrations(h.url, { log, migrationsDir: '/tmp/embtest/mig' }), Math.round(performance.now()-t));
  t = performance.now();
  console.log('apply again:', await applyMigrations(h.url, { log, migrationsDir: '/tmp/embtest/mig' }), Math.round(performance.now()-t));
} finally { await h.stop(); }
