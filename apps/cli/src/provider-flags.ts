// `--kubernetes-version` and `--profile FILE`: the Kubernetes version manifests are judged for
// (PROVIDERS.md section 4; default 1.30) and user values for provider profile rows
// (PROVIDERS.md section 3; a YAML or JSON file, docs/providers.md).
import fs from 'node:fs';
import path from 'node:path';
import { load } from 'js-yaml';
import {
  applyProfileOverrides,
  parseKubernetesVersion,
  parseProfileOverrides,
  PROFILES,
  PROFILES_VERSION,
  type AdvisorOptions,
  type Num,
  type ProfileOverrides,
} from '#rollsafe/advisor';

export const PROVIDER_FLAG_OPTIONS = {
  'kubernetes-version': { type: 'string' },
  profile: { type: 'string' },
} as const;

export const PROVIDER_FLAGS_USAGE = `  --kubernetes-version X.Y      the Kubernetes version manifests are judged for (default 1.30;
                               live scans read the server's /version)
  --profile FILE               provider profile values to use instead of the built-in ones
                               (YAML or JSON; docs/providers.md)
`;

export class ProviderFlagError extends Error {}

/** Advisor options from the two flags; throws ProviderFlagError naming what is wrong. */
export function providerFlagOptions(values: { 'kubernetes-version'?: string; profile?: string }, cwd: string): Partial<AdvisorOptions> {
  const options: Partial<AdvisorOptions> = {};
  const version = values['kubernetes-version'];
  if (version !== undefined) {
    const parsed = parseKubernetesVersion(version);
    if (!parsed || parsed[0] !== 1 || parsed[1] < 24 || parsed[1] > 36) {
      throw new ProviderFlagError(`--kubernetes-version must be a version from 1.24 to 1.36 (got "${version}")`);
    }
    options.kubernetesVersion = `${parsed[0]}.${parsed[1]}`;
  }
  if (values.profile !== undefined) {
    const file = path.resolve(cwd, values.profile);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      throw new ProviderFlagError(`--profile ${values.profile}: ${(error as Error).message}`);
    }
    let data: unknown;
    try {
      data = load(text);
    } catch (error) {
      throw new ProviderFlagError(`--profile ${values.profile}: not YAML or JSON (${(error as Error).message.split('\n')[0] ?? ''})`);
    }
    try {
      options.profileOverrides = parseProfileOverrides(data, `profile file ${values.profile}`);
    } catch (error) {
      throw new ProviderFlagError(`--profile ${(error as Error).message.replace(/^profile file /, '')}`);
    }
  }
  return options;
}

/**
 * `rollsafe profiles`: the provider profile rows (PROVIDERS.md section 3), as a table or, with
 * --format json, as `{version, profiles}` (every value with its source and confidence) — the
 * starting point of a `--profile` file. A `--profile FILE` is applied first.
 */
export function profilesText(format: string, overrides?: ProfileOverrides): string {
  const rows = PROFILES.map((p) => applyProfileOverrides(p, overrides));
  if (format === 'json')
    return JSON.stringify({ version: PROFILES_VERSION, ...(overrides ? { overrides: overrides.source } : {}), profiles: rows }, null, 2) + '\n';
  const n = (num: Num | undefined) => (num === undefined ? '-' : `${num.value}${num.confidence === 'estimate' ? '~' : num.confidence === 'user' ? '*' : ''}`);
  const lines = [`provider profiles ${PROFILES_VERSION} (~ estimate, * your value)`, ''];
  lines.push(['id'.padEnd(30), 'target', 'removal', 'remove', 'add', 'hc (s/unhealthy/healthy)', 'drain', 'gate'].join('  '));
  for (const p of rows) {
    lines.push(
      [
        p.id.padEnd(30),
        p.backendTarget.padEnd(6),
        p.removalTrigger.padEnd(7),
        n(p.lbRemoveLatencySeconds).padEnd(6),
        n(p.lbAddLatencySeconds).padEnd(3),
        `${n(p.hc.intervalSeconds)}/${n(p.hc.unhealthyThreshold)}/${n(p.hc.healthyThreshold)} ${p.hc.target}`.padEnd(23),
        (p.drain.supported ? n(p.drain.defaultSeconds) : 'none').padEnd(5),
        p.readinessGate ?? '-',
      ].join('  '),
    );
  }
  return lines.join('\n') + '\n';
}
