/**
 * /wallet: the user's linked venue accounts from chat, in a private chat only (it shows addresses
 * and balances, and linking means pasting a key). Parsed shapes, /help entry and parser; commands.ts
 * and grammar.ts include them, account.ts runs them. Parse errors never repeat what was typed.
 *
 *   /wallet                           what is linked, with balances
 *   /wallet polymarket                create (or show) your Polymarket wallet: its deposit address
 *   /wallet import <private key>      use an existing Polymarket wallet instead
 *   /wallet kalshi <key id> <PEM>     link a Kalshi API key (checked with a balance call)
 *   /wallet unlink kalshi
 *   /wallet unlink polymarket <address>
 */
import type { Venue } from '../../core/exchanges/types.ts';
import type { CommandSpec } from './commands.ts';
import type { Token } from './tokenize.ts';

export type AccountCommand =
  | { name: 'wallet'; action: 'show' }
  | { name: 'wallet'; action: 'polymarket' }
  | { name: 'wallet'; action: 'import'; privateKey: string }
  | { name: 'wallet'; action: 'kalshi'; keyId: string; privateKey: string }
  | { name: 'wallet'; action: 'unlink'; venue: Venue; confirm?: string };

export const ACCOUNT_SPECS: readonly CommandSpec[] = [
  {
    name: 'wallet',
    aliases: ['account', 'accounts', 'wallets'],
    summary: 'your Polymarket wallet and Kalshi key for live trading (private chat only)',
    usage: [
      '/wallet                          what is linked, with balances',
      '/wallet polymarket               create (or show) your Polymarket wallet and its deposit address',
      '/wallet import <private key>     use an existing Polymarket wallet instead (0x + 64 hex)',
      '/wallet kalshi <key id> <PEM>    link a Kalshi API key: the key id, then the whole private key file',
      '/wallet unlink kalshi',
      '/wallet unlink polymarket <address>   deletes that wallet\'s key: withdraw first',
    ],
    examples: ['/wallet', '/wallet polymarket', '/wallet unlink kalshi'],
    notes: [
      'Only in a private chat with me: a key pasted in a group is deleted and never used.',
      'Keys are stored encrypted and never shown again; delete your message with the key after linking.',
      'In live trading, orders only go to the venues you have linked.',
    ],
  },
];

export type AccountParse = { ok: true; command: AccountCommand } | { ok: false; problem: string; tryThis: string[] };

const no = (problem: string, ...tryThis: string[]): AccountParse => ({ ok: false, problem, tryThis });
const yes = (command: AccountCommand): AccountParse => ({ ok: true, command });

export function parseAccount(args: Token[]): AccountParse {
  const words = args.map((t) => t.value);
  const first = words[0]?.toLowerCase();
  if (!first) return yes({ name: 'wallet', action: 'show' });
  if (first === 'polymarket' || first === 'poly' || first === 'pm') {
    if (words.length > 1) return no('/wallet polymarket takes nothing more; to use an existing wallet, send /wallet import <private key>.', '/wallet polymarket');
    return yes({ name: 'wallet', action: 'polymarket' });
  }
  if (first === 'import') {
    if (words.length !== 2) return no('Send the wallet\'s private key after /wallet import, on its own (0x and 64 hex characters).', '/wallet import 0x<64 hex>');
    return yes({ name: 'wallet', action: 'import', privateKey: words[1]! });
  }
  if (first === 'kalshi') {
    if (words.length < 3) return no('Send the Kalshi key id, then the whole private key file (from -----BEGIN to -----END).', '/wallet kalshi <key id> <PEM>');
    return yes({ name: 'wallet', action: 'kalshi', keyId: words[1]!, privateKey: words.slice(2).join(' ') });
  }
  if (first === 'unlink' || first === 'remove') {
    const venue = words[1]?.toLowerCase();
    if (venue === 'kalshi' && words.length === 2) return yes({ name: 'wallet', action: 'unlink', venue: 'kalshi' });
    if (venue === 'polymarket' && words.length <= 3) return yes({ name: 'wallet', action: 'unlink', venue: 'polymarket', confirm: words[2] });
    return no('Say which venue to unlink: kalshi, or polymarket with your wallet address.', '/wallet unlink kalshi', '/wallet unlink polymarket 0x…');
  }
  return no('I know /wallet, /wallet polymarket, /wallet import, /wallet kalshi and /wallet unlink.', '/wallet', '/wallet polymarket');
}
