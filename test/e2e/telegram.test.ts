/**
 * Telegram end to end: the whole yesno process (startTestStack with TELEGRAM_BOT_TOKEN and
 * TELEGRAM_API_ROOT) runs a REAL grammY bot (runner long polling, auto-retry, the throttle) against
 * a local fake Bot API server (test/fakes/telegram-server.ts). Tests act as Telegram users: the
 * fake queues their messages and button presses for getUpdates and keeps the chats as people would
 * see them. Orders go through the paper venues, Postgres and pg-boss; notifications come back
 * through the outbox and the Telegram sink. A second stack runs webhook mode (POST /telegram/webhook
 * with the secret header, driven with app.inject).
 *
 * Each test uses its own users (own private chats), so the per-chat pace of ~1 message/s never
 * makes one test wait for another.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Decimal } from '../../core/money.ts';
import { demoConditionId } from '../../core/markets/catalog.ts';
import { FakeTelegramServer, groupChat, privateChat, type FakeChat, type FakeUser, type StoredMessage } from '../fakes/telegram-server.ts';
import { startTestStack, type TestStack } from '../helpers/stack.ts';

const TOKEN = '424242:telegram-e2e-token';
const TAYLOR = 'taylor-swift-album-2026'; // Polymarket only: a resting limit crossed by setMid
const APPLE = 'apple-foldable-2026'; // Polymarket only

let nextId = 5001;
const user = (name: string): FakeUser => ({ id: nextId++, first_name: name, username: name.toLowerCase() });

let fake: FakeTelegramServer;
let stack: TestStack;
let clockOffsetMs = 0;
const chatClock = () => new Date(Date.now() + clockOffsetMs);

const short = (orderId: string) => orderId.replace(/-/g, '').slice(0, 8);
const labels = (m: StoredMessage) => m.reply_markup?.inline_keyboard.flat().map((b) => b.text) ?? [];

/** A person writes in a chat; resolves with the bot's next message there. */
async function say(from: FakeUser, text: string, opts: { chat?: FakeChat; entities?: Record<string, unknown>[]; matching?: RegExp } = {}): Promise<StoredMessage> {
  const chat = opts.chat ?? privateChat(from);
  const next = fake.nextMessage(chat.id, { matching: opts.matching });
  fake.userSends({ from, chat, text, ...(opts.entities ? { entities: opts.entities } : {}) });
  return next;
}

/** A person presses a button; resolves once the bot answered the callback query. */
async function press(from: FakeUser, message: StoredMessage, label: string): Promise<{ callbackId: string; answer: Record<string, unknown> }> {
  const { callbackId } = fake.press(from, message, label);
  const answer = await fake.waitFor(() => fake.answerOf(callbackId), { what: `the answer to ${label}` });
  return { callbackId, answer };
}

async function userIdOf(u: FakeUser): Promise<string | null> {
  const identity = await stack.db.prisma.chatIdentity.findUnique({ where: { platform_externalId: { platform: 'telegram', externalId: String(u.id) } } });
  return identity?.userId ?? null;
}

async function ordersOf(u: FakeUser) {
  const userId = await userIdOf(u);
  return userId ? stack.db.prisma.order.findMany({ where: { userId }, orderBy: { createdAt: 'asc' } }) : [];
}

beforeAll(async () => {
  fake = await FakeTelegramServer.start({ token: TOKEN });
  stack = await startTestStack({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: fake.apiRoot }, { http: false, chatClock });
});

afterAll(async () => {
  await stack?.stop();
  await fake?.stop();
});

describe('Telegram bot e2e (real grammY against a fake Bot API)', () => {
  it('starts: getMe, the command menu (setMyCommands), no webhook, long polling', async () => {
    expect(stack.telegram?.mode).toBe('polling');
    expect(fake.callsOf('getMe').length).toBeGreaterThanOrEqual(1);
    expect(fake.callsOf('deleteWebhook')).toHaveLength(1);
    expect(fake.commands.map((c) => c.command)).toEqual(expect.arrayContaining(['help', 'markets', 'price', 'buy', 'sell', 'orders', 'order', 'cancel', 'positions', 'balance']));
    expect(fake.commands.map((c) => c.command)).not.toContain('confirm');
    await fake.waitFor(() => fake.callsOf('getUpdates').length > 0, { what: 'getUpdates' });
  });

  it('/start onboards a new user (paper balance) with quick buttons that run commands', async () => {
    const ann = user('Ann');
    const welcome = await say(ann, '/start');
    expect(welcome.text).toMatch(/^Welcome to yesno, Ann!/);
    expect(welcome.text).toContain('Paper money: $1000.00 on polymarket, $1000.00 on kalshi.');
    expect(labels(welcome)).toEqual(['Markets', 'Balance', 'Help']);
    expect(await userIdOf(ann)).not.toBeNull();

    const next = fake.nextMessage(ann.id);
    const { answer } = await press(ann, welcome, 'Balance');
    expect(answer.text).toBeUndefined();
    expect((await next).text).toMatch(/^Balance \(paper money\):/);
  });

  it('answers every command, with or without a bot_command entity, and "@thisbot" suffixes', async () => {
    const [a, b, c, d] = ['Cmd1', 'Cmd2', 'Cmd3', 'Cmd4'].map(user) as [FakeUser, FakeUser, FakeUser, FakeUser];
    const checks: [FakeUser, string, RegExp][] = [
      [a, '/help', /\/buy - buy YES or NO shares/],
      [a, '/markets fed', /fed-cut-dec-2026 - Will the Fed cut rates/],
      [a, `/price@${fake.bot.username} fed-cut`, /kalshi: YES bid \d/],
      [b, '/orders', /open orders|no open orders/i],
      [b, '/positions', /position/i],
      [b, '/balance', /^Balance \(paper money\):/],
      [c, '/order 1a2b3c4d', /1a2b3c4d/],
      [c, '/cancel', /Which order\?/],
      [c, '/help buy', /\/buy <market> <yes\|no> \$<amount>/],
      [d, 'markets apple', /apple-foldable-2026/],
      [d, '/start', /Welcome to yesno/],
    ];
    // One user's commands in order (each waits for its reply); users in parallel.
    const byUser = new Map<FakeUser, [string, RegExp][]>();
    for (const [u, text, re] of checks) byUser.set(u, [...(byUser.get(u) ?? []), [text, re]]);
    await Promise.all(
      [...byUser].map(async ([u, list]) => {
        for (const [text, re] of list) {
          // "/help" typed without the entity some clients leave out.
          const reply = await say(u, text, text === '/help' ? { entities: [] } : {});
          expect(reply.text, `reply to ${text}`).toMatch(re);
        }
      }),
    );
  });

  it('error replies for bad input change nothing', async () => {
    const eve = user('Eve');
    expect((await say(eve, '/buy fed-cut yes abc')).text).toContain('I couldn\'t read "abc" as an amount. Try: /buy fed-cut yes $25');
    expect((await say(eve, '/byu fed-cut yes $5')).text).toContain("I don't know /byu. Did you mean /buy?");
    expect((await say(eve, '/price no-such-market-anywhere')).text).toMatch(/no market|couldn't find|not find/i);
    expect(await ordersOf(eve)).toHaveLength(0);
  });

  it('confirm flow: the quote becomes the order message; a double click places one order; the fill edits the same message', async () => {
    const bob = user('Bob');
    const quote = await say(bob, `/buy ${APPLE} yes $25`);
    expect(quote.text).toMatch(/^Buy \$25\.00 of YES at market on polymarket\n/);
    expect(labels(quote)).toEqual(['Confirm', 'Cancel']);

    // Two presses back to back (a double click): both queued before the bot sees either.
    const first = fake.press(bob, quote, 'Confirm');
    const second = fake.press(bob, quote, 'Confirm');
    await fake.waitFor(() => fake.answerOf(first.callbackId) && fake.answerOf(second.callbackId), { what: 'both callback answers' });
    expect(fake.answerOf(first.callbackId)!.text).toBeUndefined();
    expect(fake.answerOf(second.callbackId)!.text).toBe('Already confirmed; nothing new was placed.');

    const orders = await ordersOf(bob);
    expect(orders).toHaveLength(1);
    const order = orders[0]!;
    expect(order.status).toBe('filled');
    // The quote message itself now shows the order, without buttons.
    expect(quote.history[1]).toMatch(/^Bought [\d.]+ YES at avg [\d.]+¢ on polymarket/);
    expect(quote.reply_markup).toBeUndefined();
    // The "filled" notification edits that same message: one message for the order in the chat.
    await fake.waitFor(() => quote.text?.startsWith(`order ${short(order.id)} filled:`), { what: 'the fill notification edit' });
    expect(fake.messagesIn(bob.id).filter((m) => m.history.some((t) => t.includes(short(order.id))))).toHaveLength(1);
    const ref = await stack.db.prisma.chatMessageRef.findFirst({ where: { orderId: order.id, platform: 'telegram' } });
    expect(ref).toMatchObject({ chatId: String(bob.id), messageId: String(quote.message_id) });
    // Every callback query was answered exactly once.
    expect(fake.callsOf('answerCallbackQuery', (p) => p.callback_query_id === first.callbackId)).toHaveLength(1);
    expect(fake.callsOf('answerCallbackQuery', (p) => p.callback_query_id === second.callbackId)).toHaveLength(1);
  });

  it('an expired quote places nothing and says so in place; Cancel declines', async () => {
    const cat = user('Cat');
    const quote = await say(cat, `/buy ${APPLE} yes 5`);
    clockOffsetMs += 61_000;
    try {
      await press(cat, quote, 'Confirm');
    } finally {
      clockOffsetMs -= 61_000;
    }
    expect(quote.text).toBe(`That quote expired after 60s; nothing was placed. Send it again for a fresh quote: /buy ${APPLE} yes 5`);
    expect(quote.reply_markup).toBeUndefined();

    const again = await say(cat, `/buy ${APPLE} yes 5`);
    await press(cat, again, 'Cancel');
    expect(again.text).toBe(`Cancelled; nothing was placed. (/buy ${APPLE} yes 5)`);
    expect(await ordersOf(cat)).toHaveLength(0);
  });

  it("a resting limit order's message is edited through its states: open, then filled when the price moves", async () => {
    const dan = user('Dan');
    const cond = demoConditionId(TAYLOR);
    stack.feed.setMid('polymarket', cond, new Decimal('0.44'));
    const quote = await say(dan, `/buy ${TAYLOR} yes 20 @30c`);
    expect(quote.text).toMatch(/^Buy 20(\.00)? YES @ 30¢ \(limit\) on polymarket/);
    await press(dan, quote, 'Confirm');
    const order = (await ordersOf(dan)).at(-1)!;
    expect(order.status).toBe('pending');
    expect(quote.history[1]).toMatch(new RegExp(`^Order ${short(order.id)} is open on polymarket`));
    await fake.waitFor(() => quote.text?.startsWith(`order ${short(order.id)} open on polymarket`), { what: 'the "open" notification edit' });

    // Flood control on the notification path too: the edit is answered 429 once, then retried.
    fake.failNext('editMessageText', 1, { retry_after: 1 });
    stack.feed.setMid('polymarket', cond, new Decimal('0.20'));
    await fake.waitFor(() => quote.text?.startsWith(`order ${short(order.id)} filled:`), { timeoutMs: 8000, what: 'the "filled" edit' });
    expect(quote.text).toBe(`order ${short(order.id)} filled: 20.00 YES @ 30¢ on polymarket`);
    const edits = fake.callsOf('editMessageText', (p) => p.chat_id === String(dan.id) && String(p.text).startsWith(`order ${short(order.id)} filled:`));
    expect(edits.map((c) => c.errorCode ?? 200)).toEqual([429, 200]);
    expect(edits[1]!.at - edits[0]!.at).toBeGreaterThanOrEqual(950);
    // One message for the order: no other message of the bot in Dan's chat mentions it.
    expect(fake.messagesIn(dan.id).filter((m) => m.history.some((t) => t.includes(short(order.id))))).toEqual([quote]);
    expect(fake.callsOf('sendMessage', (p) => p.chat_id === dan.id && String(p.text).includes(short(order.id)))).toHaveLength(0);
  });

  it('an order placed elsewhere (API, automation) gets its own message in the private chat, silent when the user asked', async () => {
    const ola = user('Ola');
    await say(ola, '/start');
    const userId = (await userIdOf(ola))!;
    await stack.db.prisma.user.update({ where: { id: userId }, data: { notifySettings: { orders: 'silent' } } });
    const placed = await stack.core.trading.placeOrder({ userId, marketId: APPLE, side: 'yes', action: 'buy', type: 'market', amount: new Decimal(5), source: 'manual' });
    const msg = await fake.waitFor(() => fake.messagesIn(ola.id).find((m) => m.text?.startsWith(`order ${short(placed.id)} filled:`)), { what: 'the order notification' });
    expect(msg.disable_notification).toBe(true);
    expect(fake.messagesIn(ola.id).filter((m) => m.history.some((t) => t.includes(short(placed.id))))).toHaveLength(1);
    await vi.waitFor(async () => {
      const ref = await stack.db.prisma.chatMessageRef.findFirst({ where: { orderId: placed.id, platform: 'telegram' } });
      expect(ref?.messageId).toBe(String(msg.message_id));
    });
  });

  it('a secret posted in a group is deleted, refused with a pointer to the private chat, never echoed or stored', async () => {
    const group = groupChat(-1001000000001, 'Alpha traders');
    const mallory = user('Mallory');
    fake.setCanDelete(group.id, true);
    const pem = ['-----BEGIN RSA PRIVATE KEY-----', 'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw', '7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxKLxoS2tFc', '-----END RSA PRIVATE KEY-----'].join('\n');
    const key = 'ab'.repeat(32);

    const refusal = await say(mallory, `/link kalshi 1234 ${pem}`, { chat: group });
    const posted = fake.callsOf('deleteMessage', (p) => p.chat_id === group.id);
    expect(posted).toHaveLength(1);
    expect(refusal.text).toContain('looks like a secret');
    expect(refusal.text).toContain(`https://t.me/${fake.bot.username}`);
    expect(refusal.reply_to_message_id).toBeUndefined(); // a reply would quote the secret

    // A bare private key where the bot may not delete: refused, and told to delete it.
    const other = groupChat(-1001000000002, 'Beta');
    const noRights = await say(mallory, key, { chat: other });
    expect(noRights.text).toContain('I could not delete it');

    for (const c of fake.calls) {
      const sent = JSON.stringify(c.payload);
      expect(sent).not.toContain('MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw');
      if (c.method !== 'getUpdates') expect(sent).not.toContain(key);
    }
    expect(await userIdOf(mallory)).toBeNull();
    expect(await stack.db.prisma.venueCredential.count()).toBe(0);
  });

  it('a command in a group acts only for the person who typed it: another member cannot confirm', async () => {
    const group = groupChat(-1001000000003, 'Gamma');
    const gus = user('Gus');
    const hal = user('Hal');
    const quote = await say(gus, `/buy ${APPLE} yes $5`, { chat: group });
    expect(quote.reply_to_message_id).toBeDefined();
    expect(labels(quote)).toEqual(['Confirm', 'Cancel']);

    const intruder = await press(hal, quote, 'Confirm');
    expect(intruder.answer).toMatchObject({ text: 'That confirmation belongs to someone else; only the person who asked can answer it.', show_alert: true });
    expect(labels(quote)).toEqual(['Confirm', 'Cancel']);
    expect(await ordersOf(hal)).toHaveLength(0);
    expect(await ordersOf(gus)).toHaveLength(0);

    await press(gus, quote, 'Confirm');
    expect(quote.history[1]).toMatch(/^Bought [\d.]+ YES at avg/);
    expect(await ordersOf(gus)).toHaveLength(1);
  });

  it('personal read-outs asked in a group go to the private chat', async () => {
    const group = groupChat(-1001000000004, 'Delta');
    const ivy = user('Ivy');
    await say(ivy, '/start'); // Ivy has a private chat with the bot
    const dm = fake.nextMessage(ivy.id);
    const note = await say(ivy, '/balance', { chat: group });
    expect(note.text).toBe('Ivy, I sent you that in our private chat.');
    expect((await dm).text).toMatch(/^Balance \(paper money\):/);

    const jay = user('Jay'); // never opened a private chat
    const pointer = await say(jay, '/positions', { chat: group });
    expect(pointer.text).toContain(`you have not started one with me yet. Open https://t.me/${fake.bot.username}`);
    // Commands for another bot in the group are not ours.
    fake.userSends({ from: jay, chat: group, text: '/balance@some_other_bot' });
    const before = fake.messagesIn(group.id).length;
    await say(jay, '/help', { chat: group });
    expect(fake.messagesIn(group.id).length).toBe(before + 1);
  });

  it('a channel alert row for a Telegram group is posted to that group (and ignored for other platforms)', async () => {
    const group = groupChat(-1001000000005, 'Epsilon');
    fake.userSends({ from: user('Mo'), chat: group, text: 'hello' }); // the group exists
    const row = (chatId: number, platform: string) => ({
      id: `00000000-0000-4000-8000-00000000000${platform === 'telegram' ? 1 : 2}`,
      userId: '00000000-0000-4000-8000-000000000000',
      kind: 'channel_alert',
      dedupeKey: `alert:${platform}`,
      orderId: null,
      payload: { kind: 'channel_alert' as const, platform, chatId: String(chatId), text: `fed-cut YES crossed 70¢ (${platform})` },
      createdAt: new Date(),
    });
    await stack.telegram!.sink.deliver(row(group.id, 'discord'));
    await stack.telegram!.sink.deliver(row(group.id, 'telegram'));
    await stack.telegram!.sink.deliver(row(group.id, 'telegram')); // a retry of a delivered row
    expect(fake.messagesIn(group.id).map((m) => m.text)).toEqual(['fed-cut YES crossed 70¢ (telegram)']);
  });

  it('group alerts: only admins (getChatMember) add them; a price crossing posts in the group', async () => {
    const group = groupChat(-1001000000006, 'Zeta');
    const olu = user('Olu');
    const pat = user('Pat');
    fake.setMember(group.id, olu.id, 'administrator');
    const refused = await say(pat, '/alerts add fed-cut above 70c', { chat: group });
    expect(refused.text).toMatch(/admin/i);
    const added = await say(olu, '/alerts add fed-cut above 70c', { chat: group });
    expect(added.text).not.toMatch(/admin/i);
    expect(fake.callsOf('getChatMember', (p) => p.chat_id === group.id).length).toBeGreaterThanOrEqual(2);

    const alert = fake.nextMessage(group.id, { timeoutMs: 10_000, matching: /70/ });
    stack.feed.setMid('polymarket', demoConditionId('fed-cut-dec-2026'), new Decimal('0.80'));
    stack.feed.setMid('kalshi', 'KXFEDCUT-26DEC', new Decimal('0.80'));
    expect((await alert).text).toMatch(/fed/i);
  });

  it('/chart sends a PNG (sendPhoto, multipart) with its caption', async () => {
    const nia = user('Nia');
    const chart = await say(nia, '/chart fed-cut');
    expect(chart.photo?.bytes).toBeGreaterThan(1000);
    expect(chart.photo?.filename).toBe('chart.png');
    expect(chart.caption).toMatch(/fed/i);
  });

  it('429 from the platform: the reply still arrives once, after retry_after', async () => {
    const kim = user('Kim');
    await say(kim, '/start');
    fake.failNext('sendMessage', 1, { retry_after: 1 });
    const t0 = Date.now();
    const reply = await say(kim, '/help');
    expect(reply.text).toContain('/buy - buy YES or NO shares');
    const attempts = fake.callsOf('sendMessage', (p) => p.chat_id === kim.id && String(p.text).includes('/buy - buy YES or NO shares'));
    expect(attempts.map((c) => c.errorCode ?? 200)).toEqual([429, 200]);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(950);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    expect(fake.messagesIn(kim.id).filter((m) => m.text?.includes('/buy - buy YES or NO shares'))).toHaveLength(1);
  });
});

describe('Telegram webhook mode (POST /telegram/webhook on the Fastify server)', () => {
  const HOOK_TOKEN = '434343:telegram-webhook-token';
  const SECRET = 'webhook_secret-0123456789';
  let hookFake: FakeTelegramServer;
  let hookStack: TestStack;

  beforeAll(async () => {
    hookFake = await FakeTelegramServer.start({ token: HOOK_TOKEN, bot: { username: 'yesno_hook_bot' } });
    hookStack = await startTestStack(
      { TELEGRAM_BOT_TOKEN: HOOK_TOKEN, TELEGRAM_API_ROOT: hookFake.apiRoot, TELEGRAM_WEBHOOK_URL: 'https://bot.example.com/telegram/webhook', TELEGRAM_WEBHOOK_SECRET: SECRET },
      { http: true, workers: false },
    );
  });

  afterAll(async () => {
    await hookStack?.stop();
    await hookFake?.stop();
  });

  it('sets the webhook with the secret, accepts updates with it, refuses them without it', async () => {
    expect(hookStack.telegram?.mode).toBe('webhook');
    expect(hookFake.webhook).toEqual({ url: 'https://bot.example.com/telegram/webhook', secret_token: SECRET });
    expect(hookFake.callsOf('getUpdates')).toHaveLength(0);

    const lee = user('Lee');
    const { update } = hookFake.userSends({ from: lee, chat: privateChat(lee), text: '/help', queue: false });
    const wrong = await hookStack.http!.inject({ method: 'POST', url: '/telegram/webhook', headers: { 'x-telegram-bot-api-secret-token': 'not-the-secret' }, payload: update });
    expect(wrong.statusCode).toBe(401);
    const missing = await hookStack.http!.inject({ method: 'POST', url: '/telegram/webhook', payload: update });
    expect(missing.statusCode).toBe(401);
    expect(hookFake.messagesIn(lee.id)).toHaveLength(0);

    const ok = await hookStack.http!.inject({ method: 'POST', url: '/telegram/webhook', headers: { 'x-telegram-bot-api-secret-token': SECRET }, payload: update });
    expect(ok.statusCode).toBe(200);
    const reply = await hookFake.waitFor(() => hookFake.messagesIn(lee.id)[0], { what: 'the webhook reply' });
    expect(reply.text).toContain('/buy - buy YES or NO shares');
  });
});
