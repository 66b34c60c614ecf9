/**
 * Linking a second chat account to a yesno user with a one-time code.
 *
 *   Telegram: /link           → "Your code: K7M2QX9P (10 minutes)"     createLinkCode(userA)
 *   Discord:  /link K7M2QX9P  → the Discord identity moves to user A   redeemLinkCode(...)
 *
 * The identity that types the code joins the code's user. Money never merges: when the joining
 * identity's own user already has orders, positions, automation or venue keys, linking is refused.
 */
import { randomInt } from 'node:crypto';
import type { Db, Tx } from '../db/client.ts';
import type { ChatPlatform } from './types.ts';

/** How long a code may be redeemed. */
export const LINK_CODE_TTL_MS = 10 * 60_000;
export const LINK_CODE_LENGTH = 8;
/** No 0/O, 1/I/L: codes are read off one screen and typed on another. */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

/** Why a code was not accepted; `message` is written for the person who typed it. */
export type LinkFailure = 'invalid_code' | 'expired' | 'same_platform' | 'platform_taken' | 'has_activity';

export type LinkResult =
  | { ok: true; userId: string; alreadyLinked: boolean; platforms: ChatPlatform[] }
  | { ok: false; reason: LinkFailure; message: string };

/** Normalizes what people type: case, spaces and dashes ("k7m2-qx9p" → "K7M2QX9P"). */
export function normalizeLinkCode(raw: string): string {
  return raw.replace(/[\s-]/g, '').toUpperCase();
}

/** True when `raw` can be a link code (so "/link kalshi" is not mistaken for one). */
export function isLinkCodeShape(raw: string): boolean {
  const code = normalizeLinkCode(raw);
  return code.length === LINK_CODE_LENGTH && [...code].every((c) => ALPHABET.includes(c));
}

function newCode(): string {
  let code = '';
  for (let i = 0; i < LINK_CODE_LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  return code;
}

/** A fresh code for `userId`; earlier codes of the user (and any expired code) are dropped. */
export async function createLinkCode(prisma: Db, args: { userId: string; now?: Date }): Promise<{ code: string; expiresAt: Date }> {
  const now = args.now ?? new Date();
  const expiresAt = new Date(now.getTime() + LINK_CODE_TTL_MS);
  await prisma.linkCode.deleteMany({ where: { OR: [{ userId: args.userId }, { expiresAt: { lt: now } }] } });
  for (let attempt = 0; ; attempt++) {
    const code = newCode();
    try {
      await prisma.linkCode.create({ data: { code, userId: args.userId, expiresAt, createdAt: now } });
      return { code, expiresAt };
    } catch (err) {
      // A collision in 31^8 codes: draw again (a few times at most).
      if (attempt >= 4) throw err;
    }
  }
}

const PLATFORM_NAMES: Record<string, string> = { telegram: 'Telegram', discord: 'Discord', console: 'the console' };
const nameOf = (p: string) => PLATFORM_NAMES[p] ?? p;

/**
 * Moves the chat identity (platform, externalId) to the user who made `code`. One transaction: the
 * code is consumed only when the link happens. Refuses (and keeps the code) when the identity's
 * current user has trading activity, when the code's user already has an account on this platform,
 * or when the code was made on this same platform.
 */
export async function redeemLinkCode(
  prisma: Db,
  args: { code: string; platform: ChatPlatform; externalId: string; name?: string; chatId?: string; now?: Date },
): Promise<LinkResult> {
  const code = normalizeLinkCode(args.code);
  const now = args.now ?? new Date();
  return prisma.$transaction(async (tx) => {
    // Lock the code row: two redemptions of one code cannot both pass.
    const locked = await tx.$queryRaw<{ code: string; userId: string; expiresAt: Date }[]>`
      SELECT code, "userId", "expiresAt" FROM "LinkCode" WHERE code = ${code} FOR UPDATE`;
    const row = locked[0];
    if (!row) {
      return fail('invalid_code', 'That link code is not valid. Type /link in the chat you already use to get a new one (codes are 8 letters and digits).');
    }
    if (row.expiresAt.getTime() <= now.getTime()) {
      await tx.linkCode.delete({ where: { code } });
      return fail('expired', 'That link code has expired (codes last 10 minutes). Type /link in your other chat for a new one.');
    }
    const target = row.userId;
    const targetIds = await tx.chatIdentity.findMany({ where: { userId: target } });
    const identity = await tx.chatIdentity.findUnique({ where: { platform_externalId: { platform: args.platform, externalId: args.externalId } } });

    if (identity?.userId === target) {
      await tx.linkCode.delete({ where: { code } });
      return { ok: true as const, userId: target, alreadyLinked: true, platforms: platformsOf(targetIds) };
    }
    if (targetIds.some((i) => i.platform === args.platform)) {
      const sameAccountType = targetIds.length > 0 && targetIds.every((i) => i.platform === args.platform);
      return sameAccountType
        ? fail('same_platform', `That code was made on ${nameOf(args.platform)}. Type it from your other chat app (e.g. Discord if you made it on Telegram).`)
        : fail('platform_taken', `That yesno account already has a ${nameOf(args.platform)} account linked. One account per chat app.`);
    }

    if (identity) {
      const source = identity.userId;
      const activity = await activityOf(tx, source);
      if (activity.length > 0) {
        return fail(
          'has_activity',
          `This ${nameOf(args.platform)} account already has its own ${activity.join(', ')}, so I won't merge it: money never moves between accounts by linking. ` +
            `Link the other way instead: type /link here to get a code, then /link <code> from the chat that has no trading yet.`,
        );
      }
      await tx.chatIdentity.update({ where: { id: identity.id }, data: { userId: target, chatId: args.chatId ?? identity.chatId } });
      // Group alerts this account created and its group memberships follow it.
      await tx.channelSubscription.updateMany({ where: { createdBy: source }, data: { createdBy: target } });
      // The joining user is left without identities or activity: remove it when nothing else points at it.
      const rest = await tx.chatIdentity.count({ where: { userId: source } });
      const outbox = await tx.notificationOutbox.count({ where: { userId: source } });
      if (rest === 0 && outbox === 0) await tx.user.delete({ where: { id: source } });
    } else {
      await tx.chatIdentity.create({
        data: { userId: target, platform: args.platform, externalId: args.externalId, chatId: args.chatId ?? null, username: args.name ?? null },
      });
    }
    await tx.linkCode.delete({ where: { code } });
    const after = await tx.chatIdentity.findMany({ where: { userId: target } });
    return { ok: true as const, userId: target, alreadyLinked: false, platforms: platformsOf(after) };
  });
}

function fail(reason: LinkFailure, message: string): LinkResult {
  return { ok: false, reason, message };
}

function platformsOf(ids: { platform: string }[]): ChatPlatform[] {
  return [...new Set(ids.map((i) => i.platform as ChatPlatform))].sort();
}

/** What a user has that must not be merged into another user: orders, positions, automation, keys. */
async function activityOf(tx: Tx, userId: string): Promise<string[]> {
  const [orders, positions, snipers, copies, counters, keys] = await Promise.all([
    tx.order.count({ where: { userId } }),
    tx.position.count({ where: { userId } }),
    tx.sniperOrder.count({ where: { userId } }),
    tx.copyTradeSubscription.count({ where: { userId } }),
    tx.counterTradeConfig.count({ where: { userId } }),
    tx.venueCredential.count({ where: { userId } }),
  ]);
  const found: string[] = [];
  if (orders) found.push(`orders (${orders})`);
  if (positions) found.push('positions');
  if (snipers || copies || counters) found.push('automation');
  if (keys) found.push('linked venue keys');
  return found;
}
