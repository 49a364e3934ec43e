/*
 * API benchmark peer: wslay's frame API (libwslay)
 *
 * Copyright 2026 The websocket.dll authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* A client frame context masks each message into an in-memory "socket"
 * (wslay_frame_send, its own 4 KiB output buffer and send callback); a server
 * frame context reads it back (wslay_frame_recv: receive callback into its
 * own buffer, unmask) and the payload is copied out of the chunks it hands
 * back.  wslay's frame layer checks no UTF-8 (only its event layer does), so
 * this peer runs the binary payloads only. */

#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <wslay/wslay.h>

#include "bench_common.h"

namespace bench {
namespace {

struct memory_socket
{
    uint8_t *data;
    size_t capacity, head, tail;
};

memory_socket sock;
wslay_frame_context_ptr client_ctx, server_ctx;

ssize_t on_send(const uint8_t *data, size_t len, int, void *)
{
    if (len > sock.capacity - sock.tail)
        return -1;
    memcpy(sock.data + sock.tail, data, len);
    sock.tail += len;
    return (ssize_t)len;
}

ssize_t on_recv(uint8_t *buf, size_t len, int, void *)
{
    size_t n = sock.tail - sock.head;
    if (n > len)
        n = len;
    if (!n)
        return -1;
    memcpy(buf, sock.data + sock.head, n);
    sock.head += n;
    if (sock.head == sock.tail)
        sock.head = sock.tail = 0;
    return (ssize_t)n;
}

int on_genmask(uint8_t *buf, size_t len, void *)
{
    static const uint8_t key[4] = { 0x37, 0xfa, 0x21, 0x3d };
    for (size_t i = 0; i < len; i++)
        buf[i] = key[i & 3];
    return 0;
}

bool prepare(const message_set &set)
{
    static const wslay_frame_callbacks callbacks = { on_send, on_recv, on_genmask };
    sock.capacity = set.size + 64;
    sock.data = (uint8_t *)malloc(sock.capacity);
    sock.head = sock.tail = 0;
    if (!sock.data)
        return false;
    if (wslay_frame_context_init(&client_ctx, &callbacks, nullptr)
        || wslay_frame_context_init(&server_ctx, &callbacks, nullptr))
        return false;
    return true;
}

size_t c2s(const message_set &set)
{
    size_t total = 0;
    for (size_t m = 0; m < set.count; m++)
    {
        wslay_frame_iocb out = {};
        out.fin = 1;
        out.opcode = set.text ? WSLAY_TEXT_FRAME : WSLAY_BINARY_FRAME;
        out.mask = 1;
        out.payload_length = set.size;
        out.data = set.src + m * set.size;
        out.data_length = set.size;
        while (out.data_length)
        {
            ssize_t n = wslay_frame_send(client_ctx, &out);
            if (n <= 0)
                return 0;
            out.data += n;
            out.data_length -= (size_t)n;
        }
        uint8_t *dst = set.dst + m * set.size;
        size_t got = 0;
        while (got < set.size)
        {
            wslay_frame_iocb in = {};
            ssize_t n = wslay_frame_recv(server_ctx, &in);
            if (n < 0 || got + in.data_length > set.size)
                return 0;
            memcpy(dst + got, in.data, in.data_length);
            got += in.data_length;
        }
        total += got;
    }
    return total;
}

void release()
{
    wslay_frame_context_free(client_ctx);
    wslay_frame_context_free(server_ctx);
    free(sock.data);
    sock.data = nullptr;
}

} /* namespace */

extern const peer wslay_peer = { "wslay-frame", false, prepare, c2s, release };

} /* namespace bench */
