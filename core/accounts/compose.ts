/**
 * Builds the AccountService for an entry point: the vault, and the venue calls it needs, bound to the
 * config's venue hosts: Polymarket L1 api-key creation/derivation (core/exchanges/polymarket/wallet.ts),
 * the Kalshi balance check (core/exchanges/kalshi/adapter.ts), and in live mode the live adapters'
 * balances for GET /account.
 */
import type { Config } from '../config.ts';
import type { CredentialVault } from '../credentials/vault.ts';
import type { Db } from '../db/client.ts';
import { verifyKalshiCredentials } from '../exchanges/kalshi/adapter.ts';
import { createOrDeriveApiCreds, generateSubWallet } from '../exchanges/polymarket/wallet.ts';
import type { AdapterRegistry } from '../exchanges/types.ts';
import { AccountService, type AccountServiceDeps } from './account-service.ts';

export function createAccountService(args: {
  config: Pick<Config, 'TRADING_MODE' | 'POLYMARKET_CLOB_URL' | 'POLYMARKET_CHAIN_ID' | 'KALSHI_API_URL' | 'VENUE_TIMEOUT_MS'>;
  vault: CredentialVault;
  prisma: Db;
  /** The adapters trading runs on: their balances are shown only when they are the live ones. */
  adapters: AdapterRegistry;
  log?: AccountServiceDeps['log'];
  fetch?: typeof fetch;
}): AccountService {
  const { config } = args;
  const live = config.TRADING_MODE === 'live';
  return new AccountService({
    vault: args.vault,
    prisma: args.prisma,
    mode: config.TRADING_MODE,
    newWallet: generateSubWallet,
    deriveClobCreds: ({ privateKey }) =>
      createOrDeriveApiCreds({ privateKey, clobUrl: config.POLYMARKET_CLOB_URL, chainId: config.POLYMARKET_CHAIN_ID as 137 | 80002, timeoutMs: config.VENUE_TIMEOUT_MS, fetch: args.fetch }),
    verifyKalshi: async ({ keyId, privateKeyPem }) => ({
      available: await verifyKalshiCredentials({ apiUrl: config.KALSHI_API_URL, keyId, privateKeyPem, timeoutMs: config.VENUE_TIMEOUT_MS, fetch: args.fetch }),
    }),
    balance: live
      ? async ({ venue, userId }) => {
          const adapter = args.adapters.get(venue);
          if (!adapter) throw new Error(`no ${venue} adapter`);
          return (await adapter.getBalance({ account: { userId } })).available;
        }
      : undefined,
    log: args.log,
  });
}
