/**
 * `npm run bench:notify` (or `npx tsx bench/notify.ts`; `npm run bench` runs it after its own phases
 * unless BENCH_NOTIFY=0): notification latency and alert fan-out through the real Telegram path
 * (issue 4).
 *
 * The whole product (startYesno, pg-boss workers, the real grammY bot with auto-retry and the flood
 * throttle, the alert evaluator) runs in this process against an embedded PostgreSQL and the fake
 * Bot API server (test/fakes/telegram-server.ts), which records when every call arrived.
 *
 * 1. Fill notifications: market buys placed with core.trading.placeOrder (each fills at once, so the
 *    order's state change and its outbox rows are committed when placeOrder returns), paced at
 *    BENCH_NOTIFY_LOW_RATE orders/s (BENCH_NOTIFY_LOW_ORDERS orders) and then BENCH_NOTIFY_HIGH_RATE
 *    orders/s for BENCH_NOTIFY_HIGH_SECONDS. Latency = the moment the fake received the
 *    sendMessage/editMessageText in the user's private chat whose text says "order <short id>
 *    filled" − the moment placeOrder returned (also reported from the Order row's updatedAt).
 *    Every order is for a different user / private chat, so the per-chat limit (≈1 msg/s) is not
 *    what is measured; Telegram's overall limit (≈30 msg/s per bot, enforced by bots/telegram/
 *    throttle.ts) is, once the order rate exceeds it.
 * 2. Alert fan-out: BENCH_NOTIFY_CHANNELS group chats each subscribed (ChannelSubscription
 *    `price_above`) to one market; the synthetic walk is stopped, the market's YES price is moved
 *    across the level once (feed.setMid on every listing), and the time until the fake has received
 *    every group's message is measured, with the achieved messages/s and the limits checked from the
 *    fake's timestamps (max messages in any 1 s window overall, max per group in any 60 s window).
 *
 * Environment (all optional):
 *   BENCH_NOTIFY_LOW_RATE=1  BENCH_NOTIFY_LOW_ORDERS=20  BENCH_NOTIFY_HIGH_RATE=200  BENCH_NOTIFY_HIGH_SECONDS=5
 *   BENCH_NOTIFY_CHANNELS=1000   BENCH_NOTIFY_DRAIN_SECONDS=90 (longest wait for messages after a phase)
 *   BENCH_PG_FAST=0              1: embedded Postgres without fsync (not how the product runs)
 *
 * Target (issue 4): p99 under 1 s for fill notifications.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { pino } from 'pino';
import { loadConfig } from '../core/config.ts';
import { freePort, startEmbeddedPostgres } from '../core/db/embedded.ts';
import { Decimal } from '../core/money.ts';
import { startYesno, type Yesno } from '../main.ts';
import { FakeTelegramServer, privateChat, type FakeUser, type RecordedCall } from '../test/fakes/telegram-server.ts';

const env = process.env;
const num = (v: string | undefined, d: number) => (v && Number.isFinite(Number(v)) ? Number(v) : d);

export interface NotifyBenchOptions {
  lowRate: number;
  lowOrders: number;
  highRate: number;
  highSeconds: number;
  channels: number;
  drainSeconds: number;
  pgFast: boolean;
  log: (line: string) => void;
}

export interface Latency {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface FillPhase {
  targetRate: number;
  orders: number;
  placed: number;
  failed: number;
  achievedRate: number;
  /** Orders whose final message ("filled", or "failed" when the venue rejected it) arrived within the drain time. */
  delivered: number;
  /** Of those, orders the paper venue rejected (no liquidity left at the price): their "failed" message is timed the same way. */
  notFilled: number;
  /** placeOrder returned → "filled" message received by the fake. */
  fromReturn: Latency;
  /** Order.updatedAt (the state change's commit, DB clock = this machine) → message received. */
  fromUpdatedAt: Latency;
  /** placeOrder call → returned (the order's own latency, for context). */
  placeOrder: Latency;
  /** Max messages the fake received in any 1 s window during the phase (all chats). */
  maxPerSecond: number;
  /** From the first order to the last "filled" message. */
  spanMs: number;
}

export interface FanoutPhase {
  channels: number;
  delivered: number;
  /** setMid → the first / last group message received. */
  firstMs: number;
  lastMs: number;
  p50Ms: number;
  p99Ms: number;
  /** Messages per second between the first and the last group message. */
  rate: number;
  maxPerSecond: number;
  maxPerGroupPerMinute: number;
  duplicates: number;
  errors429: number;
  limitsOk: boolean;
}

export interface NotifyReport {
  setup: { users: number; cores: number; durable: boolean; startMs: number };
  fills: FillPhase[];
  fanout: FanoutPhase;
  target: { p99Ms: number; met: boolean; phases: { rate: number; p99: number; met: boolean }[] };
}

function summarise(xs: number[]): Latency {
  if (xs.length === 0) return { n: 0, p50: NaN, p95: NaN, p99: NaN, max: NaN };
  const s = Float64Array.from(xs).sort();
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
  return { n: s.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: s[s.length - 1]! };
}

/** The most timestamps inside any window of `ms` (timestamps sorted ascending). */
function maxInWindow(sorted: number[], ms: number): number {
  let best = 0;
  let j = 0;
  for (let i = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= ms) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

const isMessageCall = (c: RecordedCall) => c.ok && (c.method === 'sendMessage' || c.method === 'editMessageText');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const shortId = (id: string) => id.replace(/-/g, '').slice(0, 8);

export async function runNotifyBench(o: NotifyBenchOptions): Promise<NotifyReport> {
  const { log } = o;
  const highOrders = Math.round(o.highRate * o.highSeconds);
  const users = o.lowOrders + highOrders;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'yesno-bench-notify-'));
  await fs.chmod(dir, 0o755);
  const cleanup: (() => Promise<void> | void)[] = [() => fs.rm(dir, { recursive: true, force: true })];
  try {
    const server = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port: await freePort(), database: 'yesno_bench', fast: o.pgFast });
    cleanup.unshift(() => server.stop());
    log(`embedded PostgreSQL in ${dir} (${o.pgFast ? 'fsync OFF' : 'durable: fsync on, as the product runs'})`);

    const token = '4242:bench-notify';
    const fake = await FakeTelegramServer.start({ token });
    cleanup.unshift(() => fake.stop());
    const config = loadConfig({
      NODE_ENV: 'production',
      DATABASE_URL: server.url,
      DATA_DIR: path.join(os.tmpdir(), 'yesno-bench-unused'),
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: env.BENCH_LOG_LEVEL ?? 'error',
      // The walk refills the paper books consumed by the market buys; stopped for the fan-out.
      MARKET_TICK_MS: '200',
      // The synthetic catalog: never the venues' real endpoints (MARKET_DATA=auto would probe them).
      MARKET_DATA: 'synthetic',
      PAPER_BALANCE: '10000000',
      RATE_LIMIT_PER_MIN: '100000000',
      TELEGRAM_BOT_TOKEN: token,
      TELEGRAM_API_ROOT: fake.apiRoot,
    });
    const t0 = performance.now();
    const app: Yesno = await startYesno(config, { http: false, workers: true, log: pino({ level: config.LOG_LEVEL }) });
    cleanup.unshift(() => app.stop());
    const startMs = performance.now() - t0;
    log(`yesno started in ${startMs.toFixed(0)} ms with the Telegram bot against the fake Bot API (${app.telegram?.mode ?? 'no telegram!'})`);
    if (!app.telegram) throw new Error('bench:notify: the Telegram runtime did not start');

    // ---- users: one private chat each, opened by the person (the fake refuses chats never started) ----
    const userIds: { userId: string; chatId: string }[] = [];
    for (let i = 0; i < users; i += 50) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(50, users - i) }, async (_, k) => {
          const u: FakeUser = { id: 500_000 + i + k, first_name: `trader${i + k}` };
          fake.userSends({ from: u, chat: privateChat(u), text: 'hi', queue: false });
          const view = await app.core.users.ensureChatUser({ platform: 'telegram', externalId: String(u.id), name: u.first_name, chatId: String(u.id) });
          return { userId: view.id, chatId: String(u.id) };
        }),
      );
      userIds.push(...batch);
    }
    const markets = app.core.directory.all().filter((m) => m.status === 'open' && m.listings.length > 0);
    log(`${users} users with a Telegram identity (one private chat each); ${markets.length} open markets`);

    const pgc0 = new pg.Client({ connectionString: app.databaseUrl, application_name: 'bench-notify' });
    await pgc0.connect();
    cleanup.unshift(() => pgc0.end());

    // ---- fill notifications ----
    const fills: FillPhase[] = [];
    let next = 0;
    const runPhase = async (rate: number, count: number): Promise<FillPhase> => {
      log(`fills at ${rate} orders/s: ${count} market buys …`);
      const callsBefore = fake.calls.length;
      const orders: { id: string; chatId: string; called: number; returned: number; updatedAt: number }[] = [];
      let failed = 0;
      const start = Date.now() + 50;
      const tasks: Promise<void>[] = [];
      for (let i = 0; i < count; i++) {
        const when = start + (i * 1000) / rate;
        const wait = when - Date.now();
        if (wait > 0) await sleep(wait);
        const who = userIds[next++]!;
        const market = markets[i % markets.length]!;
        tasks.push(
          (async () => {
            const called = Date.now();
            try {
              const order = await app.core.trading.placeOrder({ userId: who.userId, marketId: market.id, side: 'yes', action: 'buy', type: 'market', amount: new Decimal(5) });
              orders.push({ id: order.id, chatId: who.chatId, called, returned: Date.now(), updatedAt: order.updatedAt.getTime() });
            } catch (err) {
              failed++;
              if (failed <= 3) log(`  order failed: ${(err as Error).message}`);
            }
          })(),
        );
      }
      await Promise.all(tasks);
      const placedSpan = (orders.length > 0 ? Math.max(...orders.map((x) => x.called)) - start : 0) / 1000;
      // Wait for the "filled" messages.
      const want = new Map(orders.map((x) => [`${x.chatId}|${shortId(x.id)}`, x]));
      const got = new Map<string, number>();
      let notFilled = 0;
      const scan = () => {
        for (let k = callsBefore; k < fake.calls.length; k++) {
          const c = fake.calls[k]!;
          if (!isMessageCall(c)) continue;
          const text = String(c.payload.text ?? '');
          // The order's final message: "filled" (or "failed"/"cancelled" when the paper venue rejected it).
          const m = /^order ([0-9a-f]{8}) (filled|failed|cancelled)/.exec(text);
          if (!m) continue;
          const key = `${String(c.payload.chat_id)}|${m[1]}`;
          if (want.has(key) && !got.has(key)) {
            got.set(key, c.at);
            if (m[2] !== 'filled') notFilled++;
          }
        }
        return got.size >= want.size;
      };
      await fake.waitFor(() => scan(), { timeoutMs: o.drainSeconds * 1000, what: 'every filled message' }).catch(() => log(`  !! ${want.size - got.size} filled messages still missing after ${o.drainSeconds} s`));
      const missing = [...want].filter(([key]) => !got.has(key));
      if (missing.length > 0) {
        const r = await pgc0.query<{ status: string; delivered: boolean; attempts: number; lastError: string | null; n: string }>(
          `SELECT payload->>'status' AS status, ("deliveredAt" IS NOT NULL) AS delivered, attempts, left("lastError", 120) AS "lastError", count(*) AS n
           FROM "NotificationOutbox" WHERE "orderId" = ANY($1::uuid[]) GROUP BY 1, 2, 3, 4`,
          [missing.map(([, x]) => x.id)],
        );
        log(`  missing orders' outbox rows: ${JSON.stringify(r.rows)}`);
        for (const [, x] of missing.slice(0, 3)) {
          const texts = fake.calls.filter((c) => String(c.payload.chat_id) === x.chatId).map((c) => `${c.method}${c.ok ? '' : ` ${c.errorCode}`}: ${String(c.payload.text ?? '').slice(0, 60)}`);
          log(`  chat ${x.chatId} (order ${shortId(x.id)}): ${JSON.stringify(texts)}`);
        }
      }
      const fromReturn: number[] = [];
      const fromUpdated: number[] = [];
      let last = 0;
      for (const [key, x] of want) {
        const at = got.get(key);
        if (at === undefined) continue;
        fromReturn.push(at - x.returned);
        fromUpdated.push(at - x.updatedAt);
        last = Math.max(last, at);
      }
      const times = fake.calls.slice(callsBefore).filter(isMessageCall).map((c) => c.at).sort((a, b) => a - b);
      const phase: FillPhase = {
        targetRate: rate,
        orders: count,
        placed: orders.length,
        failed,
        achievedRate: placedSpan > 0 ? (orders.length - 1) / placedSpan : orders.length,
        delivered: got.size,
        notFilled,
        fromReturn: summarise(fromReturn),
        fromUpdatedAt: summarise(fromUpdated),
        placeOrder: summarise(orders.map((x) => x.returned - x.called)),
        maxPerSecond: maxInWindow(times, 1000),
        spanMs: last ? last - start : NaN,
      };
      log(`  placed ${phase.placed} (${phase.failed} failed) at ${phase.achievedRate.toFixed(1)}/s; delivered ${phase.delivered}; p50 ${phase.fromReturn.p50} ms, p99 ${phase.fromReturn.p99} ms`);
      await sleep(1500); // let trailing edits of this phase settle before the next one
      return phase;
    };
    fills.push(await runPhase(o.lowRate, o.lowOrders));
    fills.push(await runPhase(o.highRate, highOrders));

    // ---- alert fan-out ----
    await app.feed.stop();
    await sleep(500);
    const market = markets[0]!;
    for (const l of market.listings) app.feed.setMid(l.venue, l.venueMarketId, new Decimal('0.30'));
    await sleep(300);
    const pgc = new pg.Client({ connectionString: app.databaseUrl, application_name: 'bench-notify' });
    await pgc.connect();
    cleanup.unshift(() => pgc.end());
    const groupIds = Array.from({ length: o.channels }, (_, i) => String(-1_001_000_000_000 - i));
    await pgc.query(
      `INSERT INTO "ChannelSubscription" (id, platform, "chatId", kind, "marketId", level, "createdBy", "lastState")
       SELECT gen_random_uuid(), 'telegram', c, 'price_above', $2, 0.5, $3, 'clear' FROM unnest($1::text[]) AS c`,
      [groupIds, market.id, userIds[0]!.userId],
    );
    await app.alerts!.evaluator.load();
    log(`fan-out: ${o.channels} groups subscribed (price_above 50¢) to ${market.slug}; moving YES 30¢ → 70¢ on ${market.listings.length} listing(s) …`);
    const groups = new Set(groupIds);
    const callsBefore = fake.calls.length;
    const moved = Date.now();
    for (const l of market.listings) app.feed.setMid(l.venue, l.venueMarketId, new Decimal('0.70'));
    const firstAt = new Map<string, number>();
    let duplicates = 0;
    let seen = callsBefore;
    const scanGroups = () => {
      for (; seen < fake.calls.length; seen++) {
        const c = fake.calls[seen]!;
        if (c.method !== 'sendMessage' || !c.ok) continue;
        const chat = String(c.payload.chat_id);
        if (!groups.has(chat)) continue;
        if (firstAt.has(chat)) duplicates++;
        else firstAt.set(chat, c.at);
      }
      return firstAt.size >= groups.size;
    };
    await fake.waitFor(() => scanGroups(), { timeoutMs: o.drainSeconds * 1000, what: 'every group message' }).catch(() => log(`  !! ${groups.size - firstAt.size} group messages still missing after ${o.drainSeconds} s`));
    await sleep(500);
    scanGroups();
    const after = fake.calls.slice(callsBefore);
    const groupCalls = after.filter((c) => c.method === 'sendMessage' && c.ok && groups.has(String(c.payload.chat_id)));
    const allMsgTimes = after.filter(isMessageCall).map((c) => c.at).sort((a, b) => a - b);
    const perGroup = new Map<string, number[]>();
    for (const c of groupCalls) perGroup.set(String(c.payload.chat_id), [...(perGroup.get(String(c.payload.chat_id)) ?? []), c.at]);
    const maxPerGroupPerMinute = Math.max(0, ...[...perGroup.values()].map((t) => maxInWindow(t.sort((a, b) => a - b), 60_000)));
    const arrivals = [...firstAt.values()].sort((a, b) => a - b);
    const lat = summarise(arrivals.map((t) => t - moved));
    const first = arrivals[0] ?? NaN;
    const lastT = arrivals.at(-1) ?? NaN;
    const maxPerSecond = maxInWindow(allMsgTimes, 1000);
    const fanout: FanoutPhase = {
      channels: o.channels,
      delivered: firstAt.size,
      firstMs: first - moved,
      lastMs: lastT - moved,
      p50Ms: lat.p50,
      p99Ms: lat.p99,
      rate: arrivals.length > 1 ? (arrivals.length - 1) / ((lastT - first) / 1000) : NaN,
      maxPerSecond,
      maxPerGroupPerMinute,
      duplicates,
      errors429: after.filter((c) => c.errorCode === 429).length,
      limitsOk: maxPerSecond <= 30 && maxPerGroupPerMinute <= 20,
    };
    log(`  ${fanout.delivered}/${fanout.channels} groups in ${(fanout.lastMs / 1000).toFixed(1)} s, ${fanout.rate.toFixed(1)} msg/s, max ${maxPerSecond} in any 1 s, max ${maxPerGroupPerMinute} per group in any 60 s`);

    const phases = fills.map((f) => ({ rate: f.targetRate, p99: f.fromReturn.p99, met: f.delivered === f.placed && f.placed > 0 && f.fromReturn.p99 < 1000 }));
    return {
      setup: { users, cores: os.availableParallelism(), durable: !o.pgFast, startMs },
      fills,
      fanout,
      target: { p99Ms: 1000, met: phases.every((p) => p.met), phases },
    };
  } finally {
    for (const c of cleanup) await Promise.resolve(c()).catch(() => undefined);
  }
}

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const f0 = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '-');
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');

export function formatNotifyReport(r: NotifyReport): string {
  const out: string[] = [''];
  out.push(`== Fill notifications over Telegram (placeOrder returned → the order's final message, "order … filled" or "… failed", received by the fake Bot API); one private chat per order, ${r.setup.users} users; ${r.setup.durable ? 'durable Postgres' : 'Postgres fsync off'}`);
  out.push(
    table(
      ['target/s', 'achieved/s', 'orders', 'place errors', 'delivered', 'of them rejected', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'p99 from updatedAt', 'placeOrder p50', 'max msg/1s', 'p99 < 1 s'],
      r.fills.map((f, i) => [
        String(f.targetRate),
        f1(f.achievedRate),
        String(f.orders),
        String(f.failed),
        String(f.delivered),
        String(f.notFilled),
        f0(f.fromReturn.p50),
        f0(f.fromReturn.p95),
        f0(f.fromReturn.p99),
        f0(f.fromReturn.max),
        f0(f.fromUpdatedAt.p99),
        f0(f.placeOrder.p50),
        String(f.maxPerSecond),
        r.target.phases[i]!.met ? 'MET' : 'MISSED',
      ]),
    ),
  );
  const over = r.fills.filter((f) => f.targetRate > 30);
  if (over.length > 0) {
    out.push(
      `  note: above ~30 orders/s the bot's overall Telegram limit (30 messages/s, bots/telegram/throttle.ts) is the bottleneck by design: ` +
        over.map((f) => `${f.delivered} messages at ${f.targetRate}/s need ≥ ${f1(f.delivered / 30)} s to go out`).join('; '),
    );
  }
  const a = r.fanout;
  out.push('');
  out.push(`== Alert fan-out: one price crossing → ${a.channels} subscribed Telegram groups`);
  out.push(
    table(
      ['groups', 'delivered', 'first ms', 'p50 ms', 'p99 ms', 'all in ms', 'msg/s', 'max msg/1s (≤30)', 'max/group/60s (≤20)', 'dupes', '429s', 'limits'],
      [[String(a.channels), String(a.delivered), f0(a.firstMs), f0(a.p50Ms), f0(a.p99Ms), f0(a.lastMs), f1(a.rate), String(a.maxPerSecond), String(a.maxPerGroupPerMinute), String(a.duplicates), String(a.errors429), a.limitsOk ? 'OK' : 'EXCEEDED']],
    ),
  );
  out.push(`  (the first message waits for the evaluator's per-channel batch window, 1.5 s by default; limits are counted at the fake's arrival times,`);
  out.push(`   while bots/telegram/throttle.ts paces its own send times: request jitter can put a few more than 30 into one server-side 1 s window)`);
  out.push('');
  out.push(`Target (issue 4): fill notification p99 < 1 s: ${r.target.phases.map((p) => `${p.rate}/s ${f0(p.p99)} ms ${p.met ? 'MET' : 'MISSED'}`).join('; ')}`);
  return out.join('\n');
}

export function notifyBenchOptionsFromEnv(log: (line: string) => void): NotifyBenchOptions {
  return {
    lowRate: num(env.BENCH_NOTIFY_LOW_RATE, 1),
    lowOrders: num(env.BENCH_NOTIFY_LOW_ORDERS, 20),
    highRate: num(env.BENCH_NOTIFY_HIGH_RATE, 200),
    highSeconds: num(env.BENCH_NOTIFY_HIGH_SECONDS, 5),
    channels: num(env.BENCH_NOTIFY_CHANNELS, 1000),
    drainSeconds: num(env.BENCH_NOTIFY_DRAIN_SECONDS, 90),
    pgFast: env.BENCH_PG_FAST === '1',
    log,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const log = (line: string) => console.log(`[bench:notify] ${line}`);
  runNotifyBench(notifyBenchOptionsFromEnv(log))
    .then(async (report) => {
      console.log(formatNotifyReport(report));
      const file = path.join(os.tmpdir(), `yesno-bench-notify-${Date.now()}.json`);
      await fs.writeFile(file, JSON.stringify(report, null, 2));
      log(`figures written to ${file}`);
      process.exit(0);
    })
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
