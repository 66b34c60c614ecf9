/**
 * FollowService: the FollowApi chat and HTTP call: start, list, inspect, change, pause/resume and
 * stop counter-trades and copy-trades. Every input is checked before anything is written; bad input
 * is a TradingError naming the field. Starting a follow registers its wallet with the poller
 * (FollowedWallet, one row however many follow it). The poller and executor do the trading.
 */
import type { Db } from '../db/client.ts';
import { Decimal } from '../money.ts';
import type { MarketDirectory } from '../markets/directory.ts';
import { TradingError } from '../trading/types.ts';
import { shortId } from '../automation/messages.ts';
import { TABLES, TX, delegateOf, followView, type FollowRow } from './rows.ts';
import { FOLLOW_KINDS, type CreateFollowInput, type FollowApi, type FollowKind, type FollowView, type UpdateFollowInput } from './types.ts';
import { bad, categoryList, delaySec, multiplier, strategyOf, usdOrNull, walletAddress } from './validate.ts';

export interface FollowServiceDeps {
  prisma: Db;
  directory: MarketDirectory;
  clock?: () => Date;
  /** Active (not stopped) follows one user may have. Default 50. */
  maxPerUser?: number;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SETTINGS = ['sizeMultiplier', 'executionDelaySec', 'maxTradeSize', 'dailyStopLoss', 'categories'] as const;

export class FollowService implements FollowApi {
  constructor(private readonly deps: FollowServiceDeps) {}

  private now(): Date {
    return this.deps.clock?.() ?? new Date();
  }

  private categories(): string[] {
    return [...new Set(this.deps.directory.all().map((m) => m.category.toLowerCase()))].sort();
  }

  private kindOf(kind: unknown): FollowKind {
    if (!FOLLOW_KINDS.includes(kind as FollowKind)) bad(`kind must be "counter" or "copy"; ${JSON.stringify(kind)} is not.`, 'kind');
    return kind as FollowKind;
  }

  async create(input: CreateFollowInput): Promise<FollowView> {
    if (!input || typeof input.userId !== 'string' || !input.userId) bad('A user is required.', 'userId');
    const kind = this.kindOf(input.kind);
    const address = walletAddress(input.targetWalletAddress);
    const strategy = strategyOf(kind, input.strategy);
    const sizeMultiplier = input.sizeMultiplier === undefined ? new Decimal(1) : multiplier(input.sizeMultiplier);
    const executionDelaySec = input.executionDelaySec === undefined ? 0 : delaySec(input.executionDelaySec);
    const maxTradeSize = input.maxTradeSize === undefined ? null : usdOrNull(input.maxTradeSize, 'maxTradeSize', '"50"');
    const dailyStopLoss = input.dailyStopLoss === undefined ? null : usdOrNull(input.dailyStopLoss, 'dailyStopLoss', '"100"');
    const categories = input.categories === undefined ? [] : categoryList(input.categories, this.categories());
    const user = await this.deps.prisma.user.findUnique({ where: { id: input.userId }, select: { id: true } });
    if (!user) bad('Unknown user.', 'userId');
    const max = this.deps.maxPerUser ?? 50;
    const active = (await Promise.all(FOLLOW_KINDS.map((k) => delegateOf(this.deps.prisma, k).count({ where: { userId: input.userId, stoppedAt: null } })))).reduce((a, b) => a + b, 0);
    if (active >= max) {
      throw new TradingError('invalid_input', `You already follow with ${active} counter/copy-trades, the most one account may have (${max}); stop one first (/follows).`, { field: 'targetWalletAddress' });
    }
    const now = this.now();
    const row = await this.deps.prisma.$transaction(async (tx) => {
      await tx.followedWallet.upsert({ where: { address }, create: { address }, update: {} });
      const data = {
        userId: input.userId,
        targetWalletAddress: address,
        sizeMultiplier: sizeMultiplier.toFixed(),
        executionDelaySec,
        maxTradeSize: maxTradeSize?.toFixed() ?? null,
        dailyStopLoss: dailyStopLoss?.toFixed() ?? null,
        categories,
        dailyResetAt: now,
        ...(kind === 'counter' ? { strategy } : {}),
      };
      return (kind === 'counter' ? tx.counterTradeConfig.create({ data }) : tx.copyTradeSubscription.create({ data })) as Promise<FollowRow>;
    }, TX);
    return followView(kind, row, now);
  }

  async list(args: { userId: string; kind?: FollowKind; includeStopped?: boolean }): Promise<FollowView[]> {
    if (!args?.userId) bad('A user is required.', 'userId');
    const kinds = args.kind === undefined ? FOLLOW_KINDS : [this.kindOf(args.kind)];
    const now = this.now();
    const out: FollowView[] = [];
    for (const kind of kinds) {
      const rows = await delegateOf(this.deps.prisma, kind).findMany({
        where: { userId: args.userId, ...(args.includeStopped ? {} : { stoppedAt: null }) },
        orderBy: { createdAt: 'desc' },
        take: 200,
      });
      out.push(...rows.map((r) => followView(kind, r, now)));
    }
    return out.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  }

  async get(args: { userId: string; kind?: FollowKind; id: string }): Promise<FollowView> {
    const { kind, row } = await this.own(args);
    const orders = await this.deps.prisma.order.findMany({
      where: { [TABLES[kind].orderColumn]: row.id },
      select: { id: true },
      orderBy: { createdAt: 'asc' },
      take: 1000,
    });
    return followView(kind, row, this.now(), orders.map((o) => o.id));
  }

  async update(input: UpdateFollowInput): Promise<FollowView> {
    if (!input || !input.userId) bad('A user is required.', 'userId');
    const data: Record<string, unknown> = {};
    if (input.sizeMultiplier !== undefined) data.sizeMultiplier = multiplier(input.sizeMultiplier).toFixed();
    if (input.executionDelaySec !== undefined) data.executionDelaySec = delaySec(input.executionDelaySec);
    if (input.maxTradeSize !== undefined) data.maxTradeSize = usdOrNull(input.maxTradeSize, 'maxTradeSize', '"50"')?.toFixed() ?? null;
    if (input.dailyStopLoss !== undefined) data.dailyStopLoss = usdOrNull(input.dailyStopLoss, 'dailyStopLoss', '"100"')?.toFixed() ?? null;
    if (input.categories !== undefined) data.categories = categoryList(input.categories, this.categories());
    if (input.enabled !== undefined) {
      if (typeof input.enabled !== 'boolean') bad('enabled must be true (resume) or false (pause).', 'enabled');
      data.enabled = input.enabled;
      data.pauseReason = input.enabled ? null : 'paused by you';
    }
    if (Object.keys(data).length === 0) bad(`Nothing to change: give ${[...SETTINGS, 'enabled'].join(', ')}.`, 'sizeMultiplier');
    const { kind, row } = await this.own(input);
    if (row.stoppedAt) throw new TradingError('not_cancellable', `This ${kind}-trade (${shortId(row.id)}) was stopped; start a new one instead.`, { state: 'stopped' });
    // A stop-loss pause keeps its reason until the reset; pausing/resuming does not overwrite it.
    if (row.pausedUntil && row.pausedUntil.getTime() > this.now().getTime() && 'pauseReason' in data) delete data.pauseReason;
    const updated = await delegateOf(this.deps.prisma, kind).updateManyAndReturn({ where: { id: row.id, userId: input.userId, stoppedAt: null }, data });
    if (!updated[0]) throw new TradingError('not_cancellable', 'It was stopped meanwhile; nothing was changed.');
    return followView(kind, updated[0], this.now());
  }

  async stop(args: { userId: string; kind?: FollowKind; id: string }): Promise<FollowView> {
    const { kind, row } = await this.own(args);
    if (row.stoppedAt) throw new TradingError('not_cancellable', `This ${kind}-trade (${shortId(row.id)}) is already stopped.`, { state: 'stopped' });
    const now = this.now();
    const updated = await delegateOf(this.deps.prisma, kind).updateManyAndReturn({
      where: { id: row.id, userId: args.userId, stoppedAt: null },
      data: { stoppedAt: now, enabled: false, pauseReason: 'stopped by you' },
    });
    if (!updated[0]) throw new TradingError('not_cancellable', 'It was already stopped.');
    // Trades scheduled (delayed) but not yet executed are dropped by the executor (it re-checks the follow).
    return followView(kind, updated[0], now);
  }

  async resolveId(args: { userId: string; prefix: string }): Promise<{ kind: FollowKind; id: string }> {
    const prefix = String(args.prefix ?? '').replace(/^#/, '').replace(/-/g, '').toLowerCase();
    if (!/^[0-9a-f]{6,32}$/.test(prefix)) bad(`${JSON.stringify(args.prefix)} is not a follow id (ids look like 1a2b3c4d, as /follows shows them).`, 'id');
    const hits: { kind: FollowKind; id: string }[] = [];
    for (const kind of FOLLOW_KINDS) {
      const rows = await this.deps.prisma.$queryRawUnsafe<{ id: string }[]>(
        `SELECT id::text FROM ${TABLES[kind].table} WHERE "userId" = $1::uuid AND replace(id::text, '-', '') LIKE $2 LIMIT 3`,
        args.userId,
        `${prefix}%`,
      );
      hits.push(...rows.map((r) => ({ kind, id: r.id })));
    }
    if (hits.length === 0) throw new TradingError('order_not_found', `You have no counter- or copy-trade whose id starts with ${prefix}. /follows lists yours.`, { field: 'id' });
    if (hits.length > 1) bad(`${prefix} matches ${hits.length} of your follows; give more characters of the id.`, 'id');
    return hits[0]!;
  }

  private async own(args: { userId: string; kind?: FollowKind; id: string }): Promise<{ kind: FollowKind; row: FollowRow }> {
    if (!args?.userId) bad('A user is required.', 'userId');
    const label = args.kind === 'copy' ? 'copy-trade' : args.kind === 'counter' ? 'counter-trade' : 'follow';
    if (typeof args.id !== 'string' || !UUID_RE.test(args.id)) {
      throw new TradingError('order_not_found', `"${String(args.id)}" is not a ${label} id; /follows lists yours.`, { field: 'id' });
    }
    const kinds = args.kind === undefined ? FOLLOW_KINDS : [this.kindOf(args.kind)];
    for (const kind of kinds) {
      const row = await delegateOf(this.deps.prisma, kind).findFirst({ where: { id: args.id, userId: args.userId } });
      if (row) return { kind, row };
    }
    throw new TradingError('order_not_found', `No ${label} ${shortId(args.id)} of yours; /follows lists yours.`, { field: 'id' });
  }
}
