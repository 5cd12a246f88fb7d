// The driver adapter Prisma's WASM schema engine (`engine: 'js'` in prisma.config.ts) uses
// for `migrate deploy|dev|status`. Prisma 6.19.3's PrismaPg needs three fixes for that,
// each an upstream bug:
//  1. Columns of type `name` (oid 19) and `char` (oid 18), which the schema engine reads from
//     pg_catalog, "could not be deserialized" (prisma/prisma#27403): reported here as text.
//  2. The shadow database is created as `{ ...config, database }`; with a `connectionString`
//     in the config, pg ignores `database`, so the "shadow" silently is the main database.
//     The config is therefore passed as discrete host/port/user/password/database.
//  3. The shadow database is dropped while its own pool still holds connections (DROP fails):
//     end the shadow pool first, then `DROP DATABASE ... WITH (FORCE)`.
// Pools also set `allowExitOnIdle`, or `migrate deploy` idles ~10 s on pg's idle timer.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';

const TEXT_OID = 25;
const NAME_OID = 19;
const CHAR_OID = 18;

type QueryFn = (...args: unknown[]) => Promise<unknown>;

function textualize(result: unknown): unknown {
  const fields = (result as { fields?: Array<{ dataTypeID: number }> } | undefined)?.fields;
  if (Array.isArray(fields)) {
    for (const field of fields) {
      if (field.dataTypeID === NAME_OID || field.dataTypeID === CHAR_OID) field.dataTypeID = TEXT_OID;
    }
  }
  return result;
}

function patchQuery(target: object): void {
  const holder = target as { query: QueryFn };
  const original = holder.query.bind(target);
  holder.query = async (...args: unknown[]) => textualize(await original(...args));
}

export function poolConfigFromUrl(url: string): pg.PoolConfig {
  const parsed = new URL(url);
  const sslmode = parsed.searchParams.get('sslmode');
  return {
    host: decodeURIComponent(parsed.hostname) || parsed.searchParams.get('host') || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 5432,
    user: decodeURIComponent(parsed.username) || undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    database: decodeURIComponent(parsed.pathname.replace(/^\//, '')) || undefined,
    ssl: sslmode && sslmode !== 'disable' ? { rejectUnauthorized: sslmode === 'verify-full' } : undefined,
    allowExitOnIdle: true,
  };
}

function makePool(config: pg.PoolConfig): pg.Pool {
  const pool = new pg.Pool(config);
  patchQuery(pool);
  pool.on('connect', (client) => patchQuery(client));
  return pool;
}

type Adapter = Awaited<ReturnType<PrismaPg['connect']>>;

export class MigratePrismaPg extends PrismaPg {
  private readonly discrete: pg.PoolConfig;

  constructor(databaseUrl: string) {
    const discrete = poolConfigFromUrl(databaseUrl);
    super(makePool(discrete), { disposeExternalPool: true });
    this.discrete = discrete;
  }

  override async connectToShadowDb(): Promise<Adapter> {
    const mainPool = makePool(this.discrete);
    const database = `prisma_shadow_${randomUUID().replaceAll('-', '')}`;
    await mainPool.query(`CREATE DATABASE "${database}"`);
    const shadow = await new PrismaPg(makePool({ ...this.discrete, database }), { disposeExternalPool: true }).connect();
    const disposeShadow = shadow.dispose.bind(shadow);
    shadow.dispose = async () => {
      await disposeShadow();
      await mainPool.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      await mainPool.end();
    };
    return shadow;
  }
}
