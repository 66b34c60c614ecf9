/**
 * Command handling in progress, per Telegram user. The sink waits for it before it looks for an
 * order's message: the reply that becomes the order's message (a confirmed quote) is recorded
 * moments after the order exists, and the order's first notification must edit it, not post anew.
 */
export class BusyTracker {
  private readonly work = new Map<string, Set<Promise<unknown>>>();

  track<T>(key: string, task: Promise<T>): Promise<T> {
    let set = this.work.get(key);
    if (!set) this.work.set(key, (set = new Set()));
    set.add(task);
    const done = () => {
      set.delete(task);
      if (set.size === 0 && this.work.get(key) === set) this.work.delete(key);
    };
    task.then(done, done);
    return task;
  }

  /** Resolves when the work of these users running now has finished, or after `timeoutMs`. */
  async settled(keys: string[], timeoutMs: number): Promise<void> {
    const tasks = keys.flatMap((k) => [...(this.work.get(k) ?? [])]);
    if (tasks.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled(tasks), new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
  }
}
