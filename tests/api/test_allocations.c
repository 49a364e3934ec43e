/*
 * API tests: no heap allocation after create on any send or receive path
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
 * Linked with --wrap for malloc, calloc, realloc and free, so every heap call
 * the library makes is counted.  After the handles exist and the handshake is
 * done, a long exchange in both directions (all sizes, fragments, pings,
 * close) must not allocate once.
 *
 * Resource bounds: a hostile client's byte stream -- a frame claiming 2^63-1
 * bytes (and one claiming 2^63), endless fragments, a ping flood -- fed to a
 * server handle must not allocate, must be worked through in a bounded number
 * of GetAction calls per indication, and never hands out more than the
 * receive buffer at once.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <windows.h>
#include "websocket.h"
#include "client_request.h"

void *__real_malloc(size_t size);
void *__real_calloc(size_t count, size_t size);
void *__real_realloc(void *ptr, size_t size);
void __real_free(void *ptr);

static int counting, heap_calls;

void *__wrap_malloc(size_t size) { heap_calls += counting; return __real_malloc(size); }
void *__wrap_calloc(size_t count, size_t size) { heap_calls += counting; return __real_calloc(count, size); }
void *__wrap_realloc(void *ptr, size_t size) { heap_calls += counting; return __real_realloc(ptr, size); }
void __wrap_free(void *ptr) { heap_calls += counting && ptr; __real_free(ptr); }

/* Fixed-size in-memory links, so the test itself never allocates while counting. */
#define LINK_SIZE (4 << 20)
struct link
{
    unsigned char data[LINK_SIZE];
    size_t size, read;
};

struct end
{
    WEB_SOCKET_HANDLE handle;
    struct link *out, *in;
    unsigned char received[1 << 20];
    size_t received_size;
    int messages, pongs, closes;
    PVOID read_context;
    unsigned char *read_buffer;
    ULONG read_length;
};

static void drive(struct end *e, WEB_SOCKET_ACTION_QUEUE queue)
{
    for (;;)
    {
        WEB_SOCKET_BUFFER buffers[2];
        ULONG count = 2, i, total = 0;
        WEB_SOCKET_ACTION action;
        WEB_SOCKET_BUFFER_TYPE type;
        PVOID context;

        if (e->read_context && e->in->read < e->in->size)
        {
            ULONG n = e->in->size - e->in->read < e->read_length ? (ULONG)(e->in->size - e->in->read)
                                                                  : e->read_length;
            memcpy(e->read_buffer, e->in->data + e->in->read, n);
            e->in->read += n;
            context = e->read_context;
            e->read_context = NULL;
            WebSocketCompleteAction(e->handle, context, n);
        }
        assert_int_equal(WebSocketGetAction(e->handle, queue, buffers, &count, &action, &type, NULL, &context), S_OK);
        switch (action)
        {
        case WEB_SOCKET_NO_ACTION:
            return;
        case WEB_SOCKET_SEND_TO_NETWORK_ACTION:
            for (i = 0; i < count; i++)
            {
                assert_true(e->out->size + buffers[i].Data.ulBufferLength <= LINK_SIZE);
                memcpy(e->out->data + e->out->size, buffers[i].Data.pbBuffer, buffers[i].Data.ulBufferLength);
                e->out->size += buffers[i].Data.ulBufferLength;
                total += buffers[i].Data.ulBufferLength;
            }
            WebSocketCompleteAction(e->handle, context, total);
            break;
        case WEB_SOCKET_RECEIVE_FROM_NETWORK_ACTION:
            e->read_context = context;
            e->read_buffer = buffers[0].Data.pbBuffer;
            e->read_length = buffers[0].Data.ulBufferLength;
            if (e->in->read == e->in->size)
                return;
            break;
        case WEB_SOCKET_INDICATE_RECEIVE_COMPLETE_ACTION:
            if (type == WEB_SOCKET_PING_PONG_BUFFER_TYPE)
                e->pongs++;
            else if (type == WEB_SOCKET_CLOSE_BUFFER_TYPE)
                e->closes++;
            else
            {
                memcpy(e->received + e->received_size, buffers[0].Data.pbBuffer, buffers[0].Data.ulBufferLength);
                e->received_size += buffers[0].Data.ulBufferLength;
                if (type == WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE || type == WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE)
                    e->messages++;
            }
            WebSocketCompleteAction(e->handle, context, 0);
            break;
        default:
            WebSocketCompleteAction(e->handle, context, 0);
            break;
        }
    }
}

static struct end client, server;

static void settle(void)
{
    int round;
    for (round = 0; round < 10000; round++)
    {
        size_t before = client.out->size + server.out->size + client.in->read + server.in->read;
        drive(&client, WEB_SOCKET_ALL_ACTION_QUEUE);
        drive(&server, WEB_SOCKET_ALL_ACTION_QUEUE);
        if (before == client.out->size + server.out->size + client.in->read + server.in->read)
            return;
    }
}

static void receive_everything(struct end *e)
{
    /* One Receive per indication: keep one queued until the data is consumed. */
    for (;;)
    {
        int before = e->messages + e->pongs + e->closes;
        size_t got = e->received_size;
        if (!e->read_context)
            assert_int_equal(WebSocketReceive(e->handle, NULL, NULL), S_OK);
        settle();
        if (e->messages + e->pongs + e->closes == before && e->received_size == got)
            return;
    }
}

static void send_message(struct end *from, struct end *to, WEB_SOCKET_BUFFER_TYPE type, unsigned char *data,
                         ULONG length)
{
    WEB_SOCKET_BUFFER buffer;
    buffer.Data.pbBuffer = data;
    buffer.Data.ulBufferLength = length;
    assert_int_equal(WebSocketSend(from->handle, type, &buffer, NULL), S_OK);
    settle();
    receive_everything(to);
}

static void setup_pair(WEB_SOCKET_PROPERTY *props, ULONG count)
{
    static struct link a, b;
    WEB_SOCKET_HTTP_HEADER *response, all[8];
    ULONG request_count, response_count;

    memset(&client, 0, sizeof(client));
    memset(&server, 0, sizeof(server));
    a.size = a.read = b.size = b.read = 0;
    client.out = server.in = &a;
    server.out = client.in = &b;
    assert_int_equal(WebSocketCreateClientHandle(props, count, &client.handle), S_OK);
    assert_int_equal(WebSocketCreateServerHandle(props, count, &server.handle), S_OK);
    request_count = client_request(client.handle, all, 8);
    assert_true(request_count > 0);
    assert_int_equal(WebSocketBeginServerHandshake(server.handle, NULL, NULL, 0, all, request_count,
                                                   &response, &response_count), S_OK);
    assert_int_equal(WebSocketEndClientHandshake(client.handle, response, response_count, NULL, NULL, NULL), S_OK);
    assert_int_equal(WebSocketEndServerHandshake(server.handle), S_OK);
}

static void exchange_everything(void)
{
    static unsigned char payload[1 << 20];
    static const ULONG sizes[] = { 0, 1, 16, 125, 126, 1000, 65535, 65536, 300000 };
    WEB_SOCKET_BUFFER close;
    unsigned i, round;

    for (i = 0; i < sizeof(payload); i++)
        payload[i] = (unsigned char)('a' + i % 26);
    for (round = 0; round < 20; round++)
        for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
        {
            client.in->size = client.in->read = server.in->size = server.in->read = 0;
            client.received_size = server.received_size = 0;
            send_message(&client, &server, WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE, payload, sizes[i]);
            send_message(&server, &client, WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, payload, sizes[i]);
            send_message(&client, &server, WEB_SOCKET_BINARY_FRAGMENT_BUFFER_TYPE, payload, sizes[i] / 2);
            send_message(&client, &server, WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, payload, sizes[i] - sizes[i] / 2);
            assert_int_equal(server.received_size, 2 * sizes[i]);
            assert_int_equal(client.received_size, sizes[i]);
        }
    assert_int_equal(WebSocketSend(client.handle, WEB_SOCKET_PING_PONG_BUFFER_TYPE, NULL, NULL), S_OK);
    settle();
    receive_everything(&server);
    receive_everything(&client);
    assert_int_equal(client.pongs, 1);

    close.CloseStatus.pbReason = payload;
    close.CloseStatus.ulReasonLength = 10;
    close.CloseStatus.usStatus = 1000;
    assert_int_equal(WebSocketSend(server.handle, WEB_SOCKET_CLOSE_BUFFER_TYPE, &close, NULL), S_OK);
    settle();
    receive_everything(&client);
    assert_int_equal(client.closes, 1);
}

static void run(WEB_SOCKET_PROPERTY *props, ULONG count)
{
    setup_pair(props, count);
    heap_calls = 0;
    counting = 1;
    exchange_everything();
    counting = 0;
    assert_int_equal(heap_calls, 0);
    WebSocketDeleteHandle(client.handle);
    WebSocketDeleteHandle(server.handle);
}

static void test_default_buffers(void **state)
{
    (void)state;
    run(NULL, 0);
}

static void test_large_buffers(void **state)
{
    ULONG size = 65536;
    WEB_SOCKET_PROPERTY props[2] = {
        { WEB_SOCKET_RECEIVE_BUFFER_SIZE_PROPERTY_TYPE, &size, sizeof(size) },
        { WEB_SOCKET_SEND_BUFFER_SIZE_PROPERTY_TYPE, &size, sizeof(size) },
    };
    (void)state;
    run(props, 2);
}

static void test_counter_works(void **state)
{
    /* The wrap is live for the library too: creating a handle allocates. */
    WEB_SOCKET_HANDLE handle;
    (void)state;
    heap_calls = 0;
    counting = 1;
    assert_int_equal(WebSocketCreateServerHandle(NULL, 0, &handle), S_OK);
    WebSocketDeleteHandle(handle);
    counting = 0;
    assert_true(heap_calls >= 2);
}

/* ---- a hostile stream into a server handle ---- */

struct stream_stats
{
    uint64_t fed;              /* bytes given to the DLL */
    uint64_t indicated;        /* payload bytes indicated */
    unsigned long indications, pongs, get_actions, receives;
    ULONG largest;             /* largest single buffer handed out */
    HRESULT error;             /* GetAction's failure, S_OK if none */
    WEB_SOCKET_BUFFER_TYPE last_type;
};

/* Feed head, then repeat over and over, until total bytes went in or the DLL
 * fails; every action is carried out as a program would. */
static void feed_stream(WEB_SOCKET_HANDLE h, const unsigned char *head, size_t head_length,
                        const unsigned char *repeat, size_t repeat_length, uint64_t total,
                        struct stream_stats *st)
{
    int receiving = 0;
    memset(st, 0, sizeof(*st));
    for (;;)
    {
        WEB_SOCKET_BUFFER buffers[2];
        ULONG count = 2, i, n;
        WEB_SOCKET_ACTION action;
        WEB_SOCKET_BUFFER_TYPE type;
        PVOID context;
        HRESULT hr;

        if (!receiving)
        {
            assert_int_equal(WebSocketReceive(h, NULL, NULL), S_OK);
            st->receives++;
            receiving = 1;
        }
        hr = WebSocketGetAction(h, WEB_SOCKET_RECEIVE_ACTION_QUEUE, buffers, &count, &action, &type, NULL, &context);
        st->get_actions++;
        if (FAILED(hr))
        {
            st->error = hr;
            return;
        }
        for (i = 0; action != WEB_SOCKET_NO_ACTION && i < count; i++)
            if (buffers[i].Data.ulBufferLength > st->largest)
                st->largest = buffers[i].Data.ulBufferLength;
        switch (action)
        {
        case WEB_SOCKET_NO_ACTION:
            receiving = 0;
            break;
        case WEB_SOCKET_RECEIVE_FROM_NETWORK_ACTION:
            if (st->fed >= total)
                return;  /* all of it taken in and worked through */
            for (n = 0; n < buffers[0].Data.ulBufferLength && st->fed < total; n++, st->fed++)
                buffers[0].Data.pbBuffer[n] = st->fed < head_length
                        ? head[st->fed] : repeat[(st->fed - head_length) % repeat_length];
            WebSocketCompleteAction(h, context, n);
            break;
        case WEB_SOCKET_SEND_TO_NETWORK_ACTION:
            for (i = 0, n = 0; i < count; i++)
                n += buffers[i].Data.ulBufferLength;
            st->pongs++;
            WebSocketCompleteAction(h, context, n);
            break;
        case WEB_SOCKET_INDICATE_RECEIVE_COMPLETE_ACTION:
            st->indications++;
            st->last_type = type;
            if (type != WEB_SOCKET_CLOSE_BUFFER_TYPE)
                st->indicated += buffers[0].Data.ulBufferLength;
            WebSocketCompleteAction(h, context, 0);
            break;
        default:
            WebSocketCompleteAction(h, context, 0);
            break;
        }
    }
}

static WEB_SOCKET_HANDLE open_server(void)
{
    setup_pair(NULL, 0);
    WebSocketDeleteHandle(client.handle);
    return server.handle;
}

/* Each indication (or pong) takes a few GetAction calls, never a number
 * growing with the stream. */
static void assert_bounded(const struct stream_stats *st)
{
    assert_true(st->get_actions <= 4 * (st->indications + st->pongs) + 8);
    assert_true(st->largest <= 4096 + 14);
}

static void test_huge_length(void **state)
{
    /* A masked binary frame (key 0) of 2^63-1 bytes: streamed as fragments. */
    static const unsigned char head[] = { 0x82, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0 };
    static const unsigned char zero = 0;
    static const unsigned char too_long[] = { 0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
    struct stream_stats st;
    WEB_SOCKET_HANDLE h = open_server();
    (void)state;

    heap_calls = 0;
    counting = 1;
    feed_stream(h, head, sizeof(head), &zero, 1, 64u << 20, &st);
    counting = 0;
    assert_int_equal(heap_calls, 0);
    assert_int_equal(st.error, S_OK);
    assert_true(st.indicated == st.fed - sizeof(head));
    assert_int_equal(st.last_type, WEB_SOCKET_BINARY_FRAGMENT_BUFFER_TYPE);
    assert_bounded(&st);
    WebSocketDeleteHandle(h);

    /* 2^63: the length's top bit must be 0 (RFC 6455 5.2). */
    h = open_server();
    counting = 1;
    feed_stream(h, too_long, sizeof(too_long), &zero, 1, 1 << 20, &st);
    counting = 0;
    assert_int_equal(heap_calls, 0);
    assert_int_equal(st.error, E_INVALID_PROTOCOL_FORMAT);
    assert_int_equal(st.indications, 0);
    assert_true(st.get_actions < 8);
    WebSocketDeleteHandle(h);
}

static void test_endless_fragments(void **state)
{
    /* A text message begun and continued for ever, 10 bytes a frame. */
    static const unsigned char head[] = { 0x01, 0x81, 0, 0, 0, 0, 'a' };
    static const unsigned char more[] = { 0x00, 0x8a, 0, 0, 0, 0, 'f', 'r', 'a', 'g', 'm', 'e', 'n', 't', '.', '.' };
    struct stream_stats st;
    WEB_SOCKET_HANDLE h = open_server();
    uint64_t frames = 200000;
    (void)state;

    heap_calls = 0;
    counting = 1;
    feed_stream(h, head, sizeof(head), more, sizeof(more), sizeof(head) + frames * sizeof(more), &st);
    counting = 0;
    assert_int_equal(heap_calls, 0);
    assert_int_equal(st.error, S_OK);
    assert_true(st.indicated == 1 + frames * 10);
    assert_int_equal(st.last_type, WEB_SOCKET_UTF8_FRAGMENT_BUFFER_TYPE);
    assert_bounded(&st);
    WebSocketDeleteHandle(h);
}

static void test_ping_flood(void **state)
{
    /* Pings of 125 bytes back to back: each answered by one pong, in turn. */
    static unsigned char ping[2 + 4 + 125] = { 0x89, 0xfd };
    struct stream_stats st;
    WEB_SOCKET_HANDLE h = open_server();
    unsigned long pings = 50000;
    (void)state;

    memset(ping + 6, 'p', 125);
    heap_calls = 0;
    counting = 1;
    feed_stream(h, ping, 0, ping, sizeof(ping), (uint64_t)pings * sizeof(ping), &st);
    counting = 0;
    assert_int_equal(heap_calls, 0);
    assert_int_equal(st.error, S_OK);
    assert_int_equal(st.pongs, pings);
    assert_int_equal(st.indications, 0);
    assert_bounded(&st);
    WebSocketDeleteHandle(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counter_works),
        cmocka_unit_test(test_default_buffers),
        cmocka_unit_test(test_large_buffers),
        cmocka_unit_test(test_huge_length),
        cmocka_unit_test(test_endless_fragments),
        cmocka_unit_test(test_ping_flood),
    };
    return cmocka_run_group_tests_name("allocations", tests, NULL, NULL);
}
