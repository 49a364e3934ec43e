/*
 * Engine status codes
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

#ifndef WEBSOCKET_STATUS_H
#define WEBSOCKET_STATUS_H

namespace ws {

/* What every engine call returns.  The engine knows no HRESULTs: hresult.cpp
 * maps each status to the one code the exported functions return. */
enum class status
{
    ok = 0,
    invalid_argument,          /* a caller's argument is out of range */
    invalid_operation,         /* not allowed in this state, or the peer broke the protocol's rules */
    invalid_format,            /* malformed bytes or headers from the peer */
    extensions_not_supported,  /* the peer's extensions were not offered */
    subprotocol_not_supported, /* the peer's subprotocol was not offered */
    version_not_supported,     /* a WebSocket version other than 13 */
    out_of_memory,
    insufficient_buffer,       /* the caller's output buffer is too small */
};

} /* namespace ws */

#endif /* WEBSOCKET_STATUS_H */
