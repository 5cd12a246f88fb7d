// Turns node:util parseArgs errors into short messages, with "did you mean" for a mistyped flag.

type Options = Record<string, { type: 'string' | 'boolean'; short?: string }>;

/** Edit distance (insertions, deletions, substitutions, adjacent swaps). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i] as number[];
      const prev = d[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j] as number, ((d[i - 2] as number[])[j - 2] as number) + 1);
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}

/** The known flag closest to `given` (`--formt` -> `--format`), if one is close enough. */
export function closestFlag(given: string, options: Options): string | undefined {
  const name = given.replace(/^-+/, '').split('=')[0] ?? '';
  let best: { flag: string; distance: number } | undefined;
  for (const known of Object.keys(options)) {
    const distance = known.startsWith(name) && name.length >= 2 ? 0 : editDistance(name, known);
    if (distance <= Math.max(1, Math.floor(known.length / 3)) && (!best || distance < best.distance)) best = { flag: `--${known}`, distance };
  }
  return best?.flag;
}

/** A parseArgs error as one line: an unknown flag with its likely meaning, a flag without its value. */
export function flagError(error: unknown, options: Options, command: string): string {
  const { code, message } = error as { code?: string; message: string };
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const given = /'([^']+)'/.exec(message)?.[1] ?? message;
    const suggestion = closestFlag(given, options);
    return suggestion ? `unknown option ${given}: did you mean ${suggestion}?` : `unknown option ${given} (rollsafe ${command} --help lists the options)`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const flag = /'(--?[\w-]+)/.exec(message)?.[1];
    if (flag && /argument missing/.test(message)) return `${flag} needs a value`;
    if (flag && /does not take an argument/.test(message)) return `${flag} takes no value`;
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const given = /'([^']+)'/.exec(message)?.[1];
    return `unexpected argument${given ? ` ${given}` : ''} (rollsafe ${command} takes no PATH)`;
  }
  return message;
}
