const orig = globalThis.setTimeout;
(globalThis as any).setTimeout = function (fn: any, ms: number, ...a: any[]) {
  if (ms >= 1000) console.log('setTimeout', ms, new Error().stack?.split('\n').slice(2, 7).join(' | '));
  return orig(fn, ms, ...a);
};
await import('./gs.ts');
