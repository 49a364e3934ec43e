/*
 * Platform seam: process-wide settings (keep-alive interval)
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

#include "global_settings.h"

#ifdef _WIN32
#include <windows.h>
#endif

namespace ws {

uint32_t keepalive_interval()
{
    uint32_t interval = DEFAULT_KEEPALIVE_INTERVAL;
#ifdef _WIN32
    DWORD value, size = sizeof(value);
    if (!RegGetValueA(HKEY_LOCAL_MACHINE, "SOFTWARE\\Microsoft\\WebSocket", "KeepaliveInterval",
                      RRF_RT_REG_DWORD, nullptr, &value, &size))
        interval = value;
#endif
    return interval < MIN_KEEPALIVE_INTERVAL ? MIN_KEEPALIVE_INTERVAL : interval;
}

} /* namespace ws */
