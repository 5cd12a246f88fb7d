// Command-line options of the benchmarks: `--name value` numbers and `--flag` switches.

/** The number after `--name` in `args`, or `fallback` when the option is absent. */
export function numberOption(args, name, fallback) {
  const at = args.indexOf(`--${name}`);
  return at >= 0 && args[at + 1] !== undefined ? Number(args[at + 1]) : fallback;
}
