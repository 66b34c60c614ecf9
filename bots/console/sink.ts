/**
 * The console's notification sink: jobs/ delivers every outbox row to every sink; this one keeps
 * the rows of the console's own user (platform "console", its external id), words them with the
 * shared presenter and hands them to whoever listens (the running console prints "» …").
 */
import type { NotificationSink, OutboxRow } from '../../core/notifications/types.ts';
import type { Services } from '../../core/services.ts';
import { channelTarget, describeOutboxRow } from '../commands/notify.ts';
import type { Reply } from '../commands/replies.ts';

export type NotificationListener = (reply: Reply) => void;

export class ConsoleSink implements NotificationSink {
  private services: Pick<Services, 'trading' | 'users'> | undefined;
  private readonly listeners = new Set<NotificationListener>();
  private readonly owners = new Map<string, boolean>();
  /** Replies that arrived while nobody listened (bounded). */
  private readonly backlog: Reply[] = [];

  constructor(private readonly opts: { externalId: string; services?: Pick<Services, 'trading' | 'users'>; backlogLimit?: number }) {
    this.services = opts.services;
  }

  /** Late binding: the sink is built before the services that use it. */
  attach(services: Pick<Services, 'trading' | 'users'>): void {
    this.services = services;
  }

  /** Starts listening; earlier undelivered replies are replayed. Returns the unsubscribe function. */
  subscribe = (listener: NotificationListener): (() => void) => {
    this.listeners.add(listener);
    for (const r of this.backlog.splice(0)) listener(r);
    return () => this.listeners.delete(listener);
  };

  async deliver(row: OutboxRow): Promise<void> {
    const services = this.services;
    // A channel alert goes to its channel: here only the console's own ones.
    const target = channelTarget(row);
    if (target && target.platform !== 'console') return;
    if (!services || !(await this.isConsoleUser(services, row.userId))) return;
    const reply = await describeOutboxRow(services, row);
    if (!reply) return;
    if (this.listeners.size === 0) {
      this.backlog.push(reply);
      if (this.backlog.length > (this.opts.backlogLimit ?? 200)) this.backlog.shift();
      return;
    }
    for (const l of this.listeners) l(reply);
  }

  private async isConsoleUser(services: Pick<Services, 'users'>, userId: string): Promise<boolean> {
    const known = this.owners.get(userId);
    if (known !== undefined) return known;
    const ids = await services.users.identities(userId);
    const mine = ids.some((i) => i.platform === 'console' && i.externalId === this.opts.externalId);
    this.owners.set(userId, mine);
    return mine;
  }
}
