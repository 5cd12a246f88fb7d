// docs/simulator/*.svg are the pictures of the seed scenarios as the simulator draws them
// today: this test fails when a change to the model or the drawing leaves them stale.
// Regenerate: ROLLSAFE_WRITE_PICTURES=1 npx jest -c libs/simulator/jest.config.js docs-pictures
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { simulateSnapshot, timelineSvg, type SimulationOverrides } from '../src/index.js';
import { SEED, snapshotOf } from './seed.js';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/simulator');

const PICTURES: Array<[string, string, SimulationOverrides]> = [
  ['no-readiness-probe', SEED.noReadinessProbe, {}],
  ['no-prestop', SEED.noPreStop, {}],
  ['local-default-strategy-1.25', SEED.localDefaultStrategy, { kubernetesVersion: '1.25' }],
  ['local-default-strategy-1.30', SEED.localDefaultStrategy, {}],
  ['connections-cut', SEED.connectionsCut, {}],
  ['cure-local-in-place', SEED.cureLocalInPlace, { inPlace: true }],
  ['cure-eni', SEED.cureEni, {}],
];

test.each(PICTURES)('docs/simulator/%s.svg is current', (name, yaml, overrides) => {
  const [run] = simulateSnapshot(snapshotOf(yaml), { overrides });
  expect(run?.result).toBeTruthy();
  const svg = timelineSvg(run?.result as NonNullable<NonNullable<typeof run>['result']>);
  const file = path.join(dir, `${name}.svg`);
  if (process.env['ROLLSAFE_WRITE_PICTURES'] === '1') fs.writeFileSync(file, svg);
  expect(fs.readFileSync(file, 'utf8')).toBe(svg);
});
