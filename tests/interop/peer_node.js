// Copyright 2026 The websocket.dll authors
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Interop peer on Node's `ws` (Debian's node-ws, 8.x): the other end of wsecho
// in tests/interop/interop.py.  Same command line and output as peer_python.py:
//
//   node peer_node.js server                 prints "PORT n", then a RESULT per connection
//   node peer_node.js client SCENARIO URL [ARG...]
//
// Server paths: /echo, /lines?status=S&reason=R&lines=N, /nosub, /reject (404).
// Client scenarios: full, nosub, server-close S R.
// A RESULT line is "RESULT " + {"name": ..., "ok": bool, "errors": [...]}.
'use strict';

const crypto = require('crypto');
const { WebSocket, WebSocketServer } = require('ws');

const SIZES = [0, 1, 125, 126, 65535, 65536, 1 << 20];
const TIMEOUT = 30000;
// 10 bytes of UTF-8 (1 + 2 + 3 + 4), so chunk edges fall inside characters.
const UNIT = 'a\u00e9\u20ac\u{1F600}';

function textOf(size) {
  return UNIT.repeat(Math.floor(size / 10)) + 'z'.repeat(size % 10);
}

function describe(data, isBinary) {
  return `${isBinary ? 'binary' : 'text'} of ${data.length} bytes`;
}

function withTimeout(promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), TIMEOUT);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

class Checks {
  constructor(name) {
    this.name = name;
    this.errors = [];
  }
  check(condition, message) {
    if (!condition) this.errors.push(message);
    return condition;
  }
  report() {
    const line = JSON.stringify({ name: this.name, ok: this.errors.length === 0, errors: this.errors });
    process.stdout.write(`RESULT ${line}\n`);
  }
}

// Everything that arrives on ws, in order, as promises.
function watch(ws) {
  const state = { messages: [], waiters: [], pongs: [], pongWaiters: [], closed: null, closeWaiters: [] };
  ws.on('message', (data, isBinary) => {
    const m = { data: Buffer.from(data), isBinary };
    if (state.waiters.length) state.waiters.shift()(m);
    else state.messages.push(m);
  });
  ws.on('pong', (data) => {
    const copy = Buffer.from(data);
    if (state.pongWaiters.length) state.pongWaiters.shift()(copy);
    else state.pongs.push(copy);
  });
  ws.on('close', (code, reason) => {
    state.closed = { code, reason: reason.toString() };
    for (const w of state.closeWaiters) w(state.closed);
    for (const w of state.waiters) w(null);
    state.waiters = [];
  });
  return {
    next: () => withTimeout(state.messages.length ? Promise.resolve(state.messages.shift())
      : state.closed ? Promise.resolve(null)
      : new Promise((resolve) => state.waiters.push(resolve)), 'a message'),
    pong: () => withTimeout(state.pongs.length ? Promise.resolve(state.pongs.shift())
      : new Promise((resolve) => state.pongWaiters.push(resolve)), 'a pong'),
    closed: () => withTimeout(state.closed ? Promise.resolve(state.closed)
      : new Promise((resolve) => state.closeWaiters.push(resolve)), 'the close'),
  };
}

function send(ws, data, options) {
  return new Promise((resolve, reject) => ws.send(data, options, (error) => (error ? reject(error) : resolve())));
}

async function expectEcho(inbox, sent, isBinary, checks, what) {
  const got = await inbox.next();
  if (!checks.check(got !== null, `${what}: the connection closed instead of an echo`)) return;
  checks.check(got.isBinary === isBinary, `${what}: sent ${describe(sent, isBinary)}, got ${describe(got.data, got.isBinary)}`);
  checks.check(got.data.equals(sent), `${what}: the echo differs (${describe(got.data, got.isBinary)})`);
}

async function exchange(ws, inbox, checks) {
  for (const isBinary of [false, true]) {
    for (const size of SIZES) {
      const data = isBinary ? crypto.randomBytes(size) : Buffer.from(textOf(size));
      await send(ws, isBinary ? data : data.toString(), { binary: isBinary });
      await expectEcho(inbox, data, isBinary, checks, describe(data, isBinary));
    }
  }

  // Fragmented text whose frames split characters, with a ping between frames.
  const textParts = [Buffer.from('Hel'), Buffer.from([0xe2]), Buffer.from([0x82, 0xac, 0x21]),
    Buffer.from('\u{1F600}')];
  await send(ws, textParts[0], { binary: false, fin: false });
  await send(ws, textParts[1], { binary: false, fin: false });
  ws.ping(Buffer.from('inside'));
  await send(ws, textParts[2], { binary: false, fin: false });
  await send(ws, textParts[3], { binary: false, fin: true });
  await expectEcho(inbox, Buffer.concat(textParts), false, checks, 'fragmented text');
  const inside = await inbox.pong();
  checks.check(inside.toString() === 'inside', `pong for the ping inside a message carried ${inside}`);

  const binaryParts = [crypto.randomBytes(70000), Buffer.alloc(0), Buffer.from([1]), crypto.randomBytes(5000)];
  for (let i = 0; i < binaryParts.length; i++)
    await send(ws, binaryParts[i], { binary: true, fin: i === binaryParts.length - 1 });
  await expectEcho(inbox, Buffer.concat(binaryParts), true, checks, 'fragmented binary');

  ws.ping(Buffer.from('ping-42'));
  const pong = await inbox.pong();
  checks.check(pong.toString() === 'ping-42', `pong carried ${JSON.stringify(pong.toString())}`);

  // An unsolicited pong must change nothing.
  ws.pong(Buffer.from('unsolicited'));
  await send(ws, 'after pong', { binary: false });
  await expectEcho(inbox, Buffer.from('after pong'), false, checks, 'message after an unsolicited pong');
}

async function guarded(checks, body) {
  try {
    await body();
  } catch (error) {
    checks.check(false, `${error.name}: ${error.message}`);
  }
  checks.report();
}

// ---- server ----

function runServer() {
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    handleProtocols: (protocols) => (protocols.has('chat') ? 'chat' : false),
    verifyClient: (info, done) => {
      if (new URL(info.req.url, 'ws://x').pathname === '/reject') {
        process.stdout.write(`RESULT ${JSON.stringify({ name: 'server /reject', ok: true, errors: [] })}\n`);
        done(false, 404, 'Not Found');
      } else {
        done(true);
      }
    },
  });
  wss.on('listening', () => process.stdout.write(`PORT ${wss.address().port}\n`));
  wss.on('connection', (ws, request) => {
    const url = new URL(request.url, 'ws://x');
    const checks = new Checks(`server ${url.pathname}`);
    const inbox = watch(ws);
    let body;
    if (url.pathname === '/echo') {
      body = async () => {
        checks.check(ws.protocol === 'chat', `subprotocol '${ws.protocol}', expected 'chat'`);
        await exchange(ws, inbox, checks);
        ws.close(4000, 'server bye');
        const closed = await inbox.closed();
        checks.check(closed.code === 4000 && closed.reason === 'server bye',
          `close answered with ${closed.code} '${closed.reason}'`);
      };
    } else if (url.pathname === '/lines') {
      const status = Number(url.searchParams.get('status') || '1000');
      const reason = url.searchParams.get('reason') || '';
      const lines = Number(url.searchParams.get('lines') || '0');
      body = async () => {
        let count = 0;
        for (;;) {
          const m = await inbox.next();
          if (m === null) break;
          count++;
          // Once the client's close has arrived nothing more may be sent.
          try {
            await send(ws, m.isBinary ? m.data : m.data.toString(), { binary: m.isBinary });
          } catch (error) {
            if (ws.readyState === WebSocket.OPEN) throw error;
          }
        }
        const closed = await inbox.closed();
        checks.check(closed.code === status && closed.reason === reason,
          `client closed with ${closed.code} '${closed.reason}', expected ${status} '${reason}'`);
        checks.check(count === lines, `${count} messages received, expected ${lines}`);
      };
    } else if (url.pathname === '/nosub') {
      body = async () => {
        checks.check(ws.protocol === '', `subprotocol '${ws.protocol}'`);
        await inbox.closed();
      };
    } else {
      body = async () => {
        checks.check(false, `unknown path ${request.url}`);
        ws.close();
      };
    }
    guarded(checks, body);
  });
}

// ---- client ----

function connect(url, protocols) {
  return new Promise((resolve, reject) => {
    const ws = protocols ? new WebSocket(url, protocols) : new WebSocket(url);
    const inbox = watch(ws);
    ws.once('open', () => resolve({ ws, inbox }));
    ws.once('error', reject);
  });
}

const clients = {
  async full(url, checks) {
    const { ws, inbox } = await withTimeout(connect(url, ['superchat', 'chat']), 'the connection');
    checks.check(ws.protocol === 'chat', `subprotocol '${ws.protocol}', expected 'chat'`);
    await exchange(ws, inbox, checks);
    ws.close(4003, 'client bye');
    const closed = await inbox.closed();
    checks.check(closed.code === 4003 && closed.reason === 'client bye',
      `close answered with ${closed.code} '${closed.reason}'`);
  },
  async nosub(url, checks) {
    const { ws, inbox } = await withTimeout(connect(url), 'the connection');
    checks.check(ws.protocol === '', `subprotocol '${ws.protocol}', expected none`);
    await send(ws, 'one', { binary: false });
    await expectEcho(inbox, Buffer.from('one'), false, checks, 'one message');
    ws.close(1000);
    const closed = await inbox.closed();
    checks.check(closed.code === 1000, `close answered with ${closed.code}`);
  },
  async 'server-close'(url, checks, status, reason) {
    const { ws, inbox } = await withTimeout(connect(url), 'the connection');
    await send(ws, 'trigger', { binary: false });
    await expectEcho(inbox, Buffer.from('trigger'), false, checks, 'one message');
    const closed = await inbox.closed();
    checks.check(closed.code === Number(status) && closed.reason === reason,
      `server closed with ${closed.code} '${closed.reason}', expected ${status} '${reason}'`);
  },
};

async function runClient(scenario, url, args) {
  const checks = new Checks(`client ${scenario}`);
  await guarded(checks, () => clients[scenario](url, checks, ...args));
  process.exit(checks.errors.length ? 1 : 0);
}

const argv = process.argv.slice(2);
if (argv[0] === 'server') {
  runServer();
} else if (argv[0] === 'client' && argv.length >= 3 && clients[argv[1]]) {
  runClient(argv[1], argv[2], argv.slice(3));
} else {
  process.stderr.write('usage: node peer_node.js server | client full|nosub|server-close URL [ARG...]\n');
  process.exit(2);
}
