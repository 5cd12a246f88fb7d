// A load-balanced Service's verdict (libs/simulator's ServiceVerdict), one class for REST and GraphQL.
import { Field, Float, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Verdict } from '#rollsafe/store';
import { ConnectionOf, JSONScalar, ListOf, NodeInterface, type EvidenceJson } from './common.js';

export { Verdict };

registerEnumType(Verdict, { name: 'Verdict', description: 'safe; drops (a rollout drops traffic); unknown (something needed to decide is missing)' });

@ObjectType('ServiceRef')
export class ServiceRefView {
  @Field() @ApiProperty() namespace!: string;
  @Field() @ApiProperty() name!: string;
  @Field() @ApiProperty({ example: 'LoadBalancer' }) type!: string;
  @Field(() => String, { nullable: true, description: 'cluster, local, pod or internal: how the load balancer reaches the pods' })
  @ApiPropertyOptional({ enum: ['cluster', 'local', 'pod', 'internal'], nullable: true })
  path!: string | null;
}

@ObjectType('WorkloadRef')
export class WorkloadRefView {
  @Field() @ApiProperty({ example: 'Deployment' }) kind!: string;
  @Field() @ApiProperty() namespace!: string;
  @Field() @ApiProperty() name!: string;
}

@ObjectType('TrafficWindow', { description: 'A stretch of the rollout in which requests sent this way fail' })
export class TrafficWindowView {
  @Field(() => Float, { description: 'Seconds from the start of the rollout' }) @ApiProperty() start!: number;
  @Field(() => Float) @ApiProperty() end!: number;
  @Field({ description: 'not-ready-endpoint, stopped-before-removed, killed-during-prestop, node-without-endpoint, capacity-dip or connections-cut' })
  @ApiProperty({ example: 'stopped-before-removed' })
  cause!: string;
  @Field() @ApiProperty({ example: 'cluster' }) path!: string;
  @Field(() => String, { nullable: true }) @ApiPropertyOptional() node?: string;
  @Field(() => String, { nullable: true }) @ApiPropertyOptional() pod?: string;
  @Field(() => Float, { description: "The fraction of the Service's traffic sent there" }) @ApiProperty() share!: number;
}

@ObjectType('RolloutFix', { description: 'A change that closes windows, checked by simulating again with it applied' })
export class RolloutFixView {
  @Field() @ApiProperty({ example: 'preStop sleep 15 s and terminationGracePeriodSeconds 45' }) change!: string;
  @Field(() => [String]) @ApiProperty({ type: [String] }) closes!: string[];
  @Field(() => [String], { description: 'Rule ids whose findings the fix also clears' }) @ApiProperty({ type: [String] }) ruleIds!: string[];
  @Field({ description: 'YAML to paste' }) @ApiProperty() yaml!: string;
}

@ObjectType('AfterFixes')
export class AfterFixesView {
  @Field(() => Verdict) @ApiProperty({ enum: Verdict }) verdict!: Verdict;
  @Field(() => Float) @ApiProperty() droppedTrafficSeconds!: number;
}

@ObjectType('ServiceVerdict', {
  description: 'Will a rollout of the workload behind this Service drop traffic, where, for how long, and what makes it safe',
  implements: () => [NodeInterface],
})
export class ServiceVerdictView {
  @Field(() => ID) @ApiProperty({ format: 'uuid' }) id!: string;
  @Field(() => ID, { description: 'The scan that judged it' }) @ApiProperty({ format: 'uuid' }) scanId!: string;
  @Field(() => ServiceRefView) @ApiProperty({ type: ServiceRefView }) service!: ServiceRefView;
  @Field(() => WorkloadRefView, { nullable: true }) @ApiPropertyOptional({ type: WorkloadRefView, nullable: true }) workload!: WorkloadRefView | null;
  @Field(() => Verdict) @ApiProperty({ enum: Verdict }) verdict!: Verdict;
  @Field(() => [String], { description: 'What is missing to decide (verdict unknown)' }) @ApiProperty({ type: [String] }) missing!: string[];
  @Field(() => Float) @ApiProperty({ example: 12.7 }) droppedTrafficSeconds!: number;
  @Field(() => [TrafficWindowView]) @ApiProperty({ type: [TrafficWindowView] }) windows!: TrafficWindowView[];
  @Field(() => [String], { description: 'Rule ids whose findings explain the windows' }) @ApiProperty({ type: [String] }) ruleIds!: string[];
  @Field(() => [String], { description: "Fingerprints of this scan's findings that explain them" }) @ApiProperty({ type: [String] }) findings!: string[];
  @Field(() => [RolloutFixView], { description: 'The smallest set of changes that made a new simulation safe' })
  @ApiProperty({ type: [RolloutFixView] })
  fixes!: RolloutFixView[];
  @Field(() => AfterFixesView, { nullable: true }) @ApiPropertyOptional({ type: AfterFixesView, nullable: true }) afterFixes!: AfterFixesView | null;
  @Field(() => JSONScalar, { nullable: true, description: 'Every input of the simulation' })
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true })
  parameters!: Record<string, EvidenceJson> | null;
  @Field(() => JSONScalar, { description: 'Where each parameter came from (flag, manifest, cluster, profile, default)' })
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  parameterSources!: Record<string, EvidenceJson>;
  @Field(() => [String]) @ApiProperty({ type: [String] }) notes!: string[];
  @Field(() => Float) @ApiProperty() durationSeconds!: number;
  @Field({ description: 'The timeline picture (image/svg+xml), a path under the API' })
  @ApiProperty({ example: '/api/v1/scans/…/services/shop/web/timeline.svg' })
  timelineUrl!: string;
}

@ObjectType('VerdictSummary')
export class VerdictSummaryView {
  @Field(() => Int) @ApiProperty() services!: number;
  @Field(() => Int) @ApiProperty() drops!: number;
  @Field(() => Int) @ApiProperty() safe!: number;
  @Field(() => Int) @ApiProperty() unknown!: number;
  @Field({ description: 'e.g. "3 of 41 Services drop traffic on rollout"' })
  @ApiProperty({ example: '3 of 41 Services drop traffic on rollout' })
  headline!: string;
}

@ObjectType('ServiceChange')
export class ServiceChangeView {
  @Field() @ApiProperty() namespace!: string;
  @Field() @ApiProperty() name!: string;
  @Field({ description: "The verdict now ('gone': the scan no longer has the Service)" })
  @ApiProperty({ enum: ['safe', 'drops', 'unknown', 'gone'] })
  verdict!: string;
  @Field(() => Float) @ApiProperty() droppedTrafficSeconds!: number;
}

@ObjectType('VerdictChanges', { description: "Services that started or stopped dropping traffic since the target's previous scan" })
export class VerdictChangesView {
  @Field(() => [ServiceChangeView]) @ApiProperty({ type: [ServiceChangeView] }) startedDropping!: ServiceChangeView[];
  @Field(() => [ServiceChangeView]) @ApiProperty({ type: [ServiceChangeView] }) stoppedDropping!: ServiceChangeView[];
}

export const ServiceVerdictList = ListOf(ServiceVerdictView, { counted: true });
export const ServiceVerdictConnection = ConnectionOf(ServiceVerdictView, 'ServiceVerdict');

@ObjectType('SimulationResult', { description: "SIMULATOR.md's object per Service and workload simulated" })
export class SimulationResultView {
  @Field(() => [JSONScalar]) @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } }) runs!: Array<Record<string, EvidenceJson>>;
}
