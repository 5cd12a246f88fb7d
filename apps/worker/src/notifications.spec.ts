// Chat notifications and scheduled scans end to end, in the real worker (its three processors)
// against the real Postgres and Redis, the fake kube-apiserver, and a local receiver (a real
// HTTP server on 127.0.0.1, allowed by ROLLSAFE_OUTBOUND_ALLOW=loopback): each chat kind gets
// a native message for new and resolved findings and nothing for an unchanged rescan; a
// failing receiver is retried, then given up, with every attempt logged; a schedule runs on
// time across a worker restart, never duplicated, and a run that finds a scan in progress is
// recorded as skipped. The tests wait for events (scans written, jobs settled, a run falling
// due), never for a fixed time: schedules run every second, and the scan that must be in
// progress is held by the fake API server until a run has found it so. Each worker stops as
// the product stops it on SIGTERM: its processors drain, then the context closes (the harness's stopWorker).
import 'reflect-metadata';
import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplicationContext } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { PrismaService } from '#rollsafe/store';
import {
  ClusterService,
  JobQueue,
  OrganizationService,
  ScanQueryService,
  QUEUES,
  ScanRequestService,
  ScheduleService,
  WebhookService,
  notificationJobId,
  type DeliveryView,
} from '#rollsafe/scans';
import { FakeKubeApiServer, UNSAFE_DEPLOYMENT, kubeScenarios, until } from '#rollsafe/testing';
import { WorkerHarness, stopWorker, type WorkerSettings } from '../test/worker-harness.js';

type Json = Record<string, unknown>;

interface Received {
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  json: Json;
  at: number;
}

interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** A chat platform stand-in: records every request; answers by path (a queue of replies per path first). */
async function startReceiver(answer: (request: Received) => Reply) {
  const requests: Received[] = [];
  const queued = new Map<string, Reply[]>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      let json: Json = {};
      try {
        json = JSON.parse(body.toString('utf8')) as Json;
      } catch {
        // not JSON
      }
      const url = new URL(req.url ?? '/', 'http://receiver');
      const received: Received = { path: url.pathname, query: url.searchParams, headers: req.headers, body, json, at: Date.now() };
      requests.push(received);
      const reply = queued.get(url.pathname)?.shift() ?? answer(received);
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(reply.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    requests,
    to: (prefix: string) => requests.filter((r) => r.path.startsWith(prefix)),
    queue: (path: string, ...replies: Reply[]) => queued.set(path, [...(queued.get(path) ?? []), ...replies]),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// The platforms' signature checks, written from their documentation.
function dingTalkSignatureOk(secret: string, query: URLSearchParams): boolean {
  const timestamp = query.get('timestamp');
  const sign = query.get('sign');
  if (!timestamp || !sign || Math.abs(Date.now() - Number(timestamp)) > 3600_000) return false;
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64') === sign;
}
function feishuSignatureOk(secret: string, body: Json): boolean {
  const { timestamp, sign } = body;
  if (typeof timestamp !== 'string' || typeof sign !== 'string' || Math.abs(Date.now() / 1000 - Number(timestamp)) > 3600) return false;
  return createHmac('sha256', `${timestamp}\n${secret}`).update('').digest('base64') === sign;
}
function genericSignatureOk(secret: string, raw: Buffer, header: string | string[] | undefined): boolean {
  return header === `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
}

const SECRETS = {
  dingtalk: `ding-${randomBytes(8).toString('hex')}`,
  feishu: `lark-${randomBytes(8).toString('hex')}`,
  generic: `gen-${randomBytes(8).toString('hex')}`,
};
const SLACK_TOKEN = `T0ROLL/B0SAFE/${randomBytes(12).toString('hex')}`;

describe('notifications and schedules (worker)', () => {
  const workers = new WorkerHarness();
  let fake: FakeKubeApiServer;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const encryptionKey = randomBytes(32);

  beforeAll(async () => {
    await workers.setUp();
    fake = await FakeKubeApiServer.start({ scenario: kubeScenarios.smallAlibabaTerway() });
    receiver = await startReceiver((request) => {
      const kind = request.path.split('/')[1];
      switch (kind) {
        case 'slack':
          return { status: 200, body: 'ok' };
        case 'dingtalk':
          return dingTalkSignatureOk(SECRETS.dingtalk, request.query)
            ? { status: 200, body: '{"errcode":0,"errmsg":"ok"}' }
            : { status: 200, body: '{"errcode":310000,"errmsg":"sign not match"}' };
        case 'feishu':
          return feishuSignatureOk(SECRETS.feishu, request.json)
            ? { status: 200, body: '{"code":0,"msg":"success"}' }
            : { status: 200, body: '{"code":19021,"msg":"sign match fail"}' };
        case 'wecom':
          return { status: 200, body: '{"errcode":0,"errmsg":"ok"}' };
        case 'teams':
          return { status: 202 };
        case 'generic':
          return genericSignatureOk(SECRETS.generic, request.body, request.headers['x-rollsafe-signature']) ? { status: 200, body: '{}' } : { status: 401 };
        case 'down':
          return { status: 503, body: 'maintenance' };
        case 'gone':
          return { status: 404, body: 'no such hook' };
        default:
          return { status: 200, body: '{}' };
      }
    });
  }, 30_000);

  afterAll(async () => {
    await workers.tearDown();
    await receiver?.close();
    await fake?.stop();
  });

  async function startWorker(overrides: Partial<WorkerSettings> = {}): Promise<INestApplicationContext> {
    return workers.start({
      workerConcurrency: 2,
      encryptionKey,
      outboundAllow: ['loopback'],
      minScheduleSeconds: 1,
      notifyMaxAttempts: 3,
      notifyBackoffMs: 100,
      notifyMaxBackoffMs: 400,
      notifyTimeoutMs: 3000,
      ...overrides,
    });
  }

  async function finished(context: INestApplicationContext, scanId: string) {
    return until(`scan ${scanId} to finish`, async () => {
      const row = await context.get(PrismaService).client.scan.findUniqueOrThrow({ where: { id: scanId } });
      return row.status === 'succeeded' || row.status === 'failed' ? row : undefined;
    });
  }

  /** Waits until the scan's notification jobs have all finished (completed or failed for good). */
  async function notificationsSettled(context: INestApplicationContext, scanId: string, webhookIds: string[]): Promise<void> {
    const queue = context.get<Queue>(getQueueToken(QUEUES.notifications));
    await until('the notification jobs to settle', async () => {
      const states = await Promise.all(webhookIds.map((id) => queue.getJobState(notificationJobId(id, scanId))));
      return states.every((state) => state === 'completed' || state === 'failed') ? true : undefined;
    });
  }

  it('sends each chat kind a native message for new and resolved findings, and nothing for an unchanged rescan', async () => {
    const context = await startWorker();
    const org = await context.get(OrganizationService).create('chatops');
    const clusters = context.get(ClusterService);
    const webhooks = context.get(WebhookService);
    const cluster = await clusters.register(org.id, { name: 'prod', kubeconfig: fake.kubeconfig({ auth: 'token' }) });

    const hooks = {
      slack: await webhooks.create(org.id, { kind: 'slack', url: receiver.url(`/slack/services/${SLACK_TOKEN}`), clusterIds: [cluster.id] }),
      dingtalk: await webhooks.create(org.id, {
        kind: 'dingtalk',
        url: receiver.url('/dingtalk/robot/send?access_token=0123456789abcdef0123'),
        secret: SECRETS.dingtalk,
        clusterIds: [cluster.id],
      }),
      feishu: await webhooks.create(org.id, {
        kind: 'feishu',
        url: receiver.url('/feishu/open-apis/bot/v2/hook/8f7e6d5c-1111-2222-3333-444455556666'),
        secret: SECRETS.feishu,
        clusterIds: [cluster.id],
      }),
      wecom: await webhooks.create(org.id, {
        kind: 'wecom',
        url: receiver.url('/wecom/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa'),
        clusterIds: [cluster.id],
      }),
      teams: await webhooks.create(org.id, {
        kind: 'teams',
        url: receiver.url('/teams/workflows/abc/triggers/manual/paths/invoke?sig=s1g2n3a4t5u6r7e8'),
        clusterIds: [cluster.id],
      }),
      generic: await webhooks.create(org.id, {
        kind: 'generic',
        url: receiver.url('/generic/rollsafe'),
        secret: SECRETS.generic,
        minSeverity: 'info',
        clusterIds: [cluster.id],
      }),
    };
    const ids = Object.values(hooks).map((hook) => hook.id);
    // Views never carry a token-bearing URL in full, nor a secret.
    expect(hooks.slack).toMatchObject({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/…$/), urlRedacted: true, hasSecret: false });
    expect(JSON.stringify(hooks)).not.toContain(SLACK_TOKEN);
    expect(JSON.stringify(hooks)).not.toContain(SECRETS.dingtalk);
    expect(hooks.generic).toMatchObject({ url: receiver.url('/generic/rollsafe'), urlRedacted: false, hasSecret: true });

    // First scan: everything is new.
    const first = await clusters.requestScan(org.id, cluster.id);
    await finished(context, first.id);
    await notificationsSettled(context, first.id, ids);
    for (const kind of Object.keys(hooks)) expect([kind, receiver.to(`/${kind}/`).length]).toEqual([kind, 1]);

    const slack = receiver.to('/slack/')[0] as Received;
    expect(slack.json['text']).toEqual(expect.any(String));
    expect((slack.json['blocks'] as Json[]).map((b) => b['type'])).toEqual(expect.arrayContaining(['header', 'section']));
    expect(JSON.stringify(slack.json)).toContain('endpoints-not-ready');
    const ding = receiver.to('/dingtalk/')[0] as Received;
    expect(dingTalkSignatureOk(SECRETS.dingtalk, ding.query)).toBe(true);
    expect(ding.json).toMatchObject({ msgtype: 'markdown', markdown: { title: expect.any(String), text: expect.stringContaining('endpoints-not-ready') } });
    const lark = receiver.to('/feishu/')[0] as Received;
    expect(feishuSignatureOk(SECRETS.feishu, lark.json)).toBe(true);
    expect(lark.json).toMatchObject({ msg_type: 'interactive', card: { header: { title: { tag: 'plain_text' } }, elements: expect.any(Array) } });
    const wecom = receiver.to('/wecom/')[0] as Received;
    expect(wecom.json).toMatchObject({ msgtype: 'markdown', markdown: { content: expect.stringContaining('endpoints-not-ready') } });
    expect(Buffer.byteLength((wecom.json['markdown'] as Json)['content'] as string)).toBeLessThanOrEqual(4096);
    const teams = receiver.to('/teams/')[0] as Received;
    expect(teams.json).toMatchObject({
      type: 'message',
      attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard', version: '1.4' } }],
    });
    const generic = receiver.to('/generic/')[0] as Received;
    expect(genericSignatureOk(SECRETS.generic, generic.body, generic.headers['x-rollsafe-signature'])).toBe(true);
    expect(Number(generic.headers['x-rollsafe-timestamp'])).toBeGreaterThan(Date.now() / 1000 - 60);
    expect(generic.json).toMatchObject({
      event: 'rollsafe.scan.changes',
      organization: { id: org.id, name: 'chatops' },
      cluster: { id: cluster.id, name: 'prod' },
      scan: { id: first.id },
      resolved: [],
    });
    // Messages lead with the Services whose rollouts now drop traffic, as the scan stored them.
    const judged = await context.get(ScanQueryService).get(org.id, first.id);
    const started = (judged.verdictChanges?.startedDropping ?? []).map((change) => change.name);
    expect(started.length).toBeGreaterThan(0);
    expect(((generic.json['verdicts'] as Json)['startedDropping'] as Json[]).map((change) => change['name'])).toEqual(started);
    const slackText = JSON.stringify(slack.json);
    expect(slackText.indexOf('now drop traffic on rollout')).toBeGreaterThan(-1);
    expect(slackText.indexOf('now drop traffic on rollout')).toBeLessThan(slackText.indexOf('endpoints-not-ready'));
    const firstNew = generic.json['new'] as Json[];
    expect(firstNew.length).toBeGreaterThan(0);
    expect(firstNew.some((f) => f['ruleId'] === 'endpoints-not-ready' && (f['resource'] as Json)['namespace'] === 'legacy')).toBe(true);
    expect(firstNew.every((f) => typeof f['docs'] === 'string' && typeof f['fingerprint'] === 'string')).toBe(true);

    // The legacy app is removed: its findings are resolved by the rescan.
    fake.setScenario(kubeScenarios.withoutNamespace(kubeScenarios.smallAlibabaTerway(), 'legacy'));
    const second = await clusters.requestScan(org.id, cluster.id);
    await finished(context, second.id);
    await notificationsSettled(context, second.id, ids);
    for (const kind of Object.keys(hooks)) expect([kind, receiver.to(`/${kind}/`).length]).toEqual([kind, 2]);
    const resolvedMessage = receiver.to('/generic/')[1] as Received;
    expect(resolvedMessage.json).toMatchObject({ scan: { id: second.id }, new: [] });
    const resolved = resolvedMessage.json['resolved'] as Json[];
    expect(resolved.length).toBeGreaterThan(0);
    expect(resolved.every((f) => (f['resource'] as Json)['namespace'] === 'legacy')).toBe(true);
    expect(JSON.stringify((receiver.to('/slack/')[1] as Received).json)).toMatch(/resolved/i);
    expect(((receiver.to('/dingtalk/')[1] as Received).json['markdown'] as Json)['text']).toMatch(/resolved/i);
    expect(dingTalkSignatureOk(SECRETS.dingtalk, (receiver.to('/dingtalk/')[1] as Received).query)).toBe(true);

    // An unchanged rescan: the jobs run, nothing is sent.
    const third = await clusters.requestScan(org.id, cluster.id);
    await finished(context, third.id);
    await notificationsSettled(context, third.id, ids);
    for (const kind of Object.keys(hooks)) expect([kind, receiver.to(`/${kind}/`).length]).toEqual([kind, 2]);

    // Every delivery was logged, never with the URL.
    const log = await webhooks.deliveries(org.id, hooks.dingtalk.id, { limit: 1, count: 'exact' });
    expect(log.totalCount).toBe(2);
    expect(log.nextCursor).toEqual(expect.any(String));
    expect(log.items[0]).toMatchObject({ event: 'scan.changes', scanId: second.id, attempt: 1, result: 'delivered', status: 200, code: '0' });
    const page2 = await webhooks.deliveries(org.id, hooks.dingtalk.id, { limit: 1, cursor: log.nextCursor ?? null });
    expect(page2.items.map((d) => d.scanId)).toEqual([first.id]);
    const rows = await context.get(PrismaService).client.$queryRawUnsafe<Json[]>('SELECT * FROM webhook_deliveries');
    const dump =
      JSON.stringify(rows) +
      JSON.stringify(await context.get(PrismaService).client.$queryRawUnsafe<Json[]>('SELECT id, url_display, sealed::text FROM webhooks'));
    for (const secret of [SLACK_TOKEN, '0123456789abcdef0123', SECRETS.dingtalk, SECRETS.feishu, SECRETS.generic, 'sig=s1g2n3a4t5u6r7e8'])
      expect(dump).not.toContain(secret);

    // Upload scans notify the webhooks without a cluster filter only.
    const all = await webhooks.create(org.id, { kind: 'generic', url: receiver.url('/uploads/hook'), minSeverity: 'critical' });
    const upload = await context
      .get(ScanRequestService)
      .request({ organizationId: org.id, files: [{ name: 'web.yaml', text: UNSAFE_DEPLOYMENT }], trigger: 'upload' });
    await finished(context, upload.id);
    await notificationsSettled(context, upload.id, [all.id]);
    const uploadMessages = receiver.to('/uploads/');
    expect(uploadMessages).toHaveLength(1);
    expect((uploadMessages[0] as Received).json).toMatchObject({ event: 'rollsafe.scan.changes', cluster: null, scan: { id: upload.id } });
    expect(((uploadMessages[0] as Received).json['new'] as Json[]).every((f) => f['severity'] === 'critical')).toBe(true);
    expect(uploadMessages[0]?.headers['x-rollsafe-signature']).toBeUndefined();
    for (const kind of Object.keys(hooks)) expect(receiver.to(`/${kind}/`).length).toBe(2);
    const again = await context
      .get(ScanRequestService)
      .request({ organizationId: org.id, files: [{ name: 'web.yaml', text: UNSAFE_DEPLOYMENT }], trigger: 'upload' });
    await finished(context, again.id);
    await notificationsSettled(context, again.id, [all.id]);
    expect(receiver.to('/uploads/')).toHaveLength(1);

    // A regression: the legacy app comes back, and its findings are new again.
    fake.setScenario(kubeScenarios.smallAlibabaTerway());
    const fourth = await clusters.requestScan(org.id, cluster.id);
    await finished(context, fourth.id);
    await notificationsSettled(context, fourth.id, ids);
    const regression = receiver.to('/generic/')[2] as Received;
    expect(regression.json).toMatchObject({ scan: { id: fourth.id }, resolved: [] });
    const reopened = regression.json['new'] as Json[];
    expect(reopened.map((f) => f['fingerprint']).sort()).toEqual(resolved.map((f) => f['fingerprint']).sort());
    await stopWorker(context);
  }, 90_000);

  it('retries a failing receiver with backoff (honouring Retry-After), gives up, and logs every attempt', async () => {
    const context = await startWorker();
    const org = await context.get(OrganizationService).create('flaky');
    const webhooks = context.get(WebhookService);
    const down = await webhooks.create(org.id, { kind: 'generic', url: receiver.url('/down/hook'), minSeverity: 'info' });
    const gone = await webhooks.create(org.id, { kind: 'generic', url: receiver.url('/gone/hook'), minSeverity: 'info' });
    const limited = await webhooks.create(org.id, { kind: 'slack', url: receiver.url('/limited/services/T1/B2/c3d4e5f6g7h8'), minSeverity: 'info' });
    receiver.queue('/limited/services/T1/B2/c3d4e5f6g7h8', { status: 429, headers: { 'retry-after': '1' }, body: 'rate_limited' });

    const scan = await context
      .get(ScanRequestService)
      .request({ organizationId: org.id, files: [{ name: 'web.yaml', text: UNSAFE_DEPLOYMENT }], trigger: 'upload' });
    await finished(context, scan.id);
    await notificationsSettled(context, scan.id, [down.id, gone.id, limited.id]);

    // 503: three attempts (ROLLSAFE_NOTIFY_MAX_ATTEMPTS=3 here), then given up.
    const downRequests = receiver.to('/down/');
    expect(downRequests).toHaveLength(3);
    const gaps = downRequests.slice(1).map((r, i) => r.at - (downRequests[i] as Received).at);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(40);
    const downLog = (await webhooks.deliveries(org.id, down.id, {})).items as DeliveryView[];
    expect(downLog.map((d) => [d.attempt, d.result, d.status])).toEqual([
      [3, 'gave_up', 503],
      [2, 'retrying', 503],
      [1, 'retrying', 503],
    ]);
    expect(downLog[0]?.error).toContain('HTTP 503');
    expect(downLog.every((d) => d.durationMs >= 0 && typeof d.at === 'string' && d.scanId === scan.id)).toBe(true);

    // 404: not retryable, given up at once.
    expect(receiver.to('/gone/')).toHaveLength(1);
    expect((await webhooks.deliveries(org.id, gone.id, {})).items.map((d) => [d.attempt, d.result, d.status])).toEqual([[1, 'gave_up', 404]]);

    // 429 with Retry-After: 1 s: the retry waits at least that long, then is delivered.
    const limitedRequests = receiver.to('/limited/');
    expect(limitedRequests).toHaveLength(2);
    expect((limitedRequests[1] as Received).at - (limitedRequests[0] as Received).at).toBeGreaterThanOrEqual(950);
    expect((await webhooks.deliveries(org.id, limited.id, {})).items.map((d) => [d.attempt, d.result, d.status])).toEqual([
      [2, 'delivered', 200],
      [1, 'retrying', 429],
    ]);

    // The queue agrees: the failing job failed for good after 3 attempts.
    const job = await context.get<Queue>(getQueueToken(QUEUES.notifications)).getJob(notificationJobId(down.id, scan.id));
    expect(job?.attemptsMade).toBe(3);
    expect(await job?.getState()).toBe('failed');
    await stopWorker(context);
  }, 60_000);

  it('runs a schedule on time across a worker restart, never duplicated, and stops when deleted', async () => {
    const PERIOD_MS = 1000;
    /** Waits until the first run slot after now has passed; slots are a slot seen (`seen`) plus whole periods. */
    const aSlotToPass = (what: string, seen: number) => {
      const slot = seen + (Math.floor((Date.now() - seen) / PERIOD_MS) + 1) * PERIOD_MS;
      return until(what, () => (Date.now() > slot + 100 ? true : undefined));
    };
    let context = await startWorker();
    const org = await context.get(OrganizationService).create('scheduled');
    const cluster = await context.get(ClusterService).register(org.id, { name: 'nightly', kubeconfig: fake.kubeconfig({ auth: 'token' }) });
    const schedules = context.get(ScheduleService);
    const prisma = () => context.get(PrismaService).client;
    const scheduledScans = () =>
      prisma().scan.findMany({ where: { trigger: 'schedule', target: { cluster: { id: cluster.id } } }, orderBy: { createdAt: 'asc' } });

    const view = await schedules.set(org.id, cluster.id, { everySeconds: PERIOD_MS / 1000 });
    expect(view).toMatchObject({ clusterId: cluster.id, everySeconds: PERIOD_MS / 1000, nextRunAt: expect.any(String) });
    // Setting it again (same id) replaces, never adds.
    await schedules.set(org.id, cluster.id, { everySeconds: PERIOD_MS / 1000 });
    expect(await context.get(JobQueue).scheduledClusterIds()).toEqual([cluster.id]);
    /** The slot a scheduled scan ran for: the scheduler's job id ends with it (ms). */
    const slotOf = (scan: { scheduledRun: string | null }) => Number(String(scan.scheduledRun).split(':').pop());

    const beforeRestart = await until('two scheduled scans', async () => {
      const scans = await scheduledScans();
      return scans.filter((s) => s.status === 'succeeded').length >= 2 ? scans : undefined;
    });
    expect(slotOf(beforeRestart[1] as { scheduledRun: string | null }) - slotOf(beforeRestart[0] as { scheduledRun: string | null })).toBe(PERIOD_MS);
    await stopWorker(context);
    await aSlotToPass('a run to fall due while the worker is down', slotOf(beforeRestart[1] as { scheduledRun: string | null }));

    context = await startWorker();
    const restartedAt = Date.now();
    const after = await until(
      'three scheduled scans after the restart',
      async () => {
        const scans = (await scheduledScans()).filter((s) => s.createdAt.getTime() >= restartedAt - 50);
        return scans.length >= 3 ? scans : undefined;
      },
      20_000,
    );
    // The run due while the worker was down happens as it starts; then every run keeps to its
    // slot (BullMQ aligns `every` to multiples of the period): one slot apart, none missed or
    // doubled, each started soon after its slot.
    expect(slotOf(after[0] as { scheduledRun: string | null })).toBeLessThan(restartedAt);
    expect((after[0] as { createdAt: Date }).createdAt.getTime() - restartedAt).toBeLessThan(2500);
    for (let i = 1; i < after.length; i += 1) {
      const scan = after[i] as { scheduledRun: string | null; createdAt: Date };
      expect(slotOf(scan) - slotOf(after[i - 1] as { scheduledRun: string | null })).toBe(PERIOD_MS);
      expect(scan.createdAt.getTime() - slotOf(scan)).toBeGreaterThanOrEqual(-50);
      expect(scan.createdAt.getTime() - slotOf(scan)).toBeLessThan(2500);
    }
    // One scheduler, one scan per run.
    expect(await context.get(JobQueue).scheduledClusterIds()).toEqual([cluster.id]);
    const all = await scheduledScans();
    expect(new Set(all.map(slotOf)).size).toBe(all.length);

    // Stop: no more runs.
    await context.get(ScheduleService).delete(org.id, cluster.id);
    expect(await context.get(JobQueue).scheduledClusterIds()).toEqual([]);
    // A run already taken finishes (its scan is written); then the slots that would have run pass with no scan.
    const schedulesQueue = context.get<Queue>(getQueueToken(QUEUES.schedules));
    await until('the runs in flight to finish', async () => {
      const counts = await schedulesQueue.getJobCounts('active', 'waiting', 'delayed', 'prioritized');
      return Object.values(counts).every((count) => count === 0) ? true : undefined;
    });
    const stopped = (await scheduledScans()).length;
    await aSlotToPass('a run to fall due, had the schedule not been deleted', slotOf(all[all.length - 1] as { scheduledRun: string | null }));
    await aSlotToPass('another', slotOf(all[all.length - 1] as { scheduledRun: string | null }));
    expect((await scheduledScans()).length).toBe(stopped);
    await stopWorker(context);
  }, 60_000);

  it('records a run that finds a scan in progress as skipped, and reconciles schedulers with the rows at start-up', async () => {
    const slow = await FakeKubeApiServer.start({ scenario: kubeScenarios.smallAlibabaTerway() });
    let release = (): void => undefined;
    try {
      let context = await startWorker();
      const org = await context.get(OrganizationService).create('busy');
      const cluster = await context.get(ClusterService).register(org.id, { name: 'slow', kubeconfig: slow.kubeconfig({ auth: 'token' }) });
      // The first run's scan stays in flight (the API server holds its answers) until a later run has found it so.
      release = slow.hold();
      await context.get(ScheduleService).set(org.id, cluster.id, { everySeconds: 1 });
      const prisma = () => context.get(PrismaService).client;
      await until('a run that finds the scan in progress', async () =>
        (await prisma().scan.findFirst({ where: { trigger: 'schedule', status: 'skipped', target: { cluster: { id: cluster.id } } } })) ? true : undefined,
      );
      release();
      const scans = await until(
        'a skipped run and a finished scan',
        async () => {
          const rows = await prisma().scan.findMany({
            where: { targetId: (await prisma().cluster.findUniqueOrThrow({ where: { id: cluster.id } })).targetId },
            orderBy: { createdAt: 'asc' },
          });
          return rows.some((s) => s.status === 'skipped') && rows.some((s) => s.status === 'succeeded') ? rows : undefined;
        },
        30_000,
      );
      const skipped = scans.find((s) => s.status === 'skipped');
      expect(skipped).toMatchObject({ trigger: 'schedule', attempts: 0, error: expect.stringContaining('still queued or running') });
      // Scans that ran never overlapped.
      const ran = scans.filter((s) => s.status === 'succeeded' && s.startedAt && s.finishedAt);
      for (let i = 1; i < ran.length; i += 1) expect((ran[i]?.startedAt as Date).getTime()).toBeGreaterThanOrEqual((ran[i - 1]?.finishedAt as Date).getTime());
      const listed = await context.get(ClusterService).scansOf(org.id, cluster.id, { status: 'skipped', trigger: 'schedule' });
      expect(listed.items.length).toBeGreaterThan(0);
      expect(listed.items.every((s) => s.status === 'skipped' && s.trigger === 'schedule')).toBe(true);
      await stopWorker(context);

      // While the worker is down the row goes away (and a stray scheduler appears): start-up reconciles.
      const direct = new PrismaService({ databaseUrl: workers.db.url, poolSize: 2 });
      await direct.client.schedule.deleteMany({ where: { clusterId: cluster.id } });
      await direct.onModuleDestroy();
      context = await startWorker();
      expect(await context.get(JobQueue).scheduledClusterIds()).not.toContain(cluster.id);
      await stopWorker(context);
    } finally {
      release();
      await slow.stop();
    }
  }, 60_000);
});
