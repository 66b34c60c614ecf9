/**
 * Starting and stopping the Telegram bot inside the yesno process (main.ts):
 *
 *   const telegram = await createTelegramRuntime({ config, handler, services, refs, log, receive: true, http: true });
 *   sinks.push(telegram.sink);                          // (null without TELEGRAM_BOT_TOKEN)                          // order notifications → Telegram
 *   buildHttpServer({ ..., extraRoutes: telegram.routes });   // webhook mode: POST /telegram/webhook
 *   await telegram.start();                              // setMyCommands, then polling or setWebhook
 *   await telegram.stop();
 *
 * Modes: long polling through @grammyjs/runner (updates handled concurrently, in order per person
 * and chat) by default; webhook mode when TELEGRAM_WEBHOOK_URL is set (webhookCallback on the
 * Fastify server, the secret token checked: 401 otherwise); "send-only" when this process should
 * not receive updates (a worker process that only delivers notifications).
 */
import { run, type RunnerHandle } from '@grammyjs/runner';
import { webhookCallback } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../core/config.ts';
import type { MessageRefStore } from '../../core/notifications/message-refs.ts';
import type { Services } from '../../core/services.ts';
import type { CommandHandler } from '../commands/dispatcher.ts';
import { createTelegramBot, type TelegramBot, type TelegramLog } from './bot.ts';
import { TelegramSink } from './sink.ts';
import type { ThrottleOptions } from './throttle.ts';

/** Where Telegram posts updates in webhook mode. TELEGRAM_WEBHOOK_URL must reach this path. */
export const WEBHOOK_PATH = '/telegram/webhook';

/** The update kinds the bot asks for. */
export const ALLOWED_UPDATES = ['message', 'callback_query', 'channel_post'] as const;

export type TelegramMode = 'polling' | 'webhook' | 'send-only';

export interface TelegramRuntimeOptions {
  config: Pick<Config, 'TELEGRAM_BOT_TOKEN' | 'TELEGRAM_API_ROOT' | 'TELEGRAM_WEBHOOK_URL' | 'TELEGRAM_WEBHOOK_SECRET'>;
  handler: CommandHandler;
  services: Pick<Services, 'trading' | 'users'>;
  refs: MessageRefStore;
  log: TelegramLog;
  /** Receive updates in this process (polling or webhook). False: only deliver notifications. */
  receive: boolean;
  /** Whether an HTTP server will serve `routes` (webhook mode needs it). */
  http: boolean;
  throttle?: ThrottleOptions;
  botInfo?: UserFromGetMe;
}

export interface TelegramRuntime {
  telegram: TelegramBot;
  sink: TelegramSink;
  mode: TelegramMode;
  /** Registers POST /telegram/webhook (webhook mode only). */
  routes?: (app: FastifyInstance) => Promise<void>;
  /** Sets the command menu, then starts polling or sets the webhook. */
  start(): Promise<void>;
  /** Stops receiving and lets queued messages go out (at most `drainMs`, default 5 s). */
  stop(drainMs?: number): Promise<void>;
}

/**
 * Builds the bot (getMe) and its notification sink; null (and one log line) without
 * TELEGRAM_BOT_TOKEN. Throws when the Bot API refuses the token.
 */
export async function createTelegramRuntime(opts: TelegramRuntimeOptions): Promise<TelegramRuntime | null> {
  const { config, log } = opts;
  const token = config.TELEGRAM_BOT_TOKEN;
  if (!token) {
    log.info({}, 'Telegram bot disabled: set TELEGRAM_BOT_TOKEN to enable it');
    return null;
  }
  const telegram = createTelegramBot({
    token,
    apiRoot: config.TELEGRAM_API_ROOT,
    handler: opts.handler,
    refs: opts.refs,
    log,
    throttle: opts.throttle,
    botInfo: opts.botInfo,
  });
  await telegram.init();
  const sink = new TelegramSink({ api: telegram.bot.api, services: opts.services, refs: opts.refs, log, busy: telegram.busy });

  let mode: TelegramMode = !opts.receive ? 'send-only' : config.TELEGRAM_WEBHOOK_URL ? 'webhook' : 'polling';
  if (mode === 'webhook' && !opts.http) {
    log.warn({}, 'telegram: TELEGRAM_WEBHOOK_URL is set but this process serves no HTTP; not receiving updates here');
    mode = 'send-only';
  }
  const bot = telegram.bot;
  let runner: RunnerHandle | null = null;
  let stopped = false;

  const routes =
    mode === 'webhook'
      ? async (app: FastifyInstance) => {
          // Handle within Telegram's patience; a slow update keeps running after the 200.
          const handle = webhookCallback(bot, 'fastify', { secretToken: config.TELEGRAM_WEBHOOK_SECRET, onTimeout: 'return', timeoutMilliseconds: 8000 });
          app.post(WEBHOOK_PATH, { bodyLimit: 1 << 20, schema: { hide: true } }, async (req, reply) => {
            await handle(req, reply);
          });
        }
      : undefined;

  return {
    telegram,
    sink,
    mode,
    routes,
    async start() {
      if (mode === 'send-only') {
        log.info({ bot: telegram.username() }, 'telegram: delivering notifications only (not receiving updates in this process)');
        return;
      }
      await telegram.setCommands().catch((err: unknown) => log.warn({ err }, 'telegram: setMyCommands failed'));
      if (mode === 'webhook') {
        await bot.api.setWebhook(config.TELEGRAM_WEBHOOK_URL!, { secret_token: config.TELEGRAM_WEBHOOK_SECRET, allowed_updates: [...ALLOWED_UPDATES] });
        log.info({ bot: telegram.username(), path: WEBHOOK_PATH }, 'telegram: receiving updates by webhook');
        return;
      }
      // Long polling: a webhook left from an earlier deployment would make getUpdates fail (409).
      await bot.api.deleteWebhook();
      runner = run(bot, {
        runner: { fetch: { allowed_updates: [...ALLOWED_UPDATES] }, silent: true, retryInterval: 'exponential', maxRetryTime: 24 * 60 * 60 * 1000 },
      });
      // Transient fetch errors are retried by the runner; what ends polling (401 token revoked,
      // 409 another process polls or a webhook was set) is logged here.
      runner.task()?.catch((err: unknown) => {
        const code = (err as { error_code?: number }).error_code;
        log.error(
          { err, code },
          code === 409
            ? 'telegram: long polling stopped: another process receives updates for this bot (or a webhook is set)'
            : 'telegram: long polling stopped',
        );
      });
      log.info({ bot: telegram.username() }, 'telegram: long polling started');
    },
    async stop(drainMs = 5000) {
      if (stopped) return;
      stopped = true;
      if (runner?.isRunning()) await runner.stop();
      // Updates in hand finish, and their queued replies go out, within drainMs.
      let timer: NodeJS.Timeout | undefined;
      const drained = telegram.drain().then(() => telegram.throttle.idle());
      await Promise.race([drained, new Promise((r) => (timer = setTimeout(r, drainMs)))]);
      clearTimeout(timer);
      log.info({}, 'telegram: stopped');
    },
  };
}
