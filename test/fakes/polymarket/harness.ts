/**
 * Test wiring: a FakeClob with one market, and a PolymarketAdapter whose users are EOA sub-wallets
 * that created their CLOB API keys through L1 against the fake.
 *
 *   const h = await startPolymarketHarness();
 *   const alice = await h.addUser({ usdc: '100' });
 *   await h.adapter.placeOrder(h.request({ userId: alice.userId, ... }));
 */
import { randomUUID } from 'node:crypto';
import type { CredentialSource, PolymarketCredentials } from '../../../core/exchanges/credentials.ts';
import { PolymarketAdapter, type PolymarketAdapterOptions } from '../../../core/exchanges/polymarket/adapter.ts';
import { createOrDeriveApiCreds, generateSubWallet } from '../../../core/exchanges/polymarket/wallet.ts';
import type { ListingRef, PlaceOrderRequest } from '../../../core/exchanges/types.ts';
import { Decimal } from '../../../core/money.ts';
import { FakeClob } from './server.ts';

export const CONDITION_ID = '0x' + '5f'.repeat(32);
export const YES_TOKEN = '71321045679252212594626385532706912750332728571942532289631379312455583992563';
export const NO_TOKEN = '52114319501245915516055106046884209969926127482827954674443846427813813222426';

export class MapCredentials implements CredentialSource {
  readonly users = new Map<string, PolymarketCredentials>();
  async polymarket(userId: string): Promise<PolymarketCredentials | null> {
    return this.users.get(userId) ?? null;
  }
  async kalshi(): Promise<null> {
    return null;
  }
}

export interface PolymarketHarness {
  clob: FakeClob;
  credentials: MapCredentials;
  adapter: PolymarketAdapter;
  listing: ListingRef;
  addUser(args?: { usdc?: Decimal.Value; tokens?: Record<string, Decimal.Value> }): Promise<{ userId: string; address: `0x${string}`; creds: PolymarketCredentials }>;
  request(args: Partial<PlaceOrderRequest> & { userId: string }): PlaceOrderRequest;
  stop(): Promise<void>;
}

export async function startPolymarketHarness(opts: { adapter?: Partial<PolymarketAdapterOptions>; negRisk?: boolean; pageSize?: number } = {}): Promise<PolymarketHarness> {
  const clob = new FakeClob({ chainId: 137, pageSize: opts.pageSize });
  await clob.start();
  clob.engine.addMarket({
    conditionId: CONDITION_ID, question: 'Will the fake venue work?', negRisk: opts.negRisk ?? false,
    tokens: [{ tokenId: YES_TOKEN, outcome: 'Yes' }, { tokenId: NO_TOKEN, outcome: 'No' }],
  });
  const credentials = new MapCredentials();
  const adapter = new PolymarketAdapter({ clobUrl: clob.url, chainId: 137, credentials, timeoutMs: 2_000, ...opts.adapter });
  const listing: ListingRef = {
    listingId: 'listing-pm', marketId: 'market-1', venue: 'polymarket', venueMarketId: CONDITION_ID, yesTokenId: YES_TOKEN, noTokenId: NO_TOKEN,
    tickSize: new Decimal('0.01'), minSize: new Decimal(5), negRisk: opts.negRisk ?? false,
  };
  return {
    clob, credentials, adapter, listing,
    async addUser(args = {}) {
      const wallet = generateSubWallet();
      const apiCreds = await createOrDeriveApiCreds({ privateKey: wallet.privateKey, clobUrl: clob.url, chainId: 137 });
      const userId = randomUUID();
      const creds: PolymarketCredentials = { privateKey: wallet.privateKey, address: wallet.address, signatureType: 0, apiCreds };
      credentials.users.set(userId, creds);
      clob.fund({ address: wallet.address, usdc: args.usdc ?? '0', tokens: args.tokens });
      return { userId, address: wallet.address, creds };
    },
    request(args) {
      const { userId, ...rest } = args;
      return {
        account: { userId }, listing, outcome: 'yes', action: 'buy', type: 'limit', timeInForce: 'GTC', clientOrderId: randomUUID(),
        price: new Decimal('0.5'), quantity: new Decimal(10), ...rest,
      };
    },
    stop: () => clob.stop(),
  };
}
