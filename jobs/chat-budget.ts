/**
 * Per-chat message budget of the notify worker: at most `limit` messages per chat per `windowMs`
 * (Telegram allows about 20 a minute in a group and about one a second in a private chat). A row
 * over budget is not dropped: it gets a reserved slot in the future and its job is sent again to
 * start then. Slots are handed out in order, so a chat's messages keep their order.
 *
 * In memory, per worker process (each process keeps its own budget; with several worker processes
 * the transports' own throttles still hold the platform limits).
 */

export interface ChatBudgetOptions {
  /** Messages per window to one private chat (a user's DM). Default 60. */
  userLimit?: number;
  /** Messages per window to one group or channel. Default 20. */
  channelLimit?: number;
  /** Default 60 000 ms. */
  windowMs?: number;
}

export class ChatBudget {
  /** Per chat: send times and reserved future slots, ascending. */
  private readonly sent = new Map<string, number[]>();
  private readonly windowMs: number;

  constructor(private readonly opts: ChatBudgetOptions = {}) {
    this.windowMs = opts.windowMs ?? 60_000;
  }

  limitOf(kind: 'user' | 'channel'): number {
    return kind === 'channel' ? (this.opts.channelLimit ?? 20) : (this.opts.userLimit ?? 60);
  }

  /**
   * The earliest time (ms) at which one more message may go to every chat in `chats`, reserved in
   * all of them. `now` when under budget everywhere.
   */
  reserve(chats: { key: string; kind: 'user' | 'channel' }[], now: number): number {
    let at = now;
    for (const c of chats) at = Math.max(at, this.earliest(c.key, this.limitOf(c.kind), now));
    for (const c of chats) this.record(c.key, at, now);
    return at;
  }

  private earliest(key: string, limit: number, now: number): number {
    const times = this.prune(key, now);
    let at = now;
    // Keep order: never before a slot already handed out.
    const last = times.at(-1);
    if (last !== undefined && last > at) at = last;
    // At most `limit` sends in any window: the new one waits for the limit-th latest to leave it.
    if (times.length >= limit) at = Math.max(at, times[times.length - limit]! + this.windowMs);
    return at;
  }

  private record(key: string, at: number, now: number): void {
    const times = this.prune(key, now);
    times.push(at);
    times.sort((a, b) => a - b);
    this.sent.set(key, times);
  }

  private prune(key: string, now: number): number[] {
    const times = this.sent.get(key) ?? [];
    const since = now - this.windowMs;
    let drop = 0;
    while (drop < times.length && times[drop]! <= since) drop++;
    if (drop) times.splice(0, drop);
    if (times.length === 0) this.sent.delete(key);
    if (this.sent.size > 50_000) this.sweep(now);
    return times;
  }

  /** Forgets chats with nothing in the window (bounded memory). */
  private sweep(now: number): void {
    for (const [key, times] of this.sent) if ((times.at(-1) ?? 0) <= now - this.windowMs) this.sent.delete(key);
  }
}
