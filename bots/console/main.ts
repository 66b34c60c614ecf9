/**
 * `npm run console`: starts the whole yesno stack (database, pg-boss workers, paper venues; no HTTP)
 * and chats on stdin/stdout as the local OS user (platform "console"). Piped input: prints the
 * replies and exits 0 at end of input, after the order notifications have arrived. Terminal: an
 * interactive prompt. Logs go to stderr (LOG_LEVEL defaults to "warn" here) so stdout stays the
 * conversation.
 */
import { userInfo } from 'node:os';
import { pino } from 'pino';
import { loadConfig, ConfigError } from '../../core/config.ts';
import { startYesno } from '../../main.ts';
import { createCommandHandler } from '../commands/dispatcher.ts';
import { runConsole } from './console.ts';
import { ConsoleSink } from './sink.ts';

function osUserName(): string {
  try {
    return userInfo().username || 'console';
  } catch {
    return process.env.USER || process.env.USERNAME || 'console';
  }
}

async function main(): Promise<number> {
  let config;
  try {
    config = loadConfig({ LOG_LEVEL: 'warn', ...process.env });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const log = pino({ level: config.LOG_LEVEL }, pino.destination(2));
  const userName = osUserName();
  const sink = new ConsoleSink({ externalId: userName });
  const app = await startYesno(config, { http: false, chat: false, sinks: [sink], log });
  sink.attach(app.core);
  const handler = createCommandHandler({ services: app.core, log });
  try {
    await runConsole({ input: process.stdin, output: process.stdout, handler, notifications: sink.subscribe, userName });
  } finally {
    await app.stop();
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`yesno console could not start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
