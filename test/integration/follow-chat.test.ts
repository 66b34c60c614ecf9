/**
 * /counter, /copy and /follows on the real core (chat handler → FollowService → engine), with the
 * fake data API: confirm before arming, the one message per target trade, today's PnL and counts in
 * /follows, pause/resume/stop; /help counter states the rule; bad input for every command gets a
 * specific answer and writes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommandHandler } from '../../bots/commands/index.ts';
import { parseCommand } from '../../bots/commands/grammar.ts';
import { DISCORD_COMMANDS } from '../../bots/discord/commands.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { startFakeDataApi, type FakeDataApi } from '../fakes/polymarket/data-api.ts';
import { WALLET, followTexts, setPolyBook, startFollowHarness, token, type FollowHarness } from './follow-harness.ts';

const APPLE = 'apple-foldable-2026';

describe('chat: /counter, /copy, /follows', () => {
  let db: TestDatabase;
  let api: FakeDataApi;
  let f: FollowHarness;
  let handler: ReturnType<typeof createCommandHandler>;
  const ctx = { platform: 'console' as const, userExternalId: 'fol', userName: 'fol', chatId: 'fol', isGroup: false };
  const text = async (line: string) => (await handler.handleText(ctx, line)).map((r) => r.text).join('\n');
  const rows = async () => (await f.prisma.counterTradeConfig.count()) + (await f.prisma.copyTradeSubscription.count());

  beforeAll(async () => {
    db = await createTestDatabase();
    api = await startFakeDataApi();
    f = await startFollowHarness(db, api);
    setPolyBook(f.h, APPLE, '0.48', '0.50');
    handler = createCommandHandler({ services: f.h.core });
  });
  afterAll(async () => {
    await f?.stop();
    await api?.close();
    await db?.drop();
  });

  it('/counter asks to confirm, then arms; a target trade gives one message; /follows shows today; pause, resume, stop', async () => {
    const ask = await handler.handleText(ctx, `/counter ${WALLET} x0.5 max $50 delay 0 stop $100 categories tech`);
    expect(ask).toHaveLength(1);
    expect(ask[0]!.kind).toBe('confirm');
    expect(ask[0]!.text).toMatch(/^Counter-trade 0x56687bf447db6ffa42ffe2204a05edaa20f55839\? When it buys an outcome you buy the opposite outcome of the same market/);
    expect(ask[0]!.text).toMatch(/Settings: x0.5, at most \$50.00 per trade, no delay, daily stop-loss \$100.00, tech only\./);
    expect(ask[0]!.text).toMatch(/without asking you again .* Confirm within 60s/);
    expect(await rows()).toBe(0);
    const armed = await text('/confirm');
    expect(armed).toMatch(/^Counter-trading 0x5668…5839 from now on \(#[0-9a-f]{8}\): x0.5, at most \$50.00 per trade/);
    expect(await rows()).toBe(1);
    expect(await text('/confirm')).toMatch(/Already confirmed; nothing new was placed/);
    expect(await rows()).toBe(1);

    await f.poll();
    api.addTrade(WALLET, { side: 'BUY', asset: token(APPLE, 'yes'), size: 40, price: 0.5, title: 'Apple foldable' });
    await f.poll();
    const user = await f.prisma.user.findFirstOrThrow({ where: { name: 'fol' } });
    const msgs = await followTexts(f.prisma, user.id);
    expect(msgs).toHaveLength(1);
    expect(msgs[0]).toMatch(/bought 40 Yes @ 50¢ of "Apple foldable" → you bought 20 NO @ /);

    const list = await text('/follows');
    expect(list).toMatch(/#([0-9a-f]{8}) counter 0x5668…5839 x0.5, at most \$50.00 per trade, no delay, daily stop-loss \$100.00, tech only · active · today: 1 trade, PnL -?\$\d+\.\d\d/);
    const id = /#([0-9a-f]{8})/.exec(list)![1]!;
    expect(await text(`/follows ${id}`)).toMatch(/Orders placed: 1 \(latest [0-9a-f]{8}; \/order <id>\)/);
    expect(await text(`/follows pause ${id}`)).toMatch(/^Paused #/);
    expect(await text('/follows')).toMatch(/· paused by you ·/);
    expect(await text(`/follows resume ${id}`)).toMatch(/^Resumed #/);
    expect(await text(`/follows stop ${id}`)).toMatch(/^Stopped #.* for good\. Your positions stay as they are; today: 1 trade,/);
    expect(await text('/follows')).toMatch(/You follow no wallet right now/);
    expect(await text('/follows all')).toMatch(/· stopped ·/);
    expect(await text(`/follows stop ${id}`)).toMatch(/is already stopped/);
  });

  it('/copy, cancelled: nothing is started', async () => {
    const before = await rows();
    expect(await text(`/copy ${WALLET} x2`)).toMatch(/^Copy 0x56687bf447db6ffa42ffe2204a05edaa20f55839\? When it buys an outcome you buy the same outcome/);
    expect(await text('/cancel')).toMatch(/Cancelled; nothing was placed/);
    expect(await rows()).toBe(before);
  });

  it('/help counter states the inverse rule; every example parses', () => {
    return text('/help counter').then((h) => {
      expect(h).toMatch(/when the target BUYS an outcome, you buy the OPPOSITE outcome of the same market/);
      expect(h).toMatch(/When the target SELLS an outcome, you sell the opposite shares this counter-trade bought \(you exit the matching counter position\)/);
      expect(h).toMatch(/\/counter 0x56687bf447db6ffa42ffe2204a05edaa20f55839 x0.5 max \$50 stop \$100/);
      for (const ex of ['/counter 0x56687bf447db6ffa42ffe2204a05edaa20f55839 x2 delay 2m categories politics, crypto', '/fade 0x56687bf447db6ffa42ffe2204a05edaa20f55839', '/mirror 0x56687bf447db6ffa42ffe2204a05edaa20f55839 2x']) {
        expect(parseCommand(ex).kind, ex).toBe('command');
      }
    });
  });

  it('Discord slash options map onto the same commands', () => {
    const def = (name: string) => DISCORD_COMMANDS.find((c) => c.name === name)!;
    const opts = (o: Record<string, string | number>) => ({ get: (k: string) => o[k] });
    const typed = parseCommand(`/counter ${WALLET} x0.5 max 50 delay 30 stop $100 categories politics,crypto`);
    expect(typed.kind).toBe('command');
    expect(def('counter').toCommand(opts({ wallet: WALLET, multiplier: '0.5', max: '50', delay: 30, stop: '$100', categories: 'politics,crypto' }))).toEqual({ ok: true, value: (typed as { command: unknown }).command });
    expect(def('copy').toCommand(opts({ wallet: '0x12' }))).toMatchObject({ ok: false, problem: expect.stringMatching(/is not a wallet address/) });
    expect(def('follows').toCommand(opts({ action: 'pause', id: '1a2b3c4d' }))).toEqual({ ok: true, value: { name: 'follows', action: 'pause', id: '1a2b3c4d' } });
    expect(def('follows').toCommand(opts({}))).toEqual({ ok: true, value: { name: 'follows', action: 'list', all: false } });
    expect(def('follows').toCommand(opts({ action: 'show' }))).toMatchObject({ ok: false });
  });

  it('bad input for every command: a specific answer, nothing written', async () => {
    const before = await rows();
    const cases: [string, RegExp][] = [
      ['/counter', /Which wallet\? Give the Polymarket wallet address to counter-trade/],
      ['/counter 0x1234', /"0x1234" is not a wallet address: it is 0x followed by 40 hex digits/],
      ['/copy 56687bf447db6ffa42ffe2204a05edaa20f55839', /is not a wallet address/],
      [`/counter ${WALLET} x0`, /The multiplier must be a number above 0/],
      [`/counter ${WALLET} x-1`, /I didn't understand "x-1"/],
      [`/counter ${WALLET} x1.234`, /at most 2 decimal places/],
      [`/counter ${WALLET} x1000`, /at most x999.99/],
      [`/counter ${WALLET} x2 x3`, /Give the multiplier once/],
      [`/counter ${WALLET} max`, /max is a dollar amount per trade, like max \$50 \(got ""\)/],
      [`/counter ${WALLET} max $0`, /max is a dollar amount per trade/],
      [`/counter ${WALLET} max lots`, /max is a dollar amount per trade, like max \$50 \(got "lots"\)/],
      [`/counter ${WALLET} delay soon`, /delay is a number of seconds like delay 30/],
      [`/counter ${WALLET} delay 2h`, /delay is a number of seconds/],
      [`/counter ${WALLET} delay 3601`, /delay is at most one hour/],
      [`/counter ${WALLET} stop -5`, /stop is a daily loss in dollars/],
      [`/counter ${WALLET} categories`, /Which categories\?/],
      [`/counter ${WALLET} categories astrology`, /"astrology" is not a market category; known ones: .*politics/],
      [`/copy ${WALLET} yolo`, /I didn't understand "yolo"/],
      ['/follows pause', /Which one\? Give its id from \/follows/],
      ['/follows pause xyz', /"xyz" is not a follow id/],
      ['/follows stop 1a2b3c4d 5e6f7a8b', /takes one id/],
      ['/follows resume ffffffff', /You have no counter- or copy-trade whose id starts with ffffffff/],
      ['/follows all please', /\/follows all takes nothing after it/],
      ['/follows dance', /I don't know "dance" here/],
    ];
    for (const [line, message] of cases) {
      const replies = await handler.handleText(ctx, line);
      expect(replies.map((r) => r.kind), line).toEqual(['error']);
      expect(replies[0]!.text, line).toMatch(message);
      expect(replies[0]!.text, line).not.toMatch(/went wrong on our side/);
    }
    expect(await rows()).toBe(before);
  });
});
