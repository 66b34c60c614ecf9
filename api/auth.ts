/**
 * Authentication: a user's bearer API token (looked up through UsersApi.authenticate, which compares
 * hashes) for /api/v1, and the operator's ADMIN_TOKEN for /admin, compared in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { UsersApi, UserView } from '../core/users/types.ts';
import { HttpError } from './errors.ts';
import { bearerToken } from './rate-limit.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated user of an /api/v1 request (set by the auth hook). */
    apiUser?: UserView;
  }
}

const CHALLENGE = { 'www-authenticate': 'Bearer realm="yesno"' };

function unauthorized(message: string): HttpError {
  return new HttpError(401, 'unauthorized', message, CHALLENGE);
}

/** onRequest hook for /api/v1: requires `Authorization: Bearer <api token>` of a user. */
export function userAuthHook(users: UsersApi) {
  return async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const token = bearerToken(req);
    if (!token) throw unauthorized('Missing API token: send "Authorization: Bearer <your API token>".');
    if (token.length > 512) throw unauthorized('Invalid or revoked API token.');
    const user = await users.authenticate(token);
    if (!user) throw unauthorized('Invalid or revoked API token.');
    req.apiUser = user;
  };
}

/** The authenticated user of a request; only call it behind userAuthHook. */
export function currentUser(req: FastifyRequest): UserView {
  if (!req.apiUser) throw new Error('currentUser() called on a route without userAuthHook');
  return req.apiUser;
}

/** Constant-time comparison of two secrets of any length (hash both, then timingSafeEqual). */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** onRequest hook for /admin: requires `Authorization: Bearer <ADMIN_TOKEN>`. */
export function adminAuthHook(adminToken: string) {
  return async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const token = bearerToken(req);
    if (!token) throw unauthorized('Missing admin token: send "Authorization: Bearer <ADMIN_TOKEN>".');
    if (!secretsEqual(token, adminToken)) throw unauthorized('Invalid admin token.');
  };
}
