/**
 * WalletPoller: one poll per followed wallet per interval, however many follows (and processes) there
 * are, and the FollowExecution rows its new trades produce.
 *
 * - Claim: a compare-and-set on FollowedWallet.lastPolledAt (FOR UPDATE SKIP LOCKED): of several
 *   processes running cycles at once, each due wallet goes to one of them.
 * - Fetch: the WalletTradeSource answers what is new since the stored cursor (pages may overlap,
 *   repeat or come out of order: every trade is keyed, and WalletTrade is unique per wallet + key).
 * - Store, in one transaction: the new WalletTrade rows (duplicates skipped: only rows inserted now
 *   produce executions), the cursor, and one FollowExecution per (follow, new trade), unique on
 *   (configId, walletTradeId), so a trade can never produce two orders for one follow. Delayed ones
 *   get a pg-boss job with startAfter in that same transaction; immediate ones are inserted already
 *   claimed (executing) and run right after the commit in this process (no second claim round trip
 *   on the hot path). A crash in between is picked up by the sweep (executing or scheduled rows
 *   left too long).
 * - A follow acts only on trades made after it started, and not on trades seen too late (older than
 *   maxTradeAgeMs when first seen: following them would trade on a stale price).
 */
import { randomUUID } from 'node:crypto';
import { Prisma } from '../../generated/prisma/client.ts';
import type { Db } from '../db/client.ts';
import type { JobPort } from '../notifications/types.ts';
import type { AutomationLog } from '../automation/background.ts';
import { FOLLOW_KINDS, type FollowKind, type SourceTrade, type WalletTradeSource } from './types.ts';
import { TABLES, TX, stateOf } from './rows.ts';
import type { ExecutionRow } from './executor.ts';

/** The pg-boss queue of delayed executions (jobs/following.ts works it). */
export const FOLLOW_EXECUTE_QUEUE = 'follow-execute';

export interface WalletPollerDeps {
  prisma: Db;
  jobs: JobPort;
  source: WalletTradeSource;
  /** FOLLOW_POLL_SECONDS in ms. */
  intervalMs: number;
  clock: () => Date;
  log?: AutomationLog;
  /** Trades first seen later than this after they happened are not followed. Default 10 minutes. */
  maxTradeAgeMs?: number;
  /** Wallets polled at once by one process. Default 16. */
  concurrency?: number;
  /** Wallets claimed per cycle by one process. Default 2000. */
  batch?: number;
  /** Runs an immediate execution, inserted already claimed (executing), after the commit. */
  executeNow: (row: ExecutionRow) => void;
}

export interface CycleResult {
  polled: number;
  failed: number;
  newTrades: number;
  executions: number;
}

interface FollowerRow {
  kind: FollowKind;
  id: string;
  userId: string;
  executionDelaySec: number;
  enabled: boolean;
  pausedUntil: Date | null;
  stoppedAt: Date | null;
  createdAt: Date;
}

export class WalletPoller {
  constructor(private readonly deps: WalletPollerDeps) {}

  /** Claims the due wallets and polls them. Safe in any number of processes at once. */
  async cycle(): Promise<CycleResult> {
    const now = this.deps.clock();
    // A little slack so that a timer firing a few ms early does not skip a whole interval.
    const dueBefore = new Date(now.getTime() - this.deps.intervalMs * 0.9);
    const follows = FOLLOW_KINDS.map((k) => `EXISTS (SELECT 1 FROM ${TABLES[k].table} c WHERE c."targetWalletAddress" = w.address AND c."stoppedAt" IS NULL)`).join(' OR ');
    const wallets = await this.deps.prisma.$queryRawUnsafe<{ address: string; cursor: unknown; lastError: string | null }[]>(
      `UPDATE "FollowedWallet" SET "lastPolledAt" = $1, "updatedAt" = $1
       WHERE address IN (SELECT w.address FROM "FollowedWallet" w
                         WHERE (w."lastPolledAt" IS NULL OR w."lastPolledAt" <= $2) AND (${follows})
                         ORDER BY w."lastPolledAt" NULLS FIRST LIMIT $3 FOR UPDATE SKIP LOCKED)
         AND ("lastPolledAt" IS NULL OR "lastPolledAt" <= $2)
       RETURNING address, cursor, "lastError"`,
      now,
      dueBefore,
      this.deps.batch ?? 2000,
    );
    const result: CycleResult = { polled: wallets.length, failed: 0, newTrades: 0, executions: 0 };
    let next = 0;
    const worker = async () => {
      while (next < wallets.length) {
        const w = wallets[next++]!;
        try {
          const r = await this.pollWallet(w.address, w.cursor, w.lastError);
          result.newTrades += r.newTrades;
          result.executions += r.executions;
        } catch (err) {
          result.failed++;
          this.deps.log?.warn({ err, wallet: w.address }, 'follow: polling a wallet failed; next cycle retries');
          await this.deps.prisma.followedWallet
            .update({ where: { address: w.address }, data: { lastError: String((err as Error)?.message ?? err).slice(0, 500) } })
            .catch(() => {});
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.deps.concurrency ?? 16, wallets.length) }, worker));
    return result;
  }

  /** Fetches and stores one wallet's new trades; returns what it created. */
  async pollWallet(address: string, cursor: unknown, lastError: string | null = null): Promise<{ newTrades: number; executions: number }> {
    const fetched = await this.deps.source.fetchNew({ address, cursor });
    // A quiet poll (nothing new, same cursor, no error to clear) writes nothing: the claim already did.
    if (fetched.trades.length === 0 && lastError === null && JSON.stringify(fetched.cursor ?? null) === JSON.stringify(cursor ?? null)) return { newTrades: 0, executions: 0 };
    const now = this.deps.clock();
    const immediate: ExecutionRow[] = [];
    const counts = await this.deps.prisma.$transaction(async (tx) => {
      const inserted = fetched.trades.length
        ? await tx.walletTrade.createManyAndReturn({
            data: fetched.trades.map((t) => tradeData(address, t)),
            skipDuplicates: true,
            select: { id: true, tradedAt: true },
          })
        : [];
      await tx.followedWallet.update({ where: { address }, data: { cursor: fetched.cursor === null || fetched.cursor === undefined ? Prisma.JsonNull : (fetched.cursor as Prisma.InputJsonValue), lastError: null } });
      if (inserted.length === 0) return { newTrades: 0, executions: 0 };
      const followers = await this.followers(tx, address);
      const rows: Prisma.FollowExecutionCreateManyInput[] = [];
      const delayed: { id: string; runAt: Date }[] = [];
      const maxAge = this.deps.maxTradeAgeMs ?? 10 * 60_000;
      for (const t of inserted) {
        for (const f of followers) {
          // Trades made before the follow started are not followed (second precision: the API's).
          if (t.tradedAt.getTime() < Math.floor(f.createdAt.getTime() / 1000) * 1000) continue;
          const id = randomUUID();
          const state = stateOf(f, now);
          const base = { id, kind: f.kind, configId: f.id, userId: f.userId, walletTradeId: t.id };
          if (state !== 'active') {
            rows.push({ ...base, status: 'skipped', reason: state === 'paused' ? 'paused by you' : 'paused by the daily stop-loss', runAt: now });
          } else if (now.getTime() - t.tradedAt.getTime() > maxAge) {
            rows.push({ ...base, status: 'skipped', reason: `seen ${Math.round((now.getTime() - t.tradedAt.getTime()) / 60_000)} minutes after the target traded; too late to follow`, runAt: now });
          } else {
            const runAt = new Date(now.getTime() + f.executionDelaySec * 1000);
            if (f.executionDelaySec > 0) {
              rows.push({ ...base, status: 'scheduled', runAt });
              delayed.push({ id, runAt });
            } else {
              rows.push({ ...base, status: 'executing', runAt });
              immediate.push({ ...base, status: 'executing' });
            }
          }
        }
      }
      if (rows.length) await tx.followExecution.createMany({ data: rows, skipDuplicates: true });
      for (const d of delayed) {
        await this.deps.jobs.send({ queue: FOLLOW_EXECUTE_QUEUE, data: { executionId: d.id }, tx, singletonKey: d.id, startAfter: d.runAt });
      }
      return { newTrades: inserted.length, executions: rows.length };
    }, TX);
    for (const row of immediate) this.deps.executeNow(row);
    return counts;
  }

  /** The follows of a wallet that are not stopped (paused ones get "skipped" rows). */
  private async followers(tx: Prisma.TransactionClient, address: string): Promise<FollowerRow[]> {
    const select = { id: true, userId: true, executionDelaySec: true, enabled: true, pausedUntil: true, stoppedAt: true, createdAt: true } as const;
    const where = { targetWalletAddress: address, stoppedAt: null };
    const counter = await tx.counterTradeConfig.findMany({ where, select });
    const copy = await tx.copyTradeSubscription.findMany({ where, select });
    return [...counter.map((r) => ({ ...r, kind: 'counter' as const })), ...copy.map((r) => ({ ...r, kind: 'copy' as const }))];
  }
}

function tradeData(address: string, t: SourceTrade): Prisma.WalletTradeCreateManyInput {
  return {
    walletAddress: address,
    tradeKey: t.key,
    side: t.side,
    asset: t.asset,
    conditionId: t.conditionId,
    outcome: t.outcome,
    outcomeIndex: t.outcomeIndex,
    size: t.size.toFixed(),
    price: t.price.toFixed(),
    title: t.title,
    tradedAt: t.tradedAt,
    ...(t.raw ? { raw: t.raw as Prisma.InputJsonValue } : {}),
  };
}
