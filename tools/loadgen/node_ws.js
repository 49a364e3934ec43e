// Copyright 2026 The websocket.dll authors
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Node's `ws` as Debian installs it (node-ws, in /usr/share/nodejs, which a
// plain `node` searches only through NODE_PATH), for loadgen.js and the
// benchmark's echo server.  Exits with status 2 and a one-line message when
// the module is missing.
'use strict';

const path = require('path');

function loadWs(program) {
  try {
    return require('ws');
  } catch (err) {
    if (err.code !== 'MODULE_NOT_FOUND') throw err;
  }
  try {
    return require(path.join('/usr/share/nodejs', 'ws'));
  } catch (err) {
    process.stderr.write(`${program}: the Node module 'ws' is missing (Debian: apt-get install node-ws)\n`);
    process.exit(2);
  }
}

module.exports = { loadWs };
