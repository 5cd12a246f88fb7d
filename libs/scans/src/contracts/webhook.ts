import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ConnectionOf, ListOf, NodeInterface } from './common.js';
import { DeliveryResult, Severity, WebhookKind } from './enums.js';

/** A webhook as every endpoint returns it: never its secret, never a token-bearing URL in full. */
@ObjectType('Webhook', {
  description: 'A chat or generic webhook. Its secret is never returned, nor a URL that holds a token.',
  implements: () => [NodeInterface],
})
export class WebhookView {
  @Field(() => ID) @ApiProperty({ format: 'uuid' }) id!: string;
  @Field(() => WebhookKind) @ApiProperty({ enum: WebhookKind }) kind!: WebhookKind;
  @Field({ description: 'The full URL when it holds no token; else scheme and host only' })
  @ApiProperty({ description: 'The URL in full when it holds no token; else scheme and host only ("https://hooks.slack.com/…")' })
  url!: string;
  @Field() @ApiProperty({ description: 'True when `url` is shortened because the URL itself holds a token' }) urlRedacted!: boolean;
  @Field() @ApiProperty() hasSecret!: boolean;
  @Field(() => Severity) @ApiProperty({ enum: Severity }) minSeverity!: Severity;
  @Field(() => [ID], { description: "Only these clusters' scans; empty: every scan" })
  @ApiProperty({ type: [String], description: "Only these clusters' scans; empty: every scan" })
  clusterIds!: string[];
  @Field() @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @Field() @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

@ObjectType('Delivery', { description: 'One delivery attempt', implements: () => [NodeInterface] })
export class DeliveryView {
  @Field(() => ID) @ApiProperty({ format: 'uuid' }) id!: string;
  @Field({ description: 'scan.changes or test' }) @ApiProperty({ enum: ['scan.changes', 'test'] }) event!: string;
  @Field(() => ID, { nullable: true }) @ApiPropertyOptional({ format: 'uuid' }) scanId?: string;
  @Field(() => Int) @ApiProperty({ description: '1 for the first attempt' }) attempt!: number;
  @Field(() => DeliveryResult) @ApiProperty({ enum: DeliveryResult }) result!: DeliveryResult;
  @Field(() => Int, { nullable: true, description: 'HTTP status of the answer' })
  @ApiPropertyOptional({ description: 'HTTP status of the answer' })
  status?: number;
  @Field(() => String, { nullable: true, description: "The platform's result code" })
  @ApiPropertyOptional({ description: "The platform's result code (DingTalk/WeCom errcode, Feishu code, Slack error)" })
  code?: string;
  @Field(() => String, { nullable: true }) @ApiPropertyOptional() error?: string;
  @Field(() => Int) @ApiProperty() durationMs!: number;
  @Field() @ApiProperty({ format: 'date-time' }) at!: string;
}

export const WebhookList = ListOf(WebhookView, { counted: 'on-request' });
export const DeliveryList = ListOf(DeliveryView, { counted: 'on-request' });
export const WebhookConnection = ConnectionOf(WebhookView, 'Webhook');
export const DeliveryConnection = ConnectionOf(DeliveryView, 'Delivery');
