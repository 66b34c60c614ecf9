/** Admin routes: users, orders, halt/resume (audited), queue stats. */
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { ADMIN_TOKEN, bearer, stubServer } from './api-stub.ts';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const admin = bearer(ADMIN_TOKEN);

describe('admin API', () => {
  it('POST /admin/users creates a user and returns its token once; the token works; audited', async () => {
    const s = await stubServer();
    app = s.app;
    const res = await app.inject({ method: 'POST', url: '/admin/users', headers: admin, payload: { name: '  carol ' } });
    expect(res.statusCode).toBe(201);
    const { user, apiToken } = res.json();
    expect(user).toMatchObject({ name: 'carol', maxOrderUsd: '500', skipConfirmBelowUsd: null, createdAt: '2026-01-02T03:04:05.000Z' });
    expect(typeof apiToken).toBe('string');
    expect((await app.inject({ url: '/api/v1/balance', headers: bearer(apiToken) })).statusCode).toBe(200);
    expect(s.world.audits).toEqual([{ actor: 'admin:http', action: 'user.create', subject: user.id, details: { name: 'carol' } }]);
    const list = await app.inject({ url: '/admin/users?limit=10', headers: admin });
    expect(list.json().users.map((u: { name: string }) => u.name)).toEqual(['alice', 'bob', 'carol']);
  });

  it('POST /admin/users validates the name', async () => {
    const s = await stubServer();
    app = s.app;
    for (const [payload, msg] of [[{}, /name is required/], [{ name: '' }, /name must not be empty/], [{ name: 'x'.repeat(101) }, /name is at most 100 characters/], [{ name: 5 }, /name must be a string/], [{ name: 'a', admin: true }, /unknown body field "admin"/]] as const) {
      const res = await app.inject({ method: 'POST', url: '/admin/users', headers: admin, payload: payload as object });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.message).toMatch(msg);
    }
    expect(s.world.calls.filter((c) => c.method === 'users.createUser')).toHaveLength(0);
  });

  it('halt and resume: state, actor, and orders refused while halted', async () => {
    const s = await stubServer();
    app = s.app;
    const halt = await app.inject({ method: 'POST', url: '/admin/trading/halt', headers: admin, payload: { reason: 'venue incident' } });
    expect(halt.statusCode).toBe(200);
    expect(halt.json()).toEqual({ halt: { halted: true, reason: 'venue incident', since: '2026-05-06T07:08:09.000Z', by: 'admin:http' } });
    const state = await app.inject({ url: '/admin/trading', headers: admin });
    expect(state.json().halt.halted).toBe(true);
    const order = await app.inject({
      method: 'POST',
      url: '/api/v1/trading/order',
      headers: bearer(s.world.alice.token),
      payload: { marketId: 'fed-cut-dec', side: 'yes', action: 'buy', type: 'market', amount: '1' },
    });
    expect(order.statusCode).toBe(423);
    const resume = await app.inject({ method: 'POST', url: '/admin/trading/resume', headers: admin });
    expect(resume.json()).toEqual({ halt: { halted: false, reason: null, since: null, by: null } });
    // AdminApi.halt/resume audit themselves (atomically with the change); the route adds no second entry.
    expect(s.world.audits).toEqual([]);
  });

  it('halt without a body works; a bad body is 400', async () => {
    const s = await stubServer();
    app = s.app;
    expect((await app.inject({ method: 'POST', url: '/admin/trading/halt', headers: admin })).statusCode).toBe(200);
    const bad = await app.inject({ method: 'POST', url: '/admin/trading/halt', headers: admin, payload: { reason: 7 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/reason must be a string/);
  });

  it('GET /admin/orders filters by status and user', async () => {
    const s = await stubServer();
    app = s.app;
    for (const token of [s.world.alice.token, s.world.bob.token]) {
      await app.inject({
        method: 'POST',
        url: '/api/v1/trading/order',
        headers: bearer(token),
        payload: { marketId: 'fed-cut-dec', side: 'yes', action: 'buy', type: 'market', amount: '1' },
      });
    }
    const all = await app.inject({ url: '/admin/orders', headers: admin });
    expect(all.json().orders).toHaveLength(2);
    const bobs = await app.inject({ url: `/admin/orders?userId=${s.world.bob.user.id}&status=filled&limit=5`, headers: admin });
    expect(bobs.json().orders.map((o: { userId: string }) => o.userId)).toEqual([s.world.bob.user.id]);
    expect(s.world.calls.at(-1)).toEqual({ method: 'admin.listOrders', args: { userId: s.world.bob.user.id, status: ['filled'], limit: 5 } });
    for (const [q, msg] of [['userId=bob', /userId must be a UUID/], ['status=done', /status must be a comma-separated list/], ['limit=501', /limit must be a whole number from 1 to 500/]] as const) {
      const res = await app.inject({ url: `/admin/orders?${q}`, headers: admin });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.message).toMatch(msg);
    }
  });

  it('GET /admin/queues: stats from the port, or an empty list without one', async () => {
    const stats = [{ queue: 'outbox', queued: 3, active: 1, deferred: 0, total: 4 }];
    const s = await stubServer({ queueStats: { stats: async () => stats } });
    app = s.app;
    expect((await app.inject({ url: '/admin/queues', headers: admin })).json()).toEqual({ queues: stats });
    await app.close();
    const t = await stubServer();
    app = t.app;
    expect((await app.inject({ url: '/admin/queues', headers: admin })).json()).toEqual({ queues: [] });
  });
});
