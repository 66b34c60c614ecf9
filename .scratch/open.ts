import { openDatabase } from '../core/db/client.ts';
const lines: string[] = [];
const log = { info: (m: string) => { lines.push(m); console.log('INFO', m); } };
for (let i = 0; i < 2; i++) {
  const t = performance.now();
  const db = await openDatabase({ DATA_DIR: '/tmp/embtest/app2', EMBEDDED_PG_PORT: 55460 }, log);
  const ready = Math.round(performance.now() - t);
  console.log('openDatabase ms', ready, db.url, await db.prisma.user.count());
  await db.close();
}
