import { Body, Controller, Delete, Get, HttpCode, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ProviderProfileService, type ProviderProfileView } from '#rollsafe/scans';
import { CurrentAuth } from '../auth/auth.guard.js';
import type { Auth } from '../auth/auth.types.js';
import { Idempotent } from '../idempotency/idempotency.interceptor.js';
import { ErrorDto } from './dto.js';

/** The organization's provider profile values (docs/providers.md), applied by its later scans. */
@ApiTags('settings')
@ApiBearerAuth('apiKey')
@Controller('api/v1/settings/provider-profile')
export class ProviderProfileController {
  constructor(private readonly profiles: ProviderProfileService) {}

  @Get()
  @ApiOperation({ summary: "The organization's provider profile values over the built-in table (empty when none)" })
  get(@CurrentAuth() auth: Auth): Promise<ProviderProfileView> {
    return this.profiles.get(auth.organizationId);
  }

  @Idempotent()
  @Put()
  @ApiOperation({
    summary: 'Replace the provider profile values: { overrides: { "<row id>|<provider>|*": { lbRemoveLatencySeconds: 20, ... } } }',
  })
  @ApiResponse({ status: 200, description: 'The stored values' })
  @ApiResponse({ status: 400, type: ErrorDto })
  put(@CurrentAuth() auth: Auth, @Body() body: unknown): Promise<ProviderProfileView> {
    return this.profiles.put(auth.organizationId, body);
  }

  @Idempotent()
  @Delete()
  @HttpCode(204)
  @ApiOperation({ summary: "Forget the organization's provider profile values (later scans use the built-in table)" })
  @ApiResponse({ status: 204 })
  async remove(@CurrentAuth() auth: Auth): Promise<void> {
    await this.profiles.delete(auth.organizationId);
  }
}
