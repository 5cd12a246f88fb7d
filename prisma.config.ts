// Prisma CLI configuration: the WASM schema engine (no binary download, which this offline
// machine cannot do) over the pg driver adapter. See prisma/migrate-adapter.ts.
import { defineConfig } from 'prisma/config';
import { MigratePrismaPg } from './prisma/migrate-adapter.js';

// The CLI leaves long timers behind (the `migrate deploy` process idles ~10 s before it
// exits): let timers of 5 s or more not keep the process alive.
const originalSetTimeout = globalThis.setTimeout;
globalThis.setTimeout = ((handler: (...args: unknown[]) => void, delay?: number, ...args: unknown[]) => {
  const timer = originalSetTimeout(handler, delay, ...args);
  if ((delay ?? 0) >= 5000) timer.unref();
  return timer;
}) as typeof setTimeout;

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  async adapter() {
    const url = process.env['DATABASE_URL'];
    if (!url) throw new Error('DATABASE_URL is not set (e.g. postgresql://postgres@127.0.0.1:5432/rollsafe)');
    return new MigratePrismaPg(url);
  },
});
