import { Controller, Get, Header, Param, Req, Res, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { FixedManifestsService, FixedManifestsView } from '#rollsafe/scans';
import { CurrentAuth } from '../auth/auth.guard.js';
import type { Auth } from '../auth/auth.types.js';
import { ErrorDto } from './dto.js';

@ApiTags('scans')
@ApiBearerAuth('apiKey')
@ApiResponse({ status: 401, type: ErrorDto, description: 'Missing or wrong API key' })
@ApiResponse({ status: 429, type: ErrorDto, description: 'Rate limit exceeded (see Retry-After)' })
@Controller('api/v1/scans')
export class FixedManifestsController {
  constructor(private readonly fixed: FixedManifestsService) {}

  @Get(':id/fixed-manifests')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary:
      'The upload with every fix that needs no human decision applied: the YAML for one file, a zip for several; Accept: application/json gives the files and what was applied and left',
  })
  @ApiProduces('application/yaml', 'application/zip', 'application/json')
  @ApiResponse({ status: 200, type: FixedManifestsView, description: 'With Accept: application/json' })
  @ApiResponse({ status: 404, type: ErrorDto, description: 'No such scan, or a cluster scan (no uploaded manifests)' })
  @ApiResponse({ status: 409, type: ErrorDto, description: 'The scan has not succeeded' })
  async get(
    @CurrentAuth() auth: Auth,
    @Param('id') id: string,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<FixedManifestsView | StreamableFile> {
    if (request.accepts(['application/yaml', 'application/zip', 'application/json']) === 'application/json') return this.fixed.plan(auth.organizationId, id);
    const download = await this.fixed.download(auth.organizationId, id);
    response.setHeader('X-Rollsafe-Fixes-Applied', String(download.applied));
    response.setHeader('X-Rollsafe-Fixes-Left', String(download.left));
    return new StreamableFile(download.body, { type: download.contentType, disposition: `attachment; filename="${download.fileName}"` });
  }
}
