/** ChannelSubscription rows behind /alerts: list, add, remove, members' fills, membership notes. */
import type { ChannelSubscription } from '../../generated/prisma/client.ts';
import type { Db } from '../db/client.ts';
import { Decimal, decOrNull } from '../money.ts';
import { TradingError } from '../trading/types.ts';
import type { ChatPlatform } from '../users/types.ts';
import { MAX_ALERTS_PER_CHANNEL, MEMBER_KIND, type AlertKind, type AlertView, type AlertsApi, type ChannelRef } from './types.ts';
import { initialPriceState } from './evaluator.ts';

const ALERT_KINDS: AlertKind[] = ['price_above', 'price_below', 'big_move', 'member_fills'];

export interface AlertServiceDeps {
  prisma: Db;
  /** Market titles and slugs for the list (the MarketDirectory fits). */
  market?: (marketId: string) => { title: string; slug: string } | undefined;
}

export class AlertService implements AlertsApi {
  /** Membership notes already written by this process. */
  private readonly members = new Set<string>();
  private readonly listeners = new Set<() => void>();

  constructor(private readonly deps: AlertServiceDeps) {}

  /** Calls `fn` after every change (an evaluator in this process reloads at once). Returns the unsubscribe. */
  onChanged(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed(): void {
    for (const fn of this.listeners) fn();
  }

  async list(channel: ChannelRef): Promise<AlertView[]> {
    const rows = await this.deps.prisma.channelSubscription.findMany({
      where: { platform: channel.platform, chatId: channel.chatId, kind: { in: ALERT_KINDS } },
      orderBy: { createdAt: 'asc' },
    });
    return rows.map((r) => this.view(r));
  }

  async addPriceAlert(args: { channel: ChannelRef; marketId: string; direction: 'above' | 'below'; level: Decimal; createdBy: string; current?: Decimal | null }): Promise<AlertView> {
    if (args.level.lte(0) || args.level.gte(1)) throw new TradingError('invalid_input', 'An alert level is a price between 1¢ and 99¢.');
    const kind: AlertKind = args.direction === 'above' ? 'price_above' : 'price_below';
    const lastState = args.current ? initialPriceState(kind, args.level, args.current) : null;
    return this.add(args.channel, { kind, marketId: args.marketId, level: args.level, createdBy: args.createdBy, lastState }, (r) => r.level !== null && args.level.eq(r.level.toString()));
  }

  async addMoveAlert(args: { channel: ChannelRef; marketId: string; threshold: Decimal; createdBy: string }): Promise<AlertView> {
    if (args.threshold.lte(0) || args.threshold.gte(1)) throw new TradingError('invalid_input', 'A move is between 1% and 99% (points of $1).');
    return this.add(args.channel, { kind: 'big_move', marketId: args.marketId, threshold: args.threshold, createdBy: args.createdBy, lastState: null }, (r) => r.threshold !== null && args.threshold.eq(r.threshold.toString()));
  }

  async setMemberFills(args: { channel: ChannelRef; on: boolean; createdBy: string }): Promise<boolean> {
    const where = { platform: args.channel.platform, chatId: args.channel.chatId, kind: 'member_fills' };
    if (!args.on) {
      const { count } = await this.deps.prisma.channelSubscription.deleteMany({ where });
      if (count) this.changed();
      return count > 0;
    }
    if (await this.deps.prisma.channelSubscription.findFirst({ where })) return false;
    await this.add(args.channel, { kind: 'member_fills', marketId: null, createdBy: args.createdBy, lastState: null }, () => true);
    return true;
  }

  async remove(args: { channel: ChannelRef; idPrefix: string }): Promise<AlertView | null> {
    const prefix = args.idPrefix.replace(/-/g, '').toLowerCase();
    const rows = (await this.list(args.channel)).filter((a) => a.id.replace(/-/g, '').startsWith(prefix));
    if (rows.length === 0) return null;
    if (rows.length > 1) throw new TradingError('invalid_input', `${JSON.stringify(args.idPrefix)} matches ${rows.length} alerts here; give more characters of the id.`);
    const alert = rows[0]!;
    await this.deps.prisma.channelSubscription.deleteMany({ where: { id: alert.id, platform: args.channel.platform, chatId: args.channel.chatId } });
    this.changed();
    return alert;
  }

  async noteMember(args: { channel: ChannelRef; userId: string }): Promise<void> {
    const key = `${args.channel.platform}|${args.channel.chatId}|${args.userId}`;
    if (this.members.has(key)) return;
    const where = { platform: args.channel.platform, chatId: args.channel.chatId, kind: MEMBER_KIND, createdBy: args.userId };
    const found = await this.deps.prisma.channelSubscription.findFirst({ where, select: { id: true } });
    if (!found) await this.deps.prisma.channelSubscription.create({ data: where });
    this.members.add(key);
    if (this.members.size > 100_000) this.members.clear();
  }

  private async add(
    channel: ChannelRef,
    data: { kind: AlertKind; marketId: string | null; level?: Decimal; threshold?: Decimal; createdBy: string; lastState: string | null },
    same: (r: ChannelSubscription) => boolean,
  ): Promise<AlertView> {
    const prisma = this.deps.prisma;
    const existing = await prisma.channelSubscription.findMany({ where: { platform: channel.platform, chatId: channel.chatId, kind: { in: ALERT_KINDS } } });
    const dup = existing.find((r) => r.kind === data.kind && r.marketId === data.marketId && same(r));
    if (dup) throw new TradingError('invalid_input', `This chat already has that alert (id ${shortAlertId(dup.id)}). See /alerts.`);
    if (existing.length >= MAX_ALERTS_PER_CHANNEL) {
      throw new TradingError('invalid_input', `This chat has ${existing.length} alerts, the most it may have. Remove some with /alerts remove <id>.`);
    }
    const row = await prisma.channelSubscription.create({
      data: {
        platform: channel.platform,
        chatId: channel.chatId,
        kind: data.kind,
        marketId: data.marketId,
        side: data.marketId ? 'yes' : null,
        level: data.level?.toString() ?? null,
        threshold: data.threshold?.toString() ?? null,
        createdBy: data.createdBy,
        lastState: data.lastState,
      },
    });
    this.changed();
    return this.view(row);
  }

  private view(r: ChannelSubscription): AlertView {
    const m = r.marketId ? this.deps.market?.(r.marketId) : undefined;
    return {
      id: r.id,
      platform: r.platform as ChatPlatform,
      chatId: r.chatId,
      kind: r.kind as AlertKind,
      marketId: r.marketId,
      marketTitle: m?.title ?? null,
      marketSlug: m?.slug ?? null,
      level: decOrNull(r.level),
      threshold: decOrNull(r.threshold),
      createdBy: r.createdBy,
      lastFiredAt: r.lastFiredAt,
      createdAt: r.createdAt,
    };
  }
}

/** The id people see and type: its first 6 hex digits. */
export function shortAlertId(id: string): string {
  return id.replace(/-/g, '').slice(0, 6);
}
