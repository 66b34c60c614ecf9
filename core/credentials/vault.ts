/**
 * The credential vault: VenueCredential rows (one per user, venue and kind) whose secret part is
 * sealed with AES-256-GCM under the current master key (core/credentials/cipher.ts), with the key's
 * version on every row. Secrets are decrypted only on demand (reveal) and nothing secret is cached.
 * Public parts (an address, an API key id) and non-secret settings (meta) are stored in clear.
 */
import { Prisma } from '../../generated/prisma/client.ts';
import type { Db } from '../db/client.ts';
import { open, seal, type SealContext } from './cipher.ts';
import type { KeyRing } from './master-key.ts';

/** The kinds of secret rows: Polymarket's sub-wallet key and CLOB API creds, Kalshi's API key. */
export type CredentialKind = 'wallet' | 'clob' | 'api_key';
export type CredentialVenue = 'polymarket' | 'kalshi';

/** A row as everyone but the vault sees it: no ciphertext, no secret. */
export interface CredentialInfo {
  userId: string;
  venue: CredentialVenue;
  kind: CredentialKind;
  publicId: string | null;
  meta: Record<string, unknown> | null;
  keyVersion: number;
  createdAt: Date;
  updatedAt: Date;
}

/** A row could not be decrypted: wrong or missing key version, or a tampered / moved ciphertext. The message holds no secret. */
export class VaultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VaultError';
  }
}

type Row = { id: string; userId: string; venue: string; kind: string; publicId: string | null; meta: unknown; keyVersion: number; createdAt: Date; updatedAt: Date; ciphertext: Uint8Array; iv: Uint8Array; authTag: Uint8Array };

function info(row: Row): CredentialInfo {
  return {
    userId: row.userId,
    venue: row.venue as CredentialVenue,
    kind: row.kind as CredentialKind,
    publicId: row.publicId,
    meta: (row.meta as Record<string, unknown> | null) ?? null,
    keyVersion: row.keyVersion,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export class CredentialVault {
  constructor(private readonly deps: { prisma: Db; keys: KeyRing }) {}

  /** The version new rows are sealed under. */
  get currentKeyVersion(): number {
    return this.deps.keys.current.version;
  }

  /**
   * Stores a secret (any JSON value) for (user, venue, kind). `mode: 'create'` keeps an existing row
   * and returns `created: false` (the caller then reads it); `mode: 'upsert'` replaces it.
   */
  async put(args: SealContext & {
    venue: CredentialVenue;
    kind: CredentialKind;
    secret: unknown;
    publicId?: string | null;
    meta?: Record<string, unknown> | null;
    mode?: 'create' | 'upsert';
  }): Promise<{ created: boolean; info: CredentialInfo }> {
    const { current } = this.deps.keys;
    const plaintext = Buffer.from(JSON.stringify(args.secret), 'utf8');
    const sealed = seal(current.key, plaintext, args);
    plaintext.fill(0);
    const data = {
      publicId: args.publicId ?? null,
      meta: args.meta ? (args.meta as Prisma.InputJsonValue) : Prisma.DbNull,
      ciphertext: new Uint8Array(sealed.ciphertext),
      iv: new Uint8Array(sealed.iv),
      authTag: new Uint8Array(sealed.authTag),
      keyVersion: current.version,
    };
    const where = { userId_venue_kind: { userId: args.userId, venue: args.venue, kind: args.kind } };
    if (args.mode === 'create') {
      try {
        const row = await this.deps.prisma.venueCredential.create({ data: { userId: args.userId, venue: args.venue, kind: args.kind, ...data } });
        return { created: true, info: info(row) };
      } catch (err) {
        if (!(err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002')) throw err;
        const row = await this.deps.prisma.venueCredential.findUniqueOrThrow({ where });
        return { created: false, info: info(row) };
      }
    }
    const row = await this.deps.prisma.venueCredential.upsert({
      where,
      create: { userId: args.userId, venue: args.venue, kind: args.kind, ...data },
      update: data,
    });
    return { created: true, info: info(row) };
  }

  /** Decrypts the secret of (user, venue, kind); null when there is no such row. Throws VaultError when it does not decrypt. */
  async reveal<T>(args: { userId: string; venue: CredentialVenue; kind: CredentialKind }): Promise<{ secret: T; info: CredentialInfo } | null> {
    const row = await this.deps.prisma.venueCredential.findUnique({ where: { userId_venue_kind: args } });
    if (!row) return null;
    const plaintext = this.openRow(row);
    try {
      return { secret: JSON.parse(plaintext.toString('utf8')) as T, info: info(row) };
    } finally {
      plaintext.fill(0);
    }
  }

  /** Public info of a user's rows (every venue, or one). */
  async list(userId: string, venue?: CredentialVenue): Promise<CredentialInfo[]> {
    const rows = await this.deps.prisma.venueCredential.findMany({ where: { userId, ...(venue ? { venue } : {}) }, orderBy: { createdAt: 'asc' } });
    return rows.map(info);
  }

  /** Venues with at least one row of every kind in `required` (per venue). */
  async venuesWith(userId: string, required: Readonly<Record<CredentialVenue, readonly CredentialKind[]>>): Promise<Set<CredentialVenue>> {
    const rows = await this.deps.prisma.venueCredential.findMany({ where: { userId }, select: { venue: true, kind: true } });
    const out = new Set<CredentialVenue>();
    for (const venue of Object.keys(required) as CredentialVenue[]) {
      if (required[venue].every((k) => rows.some((r) => r.venue === venue && r.kind === k))) out.add(venue);
    }
    return out;
  }

  /** Replaces the non-secret settings of a row; false when there is no such row. */
  async setMeta(args: { userId: string; venue: CredentialVenue; kind: CredentialKind; meta: Record<string, unknown> }): Promise<boolean> {
    const res = await this.deps.prisma.venueCredential.updateMany({
      where: { userId: args.userId, venue: args.venue, kind: args.kind },
      data: { meta: args.meta as Prisma.InputJsonValue },
    });
    return res.count > 0;
  }

  /** Deletes a user's rows of one venue (optionally one kind); returns how many. */
  async remove(args: { userId: string; venue: CredentialVenue; kind?: CredentialKind }): Promise<number> {
    const res = await this.deps.prisma.venueCredential.deleteMany({ where: args });
    return res.count;
  }

  /** Decrypts a raw row with the key of its version (the rekey command uses it too). */
  openRow(row: Pick<Row, 'id' | 'userId' | 'venue' | 'kind' | 'keyVersion' | 'ciphertext' | 'iv' | 'authTag'>): Buffer {
    const key = this.deps.keys.byVersion.get(row.keyVersion);
    if (!key) {
      throw new VaultError(
        `The ${row.venue} credentials (row ${row.id}) are encrypted under key version ${row.keyVersion}, which is not configured: add it to CREDENTIALS_OLD_KEYS.`,
      );
    }
    try {
      return open(key, { ciphertext: Buffer.from(row.ciphertext), iv: Buffer.from(row.iv), authTag: Buffer.from(row.authTag) }, row);
    } catch {
      throw new VaultError(
        `The ${row.venue} credentials (row ${row.id}) do not decrypt with key version ${row.keyVersion}: a wrong key under that version, or the row was altered.`,
      );
    }
  }
}
