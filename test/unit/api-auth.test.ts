/** Bearer API tokens for /api/v1, ADMIN_TOKEN for /admin, /admin absent without a token. */
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { secretsEqual } from '../../api/auth.ts';
import { ADMIN_TOKEN, bearer, stubServer } from './api-stub.ts';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const USER_ROUTES: [string, string][] = [
  ['POST', '/api/v1/trading/order'],
  ['POST', '/api/v1/trading/quote'],
  ['GET', '/api/v1/trading/orders'],
  ['GET', '/api/v1/trading/orders/3f2c9a9e-1b2c-4d5e-8f90-123456789abc'],
  ['DELETE', '/api/v1/trading/orders/3f2c9a9e-1b2c-4d5e-8f90-123456789abc'],
  ['GET', '/api/v1/markets'],
  ['GET', '/api/v1/markets/fed-cut-dec'],
  ['GET', '/api/v1/positions'],
  ['GET', '/api/v1/balance'],
];
const ADMIN_ROUTES: [string, string][] = [
  ['POST', '/admin/users'],
  ['GET', '/admin/users'],
  ['GET', '/admin/orders'],
  ['GET', '/admin/trading'],
  ['POST', '/admin/trading/halt'],
  ['POST', '/admin/trading/resume'],
  ['GET', '/admin/queues'],
];

describe('user API tokens', () => {
  it('every /api/v1 route needs a valid bearer token: 401 with WWW-Authenticate, before validation', async () => {
    const s = await stubServer();
    app = s.app;
    for (const [method, url] of USER_ROUTES) {
      for (const headers of [{}, { authorization: 'Bearer nope' }, { authorization: `Basic ${s.world.alice.token}` }, bearer(ADMIN_TOKEN), { authorization: 'Bearer ' + 'x'.repeat(600) }]) {
        const res = await app.inject({ method: method as 'GET', url, headers });
        expect(res.statusCode, `${method} ${url}`).toBe(401);
        expect(res.json().error.code).toBe('unauthorized');
        expect(res.headers['www-authenticate']).toBe('Bearer realm="yesno"');
      }
    }
    expect(s.world.calls).toHaveLength(0);
  });

  it('the missing-token message says how to send one', async () => {
    const s = await stubServer();
    app = s.app;
    const res = await app.inject({ url: '/api/v1/positions' });
    expect(res.json().error.message).toBe('Missing API token: send "Authorization: Bearer <your API token>".');
  });

  it('a valid token reaches the route as that user', async () => {
    const s = await stubServer();
    app = s.app;
    const res = await app.inject({ url: '/api/v1/positions', headers: bearer(s.world.bob.token) });
    expect(res.statusCode).toBe(200);
    expect(res.json().positions).toEqual([]);
  });
});

describe('admin token', () => {
  it('without an admin token the whole /admin prefix is 404', async () => {
    const s = await stubServer({ adminToken: undefined });
    app = s.app;
    for (const [method, url] of ADMIN_ROUTES) {
      const res = await app.inject({ method: method as 'GET', url, headers: bearer(ADMIN_TOKEN) });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error.code).toBe('not_found');
    }
    const doc = (await app.inject({ url: '/docs/json' })).json();
    expect(Object.keys(doc.paths).some((p) => p.startsWith('/admin'))).toBe(false);
  });

  it('with one, /admin needs exactly that token', async () => {
    const s = await stubServer();
    app = s.app;
    for (const [method, url] of ADMIN_ROUTES) {
      for (const headers of [{}, bearer('wrong'), bearer(ADMIN_TOKEN + 'x'), bearer(s.world.alice.token)]) {
        const res = await app.inject({ method: method as 'GET', url, headers });
        expect(res.statusCode, url).toBe(401);
        expect(res.json().error.code).toBe('unauthorized');
      }
    }
    const ok = await app.inject({ url: '/admin/users', headers: bearer(ADMIN_TOKEN) });
    expect(ok.statusCode).toBe(200);
  });

  it('secretsEqual compares any lengths', () => {
    expect(secretsEqual('abc', 'abc')).toBe(true);
    expect(secretsEqual('abc', 'abcd')).toBe(false);
    expect(secretsEqual('', 'x')).toBe(false);
  });
});
