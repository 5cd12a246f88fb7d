import { emptySnapshot, type Snapshot } from '#rollsafe/advisor';
import { rulesReading, unlistableWarning } from '../src/access/kind-warnings.js';
import { writesGranted } from '../src/access/reviews.js';
import { cniOf, providerOfNodes } from '../src/collect/cluster-facts.js';
import { forEachLimited } from '../src/collect/limit.js';
import { backoffMs, DEFAULT_RETRY_POLICY, isRetryableStatus, retryAfterMs } from '../src/http/retry.js';
import { pinnedLookup, serverNameFor } from '../src/http/connection.js';

describe('retry policy', () => {
  it('retries 429 and 5xx, not other statuses', () => {
    expect([429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([200, 400, 401, 403, 404, 410].some(isRetryableStatus)).toBe(false);
  });

  it('doubles the backoff and honours Retry-After, capped', () => {
    expect([0, 1, 2, 3].map((n) => backoffMs(DEFAULT_RETRY_POLICY, n))).toEqual([250, 500, 1000, 2000]);
    expect(backoffMs(DEFAULT_RETRY_POLICY, 0, 3000)).toBe(3000);
    expect(backoffMs(DEFAULT_RETRY_POLICY, 0, 3_600_000)).toBe(30_000);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterMs({ 'retry-after': '2' })).toBe(2000);
    expect(retryAfterMs({ 'retry-after': new Date(10_000).toUTCString() }, 4_000)).toBe(6000);
    expect(retryAfterMs({ 'retry-after': 'soon' })).toBeUndefined();
    expect(retryAfterMs({})).toBeUndefined();
  });
});

describe('read-only check', () => {
  it('finds write verbs in a rules review, but not the self reviews every user may create', () => {
    const rules = [
      { verbs: ['get', 'list', 'watch'], apiGroups: ['', 'apps'], resources: ['pods', 'deployments'] },
      { verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'] },
      { verbs: ['create'], apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'] },
    ];
    expect(writesGranted(rules)).toEqual([]);
    expect(
      writesGranted([
        ...rules,
        { verbs: ['patch', 'get'], apiGroups: ['apps'], resources: ['deployments'] },
        { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
      ]),
    ).toEqual(['patch deployments.apps', '* *']);
  });

  it('names the rules a missing kind withholds', () => {
    expect(rulesReading(['pods'])).toContain('container-restart-loop');
    expect(unlistableWarning('pods', ['pods'])).toMatch(/^cannot list pods: rules .*container-restart-loop.* will not be evaluated$/);
    expect(unlistableWarning('replicasets', ['replicaSets'])).toBe('cannot list replicasets: findings that depend on them may be incomplete');
  });
});

describe('cluster facts', () => {
  function snapshot(parts: Partial<Snapshot>): Snapshot {
    return { ...emptySnapshot({ source: 'cluster' }), ...parts };
  }

  it('takes the provider most nodes name', () => {
    const node = (providerID: string) => ({ metadata: { name: providerID }, spec: { providerID } });
    expect(providerOfNodes(snapshot({ nodes: [node('alicloud://a'), node('alicloud://b'), node('aws://c'), node('kind://d')] }))).toBe('alibaba');
    expect(providerOfNodes(snapshot({ nodes: [node('kind://d')] }))).toBeUndefined();
  });

  it('finds Terway as a kube-system DaemonSet or pods named terway*', () => {
    expect(cniOf(snapshot({ daemonSets: [{ metadata: { name: 'terway-eniip', namespace: 'kube-system' } }] }))).toBe('terway');
    expect(cniOf(snapshot({ pods: [{ metadata: { name: 'terway-eniip-x7k2p', namespace: 'kube-system' } }] }))).toBe('terway');
    expect(
      cniOf(
        snapshot({ daemonSets: [{ metadata: { name: 'terway-eniip', namespace: 'shop' } }, { metadata: { name: 'calico-node', namespace: 'kube-system' } }] }),
      ),
    ).toBeUndefined();
  });
});

describe('connection helpers', () => {
  it('answers every lookup with the checked address, in both callback shapes', () => {
    const lookup = pinnedLookup('203.0.113.7', 4);
    const single: unknown[] = [];
    lookup('evil.example', {}, (...args: unknown[]) => single.push(...args));
    expect(single).toEqual([null, '203.0.113.7', 4]);
    const all: unknown[] = [];
    lookup('evil.example', { all: true }, (...args: unknown[]) => all.push(...args));
    expect(all).toEqual([null, [{ address: '203.0.113.7', family: 4 }]]);
  });

  it('verifies TLS against tls-server-name, else the host name, not an IP literal', () => {
    const base = { contextName: 'c', server: 'https://x', insecureSkipTlsVerify: false };
    expect(serverNameFor({ ...base, tlsServerName: 'kubernetes' }, '10.0.0.1')).toBe('kubernetes');
    expect(serverNameFor(base, 'k8s.example.com')).toBe('k8s.example.com');
    expect(serverNameFor(base, '10.0.0.1')).toBeUndefined();
  });
});

describe('forEachLimited', () => {
  it('never runs more than the cap at once and runs every item', async () => {
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    await forEachLimited([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      done.push(n);
      running--;
    });
    expect(peak).toBe(3);
    expect(done.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });
});
