// OpenAPI descriptions of the REST request bodies and errors. What the API returns is
// described once, by the contracts in libs/scans/src/contracts.
import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { PROVIDER_CHOICES, Severity, SuppressionView, WebhookKind } from '#rollsafe/scans';

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
  @ApiPropertyOptional({ enum: PROVIDER_CHOICES, default: 'auto', description: 'Cloud provider; auto (or omitted): detected from annotations.' })
  provider?: string;
  @ApiPropertyOptional({ example: 'default', description: 'Name of what is scanned; finding states (open/resolved) are kept per target.' })
  target?: string;
}

export class ScanQueuedDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ enum: ['queued'] })
  status!: string;

  /** What a POST that queues a scan answers of it (the answer an Idempotency-Key keeps with the scan: see ProjectedAnswer). */
  static fromResult(scan: { id: string; status: string }): ScanQueuedDto {
    return { id: scan.id, status: scan.status };
  }
}

/** A suppression as created: the contract less what the service sets. */
export class CreateSuppressionDto extends OmitType(SuppressionView, ['id', 'createdAt'] as const) {}

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
  @ApiPropertyOptional({ enum: PROVIDER_CHOICES, default: 'auto', description: "auto (or omitted): detected from the nodes' providerID" }) provider?: string;
  @ApiPropertyOptional({ description: 'Load-balancer backend attachments allowed per node (Alibaba); default 50' }) slbAttachmentQuota?: number;
}

export class UpdateClusterDto {
  @ApiPropertyOptional() name?: string;
  @ApiPropertyOptional({ description: 'A new kubeconfig, verified like at registration' }) kubeconfig?: string;
  @ApiPropertyOptional() context?: string;
  @ApiPropertyOptional({ enum: PROVIDER_CHOICES, nullable: true, description: 'auto or null: detected from the nodes again' }) provider?: string | null;
  @ApiPropertyOptional({ nullable: true }) slbAttachmentQuota?: number | null;
}

export class ScheduleInputDto {
  @ApiPropertyOptional({ example: '0 3 * * *', description: 'Cron expression (5 fields, or 6 with seconds); exactly one of cron and everySeconds' })
  cron?: string;
  @ApiPropertyOptional({ example: 'Asia/Shanghai', description: 'IANA time zone of the cron expression; default UTC' }) timezone?: string;
  @ApiPropertyOptional({ example: 3600, description: 'Fixed interval; at least ROLLSAFE_MIN_SCHEDULE_SECONDS (default 300)' }) everySeconds?: number;
}

export class CreateWebhookDto {
  @ApiProperty({ enum: WebhookKind }) kind!: string;
  @ApiProperty({ description: "The platform's webhook URL (http or https); it must pass the outbound address policy. Stored encrypted." }) url!: string;
  @ApiPropertyOptional({ description: 'Signing secret: DingTalk and Feishu signatures, the generic X-Rollsafe-Signature. Stored encrypted; never returned.' })
  secret?: string;
  @ApiPropertyOptional({ enum: Severity, default: 'warning', description: 'Only findings at or above this severity are sent' })
  minSeverity?: string;
  @ApiPropertyOptional({ type: [String], description: "Only these clusters' scans; default every scan of the organization" }) clusterIds?: string[];
}

export class UpdateWebhookDto {
  @ApiPropertyOptional({ enum: WebhookKind }) kind?: string;
  @ApiPropertyOptional() url?: string;
  @ApiPropertyOptional({ nullable: true, description: 'null removes it' }) secret?: string | null;
  @ApiPropertyOptional({ enum: Severity }) minSeverity?: string;
  @ApiPropertyOptional({ type: [String], nullable: true, description: 'null or [] for every scan' }) clusterIds?: string[] | null;
}

export class SimulateRequestDto {
  @ApiProperty({ description: 'Kubernetes manifests (YAML or JSON), at most 1 MiB: larger inputs belong in a scan' }) manifests!: string;
  @ApiPropertyOptional({ enum: PROVIDER_CHOICES, default: 'auto' }) provider?: string;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: "SIMULATOR.md's parameters: nodes, E, L, lbAdd, podStart, appWarmup, appShutdown, drainTimeout (seconds), drain, inPlace, kubernetesVersion",
    example: { L: 15, appShutdown: 5 },
  })
  parameters?: Record<string, unknown>;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Only this Service', example: { namespace: 'shop', name: 'web' } })
  service?: {
    namespace?: string;
    name: string;
  };
}
