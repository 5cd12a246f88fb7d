import type { Request } from 'express';
import type { DomainError } from '#rollsafe/scans';

export interface Auth {
  apiKeyId: string;
  organizationId: string;
}

export type AuthenticatedRequest = Request & { auth?: Auth; authError?: DomainError; requestId?: string };
