/** The credential vault: master keys, AES-256-GCM sealing, VenueCredential rows, rotation, and the CredentialSource live adapters read. */
export { createKeyRing, keyRingFromConfig, masterKeyProblem, oldKeysProblems, parseMasterKey, MasterKeyError, type KeyRing, type VersionedKey } from './master-key.ts';
export { CredentialVault, VaultError, type CredentialInfo, type CredentialKind, type CredentialVenue } from './vault.ts';
export { rekeyCredentials, type RekeyResult } from './rekey.ts';
export { VaultCredentialSource, LINKED_KINDS, type WalletSecret, type WalletMeta, type KalshiSecret } from './credential-source.ts';
