/**
 * The Discord transport's own behaviour, with a real discord.js client against the fake Discord
 * (test/fakes/discord-server.ts) but a scripted command handler instead of the whole stack: deferred
 * replies when the handler is slow, long replies split, markdown escaped and mentions disabled,
 * pictures attached, failures worded; and the notification sink (DMs edited per order, rows
 * delivered out of order, users who refuse DMs, channel alerts, retries deduplicated by nonce).
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../core/money.ts';
import { memoryMessageRefs } from '../../core/notifications/message-refs.ts';
import type { NotificationPayload, OutboxRow } from '../../core/notifications/types.ts';
import type { Services } from '../../core/services.ts';
import type { MarketSummary, OrderView } from '../../core/trading/types.ts';
import type { Command } from '../../bots/commands/commands.ts';
import { ConfirmationStore } from '../../bots/commands/confirm.ts';
import type { CommandHandler } from '../../bots/commands/dispatcher.ts';
import type { PendingTrade } from '../../bots/commands/env.ts';
import type { ChatContext, Reply } from '../../bots/commands/replies.ts';
import { createDiscordBot, type DiscordBot } from '../../bots/discord/bot.ts';
import { commandsJson, DISCORD_COMMANDS } from '../../bots/discord/commands.ts';
import { discordRest } from '../../bots/discord/register.ts';
import { DiscordSink } from '../../bots/discord/sink.ts';
import { startFakeDiscord, type FakeDiscord, type FakeMessage, type Who } from '../fakes/discord-server.ts';

const TOKEN = 'stub-bot-token';
const APP_ID = '810000000000000001';
const EPHEMERAL = 64;
const silent = { info() {}, warn() {}, error() {}, debug() {} };

const dm: Who = { user: { id: '555000000000000001', username: 'dana' } };
const admin: Who = { user: { id: '555000000000000002', username: 'eve' }, guildId: '444000000000000001', channelId: '444000000000000002', permissions: '32' };

let fake: FakeDiscord;
let bot: DiscordBot;
const contexts: ChatContext[] = [];
const clientErrors: unknown[] = [];

const LONG = Array.from({ length: 90 }, (_, i) => `line ${String(i).padStart(2, '0')} ${'x'.repeat(40)}`).join('\n');

/** A scripted handler: each command answers in a way that exercises one rendering path. */
const handler: CommandHandler = {
  confirmations: new ConfirmationStore<PendingTrade>(),
  async handleText() {
    return [];
  },
  async execute(ctx: ChatContext, cmd: Command): Promise<Reply[]> {
    contexts.push(ctx);
    switch (cmd.name) {
      case 'balance':
        await sleep(250);
        return [{ kind: 'text', text: 'Balance: $1000.00', ephemeral: true }];
      case 'markets':
        await sleep(250);
        return [{ kind: 'text', text: 'personal after all', ephemeral: true }];
      case 'help':
        return [{ kind: 'text', text: LONG, buttons: [[{ id: 'slow:1', label: 'Slow' }]] }];
      case 'orders':
        return [{ kind: 'text', text: '*bold* _it_ @everyone <@123>\n# not a heading\n- not a list' }];
      case 'price':
        return [{ kind: 'text', text: 'fallback', photo: { png: Buffer.from([0x89, 0x50, 0x4e, 0x47]), caption: 'the chart' } }];
      case 'positions':
        throw new Error('boom');
      default:
        return [{ kind: 'text', text: `ok ${cmd.name}` }];
    }
  },
  async handleButton(_ctx: ChatContext, id: string): Promise<Reply[]> {
    await sleep(id === 'slow:1' ? 250 : 0);
    return [{ kind: 'order', text: `pressed ${id}`, editKey: 'confirm:x', buttons: [] }];
  },
};

const markets = {
  async list() {
    return [] as MarketSummary[];
  },
  async resolve(): Promise<MarketSummary> {
    throw new Error('unused');
  },
};

beforeAll(async () => {
  fake = await startFakeDiscord({ token: TOKEN, appId: APP_ID });
  bot = createDiscordBot({ token: TOKEN, appId: APP_ID, restApi: fake.apiUrl, handler, services: { markets }, log: silent, deferAfterMs: 100 });
  bot.client.on('error', (err) => clientErrors.push(err));
  await bot.start();
});

afterAll(async () => {
  await bot?.stop();
  await fake?.close();
});

describe('Discord bot rendering', () => {
  it('a slow personal command is deferred ephemerally, then edited in', async () => {
    const ix = fake.slash('balance', {}, admin);
    const msg = await fake.answer(ix);
    expect(ix.callback).toMatchObject({ type: 5, data: { flags: EPHEMERAL } });
    expect(msg.content).toBe('Balance: $1000.00');
    expect(msg.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(contexts.at(-1)).toMatchObject({ platform: 'discord', userExternalId: admin.user.id, chatId: admin.channelId, isGroup: true, isAdmin: true });
  });

  it('a slow public command whose answer is personal says so publicly and answers privately', async () => {
    const ix = fake.slash('markets', {}, dm);
    const msg = await fake.answer(ix);
    expect(ix.callback?.type).toBe(5);
    expect(msg.content).toBe('Answered privately.');
    await fake.waitFor(() => ix.followupIds.length === 1, 5000, 'the follow-up');
    const [follow] = fake.followups(ix);
    expect(follow!.content).toBe('personal after all');
    expect(follow!.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(contexts.at(-1)).toMatchObject({ chatId: fake.dmChannelOf(dm.user.id), isGroup: false, isAdmin: false });
  });

  it('a long reply is split at line breaks (≤ 2000 each), buttons on the last part; a slow button defers the update', async () => {
    const ix = fake.slash('help', {}, dm);
    const first = await fake.answer(ix);
    await fake.waitFor(() => ix.followupIds.length === 2, 5000, 'two follow-ups');
    const parts: FakeMessage[] = [first, ...fake.followups(ix)];
    expect(parts.map((p) => p.content.length).every((n) => n <= 2000)).toBe(true);
    expect(parts.map((p) => p.content).join('\n')).toBe(LONG);
    expect(parts.map((p) => p.components.length)).toEqual([0, 0, 1]);

    const last = parts[2]!;
    const press = fake.click(last, 'slow:1', dm);
    const updated = await fake.answer(press);
    expect(press.callback?.type).toBe(6); // deferred update, then PATCH @original
    expect(updated.id).toBe(last.id);
    expect(updated.content).toBe('pressed slow:1');
    expect(updated.components).toEqual([]);
  });

  it('escapes markdown, never resolves mentions, attaches pictures, and words failures', async () => {
    const ix = fake.slash('orders', {}, dm);
    const msg = await fake.answer(ix);
    expect(msg.content).toBe('\\*bold\\* \\_it\\_ @everyone <@123>\n\\# not a heading\n\\- not a list');
    const call = fake.calls.find((c) => c.path === `/interactions/${ix.id}/${ix.token}/callback`)!;
    expect(call.body.data.allowed_mentions).toEqual({ parse: [] });

    const pic = await fake.answer(fake.slash('price', { market: 'x' }, dm));
    expect(pic.content).toBe('the chart');
    expect(pic.attachments.map((a) => a.filename)).toEqual(['chart.png']);

    const boom = fake.slash('positions', {}, dm);
    const oops = await fake.answer(boom);
    expect(oops.content).toMatch(/^Something went wrong on our side/);
    expect(oops.flags & EPHEMERAL).toBe(EPHEMERAL);
  });

  it('every command definition is valid for Discord', () => {
    const json = commandsJson(DISCORD_COMMANDS);
    for (const c of json) {
      expect(c.name).toMatch(/^[-_a-z0-9]{1,32}$/);
      expect(c.description!.length).toBeLessThanOrEqual(100);
      for (const o of c.options ?? []) expect(o.description.length).toBeLessThanOrEqual(100);
    }
    expect(() => commandsJson([...DISCORD_COMMANDS, DISCORD_COMMANDS[0]!])).toThrow(/defined twice/);
  });

  it('no client errors', () => {
    expect(clientErrors).toEqual([]);
  });
});

describe('Discord notification sink', () => {
  const userId = randomUUID();
  const discordUser = '666000000000000001';
  let order: OrderView;
  const services = {
    trading: {
      async getOrder() {
        return order;
      },
    },
    users: {
      async identities(id: string) {
        return id === userId ? [{ platform: 'discord' as const, externalId: discordUser, chatId: null }] : [];
      },
    },
  } as unknown as Pick<Services, 'trading' | 'users'>;
  const refs = memoryMessageRefs();
  let sink: DiscordSink;

  const makeOrder = (status: OrderView['status'], filled: string): OrderView => ({
    id: order?.id ?? randomUUID(),
    userId,
    marketId: 'm1',
    marketTitle: 'Will it rain?',
    listingId: 'l1',
    side: 'yes',
    type: 'limit',
    action: 'buy',
    price: new Decimal('0.3'),
    quantity: new Decimal('10'),
    amount: null,
    filledQuantity: new Decimal(filled),
    avgFillPrice: filled === '0' ? null : new Decimal('0.3'),
    fee: new Decimal('0'),
    exchange: 'polymarket',
    source: 'manual',
    timeInForce: 'GTC',
    status,
    clientOrderId: 'c1',
    venueOrderId: null,
    failureReason: null,
    copyTradeSubId: null,
    lateFillQuantity: new Decimal('0'),
    routing: null,
    createdAt: new Date(),
    updatedAt: new Date(),
  });
  const row = (payload: NotificationPayload, extra: Partial<OutboxRow> = {}): OutboxRow => ({
    id: randomUUID(),
    userId,
    kind: payload.kind,
    dedupeKey: randomUUID(),
    orderId: 'orderId' in payload ? (payload.orderId ?? null) : null,
    payload,
    createdAt: new Date(),
    ...extra,
  });
  const status = (s: string, previous: string | null): NotificationPayload => ({ kind: 'order_status', orderId: order.id, status: s, previous });
  const dmMessages = () => fake.channelMessages(fake.dmChannelOf(discordUser));

  beforeAll(() => {
    sink = new DiscordSink({ rest: discordRest(TOKEN, fake.apiUrl), services, refs, log: silent });
  });

  it('one DM per order, edited as it moves on; a row overtaken by the order is skipped', async () => {
    order = makeOrder('pending', '0');
    await sink.deliver(row(status('pending', 'created')));
    expect(dmMessages()).toHaveLength(1);
    const msg = dmMessages()[0]!;
    expect(msg.content).toMatch(/^order [0-9a-f]{8} open on polymarket: buy 10\.00 YES @ 30¢$/);

    // Filled and partial rows delivered together, the partial one late: the message ends "filled".
    order = makeOrder('filled', '10');
    await Promise.all([sink.deliver(row(status('filled', 'partial'))), sink.deliver(row(status('partial', 'pending')))]);
    await sink.deliver(row({ kind: 'order_fill', orderId: order.id, fillId: 'f1', price: '0.3', quantity: '4', fee: '0', late: false }));
    expect(dmMessages()).toHaveLength(1);
    expect(msg.content).toMatch(/^order [0-9a-f]{8} filled: 10\.00 YES @ 30¢ on polymarket$/);
    expect(msg.history).toHaveLength(2);
  });

  it('a deleted order message is replaced by a new one; silent rows do not ping', async () => {
    order = makeOrder('pending', '0');
    await sink.deliver(row(status('pending', 'created')));
    const first = dmMessages().at(-1)!;
    first.deleted = true;
    order = makeOrder('cancelled', '0');
    await sink.deliver(row(status('cancelled', 'pending'), { silent: true }));
    const second = dmMessages().at(-1)!;
    expect(second.id).not.toBe(first.id);
    expect(second.content).toMatch(/^order [0-9a-f]{8} cancelled$/);
    expect(second.flags & 4096).toBe(4096);
  });

  it('a retried text notification arrives once (nonce); channel alerts go to their channel', async () => {
    const before = dmMessages().length;
    const text = row({ kind: 'text', text: 'hello there' });
    await sink.deliver(text);
    await sink.deliver(text);
    expect(dmMessages().length).toBe(before + 1);

    const channel = '777000000000000001';
    await sink.deliver(row({ kind: 'channel_alert', platform: 'discord', chatId: channel, text: 'fed-cut crossed 60¢' }));
    await sink.deliver(row({ kind: 'channel_alert', platform: 'telegram', chatId: channel, text: 'not for discord' }));
    expect(fake.channelMessages(channel).map((m) => m.content)).toEqual(['fed-cut crossed 60¢']);
  });

  it('a user who refuses DMs is skipped (no retry), other errors are thrown for a retry', async () => {
    fake.refusingDms.add(discordUser);
    const before = dmMessages().length;
    await expect(sink.deliver(row({ kind: 'text', text: 'nobody reads this' }))).resolves.toBeUndefined();
    expect(dmMessages().length).toBe(before);
    fake.refusingDms.delete(discordUser);

    fake.rateLimit({ method: 'POST', path: /\/messages$/, count: 1, retryAfter: 0.1, retryAfterHeader: '0.1' });
    await sink.deliver(row({ kind: 'text', text: 'after a 429' }));
    expect(dmMessages().at(-1)!.content).toBe('after a 429');
  });
});
