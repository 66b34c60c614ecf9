/**
 * Configuration: one zod schema, parsed once at start; every problem listed in one readable error.
 * The only module that reads process.env.
 */
import { z } from 'zod';
import { Decimal } from './money.ts';
import { masterKeyProblem, oldKeysProblems } from './credentials/master-key.ts';

const decimalString = (name: string) =>
  z
    .string()
    .regex(/^\d+(\.\d+)?$/, `${name} must be a positive decimal number like 1000 or 12.5`)
    .transform((s) => new Decimal(s));

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const port = z.coerce.number().int().min(0).max(65535);

const url = (name: string, fallback: string) =>
  z
    .string()
    .url(`${name} must be a URL like ${fallback}`)
    .transform((u) => u.replace(/\/+$/, ''))
    .default(fallback);

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

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
  /**
   * Seconds without a market data update after which a listing counts as stale: its snipers and
   * TP/SL pause (owners are told) until fresh data arrives. 0 disables the guard. Unset: 30, or off
   * when MARKET_TICK_MS=0 (no synthetic walk: prices move only when a test moves them).
   */
  MARKET_STALE_SECONDS: z.coerce.number().int().min(0).optional(),
  /** Hours of price history (PriceTick) kept for charts and alerts. */
  PRICE_HISTORY_HOURS: z.coerce.number().int().min(1).default(24),
  /** Default cap on one order's notional in USD, per user unless the user has their own. */
  MAX_ORDER_USD: decimalString('MAX_ORDER_USD').default(new Decimal(10000)),
  /** Default slippage guard of market orders (fraction, 0.05 = 5%). */
  DEFAULT_SLIPPAGE: decimalString('DEFAULT_SLIPPAGE').default(new Decimal('0.05')),
  /** Requests per minute per API token and per chat user. */
  RATE_LIMIT_PER_MIN: z.coerce.number().int().min(1).default(600),
  /** Run pg-boss workers in this process. */
  RUN_WORKERS: bool.default(true),
  TELEGRAM_BOT_TOKEN: z.string().optional(),
  /** Bot API root (a self-hosted Bot API server, or a test fake), e.g. http://127.0.0.1:8081. Default https://api.telegram.org. */
  TELEGRAM_API_ROOT: z
    .string()
    .url('TELEGRAM_API_ROOT must be a URL like https://api.telegram.org')
    .transform((u) => u.replace(/\/+$/, ''))
    .optional(),
  /**
   * Public HTTPS URL that reaches this server's /telegram/webhook: set it to receive updates by
   * webhook (setWebhook at start) instead of long polling. Needs TELEGRAM_WEBHOOK_SECRET.
   */
  TELEGRAM_WEBHOOK_URL: z.string().url('TELEGRAM_WEBHOOK_URL must be a URL like https://bot.example.com/telegram/webhook').optional(),
  /** Secret Telegram sends in X-Telegram-Bot-Api-Secret-Token with every webhook call (16-256 of A-Z a-z 0-9 _ -). */
  TELEGRAM_WEBHOOK_SECRET: z
    .string()
    .regex(/^[A-Za-z0-9_-]{16,256}$/, 'TELEGRAM_WEBHOOK_SECRET must be 16-256 characters of A-Z, a-z, 0-9, _ and -')
    .optional(),
  /** Discord bot token; with DISCORD_APP_ID it starts the Discord bot (gateway + DM notifications). */
  DISCORD_TOKEN: z.string().optional(),
  /** The Discord application id (developer portal → General Information). Required with DISCORD_TOKEN. */
  DISCORD_APP_ID: z.string().regex(/^\d{1,25}$/, 'DISCORD_APP_ID must be the numeric application id').optional(),
  /** Discord REST base without the version, e.g. http://127.0.0.1:8080/api (fakes); the gateway URL comes from GET /gateway/bot. */
  DISCORD_API_URL: z.string().url('DISCORD_API_URL must be a URL like https://discord.com/api').optional(),
  /** `npm run discord:register` registers the slash commands in this guild only (instant) instead of globally. */
  DISCORD_GUILD_ID: z.string().regex(/^\d{1,25}$/, 'DISCORD_GUILD_ID must be a numeric guild id').optional(),
  /** How long a buy/sell quote may be confirmed in chat (seconds). */
  CONFIRM_TTL_SECONDS: z.coerce.number().int().min(1).max(900).default(60),
  /**
   * Master key of the credential vault (AES-256-GCM): 32 random bytes as 64 hex characters or base64.
   * Required when TRADING_MODE=live. See core/credentials/ for key versions and re-encryption.
   */
  CREDENTIALS_KEY: z
    .string()
    .superRefine((s, ctx) => {
      const problem = masterKeyProblem(s);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional(),
  /** The version recorded on rows CREDENTIALS_KEY encrypts; raise it when rotating to a new key. */
  CREDENTIALS_KEY_VERSION: z.coerce.number().int().min(1).max(999_999).default(1),
  /**
   * Earlier master keys that still decrypt older rows until `npm run credentials:rekey` has moved
   * them to the current key: "<version>:<key>,<version>:<key>".
   */
  CREDENTIALS_OLD_KEYS: z.string().optional(),
  // ---- Venues (live trading, live market data, following wallets) ----
  POLYMARKET_CLOB_URL: url('POLYMARKET_CLOB_URL', 'https://clob.polymarket.com'),
  /** Public data API (per-wallet trade history for copy/counter trading). */
  POLYMARKET_DATA_URL: url('POLYMARKET_DATA_URL', 'https://data-api.polymarket.com'),
  /** Gamma API (market metadata for the catalog sync). */
  POLYMARKET_GAMMA_URL: url('POLYMARKET_GAMMA_URL', 'https://gamma-api.polymarket.com'),
  /** WebSocket base; the market and user channels are `${base}/market` and `${base}/user`. */
  POLYMARKET_WS_URL: url('POLYMARKET_WS_URL', 'wss://ws-subscriptions-clob.polymarket.com/ws'),
  /** 137 (Polygon) or 80002 (Amoy testnet). */
  POLYMARKET_CHAIN_ID: z.coerce
    .number()
    .int()
    .refine((n) => n === 137 || n === 80002, 'POLYMARKET_CHAIN_ID must be 137 (Polygon) or 80002 (Amoy)')
    .default(137),
  /** Kalshi Trade API v2 base, including /trade-api/v2 (demo: https://demo-api.kalshi.co/trade-api/v2). */
  KALSHI_API_URL: url('KALSHI_API_URL', 'https://api.elections.kalshi.com/trade-api/v2'),
  KALSHI_WS_URL: url('KALSHI_WS_URL', 'wss://api.elections.kalshi.com/trade-api/ws/v2'),
  /** Timeout of one venue HTTP call (ms); a timeout after sending an order is an unknown outcome. */
  VENUE_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /**
   * Market data source: `auto` (the venues' public endpoints when reachable, the synthetic catalog
   * when not), `live` (venues only) or `synthetic` (never call the venues).
   */
  MARKET_DATA: z.enum(['auto', 'live', 'synthetic']).default('auto'),
  /** Seconds between polls of the venues' public books when no stream is connected. */
  MARKET_POLL_SECONDS: z.coerce.number().min(0.2).max(3600).default(2),
  /** Seconds between polls of each followed wallet's trades (copy/counter trading). */
  FOLLOW_POLL_SECONDS: z.coerce.number().min(0.2).max(3600).default(5),
  /** IANA time zone of the daily counter/copy-trade reset (midnight there). */
  COUNTER_RESET_TZ: z
    .string()
    .refine((tz) => isTimeZone(tz), 'COUNTER_RESET_TZ must be an IANA time zone like UTC or America/New_York')
    .default('UTC'),
});

export type Config = z.infer<typeof configSchema>;

/** MARKET_STALE_SECONDS as the monitors use it: 0 = guard off (see the schema for the default). */
export function marketStaleSeconds(config: Pick<Config, 'MARKET_STALE_SECONDS' | 'MARKET_TICK_MS'>): number {
  return config.MARKET_STALE_SECONDS ?? (config.MARKET_TICK_MS === 0 ? 0 : 30);
}

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
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`);
  if (cleaned.DISCORD_TOKEN && !cleaned.DISCORD_APP_ID) {
    problems.push('DISCORD_APP_ID: required when DISCORD_TOKEN is set (the application id from the Discord developer portal)');
  }
  if (cleaned.TELEGRAM_WEBHOOK_URL && !cleaned.TELEGRAM_WEBHOOK_SECRET) {
    problems.push('TELEGRAM_WEBHOOK_SECRET: required when TELEGRAM_WEBHOOK_URL is set (without it anyone could post fake updates)');
  }
  // Never echo key material: the messages below name the variable and the shape only.
  if (cleaned.TRADING_MODE === 'live' && !cleaned.CREDENTIALS_KEY) {
    problems.push('CREDENTIALS_KEY: required when TRADING_MODE=live (it encrypts users\' venue keys); generate one with: openssl rand -hex 32');
  }
  if (cleaned.CREDENTIALS_OLD_KEYS) {
    if (!cleaned.CREDENTIALS_KEY) problems.push('CREDENTIALS_OLD_KEYS: needs CREDENTIALS_KEY (the current key) as well');
    const version = parsed.success ? parsed.data.CREDENTIALS_KEY_VERSION : Number(cleaned.CREDENTIALS_KEY_VERSION ?? 1);
    problems.push(...oldKeysProblems(cleaned.CREDENTIALS_OLD_KEYS, version).map((p) => `CREDENTIALS_OLD_KEYS: ${p}`));
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  return parsed.data;
}
