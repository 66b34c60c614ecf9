/** The confirmation flow and the dispatcher, over an in-memory stub of the services. */
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../core/money.ts';
import { TradingError } from '../../core/trading/types.ts';
import { ConfirmationStore, confirmButtonId, parseConfirmButton } from '../../bots/commands/confirm.ts';
import { createCommandHandler } from '../../bots/commands/dispatcher.ts';
import type { ChatContext, Reply } from '../../bots/commands/replies.ts';
import { createStubServices, position, type StubOptions } from './commands-stub.ts';

const me: ChatContext = { platform: 'telegram', userExternalId: '111', userName: 'ann', chatId: 'chat-1', isGroup: false };
const other: ChatContext = { ...me, userExternalId: '222', userName: 'bob' };

function setup(opts: StubOptions = {}, ttlMs = 60_000) {
  let now = new Date('2026-11-29T12:00:00Z');
  const services = createStubServices(opts);
  const handler = createCommandHandler({ services, clock: () => now, confirmTtlMs: ttlMs });
  return {
    services,
    handler,
    advance(ms: number) {
      now = new Date(now.getTime() + ms);
    },
  };
}

function only(replies: Reply[]): Reply {
  expect(replies).toHaveLength(1);
  return replies[0]!;
}

function confirmButton(r: Reply) {
  const b = r.buttons?.[0]?.find((x) => x.label === 'Confirm');
  if (!b) throw new Error(`no Confirm button in ${JSON.stringify(r)}`);
  return b;
}

describe('ConfirmationStore', () => {
  it('claims once; expires after the TTL; only the owner may answer', () => {
    let now = new Date(0);
    const store = new ConfirmationStore<string>({ ttlMs: 1000, clock: () => now });
    const c = store.create({ owner: 'tg:1', chatId: 'c', payload: 'x' });
    expect(c.id).toMatch(/^[0-9a-f]{16}$/);
    expect(store.claim(c.id, 'tg:2').status).toBe('not_yours');
    expect(store.claim(c.id, 'tg:1').status).toBe('claimed');
    expect(store.claim(c.id, 'tg:1').status).toBe('already_confirmed');
    expect(store.decline(c.id, 'tg:1').status).toBe('already_confirmed');

    const d = store.create({ owner: 'tg:1', chatId: 'c', payload: 'y' });
    now = new Date(999);
    expect(store.latestPending('tg:1', 'c')?.id).toBe(d.id);
    now = new Date(1000);
    expect(store.latestPending('tg:1', 'c')).toBeUndefined();
    expect(store.claim(d.id, 'tg:1').status).toBe('expired');
    expect(store.claim('ffffffffffffffff', 'tg:1').status).toBe('unknown');
  });

  it('finds by unique prefix per owner and sweeps old entries', () => {
    let now = new Date(0);
    let n = 0;
    const ids = ['aaaa111100000000', 'aaaa222200000000'];
    const store = new ConfirmationStore<string>({ ttlMs: 1000, retainMs: 5000, clock: () => now, newId: () => ids[n++]! });
    store.create({ owner: 'o', chatId: 'c', payload: '1' });
    store.create({ owner: 'o', chatId: 'c', payload: '2' });
    expect(store.findByPrefix('o', 'aaaa')).toBeUndefined();
    expect(store.findByPrefix('o', 'aaaa2222')?.payload).toBe('2');
    expect(store.findByPrefix('someone-else', 'aaaa2222')).toBeUndefined();
    now = new Date(7000);
    expect(store.get('aaaa111100000000')).toBeUndefined();
    expect(store.size).toBe(0);
  });

  it('button ids round-trip and stay within Telegram callback data limits', () => {
    const id = confirmButtonId('0123456789abcdef', 'ok');
    expect(Buffer.byteLength(id)).toBeLessThanOrEqual(64);
    expect(parseConfirmButton(id)).toEqual({ id: '0123456789abcdef', answer: 'ok' });
    expect(parseConfirmButton('cf:zz:ok')).toBeNull();
    expect(parseConfirmButton('something')).toBeNull();
  });
});

describe('buy/sell confirmation flow', () => {
  it('a buy shows the routed quote with Confirm/Cancel and places nothing yet', async () => {
    const { services, handler } = setup();
    const r = only(await handler.handleText(me, '/buy fed-cut yes $25'));
    expect(r.kind).toBe('confirm');
    expect(r.text).toContain('Buy $25.00 of YES at market on polymarket');
    expect(r.text).toMatch(/expected: 58\.13 shares at avg 43¢ \(worst price 43¢\)/);
    expect(r.text).toMatch(/fees \$0\.00 · you pay about \$25\.00/);
    expect(r.text).toMatch(/why polymarket: /);
    expect(r.text).toMatch(/kalshi: 56\.81 shares at avg 44¢, pay \$25\.25 incl\. \$0\.25 fees/);
    expect(r.text).toMatch(/Confirm within 60s/);
    expect(r.buttons?.[0]?.map((b) => [b.label, b.style])).toEqual([
      ['Confirm', 'primary'],
      ['Cancel', 'danger'],
    ]);
    expect(r.editKey).toMatch(/^confirm:[0-9a-f]{16}$/);
    expect(services.calls.placeOrder).toHaveLength(0);
    expect(services.calls.quote[0]).toMatchObject({ marketId: 'mkt-fed', side: 'yes', action: 'buy', type: 'market' });
    expect(services.calls.quote[0]!.amount!.toFixed()).toBe('25');
  });

  it('confirming twice (button, then typed y) places ONE order with the confirmation id as idempotency key', async () => {
    const { services, handler } = setup();
    const quote = only(await handler.handleText(me, '/buy fed-cut yes $25'));
    const button = confirmButton(quote);
    const first = only(await handler.handleButton(me, button.id));
    expect(first.kind).toBe('order');
    expect(first.text).toMatch(/^Bought 58\.13 YES at avg 43¢ on polymarket for \$25\.00, no fees\./);
    expect(first.editKey).toBe(quote.editKey);
    expect(first.buttons).toEqual([]);
    const second = only(await handler.handleText(me, 'y'));
    expect(second.text).toMatch(/^Already confirmed; nothing new was placed\.\nBought 58\.13 YES/);
    expect(second.orderId).toBe(first.orderId);
    expect(services.calls.placeOrder).toHaveLength(1);
    const placed = services.calls.placeOrder[0]!;
    const id = quote.editKey!.slice('confirm:'.length);
    expect(placed.idempotencyKey).toBe(`chat-confirm-${id}`);
    // The venue the user saw is the venue used.
    expect(placed.exchange).toBe('polymarket');
    expect(placed.source).toBe('manual');
  });

  it('two concurrent presses place one order and both show it', async () => {
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const { services, handler } = setup({ placeGate: gate });
    const quote = only(await handler.handleText(me, '/buy fed-cut yes $25'));
    const b = confirmButton(quote);
    const a1 = handler.handleButton(me, b.id);
    const a2 = handler.handleButton(me, b.id);
    open();
    const [r1, r2] = await Promise.all([a1, a2]);
    expect(services.calls.placeOrder).toHaveLength(1);
    expect(only(r1).orderId).toBeDefined();
    expect(only(r2).orderId).toBe(only(r1).orderId);
  });

  it('an expired confirmation places nothing and says how to retry', async () => {
    const { services, handler, advance } = setup({}, 60_000);
    const quote = only(await handler.handleText(me, '/buy "fed cut" yes 10 @42c on kalshi'));
    advance(60_000);
    const r = only(await handler.handleButton(me, confirmButton(quote).id));
    expect(r.kind).toBe('error');
    expect(r.text).toBe('That quote expired after 60s; nothing was placed. Send it again for a fresh quote: /buy fed-cut yes 10 @42c on kalshi');
    expect(r.editKey).toBe(quote.editKey);
    expect(only(await handler.handleText(me, 'y')).text).toMatch(/^That quote expired after 60s/);
    expect(services.calls.placeOrder).toHaveLength(0);
  });

  it('confirms just before expiry', async () => {
    const { services, handler, advance } = setup({}, 60_000);
    await handler.handleText(me, '/buy fed-cut yes $25');
    advance(59_999);
    expect(only(await handler.handleText(me, '/confirm')).kind).toBe('order');
    expect(services.calls.placeOrder).toHaveLength(1);
  });

  it('Cancel (button, n, plain /cancel, /cancel <confirmation id>) places nothing', async () => {
    const { services, handler } = setup();
    const q1 = only(await handler.handleText(me, '/buy fed-cut yes $25'));
    const cancel = q1.buttons![0]!.find((b) => b.label === 'Cancel')!;
    expect(cancel.command).toMatch(/^\/cancel [0-9a-f]{8}$/);
    expect(only(await handler.handleButton(me, cancel.id)).text).toBe('Cancelled; nothing was placed. (/buy fed-cut yes $25)');
    expect(only(await handler.handleButton(me, confirmButton(q1).id)).text).toMatch(/^Cancelled; nothing was placed/);

    await handler.handleText(me, '/buy fed-cut yes $5');
    expect(only(await handler.handleText(me, 'n')).text).toMatch(/^Cancelled; nothing was placed\. \(\/buy fed-cut yes \$5\)/);
    await handler.handleText(me, '/buy fed-cut yes $6');
    expect(only(await handler.handleText(me, '/cancel')).text).toMatch(/^Cancelled; nothing was placed\. \(\/buy fed-cut yes \$6\)/);
    const q4 = only(await handler.handleText(me, '/buy fed-cut yes $7'));
    expect(only(await handler.handleText(me, confirmButton(q4).command!.replace('/confirm', '/cancel'))).text).toMatch(/\$7\)$/);
    expect(services.calls.placeOrder).toHaveLength(0);
    expect(only(await handler.handleText(me, 'y')).text).toMatch(/^Cancelled; nothing was placed/);
  });

  it('the typed command of the Confirm button works like the button', async () => {
    const { services, handler } = setup();
    const q = only(await handler.handleText(me, '/buy fed-cut no 10'));
    expect(only(await handler.handleText(me, confirmButton(q).command!.slice(1))).kind).toBe('order');
    expect(services.calls.placeOrder).toHaveLength(1);
    expect(services.calls.placeOrder[0]).toMatchObject({ side: 'no', type: 'market' });
    expect(services.calls.placeOrder[0]!.quantity!.toFixed()).toBe('10');
  });

  it('in a group only the person who asked can confirm', async () => {
    const { services, handler } = setup();
    const g = { ...me, chatId: 'group-1', isGroup: true };
    const q = only(await handler.handleText(g, '/buy fed-cut yes $25'));
    const r = only(await handler.handleButton({ ...other, chatId: 'group-1', isGroup: true }, confirmButton(q).id));
    expect(r.text).toBe('That confirmation belongs to someone else; only the person who asked can answer it.');
    expect(r.ephemeral).toBe(true);
    expect(only(await handler.handleText({ ...other, chatId: 'group-1', isGroup: true }, '/confirm')).text).toMatch(/^There is nothing to confirm/);
    expect(services.calls.placeOrder).toHaveLength(0);
    expect(only(await handler.handleButton(g, confirmButton(q).id)).kind).toBe('order');
  });

  it('nothing to confirm', async () => {
    const { handler } = setup();
    expect(only(await handler.handleText(me, 'y')).text).toBe('There is nothing to confirm. Buy or sell first, e.g. /buy fed-cut yes $25');
    expect(only(await handler.handleButton(me, confirmButtonId('00000000deadbeef', 'ok'))).text).toMatch(/^There is no pending confirmation "00000000deadbeef"/);
    expect(only(await handler.handleButton(me, 'bogus')).text).toBe('That button is no longer active.');
  });

  it('a failure when placing is worded, and a second confirm does not retry it', async () => {
    const { services, handler } = setup({ placeError: new TradingError('max_order_size', 'This order is worth about $25.00, above your per-order limit of $10.00.') });
    await handler.handleText(me, '/buy fed-cut yes $25');
    const r = only(await handler.handleText(me, 'y'));
    expect(r.kind).toBe('error');
    expect(r.text).toBe('This order is worth about $25.00, above your per-order limit of $10.00. Try a smaller amount.');
    await handler.handleText(me, 'y');
    expect(services.calls.placeOrder).toHaveLength(1);
  });

  it('an unexpected failure when placing does not leak internals', async () => {
    const { handler } = setup({ placeError: new Error('connection terminated unexpectedly') });
    await handler.handleText(me, '/buy fed-cut yes $25');
    const r = only(await handler.handleText(me, 'y'));
    expect(r.text).toBe('Something went wrong on our side while placing the order. Check /orders before you try again.');
  });

  it('skipConfirm places at once; a user threshold skips confirmation only below it', async () => {
    const services = createStubServices();
    const h = createCommandHandler({ services, skipConfirm: true });
    expect(only(await h.handleText(me, '/buy fed-cut yes $25')).kind).toBe('order');
    expect(services.calls.placeOrder).toHaveLength(1);

    const s2 = createStubServices({ skipConfirmBelowUsd: new Decimal(10) });
    const h2 = createCommandHandler({ services: s2 });
    expect(only(await h2.handleText(me, '/buy fed-cut yes $5')).kind).toBe('order');
    expect(only(await h2.handleText(me, '/buy fed-cut yes $10')).kind).toBe('confirm');
    expect(s2.calls.placeOrder).toHaveLength(1);
  });

  it('limit buy by dollars becomes whole shares at the limit price', async () => {
    const { services, handler } = setup();
    const r = only(await handler.handleText(me, '/buy fed-cut yes $25 @42c'));
    expect(r.text).toMatch(/^Buy 59\.00 YES @ 42¢ \(limit\) on /);
    expect(r.text).toContain('costs at most $24.78 plus fees');
    expect(services.calls.quote[0]).toMatchObject({ type: 'limit' });
    expect(services.calls.quote[0]!.quantity!.toFixed()).toBe('59');
    expect(only(await handler.handleText(me, '/buy fed-cut yes $0.30 @42c')).text).toMatch(/^\$0\.30 buys no whole share at 42¢\. Try: \/buy fed-cut yes \$25/);
  });

  it('sell all sells what is held; several venues → asks which', async () => {
    const { services, handler } = setup();
    expect(only(await handler.handleText(me, '/sell fed-cut yes all')).text).toBe(
      'You have no YES shares of Fed cuts rates in December? to sell. See what you hold with /positions.',
    );
    services.positions.push(position({ marketId: 'mkt-fed', side: 'yes', quantity: new Decimal('12.5'), exchange: 'polymarket' }));
    const q = only(await handler.handleText(me, '/sell fed-cut yes all'));
    expect(q.text).toMatch(/^Sell 12\.50 YES at market on polymarket/);
    expect(q.text).toMatch(/you receive about \$5\.13/);
    expect(services.calls.quote.at(-1)!.quantity!.toFixed()).toBe('12.5');
    services.positions.push(position({ marketId: 'mkt-fed', side: 'yes', quantity: new Decimal('3'), exchange: 'kalshi' }));
    expect(only(await handler.handleText(me, '/sell fed-cut yes all')).text).toBe(
      'You hold YES of this market on polymarket (12.50) and kalshi (3.00). Say which: /sell fed-cut yes all on polymarket',
    );
    expect(only(await handler.handleText(me, '/sell fed-cut yes all on kalshi')).text).toMatch(/^Sell 3\.00 YES at market on kalshi/);
  });
});

describe('dispatcher', () => {
  it('help needs no user; other commands create the chat user', async () => {
    const { services, handler } = setup();
    expect(only(await handler.handleText(me, '/help')).text).toMatch(/^yesno trades/);
    expect(services.calls.ensureChatUser).toHaveLength(0);
    await handler.handleText(me, '/balance');
    expect(services.calls.ensureChatUser).toEqual([{ platform: 'telegram', externalId: '111', name: 'ann', chatId: 'chat-1' }]);
  });

  it('bad input changes nothing and names the right form', async () => {
    const { services, handler } = setup();
    for (const line of ['/buy fed-cut yes abc', '/buy', '/sell fed-cut yes $5', '/order 12', '/cancel zz', '/byu x', '/buy fed-cut yes 10 @100']) {
      const r = only(await handler.handleText(me, line));
      expect(r.kind, line).toBe('error');
      expect(r.text, line).toMatch(/Try:|Did you mean|\/help/);
    }
    expect(services.calls.placeOrder).toHaveLength(0);
    expect(services.calls.quote).toHaveLength(0);
  });

  it('service errors are worded with a next step', async () => {
    const { handler } = setup();
    expect(only(await handler.handleText(me, '/price nothing-like-this')).text).toBe('No market matches "nothing-like-this". Try /markets to search.');
    expect(only(await handler.handleText(me, '/buy fed yes $5')).text).toBe(
      '"fed" matches 2 markets: mkt-fed; mkt-fed-jan. Use the market id. Try: /buy mkt-fed yes $25',
    );
    expect(only(await handler.handleText(me, '/buy fed-hike-jan yes $5')).text).toBe(
      'Fed hikes rates in January? is closed; it cannot be traded. Find an open market with /markets.',
    );
    expect(only(await handler.handleText(me, '/buy btc yes $5 on kalshi')).text).toBe(
      'This market is not listed on kalshi; it trades on polymarket. Leave out "on <venue>" and yesno picks a venue that lists it.',
    );
    expect(only(await handler.handleText(me, '/buy https://kalshi.com/markets/kxnope/nope/kxnope-1 yes $5')).text).toBe(
      'I couldn\'t find the market of that Kalshi link (looked for "KXNOPE-1", "KXNOPE", "nope"). Search with /markets <words>, or paste the market link.',
    );
  });

  it('links resolve through their candidate terms', async () => {
    const { handler } = setup();
    const r = only(await handler.handleText(me, '/price https://kalshi.com/markets/kxfedcut/fed-cut/kxfedcut-25dec'));
    expect(r.text).toMatch(/^Fed cuts rates in December\? \(fed-cut\)/);
    const p = only(await handler.handleText(me, '/price https://polymarket.com/event/fed-decisions/btc-100k'));
    expect(p.text).toMatch(/^Bitcoin above \$100k/);
  });

  it('/orders, /order <prefix>, /cancel <prefix>', async () => {
    const { services, handler } = setup({ placeStatus: 'pending' });
    const h2 = createCommandHandler({ services, skipConfirm: true });
    const placed = only(await h2.handleText(me, '/buy fed-cut yes 10 @40c'));
    const id = placed.orderId!;
    expect(only(await handler.handleText(me, '/orders')).text).toContain(`${id.slice(0, 8)}  pending   buy 10.00 YES @ 40¢ on polymarket`);
    const detail = only(await handler.handleText(me, `/order ${id.slice(0, 6)}`));
    expect(detail.text).toMatch(new RegExp(`^Order ${id.slice(0, 8)} · pending`));
    expect(detail.text).toContain(`/cancel ${id.slice(0, 8)} cancels it.`);
    const c = only(await handler.handleText(me, `/cancel ${id.slice(0, 8)}`));
    expect(c.text).toMatch(new RegExp(`^Order ${id.slice(0, 8)} was cancelled \\(cancelled by you\\): buy 10\\.00 YES @ 40¢ on polymarket; nothing filled\\.`));
    expect(services.calls.cancelOrder).toEqual([id]);
    expect(only(await handler.handleText(me, `/cancel ${id}`)).text).toBe(`Order ${id.slice(0, 8)} is already cancelled; there is nothing to cancel.`);
    expect(only(await handler.handleText(me, '/orders')).text).toBe('No open orders. /orders all shows your recent orders.');
    expect(only(await handler.handleText(other, `/order ${id.slice(0, 8)}`)).text).toBe(
      `You have no order whose id starts with "${id.slice(0, 8)}". Your orders and their ids are in /orders all.`,
    );
  });

  it('plain /cancel without a pending confirmation asks which order', async () => {
    const { handler } = setup();
    expect(only(await handler.handleText(me, '/cancel')).text).toBe('Which order? Give its id from /orders. Try: /cancel 1a2b3c4d');
  });

  it('groups: slash-less chatter is ignored; commands still work', async () => {
    const { handler } = setup();
    const g = { ...me, isGroup: true };
    expect(await handler.handleText(g, 'yes I think so')).toEqual([]);
    expect(only(await handler.handleText(g, '/bal')).text).toMatch(/^Balance/);
    expect(await handler.handleText(me, '')).toEqual([]);
  });

  it('rate limits per chat user', async () => {
    const services = createStubServices();
    let n = 0;
    const handler = createCommandHandler({ services, rateLimit: { take: () => ({ allowed: n++ < 2, retryAfterSec: 7 }) } });
    await handler.handleText(me, '/help');
    await handler.handleText(me, '/help');
    const r = only(await handler.handleText(me, '/buy fed-cut yes $5'));
    expect(r.text).toBe('Slow down a little: too many commands. Try again in 7s; nothing was done.');
    expect(services.calls.quote).toHaveLength(0);
  });

  it('rejects a malformed chat context loudly (a transport bug)', async () => {
    const { handler } = setup();
    await expect(handler.handleText({ ...me, userExternalId: '' }, '/balance')).rejects.toThrow(/userExternalId/);
  });

  it('/start welcomes with the balance', async () => {
    const { handler } = setup();
    expect(only(await handler.handleText(me, '/start')).text).toMatch(/^Welcome to yesno, ann!.*\nPaper money: \$1000\.00 on polymarket, \$987\.50 on kalshi\./s);
  });
});
