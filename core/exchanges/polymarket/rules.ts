/**
 * The venue's rules per market (tick size, minimum size, neg-risk, fee parameters, accepting
 * orders), read from the CLOB's public endpoints and cached briefly: the venue changes tick sizes
 * (`tick_size_change`), so our DB's copy is never trusted on its own.
 */
import { Decimal } from '../../money.ts';
import { VenueError } from '../types.ts';
import { polymarketError } from './errors.ts';
import type { MarketRules } from './order-builder.ts';
import type { PolymarketPublicApi } from './public-api.ts';

export interface CachedMarketRules extends MarketRules {
  fee: { rate: Decimal; exponent: Decimal } | null;
  acceptingOrders: boolean;
}

export class MarketRulesCache {
  private readonly cache = new Map<string, { at: number; rules: CachedMarketRules }>();
  private readonly inflight = new Map<string, Promise<CachedMarketRules>>();

  constructor(
    private readonly api: PolymarketPublicApi,
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  /** Last known rules without a request (null if never read or expired long ago). */
  peek(conditionId: string): CachedMarketRules | null {
    return this.cache.get(conditionId)?.rules ?? null;
  }

  /** Rules for a market; `tokenId` is used to read the minimum size from its book if /clob-markets omits it. */
  async get(args: { conditionId: string; tokenId: string }): Promise<CachedMarketRules> {
    const hit = this.cache.get(args.conditionId);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.rules;
    let p = this.inflight.get(args.conditionId);
    if (!p) {
      p = this.load(args).finally(() => this.inflight.delete(args.conditionId));
      this.inflight.set(args.conditionId, p);
    }
    return p;
  }

  private async load(args: { conditionId: string; tokenId: string }): Promise<CachedMarketRules> {
    let rules: CachedMarketRules;
    try {
      const info = await this.api.getClobMarket({ conditionId: args.conditionId });
      let minOrderSize = info.minOrderSize;
      if (!minOrderSize) minOrderSize = (await this.api.getBook({ tokenId: args.tokenId })).minOrderSize;
      rules = { tickSize: info.tickSize, minOrderSize, negRisk: info.negRisk, fee: info.fee, acceptingOrders: info.acceptingOrders ?? true };
    } catch (err) {
      if (err instanceof VenueError && err.kind === 'rejected' && err.code === 'NOT_FOUND') throw polymarketError('NO_ORDERBOOK', err.message, err);
      throw err;
    }
    this.cache.set(args.conditionId, { at: this.now(), rules });
    return rules;
  }
}
