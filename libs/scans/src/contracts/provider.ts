import { PROVIDERS } from '#rollsafe/advisor';

/** "alibaba, aws, gcp, azure or tencent": the providers the advisor has profiles for, as API descriptions list them. */
export const PROVIDER_NAMES = `${PROVIDERS.slice(0, -1).join(', ')} or ${PROVIDERS[PROVIDERS.length - 1] ?? ''}`;

export const SCAN_PROVIDER_DESCRIPTION = `The cloud provider the scan was judged for (${PROVIDER_NAMES}): named by the request or the cluster, else detected from nodes' providerID (live) or annotations; null when none was found`;
export const CLUSTER_PROVIDER_DESCRIPTION = `The cluster's cloud provider (${PROVIDER_NAMES}) when set; null: detected from the nodes' providerID at each scan`;
