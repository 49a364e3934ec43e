/*
 * wsecho: the HTTP/1.1 upgrade messages, read from and written to a socket
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

/* websocket.dll does no HTTP: the program reads the peer's request or response
 * (start line, header fields, empty line) and writes its own.  Nothing here
 * knows about WebSockets. */

#ifndef WSECHO_HTTP_H
#define WSECHO_HTTP_H

#include <string>
#include <vector>

#include "platform.h"

namespace wsecho {

struct http_field
{
    std::string name;
    std::string value;
};

struct http_head
{
    std::string start_line;
    std::vector<http_field> fields;
};

enum class http_read_result { ok, closed, malformed, too_large, network_error };

/* Read up to and including the CRLF CRLF that ends the head and parse it,
 * all of it within timeout_ms (0: no limit; past it, network_error).  Bytes
 * read past the head (the peer's first frames) are left in *rest. */
http_read_result http_read_head(socket_t s, http_head *head, std::string *rest, std::string *error,
        unsigned timeout_ms);

/* "GET /path HTTP/1.1" */
bool http_parse_request_line(const std::string &line, std::string *method, std::string *target,
        std::string *version);
/* "HTTP/1.1 101 Switching Protocols" */
bool http_parse_status_line(const std::string &line, int *code);

/* Every comma-separated element of every field with this name (case-insensitive). */
std::vector<std::string> http_list(const http_head &head, const char *name);

bool http_same_name(const std::string &a, const char *b);

/* Write all of text; false when the connection failed. */
bool net_send_all(socket_t s, const void *data, size_t length, size_t *sent);
/* Write all of count pieces (at most 8) in order, in as few calls as the
 * system allows; *sent gets the bytes that went. */
bool net_send_all_pieces(socket_t s, const net_piece *pieces, size_t count, size_t *sent);

/* A minimal response that ends the connection: 400, 426 ... */
void http_send_error(socket_t s, int code, const char *reason, const std::vector<http_field> &extra);

} /* namespace wsecho */

#endif /* WSECHO_HTTP_H */
