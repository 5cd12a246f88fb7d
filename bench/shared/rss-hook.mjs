// Preloaded (NODE_OPTIONS=--import) by run.mjs when /usr/bin/time is missing: on exit, writes
// this process's peak RSS in the format of `/usr/bin/time -v` to $ROLLSAFE_BENCH_RSS_FILE.
import fs from 'node:fs';

const file = process.env.ROLLSAFE_BENCH_RSS_FILE;
if (file) {
  process.on('exit', (code) => {
    fs.writeFileSync(file, `Maximum resident set size (kbytes): ${process.resourceUsage().maxRSS}\nExit status: ${code}\n`);
  });
}
