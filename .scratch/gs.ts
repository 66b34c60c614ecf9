import setup from '../test/helpers/global-setup.ts';
const t0 = performance.now();
const provided: Record<string, unknown> = {};
const teardown = await setup({ provide: (k: string, v: unknown) => { provided[k] = v; } } as any);
console.log('setup', Math.round(performance.now() - t0), provided);
const t1 = performance.now();
await teardown();
console.log('teardown', Math.round(performance.now() - t1));
process.on('exit', () => console.log('exit at', Math.round(performance.now() - t0)));
setTimeout(() => {
  const hs = (process as any)._getActiveHandles();
  console.log(hs.map((h: any) => h.constructor?.name + ' ' + (h.remotePort ?? '') + ' ' + (h._idleTimeout ?? '')));
}, 200).unref();
setTimeout(() => {
  console.log('resources', (process as any).getActiveResourcesInfo());
}, 300).unref();
