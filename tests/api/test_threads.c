/*
 * API tests: one handle's send and receive queues driven from two threads
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
 * The client handle's send queue runs on one thread and its receive queue on
 * another, as .NET and thread-pool servers drive them; a third thread echoes
 * on the server handle.  Thousands of messages must come back intact and in
 * order.  Run under ThreadSanitizer this also proves the locking.
 */

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <cmocka.h>

#include <windows.h>
#include "websocket.h"
#include "client_request.h"

#define MESSAGES 4000

/* A blocking byte stream between two handles. */
struct stream
{
    pthread_mutex_t lock;
    pthread_cond_t ready;
    unsigned char *data;
    size_t size, read, capacity;
};

static void stream_init(struct stream *s)
{
    memset(s, 0, sizeof(*s));
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->ready, NULL);
}

static void stream_write(struct stream *s, const void *data, size_t len)
{
    pthread_mutex_lock(&s->lock);
    if (s->size + len > s->capacity)
    {
        s->capacity = (s->size + len) * 2;
        s->data = realloc(s->data, s->capacity);
    }
    memcpy(s->data + s->size, data, len);
    s->size += len;
    pthread_cond_broadcast(&s->ready);
    pthread_mutex_unlock(&s->lock);
}

static ULONG stream_read(struct stream *s, void *out, ULONG max)
{
    ULONG n;
    pthread_mutex_lock(&s->lock);
    while (s->read == s->size)
        pthread_cond_wait(&s->ready, &s->lock);
    n = s->size - s->read < max ? (ULONG)(s->size - s->read) : max;
    memcpy(out, s->data + s->read, n);
    s->read += n;
    pthread_mutex_unlock(&s->lock);
    return n;
}

struct peer
{
    WEB_SOCKET_HANDLE handle;
    struct stream *out, *in;
};

/* Runs one queue until the operation it serves ends; a receive appends the
 * indicated bytes to data and counts them in size. */
static void run_queue(struct peer *p, WEB_SOCKET_ACTION_QUEUE queue, unsigned char *data, size_t *size)
{
    for (;;)
    {
        WEB_SOCKET_BUFFER buffers[2];
        ULONG count = 2, i, total = 0;
        WEB_SOCKET_ACTION action;
        WEB_SOCKET_BUFFER_TYPE type;
        PVOID context;
        HRESULT hr = WebSocketGetAction(p->handle, queue, buffers, &count, &action, &type, NULL, &context);
        assert_int_equal(hr, S_OK);
        switch (action)
        {
        case WEB_SOCKET_NO_ACTION:
            sched_yield();
            break;
        case WEB_SOCKET_SEND_TO_NETWORK_ACTION:
            for (i = 0; i < count; i++)
            {
                stream_write(p->out, buffers[i].Data.pbBuffer, buffers[i].Data.ulBufferLength);
                total += buffers[i].Data.ulBufferLength;
            }
            WebSocketCompleteAction(p->handle, context, total);
            break;
        case WEB_SOCKET_INDICATE_SEND_COMPLETE_ACTION:
            WebSocketCompleteAction(p->handle, context, 0);
            return;
        case WEB_SOCKET_RECEIVE_FROM_NETWORK_ACTION:
            WebSocketCompleteAction(p->handle, context,
                                    stream_read(p->in, buffers[0].Data.pbBuffer, buffers[0].Data.ulBufferLength));
            break;
        case WEB_SOCKET_INDICATE_RECEIVE_COMPLETE_ACTION:
            memcpy(data + *size, buffers[0].Data.pbBuffer, buffers[0].Data.ulBufferLength);
            *size += buffers[0].Data.ulBufferLength;
            WebSocketCompleteAction(p->handle, context, 0);
            if (type == WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE || type == WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE)
                return;
            if (type != WEB_SOCKET_BINARY_FRAGMENT_BUFFER_TYPE && type != WEB_SOCKET_UTF8_FRAGMENT_BUFFER_TYPE)
                fail_msg("unexpected buffer type %#x", type);
            /* A fragment ends this receive: ask for the rest. */
            assert_int_equal(WebSocketReceive(p->handle, NULL, NULL), S_OK);
            break;
        default:
            fail_msg("unexpected action %d", action);
        }
    }
}

static size_t make_message(unsigned index, unsigned char *out)
{
    size_t len = 1 + (index * 37) % 3000, i;
    for (i = 0; i < len; i++)
        out[i] = (unsigned char)(index + i * 7);
    return len;
}

static struct peer client, server;

static void *client_sender(void *arg)
{
    unsigned char message[3000];
    unsigned i;
    (void)arg;
    for (i = 0; i < MESSAGES; i++)
    {
        WEB_SOCKET_BUFFER buffer;
        buffer.Data.pbBuffer = message;
        buffer.Data.ulBufferLength = (ULONG)make_message(i, message);
        assert_int_equal(WebSocketSend(client.handle, WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, &buffer, NULL), S_OK);
        run_queue(&client, WEB_SOCKET_SEND_ACTION_QUEUE, NULL, NULL);
    }
    return NULL;
}

static void *client_receiver(void *arg)
{
    unsigned char expected[3000], got[3000];
    unsigned i, *bad = arg;
    for (i = 0; i < MESSAGES; i++)
    {
        size_t len = make_message(i, expected), size = 0;
        assert_int_equal(WebSocketReceive(client.handle, NULL, NULL), S_OK);
        run_queue(&client, WEB_SOCKET_RECEIVE_ACTION_QUEUE, got, &size);
        if (size != len || memcmp(got, expected, len))
            (*bad)++;
    }
    return NULL;
}

static void *server_echo(void *arg)
{
    unsigned char data[3000];
    unsigned i;
    (void)arg;
    for (i = 0; i < MESSAGES; i++)
    {
        WEB_SOCKET_BUFFER buffer;
        size_t size = 0;
        assert_int_equal(WebSocketReceive(server.handle, NULL, NULL), S_OK);
        run_queue(&server, WEB_SOCKET_RECEIVE_ACTION_QUEUE, data, &size);
        buffer.Data.pbBuffer = data;
        buffer.Data.ulBufferLength = (ULONG)size;
        assert_int_equal(WebSocketSend(server.handle, WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, &buffer, NULL), S_OK);
        run_queue(&server, WEB_SOCKET_SEND_ACTION_QUEUE, NULL, NULL);
    }
    return NULL;
}

static void handshake(void)
{
    WEB_SOCKET_HTTP_HEADER *response, all[8];
    ULONG request_count, response_count;

    assert_int_equal(WebSocketCreateClientHandle(NULL, 0, &client.handle), S_OK);
    assert_int_equal(WebSocketCreateServerHandle(NULL, 0, &server.handle), S_OK);
    request_count = client_request(client.handle, all, 8);
    assert_true(request_count > 0);
    assert_int_equal(WebSocketBeginServerHandshake(server.handle, NULL, NULL, 0, all, request_count,
                                                   &response, &response_count), S_OK);
    assert_int_equal(WebSocketEndClientHandshake(client.handle, response, response_count, NULL, NULL, NULL), S_OK);
    assert_int_equal(WebSocketEndServerHandshake(server.handle), S_OK);
}

static void test_send_and_receive_threads(void **state)
{
    static struct stream to_server, to_client;
    pthread_t sender, receiver, echo;
    unsigned bad = 0;
    (void)state;

    stream_init(&to_server);
    stream_init(&to_client);
    handshake();
    client.out = &to_server;
    client.in = &to_client;
    server.out = &to_client;
    server.in = &to_server;

    pthread_create(&echo, NULL, server_echo, NULL);
    pthread_create(&receiver, NULL, client_receiver, &bad);
    pthread_create(&sender, NULL, client_sender, NULL);
    pthread_join(sender, NULL);
    pthread_join(receiver, NULL);
    pthread_join(echo, NULL);
    assert_int_equal(bad, 0);

    WebSocketDeleteHandle(client.handle);
    WebSocketDeleteHandle(server.handle);
    free(to_server.data);
    free(to_client.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_send_and_receive_threads),
    };
    return cmocka_run_group_tests_name("threads", tests, NULL, NULL);
}
