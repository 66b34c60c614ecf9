/**
 * Builds and starts the pg-boss instance. The only place that decides pool size, LISTEN/NOTIFY,
 * supervision and the queues' options; everything else receives a started `PgBoss`.
 */
import { PgBoss, type ConstructorOptions } from 'pg-boss';
import { resolveQueueDefinitions, type QueueDefinition, type QueueSettings } from './queues.ts';

/** The part of a pino logger jobs/ uses (pino's `Logger` satisfies it). */
export interface JobsLog {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface CreateBossOptions {
  connectionString: string;
  /** Postgres schema pg-boss installs into. Default "pgboss". */
  schema?: string;
  log: JobsLog;
  /**
   * Connections in pg-boss's own pool (the LISTEN connection is extra). Jobs enqueued inside a
   * caller's transaction use the caller's connection, so this only serves fetch/complete/supervise.
   * Default 4, enough for a 2-core machine.
   */
  max?: number;
  /**
   * Run maintenance (expire, retry, archive, queue stats) and the cron pass in this process.
   * pg-boss coordinates several supervising processes with advisory locks. Default true.
   */
  supervise?: boolean;
  /** Anything else pg-boss accepts, for tests (e.g. `superviseIntervalSeconds`). */
  extra?: Partial<ConstructorOptions>;
}

/** A configured, not yet started, PgBoss. Errors and warnings go to `log`. */
export function createBoss(options: CreateBossOptions): PgBoss {
  const { connectionString, schema = 'pgboss', log, max = 4, supervise = true, extra = {} } = options;
  const boss = new PgBoss({
    connectionString,
    schema,
    max,
    application_name: 'yesno-jobs',
    // NOTIFY wakes workers at commit of the inserting transaction (queues opt in with notify: true).
    // Note: the constructor key is useListenNotify, not notify.
    useListenNotify: true,
    supervise,
    schedule: supervise,
    migrate: true,
    // Expiry of stuck jobs and retries are found by the monitor; a minute is pg-boss's default,
    // 30 s keeps a crashed worker's job from waiting long.
    monitorIntervalSeconds: 30,
    superviseIntervalSeconds: 30,
    ...extra,
  });
  boss.on('error', (err: unknown) => log.error({ err }, 'pg-boss error'));
  boss.on('warning', (warning: unknown) => log.warn({ warning }, 'pg-boss warning'));
  return boss;
}

export interface StartBossOptions {
  /** Per-queue option overrides (tests shorten retry delays). */
  queueOverrides?: Partial<Record<string, Partial<QueueSettings>>>;
  /** Queues beyond jobs/queues.ts. */
  extraQueues?: readonly QueueDefinition[];
}

/**
 * Starts pg-boss (installing or migrating its schema) and creates every queue. Idempotent: an
 * existing queue keeps its policy but has its other options brought up to date.
 */
export async function startBoss(boss: PgBoss, options: StartBossOptions = {}): Promise<PgBoss> {
  await boss.start();
  for (const def of resolveQueueDefinitions(options.queueOverrides, options.extraQueues)) {
    await ensureQueue(boss, def);
  }
  return boss;
}

async function ensureQueue(boss: PgBoss, def: QueueDefinition): Promise<void> {
  const existing = await boss.getQueue(def.name);
  if (!existing) {
    await boss.createQueue(def.name, def.options);
    return;
  }
  // createQueue is ON CONFLICT DO NOTHING, so converge the options a queue may change.
  const { policy: _policy, partition: _partition, ...updatable } = def.options;
  if (Object.keys(updatable).length > 0) {
    await boss.updateQueue(def.name, updatable);
  }
}
