/**
 * Background work of the monitors (fires, exits): started without being awaited by the price sync,
 * so a slow venue never delays the evaluation of the next update; tracked so tests can wait for it
 * (idle) and shutdown can let it finish (drain).
 */
export interface AutomationLog {
  debug?(obj: unknown, msg?: string): void;
  info?(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

export class Background {
  private readonly running = new Set<Promise<unknown>>();

  constructor(private readonly log?: AutomationLog) {}

  /** Runs `task` in the background; its failure is logged (recovery jobs pick up what it left). */
  run(context: string, task: () => Promise<unknown>): void {
    const p: Promise<unknown> = Promise.resolve()
      .then(task)
      .catch((err) => this.log?.error({ err, context }, 'automation background task failed'))
      .finally(() => this.running.delete(p));
    this.running.add(p);
  }

  /** Resolves when nothing is running (including work started while waiting). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  get size(): number {
    return this.running.size;
  }
}

/**
 * A notice written only if the work it announces takes longer than `delayMs` (a slow venue): on the
 * fast path the outcome's message says it instead (one message, not two), and nothing competes with
 * the order on its way to the venue.
 */
export function delayedNotice(delayMs: number, write: () => Promise<unknown>, log?: AutomationLog): { settle(): Promise<boolean> } {
  let started: Promise<boolean> | null = null;
  const timer = setTimeout(() => {
    started = write().then(
      () => true,
      (err) => {
        log?.warn({ err }, 'automation: writing a notice failed; it goes with the outcome');
        return false;
      },
    );
  }, delayMs);
  return {
    /** Cancels the notice if not started; resolves true when it was written on its own. */
    async settle() {
      clearTimeout(timer);
      return started ? await started : false;
    },
  };
}
