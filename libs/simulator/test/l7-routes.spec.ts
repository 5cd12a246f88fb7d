// L7 load balancers in front of a Service (PROVIDERS.md section 3 rows aws.lbc.alb.*, gke.neg.l7):
// a Service behind an AWS ALB Ingress or a GKE NEG Ingress gets a verdict on that row.
import { serviceVerdicts, simulateSnapshot, type ServiceVerdict } from '../src/index.js';
import { snapshotOf } from './seed.js';

function app(service: string, extra = '', replicas = 3): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      terminationGracePeriodSeconds: 90
      containers:
        - name: app
          ports: [{ name: http, containerPort: 8080 }]
          readinessProbe: { httpGet: { path: /ready, port: http }, periodSeconds: 5 }
          lifecycle: { preStop: { exec: { command: ["sleep", "40"] } } }
---
${service}${extra}`;
}

const NODEPORT = `apiVersion: v1
kind: Service
metadata: { name: web, namespace: shop }
spec: { type: NodePort, selector: { app: web }, ports: [{ port: 80, targetPort: http }] }
`;

function albIngress(annotations: string): string {
  return `---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
  annotations:
    alb.ingress.kubernetes.io/scheme: internet-facing${annotations}
spec:
  ingressClassName: alb
  rules: [{ http: { paths: [{ path: /, pathType: Prefix, backend: { service: { name: web, port: { number: 80 } } } }] } }]
`;
}

const LABELLED_NAMESPACE = `---
apiVersion: v1
kind: Namespace
metadata: { name: shop, labels: { elbv2.k8s.aws/pod-readiness-gate-inject: enabled } }
`;

function verdicts(yaml: string, provider?: string): ServiceVerdict[] {
  return serviceVerdicts(snapshotOf(yaml), provider ? { provider } : {}).verdicts;
}

describe('L7 load balancers in front of a Service', () => {
  test('a NodePort Service behind an ALB Ingress with ip targets gets a verdict on aws.lbc.alb.ip (pod path)', () => {
    const [verdict, ...rest] = verdicts(app(NODEPORT, albIngress('\n    alb.ingress.kubernetes.io/target-type: ip')));
    expect(rest).toHaveLength(0);
    expect(verdict?.parameters?.profile).toBe('aws.lbc.alb.ip');
    expect(verdict?.service.path).toBe('pod');
    expect(verdict?.parameters?.L).toBe(21);
    expect(verdict?.notes.join(' ')).toContain('ALB Ingress web, target-type: ip');
  });

  test('without target-type the ALB registers nodes: aws.lbc.alb.instance on the cluster path', () => {
    const [verdict] = verdicts(app(NODEPORT, albIngress('')));
    expect(verdict?.parameters?.profile).toBe('aws.lbc.alb.instance');
    expect(verdict?.service.path).toBe('cluster');
  });

  test('the gate label decides the ALB ip verdict, as for the NLB (one replica: its replacement is not registered for ~41 s)', () => {
    const yaml = app(NODEPORT, albIngress('\n    alb.ingress.kubernetes.io/target-type: ip'), 1);
    const [without] = verdicts(`apiVersion: v1\nkind: Namespace\nmetadata: { name: shop }\n---\n${yaml}`);
    const [withLabel] = verdicts(yaml + LABELLED_NAMESPACE);
    expect(without?.parameters?.readinessGate).toBe(false);
    expect(withLabel?.parameters?.readinessGate).toBe(true);
    expect(without?.verdict).toBe('drops');
    expect(withLabel?.verdict).toBe('safe');
  });

  test("the Ingress's target-group-attributes set the ALB's deregistration delay", () => {
    const [verdict] = verdicts(
      app(
        NODEPORT,
        albIngress(
          '\n    alb.ingress.kubernetes.io/target-type: ip\n    alb.ingress.kubernetes.io/target-group-attributes: deregistration_delay.timeout_seconds=0',
        ),
      ),
    );
    expect(verdict?.parameters?.drain).toBe(false);
    expect(verdict?.parameterSources['drain']).toBe('manifest (Service annotation)');
    expect(verdict?.windows.some((w) => w.cause === 'connections-cut')).toBe(true);
  });

  test('a ClusterIP or NodePort Service with no Ingress in front gets no verdict (unchanged)', () => {
    expect(verdicts(app(NODEPORT))).toHaveLength(0);
    expect(
      verdicts(
        app(
          NODEPORT,
          albIngress('')
            .replace('ingressClassName: alb', 'ingressClassName: nginx')
            .replace(/ {4}alb\.ingress[^\n]*\n/, ''),
        ),
      ),
    ).toHaveLength(0);
  });

  test('GKE: a Service with NEG Ingress gets gke.neg.l7, the gate injected, the check from its HTTP readiness probe, drain from its BackendConfig', () => {
    const service = `apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
  annotations:
    cloud.google.com/neg: '{"ingress": true}'
    cloud.google.com/backend-config: '{"default": "web-bc"}'
spec: { type: ClusterIP, selector: { app: web }, ports: [{ port: 80, targetPort: http }] }
---
apiVersion: cloud.google.com/v1
kind: BackendConfig
metadata: { name: web-bc, namespace: shop }
spec: { connectionDraining: { drainingTimeoutSec: 30 } }
`;
    const ingress = `---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: web, namespace: shop }
spec: { defaultBackend: { service: { name: web, port: { number: 80 } } } }
`;
    // The NEG annotation alone does not show an Ingress uses it: no verdict without one.
    expect(verdicts(app(service), 'gcp')).toHaveLength(0);
    const [verdict] = verdicts(app(service, ingress), 'gcp');
    expect(verdict?.parameters?.profile).toBe('gke.neg.l7');
    expect(verdict?.service.path).toBe('pod');
    expect(verdict?.parameters?.readinessGate).toBe(true);
    expect(verdict?.parameters?.hcInterval).toBe(5);
    expect(verdict?.parameters?.drain).toBe(true);
    expect(verdict?.parameters?.drainTimeout).toBe(30);
  });

  test('TKE direct access: the controller injects its gate (on by default), so the pods count as gated', () => {
    const service = `apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
  annotations: { service.cloud.tencent.com/direct-access: "true", service.cloud.tencent.com/enable-grace-shutdown: "true" }
spec: { type: LoadBalancer, selector: { app: web }, ports: [{ port: 80, targetPort: http }] }
`;
    const [verdict] = verdicts(app(service, '', 1));
    expect(verdict?.parameters?.profile).toBe('tencent.clb.direct');
    expect(verdict?.parameters?.readinessGate).toBe(true);
    expect(verdict?.parameterSources['readinessGate']).toContain('TKE');
    expect(verdict?.verdict).toBe('safe');
  });

  test('rollsafe simulate replays a non-LoadBalancer Service on the Ingress row', () => {
    const runs = simulateSnapshot(snapshotOf(app(NODEPORT, albIngress('\n    alb.ingress.kubernetes.io/target-type: ip'))), { fixes: false });
    expect(runs).toHaveLength(1);
    expect(runs[0]?.result?.parameters.profile).toBe('aws.lbc.alb.ip');
  });
});
