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

#ifndef WEBSOCKET_GLOBAL_SETTINGS_H
#define WEBSOCKET_GLOBAL_SETTINGS_H

#include <stdint.h>

namespace ws {

constexpr uint32_t DEFAULT_KEEPALIVE_INTERVAL = 30000;
constexpr uint32_t MIN_KEEPALIVE_INTERVAL = 15000;
constexpr uint32_t WEBSOCKET_VERSION = 13;

/* Milliseconds: HKLM\SOFTWARE\Microsoft\WebSocket\KeepaliveInterval on
 * Windows when set, else 30000; never below 15000. */
uint32_t keepalive_interval();

} /* namespace ws */

#endif /* WEBSOCKET_GLOBAL_SETTINGS_H */
