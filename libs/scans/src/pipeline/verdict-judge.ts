import { Injectable, Logger } from '@nestjs/common';
import type { ProfileOverrides, Snapshot } from '#rollsafe/advisor';
import { serviceTimelineSvg, serviceVerdicts } from '#rollsafe/simulator';
import type { Prisma, ScanWarning, VerdictRow } from '#rollsafe/store';
import type { EngineResult, VerdictOutcome } from './advise.js';
import { EncodedSnapshot } from './snapshot-codec.js';

export interface JudgedServices {
  verdicts: VerdictRow[];
  warnings: ScanWarning[];
}

/**
 * The per-Service verdicts of a scan (libs/simulator), beside its findings: for every
 * load-balanced Service, will a rollout drop traffic, the findings that explain it and the
 * fixes that make it safe. A live cluster's real nodes and pods drive placement. Timelines are
 * drawn now for sources whose snapshot is not kept (clusters).
 */
@Injectable()
export class VerdictJudge {
  private readonly logger = new Logger(VerdictJudge.name);

  /** `advisor.verdicts`: computed with the findings on the advisor's thread; computed here when absent. */
  judge(
    snapshot: Snapshot | EncodedSnapshot,
    advisor: EngineResult,
    options: { provider?: string | null; drawTimelines: boolean; profileOverrides?: ProfileOverrides | undefined },
  ): JudgedServices {
    const provider = options.provider ?? advisor.provider;
    // The organization's provider profile values reach the simulator as they reach the rules.
    const overrides = options.profileOverrides ? { overrides: { profileOverrides: options.profileOverrides } } : {};
    const decoded = (): Snapshot => (snapshot instanceof EncodedSnapshot ? snapshot.decode() : snapshot);
    const outcome = advisor.verdicts ?? this.compute(decoded, advisor, provider, overrides);
    if ('error' in outcome) {
      // The findings stand without verdicts: say so on the scan rather than fail it.
      this.logger.error({ msg: 'verdicts could not be computed', error: outcome.error });
      return { verdicts: [], warnings: [{ message: `the per-Service verdicts could not be computed: ${outcome.error}` }] };
    }
    return {
      verdicts: outcome.verdicts.map((verdict) => {
        const service = { namespace: verdict.service.namespace, name: verdict.service.name };
        const timeline =
          options.drawTimelines && verdict.verdict !== 'unknown'
            ? serviceTimelineSvg(decoded(), service, { ...(provider ? { provider } : {}), ...overrides })
            : undefined;
        return {
          ...service,
          verdict: verdict.verdict,
          droppedTrafficSeconds: verdict.droppedTrafficSeconds,
          // A deep copy as plain JSON: what the row stores.
          data: JSON.parse(JSON.stringify(verdict)) as Prisma.InputJsonObject,
          ...(timeline ? { timelineSvg: timeline } : {}),
        };
      }),
      warnings: [],
    };
  }

  private compute(
    snapshot: () => Snapshot,
    advisor: EngineResult,
    provider: string | null | undefined,
    overrides: { overrides?: { profileOverrides: ProfileOverrides } },
  ): VerdictOutcome {
    try {
      return { verdicts: serviceVerdicts(snapshot(), { ...(provider ? { provider } : {}), findings: advisor.findings, ...overrides }).verdicts };
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
  }
}
