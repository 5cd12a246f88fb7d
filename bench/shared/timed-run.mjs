// Times one command in a fresh process, for both benchmarks: wall clock measured here; peak
// RSS, CPU time and exit status from `/usr/bin/time -v` when present, else from rss-hook.mjs
// (preloaded through NODE_OPTIONS: every measured command is a node process), which reports
// the child's own process.resourceUsage().maxRSS.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const TIME = '/usr/bin/time';

/** Whether `/usr/bin/time -v` works here (`forbid`: the caller's --no-time). */
export function timeIsUsable(forbid = false) {
  return !forbid && fs.existsSync(TIME) && spawnSync(TIME, ['-v', 'true'], { stdio: 'ignore' }).status === 0;
}

/**
 * @param {{ command: string, args: string[], stdoutFile: string, cwd: string, scratchDir: string, useTime: boolean, env?: NodeJS.ProcessEnv }} run
 */
export function timed({ command, args, stdoutFile, cwd, scratchDir, useTime, env = process.env }) {
  const stdoutFd = fs.openSync(stdoutFile, 'w');
  const reportFile = path.join(scratchDir, `.rss-${process.pid}`);
  let file = command;
  let argv = args;
  let childEnv = env;
  if (useTime) {
    file = TIME;
    argv = ['-v', '-o', reportFile, command, ...args];
  } else {
    const hook = new URL('./rss-hook.mjs', import.meta.url).href;
    childEnv = { ...env, ROLLSAFE_BENCH_RSS_FILE: reportFile, NODE_OPTIONS: `${env.NODE_OPTIONS ?? ''} --import=${hook}`.trim() };
  }
  const started = process.hrtime.bigint();
  const result = spawnSync(file, argv, { cwd, env: childEnv, stdio: ['ignore', stdoutFd, 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  fs.closeSync(stdoutFd);
  return { seconds, status: result.status, stderr: result.stderr?.toString() ?? '', ...readReport(reportFile) };
}

/** Peak RSS, CPU seconds and exit status from a `time -v` (or rss-hook) report; absent fields stay undefined. */
function readReport(file) {
  let report;
  try {
    report = fs.readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  fs.rmSync(file, { force: true });
  const number = (pattern) => {
    const match = pattern.exec(report);
    return match ? Number(match[1]) : undefined;
  };
  const user = number(/User time \(seconds\): ([\d.]+)/);
  const sys = number(/System time \(seconds\): ([\d.]+)/);
  const exit = number(/Exit status: (\d+)/);
  return {
    rssKb: number(/Maximum resident set size \(kbytes\): (\d+)/),
    cpuSeconds: user !== undefined && sys !== undefined ? user + sys : undefined,
    ...(exit !== undefined ? { status: exit } : {}),
  };
}
