/**
 * Wires the Discord front end from the config (main.ts calls this): with DISCORD_TOKEN and
 * DISCORD_APP_ID set, the notification sink (REST only: every process that works the notify queue
 * delivers DMs) and, when `gateway` is true, the bot itself (one gateway session per deployment:
 * `npm start`, not `npm run worker`). Without DISCORD_TOKEN: null, and one log line.
 */
import type { Config } from '../../core/config.ts';
import type { Db } from '../../core/db/client.ts';
import { prismaMessageRefs } from '../../core/notifications/message-refs.ts';
import type { Services } from '../../core/services.ts';
import { createCommandHandler, type CommandHandler } from '../commands/dispatcher.ts';
import { createDiscordBot, type DiscordBot, type DiscordLog } from './bot.ts';
import { discordRest } from './register.ts';
import { DiscordSink } from './sink.ts';

export interface DiscordRuntime {
  sink: DiscordSink;
  /** The bot, when this process holds the gateway session. */
  bot: DiscordBot | null;
  /** Connects the gateway (no-op without a bot). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartDiscordArgs {
  config: Pick<Config, 'DISCORD_TOKEN' | 'DISCORD_APP_ID' | 'DISCORD_API_URL' | 'CONFIRM_TTL_SECONDS'>;
  services: Services;
  prisma: Db;
  log: DiscordLog;
  /** Hold the gateway session (answer commands) in this process. */
  gateway: boolean;
  /** A command handler shared with other transports (one confirmation store); a new one otherwise. */
  handler?: CommandHandler;
}

export function createDiscordRuntime(args: StartDiscordArgs): DiscordRuntime | null {
  const { config, services, log } = args;
  if (!config.DISCORD_TOKEN || !config.DISCORD_APP_ID) {
    log.info({}, 'Discord bot disabled: set DISCORD_TOKEN and DISCORD_APP_ID to enable it');
    return null;
  }
  const bot = args.gateway
    ? createDiscordBot({
        token: config.DISCORD_TOKEN,
        appId: config.DISCORD_APP_ID,
        restApi: config.DISCORD_API_URL,
        handler: args.handler ?? createCommandHandler({ services, log, confirmTtlMs: config.CONFIRM_TTL_SECONDS * 1000 }),
        services,
        log,
      })
    : null;
  const rest = bot?.client.rest ?? discordRest(config.DISCORD_TOKEN, config.DISCORD_API_URL);
  const sink = new DiscordSink({ rest, services, refs: prismaMessageRefs(args.prisma), log });
  return {
    sink,
    bot,
    async start() {
      await bot?.start();
    },
    async stop() {
      await bot?.stop();
    },
  };
}
