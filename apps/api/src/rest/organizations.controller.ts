import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { OrganizationService } from '#rollsafe/scans';
import { AdminOnly } from '../auth/auth.guard.js';
import { CreateOrganizationDto, ErrorDto, OrganizationCreatedDto } from './dto.js';

@ApiTags('organizations')
@ApiBearerAuth('admin')
@Controller('api/v1/organizations')
export class OrganizationsController {
  constructor(private readonly organizations: OrganizationService) {}

  @Post()
  @HttpCode(201)
  @AdminOnly()
  @ApiOperation({ summary: 'Create an organization and its first API key (admin token required; the key is shown once)' })
  @ApiBody({ type: CreateOrganizationDto })
  @ApiResponse({ status: 201, type: OrganizationCreatedDto })
  @ApiResponse({ status: 400, type: ErrorDto })
  @ApiResponse({ status: 401, type: ErrorDto })
  create(@Body() body: unknown): Promise<OrganizationCreatedDto> {
    return this.organizations.create((body as { name?: unknown } | undefined)?.name);
  }
}
