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

#include "echo.h"

#include "log.h"

namespace wsecho {

bool echo_session(connection &c, bool server, const echo_options &options)
{
    unsigned long echoed = 0;
    message m;
    c.set_coalescing(true);
    for (;;)
    {
        c.receive_message(&m, options.max_message);
        if (m.kind == message_kind::failed)
        {
            if (!c.close_sent() && m.fail_status)
            {
                note("closing with %u", unsigned(m.fail_status));
                if (!c.send_close(m.fail_status, m.too_big ? "message too big" : "protocol error"))
                {
                    c.abort();
                    return false;
                }
            }
            if (m.protocol_error || m.too_big)
                c.finish(true, FINISH_WAIT_MS);  /* failing: we end TCP, whatever our role */
            else
                c.abort();
            return false;
        }
        if (m.kind == message_kind::close)
        {
            if (m.close_status == 1006)
            {
                note("the connection ended without a close frame");
                return false;
            }
            note("close received: %u \"%s\"", unsigned(m.close_status), m.close_reason.c_str());
            if (!c.close_sent())
            {
                if (!c.send_close(m.close_status, m.close_reason))
                    return false;
                note("close sent: %u \"%s\"", unsigned(m.close_status), m.close_reason.c_str());
            }
            c.finish(server, FINISH_WAIT_MS);
            return true;
        }
        /* After our close the message is dropped: the peer reads no more. */
        bool dropped = c.close_sent();
        if (!c.send_message(m.kind == message_kind::text, m.data.data(), m.data.size()))
        {
            c.abort();
            return false;
        }
        if (dropped)
            continue;
        echoed++;
        if (options.close_after && echoed == options.close_after)
        {
            note("%lu messages echoed, sending close: %u \"%s\"", echoed, unsigned(options.close_status),
                 options.close_reason.c_str());
            if (!c.send_close(options.close_status, options.close_reason))
                return false;
        }
    }
}

} /* namespace wsecho */
