/**
 * Discord notifications (a NotificationSink of jobs/notify-worker.ts):
 * - order state changes and fills go to the user's DMs (a DM channel is opened via REST once per
 *   user and cached). Each order has ONE message per DM channel (ChatMessageRef), edited in place as
 *   the order moves on; a notification already overtaken by the order's current state is skipped, so
 *   an edit never turns "filled" back into "open" when rows are delivered out of order;
 * - other user notifications (automation) are new DMs; channel alerts for platform "discord" are
 *   posted to their channel.
 *
 * Exactly once: creates carry a nonce derived from the outbox row with `enforce_nonce`, so a retried
 * POST returns the message already created; edits are idempotent. 429s wait in discord.js's REST
 * queue (per-route buckets and the global limit) and are retried there. A user who does not accept
 * DMs, or a channel the bot can no longer post to, is logged and skipped (a retry would not help).
 */
import { DiscordAPIError, MessageFlags, RESTJSONErrorCodes, Routes } from 'discord.js';
import type { APIChannel, APIMessage, REST } from 'discord.js';
import type { MessageRefStore } from '../../core/notifications/message-refs.ts';
import type { NotificationPayload, NotificationSink, OutboxRow } from '../../core/notifications/types.ts';
import type { Services } from '../../core/services.ts';
import type { OrderView } from '../../core/trading/types.ts';
import { channelTarget, describeOutboxRow, presentNotification } from '../commands/notify.ts';
import type { Reply } from '../commands/replies.ts';
import type { DiscordLog } from './bot.ts';
import { NO_MENTIONS, chunkContent, discordText } from './render.ts';

export interface DiscordSinkOptions {
  /** A REST manager with the bot token set (the bot client's `client.rest`, or a standalone REST). */
  rest: REST;
  services: Pick<Services, 'trading' | 'users'>;
  refs: MessageRefStore;
  log: DiscordLog;
  /** DM channels remembered (user id → channel id). Default 10 000. */
  maxCachedChannels?: number;
}

const PLATFORM = 'discord';
const TERMINAL = new Set(['filled', 'cancelled', 'failed']);

/** Errors after which a retry cannot succeed: the user refuses DMs, the channel is gone or closed to us. */
const UNDELIVERABLE = new Set<number | string>([
  RESTJSONErrorCodes.CannotSendMessagesToThisUser,
  RESTJSONErrorCodes.UnknownUser,
  RESTJSONErrorCodes.UnknownChannel,
  RESTJSONErrorCodes.MissingAccess,
  RESTJSONErrorCodes.MissingPermissions,
]);

/**
 * True when the order has moved past what this notification says, so a later notification shows
 * its current state: a status row for a status it no longer has, or a (non-late) fill of an order
 * that is now finished. Late fills after a cancel are always shown.
 */
export function isOvertaken(payload: NotificationPayload, order: OrderView | null): boolean {
  if (!order) return false;
  if (payload.kind === 'order_status') return payload.status !== order.status;
  if (payload.kind === 'order_fill') return !payload.late && TERMINAL.has(order.status);
  return false;
}

/** Discord accepts nonces of up to 25 characters: the outbox row id without dashes, cut to 25 hex digits. */
export function nonceOf(rowId: string): string {
  return rowId.replace(/-/g, '').slice(0, 25);
}

export class DiscordSink implements NotificationSink {
  readonly name = PLATFORM;
  private readonly dmChannels = new Map<string, string>();
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly opts: DiscordSinkOptions) {}

  async deliver(row: OutboxRow): Promise<void> {
    const target = channelTarget(row);
    if (target) {
      if (target.platform !== PLATFORM) return;
      const reply = await describeOutboxRow(this.opts.services, row);
      if (reply) await this.skipUndeliverable(() => this.create(target.chatId, reply.text, row), { channel: target.chatId, outboxId: row.id });
      return;
    }
    const identities = (await this.opts.services.users.identities(row.userId)).filter((i) => i.platform === PLATFORM);
    if (identities.length === 0) return;
    const reply = await this.describe(row);
    if (!reply) return;
    for (const identity of identities) {
      await this.skipUndeliverable(() => this.toUser(identity.externalId, row, reply), { discordUser: identity.externalId, outboxId: row.id });
    }
  }

  private async describe(row: OutboxRow): Promise<Reply | null> {
    const p = row.payload;
    if (p.kind !== 'order_status' && p.kind !== 'order_fill') return describeOutboxRow(this.opts.services, row);
    const order = await this.opts.services.trading.getOrder({ userId: row.userId, orderId: p.orderId }).catch(() => null);
    if (isOvertaken(p, order)) return null;
    return presentNotification(p, order);
  }

  private async toUser(discordUserId: string, row: OutboxRow, reply: Reply): Promise<void> {
    const channelId = await this.dmChannel(discordUserId);
    const orderId = reply.orderId;
    if (!orderId) {
      await this.create(channelId, reply.text, row);
      return;
    }
    // One message per order: deliveries of one order's rows run one after the other in this process.
    await this.serially(`${orderId}:${channelId}`, async () => {
      const key = { orderId, platform: PLATFORM, chatId: channelId };
      const existing = await this.opts.refs.get(key);
      if (existing) {
        try {
          await this.opts.rest.patch(Routes.channelMessage(channelId, existing), { body: { content: content(reply.text), allowed_mentions: NO_MENTIONS } });
          return;
        } catch (err) {
          // The user deleted the message: post a new one below.
          if (!(err instanceof DiscordAPIError && err.code === RESTJSONErrorCodes.UnknownMessage)) throw err;
        }
      }
      const message = await this.create(channelId, reply.text, row);
      await this.opts.refs.put(key, message.id);
    });
  }

  private async create(channelId: string, text: string, row: OutboxRow): Promise<APIMessage> {
    const body = {
      content: content(text),
      allowed_mentions: NO_MENTIONS,
      nonce: nonceOf(row.id),
      enforce_nonce: true,
      ...(row.silent ? { flags: MessageFlags.SuppressNotifications } : {}),
    };
    return (await this.opts.rest.post(Routes.channelMessages(channelId), { body })) as APIMessage;
  }

  private async dmChannel(userId: string): Promise<string> {
    const known = this.dmChannels.get(userId);
    if (known) return known;
    const channel = (await this.opts.rest.post(Routes.userChannels(), { body: { recipient_id: userId } })) as APIChannel;
    this.dmChannels.set(userId, channel.id);
    const max = this.opts.maxCachedChannels ?? 10_000;
    while (this.dmChannels.size > max) this.dmChannels.delete(this.dmChannels.keys().next().value!);
    return channel.id;
  }

  private async serially<T>(key: string, work: () => Promise<T>): Promise<T> {
    const prior = this.queues.get(key) ?? Promise.resolve();
    const run = prior.catch(() => undefined).then(work);
    this.queues.set(key, run);
    try {
      return await run;
    } finally {
      if (this.queues.get(key) === run) this.queues.delete(key);
    }
  }

  private async skipUndeliverable(work: () => Promise<unknown>, where: Record<string, string>): Promise<void> {
    try {
      await work();
    } catch (err) {
      if (err instanceof DiscordAPIError && where.discordUser && err.code === RESTJSONErrorCodes.UnknownChannel) {
        // A remembered DM channel that no longer exists: open a fresh one on the retry.
        this.dmChannels.delete(where.discordUser);
        throw err;
      }
      if (err instanceof DiscordAPIError && UNDELIVERABLE.has(err.code)) {
        this.opts.log.warn({ ...where, code: err.code, status: err.status }, 'discord: notification not deliverable there; skipped');
        if (where.discordUser) this.dmChannels.delete(where.discordUser);
        return;
      }
      throw err;
    }
  }
}

function content(text: string): string {
  return chunkContent(discordText(text || ' '))[0]!;
}
