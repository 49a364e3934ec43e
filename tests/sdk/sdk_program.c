/*
 * A Windows program built from an installed websocket.dll SDK alone
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

/*
 * What a mingw-w64 user writes: <windows.h>, <websocket.h> and -lwebsocket,
 * nothing else.  tests/sdk/sdk_check.py compiles it against a `meson install`
 * into a temporary prefix and runs it under Wine.  A client and a server
 * handle do the handshake and pass one text message through an in-memory
 * network; the exit status is the number of failed checks.
 */

#include <stdio.h>
#include <string.h>
#include <windows.h>
#include <websocket.h>

static int failures;

static void check(int condition, int line, const char *what, HRESULT hr)
{
    if (condition)
        return;
    printf("sdk_program.c:%d: FAIL: %s (hr %#lx)\n", line, what, (unsigned long)hr);
    failures++;
}
#define CHECK(condition, what, hr) check((condition), __LINE__, (what), (hr))

/* Bytes one handle sent and the other has not read yet. */
static BYTE wire[4096];
static ULONG wire_length;

/* Carry out one handle's actions until it has none; a received message is
 * copied to message. */
static void run_actions(WEB_SOCKET_HANDLE handle, char *message, ULONG *message_length,
                        WEB_SOCKET_BUFFER_TYPE *message_type)
{
    for (;;)
    {
        WEB_SOCKET_BUFFER buffers[2];
        ULONG count = 2, i, done = 0;
        WEB_SOCKET_ACTION action;
        WEB_SOCKET_BUFFER_TYPE type;
        PVOID context, app_context;
        HRESULT hr;

        hr = WebSocketGetAction(handle, WEB_SOCKET_ALL_ACTION_QUEUE, buffers, &count, &action, &type,
                                &app_context, &context);
        CHECK(hr == S_OK, "WebSocketGetAction", hr);
        if (hr != S_OK || action == WEB_SOCKET_NO_ACTION)
            return;
        switch (action)
        {
        case WEB_SOCKET_SEND_TO_NETWORK_ACTION:
            for (i = 0; i < count; i++)
            {
                ULONG n = buffers[i].Data.ulBufferLength;
                CHECK(wire_length + n <= sizeof(wire), "frame fits the in-memory network", S_OK);
                if (wire_length + n > sizeof(wire))
                    break;
                memcpy(wire + wire_length, buffers[i].Data.pbBuffer, n);
                wire_length += n;
                done += n;
            }
            break;
        case WEB_SOCKET_RECEIVE_FROM_NETWORK_ACTION:
            CHECK(count >= 1, "a buffer to read into", S_OK);
            if (count >= 1)
            {
                done = wire_length < buffers[0].Data.ulBufferLength ? wire_length : buffers[0].Data.ulBufferLength;
                memcpy(buffers[0].Data.pbBuffer, wire, done);
                memmove(wire, wire + done, wire_length - done);
                wire_length -= done;
            }
            break;
        case WEB_SOCKET_INDICATE_RECEIVE_COMPLETE_ACTION:
            CHECK(count == 1, "one buffer indicated", S_OK);
            if (count == 1 && buffers[0].Data.ulBufferLength < 64)
            {
                memcpy(message, buffers[0].Data.pbBuffer, buffers[0].Data.ulBufferLength);
                message[buffers[0].Data.ulBufferLength] = 0;
                *message_length = buffers[0].Data.ulBufferLength;
                *message_type = type;
            }
            break;
        default:
            break;
        }
        WebSocketCompleteAction(handle, context, done);
    }
}

int main(void)
{
    WEB_SOCKET_HTTP_HEADER *request = NULL, *response = NULL, headers[16];
    WEB_SOCKET_BUFFER_TYPE type = 0;
    WEB_SOCKET_HANDLE client, server;
    ULONG request_count = 0, response_count = 0, i, length = 0, value = 0, size = sizeof(value);
    WEB_SOCKET_BUFFER buffer;
    char message[64] = "";
    HRESULT hr;

    hr = WebSocketGetGlobalProperty(WEB_SOCKET_SUPPORTED_VERSIONS_PROPERTY_TYPE, &value, &size);
    CHECK(hr == S_OK && value == 13 && size == sizeof(value), "supported versions {13}", hr);

    hr = WebSocketCreateClientHandle(NULL, 0, &client);
    CHECK(hr == S_OK, "WebSocketCreateClientHandle", hr);
    hr = WebSocketCreateServerHandle(NULL, 0, &server);
    CHECK(hr == S_OK, "WebSocketCreateServerHandle", hr);
    if (hr != S_OK)
        return 1;

    hr = WebSocketBeginClientHandshake(client, NULL, 0, NULL, 0, NULL, 0, &request, &request_count);
    CHECK(hr == S_OK && request_count >= 4 && request_count < 16, "WebSocketBeginClientHandshake", hr);
    for (i = 0; i < request_count && i < 15; i++)
        headers[i] = request[i];
    headers[i].pcName = (PCHAR)"Host";
    headers[i].ulNameLength = 4;
    headers[i].pcValue = (PCHAR)"localhost";
    headers[i++].ulValueLength = 9;
    hr = WebSocketBeginServerHandshake(server, NULL, NULL, 0, headers, i, &response, &response_count);
    CHECK(hr == S_OK && response_count >= 3, "WebSocketBeginServerHandshake", hr);
    hr = WebSocketEndServerHandshake(server);
    CHECK(hr == S_OK, "WebSocketEndServerHandshake", hr);
    hr = WebSocketEndClientHandshake(client, response, response_count, NULL, NULL, NULL);
    CHECK(hr == S_OK, "WebSocketEndClientHandshake", hr);

    buffer.Data.pbBuffer = (BYTE *)"Hello from mingw-w64";
    buffer.Data.ulBufferLength = 20;
    hr = WebSocketSend(client, WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE, &buffer, NULL);
    CHECK(hr == S_OK, "WebSocketSend", hr);
    run_actions(client, message, &length, &type);
    CHECK(wire_length == 20 + 6, "a masked frame of 26 bytes on the wire", S_OK);
    hr = WebSocketReceive(server, NULL, NULL);
    CHECK(hr == S_OK, "WebSocketReceive", hr);
    run_actions(server, message, &length, &type);
    CHECK(type == WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE, "a whole UTF-8 message received", S_OK);
    CHECK(length == 20 && !strcmp(message, "Hello from mingw-w64"), "the message received", S_OK);

    WebSocketDeleteHandle(client);
    WebSocketDeleteHandle(server);
    printf("sdk_program: %s: \"%s\"\n", failures ? "FAILED" : "handshake and message OK", message);
    return failures;
}
