import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '#rollsafe/scans';
import { API_OPTIONS, type ApiOptions } from '../api.options.js';

/** The longest a request waits for one of its organization's slots before it is refused. */
export const ADMISSION_WAIT_MS = 1000;

interface Waiter {
  admit: (release: () => void) => void;
  refuse: (error: DomainError) => void;
  timer: NodeJS.Timeout;
}

/**
 * Per-organization admission in one API process: at most `orgMaxInFlight` requests of one
 * organization are in flight at once. The next ones wait in line, as many again and for at most
 * ADMISSION_WAIT_MS, so that a pause of a few hundred milliseconds (a burst, a collection, a new
 * connection) delays them instead of failing them; past that line or that wait a request is
 * refused (429 RATE_LIMITED, Retry-After 1). An organization sending more than a process can
 * serve then waits on its own line and refusals, never in front of another organization's
 * requests, which have lines of their own.
 */
@Injectable()
export class OrganizationAdmission {
  private readonly inFlight = new Map<string, number>();
  private readonly waiting = new Map<string, Waiter[]>();

  constructor(@Inject(API_OPTIONS) private readonly options: Pick<ApiOptions, 'orgMaxInFlight'>) {}

  /**
   * Admits one request: resolves with the function to call once it ended (once; later calls do
   * nothing), or rejects with RATE_LIMITED when the organization's line is full or the wait ran out.
   */
  enter(organizationId: string): Promise<() => void> {
    const limit = this.options.orgMaxInFlight;
    const current = this.inFlight.get(organizationId) ?? 0;
    if (current < limit) {
      this.inFlight.set(organizationId, current + 1);
      return Promise.resolve(this.releaserFor(organizationId));
    }
    const line = this.waiting.get(organizationId) ?? [];
    if (line.length >= limit) return Promise.reject(this.refusal(limit));
    return new Promise((admit, refuse) => {
      const waiter: Waiter = {
        admit,
        refuse,
        timer: setTimeout(() => {
          this.leaveLine(organizationId, waiter);
          refuse(this.refusal(limit));
        }, ADMISSION_WAIT_MS),
      };
      line.push(waiter);
      this.waiting.set(organizationId, line);
    });
  }

  inFlightOf(organizationId: string): number {
    return this.inFlight.get(organizationId) ?? 0;
  }

  waitingOf(organizationId: string): number {
    return this.waiting.get(organizationId)?.length ?? 0;
  }

  private releaserFor(organizationId: string): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.get(organizationId)?.[0];
      if (next) {
        // The slot passes to the first in line: the in-flight count stays as it is.
        this.leaveLine(organizationId, next);
        clearTimeout(next.timer);
        next.admit(this.releaserFor(organizationId));
        return;
      }
      const left = (this.inFlight.get(organizationId) ?? 1) - 1;
      if (left <= 0) this.inFlight.delete(organizationId);
      else this.inFlight.set(organizationId, left);
    };
  }

  private leaveLine(organizationId: string, waiter: Waiter): void {
    const line = this.waiting.get(organizationId);
    if (!line) return;
    const at = line.indexOf(waiter);
    if (at >= 0) line.splice(at, 1);
    if (line.length === 0) this.waiting.delete(organizationId);
  }

  private refusal(limit: number): DomainError {
    return new DomainError(
      'RATE_LIMITED',
      `${limit} requests of this organization are already in flight on this server and ${limit} more waiting; retry in 1 s`,
      { limit },
      1,
    );
  }
}
