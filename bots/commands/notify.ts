/**
 * Order notifications (outbox payloads) in words, for every chat front end. The reply carries
 * `editKey: order:<id>` so a transport can keep one message per order and edit it in place.
 */
import { Decimal, cents, dec, usd } from '../../core/money.ts';
import type { NotificationPayload, OutboxRow } from '../../core/notifications/types.ts';
import type { Services } from '../../core/services.ts';
import type { OrderView } from '../../core/trading/types.ts';
import { describeOrder, priceOrDash, shares, shortId, upper } from './format.ts';
import type { Reply } from './replies.ts';

/**
 * One line for one notification, e.g. "order 1a2b3c4d filled: 25.00 YES @ 42.1¢ on polymarket".
 * `order` is the order as it is now (null when it could not be read). Returns null for
 * notifications not worth a message (the initial "created", a fill already covered by "filled").
 */
export function presentNotification(payload: NotificationPayload, order: OrderView | null): Reply | null {
  if (payload.kind === 'text') return { kind: 'text', text: payload.text };
  if (payload.kind === 'automation') return { kind: 'text', text: payload.text };
  // A group channel's alert: only the sink of payload.platform posts it, to payload.chatId (see channelTarget).
  if (payload.kind === 'channel_alert') return { kind: 'text', text: payload.text };
  const id = shortId(payload.orderId);
  const base = { kind: 'order' as const, orderId: payload.orderId, editKey: `order:${payload.orderId}` };
  const side = order ? upper(order.side) : '';
  const venue = order ? ` on ${order.exchange}` : '';
  if (payload.kind === 'order_fill') {
    const q = dec(payload.quantity);
    const fee = dec(payload.fee);
    if (payload.late) {
      return { ...base, text: `order ${id} late fill after cancel: ${shares(q)} ${side} @ ${cents(dec(payload.price))}${venue}${feeText(fee)}; your position includes it` };
    }
    // A fill of an order that is now completely filled is reported by the "filled" message.
    if (!order || order.status === 'filled') return null;
    return { ...base, text: `order ${id} fill: ${shares(q)} ${side} @ ${cents(dec(payload.price))}${venue}${feeText(fee)} (${shares(order.filledQuantity)} of ${shares(order.quantity)} filled)` };
  }
  const reason = payload.reason ? ` (${payload.reason})` : '';
  switch (payload.status) {
    case 'created':
      return null;
    case 'pending':
      return { ...base, text: order ? `order ${id} open${venue}: ${describeOrder(order)}` : `order ${id} is open` };
    case 'partial':
      return {
        ...base,
        text: order ? `order ${id} partly filled: ${shares(order.filledQuantity)} of ${shares(order.quantity)} ${side} @ ${priceOrDash(order.avgFillPrice)}${venue}` : `order ${id} partly filled`,
      };
    case 'filled':
      return {
        ...base,
        text: order ? `order ${id} filled: ${shares(order.filledQuantity)} ${side} @ ${priceOrDash(order.avgFillPrice)}${venue}${feeText(order.fee)}` : `order ${id} filled`,
      };
    case 'cancelled':
      return {
        ...base,
        text: `order ${id} cancelled${reason}${order && order.filledQuantity.gt(0) ? `: ${shares(order.filledQuantity)} of ${shares(order.quantity)} ${side} filled before` : ''}`,
      };
    case 'failed':
      return { ...base, text: `order ${id} failed${payload.reason ? `: ${payload.reason}` : ''}` };
    default:
      return { ...base, text: `order ${id} is now ${payload.status}${reason}` };
  }
}

function feeText(fee: Decimal): string {
  return fee.gt(0) ? `, fee ${usd(fee)}` : '';
}

/** Reads the order behind an outbox row (if any) and words the notification. */
export async function describeOutboxRow(services: Pick<Services, 'trading'>, row: Pick<OutboxRow, 'userId' | 'payload'>): Promise<Reply | null> {
  const p = row.payload;
  const order = p.kind === 'text' || p.kind === 'automation' || p.kind === 'channel_alert' ? null : await services.trading.getOrder({ userId: row.userId, orderId: p.orderId }).catch(() => null);
  return presentNotification(p, order);
}

/**
 * Where a row goes: a channel alert names its platform and chat (only that platform's sink posts it,
 * there); every other row goes to its user's own chats.
 */
export function channelTarget(row: Pick<OutboxRow, 'payload'>): { platform: string; chatId: string } | null {
  return row.payload.kind === 'channel_alert' ? { platform: row.payload.platform, chatId: row.payload.chatId } : null;
}
