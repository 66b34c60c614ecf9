/**
 * AutomationApi (AutomationService) against real Postgres: every sniper method's bad input is a
 * TradingError naming the field and changes nothing; list / get (with order ids) / cancel, including
 * another user's sniper and one that is firing right now.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreateSniperInput } from '../../core/automation/types.ts';
import { Decimal } from '../../core/money.ts';
import { TradingError } from '../../core/trading/types.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { d, lv, poly, startHarness, type Harness } from './automation-harness.ts';

const APPLE = 'apple-foldable-2026'; // Polymarket only, minimum 5 shares
const HOUSE = 'house-dem-2026'; // Polymarket and Kalshi

async function caught(p: Promise<unknown>): Promise<TradingError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof TradingError) return err;
    throw err;
  }
  throw new Error('expected a TradingError');
}

describe('AutomationApi', () => {
  let db: TestDatabase;
  let h: Harness;
  let userId: string;
  let otherId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    h = await startHarness(db);
    const [venue, id] = poly(APPLE);
    h.feed.setBook(venue, id, { bids: [lv('0.48', '1000')], asks: [lv('0.50', '1000')] });
    await h.settle();
    userId = (await h.core.users.createUser({ name: 'ann' })).user.id;
    otherId = (await h.core.users.createUser({ name: 'bob' })).user.id;
  });
  afterAll(async () => {
    await h?.stop();
    await db?.drop();
  });

  const valid = (over: Partial<CreateSniperInput> = {}): CreateSniperInput => ({ userId, marketId: APPLE, side: 'yes', triggerPrice: d('0.30'), amount: d('5'), ...over });

  it('createSniper: bad input names the field and writes nothing', async () => {
    await h.prisma.user.update({ where: { id: otherId }, data: { maxOrderUsd: '20' } });
    const past = new Date(Date.now() - 60_000);
    const cases: [string, CreateSniperInput, string, string, string][] = [
      ['trigger above 1', valid({ triggerPrice: d('1.5') }), 'invalid_input', 'triggerPrice', 'triggerPrice must be between 0 and 1'],
      ['trigger of 1', valid({ triggerPrice: d('1') }), 'invalid_input', 'triggerPrice', 'between 0 and 1'],
      ['trigger of 0', valid({ triggerPrice: d('0') }), 'invalid_input', 'triggerPrice', 'between 0 and 1'],
      ['negative trigger', valid({ triggerPrice: d('-0.3') }), 'invalid_input', 'triggerPrice', 'between 0 and 1'],
      ['trigger with 7 places', valid({ triggerPrice: d('0.3000001') }), 'invalid_input', 'triggerPrice', 'more than 6 decimal places'],
      ['trigger as a JS number', valid({ triggerPrice: 0.3 as unknown as Decimal }), 'invalid_input', 'triggerPrice', 'must be a price'],
      ['NaN trigger', valid({ triggerPrice: new Decimal(NaN) }), 'invalid_input', 'triggerPrice', 'must be a price'],
      ['negative amount', valid({ amount: d('-5') }), 'invalid_input', 'amount', 'amount must be more than $0'],
      ['zero amount', valid({ amount: d('0') }), 'invalid_input', 'amount', 'amount must be more than $0'],
      ['amount as a string', valid({ amount: '5' as unknown as Decimal }), 'invalid_input', 'amount', 'amount must be a USD amount'],
      ['slippage above 50%', valid({ slippage: d('0.6') }), 'invalid_input', 'slippage', 'between 0 and 0.5'],
      ['negative slippage', valid({ slippage: d('-0.01') }), 'invalid_input', 'slippage', 'between 0 and 0.5'],
      ['slippage with 5 places', valid({ slippage: d('0.00001') }), 'invalid_input', 'slippage', 'more than 4 decimal places'],
      ['past expiry', valid({ expiresAt: past }), 'invalid_input', 'expiresAt', 'must be in the future'],
      ['invalid date', valid({ expiresAt: new Date('nope') }), 'invalid_input', 'expiresAt', 'must be a date'],
      ['bad side', valid({ side: 'maybe' as 'yes' }), 'invalid_input', 'side', 'side must be "yes" or "no"'],
      ['bad exchange', valid({ exchange: 'binance' as 'kalshi' }), 'invalid_input', 'exchange', 'exchange must be one of polymarket, kalshi'],
      ['repeat not boolean', valid({ repeat: 'yes' as unknown as boolean }), 'invalid_input', 'repeat', 'repeat must be true or false'],
      ['empty market', valid({ marketId: ' ' }), 'invalid_input', 'marketId', 'marketId is required'],
      ['no user', valid({ userId: '' }), 'invalid_input', 'userId', 'A user is required'],
      ['unknown market', valid({ marketId: 'no-such-market-anywhere' }), 'market_not_found', '', 'No market matches'],
      ['market not on that venue', valid({ exchange: 'kalshi' }), 'venue_not_listed', 'exchange', 'not listed on kalshi'],
      ['below the venue minimum', valid({ amount: d('1'), triggerPrice: d('0.5') }), 'below_minimum', 'amount', 'the minimum for this market is 5'],
      ["above the user's cap", valid({ userId: otherId, amount: d('25') }), 'max_order_size', 'amount', 'above your per-order limit of $20.00'],
    ];
    for (const [name, input, code, field, message] of cases) {
      const err = await caught(h.core.automation.createSniper(input));
      expect(err.code, name).toBe(code);
      if (field) expect(err.details?.field, name).toBe(field);
      expect(err.message, name).toContain(message);
    }
    expect(await h.prisma.sniperOrder.count()).toBe(0);
  });

  it('createSniper: defaults (2% slippage, no expiry, one-shot) and the seed fields', async () => {
    const s = await h.core.automation.createSniper(valid({ marketId: 'Apple foldable' }));
    expect(s).toMatchObject({ marketId: APPLE, side: 'yes', exchange: null, status: 'WATCHING', repeat: false, expiresAt: null, paused: false, fireCount: 0, orderIds: [] });
    expect(s.slippage.toFixed()).toBe('0.02');
    expect(s.triggerPrice.toFixed()).toBe('0.3');
    const onVenue = await h.core.automation.createSniper(valid({ marketId: HOUSE, exchange: 'kalshi', side: 'no', repeat: true, slippage: d('0.1'), expiresAt: new Date(Date.now() + 3600_000) }));
    expect(onVenue).toMatchObject({ exchange: 'kalshi', side: 'no', repeat: true });
  });

  it('list, get and cancel: own snipers only; cancel is a compare-and-set on WATCHING', async () => {
    const s = await h.core.automation.createSniper(valid());
    const mine = await h.core.automation.listSnipers({ userId });
    expect(mine.map((x) => x.id)).toContain(s.id);
    expect(await h.core.automation.listSnipers({ userId: otherId })).toEqual([]);
    expect((await h.core.automation.listSnipers({ userId, status: ['CANCELLED'] })).length).toBe(0);
    expect((await caught(h.core.automation.listSnipers({ userId, status: ['SLEEPING' as 'WATCHING'] }))).code).toBe('invalid_input');

    expect((await caught(h.core.automation.getSniper({ userId: otherId, sniperId: s.id }))).message).toContain('No sniper');
    expect((await caught(h.core.automation.getSniper({ userId, sniperId: 'abc' }))).message).toContain('is not a sniper id');
    expect((await caught(h.core.automation.cancelSniper({ userId: otherId, sniperId: s.id }))).code).toBe('order_not_found');
    expect((await h.core.automation.getSniper({ userId, sniperId: s.id })).status).toBe('WATCHING');

    const cancelled = await h.core.automation.cancelSniper({ userId, sniperId: s.id });
    expect(cancelled.status).toBe('CANCELLED');
    const again = await caught(h.core.automation.cancelSniper({ userId, sniperId: s.id }));
    expect(again.code).toBe('not_cancellable');
    expect(again.message).toContain('already cancelled');

    const firing = await h.core.automation.createSniper(valid());
    await h.prisma.sniperOrder.update({ where: { id: firing.id }, data: { status: 'EXECUTING' } });
    const busy = await caught(h.core.automation.cancelSniper({ userId, sniperId: firing.id }));
    expect(busy.code).toBe('not_cancellable');
    expect(busy.message).toContain('is firing right now');
    expect((await h.core.automation.getSniper({ userId, sniperId: firing.id })).status).toBe('EXECUTING');
    await h.prisma.sniperOrder.update({ where: { id: firing.id }, data: { status: 'CANCELLED' } });
  });

  it('a closed market refuses new snipers', async () => {
    await h.prisma.market.update({ where: { id: APPLE }, data: { status: 'closed' } });
    await h.core.directory.load();
    try {
      const before = await h.prisma.sniperOrder.count();
      expect((await caught(h.core.automation.createSniper(valid()))).code).toBe('market_closed');
      expect(await h.prisma.sniperOrder.count()).toBe(before);
    } finally {
      await h.prisma.market.update({ where: { id: APPLE }, data: { status: 'open' } });
      await h.core.directory.load();
    }
  });
});
