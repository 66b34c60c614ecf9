/**
 * What following tells traders: one outbox message per target trade and follow, saying what the
 * target did and what we did about it (the order, or why nothing was placed); the stop-loss pause and
 * the daily reset that lifts it. Dedupe keys name the fact, so a retried write never reports twice.
 */
import { Decimal, cents, usd } from '../money.ts';
import { automationEntry, shortId } from '../automation/messages.ts';
import type { OutboxEntry } from '../notifications/outbox.ts';
import type { OrderView } from '../trading/types.ts';
import type { FollowKind } from './types.ts';

/** "0x5668…5839" */
export function shortWallet(address: string): string {
  return `${address.slice(0, 6)}…${address.slice(-4)}`;
}

export function label(kind: FollowKind): string {
  return kind === 'counter' ? 'Counter-trade' : 'Copy-trade';
}

function shares(q: Decimal): string {
  return q.toDecimalPlaces(2, Decimal.ROUND_DOWN).toFixed();
}

export interface TargetTradeText {
  wallet: string;
  side: string;
  size: Decimal;
  price: Decimal;
  outcome: string | null;
  title: string | null;
}

/** "0x5668…5839 bought 120.5 Yes @ 42¢ of "Fed cut in December?"" */
export function targetText(t: TargetTradeText): string {
  const verb = t.side === 'BUY' ? 'bought' : 'sold';
  return `${shortWallet(t.wallet)} ${verb} ${shares(t.size)} ${t.outcome ?? 'shares'} @ ${cents(t.price)}${t.title ? ` of "${t.title.length > 80 ? `${t.title.slice(0, 77)}…` : t.title}"` : ''}`;
}

/** Our order in a few words: "you bought 60 NO @ 58.1¢ on kalshi (order 9f8e7d6c)". */
export function orderText(o: OrderView): string {
  const verb = o.action === 'buy' ? 'bought' : 'sold';
  const side = o.side.toUpperCase();
  if (o.filledQuantity.gt(0)) {
    const part = o.filledQuantity.lt(o.quantity) ? ` (of ${shares(o.quantity)} asked; that is what the book had)` : '';
    return `you ${verb} ${shares(o.filledQuantity)} ${side} @ ${o.avgFillPrice ? cents(o.avgFillPrice) : '-'} on ${o.exchange}${part} (order ${shortId(o.id)})`;
  }
  if (o.status === 'failed' || o.status === 'cancelled') {
    return `your ${o.action} of ${shares(o.quantity)} ${side} on ${o.exchange} ${o.status}${o.failureReason ? `: ${o.failureReason}` : ''} (order ${shortId(o.id)})`;
  }
  return `your ${o.action} of ${shares(o.quantity)} ${side} is open on ${o.exchange} (order ${shortId(o.id)})`;
}

export function tradeEntry(args: { kind: FollowKind; configId: string; userId: string; executionId: string; target: TargetTradeText; order?: OrderView; skipped?: string }): OutboxEntry {
  const { kind, configId, userId, executionId, target, order, skipped } = args;
  const outcome = order ? `→ ${orderText(order)}.` : `→ nothing placed: ${skipped?.replace(/\.$/, '') ?? 'skipped'}.`;
  return automationEntry({
    userId,
    event: 'follow_trade',
    dedupeKey: `follow:${executionId}`,
    ...(order ? { orderId: order.id } : {}),
    text: `${label(kind)} ${shortId(configId)}: ${targetText(target)} ${outcome}`,
  });
}

export function pausedEntry(args: { kind: FollowKind; configId: string; userId: string; wallet: string; pnl: Decimal; stop: Decimal; until: Date; day: Date; tz: string }): OutboxEntry {
  return automationEntry({
    userId: args.userId,
    event: 'follow_paused',
    dedupeKey: `follow:${args.configId}:stop-loss:${args.day.toISOString()}`,
    text:
      `${label(args.kind)} ${shortId(args.configId)} of ${shortWallet(args.wallet)} paused: today's PnL is ${usd(args.pnl)}, at or below your daily stop-loss of -${usd(args.stop)}. ` +
      `It resumes at the daily reset (${args.until.toISOString().replace('T', ' ').slice(0, 16)} UTC, midnight ${args.tz}). Open positions were not sold.`,
  });
}

export function resumedEntry(args: { kind: FollowKind; configId: string; userId: string; wallet: string; day: Date }): OutboxEntry {
  return automationEntry({
    userId: args.userId,
    event: 'follow_resumed',
    dedupeKey: `follow:${args.configId}:reset:${args.day.toISOString()}`,
    text: `${label(args.kind)} ${shortId(args.configId)} of ${shortWallet(args.wallet)} resumed: a new trading day began, today's PnL and trade count are back to zero.`,
  });
}
