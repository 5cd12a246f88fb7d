// Relay's node(id): any object the API lists, fetched again by its UUID or by its global id
// (base64("Type:uuid")), within the caller's organization.
import { Injectable } from '@nestjs/common';
import { PrismaService } from '#rollsafe/store';
import {
  fromGlobalId,
  type ClusterFindingView,
  type ClusterView,
  type DeliveryView,
  type FindingView,
  type ScanView,
  type ServiceVerdictView,
  type WebhookView,
} from './contracts/index.js';
import { UUID } from './cursor.js';
import { ClusterService } from './clusters/cluster.service.js';
import { ScanQueryService } from './scan-query.service.js';
import { toVerdictView } from './verdicts.service.js';
import { toClusterFindingView, toDeliveryView, toFindingView } from './views.js';
import { WebhookService } from './webhooks/webhook.service.js';

export interface NodeViews {
  Scan: ScanView;
  Finding: FindingView;
  Cluster: ClusterView;
  ClusterFinding: ClusterFindingView;
  Webhook: WebhookView;
  Delivery: DeliveryView;
  ServiceVerdict: ServiceVerdictView;
}

export type NodeType = keyof NodeViews;

export const NODE_TYPES: readonly NodeType[] = ['Scan', 'Finding', 'Cluster', 'ClusterFinding', 'Webhook', 'Delivery', 'ServiceVerdict'];

export type FoundNode = { [T in NodeType]: { type: T; view: NodeViews[T] } }[NodeType];

/** Use case: fetch one object of the organization by id, whatever its type. */
@Injectable()
export class NodeService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly scans: ScanQueryService,
    private readonly clusters: ClusterService,
    private readonly webhooks: WebhookService,
  ) {}

  /**
   * A global id names its type: one lookup. A bare UUID (the `id` field) is unique across
   * types: every type is looked up by primary key, and the one that has it answers.
   */
  async find(organizationId: string, id: string): Promise<FoundNode | undefined> {
    const global = fromGlobalId(id);
    if (global) {
      const type = NODE_TYPES.find((name) => name === global.type);
      return type ? this.lookUp(organizationId, type, global.id) : undefined;
    }
    if (!UUID.test(id)) return undefined;
    const found = await Promise.all(NODE_TYPES.map((type) => this.lookUp(organizationId, type, id.toLowerCase())));
    return found.find((node) => node !== undefined);
  }

  private async lookUp(organizationId: string, type: NodeType, id: string): Promise<FoundNode | undefined> {
    const client = this.prisma.client;
    switch (type) {
      case 'Scan':
        return orUndefined(this.scans.get(organizationId, id).then((view) => ({ type, view })));
      case 'Cluster':
        return orUndefined(this.clusters.get(organizationId, id).then((view) => ({ type, view })));
      case 'Webhook':
        return orUndefined(this.webhooks.get(organizationId, id).then((view) => ({ type, view })));
      case 'Finding': {
        const row = await client.finding.findFirst({ where: { id, organizationId } });
        return row ? { type, view: toFindingView(row) } : undefined;
      }
      case 'ClusterFinding': {
        const state = await client.findingState.findFirst({ where: { id, organizationId } });
        if (!state) return undefined;
        const finding = await client.finding.findFirst({ where: { organizationId, scanId: state.lastScanId, fingerprint: state.fingerprint } });
        return { type, view: toClusterFindingView({ state, finding: finding ?? undefined }) };
      }
      case 'Delivery': {
        const row = await client.webhookDelivery.findFirst({ where: { id, organizationId } });
        return row ? { type, view: toDeliveryView(row) } : undefined;
      }
      case 'ServiceVerdict': {
        const row = await client.serviceVerdict.findFirst({ where: { id, organizationId } });
        return row ? { type, view: toVerdictView(row, `/api/v1/scans/${row.scanId}`) } : undefined;
      }
    }
  }
}

/** A NOT_FOUND (or any refusal) of a typed lookup is "not this type". */
async function orUndefined<T>(lookup: Promise<T>): Promise<T | undefined> {
  try {
    return await lookup;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'NOT_FOUND' || (error as { code?: unknown }).code === 'BAD_INPUT') return undefined;
    throw error;
  }
}
