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
import type { CredentialVault } from './vault.ts';

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

export class VaultCredentialSource implements CredentialSource {
  constructor(private readonly vault: CredentialVault) {}

  async polymarket(userId: string): Promise<PolymarketCredentials | null> {
    const wallet = await this.vault.reveal<WalletSecret>({ userId, venue: 'polymarket', kind: 'wallet' });
    if (!wallet) return null;
    const clob = await this.vault.reveal<ClobApiCreds>({ userId, venue: 'polymarket', kind: 'clob' });
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
    const row = await this.vault.reveal<KalshiSecret>({ userId, venue: 'kalshi', kind: 'api_key' });
    if (!row || !row.info.publicId) return null;
    return { keyId: row.info.publicId, privateKeyPem: row.secret.privateKeyPem };
  }
}
