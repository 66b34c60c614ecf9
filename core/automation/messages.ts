/**
 * What the automation tells traders: outbox entries of kind "automation", worded here once so chat
 * and any other sink show the same sentence. Every entry has a dedupe key naming the fact it reports
 * (a fire, its outcome, a stale episode), so a retried or doubled write never reports twice.
 */
import { Decimal, cents } from '../money.ts';
import type { OutboxEntry } from '../notifications/outbox.ts';
import type { AutomationEvent } from '../notifications/types.ts';

/** "58.12" (shares, two places, down). */
export function sharesText(q: Decimal): string {
  return q.toDecimalPlaces(2, Decimal.ROUND_DOWN).toFixed(2);
}

export function shortId(id: string): string {
  return id.replace(/-/g, '').slice(0, 8);
}

export function automationEntry(args: {
  userId: string;
  event: AutomationEvent;
  dedupeKey: string;
  text: string;
  sniperId?: string;
  positionId?: string;
  orderId?: string;
}): OutboxEntry {
  const { userId, event, dedupeKey, text, sniperId, positionId, orderId } = args;
  return {
    userId,
    dedupeKey,
    ...(orderId ? { orderId } : {}),
    payload: {
      kind: 'automation',
      event,
      text,
      ...(sniperId ? { sniperId } : {}),
      ...(positionId ? { positionId } : {}),
      ...(orderId ? { orderId } : {}),
    },
  };
}

/** The re-arm rule of repeat snipers, in the words the notifications use. */
export function rearmRule(side: string, trigger: Decimal): string {
  return `It re-arms once the ${side.toUpperCase()} ask rises back above ${cents(trigger)}, and fires again when it comes back down to ${cents(trigger)} or below.`;
}
