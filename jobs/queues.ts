/**
 * Every pg-boss queue yesno uses, with its options. `startBoss` creates them in this order (a dead
 * letter queue must exist before the queue that names it) and converges their options on each start.
 *
 * Core only knows the names in `QUEUES` (core/notifications/types.ts); the rest are jobs/ internals.
 */
import type { Queue } from 'pg-boss';
import { QUEUES } from '../core/notifications/types.ts';
import { ORDER_FOLLOW_QUEUE } from '../core/trading/order-sync.ts';

/** Options of one queue, as pg-boss's `createQueue` takes them. */
export type QueueSettings = Omit<Queue, 'name'>;

/** One queue: its name and its options. */
export interface QueueDefinition {
  name: string;
  options: QueueSettings;
}

/** Where notification jobs go after their last retry; nobody works it, admins inspect or redrive it. */
export const NOTIFY_DEAD_QUEUE = 'notify-dead';
/** The once-a-minute outbox sweep (re-enqueues rows whose delivery job went missing). */
export const NOTIFY_SWEEP_QUEUE = 'notify-sweep';

/** The automation's slow housekeeping (price history trim + a backstop sweep), every 10 minutes. */
export const AUTOMATION_MAINTENANCE_QUEUE = 'automation-maintenance';

/** Every queue name jobs/ creates. */
export const QUEUE_NAMES = {
  ...QUEUES,
  notifyDead: NOTIFY_DEAD_QUEUE,
  notifySweep: NOTIFY_SWEEP_QUEUE,
  orderFollow: ORDER_FOLLOW_QUEUE,
  automationMaintenance: AUTOMATION_MAINTENANCE_QUEUE,
} as const;

const DAY = 24 * 60 * 60;

/**
 * The queues in creation order. `notify: true` makes an insert NOTIFY the listening workers inside
 * the inserting transaction, so delivery starts at commit instead of at the next poll.
 */
export const QUEUE_DEFINITIONS: readonly QueueDefinition[] = [
  {
    name: NOTIFY_DEAD_QUEUE,
    // Kept for a month so an operator can look at and redrive what failed.
    options: { retentionSeconds: 30 * DAY, deleteAfterSeconds: 7 * DAY, retryLimit: 0 },
  },
  {
    name: QUEUES.notify,
    options: {
      notify: true,
      // 1 s, 2 s, 4 s, ... (with jitter) up to 60 s between attempts; about two minutes in all.
      retryLimit: 6,
      retryDelay: 1,
      retryBackoff: true,
      retryDelayMax: 60,
      // A delivery that takes longer than this is abandoned (its job.signal aborts) and retried.
      expireInSeconds: 60,
      deleteAfterSeconds: DAY,
      deadLetter: NOTIFY_DEAD_QUEUE,
    },
  },
  {
    name: NOTIFY_SWEEP_QUEUE,
    options: { retryLimit: 0, expireInSeconds: 50, deleteAfterSeconds: 60 * 60 },
  },
  {
    name: QUEUES.orderSync,
    options: {
      notify: true,
      retryLimit: 5,
      retryDelay: 2,
      retryBackoff: true,
      retryDelayMax: 120,
      expireInSeconds: 120,
      deleteAfterSeconds: DAY,
    },
  },
  {
    // One polling job per open order (singletonKey = order id): `stately` keeps at most one queued and
    // one active per order, so the active job can enqueue its successor (core/trading/order-sync.ts).
    name: ORDER_FOLLOW_QUEUE,
    options: { policy: 'stately', retryLimit: 3, retryDelay: 5, expireInSeconds: 60, deleteAfterSeconds: DAY },
  },
  {
    name: AUTOMATION_MAINTENANCE_QUEUE,
    options: { retryLimit: 1, retryDelay: 30, expireInSeconds: 300, deleteAfterSeconds: DAY },
  },
];

/**
 * The definitions with per-queue overrides merged in (tests shorten retry delays this way; an
 * override of `undefined` drops the option), followed by any extra definitions.
 */
export function resolveQueueDefinitions(
  overrides: Partial<Record<string, Partial<QueueSettings>>> = {},
  extra: readonly QueueDefinition[] = [],
): QueueDefinition[] {
  const all = [...QUEUE_DEFINITIONS, ...extra];
  return all.map((def) => {
    const merged: Record<string, unknown> = { ...def.options, ...(overrides[def.name] ?? {}) };
    // An override of `undefined` removes the option (e.g. retryDelayMax when turning backoff off).
    for (const key of Object.keys(merged)) if (merged[key] === undefined) delete merged[key];
    return { name: def.name, options: merged as QueueSettings };
  });
}
