/*
 * Fuzz target: WebSocketEndClientHandshake with arbitrary response headers.
 *
 * Input: [mode][header lines...], each line "name:value" ending in '\n'.
 *   mode bits 0-1: how many of "chat", "superchat", "x" the client offers
 *   mode bit 2:    append a correct Sec-WebSocket-Accept for the DLL's key
 *   mode bit 3:    append "Sec-WebSocket-Protocol: <an offered name>"
 *
 * Invariants:
 * - the result is S_OK or one of the documented failures;
 * - S_OK only with a Sec-WebSocket-Accept header carrying the right value,
 *   a selected subprotocol that was offered and named in the response (and
 *   none written when none was offered); a second End then fails;
 * - header names are case-insensitive: the response with every name's case
 *   flipped gives the same result;
 * - a failed End leaves the handle as it was: the same response gives the
 *   same result again, and a correct response then succeeds.
 *
 * Copyright 2026 The websocket.dll authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "handshake.h"

namespace {

constexpr size_t MAX_HEADERS = 64;
const char *const offered_names[] = { "chat", "superchat", "x" };

using fuzz::named;

/* The value without the spaces and tabs around it. */
void trimmed(const WEB_SOCKET_HTTP_HEADER &h, const char **p, size_t *n)
{
    const char *s = h.pcValue;
    size_t len = h.ulValueLength;
    while (len && (*s == ' ' || *s == '\t'))
        s++, len--;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    *p = s;
    *n = len;
}

bool mentions(const WEB_SOCKET_HTTP_HEADER &h, const char *word)
{
    size_t n = strlen(word);
    for (size_t i = 0; i + n <= h.ulValueLength; i++)
        if (!strncasecmp(h.pcValue + i, word, n))
            return true;
    return false;
}

HRESULT end(WEB_SOCKET_HANDLE h, WEB_SOCKET_HTTP_HEADER *headers, ULONG count, ULONG *protocol)
{
    ULONG extensions[4], extension_count = 4;
    *protocol = 0xdeadbeef;
    HRESULT hr = WebSocketEndClientHandshake(h, headers, count, extensions, &extension_count, protocol);
    if (hr == S_OK)
        check(extension_count == 0);
    return hr;
}

} /* namespace */

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 16384)
        return 0;
    unsigned mode = data[0];
    ULONG offered = mode & 3;
    /* Exactly as long as the input, twice: as given and with names' case flipped. */
    size_t text_len = size - 1;
    char *text = fuzz::exact_copy(data + 1, text_len);
    char *flipped = fuzz::exact_copy(data + 1, text_len);

    WEB_SOCKET_HTTP_HEADER headers[MAX_HEADERS + 2], other[MAX_HEADERS + 2];
    ULONG count = fuzz::header_lines(text, text_len, headers, MAX_HEADERS);
    fuzz::header_lines(flipped, text_len, other, MAX_HEADERS);
    for (ULONG i = 0; i < count; i++)
        for (ULONG j = 0; j < other[i].ulNameLength; j++)
        {
            char c = other[i].pcName[j];
            other[i].pcName[j] = char(isupper((unsigned char)c) ? tolower((unsigned char)c)
                                                                : toupper((unsigned char)c));
        }

    WEB_SOCKET_HANDLE h;
    check(WebSocketCreateClientHandle(nullptr, 0, &h) == S_OK);
    PWEB_SOCKET_HTTP_HEADER request;
    ULONG request_count;
    check(WebSocketBeginClientHandshake(h, offered ? const_cast<PCSTR *>(offered_names) : nullptr, offered,
                                        nullptr, 0, nullptr, 0, &request, &request_count) == S_OK);
    char accept[ws::ACCEPT_LENGTH + 1] = "";
    for (ULONG i = 0; i < request_count; i++)
        if (named(request[i], "Sec-WebSocket-Key"))
            ws::compute_accept(request[i].pcValue, request[i].ulValueLength, accept);
    accept[ws::ACCEPT_LENGTH] = 0;
    check(accept[0] != 0);
    static char accept_name[] = "Sec-WebSocket-Accept", protocol_name[] = "Sec-WebSocket-Protocol";
    if (mode & 4)
    {
        headers[count] = { accept_name, 20, accept, ULONG(ws::ACCEPT_LENGTH) };
        other[count] = headers[count];
        count++;
    }
    if ((mode & 8) && offered)
    {
        const char *name = offered_names[(mode >> 4) % offered];
        headers[count] = { protocol_name, 22, const_cast<char *>(name), ULONG(strlen(name)) };
        other[count] = headers[count];
        count++;
    }

    ULONG protocol;
    HRESULT first = end(h, other, count, &protocol);
    check(first == S_OK || first == E_INVALID_PROTOCOL_FORMAT || first == E_SUBPROTOCOL_NOT_SUPPORTED
          || first == E_PROTOCOL_EXTENSIONS_NOT_SUPPORTED || first == E_PROTOCOL_VERSION_NOT_SUPPORTED
          || first == E_INVALIDARG);
    if (first == S_OK)
    {
        bool accepted = false;
        for (ULONG i = 0; i < count; i++)
            if (named(headers[i], "Sec-WebSocket-Accept"))
            {
                const char *p;
                size_t n;
                trimmed(headers[i], &p, &n);
                accepted = accepted || (n == ws::ACCEPT_LENGTH && !memcmp(p, accept, n));
            }
        check(accepted);
        if (offered)
        {
            check(protocol < offered);
            bool echoed = false;
            for (ULONG i = 0; i < count; i++)
                echoed = echoed || (named(headers[i], "Sec-WebSocket-Protocol")
                                    && mentions(headers[i], offered_names[protocol]));
            check(echoed);
        }
        else
            check(protocol == 0xdeadbeef);
        check(end(h, headers, count, &protocol) == E_INVALID_PROTOCOL_OPERATION);
    }
    else
    {
        /* Nothing changed: the same answer for the same response as given. */
        check(end(h, headers, count, &protocol) == first);
        WEB_SOCKET_HTTP_HEADER good[4] = {
            { const_cast<char *>("Upgrade"), 7, const_cast<char *>("websocket"), 9 },
            { const_cast<char *>("Connection"), 10, const_cast<char *>("Upgrade"), 7 },
            { accept_name, 20, accept, ULONG(ws::ACCEPT_LENGTH) },
            { protocol_name, 22, const_cast<char *>(offered_names[0]), 4 },
        };
        check(end(h, good, offered ? 4 : 3, &protocol) == S_OK);
        check(!offered || protocol == 0);
    }
    WebSocketDeleteHandle(h);
    free(text);
    free(flipped);
    return 0;
}
