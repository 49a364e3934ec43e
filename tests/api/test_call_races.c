/*
 * API tests: every pair of exported calls raced on one handle
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
 * A list of operations, each one exported call (or a GetAction and the
 * CompleteAction that answers it) with valid-looking arguments.  For every
 * unordered pair of them, the same one twice included, and for a client and a
 * server handle past their handshake: one thread loops on the first, one on
 * the second, a third on a random mix, all on the same fresh handle.  Then each
 * operation loops on a handle that another thread deletes under it.
 *
 * Nothing here checks what the protocol does: a call may fail, but only with
 * an HRESULT the API documents, and the process must not crash.  The point is
 * the per-handle lock: run under ThreadSanitizer (tools/check.sh does), any
 * engine state touched outside it is reported.
 *
 * The test's own rules, as an application's: the bytes written into a
 * RECEIVE_FROM_NETWORK buffer are written by the thread that got the action,
 * before it completes it; a context handed to another thread is published
 * only once completed (stale); garbage contexts carry queue bits 0 or 3, which
 * no live action has; and a handle that may be deleted gets no bytes written
 * into its buffers (they go with it).
 */

#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <windows.h>
#include "websocket.h"
#include "client_request.h"

/* Calls per thread and case (238 cases, three threads each): about 0.3 s
 * natively, 5 s under ThreadSanitizer, 3 s under valgrind. */
#define ITERATIONS 4000

/* The HRESULTs an operation may accept, as a mask.  Every argument here is
 * valid, so E_INVALIDARG is never one of them; E_HANDLE only where another
 * thread deletes the handle. */
enum
{
    R_OK = 1 << 0,          /* S_OK */
    R_OPERATION = 1 << 1,   /* E_INVALID_PROTOCOL_OPERATION: not in this state */
    R_FORMAT = 1 << 2,      /* E_INVALID_PROTOCOL_FORMAT: the received bytes broke a rule */
    R_HANDLE = 1 << 3,      /* E_HANDLE */
    R_MEMORY = 1 << 4,      /* E_OUTOFMEMORY */
};

/* What any call on an open handle may answer while others run. */
#define R_SESSION (R_OK | R_OPERATION | R_FORMAT | R_MEMORY)

static unsigned result_bit(HRESULT hr)
{
    if (hr == S_OK) return R_OK;
    if (hr == E_INVALID_PROTOCOL_OPERATION) return R_OPERATION;
    if (hr == E_INVALID_PROTOCOL_FORMAT) return R_FORMAT;
    if (hr == E_HANDLE) return R_HANDLE;
    if (hr == E_OUTOFMEMORY) return R_MEMORY;
    return 0;
}

/* One raced handle. */
struct race
{
    WEB_SOCKET_HANDLE handle;   /* set before the threads start, never changed */
    int server;                 /* the handle's role */
    int deleting;               /* another thread deletes it: E_HANDLE is fine, write nothing */
    char label[96];
    void *stale;                /* a completed action context (atomic) */
    ULONG fed;                  /* where in the peer's bytes the next receive starts (atomic) */
    unsigned calls;             /* calls made, for the deleter (atomic) */
    unsigned threads;           /* threads on it */
    unsigned started;           /* threads ready to go (atomic) */
    unsigned looping;           /* workers inside their loop (atomic) */
};

/* Actions seen, by WEB_SOCKET_ACTION value, over a whole test (atomic): the
 * races must have driven both queues for real, not only failed calls. */
static unsigned actions_seen[5];
/* Calls made, and those made while another worker was in its loop (atomic). */
static unsigned calls_made, calls_overlapped;

/* Failures of every thread; the main thread asserts there were none. */
static unsigned failures;
static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;

static void complain(const struct race *r, const char *what, const char *fmt, unsigned long value)
{
    unsigned seen = __atomic_fetch_add(&failures, 1, __ATOMIC_RELAXED);
    if (seen >= 20)
        return;
    pthread_mutex_lock(&report_lock);
    fprintf(stderr, "%s: %s: ", r->label, what);
    fprintf(stderr, fmt, value);
    fputc('\n', stderr);
    pthread_mutex_unlock(&report_lock);
}

static void expect(const struct race *r, const char *what, HRESULT hr, unsigned allowed)
{
    if (r->deleting)
        allowed |= R_HANDLE;
    if (!(result_bit(hr) & allowed))
        complain(r, what, "unexpected HRESULT %#lx", (unsigned long)(ULONG)hr);
}

/* xorshift32: each thread its own, seeded from the case. */
static unsigned next_random(unsigned *state)
{
    unsigned x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

/* ---- the operations ---------------------------------------------------- */

static const BYTE message_bytes[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07 };
static const BYTE close_reason[] = { 'r', 'a', 'c', 'e' };

static void op_send_binary(struct race *r, unsigned *rng)
{
    WEB_SOCKET_BUFFER buffer;
    (void)rng;
    buffer.Data.pbBuffer = (PBYTE)message_bytes;
    buffer.Data.ulBufferLength = sizeof(message_bytes);
    expect(r, "WebSocketSend(binary)",
           WebSocketSend(r->handle, WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, &buffer, r), R_SESSION);
}

/* A ping carries no payload of the caller's (the API takes no buffer for it). */
static void op_send_ping(struct race *r, unsigned *rng)
{
    (void)rng;
    expect(r, "WebSocketSend(ping)", WebSocketSend(r->handle, WEB_SOCKET_PING_PONG_BUFFER_TYPE, NULL, NULL),
           R_SESSION);
}

static void op_send_close(struct race *r, unsigned *rng)
{
    WEB_SOCKET_BUFFER buffer;
    (void)rng;
    buffer.CloseStatus.pbReason = (PBYTE)close_reason;
    buffer.CloseStatus.ulReasonLength = sizeof(close_reason);
    buffer.CloseStatus.usStatus = WEB_SOCKET_SUCCESS_CLOSE_STATUS;
    expect(r, "WebSocketSend(close)",
           WebSocketSend(r->handle, WEB_SOCKET_CLOSE_BUFFER_TYPE, &buffer, NULL), R_SESSION);
}

static void op_receive(struct race *r, unsigned *rng)
{
    (void)rng;
    expect(r, "WebSocketReceive", WebSocketReceive(r->handle, NULL, r), R_SESSION);
}

/* What the peer sends, frame after frame, over and over: a binary message,
 * a ping, a text message, an unsolicited pong and a binary message in two
 * fragments; masked towards a server. */
static const struct
{
    BYTE first;
    const char *payload;
} peer_frames[] = {
    { 0x82, "abc" }, { 0x89, "" }, { 0x81, "hi" }, { 0x8a, "p" }, { 0x02, "x" }, { 0x80, "y" },
};
static BYTE peer_bytes[2][64];  /* [masked] */
static ULONG peer_length[2];

static void make_peer_bytes(void)
{
    static const BYTE key[4] = { 0x5a, 0xa5, 0x3c, 0xc3 };
    unsigned masked, f, i;

    for (masked = 0; masked < 2; masked++)
    {
        BYTE *out = peer_bytes[masked];
        ULONG n = 0;
        for (f = 0; f < sizeof(peer_frames) / sizeof(peer_frames[0]); f++)
        {
            const char *payload = peer_frames[f].payload;
            ULONG length = (ULONG)strlen(payload);
            out[n++] = peer_frames[f].first;
            out[n++] = (BYTE)(length | (masked ? 0x80 : 0));
            if (masked)
                for (i = 0; i < 4; i++)
                    out[n++] = key[i];
            for (i = 0; i < length; i++)
                out[n++] = (BYTE)(payload[i] ^ (masked ? key[i % 4] : 0));
        }
        peer_length[masked] = n;
    }
}

/* The next few bytes of the peer's stream, where the last receive left it:
 * only the thread holding the RECEIVE_FROM_NETWORK action moves the
 * position, before it completes the action. */
static ULONG feed(struct race *r, unsigned *rng, BYTE *out, ULONG room)
{
    const BYTE *stream = peer_bytes[r->server];
    ULONG length = peer_length[r->server];
    ULONG at = __atomic_load_n(&r->fed, __ATOMIC_RELAXED), n = 1 + next_random(rng) % 24, i;

    if (n > room)
        n = room;
    for (i = 0; i < n; i++)
        out[i] = stream[(at + i) % length];
    __atomic_store_n(&r->fed, (at + n) % length, __ATOMIC_RELAXED);
    return n;
}

/* One GetAction on a queue, answered as an application would. */
static void take_action(struct race *r, unsigned *rng, WEB_SOCKET_ACTION_QUEUE queue, const char *what)
{
    WEB_SOCKET_BUFFER buffers[2];
    ULONG offered = 1 + next_random(rng) % 2, count = offered, bytes = 0, i;
    WEB_SOCKET_ACTION action;
    WEB_SOCKET_BUFFER_TYPE type;
    PVOID application, context;
    HRESULT hr;

    hr = WebSocketGetAction(r->handle, queue, buffers, &count, &action, &type, &application, &context);
    expect(r, what, hr, R_SESSION);
    if (hr != S_OK)
        return;
    if (action != WEB_SOCKET_NO_ACTION && count > offered)
        complain(r, what, "buffer count %lu past the offer", count);
    if ((unsigned)action < 5)
        __atomic_fetch_add(&actions_seen[action], 1, __ATOMIC_RELAXED);
    switch (action)
    {
    case WEB_SOCKET_NO_ACTION:
        return;
    case WEB_SOCKET_SEND_TO_NETWORK_ACTION:
        /* The bytes "went out": only their count matters. */
        for (i = 0; i < count && i < offered; i++)
            bytes += buffers[i].Data.ulBufferLength;
        break;
    case WEB_SOCKET_RECEIVE_FROM_NETWORK_ACTION:
        /* Now and then 0 bytes: the peer went away. */
        if (!r->deleting && next_random(rng) % 64)
            bytes = feed(r, rng, buffers[0].Data.pbBuffer, buffers[0].Data.ulBufferLength);
        break;
    case WEB_SOCKET_INDICATE_SEND_COMPLETE_ACTION:
    case WEB_SOCKET_INDICATE_RECEIVE_COMPLETE_ACTION:
        break;
    default:
        complain(r, what, "unknown action %lu", (unsigned long)action);
        return;
    }
    WebSocketCompleteAction(r->handle, context, bytes);
    __atomic_store_n(&r->stale, context, __ATOMIC_RELAXED);
}

static void op_send_queue(struct race *r, unsigned *rng)
{
    take_action(r, rng, WEB_SOCKET_SEND_ACTION_QUEUE, "WebSocketGetAction(send queue)");
}

static void op_receive_queue(struct race *r, unsigned *rng)
{
    take_action(r, rng, WEB_SOCKET_RECEIVE_ACTION_QUEUE, "WebSocketGetAction(receive queue)");
}

static void op_all_queues(struct race *r, unsigned *rng)
{
    take_action(r, rng, WEB_SOCKET_ALL_ACTION_QUEUE, "WebSocketGetAction(all queues)");
}

/* A context no live action has: one already completed, NULL, or garbage
 * whose low bits name no queue. */
static void op_complete_stale(struct race *r, unsigned *rng)
{
    unsigned pick = next_random(rng);
    uintptr_t garbage = (uintptr_t)pick << 2 | (pick & 1 ? 3 : 0);
    void *context;

    switch (pick % 4)
    {
    case 0: context = __atomic_load_n(&r->stale, __ATOMIC_RELAXED); break;
    case 1: context = NULL; break;
    case 2: context = &garbage; break;
    default: context = (void *)garbage; break;
    }
    WebSocketCompleteAction(r->handle, context, pick % 64);
}

static void op_abort(struct race *r, unsigned *rng)
{
    (void)rng;
    WebSocketAbortHandle(r->handle);
}

#define HEADER(name, value) { (PCHAR)(name), sizeof(name) - 1, (PCHAR)(value), sizeof(value) - 1 }

static void op_begin_client_handshake(struct race *r, unsigned *rng)
{
    static PCSTR subprotocols[] = { "chat" };
    WEB_SOCKET_HTTP_HEADER *headers;
    ULONG count;
    (void)rng;
    expect(r, "WebSocketBeginClientHandshake",
           WebSocketBeginClientHandshake(r->handle, subprotocols, 1, NULL, 0, NULL, 0, &headers, &count),
           R_SESSION);
}

static void op_end_client_handshake(struct race *r, unsigned *rng)
{
    static WEB_SOCKET_HTTP_HEADER response[] = {
        HEADER("Upgrade", "websocket"),
        HEADER("Connection", "Upgrade"),
        HEADER("Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="),
    };
    ULONG subprotocol;
    (void)rng;
    expect(r, "WebSocketEndClientHandshake",
           WebSocketEndClientHandshake(r->handle, response, 3, NULL, NULL, &subprotocol), R_SESSION);
}

static void op_begin_server_handshake(struct race *r, unsigned *rng)
{
    static WEB_SOCKET_HTTP_HEADER request[] = {
        HEADER("Host", "example.com"),
        HEADER("Upgrade", "websocket"),
        HEADER("Connection", "Upgrade"),
        HEADER("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
        HEADER("Sec-WebSocket-Version", "13"),
    };
    WEB_SOCKET_HTTP_HEADER *headers;
    ULONG count;
    (void)rng;
    expect(r, "WebSocketBeginServerHandshake",
           WebSocketBeginServerHandshake(r->handle, NULL, NULL, 0, request, 5, &headers, &count), R_SESSION);
}

static void op_end_server_handshake(struct race *r, unsigned *rng)
{
    (void)rng;
    expect(r, "WebSocketEndServerHandshake", WebSocketEndServerHandshake(r->handle), R_SESSION);
}

static void op_global_property(struct race *r, unsigned *rng)
{
    ULONG value = 0, size = sizeof(value);
    WEB_SOCKET_PROPERTY_TYPE type = next_random(rng) % 2 ? WEB_SOCKET_KEEPALIVE_INTERVAL_PROPERTY_TYPE
                                                         : WEB_SOCKET_SUPPORTED_VERSIONS_PROPERTY_TYPE;
    expect(r, "WebSocketGetGlobalProperty", WebSocketGetGlobalProperty(type, &value, &size), R_OK);
}

struct operation
{
    const char *name;
    void (*run)(struct race *r, unsigned *rng);
    int in_mix;     /* the random thread may pick it (not the ones that end the session) */
};

static const struct operation operations[] = {
    { "send binary", op_send_binary, 1 },
    { "send ping", op_send_ping, 1 },
    { "send close", op_send_close, 0 },
    { "receive", op_receive, 1 },
    { "send queue", op_send_queue, 1 },
    { "receive queue", op_receive_queue, 1 },
    { "all queues", op_all_queues, 1 },
    { "stale complete", op_complete_stale, 1 },
    { "abort", op_abort, 0 },
    { "begin client handshake", op_begin_client_handshake, 1 },
    { "end client handshake", op_end_client_handshake, 1 },
    { "begin server handshake", op_begin_server_handshake, 1 },
    { "end server handshake", op_end_server_handshake, 1 },
    { "global property", op_global_property, 1 },
};

#define OPERATION_COUNT (sizeof(operations) / sizeof(operations[0]))

/* ---- the races ---------------------------------------------------------- */

/* A handle of the role asked for, its handshake done with a peer in memory
 * that is deleted at once (the races never talk to it); NULL on failure. */
static WEB_SOCKET_HANDLE open_handle(int server)
{
    WEB_SOCKET_HANDLE ends[2] = { NULL, NULL };     /* client, server */
    WEB_SOCKET_HTTP_HEADER upgrade[8], *answer;
    ULONG lines = 0, answer_lines;
    int done = WebSocketCreateServerHandle(NULL, 0, &ends[1]) == S_OK
            && WebSocketCreateClientHandle(NULL, 0, &ends[0]) == S_OK
            && (lines = client_request(ends[0], upgrade, 8)) != 0
            && WebSocketBeginServerHandshake(ends[1], NULL, NULL, 0, upgrade, lines, &answer,
                                             &answer_lines) == S_OK
            && WebSocketEndServerHandshake(ends[1]) == S_OK
            && WebSocketEndClientHandshake(ends[0], answer, answer_lines, NULL, NULL, NULL) == S_OK;

    WebSocketDeleteHandle(ends[!server]);
    if (done)
        return ends[server];
    WebSocketDeleteHandle(ends[server]);
    return NULL;
}

struct worker
{
    pthread_t thread;
    struct race *race;
    int operation;              /* index, or -1 for the random mix */
    unsigned seed;
};

/* A start line: each thread spins until all are there, so that their loops
 * overlap (a barrier's wake-ups come later than a short loop takes). */
static void wait_for_all(struct race *r)
{
    __atomic_fetch_add(&r->started, 1, __ATOMIC_ACQ_REL);
    while (__atomic_load_n(&r->started, __ATOMIC_ACQUIRE) < r->threads)
        sched_yield();
}

static void *run_worker(void *arg)
{
    struct worker *w = arg;
    unsigned rng = w->seed | 1, overlapped = 0, i;

    wait_for_all(w->race);
    __atomic_fetch_add(&w->race->looping, 1, __ATOMIC_RELAXED);
    for (i = 0; i < ITERATIONS; i++)
    {
        unsigned op = (unsigned)w->operation;
        if (w->operation < 0)
            do
                op = next_random(&rng) % OPERATION_COUNT;
            while (!operations[op].in_mix);
        operations[op].run(w->race, &rng);
        __atomic_fetch_add(&w->race->calls, 1, __ATOMIC_RELEASE);
        overlapped += __atomic_load_n(&w->race->looping, __ATOMIC_RELAXED) > 1;
    }
    __atomic_fetch_sub(&w->race->looping, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&calls_made, ITERATIONS, __ATOMIC_RELAXED);
    __atomic_fetch_add(&calls_overlapped, overlapped, __ATOMIC_RELAXED);
    return NULL;
}

/* Deletes the handle once the workers have made `seed` calls between them. */
static void *run_deleter(void *arg)
{
    struct worker *w = arg;

    wait_for_all(w->race);
    while (__atomic_load_n(&w->race->calls, __ATOMIC_ACQUIRE) < w->seed)
        sched_yield();
    WebSocketDeleteHandle(w->race->handle);
    return NULL;
}

/* Starts the threads on one race, joins them. */
static void run_threads(struct worker *workers, unsigned count, void *(*const *bodies)(void *))
{
    unsigned i;

    workers[0].race->threads = count;
    for (i = 0; i < count; i++)
        assert_int_equal(pthread_create(&workers[i].thread, NULL, bodies[i], &workers[i]), 0);
    for (i = 0; i < count; i++)
        pthread_join(workers[i].thread, NULL);
}

static void start_counting(void)
{
    failures = 0;
    calls_made = calls_overlapped = 0;
    memset(actions_seen, 0, sizeof(actions_seen));
}

/* Every unordered pair of operations, plus the random mix, on one handle each. */
static void race_pairs(int server)
{
    static void *(*const bodies[3])(void *) = { run_worker, run_worker, run_worker };
    unsigned a, b, cases = 0, i;

    start_counting();
    for (a = 0; a < OPERATION_COUNT; a++)
        for (b = a; b < OPERATION_COUNT; b++)
        {
            struct race r;
            struct worker workers[3];

            memset(&r, 0, sizeof(r));
            memset(workers, 0, sizeof(workers));
            r.server = server;
            snprintf(r.label, sizeof(r.label), "%s handle, %s | %s | mix", server ? "server" : "client",
                     operations[a].name, operations[b].name);
            r.handle = open_handle(server);
            assert_non_null(r.handle);
            workers[0].operation = (int)a;
            workers[1].operation = (int)b;
            workers[2].operation = -1;
            for (i = 0; i < 3; i++)
            {
                workers[i].race = &r;
                workers[i].seed = (a * OPERATION_COUNT + b) * 7919u + i * 104729u + (unsigned)server;
            }
            run_threads(workers, 3, bodies);
            WebSocketDeleteHandle(r.handle);
            cases++;
        }
    print_message("%u pairs raced on a %s handle: %u calls, %u while another thread was looping;"
                  " actions none %u, send %u, send complete %u, receive %u, receive complete %u\n",
                  cases, server ? "server" : "client", calls_made, calls_overlapped, actions_seen[0],
                  actions_seen[1], actions_seen[2], actions_seen[3], actions_seen[4]);
    assert_int_equal(failures, 0);
    /* Frames went out and came in, not only refusals. */
    for (i = WEB_SOCKET_SEND_TO_NETWORK_ACTION; i <= WEB_SOCKET_INDICATE_RECEIVE_COMPLETE_ACTION; i++)
        assert_true(actions_seen[i] > 0);
}

/* Each operation from two threads while a third deletes the handle. */
static void race_delete(int server)
{
    static void *(*const bodies[3])(void *) = { run_worker, run_worker, run_deleter };
    unsigned a, i;

    start_counting();
    for (a = 0; a < OPERATION_COUNT; a++)
    {
        struct race r;
        struct worker workers[3];
        WEB_SOCKET_HANDLE stale;

        memset(&r, 0, sizeof(r));
        memset(workers, 0, sizeof(workers));
        r.server = server;
        r.deleting = 1;
        snprintf(r.label, sizeof(r.label), "%s handle, %s | delete", server ? "server" : "client",
                 operations[a].name);
        r.handle = open_handle(server);
        assert_non_null(r.handle);
        for (i = 0; i < 3; i++)
        {
            workers[i].race = &r;
            workers[i].operation = (int)a;
        }
        workers[0].seed = a * 31u + 1;
        workers[1].seed = a * 37u + 2;
        /* Somewhere in the first half of the calls, different for each operation. */
        workers[2].seed = 1 + (a * 97u + (unsigned)server * 41u) % ITERATIONS;
        run_threads(workers, 3, bodies);

        /* The handle is gone for good: every call on it says so. */
        stale = r.handle;
        expect(&r, "WebSocketReceive after the delete", WebSocketReceive(stale, NULL, NULL), R_HANDLE);
        expect(&r, "WebSocketEndServerHandshake after the delete", WebSocketEndServerHandshake(stale), R_HANDLE);
        WebSocketDeleteHandle(stale);   /* twice: a no-op */
    }
    print_message("%u operations raced against a delete on a %s handle: %u calls, %u while another"
                  " thread was looping\n", (unsigned)OPERATION_COUNT, server ? "server" : "client",
                  calls_made, calls_overlapped);
    assert_int_equal(failures, 0);
}

/* The role comes in the test's state: 0 client, 1 server. */
static void test_pairs(void **state)
{
    race_pairs(*(const int *)*state);
}

static void test_delete(void **state)
{
    race_delete(*(const int *)*state);
}

int main(void)
{
    static int client_role = 0, server_role = 1;
    const struct CMUnitTest tests[] = {
        { "client handle: every pair of calls", test_pairs, NULL, NULL, &client_role },
        { "server handle: every pair of calls", test_pairs, NULL, NULL, &server_role },
        { "client handle: every call against a delete", test_delete, NULL, NULL, &client_role },
        { "server handle: every call against a delete", test_delete, NULL, NULL, &server_role },
    };
    make_peer_bytes();
    return cmocka_run_group_tests_name("call_races", tests, NULL, NULL);
}
