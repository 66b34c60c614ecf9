import setup from '../test/helpers/global-setup.ts';
import pg from 'pg';
const provided: Record<string, any> = {};
const teardown = await setup({ provide: (k: string, v: unknown) => { provided[k] = v; } } as any);
const c = new pg.Client(provided.pgAdminUrl); await c.connect();
for (const strategy of ['WAL_LOG', 'FILE_COPY']) {
  const ts: number[] = [];
  for (let i = 0; i < 5; i++) { const t = performance.now(); await c.query(`CREATE DATABASE x_${strategy}_${i} TEMPLATE yesno_template STRATEGY ${strategy}`); ts.push(Math.round(performance.now() - t)); }
  const d: number[] = [];
  for (let i = 0; i < 5; i++) { const t = performance.now(); await c.query(`DROP DATABASE x_${strategy}_${i} WITH (FORCE)`); d.push(Math.round(performance.now() - t)); }
  console.log(strategy, 'create ms', ts, 'drop ms', d);
}
// concurrency
const t = performance.now();
await Promise.all(Array.from({ length: 6 }, async (_, i) => { const k = new pg.Client(provided.pgAdminUrl); await k.connect(); await k.query(`CREATE DATABASE y_${i} TEMPLATE yesno_template`); await k.end(); }));
console.log('6 concurrent creates', Math.round(performance.now() - t));
for (let i = 0; i < 6; i++) await c.query(`DROP DATABASE y_${i}`);
await c.end(); await teardown();
