/**
 * Members' fills in group channels. A notification sink: when an order of a member who opted in
 * (/sharefills on → ChatIdentity.shareFills) is filled, every group of that platform which has
 * `/alerts fills on` and where the member was seen (a `member` note) gets one `channel_alert` row.
 * Idempotent per (outbox row, channel) through the dedupe key, so a retried delivery adds nothing.
 */
import type { Db } from '../db/client.ts';
import { Decimal, cents, dec } from '../money.ts';
import { writeOutbox, type OutboxEntry } from '../notifications/outbox.ts';
import type { JobPort, NotificationSink, OutboxRow } from '../notifications/types.ts';
import { MEMBER_KIND } from './types.ts';

export interface ChannelFillsSinkDeps {
  prisma: Db;
  jobs: JobPort;
  /** Market title for the message. */
  describe?: (marketId: string) => { title: string; slug: string } | undefined;
}

export class ChannelFillsSink implements NotificationSink {
  readonly name = 'channel-fills';

  constructor(private readonly deps: ChannelFillsSinkDeps) {}

  async deliver(row: OutboxRow): Promise<void> {
    const p = row.payload;
    if (p.kind !== 'order_status' || p.status !== 'filled') return;
    const { prisma } = this.deps;
    const sharing = await prisma.chatIdentity.findMany({ where: { userId: row.userId, shareFills: true } });
    if (sharing.length === 0) return;
    const notes = await prisma.channelSubscription.findMany({
      where: { kind: MEMBER_KIND, createdBy: row.userId, platform: { in: sharing.map((i) => i.platform) } },
      select: { platform: true, chatId: true },
    });
    if (notes.length === 0) return;
    const subscribed = await prisma.channelSubscription.findMany({
      where: { kind: 'member_fills', OR: notes.map((n) => ({ platform: n.platform, chatId: n.chatId })) },
      select: { platform: true, chatId: true },
    });
    if (subscribed.length === 0) return;
    const order = await prisma.order.findUnique({ where: { id: p.orderId } });
    if (!order || order.userId !== row.userId) return;
    const market = this.deps.describe?.(order.marketId);
    const qty = dec(order.filledQuantity);
    const avg = order.avgFillPrice ? cents(dec(order.avgFillPrice)) : cents(dec(order.price));
    const what = `${qty.toDecimalPlaces(2, Decimal.ROUND_DOWN).toFixed(2)} ${order.side.toUpperCase()} of ${market ? `${market.title} (${market.slug})` : order.marketId}`;
    const entries: OutboxEntry[] = [];
    const seen = new Set<string>();
    for (const ch of subscribed) {
      const key = `${ch.platform}|${ch.chatId}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const who = sharing.find((i) => i.platform === ch.platform);
      const name = who?.username || 'A member';
      entries.push({
        userId: row.userId,
        dedupeKey: `chanfill:${row.id}:${ch.platform}:${ch.chatId}`,
        orderId: order.id,
        payload: {
          kind: 'channel_alert',
          platform: ch.platform,
          chatId: ch.chatId,
          text: `${name} ${order.action === 'buy' ? 'bought' : 'sold'} ${what} @ ${avg} on ${order.exchange}`,
        },
      });
    }
    await prisma.$transaction((tx) => writeOutbox(tx, this.deps.jobs, entries));
  }
}
