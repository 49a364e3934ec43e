/*
 * Fuzz target: the property arrays of WebSocketCreateClientHandle and
 * WebSocketCreateServerHandle: any type, any value size, values at any
 * alignment, ALLOCATED_BUFFER of any claimed size, repeated and missing
 * properties, NULL values.
 *
 * The result must be exactly what a model of the documented rules written
 * here says (S_OK or E_INVALIDARG, the handle written only on success).  A
 * handle made is then opened and used: every buffer it hands out lies in its
 * allocated buffer (a heap block of exactly the claimed size, so ASan sees a
 * step outside) or the caller's payload, a receive offers at most the receive
 * buffer size, and a client's frame goes out in pieces of at most the send
 * buffer size.
 *
 * Input: [role and count][per property: type, size, value (4 bytes),
 * alignment, allocated size (2 bytes)]...
 *
 * Copyright 2026 The websocket.dll authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"

namespace {

using fuzz::inside;
using fuzz::reader;

constexpr size_t MAX_PROPERTIES = 8;
/* More than any valid handle uses (65536 + 65536 + 144): a larger claim is
 * backed by this much, which the DLL never reaches. */
constexpr size_t AREA_CAP = 140000;

uint8_t payload[1000];

/* Takes the handle through its handshake with a peer of default properties. */
void open_handle(WEB_SOCKET_HANDLE h, bool server)
{
    WEB_SOCKET_HANDLE peer;
    PWEB_SOCKET_HTTP_HEADER request, response;
    ULONG request_count, response_count, protocol, extensions = 0;
    if (server)
    {
        check(WebSocketCreateClientHandle(nullptr, 0, &peer) == S_OK);
        check(WebSocketBeginClientHandshake(peer, nullptr, 0, nullptr, 0, nullptr, 0, &request,
                                            &request_count) == S_OK);
        check(WebSocketBeginServerHandshake(h, nullptr, nullptr, 0, request, request_count, &response,
                                            &response_count) == S_OK);
        check(WebSocketEndServerHandshake(h) == S_OK);
    }
    else
    {
        check(WebSocketCreateServerHandle(nullptr, 0, &peer) == S_OK);
        check(WebSocketBeginClientHandshake(h, nullptr, 0, nullptr, 0, nullptr, 0, &request,
                                            &request_count) == S_OK);
        check(WebSocketBeginServerHandshake(peer, nullptr, nullptr, 0, request, request_count, &response,
                                            &response_count) == S_OK);
        check(WebSocketEndClientHandshake(h, response, response_count, nullptr, &extensions, &protocol) == S_OK);
    }
    WebSocketDeleteHandle(peer);
}

/* A message out and a read in: where the handle's buffers lie. */
void use_handle(WEB_SOCKET_HANDLE h, bool server, bool unmasked, ULONG receive_size, ULONG send_size,
                const uint8_t *area, size_t area_size)
{
    open_handle(h, server);
    WEB_SOCKET_BUFFER message;
    message.Data.pbBuffer = payload;
    message.Data.ulBufferLength = sizeof(payload);
    check(WebSocketSend(h, WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, &message, nullptr) == S_OK);
    check(WebSocketReceive(h, nullptr, nullptr) == S_OK);
    size_t sent = 0;
    for (int i = 0; i < 2000; i++)
    {
        WEB_SOCKET_BUFFER buffers[2];
        ULONG count = 2;
        WEB_SOCKET_ACTION action;
        WEB_SOCKET_BUFFER_TYPE type;
        PVOID context;
        check(WebSocketGetAction(h, WEB_SOCKET_ALL_ACTION_QUEUE, buffers, &count, &action, &type, nullptr,
                                 &context) == S_OK);
        if (action == WEB_SOCKET_NO_ACTION)
            break;
        ULONG total = 0;
        for (ULONG j = 0; j < count && action != WEB_SOCKET_INDICATE_SEND_COMPLETE_ACTION
                          && action != WEB_SOCKET_INDICATE_RECEIVE_COMPLETE_ACTION; j++)
        {
            const uint8_t *p = buffers[j].Data.pbBuffer;
            ULONG len = buffers[j].Data.ulBufferLength;
            bool in_area = area ? inside(p, len, area, area_size) : true;
            check(in_area || inside(p, len, payload, sizeof(payload)));
            /* A masked client frame is copied out in pieces; an unmasked one is the caller's buffer. */
            if (action == WEB_SOCKET_SEND_TO_NETWORK_ACTION && !server && !unmasked)
                check(len <= send_size);
            total += len;
        }
        if (action == WEB_SOCKET_SEND_TO_NETWORK_ACTION)
            sent += total;
        if (action == WEB_SOCKET_RECEIVE_FROM_NETWORK_ACTION)
        {
            check(count == 1 && total > 0 && total <= receive_size);
            total = 0;  /* the peer went away: the receive ends as a close */
        }
        WebSocketCompleteAction(h, context, total);
    }
    check(sent >= sizeof(payload));
}

} /* namespace */

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    reader in = { data, size, 0 };
    uint8_t head = in.byte();
    bool server = head & 1;
    ULONG count = (head >> 1) % (MAX_PROPERTIES + 1);
    bool null_array = (head & 0x80) && count;

    /* Values live in one byte array at input-chosen offsets: any alignment. */
    static uint8_t values[MAX_PROPERTIES * 16 + 16];
    memset(values, 0, sizeof(values));
    WEB_SOCKET_PROPERTY properties[MAX_PROPERTIES];
    uint8_t *areas[MAX_PROPERTIES] = {};
    static const ULONG types[] = { 0, 1, 2, 3, 4, 5, 6, 7, 0x80000000, 0xffffffff };
    static const ULONG sizes[] = { 4, 0, 1, 3, 5, 8, 0xffffffff, 4 };

    /* The model's view of the same array. */
    bool valid = !null_array;
    ULONG receive = 4096, send = server ? 16 : 4096;
    bool unmasked = false;
    uint8_t *area = nullptr;
    size_t area_claim = 0;
    for (ULONG i = 0; i < count; i++)
    {
        uint8_t t = in.byte(), s = in.byte();
        ULONG type = types[t % 10];
        uint8_t value[4] = { in.byte(), in.byte(), in.byte(), in.byte() };
        uint8_t *slot = values + i * 16 + in.byte() % 8;
        ULONG claim = ULONG(in.byte() | in.byte() << 8) * 3;
        ULONG value_size = sizes[s % 8];
        memcpy(slot, value, 4);
        if (type == WEB_SOCKET_ALLOCATED_BUFFER_PROPERTY_TYPE)
        {
            /* The slot holds the buffer's address; the size is the buffer's. */
            value_size = (s & 0x20) ? 0xffffffff : claim;
            if (!(s & 0x40))
            {
                /* As large as claimed (the DLL cannot know better), up to the cap. */
                size_t real = value_size < AREA_CAP ? value_size : AREA_CAP;
                areas[i] = static_cast<uint8_t *>(malloc(real ? real : 1));
            }
            memcpy(slot, &areas[i], sizeof(void *));
        }
        properties[i].Type = WEB_SOCKET_PROPERTY_TYPE(type);
        properties[i].pvValue = (s & 0x80) ? nullptr : slot;
        properties[i].ulValueSize = value_size;

        ULONG number;
        memcpy(&number, value, 4);
        if (!properties[i].pvValue)
            valid = false;
        else if (type == WEB_SOCKET_RECEIVE_BUFFER_SIZE_PROPERTY_TYPE || type == WEB_SOCKET_SEND_BUFFER_SIZE_PROPERTY_TYPE)
        {
            if (value_size != 4)
                valid = false;
            else if (type == WEB_SOCKET_RECEIVE_BUFFER_SIZE_PROPERTY_TYPE)
                receive = number;
            else
                send = number;
        }
        else if (type == WEB_SOCKET_DISABLE_MASKING_PROPERTY_TYPE || type == WEB_SOCKET_DISABLE_UTF8_VERIFICATION_PROPERTY_TYPE)
        {
            if (value_size != 4)
                valid = false;
            else if (type == WEB_SOCKET_DISABLE_MASKING_PROPERTY_TYPE)
                unmasked = number != 0;
        }
        else if (type == WEB_SOCKET_ALLOCATED_BUFFER_PROPERTY_TYPE)
        {
            if (!areas[i])
                valid = false;
            area = areas[i];
            area_claim = value_size;
        }
        else
            valid = false;
    }
    if (receive < 256 || receive > 65536 || send < 16 || send > 65536)
        valid = false;
    if (area && area_claim < size_t(receive) + send + 144)
        valid = false;

    WEB_SOCKET_HANDLE h = reinterpret_cast<WEB_SOCKET_HANDLE>(uintptr_t(0x5a5a));
    HRESULT hr = server ? WebSocketCreateServerHandle(null_array ? nullptr : properties, count, &h)
                        : WebSocketCreateClientHandle(null_array ? nullptr : properties, count, &h);
    check(hr == (valid ? S_OK : E_INVALIDARG));
    if (hr == S_OK)
    {
        check(h != nullptr && h != reinterpret_cast<WEB_SOCKET_HANDLE>(uintptr_t(0x5a5a)));
        use_handle(h, server, unmasked, receive, send, area, area_claim < AREA_CAP ? area_claim : AREA_CAP);
        WebSocketDeleteHandle(h);
    }
    else
        check(h == reinterpret_cast<WEB_SOCKET_HANDLE>(uintptr_t(0x5a5a)));
    for (ULONG i = 0; i < count; i++)
        free(areas[i]);
    return 0;
}
