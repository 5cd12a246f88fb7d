import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, UploadedFiles, UseInterceptors } from '@nestjs/common';
import { AnyFilesInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import {
  DomainError,
  MAX_UPLOAD_BYTES,
  ScanQueryService,
  ScanRequestService,
  UploadParser,
  type FindingView,
  type ListView,
  FindingList,
  ScanView,
  ScanList,
  ScanStatus,
  ScanTrigger,
  Severity,
} from '#rollsafe/scans';
import { CurrentAuth } from '../auth/auth.guard.js';
import type { Auth } from '../auth/auth.types.js';
import { CreateScanDto, ErrorDto, ScanQueuedDto } from './dto.js';
import { ApiCountQuery, countParam, intParam, stringParam } from './query.js';
import { ApiIdempotencyKey, IdempotencyInterceptor } from '../idempotency/idempotency.interceptor.js';
import { boundedMemoryStorage } from './bounded-upload.js';
import { uploadBodyOf } from './upload-body.js';

interface UploadedFile {
  originalname: string;
  buffer: Buffer;
}

/** What the scan request takes: the files (texts, or bytes decoded on the parse thread), provider and target. */
type ScanInput = Pick<Parameters<ScanRequestService['request']>[0], 'files' | 'provider' | 'target'>;

@ApiTags('scans')
@ApiBearerAuth('apiKey')
@ApiResponse({ status: 401, type: ErrorDto, description: 'Missing or wrong API key' })
@ApiResponse({ status: 429, type: ErrorDto, description: 'Rate limit exceeded (see Retry-After)' })
@Controller('api/v1/scans')
export class ScansController {
  constructor(
    private readonly requests: ScanRequestService,
    private readonly queries: ScanQueryService,
    private readonly parser: UploadParser,
  ) {}

  @Post()
  @HttpCode(202)
  @UseInterceptors(
    AnyFilesInterceptor({
      storage: boundedMemoryStorage(MAX_UPLOAD_BYTES),
      limits: { fileSize: MAX_UPLOAD_BYTES, files: 200, fieldSize: MAX_UPLOAD_BYTES, fields: 4 },
    }),
    // after the files are read: they are part of what the key's request is
    IdempotencyInterceptor,
  )
  @ApiOperation({ summary: 'Queue a scan of manifests: JSON { manifests }, multipart files, or a raw YAML body' })
  @ApiIdempotencyKey()
  @ApiConsumes('application/json', 'multipart/form-data', 'application/yaml')
  @ApiBody({ type: CreateScanDto })
  @ApiResponse({ status: 202, type: ScanQueuedDto })
  @ApiResponse({ status: 400, type: ErrorDto })
  @ApiResponse({ status: 413, type: ErrorDto, description: 'Body over 10 MiB or too many documents' })
  @ApiResponse({ status: 422, type: ErrorDto, description: 'Manifests that cannot be parsed; details name file and line' })
  async create(
    @CurrentAuth() auth: Auth,
    @Body() body: unknown,
    @UploadedFiles() files: UploadedFile[] | undefined,
    @Req() request: Request,
  ): Promise<ScanQueuedDto> {
    const input = await this.scanInput(body, files ?? [], request);
    const scan = await this.requests.request({ organizationId: auth.organizationId, trigger: 'upload', ...input });
    return { id: scan.id, status: scan.status };
  }

  @Get()
  @ApiOperation({ summary: "List the organization's scans, newest first" })
  @ApiQuery({ name: 'status', required: false, enum: ScanStatus })
  @ApiQuery({ name: 'trigger', required: false, enum: ScanTrigger })
  @ApiQuery({ name: 'clusterId', required: false, description: "Only this cluster's scans" })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: '1-200, default 20' })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiCountQuery()
  @ApiResponse({ status: 200, type: ScanList })
  list(@CurrentAuth() auth: Auth, @Query() query: Record<string, unknown>): Promise<ListView<ScanView>> {
    return this.queries.list(auth.organizationId, {
      status: stringParam('status', query['status']) ?? null,
      trigger: stringParam('trigger', query['trigger']) ?? null,
      clusterId: stringParam('clusterId', query['clusterId']) ?? null,
      limit: intParam('limit', query['limit']) ?? null,
      cursor: stringParam('cursor', query['cursor']) ?? null,
      count: countParam(query['count']),
    });
  }

  @Get(':id')
  @ApiOperation({ summary: 'A scan: status, summary, error' })
  @ApiResponse({ status: 200, type: ScanView })
  @ApiResponse({ status: 404, type: ErrorDto })
  get(@CurrentAuth() auth: Auth, @Param('id') id: string): Promise<ScanView> {
    return this.queries.get(auth.organizationId, id);
  }

  @Get(':id/findings')
  @ApiOperation({ summary: "A scan's findings, in the advisor's order" })
  @ApiQuery({ name: 'severity', required: false, enum: Severity })
  @ApiQuery({ name: 'ruleId', required: false })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: '1-200, default 50' })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiResponse({ status: 200, type: FindingList })
  @ApiResponse({ status: 404, type: ErrorDto })
  findings(@CurrentAuth() auth: Auth, @Param('id') id: string, @Query() query: Record<string, unknown>): Promise<ListView<FindingView>> {
    return this.queries.findings(auth.organizationId, id, {
      severity: stringParam('severity', query['severity']) ?? null,
      ruleId: stringParam('ruleId', query['ruleId']) ?? null,
      limit: intParam('limit', query['limit']) ?? null,
      cursor: stringParam('cursor', query['cursor']) ?? null,
    });
  }

  /**
   * One request shape for the use case, whichever way the manifests came. A YAML or JSON body
   * arrives as bytes (uploadBodyReader): YAML goes to the use case as it is, JSON is parsed on
   * the parse thread first; multipart files go as bytes too. Their text is decoded where it is
   * parsed, off the event loop when large.
   */
  private async scanInput(body: unknown, files: UploadedFile[], request: Request): Promise<ScanInput> {
    const upload = uploadBodyOf(request);
    if (upload && !upload.json) {
      return {
        files: [{ name: 'upload', bytes: upload.bytes, charset: upload.charset }],
        provider: stringParam('provider', request.query['provider']) ?? null,
        target: stringParam('target', request.query['target']) ?? null,
      };
    }
    if (upload) {
      const read = await this.parser.readJson(upload.bytes, upload.charset);
      if (!read.valid) throw new DomainError('BAD_INPUT', 'request body is not valid JSON');
      return fieldsInput(read.body, [], read.manifests);
    }
    return fieldsInput(body, files);
  }
}

/** The manifests and settings of a JSON body's fields or a multipart form's (its files as bytes). */
function fieldsInput(body: unknown, files: UploadedFile[], manifestsBytes?: ScanInput['files'][number]): ScanInput {
  const fields = (typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
  if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body))) {
    throw new DomainError('BAD_INPUT', 'the body must be a JSON object { "manifests": "<yaml or json>" }');
  }
  const provider = optionalString('provider', fields['provider']);
  const target = optionalString('target', fields['target']);
  if (files.length > 0) {
    // Buffer#toString keeps a leading byte order mark, and so does keepBom.
    return { files: files.map((file) => ({ name: safeName(file.originalname), bytes: file.buffer, keepBom: true })), provider, target };
  }
  if (manifestsBytes) return { files: [manifestsBytes], provider, target };
  const manifests = fields['manifests'];
  if (typeof manifests !== 'string') {
    throw new DomainError('BAD_INPUT', 'manifests is required: a string of YAML or JSON (or upload files as multipart/form-data)', { field: 'manifests' });
  }
  return { files: [{ name: 'upload', text: manifests }], provider, target };
}

function optionalString(name: string, value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new DomainError('BAD_INPUT', `${name} must be a string`, { field: name });
  return value;
}

function safeName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? 'upload';
  return base.replace(/[^\w.-]/g, '_').slice(0, 200) || 'upload';
}
