// Test code only: whether V8 refuses a script's code cache in a node started with `flags`.
import { spawnSync } from 'node:child_process';

export function codeCacheRejected(file: string, flags: string[]): string {
  return spawnSync(
    process.execPath,
    [
      ...flags,
      '-e',
      `const vm = require('node:vm'); const fs = require('node:fs'); const file = ${JSON.stringify(file)};
       const script = new vm.Script(fs.readFileSync(file, 'utf8'), { filename: file, cachedData: fs.readFileSync(file + '.cache') });
       process.stdout.write(String(script.cachedDataRejected));`,
    ],
    { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } },
  ).stdout;
}
