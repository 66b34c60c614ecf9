/**
 * The issue-4 commands through the dispatcher with stub services: /alerts (grammar, admin-only in
 * groups, wording), /sharefills, /link, /notify, /chart and /pnl (a PNG on the reply).
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../core/money.ts';
import { parseCommand } from '../../bots/commands/grammar.ts';
import { createCommandHandler } from '../../bots/commands/dispatcher.ts';
import type { ChatContext } from '../../bots/commands/replies.ts';
import type { AlertView, AlertsApi, ChannelRef } from '../../core/alerts/types.ts';
import type { ChartsApi } from '../../core/charts/types.ts';
import { pngSize } from '../../core/charts/render.ts';
import { helpFor, helpOverview } from '../../bots/commands/help.ts';
import { createStubServices } from './commands-stub.ts';

const d = (s: string) => new Decimal(s);

/** An in-memory AlertsApi recording what the commands asked. */
function fakeAlerts() {
  const rows: AlertView[] = [];
  const members: { channel: ChannelRef; userId: string }[] = [];
  const api: AlertsApi = {
    async list(ch) {
      return rows.filter((r) => r.platform === ch.platform && r.chatId === ch.chatId);
    },
    async addPriceAlert({ channel, marketId, direction, level, createdBy }) {
      const a = view(channel, direction === 'above' ? 'price_above' : 'price_below', marketId, createdBy, { level });
      rows.push(a);
      return a;
    },
    async addMoveAlert({ channel, marketId, threshold, createdBy }) {
      const a = view(channel, 'big_move', marketId, createdBy, { threshold });
      rows.push(a);
      return a;
    },
    async setMemberFills({ channel, on, createdBy }) {
      const i = rows.findIndex((r) => r.kind === 'member_fills' && r.chatId === channel.chatId);
      if (on && i < 0) rows.push(view(channel, 'member_fills', null, createdBy, {}));
      if (!on && i >= 0) rows.splice(i, 1);
      return on ? i < 0 : i >= 0;
    },
    async remove({ channel, idPrefix }) {
      const i = rows.findIndex((r) => r.chatId === channel.chatId && r.id.replace(/-/g, '').startsWith(idPrefix));
      return i < 0 ? null : rows.splice(i, 1)[0]!;
    },
    async noteMember(args) {
      members.push(args);
    },
  };
  return { api, rows, members };
}

function view(ch: ChannelRef, kind: AlertView['kind'], marketId: string | null, createdBy: string, x: { level?: Decimal; threshold?: Decimal }): AlertView {
  return {
    id: randomUUID(),
    platform: ch.platform,
    chatId: ch.chatId,
    kind,
    marketId,
    marketTitle: marketId ? 'Fed cuts rates in December?' : null,
    marketSlug: marketId ? 'fed-cut' : null,
    level: x.level ?? null,
    threshold: x.threshold ?? null,
    createdBy,
    lastFiredAt: null,
    createdAt: new Date(),
  };
}

const fakeCharts: ChartsApi = {
  async priceHistory({ marketId, hours }) {
    const until = new Date('2026-11-29T12:00:00Z');
    const points = Array.from({ length: 30 }, (_, i) => ({ at: new Date(until.getTime() - (30 - i) * 60_000 * hours * 2), mid: d('0.40').add(new Decimal(i).div(1000)) }));
    return { marketId, title: 'Fed cuts rates in December?', slug: 'fed-cut', hours, until, series: [{ venue: 'polymarket', listingId: 'mkt-fed:polymarket', points }], fromQuote: false };
  },
  async pnlSummary() {
    return { positions: [], cost: d('0'), value: d('0'), unrealized: d('0'), realized: d('1.5'), total: d('1.5'), cash: d('1000'), paper: true };
  },
};

function setup() {
  const alerts = fakeAlerts();
  const services = createStubServices();
  services.alerts = alerts.api;
  services.charts = fakeCharts;
  const handler = createCommandHandler({ services });
  return { services, handler, alerts };
}

const admin: ChatContext = { platform: 'telegram', userExternalId: '1', userName: 'ann', chatId: '-100200', isGroup: true, isAdmin: true };
const member: ChatContext = { ...admin, userExternalId: '2', userName: 'bob', isAdmin: false };
const dm: ChatContext = { platform: 'discord', userExternalId: '3', userName: 'cat', chatId: 'dm-3', isGroup: false };

describe('grammar of the issue-4 commands', () => {
  const ok = (text: string) => {
    const r = parseCommand(text);
    if (r.kind !== 'command') throw new Error(`${text}: ${r.kind === 'error' ? r.message : 'empty'}`);
    return r.command;
  };
  const err = (text: string) => {
    const r = parseCommand(text);
    if (r.kind !== 'error') throw new Error(`${text} parsed`);
    return r.message;
  };

  it('/alerts forms', () => {
    expect(ok('/alerts')).toEqual({ name: 'alerts', action: 'list' });
    expect(ok('/alert list')).toEqual({ name: 'alerts', action: 'list' });
    const add = ok('/alerts add fed cut above 60c');
    expect(add).toMatchObject({ name: 'alerts', action: 'add-price', direction: 'above', market: { text: 'fed cut' } });
    expect((add as { level: Decimal }).level.toFixed(2)).toBe('0.60');
    expect(ok('/alerts add fed-cut below 0.35')).toMatchObject({ action: 'add-price', direction: 'below' });
    expect(ok('/alerts fed-cut under 35c')).toMatchObject({ action: 'add-price', direction: 'below' });
    const move = ok('/alerts add fed-cut move 5%');
    expect(move).toMatchObject({ action: 'add-move' });
    expect((move as { threshold: Decimal }).threshold.toString()).toBe('0.05');
    expect(ok('/alerts add fed-cut move 2.5 %')).toMatchObject({ action: 'add-move' });
    expect(ok('/alerts fills on')).toEqual({ name: 'alerts', action: 'fills', on: true });
    expect(ok('/alerts fills off')).toEqual({ name: 'alerts', action: 'fills', on: false });
    expect(ok('/alerts remove A1B2C3')).toEqual({ name: 'alerts', action: 'remove', id: 'a1b2c3' });
  });

  it('/alerts errors say what is wrong and the right form', () => {
    expect(err('/alerts add fed-cut')).toMatch(/above <price>.*Try: \/alerts add fed-cut above 60c/);
    expect(err('/alerts add fed-cut above')).toMatch(/Which price/);
    expect(err('/alerts add fed-cut above 150c')).toMatch(/between 1¢ and 99¢/);
    expect(err('/alerts add fed-cut move 200%')).toMatch(/0.5% to 99%/);
    expect(err('/alerts fills maybe')).toMatch(/on or off/);
    expect(err('/alerts remove zz')).toMatch(/not an alert id/);
    expect(err('/alerts add above 60c')).toMatch(/above <price>|Which market/);
  });

  it('/link, /sharefills, /notify, /chart, /pnl', () => {
    expect(ok('/link')).toEqual({ name: 'link', action: 'code' });
    expect(ok('/link k7m2-qx9p')).toEqual({ name: 'link', action: 'redeem', code: 'K7M2QX9P' });
    expect(ok('/link kalshi 6f1c2a9e')).toEqual({ name: 'link', action: 'venue', venue: 'kalshi' });
    expect(err('/link hello')).toMatch(/8 letters and digits/);
    expect(ok('/sharefills')).toEqual({ name: 'sharefills' });
    expect(ok('/sharefills on')).toEqual({ name: 'sharefills', on: true });
    expect(ok('/notify')).toEqual({ name: 'notify' });
    expect(ok('/notify fills silent')).toEqual({ name: 'notify', topic: 'fills', level: 'silent' });
    expect(err('/notify orders off')).toMatch(/on or silent/);
    expect(err('/notify sound off')).toMatch(/"fills" and "orders"/);
    expect(ok('/chart fed-cut')).toMatchObject({ name: 'chart', hours: 24, market: { text: 'fed-cut' } });
    expect(ok('/chart fed cut 6h')).toMatchObject({ hours: 6, market: { text: 'fed cut' } });
    expect(ok('/chart fed-cut 3 days')).toMatchObject({ hours: 72 });
    expect(ok('/chart btc 100k')).toMatchObject({ hours: 24, market: { text: 'btc 100k' } });
    expect(err('/chart fed-cut 900h')).toMatch(/1 to 168 hours/);
    expect(err('/chart')).toMatch(/Which market/);
    expect(ok('/pnl')).toEqual({ name: 'pnl' });
  });

  it('/help lists them with examples', () => {
    const all = helpOverview();
    for (const c of ['/alerts', '/chart', '/pnl', '/link', '/notify', '/sharefills']) expect(all).toContain(c);
    expect(helpFor('alerts').text).toContain('/alerts add fed-cut move 5%');
  });
});

describe('/alerts in a group', () => {
  it('admins add, list and remove; members only list', async () => {
    const { handler, alerts } = setup();
    const [added] = await handler.handleText(admin, '/alerts add fed-cut above 60c');
    expect(added!.kind).toBe('text');
    expect(added!.text).toMatch(/Alert [0-9a-f]{6} added: this chat hears when Fed cuts rates in December\? \(fed-cut\) YES goes above 60¢\. YES is 42¢ now/);
    await handler.handleText(admin, '/alerts add fed-cut move 5%');
    expect(alerts.rows.map((r) => [r.kind, r.chatId, r.platform])).toEqual([
      ['price_above', '-100200', 'telegram'],
      ['big_move', '-100200', 'telegram'],
    ]);

    const [refused] = await handler.handleText(member, '/alerts add fed-cut below 30c');
    expect(refused!.kind).toBe('error');
    expect(refused!.text).toMatch(/Only this group's admins/);
    expect(alerts.rows).toHaveLength(2);

    const [list] = await handler.handleText(member, '/alerts');
    expect(list!.text).toMatch(/Alerts in this chat \(2\):/);
    expect(list!.text).toMatch(/Fed cuts rates in December\? \(fed-cut\): YES above 60¢/);
    expect(list!.text).toMatch(/a move of 5\.0 points within an hour/);

    const id = alerts.rows[0]!.id.replace(/-/g, '').slice(0, 6);
    const [nope] = await handler.handleText(member, `/alerts remove ${id}`);
    expect(nope!.kind).toBe('error');
    const [removed] = await handler.handleText(admin, `/alerts remove ${id}`);
    expect(removed!.text).toMatch(new RegExp(`Removed alert ${id}`));
    expect(alerts.rows).toHaveLength(1);
  });

  it('says when the price is already past the level', async () => {
    const { handler } = setup();
    const [r] = await handler.handleText(admin, '/alerts add fed-cut below 50c');
    expect(r!.text).toMatch(/already below it/);
  });

  it('fills on/off is for groups; members opt in with /sharefills', async () => {
    const { handler, alerts, services } = setup();
    const [on] = await handler.handleText(admin, '/alerts fills on');
    expect(on!.text).toMatch(/Members' fills will be posted here/);
    const [again] = await handler.handleText(admin, '/alerts fills on');
    expect(again!.text).toMatch(/already posted/);
    const [inDm] = await handler.handleText(dm, '/alerts fills on');
    expect(inDm!.kind).toBe('error');
    const [share] = await handler.handleText(dm, '/sharefills on');
    expect(share!.text).toMatch(/Your fills will be posted/);
    expect((services.users as unknown as { shareFills: Map<string, boolean> }).shareFills.get('discord:3')).toBe(true);
    // Members who type a command in the group are noted (their shared fills may go there).
    await new Promise((r) => setTimeout(r, 10));
    expect(alerts.members.some((m) => m.channel.chatId === '-100200')).toBe(true);
  });

  it('an unknown market is a clear error that changes nothing', async () => {
    const { handler, alerts } = setup();
    const [r] = await handler.handleText(admin, '/alerts add nothing-like-this above 60c');
    expect(r!.kind).toBe('error');
    expect(r!.text).toMatch(/No market matches/);
    expect(alerts.rows).toHaveLength(0);
  });

  it('private chats set their own alerts', async () => {
    const { handler, alerts } = setup();
    const [r] = await handler.handleText(dm, '/alerts add btc-100k above 70c');
    expect(r!.kind).toBe('text');
    expect(alerts.rows[0]).toMatchObject({ platform: 'discord', chatId: 'dm-3', kind: 'price_above' });
  });
});

describe('/link, /notify and pictures', () => {
  it('/link gives a code only in private chats; codes typed in a group are refused and flagged for deletion', async () => {
    const { handler } = setup();
    const [inGroup] = await handler.handleText(admin, '/link');
    expect(inGroup!.kind).toBe('error');
    expect(inGroup!.text).toMatch(/private chat/);
    const [code] = await handler.handleText(dm, '/link');
    expect(code!.text).toMatch(/Your link code: (\S+)/);
    expect(code!.ephemeral).toBe(true);
    const [typedInGroup] = await handler.handleText(admin, '/link K7M2QX9P');
    expect(typedInGroup!.deleteOriginal).toBe(true);
  });

  it('/notify shows and changes the settings', async () => {
    const { handler } = setup();
    const [show] = await handler.handleText(dm, '/notify');
    expect(show!.text).toMatch(/fills on · order updates on/);
    const [set] = await handler.handleText(dm, '/notify fills off');
    expect(set!.text).toMatch(/Fill messages are off/);
    expect(set!.text).toMatch(/fills off · order updates on/);
  });

  it('/chart answers with a PNG and a caption; /pnl with a PnL card', async () => {
    const { handler } = setup();
    const [chart] = await handler.handleText(dm, '/chart fed-cut 6h');
    expect(chart!.photo).toBeDefined();
    expect(pngSize(chart!.photo!.png)).toEqual({ width: 800, height: 450 });
    expect(chart!.text).toMatch(/Fed cuts rates in December\? \(fed-cut\), YES over 6 h: \+2\.9 pts; now 42\.9¢ · polymarket 42\.9¢/);
    expect(chart!.photo!.caption).toBe(chart!.text);
    const [pnl] = await handler.handleText(dm, '/pnl');
    expect(pngSize(pnl!.photo!.png)?.width).toBe(800);
    expect(pnl!.text).toMatch(/PnL \(paper money\): total \+\$1\.50/);
    expect(pnl!.ephemeral).toBe(true);
  });

  it('without the services the commands say so', async () => {
    const services = createStubServices();
    const handler = createCommandHandler({ services });
    const [a] = await handler.handleText(dm, '/alerts');
    expect(a!.text).toMatch(/not available/);
    const [c] = await handler.handleText(dm, '/chart fed-cut');
    expect(c!.text).toMatch(/not available/);
  });
});
