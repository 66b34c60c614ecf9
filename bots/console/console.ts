/**
 * The local chat console: one command per line on `input`, replies on `output`, as one local
 * user (platform "console"). The leading slash is optional. Buttons print as `[confirm 1a2b3c4d]`;
 * typing that (or just `y` / `confirm`, `n` / `cancel`) answers the latest confirmation: with
 * piped input too, so scripts put `y` on the line after a /buy.
 *
 * Terminal: a readline prompt; notifications print above it. Piped: each input line is echoed as
 * "> line" before its replies, lines run strictly in order, and at end of input the console waits
 * for in-flight work and for the order notifications to settle, then resolves.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { CommandHandler } from '../commands/dispatcher.ts';
import type { ChatContext, Reply } from '../commands/replies.ts';
import type { NotificationListener } from './sink.ts';

export interface ConsoleOptions {
  input: Readable;
  output: Writable;
  handler: CommandHandler;
  /** Display name of the local user (the OS user name). */
  userName: string;
  /** Identity on platform "console"; defaults to userName. */
  userExternalId?: string;
  /** Subscribes to this user's order notifications (e.g. ConsoleSink.subscribe); returns an unsubscribe. */
  notifications?: (listener: NotificationListener) => () => void;
  /** Prompt and readline editing; default: both input and output are TTYs. */
  interactive?: boolean;
  /** Echo each input line as "> line" (default: when not interactive). */
  echo?: boolean;
  /**
   * At end of piped input, after the last command finished: wait until no notification arrived for
   * `settleMs` (default 1500), at most `maxDrainMs` (default 10 000). Only when the session touched orders.
   */
  settleMs?: number;
  maxDrainMs?: number;
  /** Replaces the settle wait: resolves when everything for this user has been delivered. */
  drain?: () => Promise<void>;
  prompt?: string;
}

export interface ConsoleResult {
  /** Command lines handled (empty lines and comments excluded). */
  commands: number;
  /** Replies of kind "error". */
  errors: number;
}

const EXIT_WORDS = new Set(['exit', 'quit', '/exit', '/quit', '\\q']);

/** How a reply reads on a terminal: its text, then its buttons as typeable commands. */
export function renderReply(reply: Reply): string {
  const lines = [reply.text];
  if (reply.photo) lines.push(`[chart: ${reply.photo.png.length} bytes PNG] ${savePicture(reply.photo.png)}`);
  for (const row of reply.buttons ?? []) {
    if (row.length === 0) continue;
    lines.push(row.map((b) => `[${(b.command ?? b.label).replace(/^\//, '')}]`).join('  '));
  }
  return lines.join('\n');
}

let pictureDir: string | null = null;
let pictures = 0;

/** A terminal cannot show a picture: it goes to a temp file, whose path is printed. */
function savePicture(png: Buffer): string {
  try {
    pictureDir ??= mkdtempSync(join(tmpdir(), 'yesno-console-'));
    const file = join(pictureDir, `picture-${++pictures}.png`);
    writeFileSync(file, png);
    return file;
  } catch {
    return '(could not save it)';
  }
}

/** A notification line: "» order 1a2b3c4d filled: …". */
export function renderNotification(reply: Reply): string {
  return reply.text
    .split('\n')
    .map((l, i) => (i === 0 ? `» ${l}` : `  ${l}`))
    .join('\n');
}

/** Runs the console until end of input (or "exit"). Never rejects on a bad command. */
export async function runConsole(opts: ConsoleOptions): Promise<ConsoleResult> {
  const interactive = opts.interactive ?? Boolean((opts.input as { isTTY?: boolean }).isTTY && (opts.output as { isTTY?: boolean }).isTTY);
  const echo = opts.echo ?? !interactive;
  const ctx: ChatContext = {
    platform: 'console',
    userExternalId: opts.userExternalId ?? opts.userName,
    userName: opts.userName,
    chatId: 'console',
    isGroup: false,
  };
  const result: ConsoleResult = { commands: 0, errors: 0 };
  let lastActivity = Date.now();
  let touchedOrders = false;
  let closed = false;

  const rl: Interface = interactive
    ? createInterface({ input: opts.input, output: opts.output, terminal: true, prompt: opts.prompt ?? 'yesno> ', historySize: 200 })
    : createInterface({ input: opts.input, terminal: false, crlfDelay: Infinity });

  const write = (text: string) => {
    if (interactive) {
      opts.output.write('\r\x1b[K');
      opts.output.write(`${text}\n`);
      if (!closed) rl.prompt(true);
    } else {
      opts.output.write(`${text}\n`);
    }
  };

  // Notifications that arrive while a command runs print after its replies, so transcripts read in order.
  let busy = false;
  const held: Reply[] = [];
  const flushHeld = () => {
    for (const r of held.splice(0)) write(renderNotification(r));
  };
  const unsubscribe = opts.notifications?.((reply) => {
    lastActivity = Date.now();
    if (busy) held.push(reply);
    else write(renderNotification(reply));
  });

  let chain: Promise<void> = Promise.resolve();

  const handleLine = async (raw: string) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    if (echo) opts.output.write(`> ${line}\n`);
    result.commands++;
    let replies: Reply[];
    busy = true;
    try {
      replies = await opts.handler.handleText(ctx, line);
    } catch (err) {
      replies = [{ kind: 'error', text: `Something went wrong: ${err instanceof Error ? err.message : String(err)}` }];
    } finally {
      busy = false;
    }
    if (replies.length === 0) replies = [{ kind: 'error', text: 'Nothing to do. Send /help for the commands.' }];
    for (const r of replies) {
      if (r.kind === 'error') result.errors++;
      if (r.orderId || r.kind === 'order') touchedOrders = true;
      write(renderReply(r));
    }
    flushHeld();
    lastActivity = Date.now();
  };

  const done = new Promise<void>((resolve) => {
    rl.on('line', (raw) => {
      if (closed) return; // lines already buffered after "exit"
      if (EXIT_WORDS.has(raw.trim().toLowerCase())) {
        closed = true;
        rl.close();
        return;
      }
      chain = chain.then(() => handleLine(raw));
      if (interactive) void chain.then(() => !closed && rl.prompt());
    });
    rl.on('close', () => {
      closed = true;
      resolve();
    });
    if (interactive) {
      write('yesno console. Type /help for commands, exit (or Ctrl-D) to leave.');
      rl.prompt();
    }
  });

  await done;
  await chain;
  if (!interactive && touchedOrders) {
    if (opts.drain) await opts.drain();
    else await settle(() => lastActivity, opts.settleMs ?? 1500, opts.maxDrainMs ?? 10_000);
  }
  unsubscribe?.();
  return result;
}

async function settle(lastActivity: () => number, quietMs: number, maxMs: number): Promise<void> {
  const deadline = Date.now() + maxMs;
  while (Date.now() < deadline) {
    const quietFor = Date.now() - lastActivity();
    if (quietFor >= quietMs) return;
    await new Promise((r) => setTimeout(r, Math.min(quietMs - quietFor, deadline - Date.now()) + 5));
  }
}
