/**
 * `npm run discord:register`: PUTs yesno's slash commands to Discord (replacing the registered set).
 * Globally by default (may take a while to show everywhere); with DISCORD_GUILD_ID only in that
 * server, which is instant (handy while developing). Needs DISCORD_TOKEN and DISCORD_APP_ID;
 * DISCORD_API_URL points it at another REST base (tests use a local fake).
 */
import { pathToFileURL } from 'node:url';
import { REST, Routes } from 'discord.js';
import { ConfigError, loadConfig } from '../../core/config.ts';
import { DISCORD_COMMANDS, commandsJson, type SlashCommandDef } from './commands.ts';

export interface RegisterOptions {
  /** A REST manager with the bot token set. */
  rest: REST;
  appId: string;
  /** Register in this guild only (instant), instead of globally. */
  guildId?: string;
  commands?: readonly SlashCommandDef[];
}

/** Replaces the application's commands with ours; returns the names Discord now has. */
export async function registerCommands(opts: RegisterOptions): Promise<string[]> {
  const route = opts.guildId ? Routes.applicationGuildCommands(opts.appId, opts.guildId) : Routes.applicationCommands(opts.appId);
  const saved = (await opts.rest.put(route, { body: commandsJson(opts.commands ?? DISCORD_COMMANDS) })) as { name: string }[];
  return saved.map((c) => c.name);
}

/** A REST manager for the bot: `api` is the REST base without the version (default https://discord.com/api). */
export function discordRest(token: string, api?: string): REST {
  return new REST({ version: '10', ...(api ? { api } : {}) }).setToken(token);
}

async function main(): Promise<number> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (!config.DISCORD_TOKEN || !config.DISCORD_APP_ID) {
    process.stderr.write('discord:register needs DISCORD_TOKEN and DISCORD_APP_ID (from the Discord developer portal).\n');
    return 2;
  }
  const rest = discordRest(config.DISCORD_TOKEN, config.DISCORD_API_URL);
  const names = await registerCommands({ rest, appId: config.DISCORD_APP_ID, guildId: config.DISCORD_GUILD_ID });
  const where = config.DISCORD_GUILD_ID ? `in guild ${config.DISCORD_GUILD_ID}` : 'globally';
  process.stdout.write(`Registered ${names.length} Discord commands ${where}: ${names.map((n) => `/${n}`).join(' ')}\n`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`discord:register failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
