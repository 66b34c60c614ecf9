/**
 * Secrets belong in private chats only. `looksLikeSecret` spots what must never sit in a group:
 * PEM private keys (a Kalshi API key), 64-hex private keys (an EVM wallet, with or without 0x),
 * BIP-39-like seed phrases, bot tokens and API secrets. The dispatcher refuses such a message in a
 * group with a pointer to the private chat, asks the transport to delete it, stores nothing and
 * never repeats the text.
 *
 * Market ids stay usable: Polymarket condition ids are 0x + 64 hex, so an 0x-hex word is a secret
 * only outside a known command (or next to words like "private key"); a bare 64-hex word outside a
 * known command is always one (wallets export private keys without 0x; hashes are shown with 0x).
 */
import { findCommand } from './commands.ts';

/** Commands through which secrets are (later) meant to arrive: only ever in a private chat. */
export const SECRET_COMMANDS: ReadonlySet<string> = new Set(['link', 'wallet', 'import', 'key', 'keys', 'apikey', 'connect']);

const PEM_RE = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/i;
/** A PEM body without its armor: DER of a key starts "MII…" (PKCS#1 "MIIEpAIBAAK…", PKCS#8 "MIIEvQIBADAN…"). */
const DER_B64_RE = /(^|[^A-Za-z0-9+/])MII[A-Za-z0-9+/]{60,}={0,2}/;
const HEX64_BARE_RE = /(^|[^0-9a-fx])[0-9a-f]{64}(?![0-9a-f])/i;
const HEX64_0X_RE = /(^|[^0-9a-z])0x[0-9a-f]{64}(?![0-9a-f])/i;
const KEY_WORDS_RE = /\b(priv(ate)?[\s_-]?key|privkey|secret[\s_-]?key|private|seed|mnemonic|recovery[\s_-]?phrase|passphrase|pk)\b/i;
/** Telegram bot tokens: "<bot id>:<35 chars>". */
const TELEGRAM_TOKEN_RE = /\b\d{6,12}:[A-Za-z0-9_-]{35}\b/;
/** Discord bot tokens: three base64url parts, the first one a base64 user id. */
const DISCORD_TOKEN_RE = /\b[MNO][A-Za-z\d_-]{23,27}\.[A-Za-z\d_-]{6}\.[A-Za-z\d_-]{27,40}\b/;
/** yesno's own API tokens (core/users): "yn_" + 32 base64url characters. */
// Not \b at the end: a token may end in "-", after which \b never matches at the end of a message.
const YESNO_TOKEN_RE = /\byn_[A-Za-z0-9_-]{32}(?![A-Za-z0-9_-])/;
/** Common provider key shapes (OpenAI "sk-…", Stripe "sk_live_…", GitHub "ghp_…", AWS secret access keys with their label). */
const PROVIDER_KEY_RE = /\b(sk-[A-Za-z0-9_-]{20,}|sk_(live|test)_[A-Za-z0-9]{16,}|gh[pousr]_[A-Za-z0-9]{36,}|xox[abpr]-[A-Za-z0-9-]{10,})\b/;
/**
 * Labeled API credentials, as Polymarket CLOB credentials and Kalshi keys are usually pasted:
 * "secret: …", "api_secret=…", "passphrase: …", "private_key": "…" (a value of 16+ characters).
 */
const LABELED_SECRET_RE =
  /\b(api[\s_-]?secret|secret|api[\s_-]?passphrase|passphrase|private[\s_-]?key|priv[\s_-]?key|signing[\s_-]?key|access[\s_-]?secret|client[\s_-]?secret)["']?\s*[:=]\s*["']?[A-Za-z0-9+/=_-]{16,}/i;
/** WIF (Bitcoin) and base58 private keys (Solana: 87-88 characters). */
const BASE58_LONG_RE = /(^|[^1-9A-HJ-NP-Za-km-z])[1-9A-HJ-NP-Za-km-z]{80,90}(?![1-9A-HJ-NP-Za-km-z])/;
const WIF_RE = /(^|[^1-9A-HJ-NP-Za-km-z])[5KL][1-9A-HJ-NP-Za-km-z]{50,51}(?![1-9A-HJ-NP-Za-km-z])/;

/** Words of 3-8 letters that BIP-39's English list never uses but every sentence does. */
const SENTENCE_WORDS = new Set([
  'the', 'and', 'for', 'with', 'from', 'are', 'was', 'were', 'his', 'her', 'she', 'but', 'not', 'has', 'had', 'its', 'our', 'your',
  'who', 'why', 'how', 'which', 'would', 'could', 'should', 'been', 'being', 'does', 'did', 'done', 'than', 'them', 'these', 'those',
  'yes', 'buy', 'sells', 'bought', 'sold', 'shares', 'cents', 'markets',
]);
const SEED_LENGTHS = [12, 15, 18, 21, 24];

/**
 * True when the message holds something that must not be posted in a group: a private key in any
 * of its usual forms, a seed phrase, a bot token or a labeled API secret. Pure; never logs.
 */
export function looksLikeSecret(text: string): boolean {
  if (!text) return false;
  if (PEM_RE.test(text) || DER_B64_RE.test(text)) return true;
  if (TELEGRAM_TOKEN_RE.test(text) || DISCORD_TOKEN_RE.test(text) || YESNO_TOKEN_RE.test(text) || PROVIDER_KEY_RE.test(text)) return true;
  if (LABELED_SECRET_RE.test(text)) return true;

  const command = commandOf(text);
  // A known command other than the secret-taking ones: hex words are market ids (condition ids),
  // word runs are search words.
  const marketCommand = command !== null && !SECRET_COMMANDS.has(command);
  if (!marketCommand) {
    if (HEX64_BARE_RE.test(text)) return true;
    if (HEX64_0X_RE.test(text) && (command !== null || KEY_WORDS_RE.test(text) || isOnlyHex(text))) return true;
    if (WIF_RE.test(text) || BASE58_LONG_RE.test(text)) return true;
    if (looksLikeSeedPhrase(text)) return true;
  }
  return false;
}

/** The known command a message starts with ("/buy", "buy@bot"), or null. Secret-taking names count even before they exist. */
function commandOf(text: string): string | null {
  const m = /^\s*\/?([a-z][a-z0-9_]*)(@[\w.-]+)?(\s|$)/i.exec(text);
  if (!m || !text.trim().startsWith('/')) return null;
  const word = m[1]!.toLowerCase();
  if (SECRET_COMMANDS.has(word)) return word;
  return findCommand(word)?.name ?? null;
}

function isOnlyHex(text: string): boolean {
  return /^\s*["'`]?0x[0-9a-f]{64}["'`]?\s*$/i.test(text);
}

/**
 * A BIP-39-like mnemonic: 12, 15, 18, 21 or 24 lower-case words of 3-8 letters in a row (optionally
 * numbered "1. word" or "1) word"), with no word that only sentences use, making up nearly the
 * whole message (a label such as "seed:" or a command may come first).
 */
export function looksLikeSeedPhrase(text: string): boolean {
  const tokens = text
    .replace(/\b\d{1,2}[.):]\s*/g, ' ')
    .split(/[\s,;]+/)
    .filter(Boolean);
  let run = 0;
  let best = 0;
  for (const t of tokens) {
    if (/^[a-z]{3,8}$/.test(t) && !SENTENCE_WORDS.has(t)) {
      run++;
      best = Math.max(best, run);
    } else {
      run = 0;
    }
  }
  if (best < 12) return false;
  const length = SEED_LENGTHS.filter((n) => n <= best).at(-1)!;
  // The run is (nearly) the whole message: at most three other words around it.
  return tokens.length - length <= 3 + (best - length);
}

/** What a group hears instead of the secret. Never quotes the message. */
export function secretRefusal(opts: { platform: string }): string {
  const where = opts.platform === 'discord' ? 'a direct message to me' : 'our private chat';
  return [
    'That message looks like a secret (a private key, a seed phrase or an API secret), so I did not read or store it, and I remove it where I can.',
    `Never post keys in a group: anyone here can copy them. Send it in ${where} instead, and if it was a real key, consider it exposed and replace it.`,
  ].join('\n');
}

/** What a private chat hears when a message that looks like a secret is not a command: nothing is kept, nothing echoed. */
export function secretPrivateNote(): string {
  return 'That looks like a private key, a seed phrase or an API secret. I did not store it, and I never need a seed phrase. Linking Kalshi or Polymarket keys is not available yet; delete that message if it holds a real key.';
}
