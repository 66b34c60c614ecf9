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
import { startFakeDiscord, type FakeDiscord, type FakeInteraction, type FakeMessage, type SlashOption, type Who } from '../fakes/discord-server.ts';
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
const dana: Who = { user: { id: '111000000000000004', username: 'dana' }, guildId: GUILD, channelId: '333000000000000002' }; // in a server, no special permissions
const eve: Who = { user: { id: '111000000000000005', username: 'eve' }, guildId: GUILD, channelId: '333000000000000002', permissions: '8' }; // ADMINISTRATOR
const fay: Who = { user: { id: '111000000000000006', username: 'fay' }, guildId: GUILD, channelId: '333000000000000002', permissions: '32' }; // MANAGE_GUILD
const ADMIN_CHANNEL = '333000000000000002';
const FED = 'fed-cut-dec-2026';
/** The kinds of ChannelSubscription rows that are alerts (group members are noted as rows of another kind). */
const ALERT_KINDS = ['price_above', 'price_below', 'big_move', 'member_fills'];

let fake: FakeDiscord;
/** The register script's runs, started in beforeAll so they overlap the stack's start. */
let registerRuns: Promise<[Run, Run, Run]>;
let stack: TestStack;
const clientErrors: unknown[] = [];

/** Discord content back to the plain text the presenters wrote (markdown escapes removed). */
const plain = (s: string) => s.replace(/\\([^\w\s])/g, '$1');
const isEphemeral = (m: FakeMessage) => (m.flags & EPHEMERAL) !== 0;
const buttonsOf = (m: FakeMessage): { custom_id: string; label: string }[] => m.components.flatMap((r: any) => r.components);

type Options = Record<string, string | SlashOption>;

/** A subcommand option (/alerts add …) with string options, or typed ones given as { type, value }. */
const sub = (name: string, options: Record<string, string | { type: number; value: unknown }> = {}): Options => ({
  [name]: { type: 1, options: Object.entries(options).map(([n, v]) => (typeof v === 'string' ? { name: n, type: 3, value: v } : { name: n, ...v })) },
});

async function ask(name: string, options: Options, who: Who): Promise<{ ix: FakeInteraction; msg: FakeMessage; text: string }> {
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
    // Bounded: a hung child is killed (SIGTERM, code null) well inside the test's timeout.
    const child = spawn('npm', ['run', '--silent', 'discord:register'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
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
}, 120_000); // the stack starts while the three register children load (CPU-bound on a loaded machine)

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
    expect(global.out).toMatch(
      /^Registered 25 Discord commands globally: \/help \/markets \/price \/buy \/sell \/orders \/order \/cancel \/positions \/balance \/snipe \/snipers \/unsnipe \/counter \/copy \/follows \/tp \/sl \/alerts \/quickbuy \/sharefills \/chart \/pnl \/link \/notify\n$/,
    );
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

    const alerts = cmds.find((c) => c.name === 'alerts');
    expect(alerts.options.map((o: any) => [o.name, o.type])).toEqual([
      ['list', 1],
      ['add', 1],
      ['remove', 1],
      ['fills', 1],
    ]);
    const add = alerts.options.find((o: any) => o.name === 'add');
    expect(add.options.map((o: any) => [o.name, o.type, o.required])).toEqual([
      ['market', 3, true],
      ['when', 3, true],
      ['value', 3, true],
    ]);
    expect(add.options[0].autocomplete).toBe(true);
    expect(add.options[1].choices.map((c: any) => c.value)).toEqual(['above', 'below', 'move']);
    const snipe = cmds.find((c) => c.name === 'snipe');
    expect(snipe.options.map((o: any) => [o.name, o.type])).toEqual([
      ['create', 1],
      ['cancel', 1],
    ]);
    expect(snipe.options[0].options.map((o: any) => [o.name, o.type, o.required])).toEqual([
      ['market', 3, true],
      ['side', 3, true],
      ['amount', 3, true],
      ['price', 3, true],
      ['slippage', 3, false],
      ['expires', 3, false],
      ['repeat', 5, false],
      ['venue', 3, false],
    ]);
    const tp = cmds.find((c) => c.name === 'tp');
    expect(tp.options.map((o: any) => o.name)).toEqual(['market', 'side', 'price', 'venue']);
    expect(tp.options[1].choices.map((c: any) => c.value)).toEqual(['yes', 'no']);
    const chart = cmds.find((c) => c.name === 'chart');
    expect(chart.options[1]).toMatchObject({ name: 'hours', type: 4, min_value: 1, max_value: 168 });
  }, 150_000); // three `npm run` + tsx children started in beforeAll: seconds each when quiet, far more on a loaded machine

  it('/snipe create → ephemeral plan with Confirm/Cancel → Confirm arms one WATCHING sniper; /snipers lists it; /snipe cancel stops it', async () => {
    const quote = await ask('snipe', sub('create', { market: APPLE, side: 'yes', amount: '5', price: '2c', expires: '2h' }), dana);
    expect(isEphemeral(quote.msg)).toBe(true);
    expect(buttonsOf(quote.msg).map((b) => b.label)).toEqual(['Confirm', 'Cancel']);
    const userId = await userIdOf(dana);
    expect(await stack.db.prisma.sniperOrder.count({ where: { userId } })).toBe(0); // nothing armed before Confirm

    const armed = await press(quote.msg, 'Confirm', dana);
    expect(armed.ix.callback?.type).toBe(7); // the plan becomes the sniper, in place
    expect(armed.msg.components).toEqual([]);
    const snipers = await stack.db.prisma.sniperOrder.findMany({ where: { userId } });
    expect(snipers).toHaveLength(1);
    const s = snipers[0]!;
    expect(s.status).toBe('WATCHING');
    expect(s.triggerPrice.toString()).toBe('0.02');
    expect(s.amount.toString()).toBe('5');
    expect(s.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 3_500_000);
    const short = s.id.replace(/-/g, '').slice(0, 8);
    expect(armed.text).toContain(short);

    const list = await ask('snipers', {}, dana);
    expect(isEphemeral(list.msg)).toBe(true);
    expect(list.text).toContain(short);

    const cancelled = await ask('snipe', sub('cancel', { id: short }), dana);
    expect(isEphemeral(cancelled.msg)).toBe(true);
    expect(cancelled.text).toMatch(new RegExp(`^Sniper ${short} cancelled`));
    expect((await stack.db.prisma.sniperOrder.findUniqueOrThrow({ where: { id: s.id } })).status).toBe('CANCELLED');
    expect(await ordersOf(dana)).toHaveLength(0);
  });

  it('/tp and /sl set levels on a held position (ephemeral); off removes one', async () => {
    const quote = await ask('buy', { market: APPLE, side: 'yes', amount: '10' }, dana);
    await press(quote.msg, 'Confirm', dana);
    const userId = await userIdOf(dana);
    const position = await stack.db.prisma.position.findFirstOrThrow({ where: { userId, side: 'yes', quantity: { gt: 0 } } });

    const tp = await ask('tp', { market: APPLE, side: 'yes', price: '95c' }, dana);
    expect(isEphemeral(tp.msg)).toBe(true);
    expect(tp.text).toMatch(/^Take-profit set at 95¢ on your [\d.]+ YES shares of .* on polymarket/);
    const sl = await ask('sl', { market: `#${position.id.slice(0, 8)}`, side: 'yes', price: '0.05' }, dana);
    expect(isEphemeral(sl.msg)).toBe(true);
    expect(sl.text).toMatch(/^Stop-loss set at 5¢/);
    let row = await stack.db.prisma.position.findUniqueOrThrow({ where: { id: position.id } });
    expect([row.takeProfitPrice?.toString(), row.stopLossPrice?.toString()]).toEqual(['0.95', '0.05']);

    const off = await ask('tp', { market: APPLE, side: 'yes', price: 'off' }, dana);
    expect(off.text).toMatch(/^Take-profit removed/);
    row = await stack.db.prisma.position.findUniqueOrThrow({ where: { id: position.id } });
    expect([row.takeProfitPrice, row.stopLossPrice?.toString()]).toEqual([null, '0.05']);
  });

  it('/alerts in a server: a member without Administrator / Manage Server is refused; an admin adds, lists and removes', async () => {
    const where = { platform: 'discord', chatId: ADMIN_CHANNEL, kind: { in: ALERT_KINDS } };
    const refused = await ask('alerts', sub('add', { market: FED, when: 'above', value: '70c' }), dana);
    expect(isEphemeral(refused.msg)).toBe(true);
    expect(refused.text).toMatch(/^Only this group's admins can change its alerts/);
    expect(await stack.db.prisma.channelSubscription.count({ where })).toBe(0);

    const added = await ask('alerts', sub('add', { market: FED, when: 'above', value: '70c' }), eve);
    expect(isEphemeral(added.msg)).toBe(false); // the channel's alerts are public
    expect(added.text).toMatch(/^Alert [0-9a-f]+ added: this chat hears when .* YES goes above 70¢/);
    const moved = await ask('alerts', sub('add', { market: FED, when: 'move', value: '5%' }), fay); // Manage Server
    expect(moved.text).toMatch(/^Alert [0-9a-f]+ added: .* moves 5(\.0)? points or more within an hour/);
    const rows = await stack.db.prisma.channelSubscription.findMany({ where, orderBy: { createdAt: 'asc' } });
    expect(rows.map((r) => [r.kind, r.level?.toString() ?? r.threshold?.toString()])).toEqual([
      ['price_above', '0.7'],
      ['big_move', '0.05'],
    ]);

    const list = await ask('alerts', sub('list'), dana); // anyone may look
    expect(isEphemeral(list.msg)).toBe(false);
    expect(list.text).toMatch(/70¢/);

    const id = /^Alert ([0-9a-f]+) added/.exec(moved.text)![1]!;
    const removed = await ask('alerts', sub('remove', { id }), eve);
    expect(removed.text).toMatch(new RegExp(`^Removed alert ${id}`));
    expect(await stack.db.prisma.channelSubscription.count({ where })).toBe(1);
  });

  it('/chart answers with a PNG attachment in the channel; /pnl with a personal one', async () => {
    const chart = await ask('chart', { market: FED, hours: { type: 4, value: 6 } }, dana);
    expect(isEphemeral(chart.msg)).toBe(false);
    expect(chart.msg.attachments).toHaveLength(1);
    expect(chart.msg.attachments[0]!.filename).toBe('chart.png');
    expect(chart.msg.attachments[0]!.size).toBeGreaterThan(1000);
    expect(chart.text).toMatch(/fed-cut-dec-2026/);

    const pnl = await ask('pnl', {}, dana);
    expect(isEphemeral(pnl.msg)).toBe(true);
    expect(pnl.msg.attachments.map((a) => a.filename)).toEqual(['chart.png']);
  });

  it('/link: a code only in private (refused in a server), /sharefills and /notify answer privately', async () => {
    const inServer = await ask('link', {}, dana);
    expect(isEphemeral(inServer.msg)).toBe(true);
    expect(inServer.text).toMatch(/private chat/);
    expect(inServer.text).not.toMatch(/\b[A-Z0-9]{8}\b/);
    const inDm = await ask('link', {}, ann);
    expect(isEphemeral(inDm.msg)).toBe(true);
    expect(inDm.text).toMatch(/\b[A-Z0-9]{8}\b/);

    const share = await ask('sharefills', { state: 'on' }, dana);
    expect(isEphemeral(share.msg)).toBe(true);
    expect(share.text).toMatch(/^Your fills will be posted in groups where you use yesno/);
    const notify = await ask('notify', { topic: 'fills', level: 'silent' }, dana);
    expect(isEphemeral(notify.msg)).toBe(true);
    expect(notify.text).not.toMatch(/Something went wrong|Try:/);
  });

  it('bad input to each new command: a specific, ephemeral error, nothing changed', async () => {
    const userId = await userIdOf(dana);
    const snapshot = async () => ({
      snipers: await stack.db.prisma.sniperOrder.count({ where: { userId } }),
      watching: await stack.db.prisma.sniperOrder.count({ where: { status: 'WATCHING' } }),
      orders: (await ordersOf(dana)).length,
      alerts: await stack.db.prisma.channelSubscription.count({ where: { kind: { in: ALERT_KINDS } } }),
      positions: (await stack.db.prisma.position.findMany({ where: { userId }, orderBy: { id: 'asc' } })).map((p) => [p.id, p.takeProfitPrice?.toString(), p.stopLossPrice?.toString()]),
      links: await stack.db.prisma.linkCode.count(),
    });
    const before = await snapshot();
    const cases: [string, Options, Who, RegExp][] = [
      ['snipe', sub('create', { market: APPLE, side: 'yes', amount: '5', price: '1.5' }), dana, /^"@1\.5" is not a price between 0 and 1\. .*Try: \/snipe/],
      ['snipe', sub('create', { market: APPLE, side: 'yes', amount: 'abc', price: '2c' }), dana, /"\$abc"/],
      ['snipe', sub('create', { market: APPLE, side: 'yes', amount: '5', price: '2c', expires: 'tomorrow' }), dana, /"tomorrow"/],
      ['snipe', sub('create', { market: APPLE, side: 'yes', amount: '5', price: '2c', slippage: '80' }), dana, /^Slippage can be at most 50%/],
      ['snipe', sub('cancel', { id: 'zz' }), dana, /^"zz" is not a sniper id/],
      ['snipers', { id: 'zz' }, dana, /^I don't know "zz" here/],
      ['unsnipe', { id: 'abc' }, dana, /not a sniper id|at least 6 characters/],
      ['tp', { market: APPLE, side: 'yes', price: '2.5' }, dana, /^"2\.5" is not a price between 0 and 1/],
      ['tp', { market: APPLE, side: 'no', price: '60c' }, dana, /^You hold no NO shares of/],
      ['sl', { market: APPLE, side: 'yes', price: 'abc' }, dana, /^I didn't understand "abc"/],
      ['alerts', sub('add', { market: FED, when: 'above', value: 'abc' }), eve, /^I couldn't read "abc" as a price/],
      ['alerts', sub('add', { market: FED, when: 'move', value: '500%' }), eve, /^Give the move in percent/],
      ['alerts', sub('remove', { id: 'zz' }), eve, /^"zz" is not an alert id/],
      ['alerts', sub('fills', { state: 'maybe' }), eve, /^Say on or off after "fills"/],
      ['sharefills', { state: 'maybe' }, dana, /^Say on or off/],
      ['chart', { market: FED, hours: { type: 4, value: 500 } }, dana, /^The window is 1 to 168 hours/],
      ['chart', { market: 'no such market anywhere' }, dana, /market/i],
      ['link', { code: 'nope' }, ann, /^A link code is 8 letters and digits/],
      ['notify', { topic: 'orders', level: 'off' }, dana, /^Say on or silent after "orders"/],
    ];
    for (const [name, options, who, expected] of cases) {
      const { msg, text } = await ask(name, options, who);
      expect(text, `${name} ${JSON.stringify(options)}`).toMatch(expected);
      expect(isEphemeral(msg), `${name} ${JSON.stringify(options)} is ephemeral`).toBe(true);
      expect(text).not.toContain('Something went wrong');
    }
    expect(await snapshot()).toEqual(before);
  });

  it('no client errors, no 5xx, no unknown routes', () => {
    expect(clientErrors).toEqual([]);
    expect(fake.calls.filter((c) => c.status >= 500 || (c.status === 404 && !/messages\//.test(c.path)))).toEqual([]);
    expect(fake.calls.filter((c) => c.status === 400)).toEqual([]);
  });
});
