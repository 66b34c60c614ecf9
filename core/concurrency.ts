/**
 * A tiny concurrency limit: at most `max` of the wrapped tasks run at once, the rest wait in order.
 * For bursts that would otherwise exhaust the database pool (e.g. a thousand group alerts at once).
 *
 *   const limit = concurrencyLimit(4);
 *   await Promise.all(items.map((i) => limit(() => write(i))));
 */
export type Limit = <T>(task: () => Promise<T>) => Promise<T>;

export function concurrencyLimit(max: number): Limit {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (active < max) active++;
    else await new Promise<void>((resolve) => waiting.push(resolve)); // the slot is handed over, still counted
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}
