/*
 * wsecho: the echo of one connection, for the server and for the client's --echo
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

#ifndef WSECHO_ECHO_H
#define WSECHO_ECHO_H

#include <stddef.h>
#include <stdint.h>
#include <string>

#include "connection.h"

namespace wsecho {

struct echo_options
{
    size_t max_message = 64u << 20;
    unsigned long close_after = 0;   /* start the close after this many echoes; 0: never */
    uint16_t close_status = 1000;
    std::string close_reason;
};

/* How long the end of TCP waits for the peer's FIN. */
constexpr unsigned FINISH_WAIT_MS = 2000;

/* Echo every message with its type until the close handshake is over; a
 * close is answered with the same status and reason.  true: it ended with a
 * clean closing handshake (ours, the peer's, or one another thread started
 * with connection::request_close). */
bool echo_session(connection &c, bool server, const echo_options &options);

} /* namespace wsecho */

#endif /* WSECHO_ECHO_H */
