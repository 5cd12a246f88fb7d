// The load generator of run.mjs, in a process of its own (forked by run.mjs, which sends it
// cases and gets their figures back over IPC), so that the orchestrating process's work
// (pgbench's logs, /proc reads, JSON) never pauses it, and built to pause as little as it can
// itself: raw node:net sockets kept alive, each request's bytes encoded once before the case
// starts, every read into one reusable buffer (net's `onread`: no Buffer a read), a minimal
// HTTP/1.1 response reader (status line, Content-Length or chunked, the body checked on its
// bytes as it arrives, never made a string), the time taken with performance.now() as soon as
// the last byte is read, and a young generation large enough (run.mjs forks it with
// --max-semi-space-size) that it hardly ever collects during a case.
//
// Open loop, as pgbench -R: request i of a case is due at start + i / rate (or at Poisson
// arrivals with `poisson`); it leaves on the first connection free (a new one is opened when
// none is, so a slow answer never holds the next request back), and its latency counts from
// the time it was due, whatever made it leave late. How late it left (the send lag: the timer
// firing late, the generator busy) is reported too, as pgbench reports its schedule lag.
//
// Node's timers count whole milliseconds (a delay is truncated, libuv's clock is in ms), so a
// request woken for on the dot left 0.6 ms late at the median and 1.2 ms at p99, where
// pgbench, waiting in microseconds, leaves 0.4 ms late at p99: time that counted against the
// API alone. A request now leaves when it is due within SEND_EARLY_MS, and its latency counts
// from when it was due or, when it left before that, from when it left: never from before the
// request existed, and still with every millisecond it left late.
import net from 'node:net';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { latencySummary } from '../shared/stats.mjs';

const TIMEOUT_MS = 10_000;
/** A request leaves when it is due within this long (a timer's resolution: see above). */
const SEND_EARLY_MS = 1;
/** A connection unused this long is closed by the generator, before the server's 5 s keep-alive timeout can close it under a request. */
const IDLE_CLOSE_MS = 4000;
const SLOW_MS = process.env.BENCH_TRACE_SLOW ? Number(process.env.BENCH_TRACE_SLOW) : Infinity;
const log = (line) => process.stderr.write(`[bench/load generator] ${line}\n`);

const CRLF_CRLF = Buffer.from('\r\n\r\n');
const CHECKS = {
  // An error, an empty page or a GraphQL error fails the check (as run.mjs's checks before).
  rest: { prefix: Buffer.from('{"items":[{"id":') },
  graphql: { prefix: Buffer.from('{"data":{"scan":{"findings":{'), contains: Buffer.from('"nodes":[{"id":'), absent: Buffer.from('"errors":') },
  any: {},
};
const CARRY = 32; // bytes of a body's previous read kept to find a pattern split between two reads

// One buffer for every socket's reads: a read is handled to the end before the next one.
const readBuffer = Buffer.allocUnsafe(256 * 1024);

// ---------------------------------------------------------------- connections

/** The idle connections to one API process, the most recently used on top. */
class Pool {
  constructor(host, port, keepAlive) {
    this.host = host;
    this.port = port;
    this.keepAlive = keepAlive;
    this.idle = [];
    this.opened = 0;
  }

  take() {
    return this.idle.pop() ?? this.open();
  }

  open() {
    this.opened += 1;
    return new Connection(this);
  }

  giveBack(connection) {
    connection.idleSince = performance.now();
    this.idle.push(connection);
  }

  drop(connection) {
    const at = this.idle.indexOf(connection);
    if (at >= 0) this.idle.splice(at, 1);
  }

  /** Closes the connections idle longer than IDLE_CLOSE_MS (the oldest are at the bottom). */
  prune(now) {
    while (this.idle.length > 0 && now - this.idle[0].idleSince > IDLE_CLOSE_MS) this.idle.shift().close();
  }

  /** `count` connections open and idle before a case starts. */
  async warm(count) {
    const fresh = [];
    while (this.idle.length + fresh.length < count) fresh.push(this.open());
    await Promise.all(fresh.map((connection) => connection.connected));
    for (const connection of fresh) if (!connection.closed) this.giveBack(connection);
  }

  closeAll() {
    for (const connection of this.idle.splice(0)) connection.close();
  }
}

class Connection {
  constructor(pool) {
    this.pool = pool;
    this.closed = false;
    this.current = undefined;
    this.idleSince = 0;
    this.socket = net.connect({
      host: pool.host,
      port: pool.port,
      noDelay: true,
      onread: { buffer: readBuffer, callback: (length, buffer) => this.onRead(buffer, length) },
    });
    this.connected = new Promise((resolve) => {
      this.socket.once('connect', resolve);
      this.socket.once('close', resolve);
    });
    this.socket.on('error', (error) => this.fail(error));
    this.socket.on('end', () => this.fail(new Error('the server closed the connection')));
    this.socket.on('close', () => this.fail(new Error('the connection closed')));
  }

  send(request) {
    this.current = request;
    this.reset();
    this.socket.write(request.template.bytes);
  }

  reset() {
    this.state = 'head';
    this.head = undefined; // a response head split between reads
    this.status = 0;
    this.left = 0; // bytes of the body (or of the current chunk) still to read
    this.chunked = false;
    this.closeAfter = false;
    this.bodySeen = 0;
    this.start = undefined; // the body's first bytes, for the check and an error's message
    this.carry = undefined;
    this.found = false;
    this.bad = false;
  }

  onRead(buffer, length) {
    if (!this.current) {
      // Bytes with no request: the server is wrong or closing; never reuse this connection.
      this.close();
      return;
    }
    let at = 0;
    while (at < length && this.current) {
      if (this.state === 'head') at = this.readHead(buffer, at, length);
      else if (this.state === 'body') at = this.readBody(buffer, at, length);
      else at = this.readChunked(buffer, at, length);
    }
  }

  readHead(buffer, at, length) {
    let bytes = buffer.subarray(at, length);
    if (this.head) bytes = Buffer.concat([this.head, bytes]);
    const end = bytes.indexOf(CRLF_CRLF);
    if (end < 0) {
      this.head = Buffer.from(bytes); // copied: the read buffer is reused
      if (this.head.length > 64 * 1024) this.finish(new Error('response head over 64 KB'));
      return length;
    }
    const consumed = end + 4 - (this.head ? this.head.length : 0);
    this.head = undefined;
    const text = bytes.toString('latin1', 0, end); // a few hundred bytes
    this.status = Number(text.slice(9, 12));
    const lower = text.toLowerCase();
    this.closeAfter = /\r\nconnection: *close/.test(lower);
    if (/\r\ntransfer-encoding: *chunked/.test(lower)) {
      this.chunked = true;
      this.state = 'chunk-size';
      this.sizeLine = '';
    } else {
      const match = /\r\ncontent-length: *(\d+)/.exec(lower);
      if (!match) {
        this.finish(new Error(`${this.status}: a response with neither Content-Length nor chunked`));
        return length;
      }
      this.left = Number(match[1]);
      this.state = 'body';
      if (this.left === 0) this.complete();
    }
    return at + consumed;
  }

  readBody(buffer, at, length) {
    const take = Math.min(this.left, length - at);
    this.inspect(buffer, at, at + take);
    this.left -= take;
    if (this.left === 0) this.complete();
    return at + take;
  }

  readChunked(buffer, at, length) {
    while (at < length && this.current) {
      if (this.state === 'chunk-size') {
        const end = buffer.indexOf(10, at); // \n
        if (end < 0 || end >= length) {
          this.sizeLine += buffer.toString('latin1', at, length);
          return length;
        }
        this.sizeLine += buffer.toString('latin1', at, end);
        at = end + 1;
        const size = parseInt(this.sizeLine.trim(), 16);
        this.sizeLine = '';
        if (!Number.isFinite(size)) {
          this.finish(new Error('a bad chunk size'));
          return length;
        }
        this.left = size;
        this.state = size === 0 ? 'trailer' : 'chunk-data';
      } else if (this.state === 'chunk-data') {
        const take = Math.min(this.left, length - at);
        this.inspect(buffer, at, at + take);
        this.left -= take;
        at += take;
        if (this.left === 0) {
          this.state = 'chunk-end';
          this.left = 2;
        }
      } else if (this.state === 'chunk-end') {
        const take = Math.min(this.left, length - at);
        this.left -= take;
        at += take;
        if (this.left === 0) {
          this.state = 'chunk-size';
          this.sizeLine = '';
        }
      } else {
        // trailer: lines up to an empty one (only the empty line, in practice)
        const end = buffer.indexOf(10, at);
        if (end < 0 || end >= length) {
          this.sizeLine += buffer.toString('latin1', at, length);
          return length;
        }
        const line = this.sizeLine + buffer.toString('latin1', at, end);
        this.sizeLine = '';
        at = end + 1;
        if (line.trim() === '') this.complete();
      }
    }
    return at;
  }

  /** Looks at body bytes [from, to) of the read buffer without making a string of them. */
  inspect(buffer, from, to) {
    if (from === to) return;
    const check = CHECKS[this.current.template.check];
    if (this.bodySeen < 200) {
      const keep = buffer.subarray(from, Math.min(to, from + 200 - this.bodySeen));
      this.start = this.start ? Buffer.concat([this.start, keep]) : Buffer.from(keep);
    }
    this.bodySeen += to - from;
    if (check.contains || check.absent) {
      // Search this read, and the seam with the previous one.
      const seam = this.carry ? Buffer.concat([this.carry, buffer.subarray(from, Math.min(to, from + CARRY))]) : undefined;
      const has = (pattern) => buffer.subarray(from, to).indexOf(pattern) >= 0 || (seam !== undefined && seam.indexOf(pattern) >= 0);
      if (check.contains && !this.found && has(check.contains)) this.found = true;
      if (check.absent && !this.bad && has(check.absent)) this.bad = true;
      this.carry = Buffer.from(buffer.subarray(Math.max(from, to - CARRY), to));
    }
  }

  complete() {
    const at = performance.now();
    const check = CHECKS[this.current.template.check];
    const start = this.start ?? Buffer.alloc(0);
    const ok =
      this.status === 200 &&
      (!check.prefix || (start.length >= check.prefix.length && start.subarray(0, check.prefix.length).equals(check.prefix))) &&
      (!check.contains || this.found) &&
      !(check.absent && this.bad);
    const request = this.current;
    this.current = undefined;
    if (this.closeAfter || !this.pool.keepAlive) this.close();
    else this.pool.giveBack(this);
    request.done(at, ok ? true : `${this.status} ${start.toString('utf8')}`);
  }

  finish(error) {
    const request = this.current;
    this.current = undefined;
    this.close();
    request?.done(performance.now(), String(error));
  }

  fail(error) {
    if (this.closed && !this.current) return;
    this.pool.drop(this);
    if (this.current) this.finish(error);
    else this.close();
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    this.pool.drop(this);
    this.socket.destroy();
  }
}

// ---------------------------------------------------------------- requests

const pools = new Map();
function poolFor(host, port, keepAlive) {
  const key = `${host}:${port}:${keepAlive}`;
  if (!pools.has(key)) pools.set(key, new Pool(host, port, keepAlive));
  return pools.get(key);
}

/**
 * A request template from run.mjs: { host, port, method, path, headers, body, check } made
 * into its bytes once; `check`: rest, graphql or any.
 */
function encode(template, keepAlive) {
  const body = template.body === undefined ? undefined : Buffer.from(template.body);
  const lines = [`${template.method} ${template.path} HTTP/1.1`, `Host: ${template.host}:${template.port}`];
  for (const [name, value] of Object.entries(template.headers ?? {})) lines.push(`${name}: ${value}`);
  if (body) lines.push(`Content-Length: ${body.length}`);
  lines.push(`Connection: ${keepAlive ? 'keep-alive' : 'close'}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`);
  return {
    bytes: body ? Buffer.concat([head, body]) : head,
    check: template.check,
    pool: poolFor(template.host, template.port, keepAlive),
  };
}

/** Sends one request on a free connection; `done(at, ok)` is called once, with the time its last byte was read. */
function send(template, done) {
  const connection = template.pool.take();
  let settled = false;
  const timer = setTimeout(() => {
    if (!settled) connection.finish(new Error(`timed out after ${TIMEOUT_MS / 1000} s`));
  }, TIMEOUT_MS);
  connection.send({
    template,
    done: (at, ok) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      done(at, ok);
    },
  });
}

// ---------------------------------------------------------------- open loop

/**
 * Runs the cases side by side (each open loop at its rate for its seconds, request i sent from
 * templates[i % templates.length]); resolves with each case's figures.
 */
async function openLoop(cases, keepAlive) {
  const runs = cases.map((spec) => {
    const total = Math.round(spec.rate * spec.seconds);
    const due = new Float64Array(total);
    let t = 0;
    for (let i = 0; i < total; i += 1) {
      // Fixed spacing, or Poisson arrivals at the same mean rate (as pgbench -R schedules); from the start, below.
      due[i] = spec.poisson ? t : (i * 1000) / spec.rate;
      if (spec.poisson) t += (-Math.log(1 - Math.random()) * 1000) / spec.rate;
    }
    return {
      spec,
      total,
      due,
      next: 0,
      finished: 0,
      latencies: new Float64Array(total),
      lags: new Float64Array(total),
      errors: 0,
      firstError: undefined,
      templates: spec.templates.map((template) => encode(template, keepAlive)),
    };
  });
  // Enough connections open before the start for the case's rate at a 50 ms answer (more are opened if ever needed).
  for (const run of runs) {
    const perPool = Math.min(64, Math.max(4, Math.ceil((run.spec.rate * 0.05) / new Set(run.templates.map((t) => t.pool)).size)));
    await Promise.all([...new Set(run.templates.map((t) => t.pool))].map((pool) => pool.warm(perPool)));
  }
  // A full collection now, before the start (run.mjs gives --expose-gc): the young generation
  // starts the case empty, and a case allocates far less than its 64 MB.
  globalThis.gc?.();
  const startAt = performance.now() + 20;
  for (const run of runs) for (let i = 0; i < run.total; i += 1) run.due[i] += startAt;
  const loop = monitorEventLoopDelay({ resolution: 5 }); // as run.mjs measured its own before
  let collections = 0;
  let longestCollection = 0;
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      collections += 1;
      longestCollection = Math.max(longestCollection, entry.duration);
    }
  });
  gc.observe({ entryTypes: ['gc'] });
  loop.enable();
  const opened = new Map([...pools.values()].map((pool) => [pool, pool.opened]));

  await new Promise((resolve) => {
    let timer;
    const tick = () => {
      timer = undefined;
      const now = performance.now();
      let soonest = Infinity;
      for (const run of runs) {
        while (run.next < run.total && run.due[run.next] <= now + SEND_EARLY_MS) {
          const i = run.next;
          run.next += 1;
          const due = run.due[i];
          const sentAt = performance.now();
          run.lags[i] = Math.max(0, sentAt - due);
          const from = Math.max(due, sentAt);
          send(run.templates[i % run.templates.length], (at, ok) => {
            const latency = at - from;
            run.latencies[i] = latency;
            if (latency > SLOW_MS)
              log(`  slow: ${run.spec.label} #${i} at +${(due - startAt).toFixed(0)} ms took ${latency.toFixed(1)} ms (wall ${Date.now()})`);
            if (ok !== true) {
              run.errors += 1;
              run.firstError ??= ok;
            }
            run.finished += 1;
            if (runs.every((r) => r.finished === r.total)) resolve();
          });
        }
        if (run.next < run.total) soonest = Math.min(soonest, run.due[run.next]);
      }
      for (const pool of pools.values()) pool.prune(now);
      if (soonest !== Infinity) timer = setTimeout(tick, Math.max(0, soonest - SEND_EARLY_MS - performance.now()));
    };
    timer = setTimeout(tick, Math.max(0, startAt - performance.now()));
  });
  loop.disable();
  gc.disconnect();

  return runs.map((run) => ({
    ...latencySummary(run.latencies),
    latencies: Array.from(run.latencies),
    errors: run.errors,
    ...(run.firstError ? { firstError: String(run.firstError).slice(0, 300) } : {}),
    generatorMaxDelayMs: loop.max / 1e6,
    generatorCollections: collections,
    generatorLongestCollectionMs: longestCollection,
    sendLag: latencySummary(run.lags),
    connectionsOpened: [...pools.values()].reduce((sum, pool) => sum + pool.opened - (opened.get(pool) ?? 0), 0),
  }));
}

/** `count` requests, `concurrency` at a time (closed loop, for the CPU pass): wall time, errors and the generator's own CPU. */
async function closedLoop({ templates, count, concurrency }, keepAlive) {
  const encoded = templates.map((template) => encode(template, keepAlive));
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let next = 0;
  let errors = 0;
  let firstError;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next;
        next += 1;
        const ok = await new Promise((resolve) => send(encoded[i % encoded.length], (at, result) => resolve(result)));
        if (ok !== true) {
          errors += 1;
          firstError ??= ok;
        }
      }
    }),
  );
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return { count, wallMs, errors, generatorCpuMs: (cpu.user + cpu.system) / 1000, ...(firstError ? { firstError: String(firstError).slice(0, 300) } : {}) };
}

process.on('message', (message) => {
  if (message.type === 'stop') {
    for (const pool of pools.values()) pool.closeAll();
    process.disconnect();
    return;
  }
  const work =
    message.type === 'open'
      ? openLoop(message.cases, message.keepAlive).then((results) => ({ results }))
      : closedLoop(message, message.keepAlive).then((result) => ({ result }));
  work.then(
    (answer) => process.send({ id: message.id, ...answer }),
    (error) => process.send({ id: message.id, error: String(error?.stack ?? error) }),
  );
});
