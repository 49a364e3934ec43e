// Copyright 2026 The websocket.dll authors
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// A minimal echo server on Node's `ws` (Debian's node-ws): a peer to measure
// wsecho against in load_bench.py and soak.py.  Echoes every message with its
// type; a close is answered the way ws answers it (same status).  No
// compression; messages up to 128 MiB.
//
//   node tools/bench/echo_node.js [--port N] [--host ADDRESS]
//
// Prints "PORT n" on standard output once listening (--port 0: any free port).
'use strict';


const { loadWs } = require('../loadgen/node_ws');

function main(argv) {
  let port = 0;
  let host = '127.0.0.1';
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--port' && i + 1 < argv.length) port = Number(argv[++i]);
    else if (argv[i] === '--host' && i + 1 < argv.length) host = argv[++i];
    else {
      process.stderr.write(`usage: node echo_node.js [--port N] [--host ADDRESS]\n`);
      process.exit(2);
    }
  }
  const { WebSocketServer } = loadWs('echo_node');
  const server = new WebSocketServer({ port, host, perMessageDeflate: false, maxPayload: 128 * 1024 * 1024 });
  server.on('connection', (ws) => {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    // A client that drops its connection is normal under load: nothing to do.
    ws.on('error', () => {});
  });
  server.on('listening', () => process.stdout.write(`PORT ${server.address().port}\n`));
  server.on('error', (err) => {
    process.stderr.write(`echo_node: ${err.message}\n`);
    process.exit(1);
  });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
}

main(process.argv.slice(2));
