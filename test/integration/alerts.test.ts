/**
 * Group channel alerts in the whole process (real Postgres, real pg-boss, the synthetic feed moved
 * by the test): /alerts through the chat command handler, the evaluator fed by the market data,
 * batched `channel_alert` rows delivered by the notify worker to a sink; members' shared fills.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommandHandler, type CommandHandler } from '../../bots/commands/dispatcher.ts';
import type { ChatContext } from '../../bots/commands/replies.ts';
import { Decimal } from '../../core/money.ts';
import type { ChannelAlertNotification, OutboxRow } from '../../core/notifications/types.ts';
import { startTestStack, type TestStack } from '../helpers/stack.ts';

const FED = 'fed-cut-dec-2026'; // poly 0.62, kalshi 0.59
/** One venue only (kalshi 0.41): its price is exactly that venue's mid, so crossings are exact. */
const CPI = 'cpi-above-3-nov-2026';
const CPI_TITLE = 'Will US CPI inflation for November 2026 be above 3.0% year over year?';
const SPX = 'sp500-7500-2026'; // 0.47 / 0.45
const RECESSION = 'us-recession-2026'; // 0.19 / 0.22
const BTC = 'btc-150k-2026'; // 0.14 / 0.12
const GROUP = '-100777';

const admin: ChatContext = { platform: 'telegram', userExternalId: '1001', userName: 'ann', chatId: GROUP, isGroup: true, isAdmin: true };
const member: ChatContext = { platform: 'telegram', userExternalId: '1002', userName: 'bob', chatId: GROUP, isGroup: true, isAdmin: false };
const bobDm: ChatContext = { ...member, chatId: '1002', isGroup: false };
const carol: ChatContext = { platform: 'telegram', userExternalId: '1003', userName: 'carol', chatId: GROUP, isGroup: true, isAdmin: false };
const carolDm: ChatContext = { ...carol, chatId: '1003', isGroup: false };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('group alerts', () => {
  let stack: TestStack;
  let handler: CommandHandler;
  const posted: OutboxRow[] = [];
  /** The texts this group received, in order. */
  const texts = () => posted.map((r) => (r.payload as ChannelAlertNotification).text);

  async function waitForPosts(n: number, timeoutMs = 10_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    while (posted.length < n && Date.now() < deadline) await sleep(25);
    if (posted.length < n) throw new Error(`expected ${n} posts, got ${posted.length}: ${JSON.stringify(texts())}`);
    return texts();
  }

  /** Moves every venue of a market to the same YES mid. */
  function setMarket(marketId: string, mid: string): void {
    for (const l of stack.core.directory.get(marketId)!.listings) stack.feed.setMid(l.venue, l.venueMarketId, new Decimal(mid));
  }

  async function say(ctx: ChatContext, text: string) {
    const replies = await handler.handleText(ctx, text);
    expect(replies.length).toBeGreaterThan(0);
    return replies[0]!;
  }

  beforeAll(async () => {
    stack = await startTestStack(
      { LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' },
      {
        http: false,
        workers: true,
        sinks: [
          {
            name: 'test-channel',
            deliver: async (row) => {
              if (row.payload.kind === 'channel_alert' && row.payload.chatId === GROUP) posted.push(row);
            },
          },
        ],
      },
    );
    expect(stack.alerts).not.toBeNull();
    handler = createCommandHandler({ services: stack.core, skipConfirm: true });
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('only admins add alerts', async () => {
    const refused = await say(member, `/alerts add ${CPI} above 70c`);
    expect(refused.kind).toBe('error');
    expect(refused.text).toMatch(/Only this group's admins/);
    const added = await say(admin, `/alerts add ${CPI} above 70c`);
    expect(added.kind).toBe('text');
    expect(added.text).toMatch(/Alert [0-9a-f]{6} added/);
    const rows = await stack.db.prisma.channelSubscription.findMany({ where: { chatId: GROUP, kind: { not: 'member' } } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ platform: 'telegram', kind: 'price_above', marketId: CPI, lastState: 'clear' });
    const list = await say(member, '/alerts');
    expect(list.text).toMatch(/YES above 70¢/);
  });

  it('a crossing fires once; back across the level and up again fires again', async () => {
    setMarket(CPI, '0.75');
    expect(await waitForPosts(1)).toEqual([`${CPI_TITLE} (${CPI}): YES rose above 70¢, now 75¢`]);
    setMarket(CPI, '0.76');
    setMarket(CPI, '0.74');
    setMarket(CPI, '0.78');
    await sleep(2500); // longer than the batch window
    expect(posted).toHaveLength(1);

    setMarket(CPI, '0.68'); // back below (past the half-cent hysteresis): re-armed, no message
    await sleep(2000);
    expect(posted).toHaveLength(1);
    setMarket(CPI, '0.72');
    expect((await waitForPosts(2))[1]).toMatch(/YES rose above 70¢, now 72¢/);
    const sub = await stack.db.prisma.channelSubscription.findFirstOrThrow({ where: { chatId: GROUP, kind: 'price_above' } });
    expect(sub.lastState).toBe('hit');
    expect(sub.lastFiredAt).not.toBeNull();
  }, 30_000);

  it('alerts of one channel that fire together arrive as one message', async () => {
    await say(admin, `/alerts add ${SPX} above 55c`);
    await say(admin, `/alerts add ${RECESSION} below 10c`);
    await sleep(50);
    setMarket(SPX, '0.60');
    setMarket(RECESSION, '0.08');
    const all = await waitForPosts(3);
    await sleep(2000);
    expect(posted).toHaveLength(3);
    const batch = all[2]!.split('\n');
    expect(batch[0]).toBe('2 alerts:');
    expect(batch.slice(1).sort()).toEqual(
      [
        `- Will the S&P 500 close above 7,500 on December 31, 2026? (${SPX}): YES rose above 55¢, now 60¢`,
        `- Will the US enter a recession in 2026? (${RECESSION}): YES fell below 10¢, now 8¢`,
      ].sort(),
    );
    const row = await stack.db.prisma.notificationOutbox.findUniqueOrThrow({ where: { id: posted[2]!.id } });
    expect((row.payload as unknown as ChannelAlertNotification).alertIds).toHaveLength(2);
    expect(row.kind).toBe('channel_alert');
  }, 30_000);

  it('a big move within the hour fires', async () => {
    const r = await say(admin, `/alerts add ${BTC} move 5%`);
    expect(r.text).toMatch(/moves 5\.0 points or more within an hour/);
    await sleep(50);
    setMarket(BTC, '0.13');
    setMarket(BTC, '0.14');
    setMarket(BTC, '0.20');
    expect((await waitForPosts(4))[3]).toBe(`Will Bitcoin reach $150,000 by December 31, 2026? (${BTC}): YES moved +7.0 points within the hour (13¢ → 20¢)`);
  }, 30_000);

  it('removed alerts stay quiet', async () => {
    const rows = await stack.db.prisma.channelSubscription.findMany({ where: { chatId: GROUP, marketId: SPX } });
    const id = rows[0]!.id.replace(/-/g, '').slice(0, 6);
    const member_ = await say(member, `/alerts remove ${id}`);
    expect(member_.kind).toBe('error');
    expect((await say(admin, `/alerts remove ${id}`)).text).toMatch(/Removed alert/);
    setMarket(SPX, '0.40');
    await sleep(300);
    setMarket(SPX, '0.70');
    await sleep(2500);
    expect(posted).toHaveLength(4);
  }, 30_000);

  it("members' fills: only members who opted in, only in groups they use", async () => {
    expect((await say(admin, '/alerts fills on')).text).toMatch(/Members' fills will be posted here/);
    expect((await say(bobDm, '/sharefills on')).text).toMatch(/Your fills will be posted/);
    await say(member, `/price ${FED}`); // bob is seen in the group
    await say(carol, `/price ${FED}`); // carol too, but she never opted in
    await sleep(200);

    const before = posted.length;
    const carolBuy = await say(carolDm, `/buy ${FED} yes $5`);
    expect(carolBuy.kind).toBe('order');
    const bobBuy = await say(bobDm, `/buy ${FED} yes $5`);
    expect(bobBuy.kind).toBe('order');
    const all = await waitForPosts(before + 1);
    await sleep(1500);
    expect(posted).toHaveLength(before + 1);
    expect(all[before]).toMatch(new RegExp(`^bob bought \\d+\\.\\d\\d YES of Will the Fed cut rates at the December 2026 FOMC meeting\\? \\(${FED}\\) @ [\\d.]+¢ on (polymarket|kalshi)$`));

    // Turning sharing off stops it.
    await say(bobDm, '/sharefills off');
    await say(bobDm, `/buy ${FED} yes $5`);
    await sleep(2000);
    expect(posted).toHaveLength(before + 1);
  }, 30_000);
});
