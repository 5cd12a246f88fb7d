import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { KubeError, OutboundPolicy } from '#rollsafe/kube';
import { ClusterRepository, OrganizationRepository, WebhookRepository, type SealedWebhook, type Severity, type WebhookRow } from '#rollsafe/store';
import { DomainError, notFound } from '../errors.js';
import { UUID } from '../cursor.js';
import { listPage, newestFirst, type PageArgs } from '../paging.js';
import { CredentialCipher, CredentialsError } from '../clusters/credential-cipher.js';
import { SEVERITIES, oneOf } from '../scan-query.service.js';
import { WebhookKind, valuesOf } from '../contracts/enums.js';
import { SCANS_CONFIG, type ScansConfig } from '../options.js';
import { toDeliveryView, toWebhookView } from '../views.js';
import { answerToKeep } from '../idempotency-scope.js';
import type { DeliveryView, ListView, WebhookView } from '../contracts/index.js';
import { displayUrl } from './webhook-url.js';
import type { WebhookTarget } from '#rollsafe/notify';

export const WEBHOOK_KINDS = valuesOf(WebhookKind);
/** Kinds whose platform signs with a secret; the others have none to give. */
const SIGNED_KINDS: ReadonlySet<WebhookKind> = new Set(['dingtalk', 'feishu', 'generic']);
const MAX_URL = 2048;
const MAX_SECRET = 512;
const MAX_CLUSTERS = 100;

export interface WebhookInput {
  kind?: unknown;
  url?: unknown;
  /** PATCH: null removes it. */
  secret?: unknown;
  minSeverity?: unknown;
  /** PATCH: null or [] means every scan. */
  clusterIds?: unknown;
}

/** The sealed part of a webhook. */
interface WebhookSecrets {
  url: string;
  secret?: string;
}

/**
 * Use case: an organization's webhooks. The URL (often itself a credential) and the signing
 * secret are sealed together (AES-256-GCM, the webhook id as associated data); only a display
 * form of the URL is kept in clear. URLs obey the outbound address policy when they are saved
 * and again at every delivery.
 */
@Injectable()
export class WebhookService {
  private readonly logger = new Logger(WebhookService.name);
  private readonly outbound: OutboundPolicy;

  constructor(
    private readonly webhooks: WebhookRepository,
    private readonly clusters: ClusterRepository,
    private readonly organizations: OrganizationRepository,
    private readonly cipher: CredentialCipher,
    @Inject(SCANS_CONFIG) options: ScansConfig,
  ) {
    this.outbound = new OutboundPolicy(options.outboundAllow);
  }

  async create(organizationId: string, input: WebhookInput): Promise<WebhookView> {
    const kind = kindOf(input.kind, true) as WebhookKind;
    const url = await this.urlOf(input.url, true);
    const secret = secretOf(input.secret, kind);
    const minSeverity = oneOf('minSeverity', stringOrUndefined('minSeverity', input.minSeverity), SEVERITIES) ?? 'warning';
    const clusterIds = await this.clusterIdsOf(organizationId, input.clusterIds);
    this.requireCipher();
    const id = randomUUID();
    const created = await this.webhooks.create(
      {
        id,
        organizationId,
        kind,
        ...this.sealed(id, kind, { url: url as URL, secret: secret ?? undefined }),
        minSeverity,
        clusterIds: clusterIds ?? [],
      },
      answerToKeep(organizationId, toWebhookView),
    );
    this.logger.log({ msg: 'webhook created', webhookId: id, kind, url: created.urlDisplay });
    return toWebhookView(created);
  }

  async get(organizationId: string, id: string): Promise<WebhookView> {
    return toWebhookView(await this.row(organizationId, id));
  }

  async list(organizationId: string, args: PageArgs): Promise<ListView<WebhookView>> {
    return listPage(args, {
      defaultLimit: 20,
      keyset: newestFirst('createdAt'),
      page: (limit, after) => this.webhooks.listForOrganization(organizationId, limit, after),
      countRows: () => this.webhooks.countForOrganization(organizationId),
      view: toWebhookView,
    });
  }

  /** Changes any field; a new URL is checked again, and URL and secret are sealed again together. */
  async update(organizationId: string, id: string, input: WebhookInput): Promise<WebhookView> {
    const current = await this.row(organizationId, id);
    const kind = kindOf(input.kind, false) ?? current.kind;
    const url = await this.urlOf(input.url, false);
    const secretGiven = input.secret !== undefined;
    const secret = input.secret === null ? null : secretOf(input.secret, kind);
    const minSeverity = oneOf('minSeverity', stringOrUndefined('minSeverity', input.minSeverity), SEVERITIES);
    const clusterIds = input.clusterIds === null ? [] : await this.clusterIdsOf(organizationId, input.clusterIds);

    let target: { urlDisplay: string; hasSecret: boolean; sealed: SealedWebhook } | undefined;
    if (url || secretGiven || kind !== current.kind) {
      this.requireCipher();
      const opened = await this.open(id);
      const nextSecret = secretGiven ? (secret ?? undefined) : opened.secret;
      if (nextSecret !== undefined && !SIGNED_KINDS.has(kind)) {
        throw new DomainError('BAD_INPUT', `${kind} webhooks are not signed: remove the secret (secret: null)`, { field: 'secret' });
      }
      target = this.sealed(id, kind, { url: url ?? new URL(opened.url), secret: nextSecret });
    }
    const updated = await this.webhooks.update(organizationId, id, {
      ...(kind !== current.kind ? { kind } : {}),
      ...(minSeverity ? { minSeverity: minSeverity as Severity } : {}),
      ...(clusterIds !== undefined ? { clusterIds } : {}),
      ...(target ? { target } : {}),
    });
    if (!updated) throw notFound('webhook', id);
    return toWebhookView(updated);
  }

  async delete(organizationId: string, id: string): Promise<void> {
    if (!UUID.test(id) || !(await this.webhooks.delete(organizationId, id))) throw notFound('webhook', id);
  }

  /** Sends a sample message now (one attempt, no retry) and logs it with the deliveries. */
  /** A webhook of the organization, opened to send it something now (its test message). */
  async openOwned(organizationId: string, id: string): Promise<{ row: WebhookRow; webhook: WebhookTarget }> {
    const row = await this.row(organizationId, id);
    const opened = await this.open(id);
    return { row, webhook: { kind: row.kind, url: opened.url, minSeverity: row.minSeverity, ...(opened.secret ? { secret: opened.secret } : {}) } };
  }

  /** The webhook's delivery attempts, newest first. */
  async deliveries(organizationId: string, id: string, args: PageArgs): Promise<ListView<DeliveryView>> {
    await this.row(organizationId, id);
    return listPage(args, {
      defaultLimit: 50,
      keyset: newestFirst('at'),
      page: (limit, after) => this.webhooks.listDeliveries(organizationId, id, limit, after),
      countRows: () => this.webhooks.countDeliveries(organizationId, id),
      view: toDeliveryView,
    });
  }

  /** Worker side: the webhook with its URL and secret opened, re-sealed under the current key when stale. */
  async openForDelivery(id: string): Promise<{ row: WebhookRow; webhook: WebhookTarget } | undefined> {
    const sealed = await this.webhooks.sealed(id);
    if (!sealed) return undefined;
    const { value, stale } = this.cipher.openJson<WebhookSecrets>(sealed, 'webhook', id);
    if (stale && this.cipher.canSeal) await this.webhooks.reseal(id, sealed.keyId, this.cipher.sealJson(value, 'webhook', id));
    const { webhook: row } = sealed;
    return { row, webhook: { kind: row.kind, url: value.url, minSeverity: row.minSeverity, ...(value.secret ? { secret: value.secret } : {}) } };
  }

  private async open(id: string): Promise<WebhookSecrets> {
    const sealed = await this.webhooks.sealed(id);
    if (!sealed) throw notFound('webhook', id);
    try {
      return this.cipher.openJson<WebhookSecrets>(sealed, 'webhook', id).value;
    } catch (error) {
      if (error instanceof CredentialsError) throw new DomainError('UNAVAILABLE', error.message);
      throw error;
    }
  }

  private sealed(
    id: string,
    kind: WebhookKind,
    secrets: { url: URL; secret: string | undefined },
  ): { urlDisplay: string; hasSecret: boolean; sealed: SealedWebhook } {
    const value: WebhookSecrets = { url: secrets.url.toString(), ...(secrets.secret ? { secret: secrets.secret } : {}) };
    return { urlDisplay: displayUrl(kind, secrets.url), hasSecret: secrets.secret !== undefined, sealed: this.cipher.sealJson(value, 'webhook', id) };
  }

  private requireCipher(): void {
    if (!this.cipher.canSeal) {
      throw new DomainError('UNAVAILABLE', 'webhook URLs and secrets cannot be stored: the operator has not set ROLLSAFE_ENCRYPTION_KEY');
    }
  }

  private async row(organizationId: string, id: string): Promise<WebhookRow> {
    const row = UUID.test(id) ? await this.webhooks.findForOrganization(organizationId, id) : undefined;
    if (!row) throw notFound('webhook', id);
    return row;
  }

  /**
   * An http(s) URL whose host the outbound policy allows (every address it resolves to is
   * checked; a host that does not resolve now is accepted, and each delivery checks again).
   */
  private async urlOf(value: unknown, required: boolean): Promise<URL | undefined> {
    if (value === undefined || value === null) {
      if (required) throw new DomainError('BAD_INPUT', 'url is required: the webhook URL the platform gave you', { field: 'url' });
      return undefined;
    }
    let url: URL;
    try {
      if (typeof value !== 'string' || value.length > MAX_URL) throw new Error('not a string');
      url = new URL(value);
    } catch {
      throw new DomainError('BAD_INPUT', `url must be an http or https URL of at most ${MAX_URL} characters`, { field: 'url' });
    }
    if ((url.protocol !== 'https:' && url.protocol !== 'http:') || !url.hostname) {
      throw new DomainError('BAD_INPUT', 'url must be an http or https URL', { field: 'url' });
    }
    try {
      await this.outbound.resolve(url.hostname);
    } catch (error) {
      if (error instanceof KubeError && error.code === 'TARGET_FORBIDDEN') {
        throw new DomainError('TARGET_FORBIDDEN', `webhook URL refused: ${error.message}`, { field: 'url' });
      }
      this.logger.warn({ msg: 'webhook host does not resolve now: accepted, checked again at delivery', host: url.hostname });
    }
    return url;
  }

  private async clusterIdsOf(organizationId: string, value: unknown): Promise<string[] | undefined> {
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || value.length > MAX_CLUSTERS || !value.every((id): id is string => typeof id === 'string' && UUID.test(id))) {
      throw new DomainError('BAD_INPUT', `clusterIds must be a list of at most ${MAX_CLUSTERS} cluster ids`, { field: 'clusterIds' });
    }
    const ids = [...new Set(value.map((id) => id.toLowerCase()))];
    if ((await this.clusters.countOwned(organizationId, ids)) !== ids.length) {
      throw new DomainError('BAD_INPUT', 'clusterIds names a cluster the organization does not have', { field: 'clusterIds' });
    }
    return ids;
  }
}

function kindOf(value: unknown, required: boolean): WebhookKind | undefined {
  if (value === undefined || value === null) {
    if (required) throw new DomainError('BAD_INPUT', `kind is required: one of ${WEBHOOK_KINDS.join(', ')}`, { field: 'kind' });
    return undefined;
  }
  if (typeof value !== 'string' || !(WEBHOOK_KINDS as readonly string[]).includes(value)) {
    throw new DomainError('BAD_INPUT', `kind must be one of ${WEBHOOK_KINDS.join(', ')}`, { field: 'kind' });
  }
  return value as WebhookKind;
}

function secretOf(value: unknown, kind: WebhookKind): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || value.length > MAX_SECRET) {
    throw new DomainError('BAD_INPUT', `secret must be a string of at most ${MAX_SECRET} characters`, { field: 'secret' });
  }
  if (!SIGNED_KINDS.has(kind)) throw new DomainError('BAD_INPUT', `${kind} webhooks are not signed: omit secret`, { field: 'secret' });
  return value;
}

function stringOrUndefined(field: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new DomainError('BAD_INPUT', `${field} must be a string`, { field });
  return value;
}
