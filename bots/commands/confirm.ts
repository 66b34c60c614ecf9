/**
 * Pending confirmations: a buy/sell first shows its routed quote; the order is placed only when its
 * owner confirms within the TTL (60 s by default). Claiming is synchronous, so two presses of the
 * Confirm button (or a button and a typed "y") place one order; the confirmation id is also the
 * order's idempotency key, so even a second process could not place it twice.
 *
 * In memory, per process, injected: a restart forgets pending confirmations (nothing was placed).
 * No timers: expired entries are swept on each access.
 */
import { randomBytes } from 'node:crypto';

export type ConfirmationState = 'pending' | 'confirmed' | 'declined';

export interface Confirmation<T> {
  /** 16 hex characters; its first 8 are shown to people. */
  id: string;
  /** Who may answer it: `${platform}:${externalId}`. */
  owner: string;
  chatId: string;
  payload: T;
  createdAt: Date;
  expiresAt: Date;
  state: ConfirmationState;
  /** What confirming produced (the order reply), shared with a second press. */
  outcome?: Promise<unknown>;
}

export type ClaimResult<T> =
  | { status: 'claimed'; confirmation: Confirmation<T> }
  | { status: 'expired'; confirmation: Confirmation<T> }
  | { status: 'already_confirmed'; confirmation: Confirmation<T> }
  | { status: 'declined'; confirmation: Confirmation<T> }
  | { status: 'not_yours' }
  | { status: 'unknown' };

export interface ConfirmationStoreOptions {
  /** How long a confirmation may be answered. Default 60 000 ms. */
  ttlMs?: number;
  clock?: () => Date;
  newId?: () => string;
  /** How long answered or expired entries are kept to answer late presses sensibly. Default 15 min. */
  retainMs?: number;
  /** Bound on entries (oldest dropped first). Default 10 000. */
  maxEntries?: number;
}

export const DEFAULT_CONFIRM_TTL_MS = 60_000;

/** Confirmation ids and button ids. Button ids are `cf:<id>:ok` / `cf:<id>:no` (≤ 64 bytes). */
export const confirmButtonId = (id: string, answer: 'ok' | 'no') => `cf:${id}:${answer}`;

export function parseConfirmButton(buttonId: string): { id: string; answer: 'ok' | 'no' } | null {
  const m = /^cf:([0-9a-f]{6,32}):(ok|no)$/.exec(buttonId);
  return m ? { id: m[1]!, answer: m[2] as 'ok' | 'no' } : null;
}

export class ConfirmationStore<T> {
  readonly ttlMs: number;
  private readonly clock: () => Date;
  private readonly newId: () => string;
  private readonly retainMs: number;
  private readonly maxEntries: number;
  private readonly entries = new Map<string, Confirmation<T>>();

  constructor(opts: ConfirmationStoreOptions = {}) {
    this.ttlMs = opts.ttlMs ?? DEFAULT_CONFIRM_TTL_MS;
    this.clock = opts.clock ?? (() => new Date());
    this.newId = opts.newId ?? (() => randomBytes(8).toString('hex'));
    this.retainMs = opts.retainMs ?? 15 * 60_000;
    this.maxEntries = opts.maxEntries ?? 10_000;
  }

  /** Opens a confirmation for `owner`. */
  create(args: { owner: string; chatId: string; payload: T }): Confirmation<T> {
    this.sweep();
    const now = this.clock();
    let id = this.newId();
    while (this.entries.has(id)) id = this.newId();
    const c: Confirmation<T> = {
      id,
      owner: args.owner,
      chatId: args.chatId,
      payload: args.payload,
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.ttlMs),
      state: 'pending',
    };
    this.entries.set(id, c);
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return c;
  }

  get(id: string): Confirmation<T> | undefined {
    this.sweep();
    return this.entries.get(id);
  }

  isExpired(c: Confirmation<T>): boolean {
    return this.clock().getTime() >= c.expiresAt.getTime();
  }

  /** The owner's newest confirmation still waiting for an answer (in `chatId` when given). */
  latestPending(owner: string, chatId?: string): Confirmation<T> | undefined {
    this.sweep();
    let latest: Confirmation<T> | undefined;
    for (const c of this.entries.values()) {
      if (c.owner !== owner || c.state !== 'pending' || this.isExpired(c)) continue;
      if (chatId !== undefined && c.chatId !== chatId) continue;
      if (!latest || c.createdAt >= latest.createdAt) latest = c;
    }
    return latest;
  }

  /** The owner's newest confirmation (any state, expired too) in `chatId`: for "expired" answers. */
  latestAny(owner: string, chatId?: string): Confirmation<T> | undefined {
    this.sweep();
    let latest: Confirmation<T> | undefined;
    for (const c of this.entries.values()) {
      if (c.owner !== owner || (chatId !== undefined && c.chatId !== chatId)) continue;
      if (!latest || c.createdAt >= latest.createdAt) latest = c;
    }
    return latest;
  }

  /** The owner's confirmation whose id starts with `prefix` (unique), if any. */
  findByPrefix(owner: string, prefix: string): Confirmation<T> | undefined {
    this.sweep();
    const p = prefix.toLowerCase();
    const hits = [...this.entries.values()].filter((c) => c.owner === owner && c.id.startsWith(p));
    return hits.length === 1 ? hits[0] : undefined;
  }

  /** Confirms: exactly one caller ever gets 'claimed' for a given id. */
  claim(id: string, owner: string): ClaimResult<T> {
    return this.answer(id, owner, 'confirmed');
  }

  /** Declines a pending confirmation (nothing is placed). */
  decline(id: string, owner: string): ClaimResult<T> {
    return this.answer(id, owner, 'declined');
  }

  private answer(id: string, owner: string, to: 'confirmed' | 'declined'): ClaimResult<T> {
    const c = this.get(id);
    if (!c) return { status: 'unknown' };
    if (c.owner !== owner) return { status: 'not_yours' };
    if (c.state === 'confirmed') return { status: 'already_confirmed', confirmation: c };
    if (c.state === 'declined') return { status: 'declined', confirmation: c };
    if (this.isExpired(c)) return { status: 'expired', confirmation: c };
    c.state = to;
    return to === 'confirmed' ? { status: 'claimed', confirmation: c } : { status: 'declined', confirmation: c };
  }

  /** Number of entries held (tests, metrics). */
  get size(): number {
    return this.entries.size;
  }

  private sweep(): void {
    const cutoff = this.clock().getTime() - this.retainMs;
    for (const [id, c] of this.entries) {
      if (c.expiresAt.getTime() < cutoff) this.entries.delete(id);
    }
  }
}
