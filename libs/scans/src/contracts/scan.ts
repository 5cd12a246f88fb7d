// A scan and its findings: one class per shape, the type the use cases return and what both
// REST (OpenAPI) and GraphQL describe.
import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ConnectionOf, JSONScalar, ListOf, NodeInterface, RemediationView, ResourceRef, SourceLocationView, type EvidenceJson } from './common.js';
import { FindingStatus, ScanStatus, ScanTrigger, Severity } from './enums.js';
import { VerdictChangesView, VerdictSummaryView } from './verdict.js';
import { SCAN_PROVIDER_DESCRIPTION } from './provider.js';

@ObjectType('Summary')
export class SummaryView {
  @Field(() => Int) @ApiProperty() critical!: number;
  @Field(() => Int) @ApiProperty() warning!: number;
  @Field(() => Int) @ApiProperty() info!: number;
  @Field(() => Int) @ApiProperty() suppressed!: number;
  @Field(() => Int, { description: 'Rules that need live cluster data, not evaluated on manifests' })
  @ApiProperty({ description: 'Rules that need live cluster data, not evaluated on manifests.' })
  notEvaluated!: number;
}

@ObjectType('ScanWarning', { description: 'A document the parser or the advisor skipped, and where' })
export class ScanWarningView {
  @Field() @ApiProperty({ example: 'document has no kind: skipped' }) message!: string;
  @Field(() => SourceLocationView, { nullable: true }) @ApiPropertyOptional({ type: SourceLocationView }) location?: SourceLocationView;
}

@ObjectType('Scan', { implements: () => [NodeInterface] })
export class ScanView {
  @Field(() => ID) @ApiProperty({ format: 'uuid' }) id!: string;
  @Field(() => ScanStatus)
  @ApiProperty({ enum: ScanStatus, description: '`skipped`: a scheduled run that found a scan of its cluster still queued or running' })
  status!: ScanStatus;
  @Field(() => ScanTrigger) @ApiProperty({ enum: ScanTrigger }) trigger!: ScanTrigger;
  @Field({ description: "The target's name; for a cluster scan, the cluster's name" })
  @ApiProperty({ description: "The target's name; for a cluster scan, the cluster's name" })
  target!: string;
  @Field(() => ID, { nullable: true, description: 'Set for a scan of a registered cluster' })
  @ApiPropertyOptional({ format: 'uuid', description: 'Set for a scan of a registered cluster' })
  clusterId?: string;
  @Field(() => String, { nullable: true, description: SCAN_PROVIDER_DESCRIPTION })
  @ApiPropertyOptional({ description: SCAN_PROVIDER_DESCRIPTION })
  provider?: string;
  @Field(() => SummaryView) @ApiProperty({ type: SummaryView }) summary!: SummaryView;
  @Field(() => [String], { description: 'Ids of the rules not evaluated' })
  @ApiProperty({ type: [String], description: 'Ids of the rules not evaluated' })
  notEvaluated!: string[];
  @Field(() => [ScanWarningView], { description: 'Documents the parser or the advisor skipped, with file and line' })
  @ApiProperty({ type: [ScanWarningView], description: 'Documents the parser or the advisor skipped, with file and line' })
  warnings!: ScanWarningView[];
  @Field(() => VerdictSummaryView, { description: 'Per-Service verdicts: how many load-balanced Services drop traffic on rollout' })
  @ApiProperty({ type: VerdictSummaryView })
  verdictSummary!: VerdictSummaryView;
  @Field(() => VerdictChangesView, { nullable: true, description: "Services that started or stopped dropping traffic since the target's previous scan" })
  @ApiPropertyOptional({ type: VerdictChangesView })
  verdictChanges?: VerdictChangesView;
  @Field(() => Int) @ApiProperty() documentCount!: number;
  @Field(() => Int) @ApiProperty() attempts!: number;
  @Field(() => String, { nullable: true }) @ApiPropertyOptional() error?: string;
  @Field() @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @Field(() => String, { nullable: true }) @ApiPropertyOptional({ format: 'date-time' }) startedAt?: string;
  @Field(() => String, { nullable: true }) @ApiPropertyOptional({ format: 'date-time' }) finishedAt?: string;
  @Field(() => Int, { nullable: true }) @ApiPropertyOptional() durationMs?: number;
}

/** What every finding shows: the rule, the resource, and what the finding reported. */
@ObjectType({ isAbstract: true })
export class FindingFields {
  @Field(() => ID) @ApiProperty({ format: 'uuid' }) id!: string;
  @Field({ description: 'Stable across scans' }) @ApiProperty({ description: 'Stable across scans (sha256 hex).' }) fingerprint!: string;
  @Field() @ApiProperty({ example: 'readiness-probe-missing' }) ruleId!: string;
  @Field(() => Severity) @ApiProperty({ enum: Severity }) severity!: Severity;
  @Field(() => ResourceRef) @ApiProperty({ type: ResourceRef }) resource!: ResourceRef;
  @Field(() => String, { nullable: true }) @ApiPropertyOptional() container?: string;
  @Field() @ApiProperty() message!: string;
  @Field(() => JSONScalar) @ApiProperty({ type: 'object', additionalProperties: true }) evidence!: Record<string, EvidenceJson>;
  @Field(() => RemediationView) @ApiProperty({ type: RemediationView }) remediation!: RemediationView;
  @Field({ description: "The rule's documentation page" }) @ApiProperty({ description: "The rule's documentation page." }) docs!: string;
}

@ObjectType('Finding', { implements: () => [NodeInterface] })
export class FindingView extends FindingFields {
  @Field(() => SourceLocationView, { nullable: true }) @ApiPropertyOptional({ type: SourceLocationView }) location?: SourceLocationView;
}

@ObjectType('ClusterFinding', { description: 'A finding on a cluster with its state across scans', implements: () => [NodeInterface] })
export class ClusterFindingView extends FindingFields {
  @Field(() => FindingStatus) @ApiProperty({ enum: FindingStatus }) status!: FindingStatus;
  @Field({ description: 'Kept across rescans while the finding stays open' })
  @ApiProperty({ format: 'date-time', description: 'Kept across rescans while the finding stays open' })
  firstSeenAt!: string;
  @Field() @ApiProperty({ format: 'date-time' }) lastSeenAt!: string;
  @Field(() => String, { nullable: true, description: 'When a later scan no longer reported it' })
  @ApiPropertyOptional({ format: 'date-time', description: 'When a later scan no longer reported it' })
  resolvedAt?: string;
  @Field(() => ID, { description: 'The last scan that reported it' })
  @ApiProperty({ format: 'uuid', description: 'The last scan that reported it' })
  lastScanId!: string;
}

export const ScanList = ListOf(ScanView, { counted: 'on-request' });
export const FindingList = ListOf(FindingView, { counted: true });
export const ClusterFindingList = ListOf(ClusterFindingView, { counted: 'on-request' });
export const ScanConnection = ConnectionOf(ScanView, 'Scan');
export const FindingConnection = ConnectionOf(FindingView, 'Finding');
export const ClusterFindingConnection = ConnectionOf(ClusterFindingView, 'ClusterFinding');

@ObjectType('FixedFile')
export class FixedFileView {
  @Field() @ApiProperty({ example: 'web.yaml' }) name!: string;
  @Field({ description: 'The file with the fixes applied (the upload itself when unchanged)' })
  @ApiProperty({ description: 'The file with the fixes applied (the upload itself when unchanged)' })
  text!: string;
  @Field() @ApiProperty() changed!: boolean;
}

@ObjectType('AppliedFix')
export class AppliedFixView {
  @Field() @ApiProperty() file!: string;
  @Field() @ApiProperty() ruleId!: string;
  @Field() @ApiProperty() fingerprint!: string;
  @Field(() => ResourceRef) @ApiProperty({ type: ResourceRef }) resource!: ResourceRef;
}

@ObjectType('LeftFix', { description: 'A finding whose fix needs a decision only the team can make' })
export class LeftFixView {
  @Field() @ApiProperty() ruleId!: string;
  @Field() @ApiProperty() fingerprint!: string;
  @Field(() => ResourceRef) @ApiProperty({ type: ResourceRef }) resource!: ResourceRef;
  @Field() @ApiProperty({ example: 'the replica count is the team’s choice' }) reason!: string;
}

@ObjectType('FixedManifests', { description: "An upload scan's manifests with every fix that needs no human decision applied" })
export class FixedManifestsView {
  @Field(() => [FixedFileView]) @ApiProperty({ type: [FixedFileView] }) files!: FixedFileView[];
  @Field(() => [AppliedFixView]) @ApiProperty({ type: [AppliedFixView] }) applied!: AppliedFixView[];
  @Field(() => [LeftFixView]) @ApiProperty({ type: [LeftFixView] }) left!: LeftFixView[];
}
