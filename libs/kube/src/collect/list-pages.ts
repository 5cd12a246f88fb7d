import { KubeError } from '../errors.js';
import { parseJson, statusError, statusMessage, type ApiClient } from '../http/api-client.js';
import type { ApiRequest } from '../http/request.js';
import type { ListedResource } from './resources.js';

export interface ListPage {
  apiVersion?: string;
  items?: unknown[];
  metadata?: { continue?: string; resourceVersion?: string };
}

/** Where the pages of one resource go; `restart` undoes every page received so far. */
export interface PageSink {
  page(items: unknown[], apiVersion: string): void;
  restart(): void;
}

export type ListOutcome = { listed: true; pages: number; restarts: number } | { listed: false; status: number; reason: string };

export interface ListSettings {
  pageSize: number;
  /** 410 Expired restarts allowed before giving up; default 3. */
  maxRestarts?: number;
}

/**
 * Lists a resource cluster-wide in pages of `limit` with continue tokens. A continue token
 * that expired (410) restarts the list from the first page. 403 (RBAC) and 404 (the API is
 * not served) are returned as "not listed"; other failures throw.
 */
export async function listAllPages(
  client: ApiClient,
  resource: Pick<ListedResource, 'path' | 'resource'>,
  settings: ListSettings,
  sink: PageSink,
): Promise<ListOutcome> {
  const maxRestarts = settings.maxRestarts ?? 3;
  let pages = 0;
  let restarts = 0;
  let token: string | undefined;
  for (;;) {
    const request: ApiRequest = { method: 'GET', path: resource.path, query: { limit: String(settings.pageSize), continue: token } };
    const response = await client.send(request);
    if (response.status === 410 && token !== undefined) {
      if (++restarts > maxRestarts) throw new KubeError('CLUSTER_ERROR', `listing ${resource.resource}: continue token expired ${restarts} times`);
      sink.restart();
      token = undefined;
      continue;
    }
    if (response.status === 403 || response.status === 404) {
      return { listed: false, status: response.status, reason: statusMessage(response) ?? `HTTP ${response.status}` };
    }
    if (response.status !== 200) throw statusError(client.connection.server, request, response);
    const list = parseJson<ListPage>(response, request);
    pages++;
    sink.page(Array.isArray(list.items) ? list.items : [], list.apiVersion ?? '');
    token = list.metadata?.continue || undefined;
    if (token === undefined) return { listed: true, pages, restarts };
  }
}
