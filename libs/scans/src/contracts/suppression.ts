import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ListOf } from './common.js';
import { FindingView } from './scan.js';

/** An organization-level suppression (REST only). */
export class SuppressionView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'pdb-missing' }) ruleId!: string;
  @ApiPropertyOptional() namespace?: string;
  @ApiPropertyOptional() kind?: string;
  @ApiPropertyOptional() name?: string;
  @ApiProperty({ example: 'batch jobs tolerate restarts' }) reason!: string;
  @ApiPropertyOptional({ format: 'date-time' }) expiresAt?: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export const SuppressionList = ListOf(SuppressionView, { counted: false });

/** A finding a suppression hid from its target's later scans (REST only). */
export class HiddenFindingView extends FindingView {
  @ApiProperty({ format: 'uuid', description: "The scan that reported it: its target's last succeeded scan finished before the suppression was created" })
  scanId!: string;
  @ApiProperty({ description: "The scan's target (a cluster's name for a cluster scan)" }) target!: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'Set when the target is a registered cluster' }) clusterId?: string;
}

export const HiddenFindingList = ListOf(HiddenFindingView, { counted: 'on-request' });
