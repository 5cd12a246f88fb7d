import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '#rollsafe/scans';
import { API_OPTIONS, type ApiOptions } from '../api.options.js';

/**
 * Per-organization admission in one API process: at most `orgMaxInFlight` requests of one
 * organization are in flight at once; the next is refused at once (429 RATE_LIMITED,
 * Retry-After 1) instead of queueing. An organization sending more than a process can serve
 * then waits on its own refusals, not in front of every other organization's requests.
 */
@Injectable()
export class OrganizationAdmission {
  private readonly inFlight = new Map<string, number>();

  constructor(@Inject(API_OPTIONS) private readonly options: Pick<ApiOptions, 'orgMaxInFlight'>) {}

  /** Admits one request (throws RATE_LIMITED when the organization is at its limit); call the returned function once it ended. */
  enter(organizationId: string): () => void {
    const limit = this.options.orgMaxInFlight;
    const current = this.inFlight.get(organizationId) ?? 0;
    if (current >= limit) {
      throw new DomainError('RATE_LIMITED', `${limit} requests of this organization are already in flight on this server; retry in 1 s`, { limit }, 1);
    }
    this.inFlight.set(organizationId, current + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.inFlight.get(organizationId) ?? 1) - 1;
      if (left <= 0) this.inFlight.delete(organizationId);
      else this.inFlight.set(organizationId, left);
    };
  }

  inFlightOf(organizationId: string): number {
    return this.inFlight.get(organizationId) ?? 0;
  }
}
