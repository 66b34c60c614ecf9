/**
 * Every Polymarket error code in EXCHANGES.md, as the venue sends it (400 `{ error }` with the venue's
 * text, or 200 `{ success: false, errorMsg }` with the code), through the adapter to the taxonomy.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { POLYMARKET_ERRORS } from '../../core/exchanges/polymarket/errors.ts';
import { VenueError, type VenueErrorKind } from '../../core/exchanges/types.ts';
import { startPolymarketHarness, type PolymarketHarness } from '../fakes/polymarket/harness.ts';
import { CLOB_ERRORS } from '../fakes/polymarket/trading-routes.ts';

const CASES: { code: string; text: string; kind: VenueErrorKind; reads: RegExp }[] = [
  { code: 'INVALID_ORDER_MIN_TICK_SIZE', text: 'order 0xabc is invalid. Price (0.555) breaks minimum tick size rule: 0.01', kind: 'rejected', reads: /tick size/ },
  { code: 'INVALID_ORDER_MIN_SIZE', text: 'order 0xabc is invalid. Size (1) lower than the minimum: 5', kind: 'rejected', reads: /minimum size/ },
  { code: 'INVALID_ORDER_DUPLICATED', text: 'order 0xabc is invalid. Duplicated.', kind: 'unknown_outcome', reads: /already has this exact order/ },
  { code: 'INVALID_ORDER_NOT_ENOUGH_BALANCE', text: CLOB_ERRORS.balance, kind: 'rejected', reads: /not enough USDC/ },
  { code: 'INVALID_ORDER_EXPIRATION', text: CLOB_ERRORS.expiration, kind: 'rejected', reads: /expiry/ },
  { code: 'INVALID_ORDER_ERROR', text: 'could not insert order', kind: 'unknown_outcome', reads: /could not confirm/ },
  { code: 'INVALID_POST_ONLY_ORDER', text: CLOB_ERRORS.postOnly, kind: 'rejected', reads: /post-only/ },
  { code: 'EXECUTION_ERROR', text: 'could not run the execution', kind: 'unknown_outcome', reads: /executing/ },
  { code: 'ORDER_DELAYED', text: 'order match delayed due to market conditions', kind: 'unknown_outcome', reads: /delayed/ },
  { code: 'FOK_ORDER_NOT_FILLED_ERROR', text: CLOB_ERRORS.fok, kind: 'rejected', reads: /fill-or-kill/ },
  { code: 'MARKET_NOT_READY', text: CLOB_ERRORS.notReady, kind: 'rejected', reads: /not accepting orders/ },
  { code: 'MAKER_NOT_ALLOWED', text: CLOB_ERRORS.makerNotAllowed, kind: 'rejected', reads: /deposit wallet/ },
  { code: 'FAK_NO_MATCH', text: CLOB_ERRORS.fakNoMatch, kind: 'rejected', reads: /nothing in the book/ },
  { code: 'INVALID_SIGNATURE', text: CLOB_ERRORS.signature, kind: 'rejected', reads: /signature/ },
  { code: 'INVALID_AMOUNTS', text: CLOB_ERRORS.marketAmounts, kind: 'rejected', reads: /decimals/ },
  { code: 'ORDER_VERSION_MISMATCH', text: 'order_version_mismatch', kind: 'rejected', reads: /order version changed/ },
];

describe('Polymarket venue errors → taxonomy', () => {
  let h: PolymarketHarness;
  let userId: string;
  beforeAll(async () => {
    h = await startPolymarketHarness();
    userId = (await h.addUser({ usdc: '100' })).userId;
  });
  afterAll(() => h.stop());
  beforeEach(() => h.clob.clearFaults());

  async function place(): Promise<VenueError> {
    const e = await h.adapter.placeOrder(h.request({ userId })).then(() => null, (err: unknown) => err);
    expect(e).toBeInstanceOf(VenueError);
    return e as VenueError;
  }

  for (const c of CASES) {
    it(`${c.code} as 400 { error } → ${c.kind}`, async () => {
      h.clob.fault({ method: 'POST', path: '/order', kind: 'status', status: 400, body: { error: c.text } });
      const e = await place();
      expect([e.code, e.kind]).toEqual([c.code, c.kind]);
      expect(e.message).toMatch(c.reads);
    });
    it(`${c.code} as 200 { success: false, errorMsg } → ${c.kind}`, async () => {
      h.clob.fault({ method: 'POST', path: '/order', kind: 'status', status: 200, body: { success: false, errorMsg: c.code in POLYMARKET_ERRORS && !['MAKER_NOT_ALLOWED', 'FAK_NO_MATCH', 'INVALID_SIGNATURE', 'INVALID_AMOUNTS', 'ORDER_VERSION_MISMATCH'].includes(c.code) ? c.code : c.text, orderID: '', status: '' } });
      const e = await place();
      expect([e.code, e.kind]).toEqual([c.code, c.kind]);
    });
  }

  it.each([
    [401, { error: 'Unauthorized/Invalid api key' }, 'rejected', 'UNAUTHORIZED'],
    [404, { error: 'No orderbook exists for the requested token id' }, 'rejected', 'NO_ORDERBOOK'],
    [429, { error: 'Too Many Requests' }, 'retryable', 'RATE_LIMITED'],
    [503, { error: 'Trading is currently disabled. Check polymarket.com for updates' }, 'retryable', 'TRADING_DISABLED'],
    [502, 'Bad Gateway', 'unknown_outcome', 'SERVER_ERROR_AFTER_SEND'],
    [400, { error: 'something new the venue says' }, 'rejected', 'VENUE_REJECTED'],
  ] as const)('HTTP %i → %s', async (status, body, kind, code) => {
    h.clob.fault({ method: 'POST', path: '/order', kind: 'status', status, body });
    const e = await place();
    expect([e.kind, e.code]).toEqual([kind, code]);
    if (code === 'VENUE_REJECTED') expect(e.message).toContain('something new the venue says');
  });

  it('an unreadable success body after sending is an unknown outcome (look it up)', async () => {
    h.clob.fault({ method: 'POST', path: '/order', kind: 'status', status: 200, body: { success: true, orderID: 42 } });
    const e = await place();
    expect([e.kind, e.code]).toEqual(['unknown_outcome', 'BAD_RESPONSE']);
  });

  it('a delayed order (success, status "delayed") is open, not failed', async () => {
    const req = h.request({
      userId,
      onPrepared: async ({ venueOrderId }) =>
        h.clob.fault({ method: 'POST', path: '/order', kind: 'status', status: 200, body: { success: true, errorMsg: '', orderID: venueOrderId, status: 'delayed', makingAmount: '0', takingAmount: '0' } }),
    });
    const placed = await h.adapter.placeOrder(req);
    expect([placed.status, placed.filledQuantity.toFixed(), placed.reason]).toEqual(['open', '0', 'Polymarket delayed matching the order']);
  });

  it('a 5xx on a read is retryable, not unknown', async () => {
    h.clob.fault({ method: 'GET', path: '/balance-allowance', kind: 'status', status: 500 });
    const e = await h.adapter.getBalance({ account: { userId } }).then(() => null, (err: unknown) => err as VenueError);
    expect([e?.kind, e?.code]).toEqual(['retryable', 'SERVER_ERROR_BEFORE_EFFECT']);
  });

  it('every table entry has a readable reason', () => {
    for (const [code, entry] of Object.entries(POLYMARKET_ERRORS)) {
      expect(entry.reason.length, code).toBeGreaterThan(15);
      expect(entry.reason, code).not.toMatch(/^[A-Z_]+$/);
    }
  });
});
