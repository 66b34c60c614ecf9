/** Linking a second chat account with a one-time code, on a real Postgres. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { UserService } from '../../core/users/user-service.ts';
import { LINK_CODE_TTL_MS, createLinkCode, redeemLinkCode } from '../../core/users/linking.ts';
import { DEMO_CATALOG, seedCatalog } from '../../core/markets/catalog.ts';
import { createCommandHandler } from '../../bots/commands/dispatcher.ts';
import type { ChatContext } from '../../bots/commands/replies.ts';
import type { Services } from '../../core/services.ts';

describe('linking chat accounts', () => {
  let db: TestDatabase;
  let users: UserService;
  let n = 0;
  const nextId = () => String(++n + 1000);

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedCatalog(db.prisma, DEMO_CATALOG);
    users = new UserService({ prisma: db.prisma });
  });
  afterAll(async () => {
    await db?.drop();
  });

  const tg = (name = 'ann') => users.ensureChatUser({ platform: 'telegram', externalId: nextId(), name });
  const platformsOf = async (userId: string) => (await users.identities(userId)).map((i) => i.platform).sort();

  it('a code from Telegram, typed on Discord, moves the Discord identity into the Telegram user', async () => {
    const a = await tg();
    const { code, expiresAt } = await users.createLinkCode(a.id);
    expect(code).toMatch(/^[A-HJ-NP-Z2-9]{8}$/);
    expect(expiresAt.getTime() - Date.now()).toBeGreaterThan(LINK_CODE_TTL_MS - 5_000);
    const discordId = nextId();
    const b = await users.ensureChatUser({ platform: 'discord', externalId: discordId, name: 'ann#1' });
    expect(b.id).not.toBe(a.id);

    const r = await users.redeemLinkCode({ code: code.toLowerCase().replace(/^(....)/, '$1-'), platform: 'discord', externalId: discordId });
    expect(r).toEqual({ ok: true, userId: a.id, alreadyLinked: false, platforms: ['discord', 'telegram'] });
    expect(await platformsOf(a.id)).toEqual(['discord', 'telegram']);
    // The Discord account now resolves to the Telegram user; its empty user is gone.
    expect((await users.ensureChatUser({ platform: 'discord', externalId: discordId, name: 'x' })).id).toBe(a.id);
    expect(await db.prisma.user.findUnique({ where: { id: b.id } })).toBeNull();
    // One-time: the code is consumed.
    const again = await users.redeemLinkCode({ code, platform: 'discord', externalId: nextId() });
    expect(again).toMatchObject({ ok: false, reason: 'invalid_code' });
  });

  it('refuses to merge an account that already has money in play, and keeps the code', async () => {
    const a = await tg();
    const { code } = await users.createLinkCode(a.id);
    const discordId = nextId();
    const b = await users.ensureChatUser({ platform: 'discord', externalId: discordId, name: 'bob' });
    await db.prisma.order.create({
      data: {
        userId: b.id,
        marketId: 'fed-cut-dec-2026',
        listingId: DEMO_CATALOG.find((m) => m.id === 'fed-cut-dec-2026')!.listings[0]!.id,
        side: 'yes',
        type: 'market',
        action: 'buy',
        price: '0.6',
        quantity: '10',
        exchange: 'polymarket',
        clientOrderId: `c-${nextId()}`,
      },
    });
    const r = await users.redeemLinkCode({ code, platform: 'discord', externalId: discordId });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toBe('has_activity');
    expect(r.message).toMatch(/orders \(1\).*money never moves between accounts/);
    expect(await platformsOf(a.id)).toEqual(['telegram']);
    expect(await platformsOf(b.id)).toEqual(['discord']);
    // The code still works for an account without activity.
    const freshId = nextId();
    expect(await users.redeemLinkCode({ code, platform: 'discord', externalId: freshId })).toMatchObject({ ok: true, userId: a.id });
    // A chat account never seen before gets its identity created on the code's user.
    expect((await users.ensureChatUser({ platform: 'discord', externalId: freshId, name: 'z' })).id).toBe(a.id);
  });

  it('refuses automation too, a code typed on its own platform, and a platform already linked', async () => {
    const a = await tg();
    const withSniper = await users.ensureChatUser({ platform: 'discord', externalId: nextId(), name: 's' });
    await db.prisma.sniperOrder.create({ data: { userId: withSniper.id, marketId: 'fed-cut-dec-2026', side: 'yes', triggerPrice: '0.5', amount: '10' } });
    const sniperDiscord = (await users.identities(withSniper.id))[0]!.externalId;
    const c1 = await users.createLinkCode(a.id);
    expect(await users.redeemLinkCode({ code: c1.code, platform: 'discord', externalId: sniperDiscord })).toMatchObject({ ok: false, reason: 'has_activity' });

    const sameApp = await users.redeemLinkCode({ code: c1.code, platform: 'telegram', externalId: nextId() });
    expect(sameApp).toMatchObject({ ok: false, reason: 'same_platform' });

    expect(await users.redeemLinkCode({ code: c1.code, platform: 'discord', externalId: nextId() })).toMatchObject({ ok: true });
    const c2 = await users.createLinkCode(a.id);
    expect(await users.redeemLinkCode({ code: c2.code, platform: 'discord', externalId: nextId() })).toMatchObject({ ok: false, reason: 'platform_taken' });
  });

  it('expired codes are refused; a new code replaces the old one', async () => {
    const a = await tg();
    const old = await createLinkCode(db.prisma, { userId: a.id, now: new Date(Date.now() - LINK_CODE_TTL_MS - 1000) });
    expect(await redeemLinkCode(db.prisma, { code: old.code, platform: 'discord', externalId: nextId() })).toMatchObject({ ok: false, reason: 'expired' });
    const first = await users.createLinkCode(a.id);
    const second = await users.createLinkCode(a.id);
    expect(await users.redeemLinkCode({ code: first.code, platform: 'discord', externalId: nextId() })).toMatchObject({ ok: false, reason: 'invalid_code' });
    expect(await users.redeemLinkCode({ code: second.code, platform: 'discord', externalId: nextId() })).toMatchObject({ ok: true });
  });

  it('two redemptions of one code at once: exactly one links', async () => {
    const a = await tg();
    const { code } = await users.createLinkCode(a.id);
    const results = await Promise.all([nextId(), nextId(), nextId()].map((id) => users.redeemLinkCode({ code, platform: 'discord', externalId: id })));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(await platformsOf(a.id)).toEqual(['discord', 'telegram']);
  });

  it('group alerts created by the joining account follow it', async () => {
    const a = await tg();
    const discordId = nextId();
    const b = await users.ensureChatUser({ platform: 'discord', externalId: discordId, name: 'admin' });
    await db.prisma.channelSubscription.create({ data: { platform: 'discord', chatId: 'chan-1', kind: 'price_above', marketId: 'fed-cut-dec-2026', level: '0.7', createdBy: b.id } });
    const { code } = await users.createLinkCode(a.id);
    expect(await users.redeemLinkCode({ code, platform: 'discord', externalId: discordId })).toMatchObject({ ok: true });
    const sub = await db.prisma.channelSubscription.findFirstOrThrow({ where: { chatId: 'chan-1' } });
    expect(sub.createdBy).toBe(a.id);
  });

  it('through the chat commands: /link in a Telegram DM, /link <code> in a Discord DM', async () => {
    const services = { users } as unknown as Services;
    const handler = createCommandHandler({ services });
    const tgDm: ChatContext = { platform: 'telegram', userExternalId: nextId(), userName: 'dora', chatId: 'dm', isGroup: false };
    const dcDm: ChatContext = { platform: 'discord', userExternalId: nextId(), userName: 'dora#2', chatId: 'dm2', isGroup: false };
    const [codeReply] = await handler.handleText(tgDm, '/link');
    const code = /Your link code: (\S+)/.exec(codeReply!.text)![1]!;
    expect(codeReply!.text).toContain(`In Discord, send me: /link ${code}`);
    const [bad] = await handler.handleText(dcDm, '/link ABCDEFGH');
    expect(bad!.kind).toBe('error');
    expect(bad!.text).toMatch(/not valid/);
    const [linked] = await handler.handleText(dcDm, `/link ${code}`);
    expect(linked!.text).toMatch(/^Linked: this Discord account now uses the same yesno account/);
    const tgUser = await users.ensureChatUser({ platform: 'telegram', externalId: tgDm.userExternalId, name: 'x' });
    const dcUser = await users.ensureChatUser({ platform: 'discord', externalId: dcDm.userExternalId, name: 'x' });
    expect(dcUser.id).toBe(tgUser.id);
    const [again] = await handler.handleText(dcDm, `/link ${code}`);
    expect(again!.kind).toBe('error');
  });

  it('notification settings and shared fills are stored', async () => {
    const a = await tg();
    expect(await users.getNotifySettings(a.id)).toEqual({ fills: 'on', orders: 'on' });
    expect(await users.setNotifySettings(a.id, { fills: 'silent' })).toEqual({ fills: 'silent', orders: 'on' });
    expect(await users.setNotifySettings(a.id, { orders: 'silent' })).toEqual({ fills: 'silent', orders: 'silent' });
    const id = (await users.identities(a.id))[0]!;
    await users.setShareFills({ platform: 'telegram', externalId: id.externalId, share: true });
    expect((await users.identities(a.id))[0]!.shareFills).toBe(true);
  });
});
