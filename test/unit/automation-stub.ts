/**
 * An in-memory AutomationApi for the unit tests of the HTTP routes and chat commands (api-stub.ts,
 * commands-stub.ts). It checks what the real service checks at the door (so a test can prove the
 * edge refused something before it got here) and records every call. Not a model of the engine.
 */
import { randomUUID } from 'node:crypto';
import type { AutomationApi, CreateSniperInput, SniperStatus, SniperView, TpslInput } from '../../core/automation/types.ts';
import { Decimal } from '../../core/money.ts';
import { TradingError, type MarketSummary, type PositionView } from '../../core/trading/types.ts';

export interface AutomationStub extends AutomationApi {
  snipers: SniperView[];
  calls: { method: string; args: unknown }[];
}

export function createAutomationStub(deps: {
  resolve(term: string): Promise<MarketSummary>;
  /** The user's positions (objects the stub mutates when levels are set). */
  positions(userId: string): Promise<PositionView[]> | PositionView[];
}): AutomationStub {
  const snipers: SniperView[] = [];
  const calls: AutomationStub['calls'] = [];
  const own = (userId: string, sniperId: string) => {
    const s = snipers.find((x) => x.id === sniperId && x.userId === userId);
    if (!s) throw new TradingError('order_not_found', `You have no sniper ${sniperId}.`);
    return s;
  };
  return {
    snipers,
    calls,
    async createSniper(input: CreateSniperInput) {
      calls.push({ method: 'createSniper', args: input });
      if (input.triggerPrice.lte(0) || input.triggerPrice.gte(1)) throw new TradingError('invalid_input', 'triggerPrice must be between 0 and 1.');
      if (input.amount.lte(0)) throw new TradingError('invalid_input', 'amount must be more than zero.');
      if (input.slippage && (input.slippage.lt(0) || input.slippage.gt('0.5'))) throw new TradingError('invalid_input', 'slippage must be from 0 to 0.5.');
      if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) throw new TradingError('invalid_input', 'expiresAt must be in the future.');
      const m = await deps.resolve(input.marketId);
      if (m.status !== 'open') throw new TradingError('market_closed', `${m.title} is ${m.status}; it cannot be traded.`);
      if (input.exchange && !m.venues.some((v) => v.venue === input.exchange)) {
        throw new TradingError('venue_not_listed', `${m.title} is not listed on ${input.exchange}.`);
      }
      const now = new Date();
      const s: SniperView = {
        id: randomUUID(),
        userId: input.userId,
        marketId: m.id,
        marketTitle: m.title,
        side: input.side,
        exchange: input.exchange ?? null,
        triggerPrice: input.triggerPrice,
        amount: input.amount,
        slippage: input.slippage ?? new Decimal('0.02'),
        status: 'WATCHING',
        expiresAt: input.expiresAt ?? null,
        repeat: input.repeat ?? false,
        paused: false,
        failureReason: null,
        fireCount: 0,
        orderIds: [],
        createdAt: now,
        updatedAt: now,
      };
      snipers.unshift(s);
      return s;
    },
    async listSnipers({ userId, status }: { userId: string; status?: SniperStatus[] }) {
      calls.push({ method: 'listSnipers', args: { userId, status } });
      return snipers.filter((s) => s.userId === userId && (!status || status.includes(s.status)));
    },
    async getSniper({ userId, sniperId }) {
      calls.push({ method: 'getSniper', args: { userId, sniperId } });
      return own(userId, sniperId);
    },
    async cancelSniper({ userId, sniperId }) {
      calls.push({ method: 'cancelSniper', args: { userId, sniperId } });
      const s = own(userId, sniperId);
      if (s.status !== 'WATCHING') throw new TradingError('not_cancellable', `Sniper ${sniperId.slice(0, 8)} is ${s.status.toLowerCase()}; it can no longer be cancelled.`);
      s.status = 'CANCELLED';
      s.updatedAt = new Date();
      return s;
    },
    async setTpsl(input: TpslInput) {
      calls.push({ method: 'setTpsl', args: input });
      const p = (await deps.positions(input.userId)).find((x) => x.id === input.positionId);
      if (!p) throw new TradingError('no_position', `You have no position ${input.positionId}.`);
      if (input.takeProfitPrice !== undefined) p.takeProfitPrice = input.takeProfitPrice;
      if (input.stopLossPrice !== undefined) p.stopLossPrice = input.stopLossPrice;
      return { positionId: p.id, takeProfitPrice: p.takeProfitPrice, stopLossPrice: p.stopLossPrice };
    },
  };
}

/** A sniper in any state, for list/cancel tests. */
export function sniperView(over: Partial<SniperView> & Pick<SniperView, 'userId'>): SniperView {
  const now = new Date('2026-03-04T05:06:07.000Z');
  return {
    id: randomUUID(),
    marketId: 'fed-cut-dec',
    marketTitle: 'Will the Fed cut rates in December?',
    side: 'yes',
    exchange: null,
    triggerPrice: new Decimal('0.42'),
    amount: new Decimal('25'),
    slippage: new Decimal('0.02'),
    status: 'WATCHING',
    expiresAt: null,
    repeat: false,
    paused: false,
    failureReason: null,
    fireCount: 0,
    orderIds: [],
    createdAt: now,
    updatedAt: now,
    ...over,
  };
}
