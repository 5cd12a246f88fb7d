import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ListOf } from './common.js';

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
