/*
 * API tests: what the fuzz targets found, one test each
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
 * Each finding of tests/fuzz is fixed with its input kept in
 * tests/fuzz/regressions/<target> and a test here that states it plainly.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <windows.h>
#include "websocket.h"
#include "client_request.h"

/* A server handle after the handshake, made with its default properties. */
static WEB_SOCKET_HANDLE open_server(void)
{
    WEB_SOCKET_HANDLE client, server;
    WEB_SOCKET_HTTP_HEADER request[8], *response;
    ULONG count, response_count;

    assert_int_equal(WebSocketCreateClientHandle(NULL, 0, &client), S_OK);
    assert_int_equal(WebSocketCreateServerHandle(NULL, 0, &server), S_OK);
    count = client_request(client, request, 8);
    assert_true(count > 0);
    assert_int_equal(WebSocketBeginServerHandshake(server, NULL, NULL, 0, request, count, &response,
                                                   &response_count), S_OK);
    assert_int_equal(WebSocketEndServerHandshake(server), S_OK);
    WebSocketDeleteHandle(client);
    return server;
}

/* Hands `bytes` to the handle's next RECEIVE_FROM_NETWORK, then returns the
 * indication that follows. */
static void feed_and_indicate(WEB_SOCKET_HANDLE handle, const BYTE *bytes, ULONG length,
                              WEB_SOCKET_BUFFER *indicated, WEB_SOCKET_BUFFER_TYPE *type)
{
    WEB_SOCKET_BUFFER buffers[2];
    ULONG count = 2;
    WEB_SOCKET_ACTION action;
    PVOID context;

    assert_int_equal(WebSocketGetAction(handle, WEB_SOCKET_RECEIVE_ACTION_QUEUE, buffers, &count, &action, type,
                                        NULL, &context), S_OK);
    assert_int_equal(action, WEB_SOCKET_RECEIVE_FROM_NETWORK_ACTION);
    assert_true(buffers[0].Data.ulBufferLength >= length);
    memcpy(buffers[0].Data.pbBuffer, bytes, length);
    WebSocketCompleteAction(handle, context, length);
    count = 2;
    assert_int_equal(WebSocketGetAction(handle, WEB_SOCKET_RECEIVE_ACTION_QUEUE, buffers, &count, &action, type,
                                        NULL, &context), S_OK);
    assert_int_equal(action, WEB_SOCKET_INDICATE_RECEIVE_COMPLETE_ACTION);
    assert_int_equal(count, 1);
    *indicated = buffers[0];
    WebSocketCompleteAction(handle, context, 0);
}

/* fuzz_exchange: a close whose reason was longer than the caller's receive
 * buffer was indicated with the reason cut to the buffer's length.  A close
 * cannot be continued by the next Receive as data can: the reason is
 * indicated whole, where it lies, and the caller's buffer is not written past. */
static void test_close_reason_longer_than_receive_buffer(void **state)
{
    static const char reason[] = "going away for a good long while";
    const ULONG reason_length = sizeof(reason) - 1;
    BYTE frame[2 + 4 + 2 + sizeof(reason)], tight[5];
    static const BYTE key[4] = { 1, 2, 3, 4 };
    WEB_SOCKET_HANDLE server = open_server();
    WEB_SOCKET_BUFFER buffer, indicated;
    WEB_SOCKET_BUFFER_TYPE type;
    ULONG i, length = 2 + reason_length;
    (void)state;

    /* A masked close frame from the client: 1001 and the reason. */
    frame[0] = 0x88;
    frame[1] = 0x80 | (BYTE)length;
    memcpy(frame + 2, key, 4);
    frame[6] = 1001 >> 8;
    frame[7] = 1001 & 0xff;
    memcpy(frame + 8, reason, reason_length);
    for (i = 0; i < length; i++)
        frame[6 + i] ^= key[i & 3];

    memset(tight, 0xcc, sizeof(tight));
    buffer.Data.pbBuffer = tight;
    buffer.Data.ulBufferLength = 4;
    assert_int_equal(WebSocketReceive(server, &buffer, NULL), S_OK);
    feed_and_indicate(server, frame, 6 + length, &indicated, &type);
    assert_int_equal(type, WEB_SOCKET_CLOSE_BUFFER_TYPE);
    assert_int_equal(indicated.CloseStatus.usStatus, 1001);
    assert_int_equal(indicated.CloseStatus.ulReasonLength, reason_length);
    assert_memory_equal(indicated.CloseStatus.pbReason, reason, reason_length);
    assert_int_equal(tight[4], 0xcc);
    WebSocketDeleteHandle(server);
}

/* The other side of the rule: a reason that fits is copied into the caller's buffer. */
static void test_close_reason_in_receive_buffer(void **state)
{
    static const BYTE frame[] = { 0x88, 0x84, 0, 0, 0, 0, 0x03, 0xe8, 'o', 'k' };
    WEB_SOCKET_HANDLE server = open_server();
    WEB_SOCKET_BUFFER buffer, indicated;
    WEB_SOCKET_BUFFER_TYPE type;
    BYTE roomy[8];
    (void)state;

    buffer.Data.pbBuffer = roomy;
    buffer.Data.ulBufferLength = sizeof(roomy);
    assert_int_equal(WebSocketReceive(server, &buffer, NULL), S_OK);
    feed_and_indicate(server, frame, sizeof(frame), &indicated, &type);
    assert_int_equal(type, WEB_SOCKET_CLOSE_BUFFER_TYPE);
    assert_int_equal(indicated.CloseStatus.usStatus, 1000);
    assert_ptr_equal(indicated.CloseStatus.pbReason, roomy);
    assert_int_equal(indicated.CloseStatus.ulReasonLength, 2);
    assert_memory_equal(roomy, "ok", 2);
    WebSocketDeleteHandle(server);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_close_reason_longer_than_receive_buffer),
        cmocka_unit_test(test_close_reason_in_receive_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
