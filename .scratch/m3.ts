import { startEmbeddedPostgres } from '../core/db/embedded.ts';
import { checkMigrations } from '../prisma/migrate.ts';
const h = await startEmbeddedPostgres({ dataDir: '/tmp/embtest/pg', port: 55432, fast: true });
try { console.log('check:', JSON.stringify(await checkMigrations(h.url, { log: (l) => console.log('LOG', l.slice(0, 500)), migrationsDir: '/tmp/embtest/mig' }))); }
catch (e) { console.log('ERR', e, (globalThis as any).lastPanic); }
finally { await h.stop(); }
