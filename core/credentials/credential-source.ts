/**
 * The CredentialSource live adapters read (core/exchanges/credentials.ts), over the vault's rows.
 * Every call reads and decrypts afresh: nothing secret is cached here.
 *
 * Row layout (VenueCredential, unique per user + venue + kind):
 * - polymarket / wallet: secret `{ privateKey }`, publicId = signer address, meta `{ signatureType, funderAddress? }`
 * - polymarket / clob: secret `{ key, secret, passphrase }` (CLOB L2 creds), publicId null
 * - kalshi / api_key: secret `{ privateKeyPem }`, publicId = the API key id
 */
import type { ClobApiCreds, CredentialSource, KalshiCredentials, PolymarketCredentials, PolymarketSignatureType } from '../exchanges/credentials.ts';
import { VenueError, type Venue } from '../exchanges/types.ts';
import { VaultError, type CredentialVault } from './vault.ts';

/** Secret part of the polymarket/wallet row. */
export interface WalletSecret {
  privateKey: `0x${string}`;
}
/** Non-secret part of the polymarket/wallet row. */
export interface WalletMeta {
  signatureType: PolymarketSignatureType;
  funderAddress?: `0x${string}`;
  /** 'generated' by yesno, or 'imported' by the user. */
  origin?: 'generated' | 'imported';
}
/** Secret part of the kalshi/api_key row. */
export interface KalshiSecret {
  privateKeyPem: string;
}

/** Which rows make a venue "linked" (tradable). */
export const LINKED_KINDS = { polymarket: ['wallet', 'clob'], kalshi: ['api_key'] } as const satisfies Record<string, readonly ('wallet' | 'clob' | 'api_key')[]>;

/**
 * A row that does not decrypt (a changed master key, a row moved or altered) is a rejection before
 * anything is sent: the adapter's call fails with a readable reason instead of an unknown outcome.
 */
async function readable<T>(venue: Venue, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (!(err instanceof VaultError)) throw err;
    const name = venue === 'polymarket' ? 'Polymarket' : 'Kalshi';
    throw new VenueError({ kind: 'rejected', code: 'BAD_CREDENTIALS', venue, message: `Your stored ${name} credentials cannot be read by this server, so nothing was sent (${err.message}). The operator has to configure the key they were encrypted with.`, cause: err });
  }
}

export class VaultCredentialSource implements CredentialSource {
  constructor(private readonly vault: CredentialVault) {}

  async polymarket(userId: string): Promise<PolymarketCredentials | null> {
    // Both rows at once (one round trip of latency on the order path).
    const [wallet, clob] = await Promise.all([
      readable('polymarket', () => this.vault.reveal<WalletSecret>({ userId, venue: 'polymarket', kind: 'wallet' })),
      readable('polymarket', () => this.vault.reveal<ClobApiCreds>({ userId, venue: 'polymarket', kind: 'clob' })),
    ]);
    if (!wallet) return null;
    const meta = (wallet.info.meta ?? {}) as Partial<WalletMeta>;
    const address = wallet.info.publicId as `0x${string}`;
    return {
      privateKey: wallet.secret.privateKey,
      address,
      signatureType: meta.signatureType ?? 0,
      funderAddress: meta.funderAddress ?? address,
      ...(clob ? { apiCreds: clob.secret } : {}),
    };
  }

  async kalshi(userId: string): Promise<KalshiCredentials | null> {
    const row = await readable('kalshi', () => this.vault.reveal<KalshiSecret>({ userId, venue: 'kalshi', kind: 'api_key' }));
    if (!row || !row.info.publicId) return null;
    return { keyId: row.info.publicId, privateKeyPem: row.secret.privateKeyPem };
  }
}
