/**
 * The notification path end to end on a real Postgres with real pg-boss: outbox row + job in one
 * Prisma transaction, LISTEN/NOTIFY wake-up, exactly-once delivery, retries, dead letter, sweep.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { PgBoss } from 'pg-boss';
import { createTestDatabase } from '../helpers/db.ts';
import type { PrismaClient } from '../../generated/prisma/client.ts';
import { QUEUES, type JobPort, type NotificationSink, type OutboxRow } from '../../core/notifications/types.ts';
import { writeOutbox } from '../../core/notifications/outbox.ts';
import {
  createBoss,
  createJobPort,
  createQueueStats,
  startBoss,
  startJobs,
  sweepOutbox,
  NOTIFY_DEAD_QUEUE,
  type JobsLog,
  type RunningJobs,
} from '../../jobs/index.ts';

// pino's logger is what main.ts passes; keep JobsLog compatible with it.
const log: JobsLog = pino({ level: process.env.LOG_LEVEL ?? 'silent' });

const RETRY_LIMIT = 2;

/** A sink that records every call; per-row scripts make it fail. */
class RecordingSink implements NotificationSink {
  readonly calls = new Map<string, number>();
  readonly delivered = new Map<string, { count: number; at: number }>();
  readonly failFirst = new Map<string, number>();
  readonly alwaysFail = new Set<string>();
  /** The row as the sink last saw it (e.g. its `silent` flag). */
  readonly seen = new Map<string, OutboxRow>();

  constructor(readonly name?: string) {}

  async deliver(row: OutboxRow): Promise<void> {
    this.seen.set(row.id, row);
    const n = (this.calls.get(row.id) ?? 0) + 1;
    this.calls.set(row.id, n);
    if (this.alwaysFail.has(row.id)) throw new Error(`sink down (call ${n})`);
    if (n <= (this.failFirst.get(row.id) ?? 0)) throw new Error(`429 Too Many Requests (call ${n})`);
    const prev = this.delivered.get(row.id);
    this.delivered.set(row.id, { count: (prev?.count ?? 0) + 1, at: prev?.at ?? performance.now() });
  }
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('jobs: notification delivery', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let prisma: PrismaClient;
  let boss: PgBoss;
  let jobs: RunningJobs;
  let port: JobPort;
  let userId: string;
  const sink = new RecordingSink();
  /** A second, named sink: exactly once per sink (deliveredVia). */
  const second = new RecordingSink('second');
  let seq = 0;

  /** Writes an outbox row and (unless jobs = 0) its notify job(s) in one transaction. */
  async function writeRow(opts: { jobs?: number; rollback?: boolean } = {}): Promise<{ id: string; committedAt: number; startedAt: number }> {
    const { jobs: jobCount = 1, rollback = false } = opts;
    let id = '';
    const startedAt = performance.now();
    const key = `test:${++seq}`;
    try {
      await prisma.$transaction(async (tx) => {
        const row = await tx.notificationOutbox.create({
          data: { userId, kind: 'text', dedupeKey: key, payload: { kind: 'text', text: key } },
        });
        id = row.id;
        for (let i = 0; i < jobCount; i++) {
          await port.send({ queue: QUEUES.notify, data: { outboxId: row.id }, tx, singletonKey: row.id });
        }
        if (rollback) throw new Error('roll back');
      });
    } catch (err) {
      if (!rollback) throw err;
    }
    return { id, committedAt: performance.now(), startedAt };
  }

  const notifyJobs = (outboxId: string) => boss.findJobs(QUEUES.notify, { data: { outboxId } });

  beforeAll(async () => {
    db = await createTestDatabase();
    prisma = db.prisma as PrismaClient;
    boss = createBoss({ connectionString: db.url, log, max: 4 });
    const queueOverrides = {
      // Immediate retries so the retry and dead-letter tests take about a second.
      [QUEUES.notify]: { retryLimit: RETRY_LIMIT, retryDelay: 0, retryBackoff: false, retryDelayMax: undefined },
    };
    await startBoss(boss, { queueOverrides });
    await startBoss(boss, { queueOverrides }); // idempotent
    port = createJobPort(boss);
    jobs = await startJobs({
      boss,
      prisma,
      sinks: [sink, second],
      log,
      workers: true,
      // A small channel budget (2 messages per 3 s) so the budget test is quick; rows of users without chats have none.
      notify: { notifyPollingIntervalSeconds: 0.5, sweep: false, chatBudget: { channelLimit: 2, windowMs: 3000 } },
    });
    userId = (await prisma.user.create({ data: { name: 'jobs-test' } })).id;
  }, 60_000);

  afterAll(async () => {
    await jobs?.stop();
    await db?.drop();
  }, 30_000);

  it('delivers a row committed with its job once, within a second of the commit', async () => {
    const sinceCommit: number[] = [];
    const sinceStart: number[] = [];
    for (let i = 0; i < 20; i++) {
      const { id, committedAt, startedAt } = await writeRow();
      const d = await waitFor('delivery', () => sink.delivered.get(id), 2000);
      sinceCommit.push(d.at - committedAt);
      sinceStart.push(d.at - startedAt);
      await sleep(20 + Math.random() * 30); // let the worker go idle, so each one measures the NOTIFY wake-up
    }
    const sorted = [...sinceCommit].sort((a, b) => a - b);
    const p50 = sorted[Math.floor(sorted.length / 2)]!;
    const max = sorted.at(-1)!;
    console.log(
      `[jobs-notify] commit→delivered over ${sorted.length} rows: p50 ${p50.toFixed(1)} ms, max ${max.toFixed(1)} ms ` +
        `(tx start→delivered max ${Math.max(...sinceStart).toFixed(1)} ms)`,
    );
    expect(max).toBeLessThan(1000);

    await sleep(300);
    for (const [id, d] of sink.delivered) expect(d.count, `row ${id}`).toBe(1);
    const last = await prisma.notificationOutbox.findMany({ where: { dedupeKey: { startsWith: 'test:' } } });
    for (const row of last) {
      expect(row.deliveredAt).not.toBeNull();
      expect(row.attempts).toBe(1);
    }
  }, 20_000);

  it('a rolled-back transaction leaves neither row nor job, and nothing is delivered', async () => {
    const { id } = await writeRow({ rollback: true });
    expect(id).not.toBe('');
    await sleep(700);
    expect(await prisma.notificationOutbox.findUnique({ where: { id } })).toBeNull();
    expect(await notifyJobs(id)).toEqual([]);
    expect(sink.calls.has(id)).toBe(false);
  });

  it('a job is invisible to the worker until its transaction commits, then runs at once', async () => {
    let id = '';
    let committedAt = 0;
    await prisma.$transaction(async (tx) => {
      const row = await tx.notificationOutbox.create({
        data: { userId, kind: 'text', dedupeKey: `test:${++seq}`, payload: { kind: 'text', text: 'slow tx' } },
      });
      id = row.id;
      await port.send({ queue: QUEUES.notify, data: { outboxId: id }, tx });
      await sleep(800); // longer than the worker's backstop poll
      expect(sink.calls.has(id)).toBe(false);
      expect(await notifyJobs(id)).toEqual([]); // not visible outside the transaction
      committedAt = performance.now();
    });
    const d = await waitFor('delivery after commit', () => sink.delivered.get(id));
    expect(d.at - committedAt).toBeLessThan(1000);
  }, 20_000);

  it("core's writeOutbox (rows + jobs in the caller's transaction) is delivered; a repeated dedupeKey is not", async () => {
    const entry = { userId, dedupeKey: `order:${crypto.randomUUID()}:filled`, payload: { kind: 'text' as const, text: 'filled' } };
    await prisma.$transaction((tx) => writeOutbox(tx, port, [entry]));
    await prisma.$transaction((tx) => writeOutbox(tx, port, [entry])); // the same fact again: skipped
    const row = await prisma.notificationOutbox.findUniqueOrThrow({ where: { dedupeKey: entry.dedupeKey } });
    await waitFor('delivery', () => sink.delivered.get(row.id));
    await sleep(300);
    expect(sink.calls.get(row.id)).toBe(1);
    expect(await notifyJobs(row.id)).toHaveLength(1);
  }, 20_000);

  it('duplicate jobs for one row deliver once', async () => {
    const { id } = await writeRow({ jobs: 3 });
    // and one more outside any transaction, as a sweep or a retry racing an expiry would add
    await port.send({ queue: QUEUES.notify, data: { outboxId: id } });
    await waitFor('all four jobs settled', async () => {
      const found = await notifyJobs(id);
      return found.length === 4 && found.every((j) => j.state === 'completed');
    });
    expect(sink.delivered.get(id)?.count).toBe(1);
    expect(sink.calls.get(id)).toBe(1);
    const row = await prisma.notificationOutbox.findUniqueOrThrow({ where: { id } });
    expect(row.attempts).toBe(1);
  }, 20_000);

  it('a sink that fails twice then succeeds: retried, delivered once, attempts recorded', async () => {
    // Script the failures before the job can run: write the row without a job, then enqueue.
    const { id } = await writeRow({ jobs: 0 });
    sink.failFirst.set(id, 2);
    await port.send({ queue: QUEUES.notify, data: { outboxId: id } });
    await waitFor('delivery after retries', () => sink.delivered.get(id), 8000);
    await waitFor('job completed', async () => (await notifyJobs(id)).every((j) => j.state === 'completed'));
    expect(sink.calls.get(id)).toBe(3);
    expect(sink.delivered.get(id)?.count).toBe(1);
    const row = await prisma.notificationOutbox.findUniqueOrThrow({ where: { id } });
    expect(row.deliveredAt).not.toBeNull();
    expect(row.attempts).toBe(3);
    expect(row.lastError).toContain('429');
    const [job] = await notifyJobs(id);
    expect(job?.retryCount).toBe(2);
  }, 20_000);

  it('a sink that always fails: after the retry limit the job lands in the dead letter queue', async () => {
    const { id } = await writeRow({ jobs: 0 });
    sink.alwaysFail.add(id);
    await port.send({ queue: QUEUES.notify, data: { outboxId: id } });
    const dead = await waitFor(
      'dead letter',
      async () => {
        const found = await boss.findJobs(NOTIFY_DEAD_QUEUE, { data: { outboxId: id } });
        return found.length > 0 ? found : undefined;
      },
      8000,
    );
    expect(dead).toHaveLength(1);
    expect(sink.calls.get(id)).toBe(RETRY_LIMIT + 1);
    expect(sink.delivered.has(id)).toBe(false);
    const [job] = await notifyJobs(id);
    expect(job?.state).toBe('failed');
    const row = await prisma.notificationOutbox.findUniqueOrThrow({ where: { id } });
    expect(row.deliveredAt).toBeNull();
    expect(row.attempts).toBe(RETRY_LIMIT + 1);
    expect(row.lastError).toContain('sink down');

    // The sweep leaves a dead-lettered row alone (it has used up its attempts).
    expect(await sweepOutbox({ boss, prisma, log, olderThanSeconds: 0 })).toBe(0);
    sink.alwaysFail.delete(id);
  }, 20_000);

  it('the sweep re-enqueues an undelivered row that has no pending job, once', async () => {
    const { id } = await writeRow({ jobs: 0 });
    await sleep(50);
    // Too young for the default threshold: left alone.
    expect(await sweepOutbox({ boss, prisma, log })).toBe(0);
    expect(await sweepOutbox({ boss, prisma, log, olderThanSeconds: 0 })).toBe(1);
    await waitFor('swept row delivered', () => sink.delivered.get(id));
    expect(await sweepOutbox({ boss, prisma, log, olderThanSeconds: 0 })).toBe(0);
    expect(sink.delivered.get(id)?.count).toBe(1);

    // A row whose job is still waiting (deferred) is not duplicated by the sweep.
    const deferred = await writeRow({ jobs: 0 });
    await port.send({ queue: QUEUES.notify, data: { outboxId: deferred.id }, startAfter: new Date(Date.now() + 60_000) });
    expect(await sweepOutbox({ boss, prisma, log, olderThanSeconds: 0 })).toBe(0);
    const [job] = await notifyJobs(deferred.id);
    expect(job?.state).toBe('created');
    expect(job?.startAfter.getTime()).toBeGreaterThan(Date.now() + 30_000);
  }, 20_000);

  it('exactly once per sink: a retry calls only the sinks that have not delivered (deliveredVia)', async () => {
    const { id } = await writeRow({ jobs: 0 });
    second.failFirst.set(id, 1);
    await port.send({ queue: QUEUES.notify, data: { outboxId: id } });
    await waitFor('both sinks delivered', () => sink.delivered.get(id) && second.delivered.get(id), 8000);
    expect(sink.calls.get(id)).toBe(1); // delivered on the first attempt, skipped on the retry
    expect(second.calls.get(id)).toBe(2);
    const row = await waitFor('row delivered', async () => {
      const r = await prisma.notificationOutbox.findUniqueOrThrow({ where: { id } });
      return r.deliveredAt ? r : undefined;
    });
    expect(row.deliveredVia).toEqual(['0', 'second']); // an unnamed sink is recorded by its index
    expect(row.attempts).toBe(2);
  }, 20_000);

  it("a channel over its budget: later rows are deferred to the next free slot, never dropped", async () => {
    const chatId = `budget-${crypto.randomUUID()}`;
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      await prisma.$transaction(async (tx) => {
        const row = await tx.notificationOutbox.create({
          data: { userId, kind: 'channel_alert', dedupeKey: `test:${++seq}`, payload: { kind: 'channel_alert', platform: 'telegram', chatId, text: `alert ${i}` } },
        });
        ids.push(row.id);
        await port.send({ queue: QUEUES.notify, data: { outboxId: row.id }, tx });
      });
      await sleep(30);
    }
    const t0 = performance.now();
    await waitFor('first two delivered', () => ids.slice(0, 2).every((id) => sink.delivered.has(id)), 2000);
    await sleep(500);
    expect(sink.delivered.has(ids[2]!)).toBe(false);
    expect(sink.delivered.has(ids[3]!)).toBe(false);
    const deferred = (await notifyJobs(ids[2]!)).find((j) => (j.data as { slot?: number }).slot !== undefined);
    expect(deferred?.startAfter.getTime()).toBeGreaterThan(Date.now() + 1000);
    await waitFor('the deferred two delivered', () => ids.slice(2).every((id) => sink.delivered.has(id)), 8000);
    const at = ids.map((id) => sink.delivered.get(id)!.at);
    expect(at[2]! - t0).toBeGreaterThan(2000); // waited for the window to move on
    for (const id of ids) expect(sink.delivered.get(id)!.count).toBe(1);
  }, 20_000);

  it("notification settings: fills 'off' are skipped, 'silent' reach the sinks flagged silent, state changes still arrive", async () => {
    const quiet = await prisma.user.create({ data: { name: 'quiet', notifySettings: { fills: 'off', orders: 'silent' } } });
    const hushed = await prisma.user.create({ data: { name: 'hushed', notifySettings: { fills: 'silent' } } });
    const orderId = crypto.randomUUID();
    const fill = { kind: 'order_fill', orderId, fillId: crypto.randomUUID(), price: '0.42', quantity: '10', fee: '0', late: false };
    const write = (uid: string, payload: object) =>
      prisma.$transaction(async (tx) => {
        const row = await tx.notificationOutbox.create({ data: { userId: uid, kind: (payload as { kind: string }).kind, dedupeKey: `test:${++seq}`, payload } });
        await port.send({ queue: QUEUES.notify, data: { outboxId: row.id }, tx });
        return row.id;
      });
    const offFill = await write(quiet.id, fill);
    const quietStatus = await write(quiet.id, { kind: 'order_status', orderId, status: 'filled', previous: 'pending' });
    const silentFill = await write(hushed.id, { ...fill, fillId: crypto.randomUUID() });
    await waitFor('status and silent fill delivered', () => sink.delivered.has(quietStatus) && sink.delivered.has(silentFill));
    expect(sink.seen.get(silentFill)?.silent).toBe(true);
    expect(sink.seen.get(quietStatus)?.silent).toBe(true); // orders: silent
    await waitFor('skipped fill marked delivered', async () => (await prisma.notificationOutbox.findUniqueOrThrow({ where: { id: offFill } })).deliveredAt);
    expect(sink.calls.has(offFill)).toBe(false);
  }, 20_000);

  it('queue stats list every queue with counts', async () => {
    const stats = await createQueueStats(boss).stats();
    const names = stats.map((s) => s.queue);
    expect(names).toEqual(expect.arrayContaining([QUEUES.notify, QUEUES.orderSync, NOTIFY_DEAD_QUEUE]));
    const notify = stats.find((s) => s.queue === QUEUES.notify)!;
    expect(notify.total).toBeGreaterThan(0);
    expect(notify.deferred).toBeGreaterThanOrEqual(1); // the deferred job above
    const dead = stats.find((s) => s.queue === NOTIFY_DEAD_QUEUE)!;
    expect(dead.queued).toBeGreaterThanOrEqual(1);
  });

  it('JobPort rejects a tx that is not a Prisma client', async () => {
    await expect(port.send({ queue: QUEUES.notify, data: {}, tx: {} })).rejects.toThrow(/Prisma transaction client/);
  });
});
