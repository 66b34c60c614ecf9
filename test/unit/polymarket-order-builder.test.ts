import fc from 'fast-check';
import { privateKeyToAccount, generatePrivateKey } from 'viem/accounts';
import { hashTypedData, recoverTypedDataAddress } from 'viem';
import { describe, expect, it } from 'vitest';
import { EXCHANGE_V2, NEG_RISK_EXCHANGE_V2, ORDER_TYPES, buildSignedOrder, orderDigest, sizeOrder } from '../../core/exchanges/polymarket/order-builder.ts';
import type { PlaceOrderRequest } from '../../core/exchanges/types.ts';
import { Decimal } from '../../core/money.ts';

const rules = { tickSize: new Decimal('0.01'), minOrderSize: new Decimal(5), negRisk: false };
const now = new Date('2026-11-29T10:00:00Z');
const req = (over: Partial<PlaceOrderRequest>): PlaceOrderRequest => ({
  account: { userId: 'u' },
  listing: { listingId: 'l', marketId: 'm', venue: 'polymarket', venueMarketId: '0x1', yesTokenId: '123', noTokenId: '456', tickSize: rules.tickSize, minSize: rules.minOrderSize, negRisk: false },
  outcome: 'yes', action: 'buy', type: 'limit', timeInForce: 'GTC', clientOrderId: 'c', price: new Decimal('0.5'), quantity: new Decimal(10), ...over,
});

describe('Polymarket order sizing', () => {
  it('a market buy by amount never offers more than the amount; maker ≤ 2 dp, taker ≤ 4 dp', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 10_000_000 }), fc.integer({ min: 1, max: 99 }), (milliCents, cents) => {
        const amount = new Decimal(milliCents).div(1000);
        const price = new Decimal(cents).div(100);
        const s = sizeOrder(req({ type: 'market', timeInForce: 'FOK', price, quantity: undefined, amount }), rules, now);
        expect(s.byAmount).toBe(true);
        expect(s.usd.lte(amount)).toBe(true);
        expect(amount.sub(s.usd).lt('0.01')).toBe(true);
        expect(s.usd.decimalPlaces()).toBeLessThanOrEqual(2);
        expect(s.shares.decimalPlaces()).toBeLessThanOrEqual(4);
        expect(s.shares.mul(price).lte(s.usd)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('limit orders round shares down to 2 dp and amounts fit 6 decimals', () => {
    fc.assert(
      fc.property(fc.integer({ min: 5000, max: 10_000_000 }), fc.integer({ min: 1, max: 999 }), (milliShares, tenthCents) => {
        const r = { ...rules, tickSize: new Decimal('0.001') };
        const quantity = new Decimal(milliShares).div(1000);
        const price = new Decimal(tenthCents).div(1000);
        const s = sizeOrder(req({ quantity, price, action: tenthCents % 2 ? 'buy' : 'sell' }), r, now);
        expect(s.shares.eq(quantity.toDecimalPlaces(2, Decimal.ROUND_DOWN))).toBe(true);
        expect(s.usd.eq(s.shares.mul(price))).toBe(true);
        expect(s.usd.mul(1_000_000).isInteger()).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('a FOK/FAK buy by quantity becomes an amount of floor-to-cent(qty × price)', () => {
    const s = sizeOrder(req({ timeInForce: 'FAK', quantity: new Decimal('7.77'), price: new Decimal('0.33') }), rules, now);
    expect([s.byAmount, s.usd.toFixed(), s.orderType]).toEqual([true, '2.56', 'FAK']);
  });

  it('signs the V2 struct for the right exchange; the hash is the typed-data hash', async () => {
    const pk = generatePrivateKey();
    const account = privateKeyToAccount(pk);
    const creds = { privateKey: pk, address: account.address, signatureType: 0 as const };
    for (const negRisk of [false, true]) {
      const built = await buildSignedOrder({ req: req({}), tokenId: '123', rules: { ...rules, negRisk }, account, creds, owner: 'key', chainId: 137, now });
      const o = built.body.order as Record<string, string | number>;
      const typed = {
        domain: { name: 'Polymarket CTF Exchange', version: '2', chainId: 137, verifyingContract: negRisk ? NEG_RISK_EXCHANGE_V2 : EXCHANGE_V2 },
        types: ORDER_TYPES, primaryType: 'Order' as const,
        message: {
          salt: BigInt(o.salt!), maker: o.maker as `0x${string}`, signer: o.signer as `0x${string}`, tokenId: 123n, makerAmount: BigInt(o.makerAmount!),
          takerAmount: BigInt(o.takerAmount!), side: 0, signatureType: 0, timestamp: BigInt(o.timestamp!), metadata: o.metadata as `0x${string}`, builder: o.builder as `0x${string}`,
        },
      };
      expect(hashTypedData(typed)).toBe(built.hash);
      expect(await recoverTypedDataAddress({ ...typed, signature: o.signature as `0x${string}` })).toBe(account.address);
      expect([o.makerAmount, o.takerAmount, o.side, built.body.orderType, built.body.owner]).toEqual(['5000000', '10000000', 'BUY', 'GTC', 'key']);
    }
  });

  it('the direct order digest equals viem hashTypedData for any order', () => {
    const big = fc.bigInt({ min: 0n, max: 2n ** 256n - 1n });
    const addr = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => `0x${Buffer.from(b).toString('hex')}` as `0x${string}`);
    const b32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => `0x${Buffer.from(b).toString('hex')}` as `0x${string}`);
    fc.assert(
      fc.property(big, addr, addr, big, big, big, fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 3 }), big, b32, b32, fc.constantFrom(137, 80002), fc.boolean(),
        (salt, maker, signer, tokenId, makerAmount, takerAmount, side, signatureType, timestamp, metadata, builder, chainId, neg) => {
          const message = { salt, maker, signer, tokenId, makerAmount, takerAmount, side, signatureType, timestamp, metadata, builder };
          const verifyingContract = neg ? NEG_RISK_EXCHANGE_V2 : EXCHANGE_V2;
          const viemHash = hashTypedData({ domain: { name: 'Polymarket CTF Exchange', version: '2', chainId, verifyingContract }, types: ORDER_TYPES, primaryType: 'Order', message });
          expect(orderDigest(chainId, verifyingContract, message)).toBe(viemHash);
        }),
      { numRuns: 200 },
    );
  });

  it('uses the funder as maker for proxy / safe signature types', async () => {
    const pk = generatePrivateKey();
    const account = privateKeyToAccount(pk);
    const funder = privateKeyToAccount(generatePrivateKey()).address;
    const built = await buildSignedOrder({ req: req({}), tokenId: '123', rules, account, creds: { privateKey: pk, address: account.address, signatureType: 2, funderAddress: funder }, owner: 'k', chainId: 137, now });
    const o = built.body.order as Record<string, unknown>;
    expect([o.maker, o.signer, o.signatureType]).toEqual([funder, account.address, 2]);
  });
});
