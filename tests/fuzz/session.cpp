/*
 * Fuzz target: a client and a server handle, connected after a real
 * handshake, driven by an API call sequence and network bytes taken from the
 * input: Send, Receive, GetAction on any queue and capacity, CompleteAction
 * with full, truncated, 0-byte or foreign completions, Abort at any point and
 * peer bytes injected into either direction.  Invariants checked: every
 * buffer handed out lies inside the handle's allocated buffer, the caller's
 * send payload or the caller's receive buffer; counts never exceed the
 * capacity; no crash, leak or undefined behaviour (ASan/UBSan).
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

constexpr size_t PIPE_SIZE = 1 << 16;
constexpr size_t PAYLOAD_SIZE = 70000;

struct pending
{
    PVOID context;
    WEB_SOCKET_ACTION action;
    WEB_SOCKET_BUFFER buffers[4];
    ULONG count;
};

struct peer
{
    WEB_SOCKET_HANDLE handle;
    uint8_t *area;              /* WEB_SOCKET_ALLOCATED_BUFFER */
    size_t area_size;
    ULONG receive_size, send_size;
    uint8_t inbox[PIPE_SIZE];   /* bytes on their way to this handle */
    size_t inbox_len;
    uint8_t receive_buffer[512];
    pending last[2];            /* [0] send queue, [1] receive queue */
};

uint8_t payload[PAYLOAD_SIZE];

void check_buffer(const peer &self, const uint8_t *p, ULONG len)
{
    if (!p)
    {
        check(len == 0);
        return;
    }
    check(inside(p, len, self.area, self.area_size)
          || inside(p, len, payload, sizeof(payload))
          || inside(p, len, self.receive_buffer, sizeof(self.receive_buffer)));
}

void push(peer &to, const uint8_t *p, size_t len)
{
    if (len > PIPE_SIZE - to.inbox_len)
        len = PIPE_SIZE - to.inbox_len;
    memcpy(to.inbox + to.inbox_len, p, len);
    to.inbox_len += len;
}

bool make(peer &p, bool server, reader &in)
{
    static const ULONG receive_sizes[] = { 256, 300, 1024, 4096 };
    static const ULONG send_sizes[] = { 16, 17, 256, 4096 };
    p.receive_size = receive_sizes[in.byte() % 4];
    p.send_size = send_sizes[in.byte() % 4];
    p.area_size = p.receive_size + p.send_size + 144 + (in.byte() % 3);
    p.area = (uint8_t *)malloc(p.area_size);
    p.inbox_len = 0;
    memset(p.last, 0, sizeof(p.last));
    PVOID area = p.area;
    WEB_SOCKET_PROPERTY properties[3] = {
        { WEB_SOCKET_RECEIVE_BUFFER_SIZE_PROPERTY_TYPE, &p.receive_size, sizeof(ULONG) },
        { WEB_SOCKET_SEND_BUFFER_SIZE_PROPERTY_TYPE, &p.send_size, sizeof(ULONG) },
        { WEB_SOCKET_ALLOCATED_BUFFER_PROPERTY_TYPE, &area, (ULONG)p.area_size },
    };
    HRESULT hr = server ? WebSocketCreateServerHandle(properties, 3, &p.handle)
                        : WebSocketCreateClientHandle(properties, 3, &p.handle);
    check(hr == S_OK);
    return true;
}

void complete(peer &self, peer &other, int queue, ULONG bytes, bool deliver)
{
    pending &p = self.last[queue];
    if (!p.context && p.action == WEB_SOCKET_NO_ACTION)
        return;
    ULONG offered = 0;
    for (ULONG i = 0; i < p.count; i++)
        offered += p.buffers[i].Data.ulBufferLength;
    if (bytes > offered)
        bytes = offered;
    if (p.action == WEB_SOCKET_SEND_TO_NETWORK_ACTION && deliver)
    {
        ULONG left = bytes;
        for (ULONG i = 0; i < p.count && left; i++)
        {
            ULONG n = p.buffers[i].Data.ulBufferLength < left ? p.buffers[i].Data.ulBufferLength : left;
            push(other, p.buffers[i].Data.pbBuffer, n);
            left -= n;
        }
    }
    else if (p.action == WEB_SOCKET_RECEIVE_FROM_NETWORK_ACTION && p.count)
    {
        ULONG n = bytes;
        if (deliver && n > self.inbox_len)
            n = (ULONG)self.inbox_len;
        if (deliver)
        {
            memcpy(p.buffers[0].Data.pbBuffer, self.inbox, n);
            memmove(self.inbox, self.inbox + n, self.inbox_len - n);
            self.inbox_len -= n;
            bytes = n;
        }
        else
            memset(p.buffers[0].Data.pbBuffer, 0xa5, n);
    }
    else
        bytes = 0;
    WebSocketCompleteAction(self.handle, p.context, bytes);
    memset(&p, 0, sizeof(p));
}

void get_action(peer &self, peer &other, reader &in)
{
    uint8_t b = in.byte();
    WEB_SOCKET_ACTION_QUEUE queue = (WEB_SOCKET_ACTION_QUEUE)(1 + b % 3);
    ULONG capacity = 1 + (b >> 2) % 4;
    WEB_SOCKET_BUFFER buffers[5];
    memset(buffers, 0xcc, sizeof(buffers));
    ULONG count = capacity;
    WEB_SOCKET_ACTION action = (WEB_SOCKET_ACTION)0x55;
    WEB_SOCKET_BUFFER_TYPE type = (WEB_SOCKET_BUFFER_TYPE)0;
    PVOID application = (PVOID)1, context = (PVOID)1;
    HRESULT hr = WebSocketGetAction(self.handle, queue, buffers, &count, &action, &type,
            &application, &context);
    if (FAILED(hr))
        return;
    check(hr == S_OK);
    check(count <= capacity);
    /* The slot after the capacity is never written. */
    uint8_t canary[sizeof(WEB_SOCKET_BUFFER)];
    memset(canary, 0xcc, sizeof(canary));
    check(!memcmp(&buffers[capacity], canary, sizeof(canary)));
    switch (action)
    {
    case WEB_SOCKET_NO_ACTION:
        check(context == nullptr);
        return;
    case WEB_SOCKET_SEND_TO_NETWORK_ACTION:
    case WEB_SOCKET_RECEIVE_FROM_NETWORK_ACTION:
        check(count >= 1);
        for (ULONG i = 0; i < count; i++)
        {
            check(buffers[i].Data.pbBuffer != nullptr);
            check_buffer(self, buffers[i].Data.pbBuffer, buffers[i].Data.ulBufferLength);
        }
        if (action == WEB_SOCKET_RECEIVE_FROM_NETWORK_ACTION)
            check(count == 1 && buffers[0].Data.ulBufferLength <= self.receive_size);
        break;
    case WEB_SOCKET_INDICATE_SEND_COMPLETE_ACTION:
        break;
    case WEB_SOCKET_INDICATE_RECEIVE_COMPLETE_ACTION:
        check(count <= 1);
        if (count == 1)
        {
            if (type == WEB_SOCKET_CLOSE_BUFFER_TYPE)
                check_buffer(self, buffers[0].CloseStatus.pbReason, buffers[0].CloseStatus.ulReasonLength);
            else
                check_buffer(self, buffers[0].Data.pbBuffer, buffers[0].Data.ulBufferLength);
        }
        break;
    default:
        check(false);
    }
    check(context != nullptr);
    /* Remember it; complete now or later, as the input says. */
    int slot = (action == WEB_SOCKET_SEND_TO_NETWORK_ACTION
                || action == WEB_SOCKET_INDICATE_SEND_COMPLETE_ACTION) ? 0 : 1;
    if (self.last[slot].context)
        complete(self, other, slot, 0xffffffff, true);
    pending &p = self.last[slot];
    p.context = context;
    p.action = action;
    p.count = action == WEB_SOCKET_INDICATE_RECEIVE_COMPLETE_ACTION
              || action == WEB_SOCKET_INDICATE_SEND_COMPLETE_ACTION ? 0 : count;
    memcpy(p.buffers, buffers, sizeof(p.buffers[0]) * (count < 4 ? count : 4));
    uint8_t how = in.byte();
    if (how & 1)
        return;     /* completed later (op 3) or by the next action */
    ULONG bytes = (how & 6) == 0 ? 0 : (how & 6) == 2 ? in.word() : 0xffffffff;
    complete(self, other, slot, bytes, true);
}

} /* namespace */

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static peer peers[2];
    reader in = { data, size, 0 };
    peer &client = peers[0], &server = peers[1];
    make(client, false, in);
    make(server, true, in);
    check(fuzz::connect(client.handle, server.handle));

    unsigned steps = 0;
    while (!in.empty() && steps++ < 2000)
    {
        uint8_t op = in.byte();
        int who = op & 1;
        peer &self = peers[who], &other = peers[!who];
        switch ((op >> 1) % 8)
        {
        case 0:
        {
            uint8_t t = in.byte();
            static const WEB_SOCKET_BUFFER_TYPE types[] = {
                WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE, WEB_SOCKET_UTF8_FRAGMENT_BUFFER_TYPE,
                WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, WEB_SOCKET_BINARY_FRAGMENT_BUFFER_TYPE,
                WEB_SOCKET_CLOSE_BUFFER_TYPE, WEB_SOCKET_PING_PONG_BUFFER_TYPE,
                WEB_SOCKET_UNSOLICITED_PONG_BUFFER_TYPE, (WEB_SOCKET_BUFFER_TYPE)0x80000007,
            };
            WEB_SOCKET_BUFFER buffer;
            uint16_t len = in.word();
            size_t offset = in.byte();
            if (t & 0x80)
                len = (uint16_t)(len % 300);
            WEB_SOCKET_BUFFER_TYPE type = types[t % 8];
            if (type == WEB_SOCKET_CLOSE_BUFFER_TYPE)
            {
                buffer.CloseStatus.pbReason = (t & 0x40) ? nullptr : payload + offset;
                buffer.CloseStatus.ulReasonLength = len % 130;
                buffer.CloseStatus.usStatus = (t & 0x20) ? 1000 : in.word();
            }
            else
            {
                buffer.Data.pbBuffer = (t & 0x40) && !len ? nullptr : payload + offset;
                buffer.Data.ulBufferLength = len;
            }
            WebSocketSend(self.handle, type, (t & 0x10) ? nullptr : &buffer, (PVOID)(uintptr_t)(0x1000 + steps));
            break;
        }
        case 1:
        {
            uint8_t t = in.byte();
            WEB_SOCKET_BUFFER buffer;
            buffer.Data.pbBuffer = self.receive_buffer;
            buffer.Data.ulBufferLength = t % sizeof(self.receive_buffer);
            WebSocketReceive(self.handle, (t & 1) ? &buffer : nullptr, (PVOID)(uintptr_t)(0x2000 + steps));
            break;
        }
        case 2:
        case 3:
            get_action(self, other, in);
            break;
        case 4:
        {
            uint8_t t = in.byte();
            if (t & 0x80)   /* a foreign or garbage context */
                WebSocketCompleteAction(self.handle, (t & 0x40) ? other.last[t & 1].context
                                                                : (PVOID)(uintptr_t)in.word(), in.word());
            else
                complete(self, other, t & 1, (t & 2) ? in.word() : 0xffffffff, !(t & 4));
            break;
        }
        case 5:
            WebSocketAbortHandle(self.handle);
            break;
        case 6:
        {
            /* Peer bytes injected straight into this handle's inbox. */
            size_t n = in.byte() % 64;
            if (n > in.size - in.pos)
                n = in.size - in.pos;
            push(self, in.data + in.pos, n);
            in.pos += n;
            break;
        }
        case 7:
            /* Drop what is in flight. */
            self.inbox_len = in.byte() & 1 ? 0 : self.inbox_len;
            break;
        }
    }
    /* Drain: Abort and fetch until NO_ACTION, bounded. */
    for (int who = 0; who < 2; who++)
    {
        peer &self = peers[who];
        WebSocketAbortHandle(self.handle);
        for (int i = 0; i < 2; i++)
            if (self.last[i].context)
                WebSocketCompleteAction(self.handle, self.last[i].context, 0);
        int n;
        for (n = 0; n < 64; n++)
        {
            WEB_SOCKET_BUFFER buffers[2];
            ULONG count = 2;
            WEB_SOCKET_ACTION action;
            WEB_SOCKET_BUFFER_TYPE type;
            PVOID application, context;
            if (WebSocketGetAction(self.handle, WEB_SOCKET_ALL_ACTION_QUEUE, buffers, &count, &action,
                    &type, &application, &context) != S_OK || action == WEB_SOCKET_NO_ACTION)
                break;
            check(action != WEB_SOCKET_SEND_TO_NETWORK_ACTION
                  && action != WEB_SOCKET_RECEIVE_FROM_NETWORK_ACTION);
            WebSocketCompleteAction(self.handle, context, 0);
        }
        check(n < 64);
        WebSocketDeleteHandle(self.handle);
        free(self.area);
    }
    return 0;
}
