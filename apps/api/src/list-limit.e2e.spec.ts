// Issue 11, point 1: a kind: List's items cost like documents. A List of a million `{}` sent
// through the real upload path (raw YAML, JSON body, multipart file) is refused with 413 naming
// the document limit, the file and the line of the item past it, while the API keeps answering
// (large uploads are parsed on the parse thread); so are a million empty documents. Nothing is
// queued.
import 'reflect-metadata';
import { ApiHarness, type Json } from '../test/api-harness.js';

const LIMIT = 10_000;
const MILLION = 1_000_000;

describe('kind: List items against the document limit (e2e)', () => {
  const harness = new ApiHarness();
  const { start, call, createOrg } = harness;
  let key: string;

  beforeAll(async () => {
    await harness.setUp();
    await start();
    key = await createOrg('lists');
  }, 60_000);

  afterAll(async () => {
    await harness.tearDown();
  });

  /** Sends an upload while probing GET /healthz every 20 ms; how many probes were answered meanwhile. */
  async function uploadWhileProbing(send: () => ReturnType<typeof call>): Promise<{ refused: Awaited<ReturnType<typeof call>>; answered: number }> {
    let answered = 0;
    const probes: Array<Promise<void>> = [];
    const probe = setInterval(() => {
      probes.push(
        call('GET', '/healthz').then((r) => {
          if (r.status === 200) answered += 1;
        }),
      );
    }, 20);
    const refused = await send();
    clearInterval(probe);
    await Promise.all(probes);
    return { refused, answered };
  }

  function expectListRefused(refused: Awaited<ReturnType<typeof call>>, file: string, line: number): void {
    expect(refused.status).toBe(413);
    const error = refused.body['error'] as Json;
    expect(error).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      message: `${file} line ${line}: too many YAML documents: the limit is ${LIMIT} in one scan`,
      details: { errors: [{ code: 'TOO_MANY_DOCUMENTS', file, line, message: `too many YAML documents: the limit is ${LIMIT} in one scan` }] },
    });
  }

  it('refuses a raw YAML List of a million {} with 413 naming the limit and the line, answering other requests meanwhile', async () => {
    const list = `apiVersion: v1\nkind: List\nitems:\n${'- {}\n'.repeat(MILLION)}`;
    const { refused, answered } = await uploadWhileProbing(() =>
      call('POST', '/api/v1/scans', { key, body: list, headers: { 'content-type': 'application/yaml' } }),
    );
    // The List itself counts one: item number LIMIT (on line 3 + LIMIT) is one document too many.
    expectListRefused(refused, 'upload', 3 + LIMIT);
    expect(answered).toBeGreaterThan(0);
  }, 60_000);

  it('refuses the 3 MB JSON form of the issue (a flow List in a JSON body) the same way', async () => {
    const list = `{"apiVersion":"v1","kind":"List","items":[${Array(MILLION).fill('{}').join(',')}]}`;
    expect(list.length).toBeLessThan(3_100_000);
    const { refused, answered } = await uploadWhileProbing(() => call('POST', '/api/v1/scans', { key, json: { manifests: list } }));
    expectListRefused(refused, 'upload', 1);
    expect(answered).toBeGreaterThan(0);
  }, 60_000);

  it('names the uploaded file of a multipart upload', async () => {
    const form = new FormData();
    form.append('files', new Blob([`kind: List\nitems: [${Array(MILLION).fill('{}').join(', ')}]\n`], { type: 'application/yaml' }), 'list.yaml');
    const refused = await call('POST', '/api/v1/scans', { key, body: form });
    expectListRefused(refused, 'list.yaml', 2);
  }, 60_000);

  it('refuses a million empty documents with 413, answering other requests meanwhile, and queues nothing', async () => {
    const { refused, answered } = await uploadWhileProbing(() =>
      call('POST', '/api/v1/scans', { key, body: '---\n'.repeat(MILLION), headers: { 'content-type': 'application/yaml' } }),
    );
    expect(refused.status).toBe(413);
    expect(refused.body['error']).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      message: `upload: too many YAML documents: the limit is ${LIMIT} in one scan`,
      details: { errors: [{ code: 'TOO_MANY_DOCUMENTS', file: 'upload' }] },
    });
    expect(answered).toBeGreaterThan(0);
    expect((await call('GET', '/api/v1/scans', { key })).body['items']).toEqual([]);
  }, 60_000);
});
