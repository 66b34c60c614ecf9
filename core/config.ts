/**
 * Configuration: one zod schema, parsed once at start; every problem listed in one readable error.
 * The only module that reads process.env.
 */
import { z } from 'zod';
import { Decimal } from './money.ts';

const decimalString = (name: string) =>
  z
    .string()
    .regex(/^\d+(\.\d+)?$/, `${name} must be a positive decimal number like 1000 or 12.5`)
    .transform((s) => new Decimal(s));

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const port = z.coerce.number().int().min(0).max(65535);

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Postgres connection string; empty → embedded PostgreSQL under DATA_DIR. */
  DATABASE_URL: z.string().url('DATABASE_URL must be a postgres:// URL').optional(),
  DATA_DIR: z.string().default('./.data'),
  EMBEDDED_PG_PORT: port.default(54329),
  HOST: z.string().default('127.0.0.1'),
  PORT: port.default(3000),
  /** Enables /admin when set (min 16 characters). */
  ADMIN_TOKEN: z.string().min(16, 'ADMIN_TOKEN must be at least 16 characters').optional(),
  TRADING_MODE: z.enum(['paper', 'live']).default('paper'),
  PAPER_BALANCE: decimalString('PAPER_BALANCE').default(new Decimal(1000)),
  /** Seed of the synthetic market random walk (same seed, same prices). */
  MARKET_SEED: z.coerce.number().int().default(42),
  /** Milliseconds between synthetic market data ticks; 0 disables the walk. */
  MARKET_TICK_MS: z.coerce.number().int().min(0).default(2000),
  /** Default cap on one order's notional in USD, per user unless the user has their own. */
  MAX_ORDER_USD: decimalString('MAX_ORDER_USD').default(new Decimal(10000)),
  /** Default slippage guard of market orders (fraction, 0.05 = 5%). */
  DEFAULT_SLIPPAGE: decimalString('DEFAULT_SLIPPAGE').default(new Decimal('0.05')),
  /** Requests per minute per API token and per chat user. */
  RATE_LIMIT_PER_MIN: z.coerce.number().int().min(1).default(600),
  /** Run pg-boss workers in this process. */
  RUN_WORKERS: bool.default(true),
  TELEGRAM_BOT_TOKEN: z.string().optional(),
  DISCORD_TOKEN: z.string().optional(),
  DISCORD_APP_ID: z.string().optional(),
  CREDENTIALS_KEY: z.string().optional(),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses an environment (process.env by default); empty strings count as unset. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = configSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`));
  }
  return parsed.data;
}
