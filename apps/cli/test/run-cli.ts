// The CLI run in process, as the tests drive it: output captured, stdin given, no terminal.
// Test code only: under test/, so neither jest nor the build takes it as a suite or a source.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { main, type CliIo } from '../src/main.js';

/** The workspace root: the CLI's working directory unless a test gives another. */
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  cwd?: string;
  stdin?: string;
  /** A terminal this wide (text output wraps to it). */
  columns?: number;
  env?: Record<string, string>;
}

export async function runCli(args: string[], options: CliRunOptions = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    readStdin: () => Promise.resolve(options.stdin ?? ''),
    isTty: false,
    env: options.env ?? {},
    cwd: options.cwd ?? root,
    ...(options.columns ? { columns: options.columns } : {}),
  };
  return { code: await main(args, io), stdout, stderr };
}
