// OpenAPI descriptions of the REST payloads (the shapes come from libs/scans' views).
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ErrorDetailDto {
  @ApiProperty({
    example: 'INVALID_MANIFESTS',
    description: 'BAD_INPUT, INVALID_MANIFESTS, PAYLOAD_TOO_LARGE, UNAUTHENTICATED, NOT_FOUND, RATE_LIMITED, UNAVAILABLE, INTERNAL',
  })
  code!: string;
  @ApiProperty({ example: 'upload line 3: unexpected end of the stream within a flow collection' })
  message!: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'e.g. { errors: [{ code, message, file, line, column }] }' })
  details?: unknown;
}

export class ErrorDto {
  @ApiProperty({ type: ErrorDetailDto })
  error!: ErrorDetailDto;
}

export class CreateOrganizationDto {
  @ApiProperty({ example: 'acme' })
  name!: string;
}

export class OrganizationCreatedDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty()
  name!: string;
  @ApiProperty({ description: 'Shown once: only its hash is stored.', example: 'rsk_...' })
  apiKey!: string;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

export class CreateScanDto {
  @ApiProperty({
    description: 'Kubernetes manifests: YAML (multi-document) or JSON text, at most 10 MiB.',
    example: 'apiVersion: apps/v1\nkind: Deployment\n...',
  })
  manifests!: string;
  @ApiPropertyOptional({ enum: ['alibaba', 'aws', 'gcp', 'azure'], description: 'Cloud provider; detected from annotations when omitted.' })
  provider?: string;
  @ApiPropertyOptional({ example: 'default', description: 'Name of what is scanned; finding states (open/resolved) are kept per target.' })
  target?: string;
}

export class ScanQueuedDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ enum: ['queued'] })
  status!: string;
}

export class SummaryDto {
  @ApiProperty() critical!: number;
  @ApiProperty() warning!: number;
  @ApiProperty() info!: number;
  @ApiProperty() suppressed!: number;
  @ApiProperty({ description: 'Rules that need live cluster data, not evaluated on manifests.' }) notEvaluated!: number;
}

export class ScanDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({
    enum: ['queued', 'running', 'succeeded', 'failed', 'skipped'],
    description: '`skipped`: a scheduled run that found a scan of its cluster still queued or running',
  })
  status!: string;
  @ApiProperty({ enum: ['upload', 'manual', 'schedule'] }) trigger!: string;
  @ApiProperty({ description: "The target's name; for a cluster scan, the cluster's name" }) target!: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'Set for a scan of a registered cluster' }) clusterId?: string;
  @ApiPropertyOptional() provider?: string;
  @ApiProperty({ type: SummaryDto }) summary!: SummaryDto;
  @ApiProperty({ type: [String] }) notEvaluated!: string[];
  @ApiProperty() documentCount!: number;
  @ApiProperty() attempts!: number;
  @ApiPropertyOptional() error?: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiPropertyOptional({ format: 'date-time' }) startedAt?: string;
  @ApiPropertyOptional({ format: 'date-time' }) finishedAt?: string;
  @ApiPropertyOptional() durationMs?: number;
}

export class ScanListDto {
  @ApiProperty({ type: [ScanDto] }) items!: ScanDto[];
  @ApiPropertyOptional({ description: 'Pass as `cursor` for the next page; absent on the last page.' }) nextCursor?: string;
  @ApiProperty() totalCount!: number;
}

export class ResourceDto {
  @ApiProperty() kind!: string;
  @ApiProperty() namespace!: string;
  @ApiProperty() name!: string;
}

export class RemediationDto {
  @ApiProperty() summary!: string;
  @ApiProperty({ description: 'A YAML snippet to paste into the resource.' }) yaml!: string;
}

export class LocationDto {
  @ApiProperty() file!: string;
  @ApiProperty() line!: number;
}

export class FindingDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'readiness-probe-missing' }) ruleId!: string;
  @ApiProperty({ enum: ['critical', 'warning', 'info'] }) severity!: string;
  @ApiProperty({ type: ResourceDto }) resource!: ResourceDto;
  @ApiPropertyOptional() container?: string;
  @ApiProperty() message!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) evidence!: Record<string, unknown>;
  @ApiProperty({ type: RemediationDto }) remediation!: RemediationDto;
  @ApiProperty({ description: "The rule's documentation page." }) docs!: string;
  @ApiPropertyOptional({ type: LocationDto }) location?: LocationDto;
  @ApiProperty({ description: 'Stable across scans (sha256 hex).' }) fingerprint!: string;
}

export class FindingListDto {
  @ApiProperty({ type: [FindingDto] }) items!: FindingDto[];
  @ApiPropertyOptional() nextCursor?: string;
  @ApiProperty() totalCount!: number;
}

export class CreateSuppressionDto {
  @ApiProperty({ example: 'pdb-missing' }) ruleId!: string;
  @ApiPropertyOptional() namespace?: string;
  @ApiPropertyOptional() kind?: string;
  @ApiPropertyOptional() name?: string;
  @ApiProperty({ example: 'batch jobs tolerate restarts' }) reason!: string;
  @ApiPropertyOptional({ format: 'date-time' }) expiresAt?: string;
}

export class SuppressionDto extends CreateSuppressionDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class SuppressionListDto {
  @ApiProperty({ type: [SuppressionDto] }) items!: SuppressionDto[];
  @ApiPropertyOptional() nextCursor?: string;
}

export class RegisterClusterDto {
  @ApiProperty({ example: 'prod-hangzhou', description: '1-63 letters, digits, ".", "_" or "-"; unique in the organization' }) name!: string;
  @ApiProperty({
    description:
      'Kubeconfig YAML with inline credentials (a ServiceAccount token or a client certificate) that can only read. ' +
      'Refused with 422: exec/auth-provider users, file references, insecure-skip-tls-verify (unless the operator allows it), ' +
      'credentials that can write, servers that are unreachable or at forbidden addresses. Stored encrypted; never returned.',
  })
  kubeconfig!: string;
  @ApiPropertyOptional({ description: 'The context to use; default: current-context' }) context?: string;
  @ApiPropertyOptional({ enum: ['alibaba', 'aws', 'gcp', 'azure'], description: "Default: detected from the nodes' providerID" }) provider?: string;
  @ApiPropertyOptional({ description: 'Load-balancer backend attachments allowed per node (Alibaba); default 50' }) slbAttachmentQuota?: number;
}

export class UpdateClusterDto {
  @ApiPropertyOptional() name?: string;
  @ApiPropertyOptional({ description: 'A new kubeconfig, verified like at registration' }) kubeconfig?: string;
  @ApiPropertyOptional() context?: string;
  @ApiPropertyOptional({ enum: ['alibaba', 'aws', 'gcp', 'azure'], nullable: true }) provider?: string | null;
  @ApiPropertyOptional({ nullable: true }) slbAttachmentQuota?: number | null;
}

export class ClusterDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'The API server URL' }) server!: string;
  @ApiProperty() contextName!: string;
  @ApiPropertyOptional() provider?: string;
  @ApiProperty() slbAttachmentQuota!: number;
  @ApiPropertyOptional({ example: 'v1.30.2' }) kubernetesVersion?: string;
  @ApiProperty({ type: [String], description: 'What the credentials cannot list, and which rules that leaves unevaluated' }) warnings!: string[];
  @ApiProperty({ type: [String] }) unlistableKinds!: string[];
  @ApiProperty({ type: [String], description: 'Rules reported as not evaluated for want of those kinds' }) notEvaluated!: string[];
  @ApiProperty({ format: 'date-time' }) verifiedAt!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class ClusterListDto {
  @ApiProperty({ type: [ClusterDto] }) items!: ClusterDto[];
  @ApiPropertyOptional() nextCursor?: string;
  @ApiProperty() totalCount!: number;
}

export class ClusterFindingDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() fingerprint!: string;
  @ApiProperty() ruleId!: string;
  @ApiProperty({ enum: ['critical', 'warning', 'info'] }) severity!: string;
  @ApiProperty({ enum: ['open', 'resolved'] }) status!: string;
  @ApiProperty({ type: ResourceDto }) resource!: ResourceDto;
  @ApiPropertyOptional() container?: string;
  @ApiProperty() message!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) evidence!: Record<string, unknown>;
  @ApiProperty({ type: RemediationDto }) remediation!: RemediationDto;
  @ApiProperty() docs!: string;
  @ApiProperty({ format: 'date-time', description: 'Kept across rescans while the finding stays open' }) firstSeenAt!: string;
  @ApiProperty({ format: 'date-time' }) lastSeenAt!: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'Set when a later scan no longer reported it' }) resolvedAt?: string;
  @ApiProperty({ format: 'uuid' }) lastScanId!: string;
}

export class ClusterFindingListDto {
  @ApiProperty({ type: [ClusterFindingDto] }) items!: ClusterFindingDto[];
  @ApiPropertyOptional() nextCursor?: string;
  @ApiProperty() totalCount!: number;
}

export class ScheduleInputDto {
  @ApiPropertyOptional({ example: '0 3 * * *', description: 'Cron expression (5 fields, or 6 with seconds); exactly one of cron and everySeconds' })
  cron?: string;
  @ApiPropertyOptional({ example: 'Asia/Shanghai', description: 'IANA time zone of the cron expression; default UTC' }) timezone?: string;
  @ApiPropertyOptional({ example: 3600, description: 'Fixed interval; at least ROLLSAFE_MIN_SCHEDULE_SECONDS (default 300)' }) everySeconds?: number;
}

export class ScheduleDto {
  @ApiProperty({ format: 'uuid' }) clusterId!: string;
  @ApiPropertyOptional() cron?: string;
  @ApiPropertyOptional() timezone?: string;
  @ApiPropertyOptional() everySeconds?: number;
  @ApiPropertyOptional({ format: 'date-time', description: 'When the queue runs it next' }) nextRunAt?: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class CreateWebhookDto {
  @ApiProperty({ enum: ['slack', 'dingtalk', 'feishu', 'wecom', 'teams', 'generic'] }) kind!: string;
  @ApiProperty({ description: "The platform's webhook URL (http or https); it must pass the outbound address policy. Stored encrypted." }) url!: string;
  @ApiPropertyOptional({ description: 'Signing secret: DingTalk and Feishu signatures, the generic X-Rollsafe-Signature. Stored encrypted; never returned.' })
  secret?: string;
  @ApiPropertyOptional({ enum: ['critical', 'warning', 'info'], default: 'warning', description: 'Only findings at or above this severity are sent' })
  minSeverity?: string;
  @ApiPropertyOptional({ type: [String], description: "Only these clusters' scans; default every scan of the organization" }) clusterIds?: string[];
}

export class UpdateWebhookDto {
  @ApiPropertyOptional({ enum: ['slack', 'dingtalk', 'feishu', 'wecom', 'teams', 'generic'] }) kind?: string;
  @ApiPropertyOptional() url?: string;
  @ApiPropertyOptional({ nullable: true, description: 'null removes it' }) secret?: string | null;
  @ApiPropertyOptional({ enum: ['critical', 'warning', 'info'] }) minSeverity?: string;
  @ApiPropertyOptional({ type: [String], nullable: true, description: 'null or [] for every scan' }) clusterIds?: string[] | null;
}

export class WebhookDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['slack', 'dingtalk', 'feishu', 'wecom', 'teams', 'generic'] }) kind!: string;
  @ApiProperty({ description: 'The URL in full when it holds no token; else scheme and host only ("https://hooks.slack.com/…")' }) url!: string;
  @ApiProperty() urlRedacted!: boolean;
  @ApiProperty() hasSecret!: boolean;
  @ApiProperty({ enum: ['critical', 'warning', 'info'] }) minSeverity!: string;
  @ApiProperty({ type: [String] }) clusterIds!: string[];
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class WebhookListDto {
  @ApiProperty({ type: [WebhookDto] }) items!: WebhookDto[];
  @ApiPropertyOptional() nextCursor?: string;
  @ApiProperty() totalCount!: number;
}

export class DeliveryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['scan.changes', 'test'] }) event!: string;
  @ApiPropertyOptional({ format: 'uuid' }) scanId?: string;
  @ApiProperty({ description: '1 for the first attempt' }) attempt!: number;
  @ApiProperty({ enum: ['delivered', 'retrying', 'gave_up'] }) result!: string;
  @ApiPropertyOptional({ description: 'HTTP status of the answer' }) status?: number;
  @ApiPropertyOptional({ description: "The platform's result code (errcode, code, Slack error)" }) code?: string;
  @ApiPropertyOptional() error?: string;
  @ApiProperty() durationMs!: number;
  @ApiProperty({ format: 'date-time' }) at!: string;
}

export class DeliveryListDto {
  @ApiProperty({ type: [DeliveryDto] }) items!: DeliveryDto[];
  @ApiPropertyOptional() nextCursor?: string;
  @ApiProperty() totalCount!: number;
}
