// The cluster `rollsafe demo` serves: the seed's stories on one small ACK cluster.
import { ClusterBuilder } from './cluster-builder.js';
import { addSmallAlibabaTerway, webContainer } from './scenarios.js';
import type { KubeScenario } from './types.js';

const ALIBABA_LB = 'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-';

/**
 * Five ACK nodes (v1.30, Terway ENIIP), as `smallAlibabaTerway`, plus the seed's "no preStop"
 * story:
 * - Local and Cluster LoadBalancer Services: kube-system/nginx-ingress-lb (Local; two nodes
 *   hold its only ready pod: local-traffic-node-single-pod), shop/api-gateway and
 *   game/game-gateway (Cluster);
 * - nodes near the SLB quota: game-gateway's 38 ports and api-gateway's 2 make 40 to 42
 *   vServer groups per node (of 50: slb-quota-per-node);
 * - a Deployment without preStop: shop/orders behind an ENI-mode LoadBalancer with connection
 *   draining, whose old pods stop at their deletion while the SLB still sends them requests
 *   (prestop-hook-missing; its rollout drops traffic);
 * - a restart loop: shop/payments (exit 137, OOMKilled);
 * - and more: shop/checkout's replicas on one node, legacy/legacy-admin's unready endpoints.
 */
export function demoCluster(seed = 14): KubeScenario {
  const b = new ClusterBuilder(seed);
  const nodes = addSmallAlibabaTerway(b);
  b.addApp({
    namespace: 'shop',
    name: 'orders',
    replicas: 3,
    containers: [webContainer('orders', 'registry.cn-hangzhou.aliyuncs.com/acme/orders:4.1.0', { preStopSleep: null })],
    placement: [nodes[1]?.name ?? '', nodes[2]?.name ?? '', nodes[3]?.name ?? ''],
    spread: true,
    terminationGracePeriodSeconds: 30,
    service: {
      type: 'LoadBalancer',
      annotations: {
        'service.beta.kubernetes.io/backend-type': 'eni',
        [`${ALIBABA_LB}address-type`]: 'internet',
        [`${ALIBABA_LB}connection-drain`]: 'on',
        [`${ALIBABA_LB}connection-drain-timeout`]: '20',
      },
      ports: [{ name: 'http', port: 80, targetPort: 'http' }],
    },
    pdb: { minAvailable: 2 },
  });
  return b.build('rollsafe-demo', 'v1.30.2-aliyun.1', {
    provider: 'alibaba',
    cni: 'terway',
    firingLiveRules: [
      'container-restart-loop',
      'replicas-on-single-node',
      'local-traffic-node-single-pod',
      'endpoints-not-ready',
      'eni-backend-recommended',
      'slb-quota-per-node',
    ],
  });
}
