import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ConnectionOf, ListOf, NodeInterface } from './common.js';
import { CLUSTER_PROVIDER_DESCRIPTION } from './provider.js';

@ObjectType('Cluster', { description: 'A registered cluster. Its credentials are never returned.', implements: () => [NodeInterface] })
export class ClusterView {
  @Field(() => ID) @ApiProperty({ format: 'uuid' }) id!: string;
  @Field() @ApiProperty() name!: string;
  @Field({ description: 'The API server URL' }) @ApiProperty({ description: 'The API server URL' }) server!: string;
  @Field() @ApiProperty() contextName!: string;
  @Field(() => String, { nullable: true, description: CLUSTER_PROVIDER_DESCRIPTION })
  @ApiPropertyOptional({ description: CLUSTER_PROVIDER_DESCRIPTION })
  provider?: string;
  @Field(() => Int, { description: 'Load-balancer backend attachments allowed per node (Alibaba quota); default 50' })
  @ApiProperty({ description: 'Load-balancer backend attachments allowed per node (Alibaba quota); default 50' })
  slbAttachmentQuota!: number;
  @Field(() => String, { nullable: true }) @ApiPropertyOptional({ example: 'v1.30.2' }) kubernetesVersion?: string;
  @Field(() => [String], { description: 'What the credentials cannot list, and which rules that leaves unevaluated' })
  @ApiProperty({ type: [String], description: 'What the credentials cannot list, and which rules that leaves unevaluated' })
  warnings!: string[];
  @Field(() => [String]) @ApiProperty({ type: [String] }) unlistableKinds!: string[];
  @Field(() => [String], { description: 'Rules reported as not evaluated for want of those kinds' })
  @ApiProperty({ type: [String], description: 'Rules reported as not evaluated for want of those kinds' })
  notEvaluated!: string[];
  @Field() @ApiProperty({ format: 'date-time' }) verifiedAt!: string;
  @Field() @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @Field() @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

@ObjectType('Schedule', { description: "A cluster's schedule: exactly one of cron and everySeconds" })
export class ScheduleView {
  @Field(() => ID) @ApiProperty({ format: 'uuid' }) clusterId!: string;
  @Field(() => String, { nullable: true }) @ApiPropertyOptional({ example: '0 3 * * *' }) cron?: string;
  @Field(() => String, { nullable: true, description: 'IANA time zone of the cron expression (UTC when null)' })
  @ApiPropertyOptional({ description: 'IANA time zone of the cron expression (UTC when absent)' })
  timezone?: string;
  @Field(() => Int, { nullable: true }) @ApiPropertyOptional() everySeconds?: number;
  @Field(() => String, { nullable: true, description: 'When the queue runs it next' })
  @ApiPropertyOptional({ format: 'date-time', description: 'When the queue runs it next' })
  nextRunAt?: string;
  @Field() @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @Field() @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export const ClusterList = ListOf(ClusterView, { counted: 'on-request' });
export const ClusterConnection = ConnectionOf(ClusterView, 'Cluster');
