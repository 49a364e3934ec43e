/*
 * What the API fuzz targets share: invariant checks, an input reader,
 * address checks, header lines, and a client and server handle connected.
 *
 * Copyright 2026 The websocket.dll authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef WS_TESTS_FUZZ_COMMON_H
#define WS_TESTS_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <windows.h>
#include "websocket.h"

namespace fuzz {

/* A broken invariant names its line: some depend on earlier inputs' state. */
[[noreturn]] inline void failed(const char *file, int line)
{
    fprintf(stderr, "fuzz: invariant at %s:%d broken\n", file, line);
    abort();
}

/* Input bytes, then zeros once it runs out. */
struct reader
{
    const uint8_t *data;
    size_t size, pos;
    bool empty() const { return pos >= size; }
    uint8_t byte() { return pos < size ? data[pos++] : 0; }
    uint16_t word() { return uint16_t(byte() | byte() << 8); }
};

/* Does [p, p + len) lie inside [base, base + size)? */
inline bool inside(const void *p, size_t len, const void *base, size_t size)
{
    uintptr_t a = uintptr_t(p), b = uintptr_t(base);
    return a >= b && len <= size && a - b <= size - len;
}

/* A private copy of len bytes, exactly as long (reads past it are caught);
 * free() it. */
inline char *exact_copy(const uint8_t *data, size_t len)
{
    char *copy = static_cast<char *>(malloc(len ? len : 1));
    memcpy(copy, data, len);
    return copy;
}

/* Is this header's name `name`, in any case? */
inline bool named(const WEB_SOCKET_HTTP_HEADER &h, const char *name)
{
    return h.ulNameLength == strlen(name) && !strncasecmp(h.pcName, name, h.ulNameLength);
}

/* Splits text into "name:value" lines ending in '\n' (a line without ':' is a
 * name with an empty value); at most max headers, pointing into text. */
inline ULONG header_lines(char *text, size_t len, WEB_SOCKET_HTTP_HEADER *headers, ULONG max)
{
    ULONG count = 0;
    size_t pos = 0;
    while (pos < len && count < max)
    {
        size_t end = pos, colon = pos;
        while (end < len && text[end] != '\n')
            end++;
        while (colon < end && text[colon] != ':')
            colon++;
        headers[count].pcName = text + pos;
        headers[count].ulNameLength = ULONG(colon - pos);
        headers[count].pcValue = text + (colon < end ? colon + 1 : end);
        headers[count].ulValueLength = ULONG(colon < end ? end - colon - 1 : 0);
        count++;
        pos = end + 1;
    }
    return count;
}

/* The opening handshake between a client and a server handle, no
 * subprotocol; false if any step fails. */
inline bool connect(WEB_SOCKET_HANDLE client, WEB_SOCKET_HANDLE server)
{
    PWEB_SOCKET_HTTP_HEADER request, response;
    ULONG request_count, response_count;
    if (WebSocketBeginClientHandshake(client, nullptr, 0, nullptr, 0, nullptr, 0, &request,
            &request_count) != S_OK)
        return false;
    if (WebSocketBeginServerHandshake(server, nullptr, nullptr, 0, request, request_count, &response,
            &response_count) != S_OK)
        return false;
    if (WebSocketEndServerHandshake(server) != S_OK)
        return false;
    ULONG selected_protocol, extension_count = 0;
    return WebSocketEndClientHandshake(client, response, response_count, nullptr, &extension_count,
            &selected_protocol) == S_OK;
}

} /* namespace fuzz */

#define check(condition) ((condition) ? (void)0 : fuzz::failed(__FILE__, __LINE__))

#endif /* WS_TESTS_FUZZ_COMMON_H */
