import { KubeError } from '../errors.js';
import type { ClusterConnection } from './connection.js';
import { unreachable } from './network-error.js';
import { sendRequest, type ApiRequest, type ApiResponse } from './request.js';
import { backoffMs, isRetryableStatus, retryAfterMs, sleep, type RetryPolicy } from './retry.js';

export interface ClientCounters {
  requests: number;
  retries: number;
}

/**
 * Requests with retries: network errors, 429 and 5xx are tried again after an exponential
 * backoff (or the server's Retry-After). Every other status is returned to the caller.
 */
export class ApiClient {
  readonly counters: ClientCounters = { requests: 0, retries: 0 };

  constructor(
    readonly connection: ClusterConnection,
    private readonly retry: RetryPolicy,
  ) {}

  async send(request: ApiRequest): Promise<ApiResponse> {
    for (let attempt = 0; ; attempt++) {
      const last = attempt >= this.retry.maxRetries;
      let response: ApiResponse;
      try {
        this.counters.requests++;
        response = await sendRequest(this.connection, request);
      } catch (error) {
        if (last || error instanceof KubeError) throw unreachable(this.connection.server, error);
        await this.wait(attempt);
        continue;
      }
      if (!isRetryableStatus(response.status) || last) return response;
      await this.wait(attempt, retryAfterMs(response.headers));
    }
  }

  /** GET or POST expecting 2xx JSON; other statuses become a KubeError naming the request. */
  async json<T>(request: ApiRequest): Promise<T> {
    const response = await this.send(request);
    if (response.status < 200 || response.status > 299) throw statusError(this.connection.server, request, response);
    return parseJson<T>(response, request);
  }

  private async wait(attempt: number, retryAfter?: number): Promise<void> {
    this.counters.retries++;
    await sleep(backoffMs(this.retry, attempt, retryAfter));
  }
}

export function parseJson<T>(response: ApiResponse, request: ApiRequest): T {
  try {
    return JSON.parse(response.body.toString('utf8')) as T;
  } catch {
    throw new KubeError('CLUSTER_ERROR', `${request.method} ${request.path}: the response is not JSON`);
  }
}

/** The message of a Kubernetes Status body, if the response carries one. */
export function statusMessage(response: ApiResponse): string | undefined {
  try {
    const body = JSON.parse(response.body.toString('utf8')) as { kind?: string; message?: unknown; reason?: unknown };
    if (body.kind !== 'Status') return undefined;
    return typeof body.message === 'string' && body.message ? body.message : typeof body.reason === 'string' ? body.reason : undefined;
  } catch {
    return undefined;
  }
}

/** 401/403 are CLUSTER_FORBIDDEN; anything else unexpected is CLUSTER_ERROR (5xx after retries too). */
export function statusError(server: string, request: ApiRequest, response: ApiResponse): KubeError {
  const detail = statusMessage(response);
  const message = `${request.method} ${request.path} on ${server}: HTTP ${response.status}${detail ? ` (${detail})` : ''}`;
  const code = response.status === 401 || response.status === 403 ? 'CLUSTER_FORBIDDEN' : 'CLUSTER_ERROR';
  return new KubeError(code, message, { status: response.status });
}
