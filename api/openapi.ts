/**
 * OpenAPI 3.1 for the HTTP API: @fastify/swagger collects every route (zod schemas converted by
 * swaggerTransform), @fastify/swagger-ui serves the UI at /docs and the document at /docs/json.
 * Register before the routes.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { swaggerTransform } from './zod.ts';

/** Registers the OpenAPI document and the docs UI on the root instance. */
export async function registerOpenApi(app: FastifyInstance, opts: { adminEnabled: boolean }): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'yesno API',
        version: '1',
        description:
          'Trade Polymarket and Kalshi prediction markets. Money, quantities and prices are decimal strings ' +
          '(e.g. "25", "0.45"); JSON numbers are refused for them. Every error is `{ "error": { "code", "message" } }`.',
      },
      tags: [
        { name: 'trading', description: 'Orders and quotes' },
        { name: 'markets', description: 'The market catalog with live quotes' },
        { name: 'portfolio', description: 'Positions and balances' },
        { name: 'accounts', description: 'Linked venue accounts (Polymarket sub-wallet, Kalshi API key)' },
        ...(opts.adminEnabled ? [{ name: 'admin', description: 'Operators (ADMIN_TOKEN)' }] : []),
        { name: 'operations', description: 'Health and metrics' },
      ],
      components: {
        securitySchemes: {
          apiToken: { type: 'http', scheme: 'bearer', description: "A user's API token (POST /admin/users returns it once)." },
          ...(opts.adminEnabled ? { adminToken: { type: 'http' as const, scheme: 'bearer', description: 'The ADMIN_TOKEN of this deployment.' } } : {}),
        },
      },
    },
    transform: swaggerTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
}
