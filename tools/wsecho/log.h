/*
 * wsecho: messages on standard error
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

#ifndef WSECHO_LOG_H
#define WSECHO_LOG_H

#include <stdint.h>

namespace wsecho {

void log_init();
void log_set_verbose(bool on);
bool log_verbose();

/* Lines written by this thread start with "#id " (0: none), so a server's
 * lines say which connection they are about. */
void log_set_connection(unsigned id);

/* "wsecho: ..." on stderr, one whole line per call, whichever thread calls. */
void note(const char *format, ...) __attribute__((format(printf, 1, 2)));
/* The same, only with --verbose: the API calls and actions taken. */
void trace(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* The SDK name of an HRESULT the API returns ("E_INVALID_PROTOCOL_FORMAT"). */
const char *hresult_name(uint32_t hr);
/* "WebSocketSend failed: 0x83760001 (E_INVALID_PROTOCOL_OPERATION)" */
void report_failure(const char *function, uint32_t hr);

} /* namespace wsecho */

#endif /* WSECHO_LOG_H */
