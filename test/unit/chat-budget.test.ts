/** The notify worker's per-chat budget: slots in order, never more than the limit in any window. */
import { describe, expect, it } from 'vitest';
import { ChatBudget } from '../../jobs/chat-budget.ts';

describe('ChatBudget', () => {
  it('lets `limit` messages through per window, then hands out later slots in order', () => {
    const b = new ChatBudget({ channelLimit: 3, windowMs: 60_000 });
    const ch = [{ key: 'telegram:-1', kind: 'channel' as const }];
    const slots = Array.from({ length: 8 }, () => b.reserve(ch, 1_000));
    expect(slots).toEqual([1_000, 1_000, 1_000, 61_000, 61_000, 61_000, 121_000, 121_000]);
    // Any 60 s window holds at most 3.
    for (const s of slots) expect(slots.filter((t) => t > s - 60_000 && t <= s).length).toBeLessThanOrEqual(3);
  });

  it('keeps chats apart, and private chats have their own (larger) limit', () => {
    const b = new ChatBudget({ channelLimit: 1, userLimit: 2, windowMs: 1_000 });
    expect(b.reserve([{ key: 'a', kind: 'channel' }], 0)).toBe(0);
    expect(b.reserve([{ key: 'b', kind: 'channel' }], 0)).toBe(0);
    expect(b.reserve([{ key: 'a', kind: 'channel' }], 0)).toBe(1_000);
    expect(b.reserve([{ key: 'u', kind: 'user' }], 0)).toBe(0);
    expect(b.reserve([{ key: 'u', kind: 'user' }], 0)).toBe(0);
    expect(b.reserve([{ key: 'u', kind: 'user' }], 0)).toBe(1_000);
  });

  it('a row for several chats waits for the busiest one and holds its slot in all', () => {
    const b = new ChatBudget({ userLimit: 1, windowMs: 1_000 });
    b.reserve([{ key: 'tg', kind: 'user' }], 0);
    const both = [{ key: 'tg', kind: 'user' as const }, { key: 'dc', kind: 'user' as const }];
    expect(b.reserve(both, 10)).toBe(1_000);
    expect(b.reserve([{ key: 'dc', kind: 'user' }], 20)).toBe(2_000);
  });

  it('frees up as time passes', () => {
    const b = new ChatBudget({ channelLimit: 1, windowMs: 1_000 });
    const ch = [{ key: 'x', kind: 'channel' as const }];
    expect(b.reserve(ch, 0)).toBe(0);
    expect(b.reserve(ch, 5_000)).toBe(5_000);
  });
});
