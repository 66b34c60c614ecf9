/**
 * /quickbuy on the real core: the user's own threshold below which orders skip the confirmation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommandHandler } from '../../bots/commands/index.ts';
import { demoConditionId } from '../../core/markets/catalog.ts';
import { Decimal } from '../../core/money.ts';
import { startTestStack, type TestStack } from '../helpers/stack.ts';

const APPLE = 'apple-foldable-2026';
const lv = (price: string, size: string) => ({ price: new Decimal(price), size: new Decimal(size) });

describe('/quickbuy', () => {
  let stack: TestStack;
  let handler: ReturnType<typeof createCommandHandler>;
  const ctx = { platform: 'console' as const, userExternalId: 'quick', userName: 'quick', chatId: 'quick', isGroup: false };

  beforeAll(async () => {
    stack = await startTestStack({}, { http: false, workers: false });
    stack.feed.setBook('polymarket', demoConditionId(APPLE), { bids: [lv('0.38', '1000')], asks: [lv('0.40', '5000')] });
    handler = createCommandHandler({ services: stack.core });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const orders = () => stack.db.prisma.order.count();
  const text = async (line: string) => (await handler.handleText(ctx, line)).map((r) => r.text).join('\n');

  it('is off by default, then lets small orders through without a Confirm and still asks for larger ones', async () => {
    expect(await text('/quickbuy')).toMatch(/Every order asks you to confirm first/);
    const before = await orders();
    expect(await text(`/buy ${APPLE} yes $5`)).toMatch(/Confirm within/);
    expect(await orders()).toBe(before);

    expect(await text('/quickbuy $10')).toMatch(/orders below \$10\.00 now place without a confirmation/);
    const placed = await text(`/buy ${APPLE} yes $5`);
    expect(placed).toMatch(/Bought .* YES/);
    expect(await orders()).toBe(before + 1);
    // Placed on the quoted venue, with the router's reason for it (not "you chose this venue").
    const order = await stack.db.prisma.order.findFirstOrThrow({ orderBy: { createdAt: 'desc' } });
    expect((order.routing as { reason: string }).reason).toMatch(/^polymarket: the only venue that lists this market\. \(as quoted and confirmed\)$/);
    expect(await text(`/buy ${APPLE} yes $25`)).toMatch(/Confirm within/);
    expect(await orders()).toBe(before + 1);

    expect(await text('/quickbuy off')).toMatch(/every order asks you to confirm first/);
    expect(await text(`/buy ${APPLE} yes $5`)).toMatch(/Confirm within/);
    expect(await orders()).toBe(before + 1);
  });

  it('refuses bad amounts with the right form and changes nothing', async () => {
    await text('/quickbuy $10');
    for (const [line, message] of [
      ['/quickbuy abc', /couldn't read "abc" as a dollar amount/],
      ['/quickbuy $0', /more than \$0/],
      ['/quickbuy $5000', /At most \$1000/],
      ['/quickbuy -5', /couldn't read "-5"/],
    ] as const) {
      const reply = await text(line);
      expect(reply, line).toMatch(message);
      expect(reply, line).toMatch(/\/quickbuy/);
    }
    const user = await stack.db.prisma.user.findFirstOrThrow({ where: { identities: { some: { externalId: 'quick' } } } });
    expect(user.skipConfirmBelowUsd?.toString()).toBe('10');
  });
});
