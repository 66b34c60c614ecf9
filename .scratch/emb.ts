import { startEmbeddedPostgres } from '../core/db/embedded.ts';
import pg from 'pg';
const t = performance.now();
const h = await startEmbeddedPostgres({ dataDir: process.argv[2]!, port: Number(process.argv[3]), fast: process.argv[4]==='fast', log: (l) => console.log('LOG', l.slice(0,200)) });
console.log('ready', Math.round(performance.now()-t), h.timings, h.url);
const c = new pg.Client(h.url); await c.connect();
console.log((await c.query("select version(), current_setting('fsync') fsync, current_setting('server_encoding') enc, datcollate, datlocprovider, datlocale from pg_database where datname=current_database()")).rows);
await c.end();
if (process.argv[5] === 'hang') { console.log('hanging'); setInterval(() => {}, 1000); } else if (process.argv[5] !== 'nostop') { const t2=performance.now(); await h.stop(); console.log('stopped', Math.round(performance.now()-t2)); }
else { console.log('leaving running'); process.exit(0); }
