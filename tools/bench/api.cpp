/*
 * API benchmark: messages through the public API, the codec alone, memcpy
 * and the installed peers, in one run
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

/* Not a test: prints throughput, never asserts it.
 *
 *   bench [--quick] [--reps N] [--only IMPL] [--size 16B|1KiB|64KiB|1MiB]
 *         [--payload binary|ascii|mixed] [--direction c2s|s2c]
 *
 * --only and --size restrict the run to the implementations whose name starts
 * with IMPL, or one of a comma-separated list (memcpy always runs; "api" is
 * both buffer settings; "api,beast" adds Boost.Beast), or to one
 * size, --payload to one kind of payload, --direction to the API cells of
 * one direction, e.g. for a profiler.
 * A second thread runs (and ends) before any cell: real programs have
 * several, and glibc's locks and the library's skip atomic instructions only
 * while a process has one thread, so without it the cells measured before the
 * Beast peer first starts its handshake thread would be flattered.
 * Single-threaded and in memory.  Every cell moves about 256 KiB of payload
 * per pass (16384 x 16 B, 256 x 1 KiB, 4 x 64 KiB, 1 x 1 MiB) and is the
 * median of N repetitions (default 5) of at least 100 ms (4 ms with --quick).
 *
 * impl       direction  what one message costs
 * memcpy     copy       memcpy of the payload into a second buffer
 * codec      send       client: header encode + fused copy+mask into a wire buffer
 * codec      recv       server: header decode + unmask out of the wire buffer (text: and
 *                       UTF-8 validation in the same pass)
 * codec      c2s        send then recv
 * api-def    c2s, s2c   WebSocketSend, GetAction/CompleteAction on both handles until the
 * api-64k               message is indicated, WebSocketReceive; SEND_TO_NETWORK buffers
 *                       copied into an in-memory "socket", RECEIVE_FROM_NETWORK filled from
 *                       it (api-def: default buffer sizes; api-64k: 65536 both ways)
 * <peer>     c2s        the same exchange through the peer's public API (peers.cpp)
 *
 * Output: one line per cell,
 *   impl direction payload size GB/s msgs/s ratio_to_memcpy ratio_to_best_peer
 * (the best peer is the fastest peer c2s cell of the same payload and size;
 * "-" when no peer ran; for text only peers that validate UTF-8 count). */

#include <algorithm>
#include <chrono>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>
#include <websocket.h>
#ifndef _WIN32
#include <pthread.h>
#endif

#include "bench_common.h"
#include "bench_util.h"
#include "cpu_features.h"
#include "frame_codec.h"
#include "masking.h"
#include "utf8_validator.h"

using namespace bench;

namespace {

const size_t sizes[] = { 16, 1024, 65536, 1048576 };
const char *const size_names[] = { "16B", "1KiB", "64KiB", "1MiB" };
constexpr int size_count = 4;
constexpr size_t pass_bytes = 256 * 1024;
constexpr size_t area_bytes = 1024 * 1024 + 64 * 1024;
const char *const payload_names[] = { "binary", "ascii", "mixed" };
constexpr int payload_count = 3;

bool failed;
const char *only_impl, *only_size, *only_payload, *only_direction;

/* --only takes a comma-separated list of name prefixes. */
bool wanted(const char *impl)
{
    if (!only_impl || !strcmp(impl, "memcpy"))
        return true;
    for (const char *p = only_impl; *p;)
    {
        size_t n = strcspn(p, ",");
        if (n && !strncmp(impl, p, n))
            return true;
        p += n + (p[n] == ',');
    }
    return false;
}

#ifdef _WIN32
DWORD WINAPI no_work(void *)
{
    return 0;
}
#else
void *no_work(void *)
{
    return nullptr;
}
#endif

/* Starts a thread and waits for it: from then on the process is multi-threaded. */
bool run_second_thread()
{
#ifdef _WIN32
    HANDLE thread = CreateThread(NULL, 0, no_work, NULL, 0, NULL);
    if (!thread)
        return false;
    WaitForSingleObject(thread, INFINITE);
    CloseHandle(thread);
    return true;
#else
    pthread_t thread;
    return !pthread_create(&thread, nullptr, no_work, nullptr) && !pthread_join(thread, nullptr);
#endif
}

/* An in-memory byte stream standing for a socket. */
struct byte_pipe
{
    uint8_t *data;
    size_t capacity, head, tail;

    void write(const uint8_t *p, size_t n)
    {
        if (n > capacity - tail)
        {
            failed = true;
            return;
        }
        memcpy(data + tail, p, n);
        tail += n;
    }
    size_t read(uint8_t *p, size_t n)
    {
        n = std::min(n, tail - head);
        memcpy(p, data + head, n);
        head += n;
        if (head == tail)
            head = tail = 0;
        return n;
    }
};

/* ---- the public API ---- */

struct api_pair
{
    WEB_SOCKET_HANDLE client, server;
};

bool open_pair(ULONG buffer_size, api_pair *pair)
{
    static char host_name[] = "Host", host_value[] = "localhost";
    ULONG receive = buffer_size, send = buffer_size;
    WEB_SOCKET_PROPERTY props[2] = {
        { WEB_SOCKET_RECEIVE_BUFFER_SIZE_PROPERTY_TYPE, &receive, sizeof(receive) },
        { WEB_SOCKET_SEND_BUFFER_SIZE_PROPERTY_TYPE, &send, sizeof(send) },
    };
    ULONG count = buffer_size ? 2 : 0;
    WEB_SOCKET_HTTP_HEADER *request, *response, all[16];
    ULONG request_count, response_count;

    pair->client = pair->server = NULL;
    if (WebSocketCreateClientHandle(count ? props : NULL, count, &pair->client) != S_OK
        || WebSocketCreateServerHandle(count ? props : NULL, count, &pair->server) != S_OK
        || WebSocketBeginClientHandshake(pair->client, NULL, 0, NULL, 0, NULL, 0, &request, &request_count) != S_OK
        || request_count > 15)
        return false;
    memcpy(all, request, request_count * sizeof(*request));
    all[request_count].pcName = host_name;
    all[request_count].ulNameLength = 4;
    all[request_count].pcValue = host_value;
    all[request_count].ulValueLength = 9;
    return WebSocketBeginServerHandshake(pair->server, NULL, NULL, 0, all, request_count + 1, &response,
                                         &response_count) == S_OK
        && WebSocketEndClientHandshake(pair->client, response, response_count, NULL, NULL, NULL) == S_OK
        && WebSocketEndServerHandshake(pair->server) == S_OK;
}

void close_pair(api_pair *pair)
{
    if (pair->client)
        WebSocketDeleteHandle(pair->client);
    if (pair->server)
        WebSocketDeleteHandle(pair->server);
}

/* Sends one message and carries out the send queue until it is indicated. */
bool api_send(WEB_SOCKET_HANDLE h, WEB_SOCKET_BUFFER_TYPE type, const uint8_t *payload, ULONG len,
              byte_pipe &wire)
{
    WEB_SOCKET_BUFFER buffer;
    buffer.Data.pbBuffer = (BYTE *)payload;
    buffer.Data.ulBufferLength = len;
    if (WebSocketSend(h, type, &buffer, NULL) != S_OK)
        return false;
    for (;;)
    {
        WEB_SOCKET_BUFFER buffers[2];
        ULONG count = 2;
        WEB_SOCKET_ACTION action;
        WEB_SOCKET_BUFFER_TYPE buffer_type;
        void *app_context, *action_context;
        if (WebSocketGetAction(h, WEB_SOCKET_SEND_ACTION_QUEUE, buffers, &count, &action, &buffer_type,
                               &app_context, &action_context) != S_OK)
            return false;
        if (action == WEB_SOCKET_SEND_TO_NETWORK_ACTION)
        {
            ULONG total = 0;
            for (ULONG i = 0; i < count; i++)
            {
                wire.write(buffers[i].Data.pbBuffer, buffers[i].Data.ulBufferLength);
                total += buffers[i].Data.ulBufferLength;
            }
            WebSocketCompleteAction(h, action_context, total);
        }
        else if (action == WEB_SOCKET_INDICATE_SEND_COMPLETE_ACTION)
        {
            WebSocketCompleteAction(h, action_context, 0);
            return true;
        }
        else
            return false;
    }
}

/* Receives one whole message (one WebSocketReceive per fragment indicated);
 * returns its length, or -1 on error.  The payload is read where it is
 * indicated, as a program consuming it would. */
long api_receive(WEB_SOCKET_HANDLE h, byte_pipe &wire, uint8_t *check)
{
    long received = 0;
    for (;;)
    {
        if (WebSocketReceive(h, NULL, NULL) != S_OK)
            return -1;
        for (;;)
        {
            WEB_SOCKET_BUFFER buffers[2];
            ULONG count = 2;
            WEB_SOCKET_ACTION action;
            WEB_SOCKET_BUFFER_TYPE type;
            void *app_context, *action_context;
            if (WebSocketGetAction(h, WEB_SOCKET_RECEIVE_ACTION_QUEUE, buffers, &count, &action, &type,
                                   &app_context, &action_context) != S_OK)
                return -1;
            if (action == WEB_SOCKET_RECEIVE_FROM_NETWORK_ACTION)
            {
                ULONG n = (ULONG)wire.read(buffers[0].Data.pbBuffer, buffers[0].Data.ulBufferLength);
                if (!n)
                    return -1;
                WebSocketCompleteAction(h, action_context, n);
                continue;
            }
            if (action != WEB_SOCKET_INDICATE_RECEIVE_COMPLETE_ACTION)
                return -1;
            ULONG len = buffers[0].Data.ulBufferLength;
            if (len)
                *check ^= buffers[0].Data.pbBuffer[len - 1];
            received += len;
            WebSocketCompleteAction(h, action_context, 0);
            if (type == WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE || type == WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE)
                return received;
            if (type != WEB_SOCKET_UTF8_FRAGMENT_BUFFER_TYPE && type != WEB_SOCKET_BINARY_FRAGMENT_BUFFER_TYPE)
                return -1;
            break;
        }
    }
}

/* ---- the codec alone ---- */

const uint8_t codec_key[4] = { 0x37, 0xfa, 0x21, 0x3d };

/* Client side: header + masked copy, frames back to back; returns the end. */
uint8_t *codec_send(const bench::message_set &set, uint8_t *wire)
{
    ws::frame_header h = {};
    h.fin = true;
    h.opcode = set.text ? ws::OP_TEXT : ws::OP_BINARY;
    h.masked = true;
    memcpy(h.mask_key, codec_key, 4);
    h.payload_length = set.size;
    for (size_t m = 0; m < set.count; m++)
    {
        wire += ws::encode_frame_header(h, wire);
        ws::mask_copy(wire, set.src + m * set.size, set.size, h.mask_key, 0);
        wire += set.size;
    }
    return wire;
}

/* Server side: decode each header, unmask the payload out of the wire,
 * validate text; returns the payload bytes accepted. */
size_t codec_receive(const bench::message_set &set, const uint8_t *wire, const uint8_t *end)
{
    ws::frame_decoder d;
    d.reset(ws::mask_policy::require_masked);
    size_t good = 0;
    for (size_t m = 0; m < set.count && wire < end; m++)
    {
        wire += d.feed(wire, (size_t)(end - wire));
        if (!d.complete())
            return 0;
        const ws::frame_header &h = d.header();
        uint8_t *out = set.dst + m * set.size;
        size_t len = (size_t)h.payload_length;
        if (set.text)
        {
            /* Unmasked and validated in one pass, as the engine does. */
            ws::utf8_validator v;
            v.reset();
            v.feed_masked(out, wire, len, h.mask_key, 0);
            if (v.finish() != ws::utf8_result::valid)
                return 0;
        }
        else
            ws::mask_copy(out, wire, len, h.mask_key, 0);
        wire += len;
        good += len;
        d.next();
    }
    return good;
}

/* ---- results ---- */

struct cell
{
    char impl[24];
    char direction[8];
    int payload, size;
    double gbps, msgs;
};

cell cells[512];
int cell_count;

void record(const char *impl, const char *direction, int payload, int size, double seconds, size_t count)
{
    if (cell_count == 512)
        return;
    cell &c = cells[cell_count++];
    snprintf(c.impl, sizeof(c.impl), "%s", impl);
    snprintf(c.direction, sizeof(c.direction), "%s", direction);
    c.payload = payload;
    c.size = size;
    c.msgs = count / seconds;
    c.gbps = (double)sizes[size] * count / seconds / 1e9;
}

} /* namespace */

int main(int argc, char **argv)
{
    bool quick = false;
    int reps = 5;
    for (int i = 1; i < argc; i++)
    {
        if (!strcmp(argv[i], "--quick"))
            quick = true;
        else if (!strcmp(argv[i], "--reps") && i + 1 < argc)
            reps = std::max(1, atoi(argv[++i]));
        else if (!strcmp(argv[i], "--only") && i + 1 < argc)
            only_impl = argv[++i];
        else if (!strcmp(argv[i], "--size") && i + 1 < argc)
            only_size = argv[++i];
        else if (!strcmp(argv[i], "--payload") && i + 1 < argc)
            only_payload = argv[++i];
        else if (!strcmp(argv[i], "--direction") && i + 1 < argc)
            only_direction = argv[++i];
        else
        {
            fprintf(stderr, "usage: %s [--quick] [--reps N] [--only IMPL] [--size 16B|1KiB|64KiB|1MiB]"
                    " [--payload binary|ascii|mixed] [--direction c2s|s2c]\n",
                    argv[0]);
            return 2;
        }
    }
    double min_time = quick ? 0.004 : 0.1;
    if (!run_second_thread())
    {
        fprintf(stderr, "cannot start a thread\n");
        return 1;
    }
    /* A core that was idle runs the first cell slower (measured: the first
     * cell 40 % below the same cell later in the run): busy it first. */
    for (double start = now(); now() - start < (quick ? 0.05 : 0.3);)
        clobber();

    uint8_t *payloads[payload_count];
    for (int p = 0; p < payload_count; p++)
        payloads[p] = (uint8_t *)malloc(area_bytes);
    uint8_t *dst = (uint8_t *)malloc(area_bytes);
    uint8_t *wire = (uint8_t *)malloc(2 * area_bytes);
    byte_pipe pipe = { (uint8_t *)malloc(2 * area_bytes), 2 * area_bytes, 0, 0 };
    if (!payloads[0] || !payloads[1] || !payloads[2] || !dst || !wire || !pipe.data)
    {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    memset(dst, 0, area_bytes);
    memset(wire, 0, 2 * area_bytes);
    memset(pipe.data, 0, pipe.capacity);

    api_pair pairs[2];
    const char *const pair_names[2] = { "api-def", "api-64k" };
    if (!open_pair(0, &pairs[0]) || !open_pair(65536, &pairs[1]))
    {
        fprintf(stderr, "cannot open a client/server pair\n");
        return 1;
    }

    const bench::peer *peer_list;
    size_t peer_count = bench::peers(&peer_list);
    rng r(42);
    volatile size_t sink = 0;
    uint8_t check = 0;

    for (int si = 0; si < size_count; si++)
    {
        if (only_size && strcmp(only_size, size_names[si]))
            continue;
        size_t size = sizes[si];
        size_t count = size >= pass_bytes ? 1 : pass_bytes / size;
        /* Fresh payloads for each size: whole characters in every message. */
        for (size_t m = 0; m < count; m++)
        {
            for (size_t i = 0; i < size; i++)
                payloads[0][m * size + i] = (uint8_t)r.next();
            for (size_t i = 0; i < size; i++)
                payloads[1][m * size + i] = (uint8_t)(0x20 + r.below(0x5f));
            mixed_text(r, payloads[2] + m * size, size);
        }
        for (int p = 0; p < payload_count; p++)
        {
            if (only_payload && strcmp(only_payload, payload_names[p]))
                continue;
            bench::message_set set = { payloads[p], dst, size, count, p != 0 };
            WEB_SOCKET_BUFFER_TYPE type = set.text ? WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE
                                                   : WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE;

            record("memcpy", "copy", p, si, time_pass([&] {
                for (size_t m = 0; m < count; m++)
                    memcpy(dst + m * size, set.src + m * size, size);
            }, min_time, reps), count);

            if (wanted("codec"))
            {
                record("codec", "send", p, si, time_pass([&] {
                    sink = sink + (size_t)(codec_send(set, wire) - wire);
                }, min_time, reps), count);
                uint8_t *end = codec_send(set, wire);
                record("codec", "recv", p, si, time_pass([&] {
                    size_t got = codec_receive(set, wire, end);
                    if (got != size * count)
                        failed = true;
                }, min_time, reps), count);
                record("codec", "c2s", p, si, time_pass([&] {
                    uint8_t *e = codec_send(set, wire);
                    if (codec_receive(set, wire, e) != size * count)
                        failed = true;
                }, min_time, reps), count);
            }

            for (int b = 0; b < 2; b++)
            {
                if (!wanted(pair_names[b]))
                    continue;
                for (int dir = 0; dir < 2; dir++)
                {
                    if (only_direction && strcmp(only_direction, dir ? "s2c" : "c2s"))
                        continue;
                    WEB_SOCKET_HANDLE from = dir ? pairs[b].server : pairs[b].client;
                    WEB_SOCKET_HANDLE to = dir ? pairs[b].client : pairs[b].server;
                    record(pair_names[b], dir ? "s2c" : "c2s", p, si, time_pass([&] {
                        for (size_t m = 0; m < count && !failed; m++)
                        {
                            if (!api_send(from, type, set.src + m * size, (ULONG)size, pipe)
                                || api_receive(to, pipe, &check) != (long)size)
                                failed = true;
                        }
                    }, min_time, reps), count);
                }
            }

            for (size_t k = 0; k < peer_count; k++)
            {
                const bench::peer &pe = peer_list[k];
                if ((set.text && !pe.text_checked) || !wanted(pe.name))
                    continue;
                if (!pe.prepare(set))
                {
                    fprintf(stderr, "%s: cannot set up\n", pe.name);
                    continue;
                }
                record(pe.name, "c2s", p, si, time_pass([&] {
                    if (pe.c2s(set) != size * count)
                        failed = true;
                }, min_time, reps), count);
                pe.release();
            }
            if (failed)
            {
                fprintf(stderr, "error: a message did not arrive intact (%s, %s)\n", payload_names[p],
                        size_names[si]);
                return 1;
            }
        }
    }

    printf("# bench: level %s, mask %s, utf8 %s; median of %d x >= %.0f ms; peers:",
           ws::simd_level_name(ws::cpu_simd_level()), ws::mask_active_kernel()->name,
           ws::utf8_active_kernel()->name, reps, min_time * 1000);
    for (size_t k = 0; k < peer_count; k++)
        printf(" %s", peer_list[k].name);
    printf("%s\n", peer_count ? "" : " none");
    printf("%-14s %-9s %-7s %-6s %9s %12s %8s %8s\n", "impl", "direction", "payload", "size", "GB/s", "msgs/s",
           "x_memcpy", "x_peer");
    for (int i = 0; i < cell_count; i++)
    {
        const cell &c = cells[i];
        double base = 0, best = 0;
        for (int j = 0; j < cell_count; j++)
        {
            const cell &o = cells[j];
            if (o.payload != c.payload || o.size != c.size)
                continue;
            if (!strcmp(o.impl, "memcpy"))
                base = o.gbps;
            for (size_t k = 0; k < peer_count; k++)
                if (!strcmp(o.impl, peer_list[k].name))
                    best = std::max(best, o.gbps);
        }
        char peer_ratio[16] = "-";
        if (best > 0)
            snprintf(peer_ratio, sizeof(peer_ratio), "%.2f", c.gbps / best);
        printf("%-14s %-9s %-7s %-6s %9.2f %12.0f %8.2f %8s\n", c.impl, c.direction, payload_names[c.payload],
               size_names[c.size], c.gbps, c.msgs, base > 0 ? c.gbps / base : 0.0, peer_ratio);
    }
    sink = sink + check;
    close_pair(&pairs[0]);
    close_pair(&pairs[1]);
    for (int p = 0; p < payload_count; p++)
        free(payloads[p]);
    free(dst);
    free(wire);
    free(pipe.data);
    return 0;
}
