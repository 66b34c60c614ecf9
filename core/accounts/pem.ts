/**
 * Kalshi private keys as users paste them: PEM, PKCS#1 (`BEGIN RSA PRIVATE KEY`, as Kalshi issues
 * them) or PKCS#8 (`BEGIN PRIVATE KEY`). Line breaks lost in a chat paste are restored. Error messages
 * describe the problem, never the key.
 */
import { createPrivateKey } from 'node:crypto';
import { AccountError } from './types.ts';

const ARMOR_RE = /-----BEGIN ([A-Z ]+)-----([\s\S]*?)-----END \1-----/;

/** A normalised RSA private key PEM, or AccountError('invalid_input'). */
export function normaliseRsaPem(input: string): string {
  const text = input.replace(/\\n/g, '\n').trim();
  const m = ARMOR_RE.exec(text);
  if (!m) {
    throw new AccountError(
      'invalid_input',
      'privateKey must be the RSA private key in PEM form, from "-----BEGIN RSA PRIVATE KEY-----" (or "-----BEGIN PRIVATE KEY-----") to the matching END line.',
    );
  }
  const label = m[1]!;
  if (label === 'ENCRYPTED PRIVATE KEY' || /Proc-Type:\s*4,ENCRYPTED/.test(m[2]!)) {
    throw new AccountError('invalid_input', 'privateKey is encrypted with a passphrase; export it without one (Kalshi issues it unencrypted).');
  }
  if (label !== 'RSA PRIVATE KEY' && label !== 'PRIVATE KEY') {
    throw new AccountError('invalid_input', `privateKey is a "${label}"; Kalshi needs an RSA private key ("BEGIN RSA PRIVATE KEY" or "BEGIN PRIVATE KEY").`);
  }
  const body = m[2]!.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) throw new AccountError('invalid_input', 'privateKey is not valid PEM: its body must be base64.');
  const pem = `-----BEGIN ${label}-----\n${body.match(/.{1,64}/g)!.join('\n')}\n-----END ${label}-----\n`;
  let key;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new AccountError('invalid_input', 'privateKey is not a readable RSA private key (the PEM body does not decode); paste the whole file Kalshi gave you.');
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new AccountError('invalid_input', `privateKey is a ${key.asymmetricKeyType ?? 'non-RSA'} key; Kalshi API keys are RSA.`);
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < 2048) throw new AccountError('invalid_input', `privateKey is a ${bits}-bit RSA key; Kalshi keys are at least 2048 bits.`);
  return pem;
}
