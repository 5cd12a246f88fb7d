// Sample manifests for tests.

/** A Deployment behind a LoadBalancer Service with neither a readiness probe nor a preStop hook. */
export const UNSAFE_DEPLOYMENT = `apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  type: LoadBalancer
  selector:
    app: web
  ports:
    - port: 80
      targetPort: 8080
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports:
            - containerPort: 8080
`;

/** Broken YAML: the error is on line 3. */
export const BROKEN_YAML = `apiVersion: v1
kind: Service
metadata: [unclosed
  name: web
`;

/** A billion-laughs style alias bomb. */
export function aliasBomb(levels = 12): string {
  const lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < levels; i += 1) {
    const prev = `*a${i - 1}`;
    lines.push(`a${i}: &a${i} [${Array.from({ length: 10 }, () => prev).join(',')}]`);
  }
  lines.push('kind: ConfigMap');
  return lines.join('\n') + '\n';
}
