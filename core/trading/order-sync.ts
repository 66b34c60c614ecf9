/**
 * Order sync: keeps every open order in step with its venue until it is terminal.
 *
 * - `syncOne` asks the venue about one order (by venue order id when known, which on Polymarket is
 *   stored by `onPrepared` before the order is sent; by client order id otherwise) and applies the
 *   answer through the OrderStore (fills stored once by venue trade id, compare-and-set transitions).
 *   An order still in `created` that the venue does not know after `neverReceivedAfterMs` fails
 *   with "never received": a process that died before sending, or a send that never arrived.
 * - Following: in live mode every order the venue accepted as open/partial gets ONE polling job
 *   (queue `order-follow`, singletonKey = order id, a `stately` queue), re-enqueued with backoff
 *   (1 s, 2 s, 5 s, 15 s, 60 s capped; back to 1 s after a change) until the order is terminal. It is
 *   the fallback for venues without a live stream and the safety net for a stream that dropped
 *   events; venue-pushed events go through TradingService.onVenueOrder and are idempotent. An order
 *   that ends cancelled is polled once more a little later ("settle"): a fill that raced the cancel
 *   is then recorded (as a late fill) even on a venue without a stream.
 *   The job is enqueued after the transaction that accepted the order commits; a crash in between
 *   is covered by the startup pass (which enqueues every open order) and the minute-by-minute
 *   reconcile.
 * - Startup: `startup()` reconciles every non-terminal order with its venue, venues in parallel,
 *   each time-boxed (a venue that does not answer is logged and left to the follow jobs), and opens
 *   the gate that TradingService.placeOrder waits on.
 *
 * Fills are facts and are never deleted. Polymarket trades move MATCHED → MINED → CONFIRMED, or
 * RETRYING → FAILED; the Polymarket adapter reports every trade as a fill unless it FAILED (its
 * TRADE_STATUS table). If a trade we already stored later FAILS, the venue's fills (or filled size)
 * drop below ours: sync logs the discrepancy as an error for an operator and changes nothing (no
 * automatic un-counting of a position: a FAILED settlement is rare and needs a person).
 */
import type { Order } from '../../generated/prisma/client.ts';
import type { Db } from '../db/client.ts';
import type { AdapterRegistry, ListingRef, Venue } from '../exchanges/types.ts';
import { dec } from '../money.ts';
import type { MarketDirectory } from '../markets/directory.ts';
import type { JobPort } from '../notifications/types.ts';
import type { OrderStore } from '../orders/order-store.ts';
import { isTerminal } from '../orders/state-machine.ts';
import type { OrderStatus } from './types.ts';

/** The pg-boss queue of per-order polling jobs (jobs/order-sync.ts works it). */
export const ORDER_FOLLOW_QUEUE = 'order-follow';

/** Delay before the next poll of an open order, by number of polls without a change. */
export const FOLLOW_BACKOFF_MS = [1_000, 2_000, 5_000, 15_000, 60_000] as const;

/** The data of one follow job. */
export interface FollowJobData {
  orderId: string;
  /** Polls in a row that found nothing new (index into the backoff). */
  idle?: number;
  /** The one poll after the order became cancelled (late fills); the last one. */
  settle?: boolean;
}

export const OPEN_STATUSES: OrderStatus[] = ['created', 'pending', 'partial'];

export interface OrderSyncOptions {
  /** A `created` order the venue does not know after this long fails as never received. Default 60 s. */
  neverReceivedAfterMs?: number;
  /** Poll open orders through the follow queue (default: live mode only). */
  follow?: boolean;
  /** Startup: how long to wait for one venue before opening the gate anyway. Default 15 s. */
  startupVenueTimeoutMs?: number;
  /** While the startup sync runs, how long a chat/HTTP order waits before "starting up, retry". Default 3 s. */
  startupWaitMs?: number;
  /** Orders synced at once by a reconcile pass. Default 4. */
  concurrency?: number;
  backoffMs?: readonly number[];
}

export interface OrderSyncDeps {
  prisma: Db;
  store: OrderStore;
  adapters: AdapterRegistry;
  directory: MarketDirectory;
  jobs?: JobPort;
  log?: { warn(obj: unknown, msg?: string): void; error(obj: unknown, msg?: string): void; info?(obj: unknown, msg?: string): void };
  clock?: () => number;
  options?: OrderSyncOptions;
}

/** What syncOne found. */
export interface SyncResult {
  changed: boolean;
  status: OrderStatus;
}

/** The startup pass, per venue. */
export interface StartupReport {
  venues: { venue: string; orders: number; changed: number; timedOut: boolean; error?: string }[];
  ms: number;
}

export class OrderSync {
  private gateOpen = true;
  private gatePromise: Promise<void> = Promise.resolve();
  /** Open orders the running startup pass reconciles; null until it has counted them. */
  private startingOrders: number | null = 0;

  constructor(private readonly deps: OrderSyncDeps) {}

  private now(): number {
    return this.deps.clock?.() ?? Date.now();
  }

  get following(): boolean {
    return (this.deps.options?.follow ?? false) && this.deps.jobs !== undefined;
  }

  /** The startup gate: open unless `startup()` is running (`orders`: null while still counting). */
  gate(): { open: boolean; orders: number | null; opened: Promise<void> } {
    return { open: this.gateOpen, orders: this.startingOrders, opened: this.gatePromise };
  }

  /**
   * Reconciles every non-terminal order with its venue (venues in parallel, each time-boxed),
   * enqueues a follow job for each one still open, then opens the gate. Never throws.
   */
  startup(): Promise<StartupReport> {
    const started = this.now();
    let open!: () => void;
    this.gateOpen = false;
    this.startingOrders = null;
    this.gatePromise = new Promise<void>((r) => (open = r));
    const run = async (): Promise<StartupReport> => {
      const byVenue = await this.deps.prisma.order.groupBy({ by: ['exchange'], where: { status: { in: OPEN_STATUSES } }, _count: { _all: true } });
      this.startingOrders = byVenue.reduce((n, v) => n + v._count._all, 0);
      const timeout = this.deps.options?.startupVenueTimeoutMs ?? 15_000;
      const venues = await Promise.all(
        byVenue.map(async ({ exchange, _count }) => {
          const entry = { venue: exchange, orders: _count._all, changed: 0, timedOut: false } as StartupReport['venues'][number];
          let timer: NodeJS.Timeout | undefined;
          const work = this.reconcile({ venue: exchange as Venue, onChange: () => entry.changed++ }).then(
            () => 'done' as const,
            (err: unknown) => {
              entry.error = err instanceof Error ? err.message : String(err);
              this.deps.log?.error({ err, venue: exchange }, 'startup order sync failed for this venue; follow jobs and the minute sync will retry');
              return 'done' as const;
            },
          );
          const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeout)));
          if ((await Promise.race([work, timedOut])) === 'timeout') {
            entry.timedOut = true;
            this.deps.log?.warn({ venue: exchange, orders: _count._all, timeoutMs: timeout }, 'startup order sync: venue did not answer in time; trading opens, follow jobs keep trying');
          }
          clearTimeout(timer);
          return entry;
        }),
      );
      if (this.following) await this.followAllOpen();
      return { venues, ms: this.now() - started };
    };
    return run()
      .catch((err: unknown) => {
        this.deps.log?.error({ err }, 'startup order sync failed; trading opens, the minute sync will retry');
        return { venues: [], ms: this.now() - started } satisfies StartupReport;
      })
      .finally(() => {
        this.gateOpen = true;
        this.startingOrders = 0;
        open();
      });
  }

  /**
   * Asks the venues about every non-terminal order (page by page, by id) and applies the answers.
   * Returns how many orders changed.
   */
  async reconcile(args: { olderThanMs?: number; pageSize?: number; venue?: Venue; onChange?: () => void } = {}): Promise<number> {
    const cutoff = new Date(this.now() - (args.olderThanMs ?? 0));
    const pageSize = args.pageSize ?? 500;
    let changed = 0;
    for (let cursor: string | undefined; ; ) {
      const page = await this.deps.prisma.order.findMany({
        where: {
          status: { in: OPEN_STATUSES },
          updatedAt: { lte: cutoff },
          ...(args.venue ? { exchange: args.venue } : {}),
          ...(cursor ? { id: { gt: cursor } } : {}),
        },
        orderBy: { id: 'asc' },
        take: pageSize,
      });
      // A few orders at a time: a venue round trip each, and startup waits for all of them.
      let next = 0;
      const worker = async () => {
        while (next < page.length) {
          const order = page[next++]!;
          if ((await this.syncOne(order)).changed) {
            changed++;
            args.onChange?.();
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(this.deps.options?.concurrency ?? 4, page.length) }, worker));
      if (page.length < pageSize) break;
      cursor = page[page.length - 1]!.id;
    }
    return changed;
  }

  /**
   * Asks the venue about one open order and applies the answer. Venue errors are logged, not thrown.
   * `settle`: also a cancelled order (once, for fills that raced the cancel; recorded as late).
   */
  async syncOne(order: Order, opts: { settle?: boolean } = {}): Promise<SyncResult> {
    const status = order.status as OrderStatus;
    const hit = this.deps.directory.listing(order.listingId);
    const adapter = this.deps.adapters.get(order.exchange as ListingRef['venue']);
    const settling = opts.settle === true && status === 'cancelled' && order.venueOrderId !== null;
    if (!hit || !adapter || (isTerminal(status) && !settling)) return { changed: false, status };
    const account = { userId: order.userId };
    try {
      const venueOrder = order.venueOrderId
        ? await adapter.getOrder({ account, venueOrderId: order.venueOrderId })
        : await adapter.getOrderByClientId({ account, clientOrderId: order.clientOrderId, listing: hit.listing });
      if (venueOrder) {
        // A fill we stored is no longer counted by the venue (e.g. a Polymarket trade that FAILED on
        // chain): its filled size, or the sum of the fills it lists, is below what we stored.
        const listed = venueOrder.fills.reduce((sum, f) => sum.add(f.quantity), dec(0));
        const venues = listed.lt(venueOrder.filledQuantity) ? listed : venueOrder.filledQuantity;
        if (venues.lt(dec(order.filledQuantity))) {
          this.deps.log?.error(
            { orderId: order.id, venue: order.exchange, ours: dec(order.filledQuantity).toFixed(), venues: venues.toFixed() },
            'order sync: the venue reports less filled than yesno stored; fills are kept, an operator must review',
          );
        }
        const res = await this.deps.store.applyVenueOrder(order.id, venueOrder);
        return { changed: res.transitions.length > 0 || res.newFills > 0, status: res.order.status as OrderStatus };
      }
      const graceMs = this.deps.options?.neverReceivedAfterMs ?? 60_000;
      if (status === 'created' && this.now() - order.createdAt.getTime() > graceMs) {
        const reason = `${order.exchange} never received the order; nothing was placed.`;
        const failed = await this.deps.store.transition({ orderId: order.id, from: 'created', to: 'failed', patch: { failureReason: reason }, reason });
        return { changed: failed !== null, status: failed ? 'failed' : status };
      }
      if (status !== 'created') {
        this.deps.log?.warn({ orderId: order.id, venue: order.exchange }, 'order sync: the venue does not know an order it had accepted');
      }
    } catch (err) {
      this.deps.log?.warn({ err, orderId: order.id }, 'order sync: venue lookup failed; will retry');
    }
    return { changed: false, status };
  }

  /** Enqueues the next poll of an open order (no-op unless following). */
  async follow(orderId: string, idle = 0, settle = false): Promise<void> {
    const jobs = this.deps.jobs;
    if (!this.following || !jobs) return;
    const backoff = this.deps.options?.backoffMs ?? FOLLOW_BACKOFF_MS;
    const delay = backoff[Math.min(idle, backoff.length - 1)]!;
    await jobs.send({
      queue: ORDER_FOLLOW_QUEUE,
      data: { orderId, idle, ...(settle ? { settle } : {}) } satisfies FollowJobData as unknown as Record<string, unknown>,
      singletonKey: orderId,
      startAfter: new Date(this.now() + delay),
    });
  }

  /** Enqueues a poll for every open order (startup). */
  private async followAllOpen(): Promise<void> {
    for (let cursor: string | undefined; ; ) {
      const page = await this.deps.prisma.order.findMany({
        where: { status: { in: OPEN_STATUSES }, ...(cursor ? { id: { gt: cursor } } : {}) },
        select: { id: true },
        orderBy: { id: 'asc' },
        take: 500,
      });
      for (const o of page) await this.follow(o.id);
      if (page.length < 500) break;
      cursor = page[page.length - 1]!.id;
    }
  }

  /**
   * One follow job: syncs the order and, while it is open, enqueues the next poll (sooner after a
   * change, later after each quiet poll). A cancelled order is polled once more (a fill that raced
   * the cancel is recorded as late), then never again. Returns the order's status after the poll.
   */
  async runFollowJob(data: FollowJobData): Promise<OrderStatus | null> {
    const order = await this.deps.prisma.order.findUnique({ where: { id: data.orderId } });
    if (!order) return null;
    const status = order.status as OrderStatus;
    if (isTerminal(status)) {
      if (status !== 'cancelled') return status;
      if (data.settle) return (await this.syncOne(order, { settle: true })).status;
      await this.follow(order.id, 1, true); // found cancelled (by the user or an event): one last look shortly
      return status;
    }
    const res = await this.syncOne(order);
    if (res.status === 'cancelled') await this.follow(order.id, 1, true);
    else if (!isTerminal(res.status)) await this.follow(order.id, res.changed ? 0 : (data.idle ?? 0) + 1);
    return res.status;
  }
}
