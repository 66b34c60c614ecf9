/** "Did you mean …?" for mistyped command names: the closest name or alias by edit distance. */
import { allCommandWords, findCommand, type CommandSpec } from './commands.ts';

/** Damerau-Levenshtein (optimal string alignment) distance. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The command the user most likely meant, or undefined when nothing is close. */
export function suggestCommand(word: string): CommandSpec | undefined {
  const w = word.toLowerCase();
  if (!w) return undefined;
  let best: { spec: CommandSpec; dist: number; len: number } | undefined;
  for (const candidate of allCommandWords()) {
    if (candidate.length < 2) continue;
    // A prefix ("/pos" → positions, "/bala" → balance) counts as very close.
    const dist = candidate.startsWith(w) && w.length >= 3 ? 0.5 : editDistance(w, candidate);
    const spec = findCommand(candidate)!;
    if (spec.hidden) continue;
    if (!best || dist < best.dist || (dist === best.dist && candidate.length < best.len)) best = { spec, dist, len: candidate.length };
  }
  if (!best) return undefined;
  const allowed = w.length <= 3 ? 1 : w.length <= 6 ? 2 : 3;
  return best.dist <= allowed ? best.spec : undefined;
}
