/** The per-token bucket: unit behaviour with a fake clock, and 429 + Retry-After over HTTP. */
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { RateLimiter } from '../../api/rate-limit.ts';
import { ADMIN_TOKEN, bearer, stubServer } from './api-stub.ts';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('RateLimiter', () => {
  it('allows a burst of perMinute, then refills evenly', () => {
    let now = 0;
    const rl = new RateLimiter(60, () => now);
    for (let i = 0; i < 60; i++) expect(rl.take('a').allowed).toBe(true);
    const denied = rl.take('a');
    expect(denied).toEqual({ allowed: false, remaining: 0, retryAfterSec: 1 });
    expect(rl.take('b').allowed).toBe(true); // keys are independent
    now += 1000;
    expect(rl.take('a').allowed).toBe(true);
    expect(rl.take('a').allowed).toBe(false);
  });

  it('Retry-After is the whole seconds until one token is back', () => {
    let now = 0;
    const rl = new RateLimiter(2, () => now);
    rl.take('k');
    rl.take('k');
    expect(rl.take('k').retryAfterSec).toBe(30);
    now += 29_500;
    expect(rl.take('k').retryAfterSec).toBe(1);
  });

  it('stays bounded in memory', () => {
    let now = 0;
    const rl = new RateLimiter(10, () => now, 100);
    for (let i = 0; i < 1000; i++) rl.take(`k${i}`);
    now += 60_000;
    for (let i = 0; i < 1000; i++) expect(rl.take(`n${i}`).allowed).toBe(true);
    expect((rl as unknown as { buckets: Map<string, unknown> }).buckets.size).toBeLessThanOrEqual(100);
  });

  it('refuses a nonsensical limit', () => {
    expect(() => new RateLimiter(0)).toThrow(/at least 1/);
  });
});

describe('over HTTP', () => {
  it('429 rate_limited with Retry-After once a token spends its minute, other tokens unaffected', async () => {
    const s = await stubServer({ rateLimitPerMin: 3 });
    app = s.app;
    for (let i = 0; i < 3; i++) {
      const ok = await app.inject({ url: '/api/v1/balance', headers: bearer(s.world.alice.token) });
      expect(ok.statusCode).toBe(200);
      expect(ok.headers['x-ratelimit-limit']).toBe('3');
    }
    const res = await app.inject({ url: '/api/v1/balance', headers: bearer(s.world.alice.token) });
    expect(res.statusCode).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(20);
    expect(res.json().error.code).toBe('rate_limited');
    expect(res.json().error.message).toMatch(/at most 3 per minute/);
    // Orders are refused too, and nothing reaches the core.
    const order = await app.inject({
      method: 'POST',
      url: '/api/v1/trading/order',
      headers: bearer(s.world.alice.token),
      payload: { marketId: 'fed-cut-dec', side: 'yes', action: 'buy', type: 'market', amount: '1' },
    });
    expect(order.statusCode).toBe(429);
    expect(s.world.orders).toHaveLength(0);
    expect((await app.inject({ url: '/api/v1/balance', headers: bearer(s.world.bob.token) })).statusCode).toBe(200);
    // Health is never limited.
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
  });

  it('the admin token has its own bucket', async () => {
    const s = await stubServer({ rateLimitPerMin: 2 });
    app = s.app;
    for (let i = 0; i < 2; i++) expect((await app.inject({ url: '/admin/users', headers: bearer(ADMIN_TOKEN) })).statusCode).toBe(200);
    const res = await app.inject({ url: '/admin/users', headers: bearer(ADMIN_TOKEN) });
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBeDefined();
  });
});
