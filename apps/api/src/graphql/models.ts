// Code-first GraphQL types. The printed schema is committed as apps/api/schema.graphql.
import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import type { EvidenceJson } from '#rollsafe/scans';

export enum ScanStatus {
  queued = 'queued',
  running = 'running',
  succeeded = 'succeeded',
  failed = 'failed',
  skipped = 'skipped',
}
export enum ScanTrigger {
  upload = 'upload',
  manual = 'manual',
  schedule = 'schedule',
}
export enum Severity {
  critical = 'critical',
  warning = 'warning',
  info = 'info',
}
export enum FindingStatus {
  open = 'open',
  resolved = 'resolved',
}
export enum FindingStatusFilter {
  open = 'open',
  resolved = 'resolved',
  all = 'all',
}
export enum WebhookKind {
  slack = 'slack',
  dingtalk = 'dingtalk',
  feishu = 'feishu',
  wecom = 'wecom',
  teams = 'teams',
  generic = 'generic',
}
export enum DeliveryResult {
  delivered = 'delivered',
  retrying = 'retrying',
  gave_up = 'gave_up',
}
registerEnumType(WebhookKind, { name: 'WebhookKind' });
registerEnumType(DeliveryResult, { name: 'DeliveryResult', description: 'delivered; retrying (another attempt follows); gave_up' });
registerEnumType(FindingStatus, { name: 'FindingStatus' });
registerEnumType(FindingStatusFilter, { name: 'FindingStatusFilter', description: 'Which findings of a cluster: open (default), resolved, or all' });
registerEnumType(ScanStatus, { name: 'ScanStatus', description: 'skipped: a scheduled run that found a scan of its cluster still queued or running' });
registerEnumType(ScanTrigger, { name: 'ScanTrigger' });
registerEnumType(Severity, { name: 'Severity' });

function literal(node: ValueNode): EvidenceJson {
  switch (node.kind) {
    case Kind.STRING:
    case Kind.ENUM:
      return node.value;
    case Kind.BOOLEAN:
      return node.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.LIST:
      return node.values.map(literal);
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((field) => [field.name.value, literal(field.value)]));
    default:
      return null;
  }
}

export const JSONScalar = new GraphQLScalarType({
  name: 'JSON',
  description: "Any JSON value (a finding's evidence)",
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: literal,
});

@ObjectType()
export class Summary {
  @Field(() => Int) critical!: number;
  @Field(() => Int) warning!: number;
  @Field(() => Int) info!: number;
  @Field(() => Int) suppressed!: number;
  @Field(() => Int, { description: 'Rules that need live cluster data, not evaluated on manifests' }) notEvaluated!: number;
}

@ObjectType()
export class PageInfo {
  @Field() hasNextPage!: boolean;
  @Field(() => String, { nullable: true }) endCursor?: string | null;
}

@ObjectType()
export class Resource {
  @Field() kind!: string;
  @Field() namespace!: string;
  @Field() name!: string;
}

@ObjectType()
export class Remediation {
  @Field() summary!: string;
  @Field({ description: 'A YAML snippet to paste into the resource' }) yaml!: string;
}

@ObjectType()
export class SourceLocation {
  @Field() file!: string;
  @Field(() => Int) line!: number;
}

@ObjectType()
export class Finding {
  @Field(() => ID) id!: string;
  @Field() ruleId!: string;
  @Field(() => Severity) severity!: Severity;
  @Field(() => Resource) resource!: Resource;
  @Field(() => String, { nullable: true }) container?: string | null;
  @Field() message!: string;
  @Field(() => JSONScalar) evidence!: Record<string, EvidenceJson>;
  @Field(() => Remediation) remediation!: Remediation;
  @Field({ description: "The rule's documentation page" }) docs!: string;
  @Field(() => SourceLocation, { nullable: true }) location?: SourceLocation | null;
  @Field({ description: 'Stable across scans' }) fingerprint!: string;
}

@ObjectType()
export class FindingConnection {
  @Field(() => [Finding]) nodes!: Finding[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int) totalCount!: number;
}

@ObjectType()
export class Scan {
  @Field(() => ID) id!: string;
  @Field(() => ScanStatus) status!: ScanStatus;
  @Field(() => ScanTrigger) trigger!: ScanTrigger;
  @Field({ description: "The target's name; for a cluster scan, the cluster's name" }) target!: string;
  @Field(() => ID, { nullable: true, description: 'Set for a scan of a registered cluster' }) clusterId?: string | null;
  @Field(() => String, { nullable: true }) provider?: string | null;
  @Field(() => Summary) summary!: Summary;
  @Field(() => [String], { description: 'Ids of the rules not evaluated' }) notEvaluated!: string[];
  @Field(() => Int) documentCount!: number;
  @Field(() => String, { nullable: true }) error?: string | null;
  @Field() createdAt!: string;
  @Field(() => String, { nullable: true }) startedAt?: string | null;
  @Field(() => String, { nullable: true }) finishedAt?: string | null;
}

@ObjectType()
export class ScanConnection {
  @Field(() => [Scan]) nodes!: Scan[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int) totalCount!: number;
}

@ObjectType({ description: 'A finding on a cluster with its state across scans' })
export class ClusterFinding {
  @Field(() => ID) id!: string;
  @Field({ description: 'Stable across scans' }) fingerprint!: string;
  @Field() ruleId!: string;
  @Field(() => Severity) severity!: Severity;
  @Field(() => FindingStatus) status!: FindingStatus;
  @Field(() => Resource) resource!: Resource;
  @Field(() => String, { nullable: true }) container?: string | null;
  @Field() message!: string;
  @Field(() => JSONScalar) evidence!: Record<string, EvidenceJson>;
  @Field(() => Remediation) remediation!: Remediation;
  @Field() docs!: string;
  @Field({ description: 'Kept across rescans while the finding stays open' }) firstSeenAt!: string;
  @Field() lastSeenAt!: string;
  @Field(() => String, { nullable: true, description: 'When a later scan no longer reported it' }) resolvedAt?: string | null;
  @Field(() => ID, { description: 'The last scan that reported it' }) lastScanId!: string;
}

@ObjectType()
export class ClusterFindingConnection {
  @Field(() => [ClusterFinding]) nodes!: ClusterFinding[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int) totalCount!: number;
}

@ObjectType({ description: 'A registered cluster. Its credentials are never returned.' })
export class Cluster {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field({ description: 'The API server URL' }) server!: string;
  @Field() contextName!: string;
  @Field(() => String, { nullable: true }) provider?: string | null;
  @Field(() => Int) slbAttachmentQuota!: number;
  @Field(() => String, { nullable: true }) kubernetesVersion?: string | null;
  @Field(() => [String], { description: 'What the credentials cannot list, and which rules that leaves unevaluated' }) warnings!: string[];
  @Field(() => [String]) unlistableKinds!: string[];
  @Field(() => [String], { description: 'Rules reported as not evaluated for want of those kinds' }) notEvaluated!: string[];
  @Field() verifiedAt!: string;
  @Field() createdAt!: string;
  @Field() updatedAt!: string;
}

@ObjectType()
export class ClusterConnection {
  @Field(() => [Cluster]) nodes!: Cluster[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int) totalCount!: number;
}

@ObjectType({ description: "A cluster's schedule: exactly one of cron and everySeconds" })
export class Schedule {
  @Field(() => ID) clusterId!: string;
  @Field(() => String, { nullable: true }) cron?: string | null;
  @Field(() => String, { nullable: true, description: 'IANA time zone of the cron expression (UTC when null)' }) timezone?: string | null;
  @Field(() => Int, { nullable: true }) everySeconds?: number | null;
  @Field(() => String, { nullable: true, description: 'When the queue runs it next' }) nextRunAt?: string | null;
  @Field() createdAt!: string;
  @Field() updatedAt!: string;
}

@ObjectType({ description: 'A chat or generic webhook. Its secret is never returned, nor a URL that holds a token.' })
export class Webhook {
  @Field(() => ID) id!: string;
  @Field(() => WebhookKind) kind!: WebhookKind;
  @Field({ description: 'The full URL when it holds no token; else scheme and host only' }) url!: string;
  @Field() urlRedacted!: boolean;
  @Field() hasSecret!: boolean;
  @Field(() => Severity) minSeverity!: Severity;
  @Field(() => [ID], { description: "Only these clusters' scans; empty: every scan" }) clusterIds!: string[];
  @Field() createdAt!: string;
  @Field() updatedAt!: string;
}

@ObjectType()
export class WebhookConnection {
  @Field(() => [Webhook]) nodes!: Webhook[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int) totalCount!: number;
}

@ObjectType({ description: 'One delivery attempt' })
export class Delivery {
  @Field(() => ID) id!: string;
  @Field({ description: 'scan.changes or test' }) event!: string;
  @Field(() => ID, { nullable: true }) scanId?: string | null;
  @Field(() => Int) attempt!: number;
  @Field(() => DeliveryResult) result!: DeliveryResult;
  @Field(() => Int, { nullable: true, description: 'HTTP status of the answer' }) status?: number | null;
  @Field(() => String, { nullable: true, description: "The platform's result code" }) code?: string | null;
  @Field(() => String, { nullable: true }) error?: string | null;
  @Field(() => Int) durationMs!: number;
  @Field() at!: string;
}

@ObjectType()
export class DeliveryConnection {
  @Field(() => [Delivery]) nodes!: Delivery[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int) totalCount!: number;
}
