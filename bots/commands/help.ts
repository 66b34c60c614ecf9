/** /help and /help <command>: every command with its forms, aliases and runnable examples. */
import { COMMANDS, findCommand } from './commands.ts';
import { suggestCommand } from './suggest.ts';

/** The overview: one line per command with an example, then how to read <market>. */
export function helpOverview(): string {
  const lines = ['yesno trades Polymarket and Kalshi markets (paper money unless live trading is set up).', ''];
  for (const spec of COMMANDS) {
    if (spec.hidden) continue;
    lines.push(`/${spec.name} - ${spec.summary}   e.g. ${spec.examples[spec.examples.length > 1 ? 1 : 0]}`);
  }
  lines.push(
    '',
    '<market>: a market id or slug, words of its title (bare or "in quotes"), or a pasted Polymarket/Kalshi link.',
    'Amounts: $25 is dollars, 10 is shares; prices are 0.42 or 42c. Add "on kalshi" or "on polymarket" to pick the venue.',
    'Buys and sells show a quote first; answer Confirm or Cancel (in the console: y or n on the next line, also in scripts).',
    'Shortcuts: /b buy, /s sell, /p price, /pos positions, /bal balance, /o orders, /m markets.  /help <command> for details.',
  );
  return lines.join('\n');
}

/** Details of one command, or a suggestion when the topic is not a command. */
export function helpFor(topic: string): { found: boolean; text: string } {
  const spec = findCommand(topic);
  if (!spec) {
    const guess = suggestCommand(topic);
    return {
      found: false,
      text: guess
        ? `There is no /${topic} command. Did you mean /${guess.name}? Try: /help ${guess.name}`
        : `There is no /${topic} command. Send /help to see every command.`,
    };
  }
  const lines = [`/${spec.name} - ${spec.summary}`, '', 'Forms:', ...spec.usage.map((u) => `  ${u}`), '', 'Examples:', ...spec.examples.map((e) => `  ${e}`)];
  if (spec.aliases.length) lines.push('', `Also: ${spec.aliases.map((a) => `/${a}`).join(', ')}`);
  if (spec.notes?.length) lines.push('', ...spec.notes);
  return { found: true, text: lines.join('\n') };
}
