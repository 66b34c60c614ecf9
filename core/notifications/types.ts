/**
 * The notification outbox. A row is written in the same transaction as the change it reports
 * (order state change, fill), and a delivery job is enqueued in that same transaction through JobPort.
 */

/** What a notification says, transport-neutral. Presenters in bots/ word it. */
export type NotificationPayload =
  | { kind: 'order_status'; orderId: string; status: string; previous: string | null; reason?: string | null }
  | { kind: 'order_fill'; orderId: string; fillId: string; price: string; quantity: string; fee: string; late: boolean }
  | { kind: 'text'; text: string }
  | AutomationNotification
  | ChannelAlertNotification;

/**
 * A message for a group channel (price alerts, big moves, members' fills), not for the row's user:
 * the sink of `platform` posts `text` to `chatId`; every other sink skips it. Several alerts for one
 * channel arrive joined in one row (core/alerts batches them).
 */
export interface ChannelAlertNotification {
  kind: 'channel_alert';
  platform: string;
  chatId: string;
  /** The whole message, already worded for people (one line per alert). */
  text: string;
  /** The ChannelSubscription rows this message reports. */
  alertIds?: string[];
}

/** What the automation (snipers, take-profit / stop-loss, the stale-data guard) tells a trader. */
export type AutomationEvent =
  | 'sniper_fired'
  | 'sniper_filled'
  | 'sniper_failed'
  | 'sniper_expired'
  | 'tpsl_fired'
  | 'tpsl_done'
  | 'tpsl_failed'
  | 'triggers_paused'
  | 'triggers_resumed'
  /** Copy/counter-trading (core/following): a target's trade and what we did; the stop-loss pause; the reset. */
  | 'follow_trade'
  | 'follow_paused'
  | 'follow_resumed';

export interface AutomationNotification {
  kind: 'automation';
  event: AutomationEvent;
  /** The whole message, already worded for people. */
  text: string;
  sniperId?: string;
  positionId?: string;
  orderId?: string;
}

export interface OutboxRow {
  id: string;
  userId: string;
  kind: string;
  dedupeKey: string;
  orderId: string | null;
  payload: NotificationPayload;
  createdAt: Date;
  /**
   * Deliver without a sound (Telegram `disable_notification`): the user's notification setting for
   * this kind of event is "silent".
   */
  silent?: boolean;
}

/**
 * The port through which core enqueues background work without importing pg-boss.
 * `tx` is a Prisma transaction client; the job commits or rolls back with it.
 */
export interface JobPort {
  send(args: { queue: string; data: Record<string, unknown>; tx?: unknown; singletonKey?: string; startAfter?: Date }): Promise<void>;
  /** Several jobs of one queue in one statement (one round trip), in `tx` when given. */
  sendMany?(args: { queue: string; jobs: { data: Record<string, unknown>; singletonKey?: string }[]; tx?: unknown }): Promise<void>;
  /**
   * pg-boss's INSERT of these jobs as SQL for the caller to run inside its own statement or
   * transaction (e.g. as a CTE): `sql` references `json` (the jobs) as its one parameter, `$1`. The
   * jobs exist only if that transaction commits. No NOTIFY: call wake() after the commit.
   */
  insertSql?(args: { queue: string; jobs: { data: Record<string, unknown>; singletonKey?: string }[] }): Promise<{ sql: string; json: string }>;
  /**
   * Wakes the queue's workers now (a NOTIFY, coalesced), for jobs committed through insertSql,
   * which does not notify inside the transaction. A lost wake-up only costs the workers' poll interval.
   */
  wake?(queue: string): void;
}

/** Queue names core may enqueue to (jobs/ creates and works them). */
export const QUEUES = {
  notify: 'notify',
  orderSync: 'order-sync',
} as const;

/** Delivers one outbox row to wherever the user reads (console, Telegram, Discord). */
export interface NotificationSink {
  /**
   * Stable name of the sink (e.g. "telegram"). The worker records the sinks that delivered a row
   * (NotificationOutbox.deliveredVia), so a retry skips them. Default: the sink's index in the list.
   */
  name?: string;
  /** Resolves when this sink handled the row (delivered, or deliberately skipped); rejects to retry. */
  deliver(row: OutboxRow): Promise<void>;
}
