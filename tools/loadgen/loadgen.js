// Copyright 2026 The websocket.dll authors
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// loadgen: a WebSocket echo load generator on Node's `ws` (Debian's node-ws),
// independent of this project's websocket.dll.  It opens C connections to an
// echo server, sends M messages on each with D of them in flight, checks every
// echo byte for byte and in order, and reports throughput, latency, errors and
// (with --pid) the server's resident memory.
//
//   node tools/loadgen/loadgen.js ws://HOST:PORT/PATH [--connections C] [--messages M]
//        [--size S | --sizes MIN:MAX] [--text | --binary] [--depth D] [--duration SECONDS]
//        [--abort-rate P] [--pid PID] [--json] [--progress SECONDS] [--timeout SECONDS]
//
// Run with --help for every option.  Exit status: 0 when every message came
// back intact and every connection opened and closed cleanly, 1 otherwise,
// 2 for a usage error.
'use strict';

const fs = require('fs');

const { loadWs } = require('./node_ws');

const USAGE = `usage: node loadgen.js ws://HOST[:PORT][/PATH] [options]

Opens C connections to a WebSocket echo server, sends messages on each, checks
every echo byte for byte and in order, and reports what it saw.

options:
  --connections C      concurrent connections (default 1)
  --messages M         messages per connection (default 1000)
  --size S             message size in bytes (default 16)
  --sizes MIN:MAX      a random size per message, uniform in [MIN, MAX]
                       (seeded: the same sizes on every run)
  --binary | --text    message type (default binary; text is ASCII)
  --depth D            messages in flight per connection (default 1)
  --duration SECONDS   send until the time is up instead of M messages
  --abort-rate P       after each echo, with probability P, drop the connection
                       without a close frame and open a new one in its place
  --pid PID            report the server's resident memory (VmRSS of PID)
                       before, once loaded, and after the connections closed
  --json               print one JSON object instead of the summary
  --progress SECONDS   a progress line on standard error every SECONDS
  --timeout SECONDS    a connection without progress this long fails (default 30)
  --handshakes N       handshakes in flight at once while connecting (default 64)
  --seed N             seed of the sizes, masks and aborts (default 1)
  --ws-send            frame messages with ws's own send() (slower for large
                       messages; a cross-check of the built-in framing)
  --help               this text

exit status: 0 when there were no errors and no connect failures, 1 otherwise,
2 for a usage error.
`;

const MAX_REASONS = 5;
const MiB = 1024 * 1024;

class UsageError extends Error {}

// ---- command line ----

function parseArgs(argv) {
  const opts = {
    url: null, connections: 1, messages: 1000, sizeMin: 16, sizeMax: 16, text: false,
    depth: 1, duration: 0, abortRate: 0, pid: 0, json: false, progress: 0, timeout: 30,
    handshakes: 64, seed: 1, wsSend: false, help: false,
  };
  const integer = (name, value, min) => {
    if (!/^\d+$/.test(value) || Number(value) < min || !Number.isSafeInteger(Number(value))) {
      throw new UsageError(`${name}: expected an integer >= ${min}, got '${value}'`);
    }
    return Number(value);
  };
  const number = (name, value, min, max) => {
    const n = Number(value);
    if (value === '' || !Number.isFinite(n) || n < min || n > max) {
      throw new UsageError(`${name}: expected a number in [${min}, ${max}], got '${value}'`);
    }
    return n;
  };
  let sizeGiven = false;
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let value = null;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    if (eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const takeValue = () => {
      if (value !== null) return value;
      if (i + 1 >= argv.length) throw new UsageError(`${arg} needs a value`);
      return argv[++i];
    };
    switch (arg) {
      case '--help': case '-h': opts.help = true; break;
      case '--connections': opts.connections = integer(arg, takeValue(), 1); break;
      case '--messages': opts.messages = integer(arg, takeValue(), 0); break;
      case '--size': {
        if (sizeGiven) throw new UsageError('give --size or --sizes, once');
        sizeGiven = true;
        opts.sizeMin = opts.sizeMax = integer(arg, takeValue(), 0);
        break;
      }
      case '--sizes': {
        if (sizeGiven) throw new UsageError('give --size or --sizes, once');
        sizeGiven = true;
        const v = takeValue();
        const m = /^(\d+):(\d+)$/.exec(v);
        if (!m) throw new UsageError(`--sizes: expected MIN:MAX, got '${v}'`);
        opts.sizeMin = integer(arg, m[1], 0);
        opts.sizeMax = integer(arg, m[2], 0);
        if (opts.sizeMin > opts.sizeMax) throw new UsageError(`--sizes: MIN is above MAX in '${v}'`);
        break;
      }
      case '--text': opts.text = true; break;
      case '--binary': opts.text = false; break;
      case '--depth': opts.depth = integer(arg, takeValue(), 1); break;
      case '--duration': opts.duration = number(arg, takeValue(), 0, 1e6); break;
      case '--abort-rate': opts.abortRate = number(arg, takeValue(), 0, 1); break;
      case '--pid': opts.pid = integer(arg, takeValue(), 1); break;
      case '--json': opts.json = true; break;
      case '--progress': opts.progress = number(arg, takeValue(), 0, 1e6); break;
      case '--timeout': opts.timeout = number(arg, takeValue(), 0.001, 1e6); break;
      case '--handshakes': opts.handshakes = integer(arg, takeValue(), 1); break;
      case '--seed': opts.seed = integer(arg, takeValue(), 0); break;
      case '--ws-send': opts.wsSend = true; break;
      default:
        if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg} (--help for usage)`);
        if (opts.url !== null) throw new UsageError(`one URL only: '${opts.url}', then '${arg}'`);
        opts.url = arg;
    }
  }
  if (opts.help) return opts;
  if (opts.url === null) throw new UsageError('no URL given (--help for usage)');
  checkUrl(opts.url);
  // The largest frame the 64-bit length field of a masked frame can carry
  // from Node, which keeps lengths in doubles, and a buffer we can allocate.
  if (opts.sizeMax > 1024 * MiB) throw new UsageError('sizes above 1 GiB are not supported');
  return opts;
}

function checkUrl(text) {
  const port = /^ws:\/\/(?:[^/@]*@)?(?:\[[^\]]*\]|[^:/?#]*)(?::([^/?#]*))?/i.exec(text);
  if (port && port[1] !== undefined && port[1] !== '') {
    // new URL() accepts an explicit port 0, which no server listens on.
    if (!/^\d+$/.test(port[1]) || Number(port[1]) < 1 || Number(port[1]) > 65535) {
      throw new UsageError(`bad URL '${text}': bad port '${port[1]}'`);
    }
  }
  let url;
  try {
    url = new URL(text);
  } catch (err) {
    throw new UsageError(`bad URL '${text}': expected ws://HOST[:PORT][/PATH]`);
  }
  if (url.protocol !== 'ws:') {
    throw new UsageError(`bad URL '${text}': only ws:// is supported`);
  }
  if (!url.hostname) throw new UsageError(`bad URL '${text}': no host`);
  if (url.hash) throw new UsageError(`bad URL '${text}': a fragment (#) is not allowed`);
}

// ---- deterministic numbers ----

// murmur3's finaliser: a cheap, well-mixed 32-bit hash.
function mix32(x) {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

// mulberry32: a tiny seeded generator, one per connection slot, so that
// abort decisions do not depend on how events from other slots interleave.
function makeRandom(seed) {
  let state = seed >>> 0;
  return function random() {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---- payloads ----
//
// Message seq of connection id, of size S: the first h = min(S, HEADER) bytes
// say (id, seq) (binary: two little-endian uint32; text: 16 hex digits), the
// rest is the run's fixed pattern P read from an offset derived from (id, seq).
// Offsets are multiples of 4 and HEADER is too, so payload byte i sits at
// P[off + i] with the same i & 3: a copy of P masked once with key k serves,
// by slicing, as the masked body of every message sent with k.  Sending then
// costs no per-byte work in JavaScript, and checking an echo is a memcmp.

const OFFSETS = 64; // distinct offsets, multiples of 4 in [0, 252]
const SMALL_MESSAGE = 2048; // below Node's pooled allocation limit

class Payloads {
  constructor(opts) {
    this.text = opts.text;
    this.header = opts.text ? 16 : 8;
    this.sizeMin = opts.sizeMin;
    this.span = opts.sizeMax - opts.sizeMin + 1;
    this.seed = opts.seed;
    const length = opts.sizeMax + 4 * OFFSETS;
    this.pattern = Buffer.allocUnsafe(length);
    const p = this.pattern;
    for (let j = 0; j < length; j++) {
      // Every byte value for binary, printable ASCII for text; a period that
      // is not a power of two, so a shifted or dropped block shows.
      p[j] = opts.text ? 0x20 + ((j * 7 + (j >>> 9)) % 95) : (j * 131 + (j >>> 8) * 7 + 0x5a) & 0xff;
    }
    // Masking keys: nonzero in every byte, so that no peer could take a
    // shortcut on a zero key; as many as fit in 64 MiB of masked copies.
    const random = makeRandom(opts.seed ^ 0x9e3779b9);
    const keyCount = opts.wsSend ? 16 : Math.max(1, Math.min(16, Math.floor(64 * MiB / length)));
    this.keys = [];
    this.masked = [];
    for (let k = 0; k < keyCount; k++) {
      const key = Buffer.allocUnsafe(4);
      for (let b = 0; b < 4; b++) key[b] = 1 + Math.floor(random() * 255);
      this.keys.push(key);
      if (opts.wsSend) continue;
      const m = Buffer.allocUnsafe(length);
      for (let j = 0; j < length; j++) m[j] = p[j] ^ key[j & 3];
      this.masked.push(m);
    }
    this.headerBytes = Buffer.alloc(16);
    this.hex = Buffer.from('0123456789abcdef');
  }

  size(id, seq) {
    if (this.span === 1) return this.sizeMin;
    const h = mix32(mix32(id ^ this.seed) + Math.imul(seq, 0x9e3779b1));
    return this.sizeMin + Math.floor((h / 4294967296) * this.span);
  }

  offset(id, seq) {
    return 4 * ((Math.imul(id, 131) + Math.imul(seq, 7)) & (OFFSETS - 1));
  }

  // Writes the header of (id, seq) into this.headerBytes.
  fillHeader(id, seq) {
    const b = this.headerBytes;
    if (this.text) {
      const hex = this.hex;
      for (let i = 0; i < 8; i++) {
        b[7 - i] = hex[(id >>> (4 * i)) & 15];
        b[15 - i] = hex[(seq >>> (4 * i)) & 15];
      }
    } else {
      b.writeUInt32LE(id >>> 0, 0);
      b.writeUInt32LE(seq >>> 0, 4);
    }
  }

  // The whole wire frame of a message as buffers to write: a small fresh one
  // (frame header, key, masked message header) and a slice of a masked copy.
  frame(id, seq, size, out) {
    this.fillHeader(id, seq);
    const h = size < this.header ? size : this.header;
    const k = (id + seq) % this.keys.length;
    const key = this.keys[k];
    const lengthBytes = size < 126 ? 0 : size < 65536 ? 2 : 8;
    // A small message goes whole in one buffer (from Node's pool, one copy):
    // one chunk to write is cheaper than two.
    const whole = size <= SMALL_MESSAGE;
    const head = Buffer.allocUnsafe(2 + lengthBytes + 4 + (whole ? size : h));
    head[0] = 0x80 | (this.text ? 1 : 2);
    let pos = 2;
    if (lengthBytes === 0) {
      head[1] = 0x80 | size;
    } else if (lengthBytes === 2) {
      head[1] = 0x80 | 126;
      head.writeUInt16BE(size, 2);
      pos = 4;
    } else {
      head[1] = 0x80 | 127;
      head.writeUInt32BE(Math.floor(size / 4294967296), 2);
      head.writeUInt32BE(size >>> 0, 6);
      pos = 10;
    }
    head[pos] = key[0];
    head[pos + 1] = key[1];
    head[pos + 2] = key[2];
    head[pos + 3] = key[3];
    pos += 4;
    const hb = this.headerBytes;
    for (let i = 0; i < h; i++) head[pos + i] = hb[i] ^ key[i & 3];
    out[0] = head;
    if (size > h) {
      const off = this.offset(id, seq);
      if (whole) {
        this.masked[k].copy(head, pos + h, off + h, off + size);
        return 1;
      }
      out[1] = this.masked[k].subarray(off + h, off + size);
      return 2;
    }
    return 1;
  }

  // The message itself, for ws.send() (--ws-send).
  message(id, seq, size) {
    this.fillHeader(id, seq);
    const h = size < this.header ? size : this.header;
    const buf = Buffer.allocUnsafe(size);
    this.headerBytes.copy(buf, 0, 0, h);
    if (size > h) {
      const off = this.offset(id, seq);
      this.pattern.copy(buf, h, off + h, off + size);
    }
    return buf;
  }

  // null when data is message (id, seq) of the given size, else what differs.
  check(id, seq, size, data) {
    if (data.length !== size) {
      return `message ${seq}: ${data.length} bytes echoed, ${size} sent`;
    }
    this.fillHeader(id, seq);
    const h = size < this.header ? size : this.header;
    const hb = this.headerBytes;
    for (let i = 0; i < h; i++) {
      if (data[i] !== hb[i]) return this.describeMismatch(id, seq, data, i);
    }
    if (size > h) {
      const off = this.offset(id, seq);
      if (data.compare(this.pattern, off + h, off + size, h, size) !== 0) {
        let i = h;
        while (i < size && data[i] === this.pattern[off + i]) i++;
        return `message ${seq} of ${size} bytes: echo differs at byte ${i}`;
      }
    }
    return null;
  }

  describeMismatch(id, seq, data, at) {
    if (data.length >= this.header) {
      const got = this.text ? [parseInt(data.toString('latin1', 0, 8), 16), parseInt(data.toString('latin1', 8, 16), 16)]
        : [data.readUInt32LE(0), data.readUInt32LE(4)];
      if (got[0] === id && got[1] !== seq) return `message ${seq}: message ${got[1]} echoed in its place (out of order or lost)`;
      if (got[0] !== id) return `message ${seq}: echo carries connection ${got[0]}'s message ${got[1]}`;
    }
    return `message ${seq} of ${data.length} bytes: echo differs at byte ${at}`;
  }
}

// ---- latency histogram ----
//
// Log-linear buckets of nanoseconds: exact below 256 ns, then 128 buckets per
// power of two (under 0.4 % error); a fixed array, whatever the run's length.

class Histogram {
  constructor() {
    this.counts = new Float64Array(256 + 64 * 128);
    this.count = 0;
    this.max = 0;
  }

  record(ns) {
    if (ns < 0) ns = 0;
    if (ns > this.max) this.max = ns;
    this.count++;
    let v = Math.floor(ns);
    if (v < 256) {
      this.counts[v]++;
      return;
    }
    const e = v < 2147483648 ? 31 - Math.clz32(v) : Math.floor(Math.log2(v));
    const m = Math.floor(v / 2 ** (e - 7)); // in [128, 256)
    this.counts[256 + (e - 8) * 128 + (m - 128)]++;
  }

  static value(index) {
    if (index < 256) return index;
    const e = 8 + Math.floor((index - 256) / 128);
    const m = 128 + ((index - 256) % 128);
    const width = 2 ** (e - 7);
    return m * width + width / 2;
  }

  percentile(p) {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(p * this.count));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i];
      if (seen >= rank) return Math.min(Histogram.value(i), this.max);
    }
    return this.max;
  }
}

// ---- the run ----

function rssKiB(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'latin1');
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return m ? Number(m[1]) : null;
  } catch (err) {
    return null;
  }
}

function describeError(err) {
  const byCode = {
    ECONNREFUSED: 'connection refused', ECONNRESET: 'connection reset by peer',
    ETIMEDOUT: 'connection timed out', EHOSTUNREACH: 'host unreachable', ENETUNREACH: 'network unreachable',
    ENOTFOUND: 'host not found', EAI_AGAIN: 'host name lookup failed', EPIPE: 'broken pipe',
    EADDRNOTAVAIL: 'no local address available (ports exhausted?)', EMFILE: 'too many open files',
  };
  if (err && err.code && byCode[err.code]) return byCode[err.code];
  const text = String(err && err.message ? err.message : err);
  const status = /^Unexpected server response: (\d+)/.exec(text);
  if (status) return `server answered HTTP ${status[1]} instead of 101`;
  if (/Opening handshake has timed out/.test(text)) return 'handshake timed out';
  return text;
}

const now = () => Number(process.hrtime.bigint());

class Run {
  constructor(opts, WebSocket) {
    this.opts = opts;
    this.WebSocket = WebSocket;
    this.payloads = new Payloads(opts);
    this.histogram = new Histogram();
    this.timeoutNs = opts.timeout * 1e9;
    this.messages = 0;
    this.bytes = 0;
    this.errors = 0;
    this.errorReasons = [];
    this.connectFailures = 0;
    this.connectReasons = [];
    this.aborts = 0;
    this.measuring = false;
    this.stopping = false; // --duration: time is up, send nothing new
    this.active = 0; // slots still sending or waiting for echoes
    this.slots = [];
    this.frameParts = [null, null];
    this.sendOptions = { binary: !opts.text, compress: false, fin: true };
    const keys = this.payloads.keys;
    let keyIndex = 0;
    // For frames ws builds itself (--ws-send, and close frames): our keys.
    this.wsOptions = {
      perMessageDeflate: false,
      maxPayload: Math.max(opts.sizeMax + 1, 100 * MiB),
      skipUTF8Validation: true, // every echo is compared byte for byte anyway
      handshakeTimeout: Math.ceil(opts.timeout * 1000),
      followRedirects: false,
      generateMask: (mask) => {
        keys[keyIndex].copy(mask, 0);
        keyIndex = (keyIndex + 1) % keys.length;
      },
    };
  }

  error(slot, reason) {
    this.errors++;
    if (this.errorReasons.length < MAX_REASONS) this.errorReasons.push(`connection ${slot.index}: ${reason}`);
  }

  connectFailure(slot, reason) {
    this.connectFailures++;
    if (this.connectReasons.length < MAX_REASONS) this.connectReasons.push(`connection ${slot.index}: ${reason}`);
  }

  // Opens a connection on slot; resolves true when open, false when it failed
  // (counted as a connect failure).
  connect(slot) {
    return new Promise((resolve) => {
      // Ids by slot and generation, not by arrival order: with aborts too,
      // each slot sends the same sizes on every run.
      const id = slot.index + this.opts.connections * slot.generation++;
      const ws = new this.WebSocket(this.opts.url, this.wsOptions);
      slot.ws = ws;
      slot.id = id;
      slot.socket = null;
      slot.sendSeq = 0;
      slot.recvSeq = 0;
      slot.state = 'connecting';
      slot.lastError = null;
      slot.lastNs = now();
      let opened = false;
      ws.on('upgrade', (res) => { slot.socket = res.socket; });
      ws.on('open', () => {
        opened = true;
        if (slot.ws !== ws) return;
        slot.state = 'open';
        slot.lastNs = now();
        if (!slot.socket) slot.socket = ws._socket;
        resolve(true);
      });
      ws.on('message', (data, isBinary) => {
        if (slot.ws === ws) this.onMessage(slot, data, isBinary);
      });
      ws.on('error', (err) => {
        if (slot.ws !== ws) return;
        if (!opened) {
          slot.state = 'failed';
          this.connectFailure(slot, describeError(err));
          resolve(false);
          return;
        }
        slot.lastError = describeError(err);
      });
      ws.on('close', (code, reason) => {
        if (!opened) {
          if (slot.ws === ws && slot.state === 'connecting') {
            slot.state = 'failed';
            this.connectFailure(slot, 'closed during the handshake');
            resolve(false);
          }
          return;
        }
        if (slot.ws === ws) this.onClose(slot, code, reason);
      });
    });
  }

  // Starts sending on every open slot: the measured phase.
  start() {
    this.measuring = true;
    this.startNs = now();
    this.lastEchoNs = this.startNs;
    // All counted first: a slot with nothing to send must not look like the last.
    const open = this.slots.filter((slot) => slot.state === 'open');
    this.active = open.length;
    for (const slot of open) {
      slot.lastNs = this.startNs;
      this.fill(slot);
      this.maybeDone(slot);
    }
  }

  // Whether slot may send one more message.
  wantsMore(slot) {
    if (this.stopping) return false;
    if (this.opts.duration > 0) return true;
    return slot.echoed + (slot.sendSeq - slot.recvSeq) < this.opts.messages;
  }

  fill(slot) {
    const depth = this.opts.depth;
    while (slot.state === 'open' && slot.sendSeq - slot.recvSeq < depth && this.wantsMore(slot)) {
      this.send(slot);
    }
  }

  send(slot) {
    const seq = slot.sendSeq++;
    const size = this.payloads.size(slot.id, seq);
    slot.sizes[seq % slot.sizes.length] = size;
    slot.sentAt[seq % slot.sentAt.length] = now();
    // Messages sent while one event is handled (all the echoes parsed from one
    // read) leave in one write: a system call per message would cost more
    // than everything else here together.
    const socket = slot.socket;
    if (slot.corked !== socket) {
      slot.corked = socket;
      socket.cork();
      process.nextTick(uncork, slot, socket);
    }
    if (this.opts.wsSend) {
      slot.ws.send(this.payloads.message(slot.id, seq, size), this.sendOptions);
      return;
    }
    // Our own frames, written to the socket ws upgraded; ws writes its frames
    // (close, pong) to the same socket, whole, so frames never interleave.
    const parts = this.frameParts;
    const n = this.payloads.frame(slot.id, seq, size, parts);
    socket.write(parts[0]);
    if (n === 2) socket.write(parts[1]);
    parts[0] = parts[1] = null;
  }

  onMessage(slot, data, isBinary) {
    const t = now();
    if (slot.state !== 'open' && slot.state !== 'closing') return;
    if (slot.state === 'closing' || slot.recvSeq >= slot.sendSeq) {
      this.fail(slot, `unexpected message of ${data.length} bytes (nothing in flight)`);
      return;
    }
    const seq = slot.recvSeq;
    const size = slot.sizes[seq % slot.sizes.length];
    if (isBinary === this.opts.text) {
      this.fail(slot, `message ${seq}: echoed as ${isBinary ? 'binary' : 'text'}, sent as ${this.opts.text ? 'text' : 'binary'}`);
      return;
    }
    const problem = this.payloads.check(slot.id, seq, size, data);
    if (problem !== null) {
      this.fail(slot, problem);
      return;
    }
    slot.recvSeq++;
    slot.echoed++;
    slot.lastNs = t;
    this.lastEchoNs = t;
    this.messages++;
    this.bytes += size;
    this.histogram.record(t - slot.sentAt[seq % slot.sentAt.length]);
    if (this.opts.abortRate > 0 && slot.random() < this.opts.abortRate && this.wantsMore(slot)) {
      this.abort(slot);
      return;
    }
    this.fill(slot);
    this.maybeDone(slot);
  }

  // Drops the connection without a close frame and opens another in its place;
  // messages still in flight on the old one are sent again on the new one.
  abort(slot) {
    this.aborts++;
    const ws = slot.ws;
    slot.ws = null;
    slot.state = 'reconnecting';
    ws.terminate();
    this.connect(slot).then((ok) => {
      if (!ok) {
        this.finish(slot);
        return;
      }
      this.fill(slot);
      this.maybeDone(slot);
    });
  }

  maybeDone(slot) {
    if (slot.state === 'open' && slot.recvSeq === slot.sendSeq && !this.wantsMore(slot)) this.finish(slot);
  }

  // The slot has nothing more to do in the measured phase.
  finish(slot) {
    if (slot.finished) return;
    slot.finished = true;
    this.active--;
    if (this.active === 0 && this.onAllDone) this.onAllDone();
  }

  fail(slot, reason) {
    this.error(slot, reason);
    const ws = slot.ws;
    const wasClosing = slot.state === 'closing';
    slot.ws = null;
    slot.state = 'failed';
    if (ws) ws.terminate();
    if (this.measuring) this.finish(slot);
    if (wasClosing) slot.onClosed(); // closeAll() must not wait for it
  }

  onClose(slot, code, reason) {
    if (slot.state === 'closing') {
      slot.state = 'closed';
      slot.ws = null;
      if (code !== 1000) {
        this.error(slot, `closed with ${code}${reason && reason.length ? ` '${reason}'` : ''} instead of 1000`);
      }
      slot.onClosed();
      return;
    }
    let why = slot.lastError;
    if (!why && code === 1006) why = 'the connection ended without a close frame';
    if (!why) why = `closed by the server with ${code}${reason && reason.length ? ` '${reason}'` : ''}`;
    this.fail(slot, `unexpected close: ${why}`);
  }

  // Closes every open connection with 1000; resolves once each saw the
  // server's close, or gave up after the timeout.
  closeAll() {
    const waits = [];
    for (const slot of this.slots) {
      if (slot.state !== 'open') continue;
      waits.push(new Promise((resolve) => {
        slot.state = 'closing';
        slot.lastNs = now();
        slot.onClosed = resolve;
        slot.ws.close(1000);
      }));
    }
    return Promise.all(waits);
  }

  // Fails connections that made no progress for the timeout.
  watchdog() {
    const t = now();
    for (const slot of this.slots) {
      const waiting = (slot.state === 'open' && slot.recvSeq < slot.sendSeq) || slot.state === 'closing';
      if (!waiting || t - slot.lastNs < this.timeoutNs) continue;
      if (slot.state === 'closing') {
        this.error(slot, `no close from the server within ${this.opts.timeout} s`);
        const ws = slot.ws;
        slot.state = 'failed';
        slot.ws = null;
        if (ws) ws.terminate();
        slot.onClosed();
      } else {
        this.fail(slot, `timed out after ${this.opts.timeout} s waiting for the echo of message ${slot.recvSeq}`);
      }
    }
  }
}

function uncork(slot, socket) {
  if (slot.corked === socket) slot.corked = null;
  socket.uncork();
}

function newSlot(index, opts) {
  const ring = opts.depth;
  return {
    index, id: 0, generation: 0, ws: null, socket: null, corked: null, state: 'idle', finished: false,
    lastError: null,
    sendSeq: 0, recvSeq: 0, echoed: 0, lastNs: 0, onClosed: null,
    sizes: new Float64Array(ring), sentAt: new Float64Array(ring),
    random: makeRandom(mix32(opts.seed * 0x10001 + index + 1)),
  };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function formatDuration(ns) {
  if (ns < 1e6) return `${(ns / 1e3).toFixed(0)} µs`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(2)} ms`;
  return `${(ns / 1e9).toFixed(2)} s`;
}

function formatRss(kib) {
  return kib === null ? '?' : `${(kib / 1024).toFixed(1)} MiB`;
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`loadgen: ${err.message}\n`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (opts.pid && rssKiB(opts.pid) === null) {
    process.stderr.write(`loadgen: --pid ${opts.pid}: no such process (or no /proc/${opts.pid}/status)\n`);
    return 2;
  }
  const { WebSocket } = loadWs('loadgen');
  const run = new Run(opts, WebSocket);
  const rss = { before: opts.pid ? rssKiB(opts.pid) : null, loaded: null, after: null };

  let progressTimer = null;
  const wallStart = now();
  if (opts.progress > 0) {
    let lastMessages = 0;
    let lastNs = wallStart;
    progressTimer = setInterval(() => {
      const t = now();
      const rate = ((run.messages - lastMessages) * 1e9) / (t - lastNs);
      lastMessages = run.messages;
      lastNs = t;
      const open = run.slots.filter((s) => s.state === 'open' || s.state === 'closing').length;
      process.stderr.write(`loadgen: ${((t - wallStart) / 1e9).toFixed(1)} s: ${open} open, ` +
        `${run.messages} messages, ${rate.toFixed(0)} msgs/s, ${run.errors} errors, ` +
        `${run.connectFailures} connect failures, ${run.aborts} aborts\n`);
    }, opts.progress * 1000);
  }
  const watchdog = setInterval(() => run.watchdog(), Math.min(1000, Math.max(10, opts.timeout * 250)));

  // One connection first: if the server is not there, one line says so.
  for (let i = 0; i < opts.connections; i++) run.slots.push(newSlot(i, opts));
  if (!(await run.connect(run.slots[0]))) {
    const reason = run.connectReasons[0].replace(/^connection 0: /, '');
    process.stderr.write(`loadgen: cannot connect to ${opts.url}: ${reason}\n`);
    return 1;
  }
  // The others, a bounded number of handshakes at a time, so that a burst
  // does not overflow the server's listen backlog.
  let next = 1;
  const worker = async () => {
    while (next < opts.connections) await run.connect(run.slots[next++]);
  };
  const workers = [];
  for (let w = 0; w < Math.min(opts.handshakes, opts.connections - 1); w++) workers.push(worker());
  await Promise.all(workers);
  const openCount = run.slots.filter((s) => s.state === 'open').length;
  if (opts.pid) rss.loaded = rssKiB(opts.pid);

  // The measured phase: from the moment all are open to the last echo.
  await new Promise((resolve) => {
    run.onAllDone = resolve;
    if (opts.duration > 0) {
      setTimeout(() => {
        run.stopping = true;
        for (const slot of run.slots) run.maybeDone(slot);
      }, opts.duration * 1000);
    }
    run.start();
    if (run.active === 0) resolve();
  });
  const endNs = run.lastEchoNs;
  const seconds = Math.max(1e-9, (endNs - run.startNs) / 1e9);
  // Slots still reconnecting when time ran out finished with the connect.
  await run.closeAll();
  clearInterval(watchdog);
  if (progressTimer) clearInterval(progressTimer);
  if (opts.pid) {
    await sleep(500); // for the server to release what the connections held
    rss.after = rssKiB(opts.pid);
  }

  const h = run.histogram;
  const result = {
    url: opts.url,
    type: opts.text ? 'text' : 'binary',
    size_min: opts.sizeMin,
    size_max: opts.sizeMax,
    depth: opts.depth,
    connections: opts.connections,
    connections_open: openCount,
    messages: run.messages,
    bytes: run.bytes,
    seconds,
    msgs_per_s: run.messages / seconds,
    mb_per_s: run.bytes / seconds / 1e6,
    latency_us: { p50: h.percentile(0.5) / 1e3, p99: h.percentile(0.99) / 1e3, max: h.max / 1e3 },
    errors: run.errors,
    error_reasons: run.errorReasons,
    connect_failures: run.connectFailures,
    connect_failure_reasons: run.connectReasons,
    aborts: run.aborts,
    rss_kib: { before: rss.before, loaded: rss.loaded, after: rss.after },
  };
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    const sizes = opts.sizeMin === opts.sizeMax ? `${opts.sizeMin} B` : `${opts.sizeMin}..${opts.sizeMax} B`;
    const lines = [
      `loadgen: ${opts.url}: ${result.type} messages of ${sizes}, depth ${opts.depth}`,
      `connections      ${opts.connections} (${openCount} opened, ${run.connectFailures} connect failures)`,
      `messages echoed  ${run.messages} in ${seconds.toFixed(2)} s`,
      `throughput       ${result.msgs_per_s.toFixed(0)} msgs/s, ${result.mb_per_s.toFixed(2)} MB/s`,
      `latency          p50 ${formatDuration(h.percentile(0.5))}, p99 ${formatDuration(h.percentile(0.99))}, ` +
        `max ${formatDuration(h.max)}`,
      `errors           ${run.errors}`,
      `aborts           ${run.aborts}`,
    ];
    if (opts.pid) {
      lines.push(`server RSS       before ${formatRss(rss.before)}, loaded ${formatRss(rss.loaded)}, ` +
        `after ${formatRss(rss.after)}`);
    }
    for (const reason of run.connectReasons) lines.push(`  connect failure: ${reason}`);
    for (const reason of run.errorReasons) lines.push(`  error: ${reason}`);
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return run.errors === 0 && run.connectFailures === 0 ? 0 : 1;
}

main().then((code) => {
  process.exitCode = code;
  // Sockets the server never closed must not keep the process alive.
  setImmediate(() => process.exit(code));
}, (err) => {
  process.stderr.write(`loadgen: internal error: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
