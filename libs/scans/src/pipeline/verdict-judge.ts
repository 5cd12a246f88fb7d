import { Injectable, Logger } from '@nestjs/common';
import type { AdvisorResult, ProfileOverrides, Snapshot } from '#rollsafe/advisor';
import { serviceTimelineSvg, serviceVerdicts } from '#rollsafe/simulator';
import type { Prisma, ScanWarning, VerdictRow } from '#rollsafe/store';

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

  judge(
    snapshot: Snapshot,
    advisor: AdvisorResult,
    options: { provider?: string | null; drawTimelines: boolean; profileOverrides?: ProfileOverrides | undefined },
  ): JudgedServices {
    const provider = options.provider ?? advisor.provider;
    // The organization's provider profile values reach the simulator as they reach the rules.
    const overrides = options.profileOverrides ? { overrides: { profileOverrides: options.profileOverrides } } : {};
    try {
      const { verdicts } = serviceVerdicts(snapshot, { ...(provider ? { provider } : {}), findings: advisor.findings, ...overrides });
      return {
        verdicts: verdicts.map((verdict) => {
          const service = { namespace: verdict.service.namespace, name: verdict.service.name };
          const timeline =
            options.drawTimelines && verdict.verdict !== 'unknown'
              ? serviceTimelineSvg(snapshot, service, { ...(provider ? { provider } : {}), ...overrides })
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
    } catch (error) {
      // The findings stand without verdicts: say so on the scan rather than fail it.
      const message = error instanceof Error ? error.message : String(error);
      this.logger.error({ msg: 'verdicts could not be computed', error: message });
      return { verdicts: [], warnings: [{ message: `the per-Service verdicts could not be computed: ${message}` }] };
    }
  }
}
