/**
 * Queue statistics for /admin and /metrics (QueueStatsPort), read from pg-boss.
 */
import type { PgBoss } from 'pg-boss';
import type { QueueStatsPort } from '../core/services.ts';

/**
 * One entry per queue. Counts come from `getQueueStats(name, { force: true })`: a fresh reading,
 * reused by pg-boss for a few seconds so a scraping /metrics does not re-aggregate on every call.
 */
export function createQueueStats(boss: PgBoss): QueueStatsPort {
  return {
    async stats() {
      const queues = await boss.getQueues();
      const names = queues.map((q) => q.name).sort();
      return Promise.all(
        names.map(async (queue) => {
          const [s] = await boss.getQueueStats(queue, { force: true });
          return {
            queue,
            queued: s?.queuedCount ?? 0,
            active: s?.activeCount ?? 0,
            deferred: s?.deferredCount ?? 0,
            total: s?.totalCount ?? 0,
          };
        }),
      );
    },
  };
}
