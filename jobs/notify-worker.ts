/**
 * Delivers notification outbox rows to the sinks (console, Telegram, Discord), exactly once per row.
 *
 * - Each `notify` job carries `{ outboxId }`. The row is locked (FOR UPDATE SKIP LOCKED) for the
 *   delivery, so two jobs for one row (a retry racing an expiry, a sweep duplicate) never both
 *   deliver; a row with `deliveredAt` set is skipped.
 * - A sink failure records `attempts` and `lastError` on the row and fails the job, so pg-boss
 *   retries it with backoff; after the queue's retryLimit the job moves to `notify-dead`.
 * - A sweep every minute re-enqueues rows that are old, undelivered and have no pending job.
 * - Exactly once per sink: each sink that delivered a row is recorded in `deliveredVia`, so a retry
 *   after a partial failure calls only the sinks that have not delivered it yet.
 * - The user's notification settings apply (core/notifications/settings.ts): "off" rows are marked
 *   delivered without calling the sinks; "silent" rows reach the sinks with `silent: true`.
 * - A per-chat budget (jobs/chat-budget.ts): a row whose chat is over budget is not dropped; its
 *   job is sent again to start at the chat's next free slot.
 */
import type { Job, JobResult, PgBoss, WorkOptions } from 'pg-boss';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { QUEUES, type NotificationPayload, type NotificationSink, type OutboxRow } from '../core/notifications/types.ts';
import { deliveryMode, readNotifySettings } from '../core/notifications/settings.ts';
import type { JobsLog } from './boss.ts';
import { ChatBudget, type ChatBudgetOptions } from './chat-budget.ts';
import { NOTIFY_SWEEP_QUEUE, QUEUE_DEFINITIONS } from './queues.ts';

/** Job data of the notify queue. */
export interface NotifyJobData {
  outboxId: string;
  /** A budget slot (ms) reserved for this row when it was deferred: no second budget check. */
  slot?: number;
}

/** What happened to one delivery attempt. */
export type DeliveryOutcome = 'delivered' | 'already-delivered' | 'busy' | 'missing' | 'failed' | 'skipped' | 'deferred';

/** The name a sink is recorded under in `deliveredVia`. */
export function sinkName(sink: NotificationSink, index: number): string {
  return sink.name ?? String(index);
}

const MAX_ERROR_LENGTH = 2000;

export interface DeliverArgs {
  prisma: PrismaClient;
  sinks: readonly NotificationSink[];
  outboxId: string;
  log: JobsLog;
  signal?: AbortSignal;
  /** Longest a delivery may hold its row lock. Default 60 s (the queue's expireInSeconds). */
  timeoutMs?: number;
  /** The per-chat budget; none = unlimited. */
  budget?: ChatBudget;
  /** Set when this row already holds a budget slot (a deferred job). */
  slot?: number;
}

/**
 * Delivers one outbox row to every sink, under a row lock. Returns the outcome; a sink failure is
 * recorded on the row and returned as `{ outcome: 'failed', error }` (the caller fails the job).
 */
export async function deliverOutboxRow(args: DeliverArgs): Promise<{ outcome: DeliveryOutcome; error?: Error; retryAt?: Date }> {
  const { prisma, sinks, outboxId, log, signal, timeoutMs = 60_000, budget, slot } = args;
  const result = await prisma.$transaction(
    async (tx) => {
      const locked = await tx.$queryRaw<{ id: string }[]>`
        SELECT id FROM "NotificationOutbox" WHERE id = ${outboxId}::uuid FOR UPDATE SKIP LOCKED`;
      if (locked.length === 0) {
        const exists = await tx.notificationOutbox.findUnique({ where: { id: outboxId }, select: { id: true } });
        return { outcome: exists ? ('busy' as const) : ('missing' as const) };
      }
      const row = await tx.notificationOutbox.findUniqueOrThrow({
        where: { id: outboxId },
        include: { user: { select: { notifySettings: true, identities: { select: { platform: true, externalId: true } } } } },
      });
      if (row.deliveredAt) return { outcome: 'already-delivered' as const };
      if (signal?.aborted) return { outcome: 'failed' as const, error: new Error('delivery aborted before start') };
      const payload = row.payload as unknown as NotificationPayload;
      const mode = payload.kind === 'channel_alert' ? 'send' : deliveryMode(payload, readNotifySettings(row.user.notifySettings));
      if (mode === 'skip') {
        await tx.notificationOutbox.update({ where: { id: outboxId }, data: { deliveredAt: new Date() } });
        return { outcome: 'skipped' as const };
      }
      if (budget && slot === undefined) {
        const chats =
          payload.kind === 'channel_alert'
            ? [{ key: `${payload.platform}:${payload.chatId}`, kind: 'channel' as const }]
            : row.user.identities.map((i) => ({ key: `${i.platform}:dm:${i.externalId}`, kind: 'user' as const }));
        const now = Date.now();
        const at = chats.length ? budget.reserve(chats, now) : now;
        if (at > now) return { outcome: 'deferred' as const, retryAt: new Date(at) };
      }

      const outboxRow: OutboxRow = {
        id: row.id,
        userId: row.userId,
        kind: row.kind,
        dedupeKey: row.dedupeKey,
        orderId: row.orderId,
        payload,
        createdAt: row.createdAt,
        ...(mode === 'silent' ? { silent: true } : {}),
      };
      // Sinks that delivered this row on an earlier attempt are not called again.
      const pending = sinks.map((sink, i) => ({ sink, name: sinkName(sink, i) })).filter((s) => !row.deliveredVia.includes(s.name));
      const settled = await Promise.allSettled(pending.map(({ sink }) => sink.deliver(outboxRow)));
      const failures = settled.flatMap((s) => (s.status === 'rejected' ? [toError(s.reason)] : []));
      const deliveredVia = [...row.deliveredVia, ...pending.filter((_, i) => settled[i]!.status === 'fulfilled').map((s) => s.name)];
      if (failures.length === 0) {
        await tx.notificationOutbox.update({
          where: { id: outboxId },
          data: { deliveredAt: new Date(), attempts: { increment: 1 }, deliveredVia },
        });
        return { outcome: 'delivered' as const };
      }
      const error = failures.length === 1 ? failures[0]! : new AggregateError(failures, failures.map((f) => f.message).join('; '));
      await tx.notificationOutbox.update({
        where: { id: outboxId },
        data: { attempts: { increment: 1 }, lastError: error.message.slice(0, MAX_ERROR_LENGTH), deliveredVia },
      });
      return { outcome: 'failed' as const, error };
    },
    { maxWait: 10_000, timeout: timeoutMs },
  );
  if (result.outcome === 'missing') log.warn({ outboxId }, 'notify: outbox row not found, job dropped');
  if (result.outcome === 'busy') log.debug({ outboxId }, 'notify: row is being delivered by another job');
  return result;
}

function toError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}

export interface NotifyWorkerOptions {
  boss: PgBoss;
  prisma: PrismaClient;
  sinks: readonly NotificationSink[];
  log: JobsLog;
  /** Jobs per fetch, delivered in parallel (each holds one Prisma connection). Default 4. */
  batchSize?: number;
  /** Fetch loops in this process. Default 2. */
  localConcurrency?: number;
  /** Backstop poll while LISTEN/NOTIFY is up; it is what picks up retries. Default 1 s. */
  notifyPollingIntervalSeconds?: number;
  /** Sweep settings, or false for no sweep in this process. */
  sweep?: false | SweepSettings;
  /** Per-chat message budget (default: 60 a minute per private chat, 20 per group), or false for none. */
  chatBudget?: false | ChatBudgetOptions;
}

export interface SweepSettings {
  /** Cron of the sweep. Default every minute. */
  cron?: string;
  /** A row is stale when undelivered for this long. Default 60 s. */
  olderThanSeconds?: number;
  /** Rows older than this are given up on. Default 1 day. */
  maxAgeSeconds?: number;
  /** Rows per sweep. Default 200. */
  limit?: number;
}

/** Registers the notify worker (and the sweep's schedule and worker). Returns the worker ids. */
export async function startNotifyWorker(options: NotifyWorkerOptions): Promise<{ workerIds: string[] }> {
  const { boss, prisma, sinks, log, batchSize = 4, localConcurrency = 2, notifyPollingIntervalSeconds = 1 } = options;
  // A delivery holds its row lock at most as long as pg-boss lets the job run.
  const expireSeconds = (await boss.getQueue(QUEUES.notify))?.expireInSeconds ?? 60;
  const timeoutMs = expireSeconds * 1000;
  const budget = options.chatBudget === false ? undefined : new ChatBudget(options.chatBudget ?? {});

  const workOptions = {
    batchSize,
    localConcurrency,
    // Fallback when LISTEN is unavailable; with it, NOTIFY wakes the worker at commit.
    pollingIntervalSeconds: 0.5,
    notifyPollingIntervalSeconds,
    burstWhenBatchFull: true,
    perJobResults: true,
  } as const satisfies WorkOptions;

  const workerIds: string[] = [];
  workerIds.push(
    await boss.work<NotifyJobData>(QUEUES.notify, workOptions, async (jobs: Job<NotifyJobData>[]): Promise<JobResult[]> =>
      Promise.all(jobs.map((job) => handleNotifyJob({ job, boss, prisma, sinks, log, timeoutMs, budget }))),
    ),
  );

  if (options.sweep !== false) {
    const sweep = options.sweep ?? {};
    await boss.schedule(NOTIFY_SWEEP_QUEUE, sweep.cron ?? '* * * * *', {}, {});
    workerIds.push(
      await boss.work(NOTIFY_SWEEP_QUEUE, { pollingIntervalSeconds: 5 }, async () => {
        await sweepOutbox({ boss, prisma, log, ...sweep });
      }),
    );
  }
  return { workerIds };
}

async function handleNotifyJob(args: {
  job: Job<NotifyJobData>;
  boss: PgBoss;
  prisma: PrismaClient;
  sinks: readonly NotificationSink[];
  log: JobsLog;
  timeoutMs: number;
  budget?: ChatBudget;
}): Promise<JobResult> {
  const { job, boss, prisma, sinks, log, timeoutMs, budget } = args;
  const outboxId = job.data?.outboxId;
  if (typeof outboxId !== 'string' || !UUID.test(outboxId)) {
    log.error({ jobId: job.id, data: job.data }, 'notify: job without a valid outboxId');
    return { id: job.id, status: 'deadletter', output: { message: 'invalid job data' } };
  }
  try {
    const slot = typeof job.data.slot === 'number' ? job.data.slot : undefined;
    const { outcome, error, retryAt } = await deliverOutboxRow({ prisma, sinks, outboxId, log, signal: job.signal, timeoutMs, budget, slot });
    if (outcome === 'deferred' && retryAt) {
      // Over the chat's budget: the same row again at its reserved slot (never dropped).
      await boss.send(QUEUES.notify, { outboxId, slot: retryAt.getTime() } satisfies NotifyJobData, { startAfter: retryAt, singletonKey: outboxId });
      log.debug({ outboxId, retryAt }, 'notify: chat over budget, delivery deferred');
      return { id: job.id, status: 'completed', output: { outcome, retryAt: retryAt.toISOString() } };
    }
    if (outcome === 'failed') {
      log.warn({ outboxId, jobId: job.id, retryCount: job.retryCount, err: error }, 'notify: delivery failed, will retry');
      return { id: job.id, status: 'failed', output: { message: error?.message ?? 'delivery failed' } };
    }
    return { id: job.id, status: 'completed', output: { outcome } };
  } catch (err) {
    // Database trouble (lock wait, lost connection): nothing was recorded, pg-boss retries.
    log.error({ outboxId, jobId: job.id, err }, 'notify: delivery errored');
    return { id: job.id, status: 'failed', output: { message: toError(err).message } };
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const PENDING_STATES = new Set(['created', 'retry', 'active']);

/** Attempts after which a row counts as dead-lettered: the notify queue's retryLimit + 1. */
async function maxAttemptsOf(boss: PgBoss): Promise<number> {
  const queue = await boss.getQueue(QUEUES.notify);
  const retryLimit = queue?.retryLimit ?? QUEUE_DEFINITIONS.find((q) => q.name === QUEUES.notify)?.options.retryLimit ?? 2;
  return retryLimit + 1;
}

/**
 * Re-enqueues outbox rows that are undelivered, older than `olderThanSeconds`, not given up on
 * (younger than `maxAgeSeconds`, fewer attempts than the retry limit allows) and without a pending
 * notify job. Returns how many were re-enqueued. Safe to run anywhere, any time: the worker's row
 * lock and `deliveredAt` check keep delivery exactly-once.
 */
export async function sweepOutbox(args: { boss: PgBoss; prisma: PrismaClient; log: JobsLog } & SweepSettings): Promise<number> {
  const { boss, prisma, log, olderThanSeconds = 60, maxAgeSeconds = 24 * 60 * 60, limit = 200 } = args;
  const now = Date.now();
  const maxAttempts = await maxAttemptsOf(boss);
  const stale = await prisma.notificationOutbox.findMany({
    where: {
      deliveredAt: null,
      attempts: { lt: maxAttempts },
      createdAt: { lt: new Date(now - olderThanSeconds * 1000), gt: new Date(now - maxAgeSeconds * 1000) },
    },
    orderBy: { createdAt: 'asc' },
    take: limit,
    select: { id: true },
  });
  let requeued = 0;
  for (const { id } of stale) {
    const jobs = await boss.findJobs<NotifyJobData>(QUEUES.notify, { data: { outboxId: id }, limit: 20 });
    if (jobs.some((j) => PENDING_STATES.has(j.state))) continue;
    await boss.send(QUEUES.notify, { outboxId: id } satisfies NotifyJobData, { singletonKey: id });
    requeued += 1;
  }
  if (requeued > 0) log.warn({ requeued, stale: stale.length }, 'notify sweep: re-enqueued outbox rows without a pending job');
  return requeued;
}
