/*
 * Calls each exported function once, for the WINEDEBUG=+websocket check
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

#include <stdio.h>
#include <windows.h>
#include "websocket.h"

int main(void)
{
    static char host[] = "Host", localhost[] = "localhost";
    WEB_SOCKET_HANDLE client = NULL, server = NULL;
    WEB_SOCKET_HTTP_HEADER *request, *response, all[8];
    ULONG request_count = 0, response_count = 0, value, size = sizeof(value), count, i;
    WEB_SOCKET_BUFFER buffers[2], data;
    WEB_SOCKET_ACTION action;
    WEB_SOCKET_BUFFER_TYPE type;
    PVOID context = NULL;
    BYTE hello[] = "hello";
    PCSTR protocols[] = { "chat" };

    WebSocketGetGlobalProperty(WEB_SOCKET_KEEPALIVE_INTERVAL_PROPERTY_TYPE, &value, &size);
    WebSocketCreateClientHandle(NULL, 0, &client);
    WebSocketCreateServerHandle(NULL, 0, &server);
    WebSocketBeginClientHandshake(client, protocols, 1, NULL, 0, NULL, 0, &request, &request_count);
    for (i = 0; i < request_count && i < 7; i++)
        all[i] = request[i];
    all[i].pcName = host;
    all[i].ulNameLength = 4;
    all[i].pcValue = localhost;
    all[i].ulValueLength = 9;
    WebSocketBeginServerHandshake(server, "chat", NULL, 0, all, i + 1, &response, &response_count);
    WebSocketEndClientHandshake(client, response, response_count, NULL, NULL, NULL);
    WebSocketEndServerHandshake(server);

    data.Data.pbBuffer = hello;
    data.Data.ulBufferLength = 5;
    WebSocketSend(client, WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE, &data, NULL);
    WebSocketReceive(server, NULL, NULL);
    count = 2;
    WebSocketGetAction(client, WEB_SOCKET_SEND_ACTION_QUEUE, buffers, &count, &action, &type, NULL, &context);
    WebSocketCompleteAction(client, context, 0);
    WebSocketAbortHandle(client);
    WebSocketDeleteHandle(client);
    WebSocketDeleteHandle(server);
    printf("done\n");
    return 0;
}
