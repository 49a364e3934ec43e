/*
 * API tests: the client's upgrade request as a server receives it
 *
 * Copyright 2026 The websocket.dll authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef WS_TESTS_CLIENT_REQUEST_H
#define WS_TESTS_CLIENT_REQUEST_H

#include <windows.h>
#include "websocket.h"

/* WebSocketBeginClientHandshake's headers plus the Host line an HTTP client
 * adds, copied into out; the count, or 0 if the call failed or out is too small. */
static inline ULONG client_request(WEB_SOCKET_HANDLE client, WEB_SOCKET_HTTP_HEADER *out, ULONG max)
{
    static char name[] = "Host", value[] = "localhost";
    WEB_SOCKET_HTTP_HEADER *request;
    ULONG count, i;

    if (WebSocketBeginClientHandshake(client, NULL, 0, NULL, 0, NULL, 0, &request, &count) != S_OK
            || count + 1 > max)
        return 0;
    for (i = 0; i < count; i++)
        out[i] = request[i];
    out[count].pcName = name;
    out[count].ulNameLength = 4;
    out[count].pcValue = value;
    out[count].ulValueLength = 9;
    return count + 1;
}

#endif
