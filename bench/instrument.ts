/**
 * Benchmark-only instrumentation, installed from outside the product (no core/ change):
 *
 * - every query sent through node-postgres (`pg.Client.prototype.query`: Prisma's adapter-pg,
 *   pg-boss and the bench's own pools all end up there) is counted and timed, keyed by the
 *   connection's application_name and a short label of the SQL ("SELECT User", "BEGIN", ...);
 * - waits for a pooled connection (`pg.Pool.prototype.connect`) are counted and timed per pool;
 * - spans: wrap an object's async method to time it (count, total, max).
 *
 * Each recorded query costs a performance.now() pair and a Map lookup: microseconds, against
 * round trips of a millisecond or more.
 */
import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import pg from 'pg';

/** The async context of a query: "order" inside TradingService.placeOrder, else "background". */
const context = new AsyncLocalStorage<string>();

export interface Stat {
  count: number;
  totalMs: number;
  maxMs: number;
}

export type StatTable = Map<string, Stat>;

function add(table: StatTable, key: string, ms: number): void {
  let s = table.get(key);
  if (!s) {
    s = { count: 0, totalMs: 0, maxMs: 0 };
    table.set(key, s);
  }
  s.count++;
  s.totalMs += ms;
  if (ms > s.maxMs) s.maxMs = ms;
}

/** queries: "<pool>\t<context>\t<label>" → stat; poolWaits: "<pool>" → stat; spans: name → stat. */
export interface Snapshot {
  queries: StatTable;
  poolWaits: StatTable;
  spans: StatTable;
}

const live: Snapshot = { queries: new Map(), poolWaits: new Map(), spans: new Map() };

/** A copy of everything recorded so far. */
export function snapshot(): Snapshot {
  const copy = (t: StatTable) => new Map([...t].map(([k, v]) => [k, { ...v }]));
  return { queries: copy(live.queries), poolWaits: copy(live.poolWaits), spans: copy(live.spans) };
}

/** What was recorded between two snapshots (maxMs: the later snapshot's running max, an upper bound). */
export function diff(before: Snapshot, after: Snapshot): Snapshot {
  const d = (a: StatTable, b: StatTable) => {
    const out: StatTable = new Map();
    for (const [k, v] of b) {
      const p = a.get(k) ?? { count: 0, totalMs: 0, maxMs: 0 };
      if (v.count > p.count) out.set(k, { count: v.count - p.count, totalMs: v.totalMs - p.totalMs, maxMs: v.maxMs });
    }
    return out;
  };
  return { queries: d(before.queries, after.queries), poolWaits: d(before.poolWaits, after.poolWaits), spans: d(before.spans, after.spans) };
}

/** Resets the running maxima (so a phase's max is its own). */
export function resetMaxima(): void {
  for (const t of [live.queries, live.poolWaits, live.spans]) for (const s of t.values()) s.maxMs = 0;
}

/** The pool label of a pg client: its application_name, or "app" (the product's Prisma pool sets none). */
function poolOf(client: unknown): string {
  const params = (client as { connectionParameters?: { application_name?: string } }).connectionParameters;
  return params?.application_name || 'app';
}

const labels = new Map<string, string>();

/** labelOf, memoised per SQL text (the product's statements are parameterised, so the set is small). */
function cachedLabel(sql: string): string {
  let l = labels.get(sql);
  if (l === undefined) {
    l = labelOf(sql);
    if (labels.size < 10_000) labels.set(sql, l);
  }
  return l;
}

/** A short, stable label of a SQL text: verb + first table (e.g. "SELECT Order", "WITH→UPDATE PaperAccount"). */
export function labelOf(sql: string): string {
  const text = sql.replace(/\s+/g, ' ').trim();
  const verb = (text.match(/^\w+/)?.[0] ?? '?').toUpperCase();
  const tableAfter = (re: RegExp) => {
    const m = text.match(re);
    if (!m?.[1]) return '';
    const parts = m[1].split('.');
    return parts[parts.length - 1]!.replace(/"/g, '');
  };
  const ident = '((?:"[^"]+"|[\\w$]+)(?:\\.(?:"[^"]+"|[\\w$]+))?)';
  switch (verb) {
    case 'BEGIN':
    case 'COMMIT':
    case 'ROLLBACK':
    case 'SAVEPOINT':
    case 'RELEASE':
      return verb;
    case 'SELECT': {
      if (/FOR UPDATE/i.test(text)) return `SELECT…FOR UPDATE ${tableAfter(new RegExp(`FROM ${ident}`, 'i'))}`;
      const t = tableAfter(new RegExp(`FROM ${ident}`, 'i'));
      return t ? `SELECT ${t}` : `SELECT ${text.slice(7, 40)}`;
    }
    case 'INSERT':
      return `INSERT ${tableAfter(new RegExp(`^INSERT INTO ${ident}`, 'i'))}`;
    case 'UPDATE':
      return `UPDATE ${tableAfter(new RegExp(`^UPDATE ${ident}`, 'i'))}`;
    case 'DELETE':
      return `DELETE ${tableAfter(new RegExp(`^DELETE FROM ${ident}`, 'i'))}`;
    case 'WITH': {
      // Data-modifying CTEs: name the first write.
      const w = text.match(new RegExp(`\\b(INSERT INTO|UPDATE|DELETE FROM) ${ident}`, 'i'));
      if (w) return `WITH→${w[1]!.split(' ')[0]!.toUpperCase()} ${w[2]!.split('.').pop()!.replace(/"/g, '')}`;
      return `WITH→SELECT ${tableAfter(new RegExp(`FROM ${ident}`, 'i'))}`;
    }
    default:
      return text.slice(0, 40);
  }
}

let installed = false;

/** Patches pg.Client#query and pg.Pool#connect once per process. */
export function installPgInstrumentation(): void {
  if (installed) return;
  installed = true;

  type AnyFn = (this: unknown, ...args: unknown[]) => unknown;
  const clientProto = pg.Client.prototype as unknown as { query: AnyFn };
  const originalQuery = clientProto.query;
  clientProto.query = function (this: unknown, ...args: unknown[]) {
    const cfg = args[0];
    const text = typeof cfg === 'string' ? cfg : ((cfg as { text?: string } | null)?.text ?? '');
    const key = `${poolOf(this)}\t${context.getStore() ?? 'background'}\t${cachedLabel(text)}`;
    const t0 = performance.now();
    let recorded = false;
    const done = () => {
      if (recorded) return;
      recorded = true;
      add(live.queries, key, performance.now() - t0);
    };
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      args[args.length - 1] = function (this: unknown, ...r: unknown[]) {
        done();
        return (last as AnyFn).apply(this, r);
      };
      return originalQuery.apply(this, args);
    }
    const res = originalQuery.apply(this, args) as { then?: unknown; on?: unknown } | undefined;
    if (res && typeof res.then === 'function') {
      (res as Promise<unknown>).then(done, done);
    } else if (res && typeof res.on === 'function') {
      const emitter = res as { on(event: string, fn: () => void): void };
      emitter.on('end', done);
      emitter.on('error', done);
    }
    return res;
  };

  const poolProto = pg.Pool.prototype as unknown as { connect: AnyFn };
  const originalConnect = poolProto.connect;
  poolProto.connect = function (this: unknown, ...args: unknown[]) {
    const pool = (this as { options?: { application_name?: string } }).options?.application_name || 'app';
    const t0 = performance.now();
    const done = () => add(live.poolWaits, pool, performance.now() - t0);
    const cb = args[0];
    if (typeof cb === 'function') {
      // pg-pool calls queued callbacks from release(), i.e. in the releaser's async context: bind
      // the callback to the caller's context so the query it sends is attributed to the caller.
      return originalConnect.call(
        this,
        AsyncResource.bind(function (this: unknown, ...r: unknown[]) {
          done();
          return (cb as AnyFn).apply(this, r);
        }),
      );
    }
    const res = originalConnect.apply(this, args) as Promise<unknown>;
    res.then(done, done);
    return res;
  };
}

/**
 * Replaces `obj[method]` (an async method) with a timed wrapper recorded as span `name`; with
 * `queryContext`, the queries it sends are recorded under that context.
 */
export function wrapSpan(obj: object, method: string, name: string, queryContext?: string): void {
  const target = obj as Record<string, unknown>;
  const original = target[method];
  if (typeof original !== 'function') throw new Error(`bench: cannot wrap ${name}: ${method} is not a function`);
  target[method] = async function (this: unknown, ...args: unknown[]) {
    const t0 = performance.now();
    try {
      const call = () => (original as (...a: unknown[]) => Promise<unknown>).apply(this, args);
      return await (queryContext ? context.run(queryContext, call) : call());
    } finally {
      add(live.spans, name, performance.now() - t0);
    }
  };
}
