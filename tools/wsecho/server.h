/*
 * wsecho: the echo server: many connections at once, limits, statistics, shutdown
 *
 * Copyright 2026 The websocket.dll authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * This library is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the GNU
 * Lesser General Public License for more details.
 *
 * You should have received a copy of the GNU Lesser General Public
 * License along with this library; if not, write to the Free Software
 * Foundation, Inc., 51 Franklin St, Fifth Floor, Boston, MA 02110-1301, USA
 */

/* One thread per connection, each running the blocking echo of echo.cpp.
 * Why threads rather than a poller: the DLL lets a handle's two queues be
 * driven from any thread, and a thread that blocks in send() on a peer that
 * does not read stops reading from it by itself, so the bound on what a slow
 * peer costs needs no code; the platform seam stays send()/recv() on both
 * POSIX and Winsock; and a thread's stack is only reserved address space
 * until used (a few KiB each).  The accept loop is the main thread; a stop
 * request (SIGINT, SIGTERM, console Ctrl-C) wakes it and it shuts down. */

#ifndef WSECHO_SERVER_H
#define WSECHO_SERVER_H

#include <stdint.h>
#include <string>
#include <vector>

#include "connection.h"
#include "echo.h"

namespace wsecho {

struct server_options
{
    std::string host = "127.0.0.1";
    uint16_t port = 0;
    std::vector<std::string> subprotocols;
    buffer_sizes sizes;
    echo_options echo;
    unsigned long connections = 0;       /* exit after this many; 0: serve until stopped */
    unsigned long max_connections = 1024; /* open at once; beyond: 503 */
    unsigned handshake_timeout_ms = 10000;
};

/* The path of the statistics page: a plain GET of it (no upgrade) is answered
 * with one JSON object of the server's counters. */
constexpr const char STATS_PATH[] = "/.wsecho/stats";

/* Serve until `connections` connections ended (exit status: 0 if each ended
 * with a clean close) or until a stop request (0, once every connection was
 * closed with 1001 or, past a grace period, aborted). */
int run_server(const server_options &options);

} /* namespace wsecho */

#endif /* WSECHO_SERVER_H */
