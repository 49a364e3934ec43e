/*
 * API tests: every allocation failure and every refusal of the system's
 * random number generator, on every path that can meet one
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
 * Linked with --wrap for malloc, calloc, realloc, free and getrandom.  The
 * module allocates only when a handle is created (the session, and a chunk of
 * the handle table every 256 slots) and for handshake headers.  For each
 * such call, the Nth heap call is made to fail for every N until the call
 * needs fewer: it must return E_OUTOFMEMORY, keep no memory (live blocks
 * counted), leave what it had handed out before intact, and succeed when
 * tried again.  A refused getrandom() fails the create, and a new client
 * key, a masked send and a masked pong that need a new seed, the same way.
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <cmocka.h>

#include <windows.h>
#include "websocket.h"
#include "client_request.h"

void *__real_malloc(size_t size);
void *__real_calloc(size_t count, size_t size);
void *__real_realloc(void *ptr, size_t size);
void __real_free(void *ptr);
ssize_t __real_getrandom(void *buf, size_t len, unsigned flags);

/* fail_at: the number of the heap call that fails (0: none); calls counts them. */
static int fail_at, calls, live;
static int random_refused;

static int failing(void)
{
    return fail_at && ++calls == fail_at;
}

void *__wrap_malloc(size_t size)
{
    void *p = failing() ? NULL : __real_malloc(size);
    live += p != NULL;
    return p;
}

void *__wrap_calloc(size_t count, size_t size)
{
    void *p = failing() ? NULL : __real_calloc(count, size);
    live += p != NULL;
    return p;
}

void *__wrap_realloc(void *ptr, size_t size)
{
    void *p = failing() ? NULL : __real_realloc(ptr, size);
    live += (p != NULL) - (ptr != NULL && p != NULL);
    return p;
}

void __wrap_free(void *ptr)
{
    live -= ptr != NULL;
    __real_free(ptr);
}

ssize_t __wrap_getrandom(void *buf, size_t len, unsigned flags)
{
    if (random_refused)
    {
        errno = EIO;
        return -1;
    }
    return __real_getrandom(buf, len, flags);
}

/* Runs op with the Nth heap call failing, for N = 1, 2, ... until op makes
 * fewer calls than N; returns how many N failed.  Each failure must be
 * E_OUTOFMEMORY and leave no block behind. */
typedef HRESULT (*operation)(void *arg);

static int fail_each_call(operation op, void *arg)
{
    int n, failures = 0;
    for (n = 1;; n++)
    {
        int before = live;
        HRESULT hr;
        calls = 0;
        fail_at = n;
        hr = op(arg);
        fail_at = 0;
        if (calls < n)
        {
            /* Nothing failed: the call went through. */
            assert_int_equal(hr, S_OK);
            return failures;
        }
        assert_int_equal(hr, E_OUTOFMEMORY);
        assert_int_equal(live, before);
        failures++;
    }
}

struct create_args
{
    BOOL server;
    WEB_SOCKET_HANDLE handle;
};

static HRESULT create(void *arg)
{
    struct create_args *a = arg;
    a->handle = (WEB_SOCKET_HANDLE)0x5a5a;
    HRESULT hr = a->server ? WebSocketCreateServerHandle(NULL, 0, &a->handle)
                           : WebSocketCreateClientHandle(NULL, 0, &a->handle);
    /* Nothing is written on failure. */
    if (hr != S_OK)
        assert_ptr_equal(a->handle, (WEB_SOCKET_HANDLE)0x5a5a);
    return hr;
}

/* Every heap call of a create fails in turn: the session, then the handle
 * table's first chunk (this is the process's first handle), then again for
 * every 256th slot, when the next chunk is made. */
static void test_create(void **state)
{
    struct create_args a = { FALSE, NULL };
    WEB_SOCKET_HANDLE held[300];
    int i, failures;
    (void)state;

    assert_int_equal(fail_each_call(create, &a), 2);
    WebSocketDeleteHandle(a.handle);
    a.server = TRUE;
    assert_int_equal(fail_each_call(create, &a), 1);
    held[0] = a.handle;

    /* Up to the next chunk: the create that needs it fails at its second call. */
    failures = 0;
    for (i = 1; i < 300; i++)
    {
        a.server = i & 1;
        failures = fail_each_call(create, &a);
        held[i] = a.handle;
        if (failures == 2)
            break;
        assert_int_equal(failures, 1);
    }
    assert_int_equal(failures, 2);
    assert_int_equal(i, 256);
    /* The table is whole: every handle made still works, and goes. */
    for (; i >= 0; i--)
    {
        assert_int_equal(WebSocketReceive(held[i], NULL, NULL), E_INVALID_PROTOCOL_OPERATION);
        WebSocketDeleteHandle(held[i]);
        assert_int_equal(WebSocketReceive(held[i], NULL, NULL), E_HANDLE);
    }
}

struct begin_client_args
{
    WEB_SOCKET_HANDLE handle;
    PWEB_SOCKET_HTTP_HEADER headers;
    ULONG count;
};

static HRESULT begin_client(void *arg)
{
    static PCSTR protocols[] = { "chat", "superchat" };
    struct begin_client_args *a = arg;
    return WebSocketBeginClientHandshake(a->handle, protocols, 2, NULL, 0, NULL, 0, &a->headers, &a->count);
}

static void copy_headers(const WEB_SOCKET_HTTP_HEADER *headers, ULONG count, char *out, size_t size)
{
    ULONG i;
    size_t used = 0;
    for (i = 0; i < count; i++)
    {
        assert_true(used + headers[i].ulNameLength + headers[i].ulValueLength + 2 < size);
        memcpy(out + used, headers[i].pcName, headers[i].ulNameLength);
        used += headers[i].ulNameLength;
        out[used++] = ':';
        memcpy(out + used, headers[i].pcValue, headers[i].ulValueLength);
        used += headers[i].ulValueLength;
        out[used++] = '\n';
    }
    out[used] = 0;
}

/* BeginClientHandshake allocates three times (the offer, the protocol list,
 * the header block); EndClientHandshake once (its view of the response). */
static void test_client_handshake(void **state)
{
    struct begin_client_args a;
    WEB_SOCKET_HANDLE server;
    PWEB_SOCKET_HTTP_HEADER first, response;
    ULONG first_count, response_count, selected = 99, extensions = 0;
    char saved[1024], again[1024];
    HRESULT hr;
    int i, before;
    (void)state;

    assert_int_equal(WebSocketCreateClientHandle(NULL, 0, &a.handle), S_OK);
    assert_int_equal(WebSocketCreateServerHandle(NULL, 0, &server), S_OK);
    assert_int_equal(begin_client(&a), S_OK);
    first = a.headers;
    first_count = a.count;
    copy_headers(first, first_count, saved, sizeof(saved));

    /* A second Begin that fails, at any of its three allocations, leaves the
     * first one's headers as they were; tried again, it goes through. */
    for (i = 1; i <= 3; i++)
    {
        int before = live;
        calls = 0;
        fail_at = i;
        hr = begin_client(&a);
        fail_at = 0;
        assert_int_equal(hr, E_OUTOFMEMORY);
        assert_int_equal(live, before);
        copy_headers(first, first_count, again, sizeof(again));
        assert_string_equal(again, saved);
    }
    assert_int_equal(fail_each_call(begin_client, &a), 3);

    assert_int_equal(WebSocketBeginServerHandshake(server, "chat", NULL, 0, a.headers, a.count, &response,
                                                   &response_count), S_OK);
    before = live;
    calls = 0;
    fail_at = 1;
    hr = WebSocketEndClientHandshake(a.handle, response, response_count, NULL, &extensions, &selected);
    fail_at = 0;
    assert_int_equal(hr, E_OUTOFMEMORY);
    assert_int_equal(calls, 1);
    assert_int_equal(live, before);
    assert_int_equal(selected, 99);
    /* Still waiting for the response: it goes through now. */
    assert_int_equal(WebSocketEndClientHandshake(a.handle, response, response_count, NULL, &extensions,
                                                 &selected), S_OK);
    assert_int_equal(selected, 0);
    WebSocketDeleteHandle(a.handle);
    WebSocketDeleteHandle(server);
}

struct begin_server_args
{
    WEB_SOCKET_HANDLE handle;
    WEB_SOCKET_HTTP_HEADER request[8];
    ULONG request_count;
    PWEB_SOCKET_HTTP_HEADER response;
    ULONG count;
};

static HRESULT begin_server(void *arg)
{
    struct begin_server_args *a = arg;
    a->response = NULL;
    a->count = 77;
    HRESULT hr = WebSocketBeginServerHandshake(a->handle, NULL, NULL, 0, a->request, a->request_count,
                                               &a->response, &a->count);
    if (hr != S_OK)
        assert_true(a->response == NULL && a->count == 77);
    return hr;
}

/* BeginServerHandshake allocates twice (its view of the request, the header block). */
static void test_server_handshake(void **state)
{
    struct begin_server_args a;
    WEB_SOCKET_HANDLE client;
    (void)state;

    assert_int_equal(WebSocketCreateClientHandle(NULL, 0, &client), S_OK);
    assert_int_equal(WebSocketCreateServerHandle(NULL, 0, &a.handle), S_OK);
    a.request_count = client_request(client, a.request, 8);
    assert_true(a.request_count > 0);
    assert_int_equal(fail_each_call(begin_server, &a), 2);
    assert_int_equal(a.count, 3);
    assert_int_equal(WebSocketEndServerHandshake(a.handle), S_OK);
    WebSocketDeleteHandle(a.handle);
    WebSocketDeleteHandle(client);
}

/* The system refuses randomness: the create's first draw fails it. */
static void test_random_refused_at_create(void **state)
{
    WEB_SOCKET_HANDLE h = (WEB_SOCKET_HANDLE)0x5a5a;
    int before = live;
    (void)state;

    random_refused = 1;
    assert_int_equal(WebSocketCreateClientHandle(NULL, 0, &h), E_OUTOFMEMORY);
    assert_int_equal(WebSocketCreateServerHandle(NULL, 0, &h), E_OUTOFMEMORY);
    random_refused = 0;
    assert_ptr_equal(h, (WEB_SOCKET_HANDLE)0x5a5a);
    assert_int_equal(live, before);
    assert_int_equal(WebSocketCreateClientHandle(NULL, 0, &h), S_OK);
    WebSocketDeleteHandle(h);
}

/* A handle's random bytes come from a seed drawn at create, which serves
 * 65536 bytes (RANDOM_RESEED_BYTES in entropy.h); a client key takes 16 of
 * them, after the create's 4: the 4096th Begin needs a new seed, and it is
 * refused. */
static void test_random_refused_for_key(void **state)
{
    WEB_SOCKET_HANDLE h;
    PWEB_SOCKET_HTTP_HEADER headers;
    ULONG count, i;
    (void)state;

    assert_int_equal(WebSocketCreateClientHandle(NULL, 0, &h), S_OK);
    for (i = 0; i < 4095; i++)
        assert_int_equal(WebSocketBeginClientHandshake(h, NULL, 0, NULL, 0, NULL, 0, &headers, &count), S_OK);
    random_refused = 1;
    assert_int_equal(WebSocketBeginClientHandshake(h, NULL, 0, NULL, 0, NULL, 0, &headers, &count), E_OUTOFMEMORY);
    random_refused = 0;
    assert_int_equal(WebSocketBeginClientHandshake(h, NULL, 0, NULL, 0, NULL, 0, &headers, &count), S_OK);
    WebSocketDeleteHandle(h);
}

/* A client and a server handle after the handshake. */
static void connect_pair(WEB_SOCKET_HANDLE *client, WEB_SOCKET_HANDLE *server)
{
    WEB_SOCKET_HTTP_HEADER request[8];
    PWEB_SOCKET_HTTP_HEADER response;
    ULONG count, response_count, selected, extensions = 0;

    assert_int_equal(WebSocketCreateClientHandle(NULL, 0, client), S_OK);
    assert_int_equal(WebSocketCreateServerHandle(NULL, 0, server), S_OK);
    count = client_request(*client, request, 8);
    assert_int_equal(WebSocketBeginServerHandshake(*server, NULL, NULL, 0, request, count, &response,
                                                   &response_count), S_OK);
    assert_int_equal(WebSocketEndServerHandshake(*server), S_OK);
    assert_int_equal(WebSocketEndClientHandshake(*client, response, response_count, NULL, &extensions,
                                                 &selected), S_OK);
}

/* Sends an empty binary message and takes its frame and indication. */
static void send_one(WEB_SOCKET_HANDLE h, BYTE *wire, ULONG *wire_length)
{
    WEB_SOCKET_BUFFER buffers[2], message = { 0 };
    ULONG count, i;
    WEB_SOCKET_ACTION action;
    WEB_SOCKET_BUFFER_TYPE type;
    PVOID context;

    message.Data.pbBuffer = (BYTE *)"";
    assert_int_equal(WebSocketSend(h, WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, &message, NULL), S_OK);
    *wire_length = 0;
    for (;;)
    {
        count = 2;
        assert_int_equal(WebSocketGetAction(h, WEB_SOCKET_SEND_ACTION_QUEUE, buffers, &count, &action, &type,
                                            NULL, &context), S_OK);
        if (action == WEB_SOCKET_NO_ACTION)
            return;
        for (i = 0; action == WEB_SOCKET_SEND_TO_NETWORK_ACTION && i < count; i++)
        {
            memcpy(wire + *wire_length, buffers[i].Data.pbBuffer, buffers[i].Data.ulBufferLength);
            *wire_length += buffers[i].Data.ulBufferLength;
        }
        WebSocketCompleteAction(h, context, action == WEB_SOCKET_SEND_TO_NETWORK_ACTION ? *wire_length : 0);
    }
}

/* A client's masking key comes from the handle's random bytes: the send
 * that needs a new seed is refused; a pong answering a ping likewise fails
 * the receive queue. */
static void test_random_refused_for_mask(void **state)
{
    static const BYTE ping[] = { 0x89, 0x00 };
    WEB_SOCKET_HANDLE client, server;
    WEB_SOCKET_BUFFER buffers[2], message = { 0 };
    ULONG count, length, i;
    WEB_SOCKET_ACTION action;
    WEB_SOCKET_BUFFER_TYPE type;
    PVOID context;
    BYTE wire[64];
    (void)state;

    connect_pair(&client, &server);
    /* 4 bytes drawn at create, 16 for the key: 16379 keys of 4 use up the seed. */
    for (i = 0; i < 16379; i++)
        send_one(client, wire, &length);
    random_refused = 1;
    message.Data.pbBuffer = (BYTE *)"";
    assert_int_equal(WebSocketSend(client, WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, &message, NULL), E_OUTOFMEMORY);

    /* The pong for a ping needs a key too: the receive queue fails. */
    assert_int_equal(WebSocketReceive(client, NULL, NULL), S_OK);
    count = 2;
    assert_int_equal(WebSocketGetAction(client, WEB_SOCKET_RECEIVE_ACTION_QUEUE, buffers, &count, &action,
                                        &type, NULL, &context), S_OK);
    assert_int_equal(action, WEB_SOCKET_RECEIVE_FROM_NETWORK_ACTION);
    memcpy(buffers[0].Data.pbBuffer, ping, sizeof(ping));
    WebSocketCompleteAction(client, context, sizeof(ping));
    count = 2;
    assert_int_equal(WebSocketGetAction(client, WEB_SOCKET_RECEIVE_ACTION_QUEUE, buffers, &count, &action,
                                        &type, NULL, &context), E_OUTOFMEMORY);
    random_refused = 0;
    /* Randomness is back: sends go out again. */
    send_one(client, wire, &length);
    assert_int_equal(length, 6);
    WebSocketDeleteHandle(client);
    WebSocketDeleteHandle(server);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        /* First: it counts on being the process's first handle. */
        cmocka_unit_test(test_create),
        cmocka_unit_test(test_client_handshake),
        cmocka_unit_test(test_server_handshake),
        cmocka_unit_test(test_random_refused_at_create),
        cmocka_unit_test(test_random_refused_for_key),
        cmocka_unit_test(test_random_refused_for_mask),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
