/** /healthz, /metrics (Prometheus text) and the OpenAPI document at /docs. */
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { HttpMetrics } from '../../api/metrics.ts';
import { bearer, stubServer } from './api-stub.ts';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('health and metrics', () => {
  it('/healthz is ok without a token', async () => {
    const s = await stubServer();
    app = s.app;
    const res = await app.inject({ url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('/metrics counts requests by route template and status, with a latency histogram, plus the extra collector', async () => {
    const s = await stubServer({ metrics: async () => '# TYPE yesno_outbox_pending gauge\nyesno_outbox_pending 7' });
    app = s.app;
    await app.inject({ url: '/api/v1/trading/orders/3f2c9a9e-1b2c-4d5e-8f90-123456789abc', headers: bearer(s.world.alice.token) });
    await app.inject({ url: '/api/v1/balance', headers: bearer(s.world.alice.token) });
    await app.inject({ url: '/no/such/thing' });
    const res = await app.inject({ url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = res.body;
    expect(text).toContain('# TYPE yesno_http_requests_total counter');
    expect(text).toContain('yesno_http_requests_total{method="GET",route="/api/v1/trading/orders/:id",status="404"} 1');
    expect(text).toContain('yesno_http_requests_total{method="GET",route="/api/v1/balance",status="200"} 1');
    expect(text).toContain('yesno_http_requests_total{method="GET",route="unmatched",status="404"} 1');
    expect(text).toContain('yesno_http_request_duration_seconds_bucket{method="GET",route="/api/v1/balance",le="+Inf"} 1');
    expect(text).toContain('yesno_http_request_duration_seconds_count{method="GET",route="/api/v1/balance"} 1');
    expect(text.trimEnd().endsWith('yesno_outbox_pending 7')).toBe(true);
    expect(text.endsWith('\n')).toBe(true);
  });

  it('a failing collector does not break /metrics', async () => {
    const s = await stubServer({ metrics: () => { throw new Error('boom'); } });
    app = s.app;
    const res = await app.inject({ url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('yesno_http_requests_in_flight');
  });

  it('HttpMetrics histogram buckets are cumulative and labels escaped', () => {
    const m = new HttpMetrics();
    m.started();
    m.observe({ method: 'GET', route: '/a"b', status: 200, seconds: 0.02 });
    m.started();
    m.observe({ method: 'GET', route: '/a"b', status: 200, seconds: 3 });
    const t = m.render();
    expect(t).toContain('yesno_http_request_duration_seconds_bucket{method="GET",route="/a\\"b",le="0.01"} 0');
    expect(t).toContain('yesno_http_request_duration_seconds_bucket{method="GET",route="/a\\"b",le="0.025"} 1');
    expect(t).toContain('yesno_http_request_duration_seconds_bucket{method="GET",route="/a\\"b",le="5"} 2');
    expect(t).toContain('yesno_http_request_duration_seconds_sum{method="GET",route="/a\\"b"} 3.02');
    expect(t).toContain('yesno_http_requests_in_flight 0');
  });
});

describe('OpenAPI', () => {
  it('/docs/json documents every route with schemas, money as strings', async () => {
    const s = await stubServer();
    app = s.app;
    const res = await app.inject({ url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/admin/orders', '/admin/queues', '/admin/trading', '/admin/trading/halt', '/admin/trading/resume', '/admin/users',
        '/api/v1/account', '/api/v1/account/kalshi', '/api/v1/account/polymarket', '/api/v1/account/{venue}',
        '/api/v1/balance', '/api/v1/copy-trades', '/api/v1/copy-trades/{id}', '/api/v1/counter-trades', '/api/v1/counter-trades/{id}', '/api/v1/markets', '/api/v1/markets/{id}', '/api/v1/positions', '/api/v1/positions/{id}/tpsl', '/api/v1/snipers', '/api/v1/snipers/{id}', '/api/v1/trading/order',
        '/api/v1/trading/orders', '/api/v1/trading/orders/{id}', '/api/v1/trading/quote', '/healthz', '/metrics',
      ].sort(),
    );
    const post = doc.paths['/api/v1/trading/order'].post;
    const body = post.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(['marketId', 'side', 'action', 'type']);
    expect(body.properties.amount).toMatchObject({ type: 'string', pattern: '^\\d+(\\.\\d+)?$' });
    expect(body.properties.amount.description).toMatch(/JSON numbers are refused/);
    expect(post.parameters.find((p: { name: string }) => p.name === 'idempotency-key').in).toBe('header');
    expect(post.responses['201'].content['application/json'].schema.properties.order.properties.price.type).toBe('string');
    expect(post.responses['422'].content['application/json'].schema.properties.error).toBeDefined();
    expect(post.security).toEqual([{ apiToken: [] }]);
    expect(doc.components.securitySchemes.apiToken).toMatchObject({ type: 'http', scheme: 'bearer' });
    const list = doc.paths['/api/v1/trading/orders'].get.parameters.map((p: { name: string }) => p.name);
    expect(list).toEqual(['status', 'limit']);
    expect(doc.paths['/api/v1/trading/orders/{id}'].get.parameters[0]).toMatchObject({ in: 'path', name: 'id', required: true });
  });

  it('/docs serves the UI', async () => {
    const s = await stubServer();
    app = s.app;
    const res = await app.inject({ url: '/docs' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
  });
});
