/**
 * The whole yesno process for end-to-end tests: startYesno() on a fresh test database, HTTP on an
 * ephemeral port, the synthetic market walk stopped (tests move prices with feed.setMid/setBook/step).
 *
 *   const stack = await startTestStack({ ADMIN_TOKEN: 'x'.repeat(16) });
 *   const res = await fetch(`${stack.address}/healthz`);
 *   await stack.stop();
 */
import type { OrderSyncOptions } from '../../core/trading/order-sync.ts';
import { pino } from 'pino';
import { loadConfig } from '../../core/config.ts';
import type { NotificationSink } from '../../core/notifications/types.ts';
import { startYesno, type Yesno } from '../../main.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';

export interface TestStack extends Yesno {
  db: TestDatabase;
}

export async function startTestStack(
  env: Record<string, string> = {},
  opts: { http?: boolean; workers?: boolean; sinks?: NotificationSink[]; db?: TestDatabase; chatClock?: () => Date; orderSync?: OrderSyncOptions } = {},
): Promise<TestStack> {
  const db = opts.db ?? (await createTestDatabase());
  const config = loadConfig({
    DATABASE_URL: db.url,
    PORT: '0',
    MARKET_TICK_MS: '0',
    // The synthetic catalog: never the venues' real endpoints (MARKET_DATA=auto would probe them).
    MARKET_DATA: 'synthetic',
    // Venue WebSockets (live mode) default to the real hosts: point them at a closed local port.
    POLYMARKET_WS_URL: 'ws://127.0.0.1:1/ws',
    KALSHI_WS_URL: 'ws://127.0.0.1:1/trade-api/ws/v2',
    LOG_LEVEL: 'silent',
    NODE_ENV: 'test',
    ...env,
  });
  const app = await startYesno(config, { http: opts.http ?? true, workers: opts.workers ?? true, sinks: opts.sinks, chatClock: opts.chatClock, orderSync: opts.orderSync, log: pino({ level: config.LOG_LEVEL }) });
  return {
    ...app,
    db,
    async stop() {
      await app.stop();
      if (!opts.db) await db.drop();
    },
  };
}
