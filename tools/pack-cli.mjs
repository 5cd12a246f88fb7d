#!/usr/bin/env node
// `npm run pack:cli`: the CLI as its own npm package, dist/rollsafe-cli-<version>.tgz.
//
// tools/bundle-cli.mjs bundles apps/cli and the libraries it imports (advisor, simulator,
// manifests, fixes, kube, fake-cluster) with js-yaml into lib/cli.cjs, with V8's code cache for it,
// and the npm packages only some commands load (@kubernetes/client-node, @peculiar/x509, yaml) into
// lib/vendor/, so a manifest scan never loads the Kubernetes client. The package has no
// dependencies: `npm i rollsafe-cli-<version>.tgz` copies a few MB and runs nothing. It also
// carries docs/rules (for `rollsafe rules ID`), the LICENSE and the licenses of what it bundles.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleCli } from './bundle-cli.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rootPackage = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

/** Packages the CLI must never carry: the service's framework, database and queue. */
export const FORBIDDEN_PACKAGES = /^(@nestjs\/|@prisma\/|prisma$|bullmq$|ioredis$|pg$|@apollo\/|graphql$|fflate$|express$|pino$)/;

/** The package directory (`node_modules/<name>` or `node_modules/@scope/<name>`) of a bundled input. */
function packageOf(input) {
  const match = /(^|\/)node_modules\/((@[^/]+\/)?[^/]+)\//.exec(input);
  return match ? { name: match[2], dir: input.slice(0, match.index + match[0].length - 1) } : undefined;
}

function thirdPartyNotices(inputs) {
  const packages = new Map();
  for (const input of inputs) {
    const found = packageOf(input);
    if (found && !packages.has(found.name)) packages.set(found.name, path.resolve(root, found.dir));
  }
  const sections = ['# Third-party software bundled in rollsafe-cli', ''];
  for (const [name, dir] of [...packages].sort(([a], [b]) => a.localeCompare(b))) {
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    const licenseFile = fs.readdirSync(dir).find((file) => /^(licen[cs]e|copying)(\.|$)/i.test(file));
    sections.push(`## ${name} ${manifest.version} (${manifest.license ?? 'see below'})`, '');
    if (licenseFile) sections.push('```', fs.readFileSync(path.join(dir, licenseFile), 'utf8').trim(), '```', '');
  }
  return { text: sections.join('\n') + '\n', names: [...packages.keys()] };
}

export async function packCli({ quiet = false } = {}) {
  const out = path.join(root, 'dist', 'cli-package');
  fs.rmSync(out, { recursive: true, force: true });
  const lib = path.join(out, 'lib');
  const metafile = await bundleCli(lib, { quiet });
  const inputs = Object.keys(metafile.inputs);
  const notices = thirdPartyNotices(inputs);
  const forbidden = notices.names.filter((name) => FORBIDDEN_PACKAGES.test(name));
  if (forbidden.length > 0) throw new Error(`the CLI bundle must not contain ${forbidden.join(', ')}`);

  const version = rootPackage.version;
  const manifest = {
    name: 'rollsafe-cli',
    version,
    description: 'Finds the Kubernetes settings that make rolling updates drop traffic behind cloud load balancers (offline CLI).',
    license: rootPackage.license,
    type: 'module',
    bin: { rollsafe: 'lib/rollsafe.js' },
    engines: rootPackage.engines,
    files: ['lib', 'docs', 'README.md', 'LICENSE', 'THIRD-PARTY-NOTICES.md'],
    keywords: ['kubernetes', 'rolling-update', 'load-balancer', 'lint', 'sarif'],
  };
  fs.writeFileSync(path.join(out, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
  fs.copyFileSync(path.join(root, 'apps', 'cli', 'README.md'), path.join(out, 'README.md'));
  fs.copyFileSync(path.join(root, 'LICENSE'), path.join(out, 'LICENSE'));
  fs.writeFileSync(path.join(out, 'THIRD-PARTY-NOTICES.md'), notices.text);
  fs.cpSync(path.join(root, 'docs', 'rules'), path.join(out, 'docs', 'rules'), { recursive: true });
  fs.chmodSync(path.join(lib, 'rollsafe.js'), 0o755);

  const packed = spawnSync('npm', ['pack', '--json', '--pack-destination', path.join(root, 'dist')], { cwd: out, encoding: 'utf8' });
  if (packed.status !== 0) throw new Error(`npm pack failed: ${packed.stderr}`);
  const [{ filename, size, unpackedSize, entryCount }] = JSON.parse(packed.stdout);
  const tarball = path.join(root, 'dist', filename);
  if (!quiet) {
    const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;
    process.stderr.write(
      `pack:cli: ${path.relative(root, tarball)} (${mb(size)}, ${mb(unpackedSize)} unpacked, ${entryCount} files; bundles ${notices.names.join(', ')})\n`,
    );
  }
  return { tarball, version, bundled: notices.names };
}

const invokedDirectly = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  packCli().catch((error) => {
    process.stderr.write(`pack:cli: ${error.message}\n`);
    process.exit(1);
  });
}
