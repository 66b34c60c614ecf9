import { openDatabase } from '../core/db/client.ts';
const db = await openDatabase({ DATA_DIR: '/tmp/embtest/app2', EMBEDDED_PG_PORT: 55460 }, { info: (m) => console.log(m) });
console.log('listeners SIGTERM', process.listenerCount('SIGTERM'), 'exit', process.listenerCount('exit'));
process.on('SIGTERM', async () => {
  console.log('app: draining…');
  await new Promise((r) => setTimeout(r, 500));
  console.log('app: still can query after 500 ms:', await db.prisma.user.count());
  await db.close();
  console.log('app: closed');
  process.exit(0);
});
setTimeout(() => process.kill(process.pid, 'SIGTERM'), 100);
setInterval(() => {}, 1000);
