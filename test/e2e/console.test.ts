/**
 * End to end: `npm run console` (tsx bots/console/main.ts) as a child process with piped input, on a
 * real Postgres (a fresh test database), real pg-boss and the paper venues. Order notifications come
 * back through the outbox → pg-boss → the console sink. A second run on the same database checks that
 * state survives a restart and cancels a resting order by its short id.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runConsole(db: TestDatabase, lines: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, ['bots/console/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: db.url, MARKET_TICK_MS: '0', MARKET_DATA: 'synthetic', LOG_LEVEL: 'warn', NODE_ENV: 'test' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(lines.join('\n') + '\n');
  });
}

/** The replies to each input line, keyed by the echoed line ("> …"). */
function blocks(stdout: string): { line: string; reply: string }[] {
  return stdout
    .split(/^> /m)
    .slice(1)
    .map((b) => {
      const nl = b.indexOf('\n');
      return { line: b.slice(0, nl), reply: b.slice(nl + 1) };
    });
}

describe('console e2e (npm run console with piped input)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('a scripted session: markets, price, buy with confirmation (twice → one order), sell all, bad input, a resting limit', { timeout: 90_000 }, async () => {
    const run = await runConsole(db, [
      'help',
      'markets fed',
      'price fed-cut',
      'buy fed-cut yes $25',
      'y',
      'y',
      'buy fed-cut yes abc',
      'byu fed-cut yes $5',
      'positions',
      'sell fed-cut yes all',
      'y',
      'buy "fed cut" no 5 @1c on kalshi',
      'confirm',
      'orders',
      'balance',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const b = blocks(run.stdout);
    const reply = (line: string) => {
      const hit = b.find((x) => x.line === line);
      if (!hit) throw new Error(`no reply to ${JSON.stringify(line)} in:\n${run.stdout}`);
      return hit.reply;
    };
    expect(b.map((x) => x.line)).toHaveLength(15);
    expect(reply('help')).toContain('/buy - buy YES or NO shares');
    expect(reply('markets fed')).toContain('fed-cut-dec-2026 - Will the Fed cut rates at the December 2026 FOMC meeting?');
    expect(reply('price fed-cut')).toMatch(/kalshi: YES bid \d+(\.\d+)?¢ \/ ask \d+(\.\d+)?¢ · NO bid/);

    const quote = reply('buy fed-cut yes $25');
    expect(quote).toMatch(/^Buy \$25\.00 of YES at market on (polymarket|kalshi)\n/);
    expect(quote).toMatch(/expected: [\d.]+ shares at avg [\d.]+¢ \(worst price [\d.]+¢\)/);
    expect(quote).toMatch(/why (polymarket|kalshi): /);
    expect(quote).toMatch(/\[confirm [0-9a-f]{8}\]  \[cancel [0-9a-f]{8}\]/);

    const [first, second] = b.filter((x) => x.line === 'y').map((x) => x.reply);
    expect(first).toMatch(/^Bought [\d.]+ YES at avg [\d.]+¢ on (polymarket|kalshi) for \$[\d.]+(, no fees| incl\. \$[\d.]+ fees)\./);
    const buyId = /Order ([0-9a-f]{8}) filled\./.exec(first!)?.[1];
    expect(buyId).toBeDefined();
    expect(second).toMatch(/^Already confirmed; nothing new was placed\.\nBought/);

    expect(reply('buy fed-cut yes abc')).toContain('I couldn\'t read "abc" as an amount. Try: /buy fed-cut yes $25');
    expect(reply('byu fed-cut yes $5')).toContain("I don't know /byu. Did you mean /buy?");
    expect(reply('positions')).toMatch(/Will the Fed cut rates at the December 2026 FOMC meeting\? - YES on (polymarket|kalshi) · #[0-9a-f]{8}\n  [\d.]+ shares · avg/);
    expect(reply('sell fed-cut yes all')).toMatch(/^Sell [\d.]+ YES at market on (polymarket|kalshi)/);
    expect(reply('confirm')).toMatch(/^Order [0-9a-f]{8} is open on kalshi: buy 5\.00 NO @ 1¢\./);
    expect(reply('orders')).toMatch(/Open orders \(1\):\n[0-9a-f]{8}  pending   buy 5\.00 NO @ 1¢ on kalshi/);
    expect(reply('balance')).toMatch(/^Balance \(paper money\):\n  polymarket  \$[\d.]+\n  kalshi +\$[\d.]+\n  total +\$[\d.]+/);

    // Notifications from the outbox, delivered through pg-boss to the console sink.
    expect(run.stdout).toMatch(new RegExp(`^» order ${buyId} filled: [\\d.]+ YES @ [\\d.]+¢ on (polymarket|kalshi)`, 'm'));
    expect(run.stdout).toMatch(/^» order [0-9a-f]{8} open on kalshi: buy 5\.00 NO @ 1¢/m);

    // Two confirmations of one quote: one buy order in the database; bad input placed nothing.
    const orders = await db.prisma.order.findMany({ orderBy: { createdAt: 'asc' } });
    expect(orders.map((o) => `${o.action} ${o.side} ${o.type} ${o.status}`)).toEqual(['buy yes market filled', 'sell yes market filled', 'buy no limit pending']);
    expect(orders[0]!.idempotencyKey).toMatch(/^chat-confirm-[0-9a-f]{16}$/);
  });

  it('a second session on the same database sees the resting order and cancels it by short id', { timeout: 90_000 }, async () => {
    const resting = await db.prisma.order.findFirstOrThrow({ where: { status: 'pending' } });
    const short = resting.id.slice(0, 8);
    const run = await runConsole(db, ['orders', `cancel ${short}`, `order ${short}`, `cancel ${short}`]);
    expect(run.code, run.stderr).toBe(0);
    const b = blocks(run.stdout);
    expect(b[0]!.reply).toContain(`${short}  pending   buy 5.00 NO @ 1¢ on kalshi`);
    expect(b[1]!.reply).toMatch(new RegExp(`^Order ${short} was cancelled`));
    expect(b[2]!.reply).toMatch(new RegExp(`^Order ${short} · cancelled`));
    expect(b[3]!.reply).toContain(`Order ${short} is already cancelled; there is nothing to cancel.`);
    expect(run.stdout).toMatch(new RegExp(`^» order ${short} cancelled`, 'm'));
    expect((await db.prisma.order.findUniqueOrThrow({ where: { id: resting.id } })).status).toBe('cancelled');
  });
});
