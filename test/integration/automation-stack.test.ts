/**
 * The automation wired into the real process (startYesno with workers, as `npm start` and
 * `npm run worker` run it): the monitors listen to the process's feed, a sniper armed through the
 * service fires on a price move, and its notifications reach a sink through the pg-boss notify worker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrisma } from '../../core/db/client.ts';
import { demoConditionId } from '../../core/markets/catalog.ts';
import { Decimal } from '../../core/money.ts';
import type { NotificationPayload, OutboxRow } from '../../core/notifications/types.ts';
import { startTestStack, type TestStack } from '../helpers/stack.ts';
import { automationTexts, splitFiredNotice, timeDrives } from './automation-harness.ts';

const APPLE = 'apple-foldable-2026';
const d = (s: string) => new Decimal(s);
const lv = (price: string, size: string) => ({ price: d(price), size: d(size) });

describe('automation in the whole process', () => {
  let stack: TestStack;
  const delivered: OutboxRow[] = [];

  beforeAll(async () => {
    stack = await startTestStack({}, { http: false, workers: true, sinks: [{ deliver: async (row) => void delivered.push(row) }] });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('runs the monitors in a worker process; a sniper fires and the trader is told', async () => {
    expect(stack.monitors).not.toBeNull();
    const drives = timeDrives(stack.monitors!);
    const { user } = await stack.core.users.createUser({ name: 'stack' });
    const vmid = demoConditionId(APPLE);
    stack.feed.setBook('polymarket', vmid, { bids: [lv('0.48', '1000')], asks: [lv('0.50', '1000')] });
    const s = await stack.core.automation.createSniper({ userId: user.id, marketId: APPLE, side: 'yes', triggerPrice: d('0.45'), amount: d('9') });
    stack.feed.setBook('polymarket', vmid, { bids: [lv('0.42', '1000')], asks: [lv('0.44', '1000')] });
    await stack.monitors!.idle();
    const view = await stack.core.automation.getSniper({ userId: user.id, sniperId: s.id });
    expect(view.status).toBe('FILLED');
    expect(view.orderIds).toHaveLength(1);
    const order = await stack.core.trading.getOrder({ userId: user.id, orderId: view.orderIds[0]! });
    expect(order.source).toBe('sniper');

    // Everything the outbox holds for the trader reaches the sink: one message, or (a drive slower than
    // 250 ms, e.g. on a loaded machine; splitFiredNotice checks it really was) "fired" then the outcome.
    const prisma = createPrisma(stack.databaseUrl, { poolMax: 1 });
    const outbox = await automationTexts(prisma, user.id).finally(() => prisma.$disconnect());
    const { fired, rest } = splitFiredNotice({ drives }, outbox, { firedEvent: 'sniper_fired', id: s.id });
    expect(rest.map((t) => t.event)).toEqual(['sniper_filled']);
    const expected = (fired ? ['sniper_fired', 'sniper_filled'] : ['sniper_filled']).sort();
    const events = () =>
      delivered
        .filter((r) => r.userId === user.id && r.payload.kind === 'automation')
        .map((r) => (r.payload as Extract<NotificationPayload, { kind: 'automation' }>).event)
        .sort();
    const deadline = Date.now() + 20_000;
    while (events().length < expected.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(events()).toEqual(expected);
  });
});
