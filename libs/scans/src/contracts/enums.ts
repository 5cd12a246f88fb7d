// Every enum of the API, from one place: the database's enums (Prisma), registered once for
// GraphQL and read by the OpenAPI decorators as they are.
import { registerEnumType } from '@nestjs/graphql';
import { DeliveryResult, FindingStatus, ScanStatus, ScanTrigger, Severity, WebhookKind } from '#rollsafe/store';

export { DeliveryResult, FindingStatus, ScanStatus, ScanTrigger, Severity, WebhookKind };

/** Which findings of a cluster a list shows: open (default), resolved, or all. */
export const FindingStatusFilter = { ...FindingStatus, all: 'all' } as const;
export type FindingStatusFilter = (typeof FindingStatusFilter)[keyof typeof FindingStatusFilter];

/** The values of one of these enums, in declaration order (the order Postgres sorts them in). */
export function valuesOf<E extends Record<string, string>>(values: E): Array<E[keyof E]> {
  return Object.values(values) as Array<E[keyof E]>;
}

registerEnumType(WebhookKind, { name: 'WebhookKind' });
registerEnumType(DeliveryResult, { name: 'DeliveryResult', description: 'delivered; retrying (another attempt follows); gave_up' });
registerEnumType(FindingStatus, { name: 'FindingStatus' });
registerEnumType(FindingStatusFilter, { name: 'FindingStatusFilter', description: 'Which findings of a cluster: open (default), resolved, or all' });
registerEnumType(ScanStatus, { name: 'ScanStatus', description: 'skipped: a scheduled run that found a scan of its cluster still queued or running' });
registerEnumType(ScanTrigger, { name: 'ScanTrigger' });
registerEnumType(Severity, { name: 'Severity' });
