import { Injectable } from '@nestjs/common';
import type { Snapshot } from '#rollsafe/advisor';
import { simulateSnapshot, simulationContract, timelineSvg, type SimulationOverrides } from '#rollsafe/simulator';
import { DomainError } from './errors.js';
import type { EvidenceJson, SimulationResultView } from './contracts/index.js';
import { providerChoice } from './scan-engine.js';
import { manifestErrors } from './scan-request.service.js';
import { UploadParser } from './pipeline/upload-parser.js';
import { decodeSnapshot } from './pipeline/snapshot-codec.js';

/** Inputs answered at once; larger ones belong in a scan (POST /api/v1/scans), which judges every Service too. */
export const MAX_SIMULATION_BYTES = 1024 * 1024;

export interface SimulationRequest {
  manifests?: unknown;
  provider?: unknown;
  /** SIMULATOR.md's parameters (the CLI's flags): nodes, E, L, lbAdd, podStart, appWarmup, appShutdown, drain, drainTimeout, inPlace, kubernetesVersion. */
  parameters?: unknown;
  /** Only this Service: { namespace?, name }. */
  service?: unknown;
}

const NUMBER_PARAMETERS = ['nodes', 'E', 'L', 'lbAdd', 'podStart', 'appWarmup', 'appShutdown', 'drainTimeout'] as const;
const BOOLEAN_PARAMETERS = ['drain', 'inPlace'] as const;

/**
 * Use case: simulate the rollouts of the Services in a few manifests, synchronously, and give
 * SIMULATOR.md's JSON object for each (or the timeline picture of one).
 */
@Injectable()
export class SimulationService {
  constructor(private readonly parser: UploadParser) {}

  async simulate(request: SimulationRequest): Promise<SimulationResultView> {
    const { snapshot, options } = await this.prepare(request);
    // A deep copy as plain JSON: what both transports send.
    return { runs: simulateSnapshot(snapshot, options).map((run) => JSON.parse(JSON.stringify(simulationContract(run))) as Record<string, EvidenceJson>) };
  }

  /** The timeline of one Service (`service` required). */
  async timeline(request: SimulationRequest): Promise<string> {
    if (request.service === undefined)
      throw new DomainError('BAD_INPUT', 'service is required for a timeline: { "namespace": "shop", "name": "web" }', { field: 'service' });
    const { snapshot, options } = await this.prepare(request);
    const run = simulateSnapshot(snapshot, { ...options, fixes: false }).find((candidate) => candidate.result);
    if (!run?.result)
      throw new DomainError('NOT_FOUND', 'no rollout to draw: the Service selects no Deployment, StatefulSet or DaemonSet, or its verdict is unknown');
    return timelineSvg(run.result);
  }

  private async prepare(request: SimulationRequest): Promise<{ snapshot: Snapshot; options: Parameters<typeof simulateSnapshot>[1] & object }> {
    const manifests = request.manifests;
    if (typeof manifests !== 'string' || manifests.trim() === '') {
      throw new DomainError('BAD_INPUT', 'manifests is required: a string of YAML or JSON', { field: 'manifests' });
    }
    const bytes = Buffer.byteLength(manifests, 'utf8');
    if (bytes > MAX_SIMULATION_BYTES) {
      throw new DomainError(
        'PAYLOAD_TOO_LARGE',
        `manifests are ${bytes} bytes; a simulation answers at once up to ${MAX_SIMULATION_BYTES}: scan larger inputs (POST /api/v1/scans)`,
        {
          limit: MAX_SIMULATION_BYTES,
        },
      );
    }
    const provider = providerChoice(request.provider) ?? undefined;
    const overrides = parametersOf(request.parameters);
    const service = serviceOf(request.service);
    const parsed = await this.parser.parse([{ name: 'manifests', text: manifests }]);
    if (parsed.errors.length > 0) throw manifestErrors(parsed.errors);
    const snapshot = parsed.snapshot ? decodeSnapshot(parsed.snapshot) : undefined;
    if (!snapshot) throw new DomainError('INVALID_MANIFESTS', 'no YAML or JSON document found in the manifests', { errors: [] });
    return { snapshot, options: { ...(provider ? { provider } : {}), overrides, ...(service ? { service } : {}) } };
  }
}

function parametersOf(value: unknown): SimulationOverrides {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new DomainError('BAD_INPUT', 'parameters must be an object', { field: 'parameters' });
  const given = value as Record<string, unknown>;
  const overrides: SimulationOverrides = {};
  for (const key of Object.keys(given)) {
    const field = `parameters.${key}`;
    const raw = given[key];
    if ((NUMBER_PARAMETERS as readonly string[]).includes(key)) {
      if (typeof raw !== 'number' || !Number.isFinite(raw) || raw < 0 || raw > 86_400)
        throw new DomainError('BAD_INPUT', `${field} must be a number from 0 to 86400`, { field });
      overrides[key as (typeof NUMBER_PARAMETERS)[number]] = raw;
    } else if ((BOOLEAN_PARAMETERS as readonly string[]).includes(key)) {
      if (typeof raw !== 'boolean') throw new DomainError('BAD_INPUT', `${field} must be true or false`, { field });
      overrides[key as (typeof BOOLEAN_PARAMETERS)[number]] = raw;
    } else if (key === 'kubernetesVersion') {
      if (typeof raw !== 'string' || !/^v?1\.\d{1,2}(\.\d+)?$/.test(raw))
        throw new DomainError('BAD_INPUT', `${field} must be a version such as 1.30`, { field });
      overrides.kubernetesVersion = raw.replace(/^v/, '');
    } else {
      throw new DomainError(
        'BAD_INPUT',
        `${field} is not a simulation parameter (${[...NUMBER_PARAMETERS, ...BOOLEAN_PARAMETERS, 'kubernetesVersion'].join(', ')})`,
        { field },
      );
    }
  }
  return overrides;
}

function serviceOf(value: unknown): { namespace?: string; name: string } | undefined {
  if (value === undefined || value === null) return undefined;
  const given = value as { namespace?: unknown; name?: unknown };
  if (typeof value !== 'object' || typeof given.name !== 'string' || (given.namespace !== undefined && typeof given.namespace !== 'string')) {
    throw new DomainError('BAD_INPUT', 'service must be { "namespace": "shop", "name": "web" }', { field: 'service' });
  }
  return { name: given.name, ...(typeof given.namespace === 'string' ? { namespace: given.namespace } : {}) };
}
