/**
 * A small in-process token bucket per key (an API token, the admin token). `perMinute` requests
 * refill evenly over a minute; a full bucket allows a burst of `perMinute`. Over the limit: 429
 * with `Retry-After` in whole seconds.
 */
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from './errors.ts';

interface Bucket {
  tokens: number;
  at: number;
}

/** The outcome of one take(): allowed, or how long to wait. */
export interface RateDecision {
  allowed: boolean;
  remaining: number;
  /** Whole seconds until one request is allowed again (0 when allowed). */
  retryAfterSec: number;
}

/** Token buckets keyed by string; idle full buckets are dropped so memory stays bounded. */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(
    readonly perMinute: number,
    private readonly now: () => number = () => Date.now(),
    private readonly maxKeys = 10_000,
  ) {
    if (!Number.isFinite(perMinute) || perMinute < 1) throw new Error('rateLimitPerMin must be at least 1');
    this.perMs = perMinute / 60_000;
  }

  /** Takes one token for `key`. */
  take(key: string): RateDecision {
    const now = this.now();
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= this.maxKeys) this.sweep(now);
      b = { tokens: this.perMinute, at: now };
      this.buckets.set(key, b);
    } else {
      b.tokens = Math.min(this.perMinute, b.tokens + (now - b.at) * this.perMs);
      b.at = now;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { allowed: true, remaining: Math.floor(b.tokens), retryAfterSec: 0 };
    }
    return { allowed: false, remaining: 0, retryAfterSec: Math.max(1, Math.ceil((1 - b.tokens) / this.perMs / 1000)) };
  }

  /** Drops buckets that have refilled completely (they behave exactly like new ones). */
  private sweep(now: number): void {
    for (const [k, b] of this.buckets) {
      if (b.tokens + (now - b.at) * this.perMs >= this.perMinute) this.buckets.delete(k);
    }
    // Still full of active keys: drop the oldest to stay bounded.
    if (this.buckets.size >= this.maxKeys) {
      const oldest = [...this.buckets.entries()].sort((a, b) => a[1].at - b[1].at).slice(0, Math.ceil(this.maxKeys / 10));
      for (const [k] of oldest) this.buckets.delete(k);
    }
  }
}

/** The bearer token of a request, or null. */
export function bearerToken(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1]! : null;
}

/** Bucket key of a token: a hash, so the limiter never holds plaintext tokens. */
export function tokenKey(prefix: string, token: string): string {
  return `${prefix}:${createHash('sha256').update(token).digest('base64url').slice(0, 22)}`;
}

/**
 * An onRequest hook charging the bucket of the request's bearer token (requests without one are
 * left to the auth hook, which answers 401). Sets X-RateLimit-Limit / X-RateLimit-Remaining.
 */
export function rateLimitHook(limiter: RateLimiter, prefix: string) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const token = bearerToken(req);
    if (!token) return;
    const r = limiter.take(tokenKey(prefix, token));
    reply.header('x-ratelimit-limit', String(limiter.perMinute));
    reply.header('x-ratelimit-remaining', String(r.remaining));
    if (!r.allowed) {
      throw new HttpError(
        429,
        'rate_limited',
        `Too many requests: at most ${limiter.perMinute} per minute per token. Retry in ${r.retryAfterSec} s.`,
        { 'retry-after': String(r.retryAfterSec) },
      );
    }
  };
}
