/**
 * Splits a chat line into a command name and argument tokens. Quotes (straight or typographic)
 * group words: `/buy "fed cut" yes $25` → buy, [fed cut] (quoted), yes, $25.
 */

export interface Token {
  value: string;
  /** True when the user wrapped it in quotes: always market words, never a keyword. */
  quoted: boolean;
}

export interface TokenizedLine {
  /** Lower-case command name without the slash or a Telegram "@botname" suffix; '' for an empty line. */
  name: string;
  /** Whether the line started with "/". */
  slash: boolean;
  args: Token[];
}

export class TokenizeError extends Error {
  override readonly name = 'TokenizeError';
}

const DOUBLE = '"“”„«»';
const SINGLE = "'‘’";
/** The quote family a character opens, if any. */
function family(ch: string): string | undefined {
  return DOUBLE.includes(ch) ? DOUBLE : SINGLE.includes(ch) ? SINGLE : undefined;
}

/** Splits `text`; throws TokenizeError for an unclosed quote. */
export function tokenize(text: string): TokenizedLine {
  const tokens: Token[] = [];
  const s = text.replace(/\u00a0/g, ' ').trim();
  let i = 0;
  while (i < s.length) {
    const ch = s[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const closers = family(ch);
    // A quote opens a group only at the start of a word (so "don't" stays one word).
    if (closers !== undefined) {
      const end = findClose(s, i + 1, closers);
      if (end < 0) {
        throw new TokenizeError(`The quote before ${JSON.stringify(s.slice(i + 1, i + 21))} is never closed.`);
      }
      const inner = s.slice(i + 1, end).replace(/\s+/g, ' ').trim();
      tokens.push({ value: inner, quoted: true });
      i = end + 1;
      continue;
    }
    let j = i;
    while (j < s.length && !/\s/.test(s[j]!)) j++;
    tokens.push({ value: s.slice(i, j), quoted: false });
    i = j;
  }
  const first = tokens.shift();
  if (!first) return { name: '', slash: false, args: [] };
  if (first.quoted) return { name: first.value.toLowerCase(), slash: false, args: tokens };
  const slash = first.value.startsWith('/');
  const name = first.value.replace(/^\/+/, '').replace(/@[\w.-]*$/, '').toLowerCase();
  return { name, slash, args: tokens };
}

function findClose(s: string, from: number, closers: string): number {
  for (let k = from; k < s.length; k++) if (closers.includes(s[k]!)) return k;
  return -1;
}
