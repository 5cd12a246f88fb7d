// The lint rule that keeps libs/advisor, libs/manifests and libs/notify pure, run through
// ESLint's Node API with the workspace's own eslint.config.js: an import of Nest, Prisma,
// BullMQ, ioredis or pg in one of them is an error; the same import elsewhere, and the
// imports they do need, are not.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

// Only the rule under test: the type-aware rules need a program and the module-boundary rule
// the Nx project graph, neither of which this check is about.
const eslint = new ESLint({
  cwd: root,
  overrideConfig: {
    languageOptions: { parserOptions: { projectService: false, project: null } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'off',
      '@typescript-eslint/require-await': 'off',
      '@nx/enforce-module-boundaries': 'off',
      '@typescript-eslint/no-unused-vars': 'off',
    },
  },
});

async function restricted(code: string, file: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  if (!result) throw new Error(`no lint result for ${file}`);
  const fatal = result.messages.filter((m) => m.fatal);
  if (fatal.length > 0) throw new Error(`${file}: ${fatal.map((m) => m.message).join('; ')}`);
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const PURE = ['libs/advisor/src/probe.ts', 'libs/manifests/src/probe.ts', 'libs/notify/src/probe.ts', 'libs/notify/test/probe.spec.ts'];

const FORBIDDEN = [
  ["import { Injectable } from '@nestjs/common';", /no Nest/],
  ["import { Processor } from '@nestjs/bullmq';", /no Nest/],
  ["import { PrismaClient } from '@prisma/client';", /no Prisma/],
  ["import type { Prisma } from '@prisma/client';", /no Prisma/],
  ["import { PrismaPg } from '@prisma/adapter-pg';", /no Prisma/],
  ["import { defineConfig } from 'prisma/config';", /no Prisma/],
  ["import { PrismaClient as Generated } from '../../store/src/generated/prisma/client.js';", /no Prisma/],
  ["import { Queue } from 'bullmq';", /no BullMQ, ioredis or pg/],
  ["import Redis from 'ioredis';", /no BullMQ, ioredis or pg/],
  ["import pg from 'pg';", /no BullMQ, ioredis or pg/],
  ["export { Pool } from 'pg';", /no BullMQ, ioredis or pg/],
] as const;

const ALLOWED = [
  "import { createHmac } from 'node:crypto';",
  "import { parseAllDocuments } from 'yaml';",
  "import { z } from 'zod';",
  "import type { Finding } from '#rollsafe/advisor';",
  "import { signature } from './signing.js';",
  "import { pgTarget } from './pg-target.js';",
];

describe('lint: the pure libraries import no framework, database or queue', () => {
  it.each(PURE)('%s: each of Nest, Prisma, BullMQ, ioredis and pg is an error', async (file) => {
    for (const [code, message] of FORBIDDEN) {
      const errors = await restricted(`${code}\nexport const probe = 1;\n`, file);
      expect([code, errors.length]).toEqual([code, 1]);
      expect(errors[0]).toMatch(message);
    }
  });

  it.each(PURE)('%s: node built-ins, yaml, zod, our pure libraries and relative files are allowed', async (file) => {
    const errors = await restricted(`${ALLOWED.join('\n')}\nexport const probe = 1;\n`, file);
    expect(errors).toEqual([]);
  });

  it.each(['libs/scans/src/probe.ts', 'libs/store/src/probe.ts', 'apps/api/src/probe.ts', 'apps/worker/src/probe.ts'])('%s may use them', async (file) => {
    const code = `${FORBIDDEN.map(([line]) => line).join('\n')}\nexport const probe = 1;\n`;
    expect(await restricted(code, file)).toEqual([]);
  });
});

describe("lint: no 'as unknown as' anywhere", () => {
  async function casts(code: string, file: string): Promise<string[]> {
    const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
    return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-syntax').map((m) => m.message);
  }

  it.each(['libs/scans/src/probe.ts', 'apps/api/src/probe.spec.ts'])('%s: a double cast is an error, a single narrowing is not', async (file) => {
    expect(await casts("export const n = ('1' as unknown as number) + 1;\n", file)).toEqual([expect.stringMatching(/No 'as unknown as'/)]);
    expect(await casts('export const s = (JSON.parse(\'"1"\') as string).length;\nexport const u = 1 as unknown;\n', file)).toEqual([]);
  });
});
