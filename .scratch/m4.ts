import { startEmbeddedPostgres } from '../core/db/embedded.ts';
import { applyMigrations } from '../prisma/migrate.ts';
import pg from 'pg';
const h = await startEmbeddedPostgres({ dataDir: '/tmp/embtest/pg', port: 55432, fast: true });
const c = new pg.Client(h.url); await c.connect();
await c.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
try { console.log('apply:', await applyMigrations(h.url, { migrationsDir: process.argv[2] })); }
catch (e) { console.log('ERR', (e as Error).message.slice(0, 800)); }
console.log((await c.query(`select obj_description('"T"'::regclass) d`).catch(e=>({rows:[e.message]}))).rows);
console.log((await c.query(`select migration_name, finished_at is not null fin, logs from _prisma_migrations`)).rows);
await c.end(); await h.stop();
