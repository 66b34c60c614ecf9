/**
 * Flood control for the Telegram Bot API, as a grammY API transformer: outgoing messages are
 * queued, never dropped, and released within Telegram's limits:
 *
 * - about 30 messages per second to all chats together (a sliding 1 s window; we pace at 28 so network jitter never bunches more than 30 into one of Telegram's seconds);
 * - about 1 message per second to one chat, with a short burst allowed (a token bucket);
 * - at most 20 messages per minute to one group, supergroup or channel (a sliding 60 s window).
 *
 * Calls to one chat run strictly one after another, in the order they were made, so messages
 * arrive in order and a 429 retry (the auto-retry transformer, installed inside this one) holds
 * back that chat's later messages instead of overtaking them. Calls without a chat (getUpdates,
 * answerCallbackQuery, setMyCommands, getMe) and read-only ones (get*, sendChatAction) pass through.
 */
import type { Transformer } from 'grammy';

export interface ThrottleOptions {
  /** Messages per second to all chats together. Default 28 (Telegram allows about 30). */
  globalPerSecond?: number;
  /** Sustained messages per second to one chat. Default 1. */
  chatPerSecond?: number;
  /** Messages one chat may receive at once before the per-second pace applies. Default 3. */
  chatBurst?: number;
  /** Messages per minute to one group, supergroup or channel. Default 20. */
  groupPerMinute?: number;
  /** Warn once a chat has this many calls waiting. Default 50. */
  warnQueueLength?: number;
  log?: { warn(obj: unknown, msg?: string): void };
  now?: () => number;
}

/** The throttle's transformer and its state, for metrics and tests. */
export interface Throttle {
  transformer: Transformer;
  /** Calls waiting or running, in total and for the busiest chat. */
  stats(): { waiting: number; chats: number; busiestChat: number };
  /** Resolves when no call is waiting or running. */
  idle(): Promise<void>;
}

/** Methods that carry a chat_id but send nothing people read. */
const PASS_THROUGH = /^(get|answer|set(My|Webhook|ChatMenuButton)|delete|sendChatAction|leaveChat|ban|unban|restrict|promote|approve|decline)/;

/** A group, supergroup or channel: negative ids ("-100…") or a public "@channel" username. */
export function isGroupChatId(chatId: string): boolean {
  return chatId.startsWith('-') || chatId.startsWith('@');
}

/** The chat an API call writes to, or null when it is not throttled. */
export function throttledChat(method: string, payload: unknown): string | null {
  if (PASS_THROUGH.test(method)) return null;
  const chatId = (payload as { chat_id?: unknown } | undefined)?.chat_id;
  if (typeof chatId !== 'number' && typeof chatId !== 'string') return null;
  return String(chatId);
}

/** At most `limit` events per `periodMs`, as a log of recent event times. */
class SlidingWindow {
  private readonly times: number[] = [];
  constructor(
    private readonly limit: number,
    private readonly periodMs: number,
  ) {}

  /** Milliseconds until one more event is allowed (0: now). */
  waitMs(now: number): number {
    this.prune(now);
    if (this.times.length < this.limit) return 0;
    return this.times[this.times.length - this.limit]! + this.periodMs - now;
  }

  record(now: number): void {
    this.times.push(now);
  }

  get empty(): boolean {
    return this.times.length === 0;
  }

  prune(now: number): void {
    while (this.times.length > 0 && this.times[0]! <= now - this.periodMs) this.times.shift();
  }
}

/** A token bucket: `capacity` at once, refilled at `perSecond`. */
class TokenBucket {
  private tokens: number;
  private at: number;
  constructor(
    private readonly capacity: number,
    private readonly perSecond: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.at = now;
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.at) / 1000) * this.perSecond);
    this.at = now;
  }

  waitMs(now: number): number {
    this.refill(now);
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.perSecond) * 1000);
  }

  take(now: number): void {
    this.refill(now);
    this.tokens -= 1;
  }

  full(now: number): boolean {
    this.refill(now);
    return this.tokens >= this.capacity;
  }
}

interface ChatState {
  tail: Promise<void>;
  /** Calls queued or running. */
  pending: number;
  bucket: TokenBucket;
  group: SlidingWindow | null;
  warned: boolean;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Error('request aborted while waiting for the rate limit'));
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', abort);
      resolve();
    }
    function abort() {
      clearTimeout(timer);
      reject(new Error('request aborted while waiting for the rate limit'));
    }
    signal?.addEventListener('abort', abort, { once: true });
  });
}

export function createThrottle(opts: ThrottleOptions = {}): Throttle {
  const now = opts.now ?? (() => Date.now());
  const chatPerSecond = opts.chatPerSecond ?? 1;
  const chatBurst = opts.chatBurst ?? 3;
  const groupPerMinute = opts.groupPerMinute ?? 20;
  const warnAt = opts.warnQueueLength ?? 50;
  const global = new SlidingWindow(opts.globalPerSecond ?? 28, 1000);
  const chats = new Map<string, ChatState>();
  let waiting = 0;
  let idleWaiters: (() => void)[] = [];

  // The global window is granted first come, first served across chats.
  const globalQueue: { resolve: () => void; reject: (e: Error) => void; signal?: AbortSignal }[] = [];
  let pumpTimer: NodeJS.Timeout | null = null;
  const pump = () => {
    pumpTimer = null;
    while (globalQueue.length > 0) {
      const head = globalQueue[0]!;
      if (head.signal?.aborted) {
        globalQueue.shift();
        head.reject(new Error('request aborted while waiting for the rate limit'));
        continue;
      }
      const wait = global.waitMs(now());
      if (wait > 0) {
        pumpTimer = setTimeout(pump, wait);
        return;
      }
      global.record(now());
      globalQueue.shift();
      head.resolve();
    }
  };
  const acquireGlobal = (signal?: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      globalQueue.push({ resolve, reject, signal });
      if (!pumpTimer) pump();
    });

  // Chats whose limits have recovered are forgotten in sweeps, so memory follows the busy chats only.
  let sweepAt = 1000;
  let sweptAt = now();
  const sweep = () => {
    for (const [id, s] of chats) forget(id, s);
    sweepAt = Math.max(1000, chats.size * 2);
    sweptAt = now();
  };

  const stateOf = (chatId: string): ChatState => {
    let s = chats.get(chatId);
    if (!s) {
      if (chats.size >= sweepAt || (chats.size > 100 && now() - sweptAt > 60_000)) sweep();
      s = {
        tail: Promise.resolve(),
        pending: 0,
        bucket: new TokenBucket(chatBurst, chatPerSecond, now()),
        group: isGroupChatId(chatId) ? new SlidingWindow(groupPerMinute, 60_000) : null,
        warned: false,
      };
      chats.set(chatId, s);
    }
    return s;
  };

  /** Forgets chats with nothing pending whose limits have fully recovered (bounded memory). */
  const forget = (chatId: string, s: ChatState) => {
    if (s.pending > 0) return;
    const t = now();
    s.group?.prune(t);
    if (s.bucket.full(t) && (!s.group || s.group.empty)) chats.delete(chatId);
  };

  const turn = async (s: ChatState, signal?: AbortSignal) => {
    for (;;) {
      const t = now();
      const wait = Math.max(s.bucket.waitMs(t), s.group?.waitMs(t) ?? 0);
      if (wait <= 0) break;
      await sleep(wait, signal);
    }
    await acquireGlobal(signal);
    const t = now();
    s.bucket.take(t);
    s.group?.record(t);
  };

  const transformer: Transformer = (prev, method, payload, signal) => {
    const chatId = throttledChat(method, payload);
    if (chatId === null) return prev(method, payload, signal);
    const s = stateOf(chatId);
    s.pending++;
    waiting++;
    if (s.pending >= warnAt && !s.warned) {
      s.warned = true;
      opts.log?.warn({ chatId, waiting: s.pending }, 'telegram: many messages queued for one chat (flood control)');
    }
    const run = s.tail.then(async () => {
      await turn(s, signal as unknown as AbortSignal | undefined);
      return prev(method, payload, signal);
    });
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    s.tail = settled;
    void settled.then(() => {
      s.pending--;
      waiting--;
      if (s.pending < warnAt / 2) s.warned = false;
      forget(chatId, s);
      if (waiting === 0) {
        const ws = idleWaiters;
        idleWaiters = [];
        for (const w of ws) w();
      }
    });
    return run;
  };

  return {
    transformer,
    stats() {
      let busiest = 0;
      for (const s of chats.values()) busiest = Math.max(busiest, s.pending);
      return { waiting, chats: chats.size, busiestChat: busiest };
    },
    idle() {
      return waiting === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
  };
}
