/**
 * Discord end to end: the whole yesno process (startTestStack with DISCORD_TOKEN / DISCORD_APP_ID /
 * DISCORD_API_URL) runs a REAL discord.js client that logs in to a local fake Discord (REST + ws
 * gateway, test/fakes/discord-server.ts). Tests act as Discord users: the fake dispatches
 * INTERACTION_CREATE and records how the bot answered (interaction callbacks, webhook edits,
 * follow-ups, DMs). Orders go through the paper venues, Postgres and pg-boss; DMs come back through
 * the outbox and the Discord sink.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../core/money.ts';
import { demoConditionId } from '../../core/markets/catalog.ts';
import { startFakeDiscord, type FakeDiscord, type FakeInteraction, type FakeMessage, type Who } from '../fakes/discord-server.ts';
import { startTestStack, type TestStack } from '../helpers/stack.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TOKEN = 'fake-bot-token.discord.e2e';
const APP_ID = '800000000000000001';
const GUILD = '222000000000000001';
const TTL_SECONDS = 3;

const APPLE = 'apple-foldable-2026'; // Polymarket only: market buys
const TAYLOR = 'taylor-swift-album-2026'; // Polymarket only: a resting limit crossed by setMid
const NVDA = 'nvidia-largest-2026'; // Polymarket only: a resting limit cancelled with /cancel
const EPHEMERAL = 64;

const ann: Who = { user: { id: '111000000000000001', username: 'ann', globalName: 'Ann' } }; // in DMs with the bot
const bob: Who = { user: { id: '111000000000000002', username: 'bob' }, guildId: GUILD, channelId: '333000000000000001' }; // in a server
const carl: Who = { user: { id: '111000000000000003', username: 'carl' } };

let fake: FakeDiscord;
/** The register script's runs, started in beforeAll so they overlap the stack's start. */
let registerRuns: Promise<[Run, Run, Run]>;
let stack: TestStack;
const clientErrors: unknown[] = [];

/** Discord content back to the plain text the presenters wrote (markdown escapes removed). */
const plain = (s: string) => s.replace(/\\([^\w\s])/g, '$1');
const isEphemeral = (m: FakeMessage) => (m.flags & EPHEMERAL) !== 0;
const buttonsOf = (m: FakeMessage): { custom_id: string; label: string }[] => m.components.flatMap((r: any) => r.components);

async function ask(name: string, options: Record<string, string>, who: Who): Promise<{ ix: FakeInteraction; msg: FakeMessage; text: string }> {
  const ix = fake.slash(name, options, who);
  const msg = await fake.answer(ix);
  return { ix, msg, text: plain(msg.content) };
}

async function press(msg: FakeMessage, label: 'Confirm' | 'Cancel', who: Who): Promise<{ ix: FakeInteraction; msg: FakeMessage; text: string }> {
  const button = buttonsOf(msg).find((b) => b.label === label);
  if (!button) throw new Error(`no ${label} button on: ${msg.content}`);
  const ix = fake.click(msg, button.custom_id, who);
  const answered = await fake.answer(ix);
  return { ix, msg: answered, text: plain(answered.content) };
}

async function userIdOf(who: Who): Promise<string> {
  const identity = await stack.db.prisma.chatIdentity.findUniqueOrThrow({ where: { platform_externalId: { platform: 'discord', externalId: who.user.id } } });
  return identity.userId;
}

async function ordersOf(who: Who) {
  const identity = await stack.db.prisma.chatIdentity.findUnique({ where: { platform_externalId: { platform: 'discord', externalId: who.user.id } } });
  if (!identity) return [];
  return stack.db.prisma.order.findMany({ where: { userId: identity.userId }, orderBy: { createdAt: 'asc' } });
}

/** The DM notifications (not interaction replies) that mention an order. */
function dmsAbout(who: Who, orderId: string): FakeMessage[] {
  const short = orderId.replace(/-/g, '').slice(0, 8);
  return fake.channelMessages(fake.dmChannelOf(who.user.id)).filter((m) => !m.interactionId && m.content.includes(short));
}

/** `npm run discord:register` as a child process, against the fake. */
interface Run {
  code: number | null;
  out: string;
  err: string;
}

const register = (extra: Record<string, string>) =>
  new Promise<Run>((resolve, reject) => {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DISCORD_TOKEN: TOKEN, DISCORD_API_URL: fake.apiUrl, ...extra };
    const child = spawn('npm', ['run', '--silent', 'discord:register'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });

beforeAll(async () => {
  fake = await startFakeDiscord({ token: TOKEN, appId: APP_ID });
  registerRuns = Promise.all([register({ DISCORD_APP_ID: APP_ID }), register({ DISCORD_APP_ID: APP_ID, DISCORD_GUILD_ID: GUILD }), register({})]);
  stack = await startTestStack(
    { DISCORD_TOKEN: TOKEN, DISCORD_APP_ID: APP_ID, DISCORD_API_URL: fake.apiUrl, CONFIRM_TTL_SECONDS: String(TTL_SECONDS) },
    { http: false },
  );
  stack.discord!.bot!.client.on('error', (err) => clientErrors.push(err));
});

afterAll(async () => {
  await stack?.stop();
  await fake?.close();
});

describe('Discord bot e2e (real discord.js against a fake Discord)', () => {
  it('logs in through GET /gateway/bot and the gateway (IDENTIFY → READY)', () => {
    expect(fake.calls.some((c) => c.method === 'GET' && c.path === '/gateway/bot' && c.status === 200)).toBe(true);
    expect(fake.gatewayOps.filter((op) => op === 2)).toHaveLength(1);
    expect(stack.discord!.bot!.client.isReady()).toBe(true);
  });

  it('public commands answer in the channel: /help, /markets, /price', async () => {
    const help = await ask('help', {}, bob);
    expect(isEphemeral(help.msg)).toBe(false);
    expect(help.text).toContain('/buy');
    const helpBuy = await ask('help', { command: 'buy' }, bob);
    expect(helpBuy.text).toContain('/buy <market> <yes|no> $<amount>');

    const markets = await ask('markets', { search: 'fed' }, bob);
    expect(isEphemeral(markets.msg)).toBe(false);
    expect(markets.text).toContain('fed-cut-dec-2026 - Will the Fed cut rates');

    const price = await ask('price', { market: 'fed-cut-dec-2026' }, bob);
    expect(isEphemeral(price.msg)).toBe(false);
    expect(price.text).toMatch(/^Will the Fed cut rates at the December 2026 FOMC meeting\? \(fed-cut-dec-2026\)\nkalshi: YES bid \d+¢ \/ ask \d+¢ · NO bid \d+¢ \/ ask \d+¢\npolymarket: YES bid/);
    expect(price.text).toContain('Buy: /buy fed-cut-dec-2026 yes $25');

    const unknown = await ask('price', { market: 'no such market anywhere' }, bob);
    expect(isEphemeral(unknown.msg)).toBe(true); // errors concern only the person who asked
    expect(unknown.text).toMatch(/market/i);
  });

  it('market options autocomplete from MarketsApi.list (at most 25)', async () => {
    const ix = fake.autocomplete('buy', 'market', 'fed', bob, { side: 'yes' });
    const choices = await fake.waitFor(() => ix.choices, 5000, 'autocomplete choices');
    expect(ix.callback?.type).toBe(8);
    expect(choices.map((c) => c.value)).toContain('fed-cut-dec-2026');
    expect(choices.find((c) => c.value === 'fed-cut-dec-2026')!.name).toBe('Will the Fed cut rates at the December 2026 FOMC meeting? · fed-cut-dec-2026');

    const all = fake.autocomplete('price', 'market', '', bob);
    const many = await fake.waitFor(() => all.choices, 5000, 'autocomplete choices');
    expect(many.length).toBe(25);
    expect(many.every((c) => c.name.length <= 100 && c.value.length <= 100)).toBe(true);

    const none = fake.autocomplete('buy', 'market', 'zzzz no such market', bob);
    expect(await fake.waitFor(() => none.callback, 5000, 'callback')).toMatchObject({ type: 8, data: { choices: [] } });
  });

  it('personal commands answer ephemerally: /balance, /positions, /orders', async () => {
    const balance = await ask('balance', {}, bob);
    expect(isEphemeral(balance.msg)).toBe(true);
    expect(balance.text).toMatch(/^Balance \(paper money\):\n  polymarket  \$1000\.00/);
    const positions = await ask('positions', {}, bob);
    expect(isEphemeral(positions.msg)).toBe(true);
    const orders = await ask('orders', { scope: 'all' }, bob);
    expect(isEphemeral(orders.msg)).toBe(true);
  });

  it('buy → ephemeral quote with Confirm/Cancel → confirm places one order; a double click still one; the fill arrives by DM', async () => {
    const before = (await ordersOf(bob)).length;
    const quote = await ask('buy', { market: APPLE, side: 'yes', amount: '10' }, bob);
    expect(isEphemeral(quote.msg)).toBe(true);
    expect(quote.text).toMatch(/^Buy \$10\.00 of YES at market on polymarket/);
    expect(buttonsOf(quote.msg).map((b) => b.label)).toEqual(['Confirm', 'Cancel']);
    expect(buttonsOf(quote.msg)[0]!.custom_id).toMatch(/^cf:[0-9a-f]{16}:ok$/);

    // Two presses before either is answered (a double click).
    const ok = buttonsOf(quote.msg)[0]!.custom_id;
    const first = fake.click(quote.msg, ok, bob);
    const second = fake.click(quote.msg, ok, bob);
    await Promise.all([fake.answer(first), fake.answer(second)]);
    expect([first.callback?.type, second.callback?.type]).toEqual([7, 7]); // both update the quote message in place
    const shown = plain(fake.messages.get(quote.msg.id)!.content);
    expect(shown).toMatch(/Bought [\d.]+ YES at avg [\d.]+¢ on polymarket/);
    expect(fake.messages.get(quote.msg.id)!.components).toEqual([]);

    const orders = await ordersOf(bob);
    expect(orders.length).toBe(before + 1);
    const order = orders.at(-1)!;
    expect(order.status).toBe('filled');

    // The fill, by DM (bob typed in a server; notifications go to his DMs): one message.
    const dm = await fake.waitFor(() => dmsAbout(bob, order.id)[0], 5000, 'the fill DM');
    expect(plain(dm.content)).toMatch(/^order [0-9a-f]{8} filled: [\d.]+ YES @ [\d.]+¢ on polymarket/);
    expect(isEphemeral(dm)).toBe(false);

    // A late third press (a client still showing the old buttons): nothing new.
    const thirdIx = fake.click(quote.msg, ok, bob);
    const third = { text: plain((await fake.answer(thirdIx)).content) };
    expect(third.text).toMatch(/^Already confirmed; nothing new was placed\./);
    expect((await ordersOf(bob)).length).toBe(before + 1);
  });

  it('only the person who asked may answer a confirmation', async () => {
    const quote = await ask('buy', { market: APPLE, side: 'no', shares: '5' }, ann);
    const ix = fake.click(quote.msg, buttonsOf(quote.msg)[0]!.custom_id, bob);
    const answer = await fake.answer(ix);
    expect(ix.callback?.type).toBe(4); // a new, ephemeral message; the quote stays as it was
    expect(isEphemeral(answer)).toBe(true);
    expect(plain(answer.content)).toContain('belongs to someone else');
    expect(fake.messages.get(quote.msg.id)!.history).toHaveLength(1);
    const declined = await press(quote.msg, 'Cancel', ann);
    expect(declined.text).toMatch(/^Cancelled; nothing was placed\. \(\/buy apple-foldable-2026 no 5\)/);
    expect(declined.msg.components).toEqual([]);
    expect(await ordersOf(ann)).toHaveLength(0);
  });

  it('an expired quote places nothing and says how to get a fresh one', async () => {
    const quote = await ask('buy', { market: APPLE, side: 'yes', shares: '5' }, carl);
    await new Promise((r) => setTimeout(r, TTL_SECONDS * 1000 + 200));
    const late = await press(quote.msg, 'Confirm', carl);
    expect(late.text).toBe(`That quote expired after ${TTL_SECONDS}s; nothing was placed. Send it again for a fresh quote: /buy apple-foldable-2026 yes 5`);
    expect(late.msg.components).toEqual([]);
    expect(await ordersOf(carl)).toHaveLength(0);
  });

  it("a resting limit order's DM is one message, edited from open to filled when the price moves", async () => {
    const cond = demoConditionId(TAYLOR);
    stack.feed.setMid('polymarket', cond, new Decimal('0.44'));
    const quote = await ask('buy', { market: TAYLOR, side: 'yes', shares: '20', price: '30c' }, ann);
    expect(quote.text).toMatch(/^Buy 20(\.00)? YES @ 30¢ \(limit\) on polymarket/);
    const placed = await press(quote.msg, 'Confirm', ann);
    expect(placed.text).toMatch(/^Order [0-9a-f]{8} is open on polymarket/);
    const order = (await ordersOf(ann)).at(-1)!;
    expect(order.status).toBe('pending');

    const open = await fake.waitFor(() => dmsAbout(ann, order.id)[0], 5000, 'the "open" DM');
    expect(plain(open.content)).toMatch(/^order [0-9a-f]{8} open on polymarket/);

    stack.feed.setMid('polymarket', cond, new Decimal('0.20'));
    await fake.waitFor(() => /filled/.test(open.content), 8000, 'the DM edited to filled');
    expect(plain(open.content)).toBe(`order ${order.id.replace(/-/g, '').slice(0, 8)} filled: 20.00 YES @ 30¢ on polymarket`);
    expect(dmsAbout(ann, order.id)).toHaveLength(1);
    expect(open.history.map(plain).map((t) => t.split(':')[0])).toEqual([`order ${order.id.replace(/-/g, '').slice(0, 8)} open on polymarket`, `order ${order.id.replace(/-/g, '').slice(0, 8)} filled`]);
    const posts = fake.calls.filter((c) => c.method === 'POST' && c.path === `/channels/${fake.dmChannelOf(ann.user.id)}/messages` && plain(String(c.body?.content)).includes(order.id.replace(/-/g, '').slice(0, 8)));
    expect(posts).toHaveLength(1);
  });

  it('/order and /cancel by short id; the DM follows the order to cancelled', async () => {
    stack.feed.setMid('polymarket', demoConditionId(NVDA), new Decimal('0.67'));
    const quote = await ask('buy', { market: NVDA, side: 'yes', shares: '10', price: '0.40' }, ann);
    await press(quote.msg, 'Confirm', ann);
    const order = (await ordersOf(ann)).at(-1)!;
    const short = order.id.replace(/-/g, '').slice(0, 8);
    const detail = await ask('order', { id: short }, ann);
    expect(isEphemeral(detail.msg)).toBe(true);
    expect(detail.text).toContain(short);
    const open = await ask('orders', {}, ann);
    expect(open.text).toContain(short);

    const dm = await fake.waitFor(() => dmsAbout(ann, order.id)[0], 5000, 'the "open" DM');
    const cancelled = await ask('cancel', { id: short }, ann);
    expect(cancelled.text).toMatch(new RegExp(`^Order ${short} was cancelled`));
    await fake.waitFor(() => /cancelled/.test(dm.content), 5000, 'the DM edited to cancelled');
    expect(dmsAbout(ann, order.id)).toHaveLength(1);
  });

  it('bad input gets a specific, ephemeral error and changes nothing', async () => {
    const before = (await ordersOf(bob)).length;
    const cases: [string, Record<string, string>, RegExp][] = [
      ['buy', { market: APPLE, side: 'yes', amount: 'abc' }, /^I couldn't read "abc" as an amount\. Try: \/buy market:fed-cut side:yes amount:25$/],
      ['buy', { market: APPLE, side: 'yes', amount: '10', shares: '5' }, /^Give either amount \(dollars\) or shares, not both\./],
      ['buy', { market: APPLE, side: 'yes' }, /^How much\? Give amount/],
      ['buy', { market: APPLE, side: 'yes', shares: '5', price: '$1.50' }, /^A price must be between 1¢ and 99¢/],
      ['buy', { market: APPLE, side: 'yes', amount: '-3' }, /must be more than zero/],
      ['buy', { market: 'no such market at all', side: 'yes', amount: '5' }, /market/i],
      ['sell', { market: APPLE, side: 'no', shares: '5' }, /You have no NO shares/],
      ['order', { id: 'zz' }, /^"zz" is not an order id/],
      ['cancel', { id: 'abcdef12' }, /order/i],
      ['frobnicate', {}, /^I don't know \/frobnicate/],
    ];
    for (const [name, options, expected] of cases) {
      const { msg, text } = await ask(name, options, bob);
      expect(text, `${name} ${JSON.stringify(options)}`).toMatch(expected);
      expect(isEphemeral(msg), `${name} ${JSON.stringify(options)} is ephemeral`).toBe(true);
      expect(text).not.toContain('Something went wrong');
    }
    expect((await ordersOf(bob)).length).toBe(before);
  });

  it('429 from Discord REST: the DM waits and still arrives exactly once', async () => {
    const dmPath = new RegExp(`^/channels/${fake.dmChannelOf(carl.user.id)}/messages$`);
    fake.rateLimit({ method: 'POST', path: dmPath, count: 2, retryAfter: 0.25 });
    const quote = await ask('buy', { market: APPLE, side: 'yes', amount: '5' }, carl);
    await press(quote.msg, 'Confirm', carl);
    const order = (await ordersOf(carl)).at(-1)!;
    const dm = await fake.waitFor(() => dmsAbout(carl, order.id)[0], 10_000, 'the DM after 429s');
    expect(plain(dm.content)).toMatch(/^order [0-9a-f]{8} filled/);
    const posts = fake.calls.filter((c) => c.method === 'POST' && dmPath.test(c.path));
    expect(posts.map((c) => c.status)).toEqual([429, 429, 200]);
    await new Promise((r) => setTimeout(r, 300));
    expect(dmsAbout(carl, order.id)).toHaveLength(1);
    const row = await stack.db.prisma.notificationOutbox.findFirstOrThrow({ where: { orderId: order.id, dedupeKey: `order:${order.id}:filled` } });
    expect(row.deliveredAt).not.toBeNull();
    expect(await userIdOf(carl)).toBe(order.userId);
  });

  it('reconnects and resumes the gateway session when Discord asks; commands keep working', async () => {
    const resumesBefore = fake.gatewayOps.filter((op) => op === 6).length;
    fake.requestReconnect();
    await fake.waitFor(() => fake.gatewayOps.filter((op) => op === 6).length > resumesBefore, 10_000, 'RESUME');
    const help = await ask('help', {}, ann);
    expect(help.text).toContain('/buy');
    expect(fake.gatewayOps.filter((op) => op === 2)).toHaveLength(1); // resumed, not re-identified
  });

  it('npm run discord:register PUTs the command set (globally, or to DISCORD_GUILD_ID)', async () => {
    const [global, guild, noApp] = await registerRuns;
    expect(global.code, global.err).toBe(0);
    expect(global.out).toMatch(/^Registered 10 Discord commands globally: \/help \/markets \/price \/buy \/sell \/orders \/order \/cancel \/positions \/balance/);
    expect(guild.code, guild.err).toBe(0);
    expect(guild.out).toContain(`in guild ${GUILD}`);
    expect(noApp.code).toBe(2);
    expect(noApp.err).toContain('DISCORD_APP_ID: required when DISCORD_TOKEN is set');

    const cmds = fake.commands.get('global')!;
    expect(fake.commands.get(`guild:${GUILD}`)!.map((c) => c.name)).toEqual(cmds.map((c) => c.name));
    const buy = cmds.find((c) => c.name === 'buy');
    expect(buy.options.map((o: any) => [o.name, o.type, o.required])).toEqual([
      ['market', 3, true],
      ['side', 3, true],
      ['amount', 3, false],
      ['shares', 3, false],
      ['price', 3, false],
      ['venue', 3, false],
    ]);
    expect(buy.options[0].autocomplete).toBe(true);
    expect(buy.options[1].choices.map((c: any) => c.value)).toEqual(['yes', 'no']);
    expect(buy.options[5].choices.map((c: any) => c.value)).toEqual(['polymarket', 'kalshi']);
    expect(buy.contexts).toEqual([0, 1]);
    expect(cmds.find((c) => c.name === 'price').options[0].autocomplete).toBe(true);
  });

  it('no client errors, no 5xx, no unknown routes', () => {
    expect(clientErrors).toEqual([]);
    expect(fake.calls.filter((c) => c.status >= 500 || (c.status === 404 && !/messages\//.test(c.path)))).toEqual([]);
    expect(fake.calls.filter((c) => c.status === 400)).toEqual([]);
  });
});
