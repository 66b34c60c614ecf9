/**
 * The Telegram flood-control transformer (bots/telegram/throttle.ts) with fake timers: per-chat
 * pace with a short burst, 20/min per group, 30/s overall, order kept per chat, nothing dropped,
 * read-only and chat-less calls never delayed.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Transformer } from 'grammy';
import { createThrottle, isGroupChatId, throttledChat } from '../../bots/telegram/throttle.ts';
import { splitText } from '../../bots/telegram/render.ts';

type Call = { method: string; chat: unknown; at: number };

function harness(opts: Parameters<typeof createThrottle>[0] = {}) {
  const throttle = createThrottle(opts);
  const calls: Call[] = [];
  let failNext = false;
  const prev = (async (method: string, payload: Record<string, unknown>) => {
    calls.push({ method, chat: payload?.chat_id, at: Date.now() });
    if (failNext) {
      failNext = false;
      throw new Error('network down');
    }
    return { ok: true, result: true };
  }) as unknown as Parameters<Transformer>[0];
  const call = (method: string, payload: Record<string, unknown> = {}) =>
    (throttle.transformer as unknown as (p: typeof prev, m: string, pl: unknown) => Promise<unknown>)(prev, method, payload);
  return { throttle, calls, call, failOnce: () => (failNext = true) };
}

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-11-29T12:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('telegram throttle', () => {
  it('which calls are throttled, and which chats are groups', () => {
    expect(throttledChat('sendMessage', { chat_id: 42 })).toBe('42');
    expect(throttledChat('editMessageText', { chat_id: '-100123' })).toBe('-100123');
    expect(throttledChat('sendPhoto', { chat_id: '@channel' })).toBe('@channel');
    for (const m of ['getUpdates', 'getChatMember', 'answerCallbackQuery', 'setMyCommands', 'deleteMessage', 'sendChatAction', 'deleteWebhook']) {
      expect(throttledChat(m, { chat_id: 42 }), m).toBeNull();
    }
    expect(throttledChat('sendMessage', {})).toBeNull();
    expect(isGroupChatId('-100123')).toBe(true);
    expect(isGroupChatId('@news')).toBe(true);
    expect(isGroupChatId('42')).toBe(false);
  });

  it('one chat: a burst of 3, then about one message per second, in order', async () => {
    const { call, calls } = harness();
    const t0 = Date.now();
    const done = Promise.all([1, 2, 3, 4, 5, 6].map((n) => call('sendMessage', { chat_id: 7, text: String(n) })));
    await vi.advanceTimersByTimeAsync(10_000);
    await done;
    const offsets = calls.map((c) => c.at - t0);
    expect(offsets.slice(0, 3)).toEqual([0, 0, 0]);
    expect(offsets[3]).toBeGreaterThanOrEqual(1000);
    expect(offsets[4]! - offsets[3]!).toBeGreaterThanOrEqual(1000);
    expect(offsets[5]! - offsets[4]!).toBeGreaterThanOrEqual(1000);
    expect(offsets[5]).toBeLessThanOrEqual(3100);
  });

  it('a group gets at most 20 messages a minute; nothing is dropped', async () => {
    const { call, calls } = harness({ chatBurst: 30, chatPerSecond: 30 });
    const t0 = Date.now();
    const done = Promise.all(Array.from({ length: 25 }, (_, i) => call('sendMessage', { chat_id: -100500, text: String(i) })));
    await vi.advanceTimersByTimeAsync(59_000);
    expect(calls).toHaveLength(20);
    await vi.advanceTimersByTimeAsync(2_000);
    await done;
    expect(calls).toHaveLength(25);
    expect(calls[20]!.at - t0).toBeGreaterThanOrEqual(60_000);
  });

  it('all chats together: at most 28 per second by default (margin under Telegram\'s 30)', async () => {
    const { call, calls } = harness();
    const t0 = Date.now();
    const done = Promise.all(Array.from({ length: 45 }, (_, i) => call('sendMessage', { chat_id: 1000 + i })));
    await vi.advanceTimersByTimeAsync(999);
    expect(calls).toHaveLength(28);
    await vi.advanceTimersByTimeAsync(1);
    await done;
    expect(calls).toHaveLength(45);
    expect(Math.min(...calls.slice(28).map((c) => c.at - t0))).toBeGreaterThanOrEqual(1000);
  });

  it('chat-less and read-only calls pass straight through a busy chat', async () => {
    const { call, calls } = harness({ chatBurst: 1 });
    void call('sendMessage', { chat_id: 9 });
    const queued = call('sendMessage', { chat_id: 9 });
    await vi.advanceTimersByTimeAsync(0);
    await call('answerCallbackQuery', { callback_query_id: 'x' });
    await call('deleteMessage', { chat_id: 9, message_id: 1 });
    expect(calls.map((c) => c.method)).toEqual(['sendMessage', 'answerCallbackQuery', 'deleteMessage']);
    await vi.advanceTimersByTimeAsync(1000);
    await queued;
    expect(calls.map((c) => c.method)).toEqual(['sendMessage', 'answerCallbackQuery', 'deleteMessage', 'sendMessage']);
  });

  it('a failed call does not block the chat; idle() resolves when everything went out', async () => {
    const { call, calls, failOnce, throttle } = harness();
    failOnce();
    const first = call('sendMessage', { chat_id: 3 });
    const second = call('sendMessage', { chat_id: 3 });
    await expect(first).rejects.toThrow('network down');
    await second;
    expect(calls).toHaveLength(2);
    await throttle.idle();
    expect(throttle.stats()).toMatchObject({ waiting: 0 });
  });
});

describe('telegram throttle memory', () => {
  it('forgets chats whose limits recovered', async () => {
    const { call, throttle } = harness({ globalPerSecond: 100_000 });
    await Promise.all(Array.from({ length: 1200 }, (_, i) => call('sendMessage', { chat_id: 10_000 + i })));
    expect(throttle.stats().chats).toBeGreaterThanOrEqual(1000);
    await vi.advanceTimersByTimeAsync(61_000);
    await call('sendMessage', { chat_id: 1 });
    expect(throttle.stats().chats).toBeLessThan(300);
  });
});

describe('splitText', () => {
  it('keeps short texts whole and splits long ones at line breaks within the limit', () => {
    expect(splitText('hi')).toEqual(['hi']);
    const lines = Array.from({ length: 10 }, (_, i) => `${i}`.repeat(30));
    const parts = splitText(lines.join('\n'), 100);
    expect(parts.every((p) => p.length <= 100)).toBe(true);
    expect(parts.join('\n')).toBe(lines.join('\n'));
    expect(splitText('x'.repeat(250), 100).map((p) => p.length)).toEqual([100, 100, 50]);
  });
});
