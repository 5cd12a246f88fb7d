import { Body, Controller, HttpCode, Post, Req, Res, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { SimulationResultView, SimulationService } from '#rollsafe/scans';
import { CurrentAuth } from '../auth/auth.guard.js';
import type { Auth } from '../auth/auth.types.js';
import { ErrorDto, SimulateRequestDto } from './dto.js';

@ApiTags('verdicts')
@ApiBearerAuth('apiKey')
@ApiResponse({ status: 401, type: ErrorDto, description: 'Missing or wrong API key' })
@ApiResponse({ status: 429, type: ErrorDto, description: 'Rate limit exceeded (see Retry-After)' })
@Controller('api/v1/simulations')
export class SimulationsController {
  constructor(private readonly simulations: SimulationService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary:
      "Simulate the rollouts of a few manifests' Services now: windows, dropped seconds, fixes (Accept: image/svg+xml with `service` gives its timeline)",
  })
  @ApiBody({ type: SimulateRequestDto })
  @ApiProduces('application/json', 'image/svg+xml')
  @ApiResponse({ status: 200, type: SimulationResultView })
  @ApiResponse({ status: 400, type: ErrorDto, description: 'A parameter out of range, naming it' })
  @ApiResponse({ status: 413, type: ErrorDto, description: 'Over 1 MiB: scan it instead' })
  @ApiResponse({ status: 422, type: ErrorDto, description: 'Manifests that cannot be parsed; details name the line' })
  async simulate(
    @CurrentAuth() _auth: Auth,
    @Body() body: unknown,
    @Req() request: Request,
    @Res({ passthrough: true }) _response: Response,
  ): Promise<SimulationResultView | StreamableFile> {
    const input = (typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
    if (request.accepts(['application/json', 'image/svg+xml']) === 'image/svg+xml') {
      return new StreamableFile(Buffer.from(await this.simulations.timeline(input), 'utf8'), { type: 'image/svg+xml; charset=utf-8' });
    }
    return this.simulations.simulate(input);
  }
}
