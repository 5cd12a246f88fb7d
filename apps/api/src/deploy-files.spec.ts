// No Docker engine runs on the development and CI machines, so docker-compose.yml and the
// Dockerfile are checked here: structure, health checks, start order, that the commands
// point at files the build produces, and that the apps' environment passes config validation.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { loadConfig } from '#rollsafe/runtime';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

interface ComposeService {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  ports?: string[];
}

function compose(): { services: Record<string, ComposeService>; volumes?: Record<string, unknown> } {
  return load(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8')) as { services: Record<string, ComposeService> };
}

/** `dist/x/y.js` is built from `x/y.ts`. */
function sourceOf(distPath: string): string {
  return path.join(root, distPath.replace(/^dist\//, '').replace(/\.js$/, '.ts'));
}

describe('docker-compose.yml', () => {
  const { services } = compose();

  it('runs postgres, redis, migrations, api and worker, with health checks', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'migrate', 'postgres', 'redis', 'worker']);
    for (const name of ['postgres', 'redis', 'api', 'worker']) {
      expect(services[name]?.healthcheck?.test?.length).toBeGreaterThan(1);
    }
  });

  it('starts the apps after the migrations and a healthy Redis', () => {
    for (const name of ['api', 'worker']) {
      expect(services[name]?.depends_on).toEqual({
        migrate: { condition: 'service_completed_successfully' },
        redis: { condition: 'service_healthy' },
      });
    }
    expect(services['migrate']?.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
  });

  it('runs commands that exist once built', () => {
    for (const name of ['api', 'worker']) {
      const entry = services[name]?.command?.find((arg) => arg.startsWith('dist/'));
      expect(entry).toBeDefined();
      expect(fs.existsSync(sourceOf(entry as string))).toBe(true);
    }
    expect(services['migrate']?.command).toEqual(['node', 'node_modules/prisma/build/index.js', 'migrate', 'deploy']);
    expect(services['migrate']?.build).toBe('.');
  });

  it("gives the apps an environment that passes the apps' configuration validation", () => {
    for (const name of ['api', 'worker']) {
      // Compose applies YAML merge keys (`<<: *app-env`); js-yaml (YAML 1.2) leaves them as a key.
      const raw = services[name]?.environment as Record<string, unknown>;
      const { ['<<']: merged, ...own } = raw;
      const env = { ...((merged as Record<string, string> | undefined) ?? {}), ...own } as Record<string, string>;
      const resolved = Object.fromEntries(Object.entries(env).map(([key, value]) => [key, String(value).replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1')]));
      const config = loadConfig(resolved);
      expect(config.nodeEnv).toBe('production');
      expect(config.encryptionKey).toHaveLength(32);
    }
  });
});

describe('Dockerfile', () => {
  const text = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');
  const lines = text.split('\n').filter((line) => line.trim() && !line.trim().startsWith('#'));

  it('builds in one stage and runs as a non-root user in another', () => {
    expect(lines.filter((line) => line.startsWith('FROM '))).toHaveLength(2);
    expect(lines).toContain('USER node');
    expect(text).toMatch(/HEALTHCHECK .*\n?.*healthz/);
  });

  it('copies files that exist and runs a command that is built', () => {
    for (const line of lines.filter((l) => l.startsWith('COPY ') && !l.includes('--from='))) {
      const sources = line
        .replace(/^COPY\s+(--\S+\s+)*/, '')
        .split(/\s+/)
        .slice(0, -1);
      for (const source of sources) expect(fs.existsSync(path.join(root, source))).toBe(true);
    }
    const cmd = lines.find((line) => line.startsWith('CMD '));
    const args = JSON.parse((cmd as string).slice(4)) as string[];
    expect(args[0]).toBe('node');
    expect(fs.existsSync(sourceOf(args[args.length - 1] as string))).toBe(true);
  });

  it('keeps local state and build output out of the build context', () => {
    const ignored = fs.readFileSync(path.join(root, '.dockerignore'), 'utf8').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.rollsafe', '.git']));
  });
});

describe('deploy/kubernetes', () => {
  it("gives the apps an environment (its ConfigMap and the Secret it documents) that passes the apps' configuration validation", () => {
    const configMap = load(fs.readFileSync(path.join(root, 'deploy/kubernetes/config.yaml'), 'utf8')) as { data: Record<string, string> };
    const kustomization = fs.readFileSync(path.join(root, 'deploy/kubernetes/kustomization.yaml'), 'utf8');
    // the Secret's keys, as kustomization.yaml tells the user to create them
    const secretKeys = [...kustomization.matchAll(/--from-literal=([A-Z_]+)=/g)].map((m) => m[1]);
    expect(secretKeys.sort()).toEqual(['DATABASE_URL', 'REDIS_URL', 'ROLLSAFE_ADMIN_TOKEN', 'ROLLSAFE_ENCRYPTION_KEY']);
    const secret = {
      DATABASE_URL: 'postgresql://rollsafe:secret@postgres.example.internal:5432/rollsafe',
      REDIS_URL: 'redis://redis.example.internal:6379',
      ROLLSAFE_ADMIN_TOKEN: 'a'.repeat(64),
      ROLLSAFE_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
    };
    const config = loadConfig({ ...configMap.data, ...secret });
    expect(config.nodeEnv).toBe('production');
    expect(config.shutdownTimeoutMs).toBe(25_000);
  });
});

describe('the API process', () => {
  // V8's memory reducer runs a full collection some seconds after traffic pauses, and it landed
  // in the traffic that followed (bench/load: GraphQL p99 90-354 ms where 14-18 ms without): the
  // API keeps its heap instead. The flag is V8's, so it goes on node's command line wherever
  // the API is started.
  // A young generation of up to 32 MB a semi-space (V8's default 16): half as many scavenges at
  // 200 pages a second, each a pause for every request in flight (bench/load: the worst case's
  // p99 ratio 2.2-2.8x in three runs of four, 2.2-4.4x without).
  it('is started with --no-memory-reducer and --max-semi-space-size=32 by Compose, the Dockerfile, the Kubernetes Deployment and npm start', () => {
    const compose = load(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8')) as { services: Record<string, ComposeService> };
    const dockerCmd = fs
      .readFileSync(path.join(root, 'Dockerfile'), 'utf8')
      .split('\n')
      .find((line) => line.startsWith('CMD '));
    const deployment = load(fs.readFileSync(path.join(root, 'deploy/kubernetes/api.yaml'), 'utf8').split(/^---$/m)[0] ?? '') as {
      spec: { template: { spec: { containers: Array<{ command: string[] }> } } };
    };
    const commands = [
      compose.services['api']?.command,
      JSON.parse((dockerCmd as string).slice(4)) as string[],
      deployment.spec.template.spec.containers[0]?.command,
    ];
    for (const command of commands) expect(command?.slice(0, -1)).toEqual(expect.arrayContaining(['--no-memory-reducer', '--max-semi-space-size=32']));
    const startScript = fs.readFileSync(path.join(root, 'tools/start.mjs'), 'utf8');
    expect(startScript).toMatch(/name === 'api' \? \[[^\]]*'--no-memory-reducer'/);
    expect(startScript).toMatch(/name === 'api' \? \[[^\]]*'--max-semi-space-size=32'/);
  });
});
