/**
 * Admin routes (bearer ADMIN_TOKEN): create and list users, list every order, halt and resume
 * trading, queue statistics. Registered only when an admin token is configured. Every change is
 * written to the audit log (user creation here; halt/resume by AdminApi itself, atomically).
 */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { QueueStatsPort, Services } from '../../core/services.ts';
import {
  adminOrdersQuery,
  adminUsersQuery,
  createUserBody,
  emptyBody,
  errors,
  haltBody,
  haltJson,
  noQuery,
  orderJson,
  queueStatsJson,
  userJson,
} from '../schemas.ts';
import { haltToJson, orderToJson, userToJson } from '../serialize.ts';
import type { ZodTypeProvider } from '../zod.ts';

/** Options of the admin plugin. */
export interface AdminRoutesOptions {
  services: Services;
  queueStats?: QueueStatsPort;
}

/** The actor recorded in the audit log for admin API calls. */
export const ADMIN_ACTOR = 'admin:http';

const security = [{ adminToken: [] }];

export const adminRoutes: FastifyPluginAsync<AdminRoutesOptions> = async (app, { services, queueStats }) => {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/users',
    {
      schema: {
        tags: ['admin'],
        summary: 'Create a user and their API token (shown once)',
        security,
        querystring: noQuery,
        body: createUserBody,
        response: { 201: z.object({ user: userJson, apiToken: z.string() }), ...errors(400, 401, 413, 415, 429) },
      },
    },
    async (req, reply) => {
      const { user, apiToken } = await services.users.createUser({ name: req.body.name });
      await services.admin.audit({ actor: ADMIN_ACTOR, action: 'user.create', subject: user.id, details: { name: user.name } });
      return reply.code(201).send({ user: userToJson(user), apiToken });
    },
  );

  r.get(
    '/users',
    {
      schema: {
        tags: ['admin'],
        summary: 'List users',
        security,
        querystring: adminUsersQuery,
        response: { 200: z.object({ users: z.array(userJson) }), ...errors(400, 401, 429) },
      },
    },
    async (req) => {
      const users = await services.users.list({ limit: req.query.limit });
      return { users: users.map(userToJson) };
    },
  );

  r.get(
    '/orders',
    {
      schema: {
        tags: ['admin'],
        summary: "Every user's orders, newest first",
        security,
        querystring: adminOrdersQuery,
        response: { 200: z.object({ orders: z.array(orderJson) }), ...errors(400, 401, 429) },
      },
    },
    async (req) => {
      const { status, userId, limit } = req.query;
      const orders = await services.admin.listOrders({ status, userId, limit });
      return { orders: orders.map(orderToJson) };
    },
  );

  r.get(
    '/trading',
    {
      schema: {
        tags: ['admin'],
        summary: 'Whether trading is halted',
        security,
        querystring: noQuery,
        response: { 200: z.object({ halt: haltJson }), ...errors(401, 429) },
      },
    },
    async () => ({ halt: haltToJson(await services.admin.haltState()) }),
  );

  r.post(
    '/trading/halt',
    {
      schema: {
        tags: ['admin'],
        summary: 'Halt all trading (new orders are refused with 423 trading_halted)',
        security,
        querystring: noQuery,
        body: haltBody,
        response: { 200: z.object({ halt: haltJson }), ...errors(400, 401, 413, 415, 429) },
      },
    },
    async (req) => {
      const reason = req.body.reason;
      // AdminApi.halt writes its own audit entry in the same transaction as the halt.
      const halt = await services.admin.halt({ actor: ADMIN_ACTOR, reason });
      return { halt: haltToJson(halt) };
    },
  );

  r.post(
    '/trading/resume',
    {
      schema: {
        tags: ['admin'],
        summary: 'Resume trading',
        security,
        querystring: noQuery,
        body: emptyBody,
        response: { 200: z.object({ halt: haltJson }), ...errors(400, 401, 413, 415, 429) },
      },
    },
    async () => {
      // AdminApi.resume writes its own audit entry in the same transaction.
      const halt = await services.admin.resume({ actor: ADMIN_ACTOR });
      return { halt: haltToJson(halt) };
    },
  );

  r.get(
    '/queues',
    {
      schema: {
        tags: ['admin'],
        summary: 'Job queue statistics (pg-boss)',
        security,
        querystring: noQuery,
        response: { 200: z.object({ queues: z.array(queueStatsJson) }), ...errors(401, 429) },
      },
    },
    async () => ({ queues: queueStats ? await queueStats.stats() : [] }),
  );
};
