import pg from 'pg';
import { startEmbeddedPostgres } from '../core/db/embedded.ts';
const h = await startEmbeddedPostgres({ dataDir: '/tmp/embtest/pg', port: 55432, fast: true });
// monkeypatch pg.Client.prototype.query to log queries returning oid 18 columns
const orig = pg.Client.prototype.query as any;
(pg.Client.prototype as any).query = function (...args: any[]) {
  const r = orig.apply(this, args);
  if (r && typeof r.then === 'function') r.then((res: any) => { const f = res?.fields?.filter((x: any) => x.dataTypeID === 18); if (f?.length) console.log('CHAR COLS', f.map((x: any)=>x.name), String(args[0]?.text ?? args[0]).slice(0, 3000)); }, () => {});
  return r;
};
const { checkMigrations } = await import('../prisma/migrate.ts');
try { await checkMigrations(h.url, { migrationsDir: '/tmp/embtest/mig' }); } catch (e) { console.log('ERR', (e as Error).message.split('\n')[0]); } finally { await h.stop(); }
