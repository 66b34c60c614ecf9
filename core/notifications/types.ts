/**
 * The notification outbox. A row is written in the same transaction as the change it reports
 * (order state change, fill), and a delivery job is enqueued in that same transaction through JobPort.
 */

/** What a notification says, transport-neutral. Presenters in bots/ word it. */
export type NotificationPayload =
  | { kind: 'order_status'; orderId: string; status: string; previous: string | null; reason?: string | null }
  | { kind: 'order_fill'; orderId: string; fillId: string; price: string; quantity: string; fee: string; late: boolean }
  | { kind: 'text'; text: string };

export interface OutboxRow {
  id: string;
  userId: string;
  kind: string;
  dedupeKey: string;
  orderId: string | null;
  payload: NotificationPayload;
  createdAt: Date;
}

/**
 * The port through which core enqueues background work without importing pg-boss.
 * `tx` is a Prisma transaction client; the job commits or rolls back with it.
 */
export interface JobPort {
  send(args: { queue: string; data: Record<string, unknown>; tx?: unknown; singletonKey?: string; startAfter?: Date }): Promise<void>;
}

/** Queue names core may enqueue to (jobs/ creates and works them). */
export const QUEUES = {
  notify: 'notify',
  orderSync: 'order-sync',
} as const;

/** Delivers one outbox row to wherever the user reads (console, Telegram, Discord). */
export interface NotificationSink {
  /** Returns true when this sink handled the user (delivered or deliberately skipped). */
  deliver(row: OutboxRow): Promise<void>;
}
