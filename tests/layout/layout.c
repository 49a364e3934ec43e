/*
 * Layout of the websocket.h types: sizes, offsets and enum values of the SDK
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
 * Every check is made twice: at compile time (so the i686 build, which is not
 * run here, is checked too) and at run time (so the log shows what was checked).
 */

#include <stddef.h>
#include <windows.h>
#include "websocket.h"

#include "wine/test.h"

#define PTR_SIZE sizeof(void *)

#define CHECK_SIZE(type, size) \
    _Static_assert(sizeof(type) == (size), "sizeof(" #type ")"); \
    static void check_size_##type(void) \
    { \
        ok(sizeof(type) == (size), "sizeof(" #type ") = %u, expected %u\n", \
           (unsigned)sizeof(type), (unsigned)(size)); \
    }

#define CHECK_FIELD(type, field, offset) \
    _Static_assert(offsetof(type, field) == (offset), "offsetof(" #type ", " #field ")"); \
    ok(offsetof(type, field) == (offset), "offsetof(" #type ", " #field ") = %u, expected %u\n", \
       (unsigned)offsetof(type, field), (unsigned)(offset));

#define CHECK_VALUE(name, value) \
    _Static_assert((unsigned int)(name) == (unsigned int)(value), #name); \
    ok((unsigned int)(name) == (unsigned int)(value), #name " = %#x, expected %#x\n", \
       (unsigned int)(name), (unsigned int)(value));

/* Windows: 4-byte ULONG and enums, pointers of 4 or 8 bytes, natural alignment. */
CHECK_SIZE(WEB_SOCKET_PROPERTY, 3 * PTR_SIZE)
CHECK_SIZE(WEB_SOCKET_HTTP_HEADER, 4 * PTR_SIZE)
CHECK_SIZE(WEB_SOCKET_BUFFER, PTR_SIZE == 8 ? 16 : 12)
CHECK_SIZE(WEB_SOCKET_HANDLE, PTR_SIZE)
CHECK_SIZE(WEB_SOCKET_ACTION, 4)
CHECK_SIZE(WEB_SOCKET_ACTION_QUEUE, 4)
CHECK_SIZE(WEB_SOCKET_BUFFER_TYPE, 4)
CHECK_SIZE(WEB_SOCKET_PROPERTY_TYPE, 4)
CHECK_SIZE(WEB_SOCKET_CLOSE_STATUS, 4)
CHECK_SIZE(ULONG, 4)
CHECK_SIZE(USHORT, 2)

static void test_sizes(void)
{
    check_size_WEB_SOCKET_PROPERTY();
    check_size_WEB_SOCKET_HTTP_HEADER();
    check_size_WEB_SOCKET_BUFFER();
    check_size_WEB_SOCKET_HANDLE();
    check_size_WEB_SOCKET_ACTION();
    check_size_WEB_SOCKET_ACTION_QUEUE();
    check_size_WEB_SOCKET_BUFFER_TYPE();
    check_size_WEB_SOCKET_PROPERTY_TYPE();
    check_size_WEB_SOCKET_CLOSE_STATUS();
    check_size_ULONG();
    check_size_USHORT();
}

static void test_offsets(void)
{
    CHECK_FIELD(WEB_SOCKET_PROPERTY, Type, 0)
    CHECK_FIELD(WEB_SOCKET_PROPERTY, pvValue, PTR_SIZE)
    CHECK_FIELD(WEB_SOCKET_PROPERTY, ulValueSize, 2 * PTR_SIZE)
    CHECK_FIELD(WEB_SOCKET_HTTP_HEADER, pcName, 0)
    CHECK_FIELD(WEB_SOCKET_HTTP_HEADER, ulNameLength, PTR_SIZE)
    CHECK_FIELD(WEB_SOCKET_HTTP_HEADER, pcValue, 2 * PTR_SIZE)
    CHECK_FIELD(WEB_SOCKET_HTTP_HEADER, ulValueLength, 3 * PTR_SIZE)
    CHECK_FIELD(WEB_SOCKET_BUFFER, Data.pbBuffer, 0)
    CHECK_FIELD(WEB_SOCKET_BUFFER, Data.ulBufferLength, PTR_SIZE)
    CHECK_FIELD(WEB_SOCKET_BUFFER, CloseStatus.pbReason, 0)
    CHECK_FIELD(WEB_SOCKET_BUFFER, CloseStatus.ulReasonLength, PTR_SIZE)
    CHECK_FIELD(WEB_SOCKET_BUFFER, CloseStatus.usStatus, PTR_SIZE + 4)
}

static void test_values(void)
{
    CHECK_VALUE(WEB_SOCKET_MAX_CLOSE_REASON_LENGTH, 123)
    CHECK_VALUE(FACILITY_WEB_SOCKET, 886)
    CHECK_VALUE(E_INVALID_PROTOCOL_OPERATION, 0x83760001)
    CHECK_VALUE(E_INVALID_PROTOCOL_FORMAT, 0x83760002)
    CHECK_VALUE(E_PROTOCOL_EXTENSIONS_NOT_SUPPORTED, 0x83760003)
    CHECK_VALUE(E_SUBPROTOCOL_NOT_SUPPORTED, 0x83760004)
    CHECK_VALUE(E_PROTOCOL_VERSION_NOT_SUPPORTED, 0x83760005)

    CHECK_VALUE(WEB_SOCKET_NO_ACTION, 0)
    CHECK_VALUE(WEB_SOCKET_SEND_TO_NETWORK_ACTION, 1)
    CHECK_VALUE(WEB_SOCKET_INDICATE_SEND_COMPLETE_ACTION, 2)
    CHECK_VALUE(WEB_SOCKET_RECEIVE_FROM_NETWORK_ACTION, 3)
    CHECK_VALUE(WEB_SOCKET_INDICATE_RECEIVE_COMPLETE_ACTION, 4)

    CHECK_VALUE(WEB_SOCKET_SEND_ACTION_QUEUE, 1)
    CHECK_VALUE(WEB_SOCKET_RECEIVE_ACTION_QUEUE, 2)
    CHECK_VALUE(WEB_SOCKET_ALL_ACTION_QUEUE, 3)

    CHECK_VALUE(WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE, 0x80000000)
    CHECK_VALUE(WEB_SOCKET_UTF8_FRAGMENT_BUFFER_TYPE, 0x80000001)
    CHECK_VALUE(WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, 0x80000002)
    CHECK_VALUE(WEB_SOCKET_BINARY_FRAGMENT_BUFFER_TYPE, 0x80000003)
    CHECK_VALUE(WEB_SOCKET_CLOSE_BUFFER_TYPE, 0x80000004)
    CHECK_VALUE(WEB_SOCKET_PING_PONG_BUFFER_TYPE, 0x80000005)
    CHECK_VALUE(WEB_SOCKET_UNSOLICITED_PONG_BUFFER_TYPE, 0x80000006)

    CHECK_VALUE(WEB_SOCKET_RECEIVE_BUFFER_SIZE_PROPERTY_TYPE, 0)
    CHECK_VALUE(WEB_SOCKET_SEND_BUFFER_SIZE_PROPERTY_TYPE, 1)
    CHECK_VALUE(WEB_SOCKET_DISABLE_MASKING_PROPERTY_TYPE, 2)
    CHECK_VALUE(WEB_SOCKET_ALLOCATED_BUFFER_PROPERTY_TYPE, 3)
    CHECK_VALUE(WEB_SOCKET_DISABLE_UTF8_VERIFICATION_PROPERTY_TYPE, 4)
    CHECK_VALUE(WEB_SOCKET_KEEPALIVE_INTERVAL_PROPERTY_TYPE, 5)
    CHECK_VALUE(WEB_SOCKET_SUPPORTED_VERSIONS_PROPERTY_TYPE, 6)

    CHECK_VALUE(WEB_SOCKET_SUCCESS_CLOSE_STATUS, 1000)
    CHECK_VALUE(WEB_SOCKET_ENDPOINT_UNAVAILABLE_CLOSE_STATUS, 1001)
    CHECK_VALUE(WEB_SOCKET_PROTOCOL_ERROR_CLOSE_STATUS, 1002)
    CHECK_VALUE(WEB_SOCKET_INVALID_DATA_TYPE_CLOSE_STATUS, 1003)
    CHECK_VALUE(WEB_SOCKET_EMPTY_CLOSE_STATUS, 1005)
    CHECK_VALUE(WEB_SOCKET_ABORTED_CLOSE_STATUS, 1006)
    CHECK_VALUE(WEB_SOCKET_INVALID_PAYLOAD_CLOSE_STATUS, 1007)
    CHECK_VALUE(WEB_SOCKET_POLICY_VIOLATION_CLOSE_STATUS, 1008)
    CHECK_VALUE(WEB_SOCKET_MESSAGE_TOO_BIG_CLOSE_STATUS, 1009)
    CHECK_VALUE(WEB_SOCKET_UNSUPPORTED_EXTENSIONS_CLOSE_STATUS, 1010)
    CHECK_VALUE(WEB_SOCKET_SERVER_ERROR_CLOSE_STATUS, 1011)
    CHECK_VALUE(WEB_SOCKET_SECURE_HANDSHAKE_ERROR_CLOSE_STATUS, 1015)
}

START_TEST(layout)
{
    test_sizes();
    test_offsets();
    test_values();
}
