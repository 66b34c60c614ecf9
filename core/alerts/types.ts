/**
 * Group channel alerts: what a group or channel subscribed to (ChannelSubscription rows) and the
 * API the /alerts command uses. Delivery: NotificationOutbox rows of kind `channel_alert`
 * (core/notifications/types.ts), posted by the sink of the channel's platform.
 *
 * ChannelSubscription.kind:
 * - `price_above` / `price_below`: the market's YES price crosses `level` (state "hit"/"clear" in
 *   lastState: fires on clear → hit, and again only after it went back past the level).
 * - `big_move`: the YES price moved by `threshold` (fraction of $1: 0.05 = 5 points) within an hour.
 * - `member_fills`: orders of members who opted in (/sharefills on) are posted when they fill.
 * - `member`: not an alert: a note that the user `createdBy` is a member of the channel (seen
 *   typing a command there), so their shared fills go only to groups they are in.
 * `createdBy` is the yesno user id of the admin who added the alert (or of the member).
 */
import type { Decimal } from '../money.ts';
import type { ChatPlatform } from '../users/types.ts';

export type AlertKind = 'price_above' | 'price_below' | 'big_move' | 'member_fills';
export const PRICE_KINDS = ['price_above', 'price_below', 'big_move'] as const;
export const MEMBER_KIND = 'member';

/** A group or channel on one platform. */
export interface ChannelRef {
  platform: ChatPlatform;
  chatId: string;
}

export interface AlertView {
  id: string;
  platform: ChatPlatform;
  chatId: string;
  kind: AlertKind;
  marketId: string | null;
  /** The market's title, when the market is known. */
  marketTitle: string | null;
  marketSlug: string | null;
  /** price_above / price_below: the YES price level. */
  level: Decimal | null;
  /** big_move: the move within an hour (0.05 = 5 points). */
  threshold: Decimal | null;
  createdBy: string;
  lastFiredAt: Date | null;
  createdAt: Date;
}

/** The most alerts one channel may hold (member_fills included). */
export const MAX_ALERTS_PER_CHANNEL = 50;

/** /alerts: list, add and remove a channel's alerts. Failures are TradingError (invalid_input). */
export interface AlertsApi {
  list(channel: ChannelRef): Promise<AlertView[]>;
  /**
   * A price-crossing alert. `current` (the YES mid now, if known) sets the starting state, so an
   * alert added while the price is already past the level fires only after a new crossing.
   */
  addPriceAlert(args: { channel: ChannelRef; marketId: string; direction: 'above' | 'below'; level: Decimal; createdBy: string; current?: Decimal | null }): Promise<AlertView>;
  /** A big-move alert: `threshold` (0 < t < 1) of YES price change within an hour. */
  addMoveAlert(args: { channel: ChannelRef; marketId: string; threshold: Decimal; createdBy: string }): Promise<AlertView>;
  /** Turns posting members' fills on or off. Returns false when it already was that way. */
  setMemberFills(args: { channel: ChannelRef; on: boolean; createdBy: string }): Promise<boolean>;
  /** Removes the alert whose id starts with `idPrefix` (6+ characters); null when none matches. */
  remove(args: { channel: ChannelRef; idPrefix: string }): Promise<AlertView | null>;
  /** Notes that `userId` is a member of the channel (they typed a command there). Cheap when repeated. */
  noteMember(args: { channel: ChannelRef; userId: string }): Promise<void>;
}

/** A price update the evaluator reads: one listing's YES top of book. */
export interface PriceUpdate {
  /** The MarketListing that moved; or give `marketId` for a market-level price. */
  listingId?: string;
  marketId?: string;
  yesBid: Decimal | null;
  yesAsk: Decimal | null;
  at: Date;
}
