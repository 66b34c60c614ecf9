/** The one error handler: shapes, status codes of every TradingError code, framework errors, 500s. */
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { TradingError, type TradingErrorCode } from '../../core/trading/types.ts';
import { VenueError } from '../../core/exchanges/types.ts';
import { TRADING_ERROR_STATUS, toErrorResponse } from '../../api/errors.ts';
import { BODY_LIMIT } from '../../api/server.ts';
import { bearer, stubServer } from './api-stub.ts';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const order = { marketId: 'fed-cut-dec', side: 'yes', action: 'buy', type: 'market', amount: '25' };

describe('error shapes over HTTP', () => {
  it('unknown routes are 404 with the standard shape', async () => {
    const s = await stubServer();
    app = s.app;
    for (const [method, url] of [['GET', '/nope'], ['POST', '/api/v1/trading/orders'], ['GET', '/api/v2/markets'], ['PUT', '/healthz']] as const) {
      const res = await app.inject({ method, url });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ error: { code: 'not_found', message: expect.stringMatching(/No such endpoint/) } });
    }
  });

  it('malformed JSON is 400 invalid_json', async () => {
    const s = await stubServer();
    app = s.app;
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/trading/order',
      headers: { ...bearer(s.world.alice.token), 'content-type': 'application/json' },
      payload: '{"marketId": "fed-cut-dec", ',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: { code: 'invalid_json', message: 'The body is not valid JSON.' } });
  });

  it('a prototype-poisoning body is refused as invalid JSON', async () => {
    const s = await stubServer();
    app = s.app;
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/trading/order',
      headers: { ...bearer(s.world.alice.token), 'content-type': 'application/json' },
      payload: '{"__proto__": {"x": 1}, "marketId": "a"}',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('invalid_json');
  });

  it('a non-JSON content type is 415', async () => {
    const s = await stubServer();
    app = s.app;
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/trading/order',
        headers: { ...bearer(s.world.alice.token), 'content-type': type },
        payload: 'marketId=fed-cut-dec',
      });
      expect(res.statusCode).toBe(415);
      expect(res.json().error.code).toBe('unsupported_media_type');
    }
    expect(s.world.orders).toHaveLength(0);
  });

  it('a body over the limit is 413', async () => {
    const s = await stubServer();
    app = s.app;
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/trading/order',
      headers: { ...bearer(s.world.alice.token), 'content-type': 'application/json' },
      payload: JSON.stringify({ ...order, marketId: 'x'.repeat(BODY_LIMIT) }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({ error: { code: 'payload_too_large', message: `The body is larger than ${BODY_LIMIT} bytes.` } });
  });

  it('a bug is 500 internal_error with the request id, logged, without internals', async () => {
    const s = await stubServer();
    app = s.app;
    s.world.services.trading.placeOrder = async () => {
      throw new Error('db exploded: password=hunter2');
    };
    const res = await app.inject({ method: 'POST', url: '/api/v1/trading/order', headers: bearer(s.world.alice.token), payload: order });
    expect(res.statusCode).toBe(500);
    const err = res.json().error;
    expect(err.code).toBe('internal_error');
    expect(err.message).toContain(String(res.headers['x-request-id']));
    expect(err.message).not.toMatch(/hunter2|exploded/);
  });

  it('every TradingError code maps to its documented status, with the core message', async () => {
    const s = await stubServer();
    app = s.app;
    let code: TradingErrorCode = 'invalid_input';
    s.world.services.trading.placeOrder = async () => {
      throw new TradingError(code, `core says ${code}`);
    };
    for (const [c, status] of Object.entries(TRADING_ERROR_STATUS) as [TradingErrorCode, number][]) {
      code = c;
      const res = await app.inject({ method: 'POST', url: '/api/v1/trading/order', headers: bearer(s.world.alice.token), payload: order });
      expect(res.statusCode, c).toBe(status);
      expect(res.json()).toEqual({ error: { code: c, message: `core says ${c}` } });
      if (status === 503) expect(res.headers['retry-after']).toBe('5');
      else expect(status).toBeLessThan(500);
    }
  });
});

describe('toErrorResponse', () => {
  const opts = { bodyLimit: 100, requestId: 'r1' };
  it('maps an escaped VenueError by kind', () => {
    const rejected = toErrorResponse(new VenueError({ kind: 'rejected', code: 'x', venue: 'kalshi', message: 'insufficient balance' }), opts);
    expect(rejected.status).toBe(422);
    expect(rejected.body.error).toEqual({ code: 'rejected', message: 'insufficient balance' });
    const retry = toErrorResponse(new VenueError({ kind: 'retryable', code: 'x', venue: 'kalshi', message: 'kalshi is down' }), opts);
    expect(retry.status).toBe(503);
    expect(retry.headers['retry-after']).toBe('5');
    const unknown = toErrorResponse(new VenueError({ kind: 'unknown_outcome', code: 'x', venue: 'kalshi', message: 'timeout' }), opts);
    expect(unknown.status).toBe(502);
    expect(unknown.body.error.message).toMatch(/may or may not have been placed/);
  });

  it('drops TradingError details that are not JSON', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const res = toErrorResponse(new TradingError('invalid_input', 'x', circular), opts);
    expect(res.body).toEqual({ error: { code: 'invalid_input', message: 'x' } });
  });

  it('a thrown non-error is a 500', () => {
    expect(toErrorResponse('boom', opts).status).toBe(500);
    expect(toErrorResponse(null, opts).status).toBe(500);
  });
});

describe('logging', () => {
  it('a 500 is logged at error level with the stack; a 4xx is not an error', async () => {
    const { pino } = await import('pino');
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
    const s = await stubServer({ logger });
    app = s.app;
    s.world.services.trading.listPositions = async () => {
      throw new Error('positions exploded');
    };
    expect((await app.inject({ url: '/api/v1/positions', headers: bearer(s.world.alice.token) })).statusCode).toBe(500);
    expect((await app.inject({ url: '/api/v1/trading/orders?limit=0', headers: bearer(s.world.alice.token) })).statusCode).toBe(400);
    const errors = lines.filter((l) => (l.level as number) >= 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.msg).toBe('request failed');
    expect(JSON.stringify(errors[0]!.err)).toContain('positions exploded');
  });
});

describe('validation messages', () => {
  it('a path parameter message names it once', async () => {
    const s = await stubServer();
    app = s.app;
    const res = await app.inject({ url: '/api/v1/markets/%20', headers: bearer(s.world.alice.token) });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toBe('market id must not be empty');
    const arr = await app.inject({ url: '/api/v1/markets?limit=1&limit=2', headers: bearer(s.world.alice.token) });
    expect(arr.statusCode).toBe(400);
    expect(arr.json().error.message).toMatch(/^limit: /);
  });
});
