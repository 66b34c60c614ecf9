import fs from 'node:fs/promises';
import { startEmbeddedPostgres } from '../core/db/embedded.ts';
for (const fast of [false, true]) {
  for (let i = 0; i < 3; i++) {
    const dir = `/tmp/embtest/timing-${fast}-${i}`;
    await fs.rm(dir, { recursive: true, force: true });
    let t = performance.now();
    const a = await startEmbeddedPostgres({ dataDir: dir, port: 55480, fast });
    const cold = Math.round(performance.now() - t);
    t = performance.now(); await a.stop(); const stop = Math.round(performance.now() - t);
    t = performance.now();
    const b = await startEmbeddedPostgres({ dataDir: dir, port: 55480, fast });
    const warm = Math.round(performance.now() - t);
    await b.stop();
    console.log(JSON.stringify({ fast, cold, coldParts: a.timings, stop, warm, warmParts: b.timings }));
    await fs.rm(dir, { recursive: true, force: true });
  }
}
