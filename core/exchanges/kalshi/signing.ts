/**
 * Kalshi request signing (node:crypto only).
 *
 *   KALSHI-ACCESS-KEY:       the API key id
 *   KALSHI-ACCESS-TIMESTAMP: now in milliseconds
 *   KALSHI-ACCESS-SIGNATURE: base64 RSA-PSS-SHA256 (MGF1-SHA256, salt length 32 = digest length)
 *                            over `${ts}${METHOD}${pathname}`; pathname includes /trade-api/v2 and
 *                            excludes the query string. (Node's default PSS salt length is the
 *                            maximum, which Kalshi refuses: it is set explicitly.)
 *
 * Kalshi issues private keys as PKCS#1 PEM (`BEGIN RSA PRIVATE KEY`); PKCS#8 (`BEGIN PRIVATE KEY`)
 * is accepted too. A key that cannot be read fails with a message that never contains the key.
 */
import crypto from 'node:crypto';
import { VenueError } from '../types.ts';

/** Parses a PEM RSA private key (PKCS#1 or PKCS#8). Throws VenueError rejected BAD_CREDENTIALS. */
export function loadKalshiPrivateKey(pem: string): crypto.KeyObject {
  const fail = (why: string) =>
    new VenueError({
      kind: 'rejected',
      code: 'BAD_CREDENTIALS',
      venue: 'kalshi',
      message: `The Kalshi private key cannot be used: ${why}. Paste the whole PEM file Kalshi gave you, from "-----BEGIN RSA PRIVATE KEY-----" to the END line.`,
    });
  if (typeof pem !== 'string' || pem.trim().length === 0) throw fail('it is empty');
  // Keys pasted through JSON or chat often carry literal "\n" instead of line breaks.
  const text = pem.includes('\\n') && !pem.includes('\n') ? pem.replace(/\\n/g, '\n') : pem;
  const trimmed = text.trim();
  if (/BEGIN ENCRYPTED PRIVATE KEY|Proc-Type: 4,ENCRYPTED/.test(trimmed)) throw fail('it is encrypted with a passphrase');
  if (!/-----BEGIN (RSA )?PRIVATE KEY-----/.test(trimmed)) throw fail('it is not a PEM private key');
  let key: crypto.KeyObject;
  try {
    key = crypto.createPrivateKey({ key: trimmed, format: 'pem' });
  } catch {
    // The crypto error may quote parts of the input: do not pass it on.
    throw fail('the PEM is damaged or incomplete');
  }
  if (key.asymmetricKeyType !== 'rsa') throw fail(`it is a ${key.asymmetricKeyType ?? 'non-RSA'} key, Kalshi keys are RSA`);
  return key;
}

/** The base64 RSA-PSS signature Kalshi expects for one request. */
export function signKalshiRequest(args: { key: crypto.KeyObject; timestampMs: string; method: string; pathname: string }): string {
  return crypto
    .sign('sha256', Buffer.from(`${args.timestampMs}${args.method}${args.pathname}`), {
      key: args.key,
      padding: crypto.constants.RSA_PKCS1_PSS_PADDING,
      saltLength: crypto.constants.RSA_PSS_SALTLEN_DIGEST,
    })
    .toString('base64');
}

/** The three auth headers for one request. `pathname` must include /trade-api/v2 and exclude the query. */
export function kalshiAuthHeaders(args: {
  keyId: string;
  key: crypto.KeyObject;
  method: string;
  pathname: string;
  nowMs: number;
}): Record<string, string> {
  const ts = String(Math.trunc(args.nowMs));
  return {
    'KALSHI-ACCESS-KEY': args.keyId,
    'KALSHI-ACCESS-TIMESTAMP': ts,
    'KALSHI-ACCESS-SIGNATURE': signKalshiRequest({ key: args.key, timestampMs: ts, method: args.method, pathname: args.pathname }),
  };
}
