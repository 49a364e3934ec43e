/*
 * Conformance tests for websocket.dll
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
 * Wine-style: the expectations are what Windows does; checks this
 * implementation does not pass yet are marked todo_wine.  Only the public
 * header is used, so the file builds for Windows, for Wine and natively.
 * Where Windows is silent, the expectations are the choices written in the
 * README's "Behaviour" section (E_HANDLE for bad handles, E_INVALIDARG for
 * bad arguments, E_INVALID_PROTOCOL_OPERATION for calls in the wrong state...),
 * and each such check is marked as one (choice_ok(), choice(); see "Choices"
 * below): run on Windows, the program says which choices Windows confirms.
 *
 * The checks of real-clients.md section 7 and the tests covering them:
 *
 *   1  all 13 exported by name        test_exports (PE: GetProcAddress of each name on the loaded
 *                                     DLL; natively the link proves it).  Not observable: being in
 *                                     system32/syswow64 and how .NET/mORMot probe for the DLL.
 *   2  successes are exactly S_OK     every test (each success is compared with == S_OK, each
 *                                     failure with its negative HRESULT)
 *   3  CompleteAction leaves 0        test_complete_action_return (called through an HRESULT
 *                                     function pointer, valid/stale/NULL contexts and handles)
 *   4  Abort/Delete(NULL), repeats    test_abort, test_handle_errors, test_server_programs
 *   5  Create*(NULL, 0), defaults     test_create_handles, test_allocated_buffer (server SBS 16)
 *   6  .NET property arrays           test_properties
 *   7  ALLOCATED_BUFFER               test_allocated_buffer, test_end_to_end, test_dotnet
 *   8  Marlin's property set          test_properties, test_server_programs
 *   9  BeginClientHandshake headers   test_client_handshake
 *  10  Delete after Begin, no End     test_client_handshake, test_dotnet (leaks: not observable)
 *  11  requests servers pass          test_server_handshake
 *  12  exact response headers         test_server_handshake, test_server_programs
 *  13  header array lifetime          test_handshake_header_lifetime
 *  14  EndClientHandshake             test_client_handshake
 *  15  sample C end to end            test_sample_c
 *  16  queues 1-3, capacity 1-2       test_get_action_arguments, test_sample_c
 *  17  NO_ACTION outputs              test_no_action (and check_got() for every NO_ACTION)
 *  18  contexts, counts, unused       test_action_contexts (and get_action() for every action)
 *  19  one action per queue           test_queue_blocking, test_threads
 *  20  queues independent             test_queue_blocking, test_threads
 *  21  CompleteAction byte counts     test_complete_bytes
 *  22  harmless completions           test_action_contexts, test_complete_action_return,
 *                                     test_abort, test_threads
 *  23  Receive(NULL, NULL)            test_receive_basic, test_receive_close
 *  24  the read buffer                test_receive_basic, test_create_handles, test_allocated_buffer
 *  25  one indication, no read-ahead  test_receive_basic, test_sample_c
 *  26  no read for buffered data      test_receive_basic, test_complete_bytes
 *  27  data indications               test_receive_basic, test_receive_user_buffer
 *  28  close indications              test_receive_close
 *  29  pongs are PING_PONG            test_receive_ping_pong, test_end_to_end
 *  30  pings answered                 test_receive_ping_pong, test_queue_blocking
 *  31  no automatic close reply       test_receive_close
 *  32  UTF-8 across chunks            test_receive_utf8
 *  33  what Send accepts              test_send_arguments
 *  34  queued sends (mORMot)          test_send_queueing, test_server_programs
 *  35  server frames, 2 buffers       test_server_send_frames, test_server_programs (Marlin)
 *  36  server frames, 1 buffer        test_server_send_frames
 *  37  client frames                  test_client_send_frames, test_allocated_buffer
 *  38  buffer type of sends           test_server_send_frames, test_send_arguments,
 *                                     test_receive_ping_pong
 *  39  INDICATE_SEND_COMPLETE         test_send_complete, test_server_programs (Marlin's ping)
 *  40  fragmented sends               test_send_fragments
 *  41  drain after Abort              test_abort, test_receive_errors, test_dotnet
 *  42  Send/Receive fail after Abort  test_abort, test_wrong_role_and_state, test_threads
 *  43  Delete with actions pending    test_abort
 *  44  global properties              test_global_properties, test_keepalive_registry (PE)
 *  45  .NET HttpListener test suite   needs .NET itself; test_dotnet covers the DLL side: its
 *                                     properties and buffer, fake handshake, 1-buffer receives,
 *                                     2-buffer sends with .NET's pointer checks, endOfMessage
 *                                     false/true, closes 1001 "" and 1010 "StatusDescription",
 *                                     abort + drain + dispose, repeated Abort
 *  46  .NET Framework ClientWebSocket needs .NET Framework; test_dotnet covers the client handle
 *                                     path (properties, zero masking key, handshake, messages)
 *  47  browsers and mORMot/Marlin     needs a browser and those servers; test_server_programs
 *                                     runs their action loops against a client handle
 *
 * api-contract.md section 9, adapted to the choices above:
 *   9.1-9.2 test_constants (tests/layout has every offset); 9.3 test_exports;
 *   9.4-9.8 test_create_handles, test_properties, test_allocated_buffer (any alignment is
 *   accepted, RBS + SBS + 144 is enough); 9.9 test_client_send_frames, test_receive_errors;
 *   9.10 test_receive_utf8; 9.11-9.12 test_global_properties, test_keepalive_registry;
 *   9.13-9.20 test_client_handshake, test_wrong_role_and_state; 9.21-9.24 test_server_handshake;
 *   9.25 test_send_arguments; 9.26 test_send_complete, test_*_send_frames; 9.27 and 9.29
 *   test_complete_bytes; 9.28, 9.30-9.32 test_receive_basic; 9.33 test_receive_close;
 *   9.34-9.35 test_receive_ping_pong (the pong's application context is NULL); 9.36
 *   test_no_action (NULL is written); 9.37 test_wrong_role_and_state, test_send_queueing;
 *   9.38-9.39 test_send_arguments ({ptr, 0, status} is accepted, as .NET passes it);
 *   9.40 test_receive_errors; 9.41 test_*_send_frames; 9.42 get_action(); 9.43-9.45 test_abort.
 */

#include <stdlib.h>
#include <string.h>
#include <windows.h>
#include "websocket.h"

#ifndef _WIN32
#include <pthread.h>
#include <sched.h>
#endif

#include "wine/test.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const WEB_SOCKET_BUFFER_TYPE no_type = (WEB_SOCKET_BUFFER_TYPE)0;

#define UTF8_MESSAGE     WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE
#define UTF8_FRAGMENT    WEB_SOCKET_UTF8_FRAGMENT_BUFFER_TYPE
#define BINARY_MESSAGE   WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE
#define BINARY_FRAGMENT  WEB_SOCKET_BINARY_FRAGMENT_BUFFER_TYPE
#define CLOSE_TYPE       WEB_SOCKET_CLOSE_BUFFER_TYPE
#define PING_PONG        WEB_SOCKET_PING_PONG_BUFFER_TYPE
#define UNSOLICITED_PONG WEB_SOCKET_UNSOLICITED_PONG_BUFFER_TYPE

#define NO_ACTION        WEB_SOCKET_NO_ACTION
#define SEND_TO_NETWORK  WEB_SOCKET_SEND_TO_NETWORK_ACTION
#define SEND_COMPLETE    WEB_SOCKET_INDICATE_SEND_COMPLETE_ACTION
#define RECEIVE_FROM_NETWORK WEB_SOCKET_RECEIVE_FROM_NETWORK_ACTION
#define RECEIVE_COMPLETE WEB_SOCKET_INDICATE_RECEIVE_COMPLETE_ACTION

#define SEND_QUEUE       WEB_SOCKET_SEND_ACTION_QUEUE
#define RECEIVE_QUEUE    WEB_SOCKET_RECEIVE_ACTION_QUEUE
#define ALL_QUEUE        WEB_SOCKET_ALL_ACTION_QUEUE

/* The frame opcodes of RFC 6455 section 5.2 (first byte, FIN included). */
#define OP_CONT   0x00
#define OP_TEXT   0x01
#define OP_BINARY 0x02
#define OP_CLOSE  0x08
#define OP_PING   0x09
#define OP_PONG   0x0a
#define FIN       0x80

/* ---------------------------------------------------------------------------
 * Choices.  Where Windows is silent, an expectation is this project's choice,
 * one row of the README's "Behaviour" table; every check of one is marked,
 * by choice_ok() or by choice(id) before a statement whose checks all pin it.
 * Under Wine and natively a differing choice fails like any check.  On
 * Windows it is reported instead of failing, so a run there tells which
 * choices Windows confirms: a "choice:" trace line when a choice is first
 * checked (as chosen) and when it first differs (what was observed; every
 * difference with WINETEST_DEBUG=2), and a summary line per choice at the end.
 */

enum choice_id
{
    CHOICE_NONE,
    CHOICE_HANDLES,
    CHOICE_WRONG_STATE,
    CHOICE_BAD_ARGUMENTS,
    CHOICE_BUFFER_SIZES,
    CHOICE_ALLOCATED_BUFFER,
    CHOICE_SERVER_SEND,
    CHOICE_CLIENT_SEND,
    CHOICE_SEND_COMPLETION,
    CHOICE_RECEIVE,
    CHOICE_TEXT_INDICATIONS,
    CHOICE_PINGS_AND_PONGS,
    CHOICE_CLOSE,
    CHOICE_CLOSE_CODES,
    CHOICE_FRAME_LENGTHS,
    CHOICE_CANCELLED_RECEIVE,
    CHOICE_PROTOCOL_ERRORS,
    CHOICE_ABORT,
    CHOICE_NO_ACTION,
    CHOICE_COMPLETE_ACTION,
    CHOICE_HANDSHAKE,
    CHOICE_REJECTED_HANDSHAKES,
    CHOICE_EXTENSIONS,
    CHOICE_SUBPROTOCOLS,
    CHOICE_HEADERS,
    CHOICE_GLOBAL_PROPERTIES,
    CHOICE_COUNT
};

/* The README's topic and what this DLL does. */
static const struct
{
    const char *topic, *chosen;
} choices[CHOICE_COUNT] = {
    [CHOICE_HANDLES] = { "handles", "NULL, garbage, deleted and recycled handles get E_HANDLE, nothing written" },
    [CHOICE_WRONG_STATE] = { "wrong role or state",
        "a call on the other role's handle or in the wrong state gets E_INVALID_PROTOCOL_OPERATION" },
    [CHOICE_BAD_ARGUMENTS] = { "bad arguments",
        "NULL required pointers, bad types, sizes and counts get E_INVALIDARG, nothing written" },
    [CHOICE_BUFFER_SIZES] = { "buffer sizes",
        "receive 256-65536, send 16-65536 on both roles; defaults 4096/4096 (client), 4096/16 (server)" },
    [CHOICE_ALLOCATED_BUFFER] = { "allocated buffer",
        "reached through a slot, RBS + SBS + 144 bytes at any alignment, laid out [receive][send][control]" },
    [CHOICE_SERVER_SEND] = { "server send",
        "one SEND_TO_NETWORK of [header from the send area][the caller's payload]; capacity 1: header, then payload" },
    [CHOICE_CLIENT_SEND] = { "client send",
        "[header + masked copy] in the send area, one buffer per SEND_TO_NETWORK, pieces of at most SBS; "
        "DISABLE_MASKING: key 0, the caller's buffer" },
    [CHOICE_SEND_COMPLETION] = { "send completion",
        "one INDICATE_SEND_COMPLETE per send with 1 buffer, the caller's ({NULL, 0} without one); a short "
        "SEND_TO_NETWORK completion ends the send; a finished send's indication may wait" },
    [CHOICE_RECEIVE] = { "receive",
        "payload indicated in place, in the receive area, as soon as any byte of a frame is there; "
        "no read-ahead; bytes already read indicated without another read" },
    [CHOICE_TEXT_INDICATIONS] = { "text indications",
        "an indication carries the bytes there are: a multi-byte UTF-8 character may be split between two" },
    [CHOICE_PINGS_AND_PONGS] = { "pings and pongs",
        "a ping's pong is one SEND_TO_NETWORK buffer of type UNSOLICITED_PONG; received pongs are PING_PONG" },
    [CHOICE_CLOSE] = { "close",
        "no body: status 1005, NULL reason; a status alone: a non-NULL empty reason; never answered by the DLL; "
        "sending 1005 sends no body" },
    [CHOICE_CLOSE_CODES] = { "close codes", "1000-1003, 1007-1014 and 3000-4999 are valid, sent and received" },
    [CHOICE_FRAME_LENGTHS] = { "frame lengths", "a control frame with a 16- or 64-bit length is refused" },
    [CHOICE_CANCELLED_RECEIVE] = { "cancelled receive",
        "a RECEIVE_FROM_NETWORK completed with 0 ends the receive: CLOSE, status 1006, NULL reason" },
    [CHOICE_PROTOCOL_ERRORS] = { "protocol errors",
        "malformed frames and text: E_INVALID_PROTOCOL_FORMAT, frames out of order: E_INVALID_PROTOCOL_OPERATION, "
        "from GetAction on the receive queue until Abort" },
    [CHOICE_ABORT] = { "abort",
        "a no-op before the handshake; then no network action, one indication per pending operation "
        "(a receive ends as CLOSE 1006), NO_ACTION; new Send and Receive fail" },
    [CHOICE_NO_ACTION] = { "NO_ACTION",
        "buffer type 0, NULL action and application contexts, the count and buffers left as passed" },
    [CHOICE_COMPLETE_ACTION] = { "CompleteAction",
        "0 in the return register; NULL, stale, made-up and other handles' contexts change nothing" },
    [CHOICE_HANDSHAKE] = { "handshake",
        "exactly Connection, Upgrade, Sec-WebSocket-Key/Version or -Accept (+ Protocol), NUL-terminated, "
        "valid until the next Begin or Delete" },
    [CHOICE_REJECTED_HANDSHAKES] = { "rejected handshakes",
        "missing or wrong key, accept, Upgrade or Connection: E_INVALID_PROTOCOL_FORMAT; another version: "
        "E_PROTOCOL_VERSION_NOT_SUPPORTED; nothing written, the handshake can be tried again" },
    [CHOICE_EXTENSIONS] = { "extensions",
        "never offered; a server's selected ones not answered; a response naming one: "
        "E_PROTOCOL_EXTENSIONS_NOT_SUPPORTED" },
    [CHOICE_SUBPROTOCOLS] = { "subprotocols",
        "a response naming one not offered, or none when some were: E_SUBPROTOCOL_NOT_SUPPORTED" },
    [CHOICE_HEADERS] = { "headers in requests",
        "names in any case, token lists, spaces around values, extra headers are accepted" },
    [CHOICE_GLOBAL_PROPERTIES] = { "global properties",
        "keep-alive 30000 ms (registry, at least 15000); too small a size: ERROR_INSUFFICIENT_BUFFER, the size "
        "set, nothing written; only 4 bytes written" },
};

static long choice_checks[CHOICE_COUNT], choice_differences[CHOICE_COUNT];
static __thread enum choice_id choice_current;

static void choice_vok(enum choice_id id, int condition, const char *msg, va_list args)
{
    long checked = __atomic_fetch_add(&choice_checks[id], 1, __ATOMIC_RELAXED);
    long differed = condition ? -1 : __atomic_fetch_add(&choice_differences[id], 1, __ATOMIC_RELAXED);

    if (!checked && condition)
        winetest_trace("choice: %s: as chosen: %s\n", choices[id].topic, choices[id].chosen);
    if (differed == 0 || (differed > 0 && winetest_debug > 1))
    {
        char observed[512];
        va_list copy;
        va_copy(copy, args);
        vsnprintf(observed, sizeof(observed), msg, copy);
        va_end(copy);
        winetest_trace("choice: %s: differs: %s", choices[id].topic, observed);
    }
    /* Windows is the reference: there a differing choice is news, not a failure. */
    winetest_vok(condition || broken(1), msg, args);
}

/* A check of choice id (CHOICE_NONE: of the enclosing choice(), if any). */
static WINETEST_UNUSED WINETEST_PRINTF_ATTR(3, 4) void choice_check(enum choice_id id, int condition,
                                                                    const char *msg, ...)
{
    va_list args;
    va_start(args, msg);
    if (!id)
        id = choice_current;
    if (id)
        choice_vok(id, condition, msg, args);
    else
        winetest_vok(condition, msg, args);
    va_end(args);
}
#define choice_ok_at(line, id, ...) (winetest_set_location(__FILE__, line), choice_check(id, __VA_ARGS__))
#define choice_ok(id, ...) choice_ok_at(__LINE__, id, __VA_ARGS__)

/* ok() goes through choice_check(): inside choice(id) it checks that choice. */
#undef ok_
#define ok_(file, line) (winetest_set_location(file, line), 0) ? (void)0 : choice_check_any
static WINETEST_UNUSED WINETEST_PRINTF_ATTR(2, 3) void choice_check_any(int condition, const char *msg, ...)
{
    va_list args;
    va_start(args, msg);
    if (choice_current)
        choice_vok(choice_current, condition, msg, args);
    else
        winetest_vok(condition, msg, args);
    va_end(args);
}

static enum choice_id choice_enter(enum choice_id id)
{
    enum choice_id outer = choice_current;
    if (id)
        choice_current = id;
    return outer;
}
/* The enclosing choice, or id where there is none. */
static enum choice_id choice_or(enum choice_id id)
{
    return choice_current ? choice_current : id;
}

/* choice(id) statement; -- CHOICE_NONE leaves the enclosing choice in force. */
#define choice(id) \
    for (enum choice_id choice_outer_ = choice_enter(id), *choice_once_ = &choice_current; choice_once_; \
         choice_once_ = NULL, choice_current = choice_outer_)

static void choice_summary(void)
{
    int id;
    for (id = 1; id < CHOICE_COUNT; id++)
    {
        if (!choice_checks[id])
            trace("choice: %s: not checked\n", choices[id].topic);
        else if (!choice_differences[id])
            trace("choice: %s: as chosen in %ld checks\n", choices[id].topic, choice_checks[id]);
        else
            trace("choice: %s: DIFFERS in %ld of %ld checks; chosen: %s\n", choices[id].topic,
                  choice_differences[id], choice_checks[id], choices[id].chosen);
    }
}

static const char *dbgstr_hr(HRESULT hr)
{
    static __thread char buffer[4][16];
    static __thread int index;
    char *ret = buffer[index++ & 3];
    sprintf(ret, "%#x", (unsigned)hr);
    return ret;
}

/* Printable, truncated view of some bytes for messages. */
static const char *dbgstr_bytes(const void *data, size_t len)
{
    static __thread char buffer[4][80];
    static __thread int index;
    char *ret = buffer[index++ & 3], *p = ret;
    const BYTE *bytes = data;
    size_t i;
    if (!data)
        return "(null)";
    for (i = 0; i < len && p < ret + 70; i++)
    {
        if (bytes[i] >= 0x20 && bytes[i] < 0x7f && bytes[i] != '\\')
            *p++ = (char)bytes[i];
        else
            p += sprintf(p, "\\x%02x", bytes[i]);
    }
    if (i < len)
        p += sprintf(p, "...");
    *p = 0;
    return ret;
}

static BOOL all_bytes(const void *data, BYTE value, size_t len)
{
    const BYTE *bytes = data;
    size_t i;
    for (i = 0; i < len; i++)
        if (bytes[i] != value)
            return FALSE;
    return TRUE;
}

/* ---------------------------------------------------------------------------
 * Threads for the concurrency test: Windows threads on PE, pthreads natively.
 */

#ifdef _WIN32
typedef CRITICAL_SECTION test_mutex;
static void mutex_init(test_mutex *m) { InitializeCriticalSection(m); }
static void mutex_lock(test_mutex *m) { EnterCriticalSection(m); }
static void mutex_unlock(test_mutex *m) { LeaveCriticalSection(m); }
static void mutex_free(test_mutex *m) { DeleteCriticalSection(m); }
static void yield_thread(void) { Sleep(0); }

struct thread_start { void (*proc)(void *); void *arg; };
static DWORD WINAPI thread_trampoline(void *param)
{
    struct thread_start *start = param;
    start->proc(start->arg);
    return 0;
}
/* Runs a and b on two threads at once and waits for both. */
static void run_two_threads(void (*a)(void *), void *arg_a, void (*b)(void *), void *arg_b)
{
    struct thread_start start = { a, arg_a };
    HANDLE thread = CreateThread(NULL, 0, thread_trampoline, &start, 0, NULL);
    ok(thread != NULL, "CreateThread failed: %lu\n", GetLastError());
    b(arg_b);
    if (!thread)
        return;
    WaitForSingleObject(thread, INFINITE);
    CloseHandle(thread);
}
#else
typedef pthread_mutex_t test_mutex;
static void mutex_init(test_mutex *m) { pthread_mutex_init(m, NULL); }
static void mutex_lock(test_mutex *m) { pthread_mutex_lock(m); }
static void mutex_unlock(test_mutex *m) { pthread_mutex_unlock(m); }
static void mutex_free(test_mutex *m) { pthread_mutex_destroy(m); }
static void yield_thread(void) { sched_yield(); }

struct thread_start { void (*proc)(void *); void *arg; };
static void *thread_trampoline(void *param)
{
    struct thread_start *start = param;
    start->proc(start->arg);
    return NULL;
}
static void run_two_threads(void (*a)(void *), void *arg_a, void (*b)(void *), void *arg_b)
{
    struct thread_start start = { a, arg_a };
    pthread_t thread;
    int err = pthread_create(&thread, NULL, thread_trampoline, &start);
    ok(!err, "pthread_create failed: %d\n", err);
    b(arg_b);
    if (!err)
        pthread_join(thread, NULL);
}
#endif

/* ---------------------------------------------------------------------------
 * Bytes on the wire: a growing buffer, a frame writer (what a peer would
 * send, including malformed frames) and a frame reader (what the DLL sent).
 */

struct byte_pipe
{
    BYTE *data;
    size_t size, read, capacity;
};

static void pipe_write(struct byte_pipe *pipe, const void *data, size_t len)
{
    if (pipe->size + len > pipe->capacity)
    {
        pipe->capacity = (pipe->size + len) * 2 + 64;
        pipe->data = realloc(pipe->data, pipe->capacity);
    }
    if (len)
        memcpy(pipe->data + pipe->size, data, len);
    pipe->size += len;
}

static void pipe_reset(struct byte_pipe *pipe)
{
    pipe->size = pipe->read = 0;
}

static void pipe_free(struct byte_pipe *pipe)
{
    free(pipe->data);
    memset(pipe, 0, sizeof(*pipe));
}

static size_t pipe_left(const struct byte_pipe *pipe)
{
    return pipe->size - pipe->read;
}

/* The key of RFC 6455 section 5.7's examples: every masked test frame uses it. */
static const BYTE test_key[4] = { 0x37, 0xfa, 0x21, 0x3d };

/* Writes one frame as a peer does: the first byte as given (FIN, RSV bits,
 * opcode), the shortest length encoding, the payload masked with test_key
 * when masked is set. */
static void put_frame(struct byte_pipe *pipe, BYTE first, BOOL masked, const void *payload, size_t len)
{
    BYTE header[14], *body;
    size_t n = 0, i;

    header[n++] = first;
    if (len <= 125)
        header[n++] = (BYTE)((masked ? 0x80 : 0) | len);
    else if (len <= 0xffff)
    {
        header[n++] = (BYTE)((masked ? 0x80 : 0) | 126);
        header[n++] = (BYTE)(len >> 8);
        header[n++] = (BYTE)len;
    }
    else
    {
        header[n++] = (BYTE)((masked ? 0x80 : 0) | 127);
        for (i = 0; i < 8; i++)
            header[n++] = (BYTE)((unsigned long long)len >> (56 - 8 * i));
    }
    if (masked)
    {
        memcpy(header + n, test_key, 4);
        n += 4;
    }
    pipe_write(pipe, header, n);
    body = malloc(len ? len : 1);
    for (i = 0; i < len; i++)
        body[i] = ((const BYTE *)payload)[i] ^ (masked ? test_key[i & 3] : 0);
    pipe_write(pipe, body, len);
    free(body);
}

static void put_close(struct byte_pipe *pipe, BOOL masked, USHORT status, const char *reason)
{
    BYTE body[128];
    size_t len = reason ? strlen(reason) : 0;
    body[0] = (BYTE)(status >> 8);
    body[1] = (BYTE)status;
    if (len)
        memcpy(body + 2, reason, len);
    put_frame(pipe, FIN | OP_CLOSE, masked, body, 2 + len);
}

struct frame
{
    BOOL fin;
    BYTE rsv, opcode;
    BOOL masked;
    BYTE key[4];
    unsigned long long length;
    size_t header_size;
    BYTE *payload;      /* unmasked copy, to free */
};

/* Takes one whole frame from the pipe's unread bytes; FALSE if it is not all there. */
static BOOL take_frame(struct byte_pipe *pipe, struct frame *f)
{
    const BYTE *p = pipe->data + pipe->read;
    size_t left = pipe_left(pipe), n = 2, i;
    unsigned len7;

    memset(f, 0, sizeof(*f));
    if (left < 2)
        return FALSE;
    f->fin = (p[0] & 0x80) != 0;
    f->rsv = (p[0] >> 4) & 7;
    f->opcode = p[0] & 0x0f;
    f->masked = (p[1] & 0x80) != 0;
    len7 = p[1] & 0x7f;
    if (len7 == 126)
    {
        if (left < 4)
            return FALSE;
        f->length = (p[2] << 8) | p[3];
        n = 4;
    }
    else if (len7 == 127)
    {
        if (left < 10)
            return FALSE;
        for (i = 0; i < 8; i++)
            f->length = (f->length << 8) | p[2 + i];
        n = 10;
    }
    else
        f->length = len7;
    if (f->masked)
    {
        if (left < n + 4)
            return FALSE;
        memcpy(f->key, p + n, 4);
        n += 4;
    }
    if (left - n < f->length)
        return FALSE;
    f->header_size = n;
    f->payload = malloc(f->length ? (size_t)f->length : 1);
    for (i = 0; i < f->length; i++)
        f->payload[i] = p[n + i] ^ (f->masked ? f->key[i & 3] : 0);
    pipe->read += n + (size_t)f->length;
    return TRUE;
}

/* Checks the next frame in the pipe: first byte, masking and payload. */
static void expect_frame_(int line, struct byte_pipe *pipe, BYTE first, BOOL masked, const void *payload,
                          size_t len)
{
    struct frame f;
    BOOL got = take_frame(pipe, &f);

    ok_(__FILE__, line)(got, "no whole frame in %lu bytes\n", (unsigned long)pipe_left(pipe));
    if (!got)
        return;
    ok_(__FILE__, line)((f.fin ? 0x80 : 0) == (first & 0x80) && f.rsv == 0 && f.opcode == (first & 0x0f),
                        "got FIN %d RSV %u opcode %#x, expected first byte %#x\n", f.fin, f.rsv, f.opcode, first);
    ok_(__FILE__, line)(f.masked == masked, "got masked %d\n", f.masked);
    if (masked && f.masked)
        ok_(__FILE__, line)(!all_bytes(f.key, 0, 4), "zero masking key\n");
    ok_(__FILE__, line)(f.length == len, "got payload length %lu, expected %lu\n", (unsigned long)f.length,
                        (unsigned long)len);
    if (f.length == len && len)
        ok_(__FILE__, line)(!memcmp(f.payload, payload, len), "payload %s, expected %s\n",
                            dbgstr_bytes(f.payload, len), dbgstr_bytes(payload, len));
    free(f.payload);
}
#define expect_frame(pipe, first, masked, payload, len) expect_frame_(__LINE__, pipe, first, masked, payload, len)

/* Encodes the header a server sends (unmasked, shortest length) for comparisons. */
static size_t server_header(BYTE *out, BYTE first, unsigned long long len)
{
    size_t n = 0, i;
    out[n++] = first;
    if (len <= 125)
        out[n++] = (BYTE)len;
    else if (len <= 0xffff)
    {
        out[n++] = 126;
        out[n++] = (BYTE)(len >> 8);
        out[n++] = (BYTE)len;
    }
    else
    {
        out[n++] = 127;
        for (i = 0; i < 8; i++)
            out[n++] = (BYTE)(len >> (56 - 8 * i));
    }
    return n;
}

/* ---------------------------------------------------------------------------
 * One GetAction call with every output preset to a sentinel, so the checks
 * see what the call wrote.
 */

struct got
{
    HRESULT hr;
    ULONG capacity;
    ULONG count;
    WEB_SOCKET_ACTION action;
    WEB_SOCKET_BUFFER_TYPE type;
    WEB_SOCKET_BUFFER buffers[2];
    PVOID app;
    PVOID ctx;
    BOOL untouched;     /* NO_ACTION or failure: the buffers were not written */
};

#define SENTINEL_PTR ((PVOID)(ULONG_PTR)0xdeadbeef)

/* Where buffers the DLL did not fill point afterwards, so a test that goes on
 * after a failed check reads and writes harmless memory instead of 0xcccccccc. */
static BYTE scratch[1 << 17];

static HRESULT get_action_(int line, WEB_SOCKET_HANDLE handle, WEB_SOCKET_ACTION_QUEUE queue, ULONG capacity,
                           struct got *g)
{
    ULONG i;

    memset(g->buffers, 0xcc, sizeof(g->buffers));
    g->capacity = capacity;
    g->count = capacity;
    g->action = (WEB_SOCKET_ACTION)0xdeadbeef;
    g->type = (WEB_SOCKET_BUFFER_TYPE)0xdeadbeef;
    g->app = SENTINEL_PTR;
    g->ctx = SENTINEL_PTR;
    g->hr = WebSocketGetAction(handle, queue, g->buffers, &g->count, &g->action, &g->type, &g->app, &g->ctx);
    if (g->hr == S_OK && g->action != NO_ACTION)
    {
        /* Every action has its own context, and never more buffers than offered. */
        ok_(__FILE__, line)(g->ctx != NULL && g->ctx != SENTINEL_PTR, "action %d: context %p\n", g->action, g->ctx);
        ok_(__FILE__, line)(g->count <= capacity, "action %d: %lu buffers for capacity %lu\n", g->action,
                            (unsigned long)g->count, (unsigned long)capacity);
        for (i = g->count; i < capacity && i < 2; i++)
            ok_(__FILE__, line)(all_bytes(&g->buffers[i], 0xcc, sizeof(g->buffers[i])),
                                "action %d: unused buffer %lu written\n", g->action, (unsigned long)i);
    }
    g->untouched = all_bytes(g->buffers, 0xcc, sizeof(g->buffers));
    for (i = g->hr == S_OK && g->action != NO_ACTION ? g->count : 0; i < 2; i++)
    {
        g->buffers[i].Data.pbBuffer = scratch;
        g->buffers[i].Data.ulBufferLength = 0;
    }
    return g->hr;
}
#define get_action(h, q, c, g) get_action_(__LINE__, h, q, c, g)

/* Checks an action: S_OK, the action, its buffer type and count.  NO_ACTION
 * must look as chosen: type 0, NULL contexts, count and buffers untouched.
 * The type and the count may be choices: type_choice and count_choice (an
 * INDICATE_SEND_COMPLETE's count always is). */
static void check_got_(int line, const struct got *g, WEB_SOCKET_ACTION action, WEB_SOCKET_BUFFER_TYPE type,
                       ULONG count, enum choice_id type_choice, enum choice_id count_choice)
{
    ok_(__FILE__, line)(g->hr == S_OK, "GetAction returned %s\n", dbgstr_hr(g->hr));
    ok_(__FILE__, line)(g->action == action, "got action %d, expected %d\n", g->action, action);
    if (g->hr != S_OK || g->action != action)
        return;
    choice_ok_at(line, type_choice, g->type == type, "action %d: got buffer type %#x, expected %#x\n", action,
                 g->type, type);
    if (action == NO_ACTION)
    {
        choice_ok_at(line, CHOICE_NO_ACTION, g->ctx == NULL, "NO_ACTION: action context %p\n", g->ctx);
        choice_ok_at(line, CHOICE_NO_ACTION, g->app == NULL, "NO_ACTION: application context %p\n", g->app);
        choice_ok_at(line, CHOICE_NO_ACTION, g->count == g->capacity, "NO_ACTION: count %lu, passed %lu\n",
                     (unsigned long)g->count, (unsigned long)g->capacity);
        choice_ok_at(line, CHOICE_NO_ACTION, g->untouched, "NO_ACTION: buffers written\n");
    }
    else
        choice_ok_at(line, action == SEND_COMPLETE ? CHOICE_SEND_COMPLETION : count_choice, g->count == count,
                     "action %d: got %lu buffers, expected %lu\n", action, (unsigned long)g->count,
                     (unsigned long)count);
}
#define check_got(g, a, t, n) check_got_(__LINE__, g, a, t, n, CHOICE_NONE, CHOICE_NONE)
/* A SEND_TO_NETWORK of a frame: how many buffers is the choice given. */
#define check_sent(g, t, n, c) check_got_(__LINE__, g, SEND_TO_NETWORK, t, n, CHOICE_NONE, c)
/* The pong answering a ping, on the receive queue. */
#define check_pong(g) check_got_(__LINE__, g, SEND_TO_NETWORK, UNSOLICITED_PONG, 1, CHOICE_PINGS_AND_PONGS, \
                                 CHOICE_PINGS_AND_PONGS)

static void expect_no_action_(int line, WEB_SOCKET_HANDLE handle, WEB_SOCKET_ACTION_QUEUE queue, ULONG capacity)
{
    struct got g;
    get_action_(line, handle, queue, capacity, &g);
    check_got_(line, &g, NO_ACTION, no_type, capacity, CHOICE_NONE, CHOICE_NONE);
}
#define expect_no_action(h, q, c) expect_no_action_(__LINE__, h, q, c)

/* Checks an INDICATE_RECEIVE_COMPLETE of data: type, one buffer, the bytes. */
static void check_data_(int line, const struct got *g, WEB_SOCKET_BUFFER_TYPE type, const void *data, ULONG len)
{
    check_got_(line, g, RECEIVE_COMPLETE, type, 1, CHOICE_NONE, CHOICE_NONE);
    if (g->action != RECEIVE_COMPLETE || g->type != type)
        return;
    ok_(__FILE__, line)(g->buffers[0].Data.ulBufferLength == len, "got %lu bytes %s, expected %lu\n",
                        (unsigned long)g->buffers[0].Data.ulBufferLength,
                        dbgstr_bytes(g->buffers[0].Data.pbBuffer, g->buffers[0].Data.ulBufferLength),
                        (unsigned long)len);
    if (len && g->buffers[0].Data.ulBufferLength == len)
        ok_(__FILE__, line)(g->buffers[0].Data.pbBuffer && !memcmp(g->buffers[0].Data.pbBuffer, data, len),
                            "got %s, expected %s\n", dbgstr_bytes(g->buffers[0].Data.pbBuffer, len),
                            dbgstr_bytes(data, len));
}
#define check_data(g, t, d, l) check_data_(__LINE__, g, t, d, l)

/* Checks an INDICATE_RECEIVE_COMPLETE of a close. */
static void check_close_(int line, const struct got *g, USHORT status, const char *reason, BOOL null_reason)
{
    ULONG len = reason ? (ULONG)strlen(reason) : 0;
    check_got_(line, g, RECEIVE_COMPLETE, CLOSE_TYPE, 1, CHOICE_NONE, CHOICE_NONE);
    if (g->action != RECEIVE_COMPLETE || g->type != CLOSE_TYPE)
        return;
    ok_(__FILE__, line)(g->buffers[0].CloseStatus.usStatus == status, "got status %u, expected %u\n",
                        g->buffers[0].CloseStatus.usStatus, status);
    ok_(__FILE__, line)(g->buffers[0].CloseStatus.ulReasonLength == len, "got reason length %lu, expected %lu\n",
                        (unsigned long)g->buffers[0].CloseStatus.ulReasonLength, (unsigned long)len);
    /* NULL or an empty string: how .NET tells a close without a body from one without a reason. */
    if (null_reason)
        choice_ok_at(line, choice_or(CHOICE_CLOSE), g->buffers[0].CloseStatus.pbReason == NULL,
                     "got reason pointer %p\n", g->buffers[0].CloseStatus.pbReason);
    else
        choice_ok_at(line, choice_or(CHOICE_CLOSE), g->buffers[0].CloseStatus.pbReason != NULL,
                     "got a NULL reason pointer\n");
    if (len && g->buffers[0].CloseStatus.ulReasonLength == len && g->buffers[0].CloseStatus.pbReason)
        ok_(__FILE__, line)(!memcmp(g->buffers[0].CloseStatus.pbReason, reason, len), "got reason %s\n",
                            dbgstr_bytes(g->buffers[0].CloseStatus.pbReason, len));
}
#define check_close(g, s, r, n) check_close_(__LINE__, g, s, r, n)

/* ---------------------------------------------------------------------------
 * Opening single handles, to drive them by hand.
 */

static char empty_string[] = "";

static WEB_SOCKET_HTTP_HEADER make_header(const char *name, const char *value)
{
    WEB_SOCKET_HTTP_HEADER header;
    header.pcName = (PCHAR)name;
    header.ulNameLength = (ULONG)strlen(name);
    header.pcValue = (PCHAR)value;
    header.ulValueLength = (ULONG)strlen(value);
    return header;
}

static BOOL same_name(const char *a, ULONG a_len, const char *b)
{
    ULONG i;
    if (!a || a_len != strlen(b))
        return FALSE;
    for (i = 0; i < a_len; i++)
    {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x += 'a' - 'A';
        if (y >= 'A' && y <= 'Z') y += 'a' - 'A';
        if (x != y)
            return FALSE;
    }
    return TRUE;
}

/* The header called name (any case), or NULL. */
static const WEB_SOCKET_HTTP_HEADER *find_header(const WEB_SOCKET_HTTP_HEADER *headers, ULONG count,
                                                 const char *name)
{
    ULONG i;
    for (i = 0; i < count; i++)
        if (same_name(headers[i].pcName, headers[i].ulNameLength, name))
            return &headers[i];
    return NULL;
}

static BOOL header_value_is(const WEB_SOCKET_HTTP_HEADER *header, const char *value)
{
    return header && header->ulValueLength == strlen(value) && !memcmp(header->pcValue, value, strlen(value));
}

/* .NET's fake request for its server handles (HttpListener, WebSocketBase). */
static void dotnet_request(WEB_SOCKET_HTTP_HEADER headers[5])
{
    headers[0] = make_header("Connection", "Upgrade");
    headers[1] = make_header("Upgrade", "websocket");
    headers[2] = make_header("Host", "");
    headers[3] = make_header("Sec-WebSocket-Version", "13");
    headers[4] = make_header("Sec-WebSocket-Key", "AAAAAAAAAAAAAAAAAAAAAA==");
    headers[2].pcValue = empty_string;   /* non-NULL, length 0 */
}

static WEB_SOCKET_HANDLE open_server_(int line, WEB_SOCKET_PROPERTY *props, ULONG count)
{
    WEB_SOCKET_HTTP_HEADER request[5], *response;
    WEB_SOCKET_HANDLE handle = NULL;
    ULONG response_count;
    HRESULT hr;

    hr = WebSocketCreateServerHandle(props, count, &handle);
    ok_(__FILE__, line)(hr == S_OK, "WebSocketCreateServerHandle returned %s\n", dbgstr_hr(hr));
    if (hr != S_OK)
        return NULL;
    dotnet_request(request);
    hr = WebSocketBeginServerHandshake(handle, NULL, NULL, 0, request, 5, &response, &response_count);
    ok_(__FILE__, line)(hr == S_OK, "WebSocketBeginServerHandshake returned %s\n", dbgstr_hr(hr));
    hr = WebSocketEndServerHandshake(handle);
    ok_(__FILE__, line)(hr == S_OK, "WebSocketEndServerHandshake returned %s\n", dbgstr_hr(hr));
    return handle;
}
#define open_server(p, c) open_server_(__LINE__, p, c)

/* The Sec-WebSocket-Accept a server handle computes for this request. */
static BOOL accept_for_(int line, const WEB_SOCKET_HTTP_HEADER *request, ULONG count, char accept[64])
{
    WEB_SOCKET_HANDLE server;
    WEB_SOCKET_HTTP_HEADER *response;
    const WEB_SOCKET_HTTP_HEADER *header;
    ULONG response_count;
    HRESULT hr;

    accept[0] = 0;
    hr = WebSocketCreateServerHandle(NULL, 0, &server);
    ok_(__FILE__, line)(hr == S_OK, "WebSocketCreateServerHandle returned %s\n", dbgstr_hr(hr));
    if (hr != S_OK)
        return FALSE;
    hr = WebSocketBeginServerHandshake(server, NULL, NULL, 0, (WEB_SOCKET_HTTP_HEADER *)request, count, &response,
                                       &response_count);
    ok_(__FILE__, line)(hr == S_OK, "WebSocketBeginServerHandshake returned %s\n", dbgstr_hr(hr));
    if (hr == S_OK && (header = find_header(response, response_count, "Sec-WebSocket-Accept"))
        && header->ulValueLength < 64)
    {
        memcpy(accept, header->pcValue, header->ulValueLength);
        accept[header->ulValueLength] = 0;
    }
    WebSocketDeleteHandle(server);
    ok_(__FILE__, line)(accept[0] != 0, "no accept value\n");
    return accept[0] != 0;
}

/* A client handle after .NET's handshake: Begin with {Connection, Upgrade},
 * End with the minimal {Connection, Upgrade, Sec-WebSocket-Accept}. */
static WEB_SOCKET_HANDLE open_client_(int line, WEB_SOCKET_PROPERTY *props, ULONG count)
{
    WEB_SOCKET_HTTP_HEADER initial[2], *request, response[3];
    WEB_SOCKET_HANDLE handle = NULL;
    ULONG request_count;
    char accept[64];
    HRESULT hr;

    hr = WebSocketCreateClientHandle(props, count, &handle);
    ok_(__FILE__, line)(hr == S_OK, "WebSocketCreateClientHandle returned %s\n", dbgstr_hr(hr));
    if (hr != S_OK)
        return NULL;
    initial[0] = make_header("Connection", "Upgrade");
    initial[1] = make_header("Upgrade", "websocket");
    hr = WebSocketBeginClientHandshake(handle, NULL, 0, NULL, 0, initial, 2, &request, &request_count);
    ok_(__FILE__, line)(hr == S_OK, "WebSocketBeginClientHandshake returned %s\n", dbgstr_hr(hr));
    if (hr != S_OK || !accept_for_(line, request, request_count, accept))
        return handle;
    response[0] = make_header("Connection", "Upgrade");
    response[1] = make_header("Upgrade", "websocket");
    response[2] = make_header("Sec-WebSocket-Accept", accept);
    hr = WebSocketEndClientHandshake(handle, response, 3, NULL, NULL, NULL);
    ok_(__FILE__, line)(hr == S_OK, "WebSocketEndClientHandshake returned %s\n", dbgstr_hr(hr));
    return handle;
}
#define open_client(p, c) open_client_(__LINE__, p, c)

/* Opens a handle of either role; a server receives masked frames, a client unmasked ones. */
static WEB_SOCKET_HANDLE open_handle_(int line, BOOL server, WEB_SOCKET_PROPERTY *props, ULONG count)
{
    return server ? open_server_(line, props, count) : open_client_(line, props, count);
}
#define open_handle(s, p, c) open_handle_(__LINE__, s, p, c)

/* Properties with a caller-owned buffer laid out as .NET does it: the
 * ALLOCATED_BUFFER value is a slot holding the buffer address. */
struct arena
{
    ULONG receive_size, send_size;
    BOOL no_masking, no_utf8;
    BYTE *block;         /* guard | buffer | guard */
    BYTE *buffer;
    size_t size;
    void *slot;
    WEB_SOCKET_PROPERTY props[5];
    ULONG count;
};

#define ARENA_GUARD 64

/* misalign: the buffer starts that many bytes past an 8-byte boundary. */
static void arena_init(struct arena *a, ULONG receive_size, ULONG send_size, unsigned misalign, BOOL no_masking,
                       BOOL no_utf8)
{
    memset(a, 0, sizeof(*a));
    a->receive_size = receive_size;
    a->send_size = send_size;
    a->no_masking = no_masking;
    a->no_utf8 = no_utf8;
    a->size = (size_t)receive_size + send_size + 144;
    a->block = malloc(a->size + 2 * ARENA_GUARD + 8);
    memset(a->block, 0xa5, a->size + 2 * ARENA_GUARD + 8);
    a->buffer = a->block + ARENA_GUARD + misalign;
    a->slot = a->buffer;
    a->props[0].Type = WEB_SOCKET_RECEIVE_BUFFER_SIZE_PROPERTY_TYPE;
    a->props[0].pvValue = &a->receive_size;
    a->props[0].ulValueSize = sizeof(ULONG);
    a->props[1].Type = WEB_SOCKET_SEND_BUFFER_SIZE_PROPERTY_TYPE;
    a->props[1].pvValue = &a->send_size;
    a->props[1].ulValueSize = sizeof(ULONG);
    a->props[2].Type = WEB_SOCKET_ALLOCATED_BUFFER_PROPERTY_TYPE;
    a->props[2].pvValue = &a->slot;
    a->props[2].ulValueSize = (ULONG)a->size;
    a->count = 3;
    if (no_masking)
    {
        a->props[a->count].Type = WEB_SOCKET_DISABLE_MASKING_PROPERTY_TYPE;
        a->props[a->count].pvValue = &a->no_masking;
        a->props[a->count++].ulValueSize = sizeof(BOOL);
    }
    if (no_utf8)
    {
        a->props[a->count].Type = WEB_SOCKET_DISABLE_UTF8_VERIFICATION_PROPERTY_TYPE;
        a->props[a->count].pvValue = &a->no_utf8;
        a->props[a->count++].ulValueSize = sizeof(BOOL);
    }
}

static BOOL in_range(const void *ptr, ULONG len, const BYTE *start, size_t size)
{
    const BYTE *p = ptr;
    return p && p >= start && p + len <= start + size;
}

/* The areas of the chosen layout: [receive RBS][send SBS][control 144]. */
static BYTE *receive_area(const struct arena *a) { return a->buffer; }
static BYTE *send_area(const struct arena *a) { return a->buffer + a->receive_size; }
static BYTE *control_area(const struct arena *a) { return a->buffer + a->receive_size + a->send_size; }

/* Frees the block after checking the DLL never wrote around the buffer. */
static void arena_free_(int line, struct arena *a)
{
    size_t before = a->buffer - a->block, after = a->size + 2 * ARENA_GUARD + 8 - before - a->size;
    ok_(__FILE__, line)(all_bytes(a->block, 0xa5, before), "bytes written before the allocated buffer\n");
    ok_(__FILE__, line)(all_bytes(a->buffer + a->size, 0xa5, after), "bytes written after the allocated buffer\n");
    free(a->block);
    a->block = a->buffer = NULL;
}
#define arena_free(a) arena_free_(__LINE__, a)

/* ---------------------------------------------------------------------------
 * Driving one handle's receive side by hand: RECEIVE_FROM_NETWORK actions are
 * satisfied from a feeder (in reads of at most `chunk` bytes); any other
 * action is returned to the test.
 */

struct feeder
{
    struct byte_pipe in;
    ULONG chunk;        /* at most this many bytes per read; 0: as many as offered */
    int reads;          /* RECEIVE_FROM_NETWORK actions completed with bytes */
    const struct arena *arena;  /* when set, every read buffer must be the free tail of its receive area */
};

static HRESULT next_receive_(int line, WEB_SOCKET_HANDLE handle, WEB_SOCKET_ACTION_QUEUE queue, ULONG capacity,
                             struct feeder *f, struct got *g)
{
    for (;;)
    {
        ULONG n;
        if (get_action_(line, handle, queue, capacity, g) != S_OK || g->action != RECEIVE_FROM_NETWORK)
            return g->hr;
        ok_(__FILE__, line)(g->count == 1, "RECEIVE_FROM_NETWORK with %lu buffers\n", (unsigned long)g->count);
        ok_(__FILE__, line)(g->buffers[0].Data.pbBuffer != NULL && g->buffers[0].Data.ulBufferLength > 0,
                            "read buffer %p, %lu bytes\n", g->buffers[0].Data.pbBuffer,
                            (unsigned long)g->buffers[0].Data.ulBufferLength);
        if (f->arena)
            choice_ok_at(line, CHOICE_ALLOCATED_BUFFER, g->buffers[0].Data.pbBuffer + g->buffers[0].Data.ulBufferLength
                         == receive_area(f->arena) + f->arena->receive_size
                         && g->buffers[0].Data.pbBuffer >= receive_area(f->arena),
                         "read buffer %p+%lu is not the tail of the receive area %p+%lu\n",
                         g->buffers[0].Data.pbBuffer, (unsigned long)g->buffers[0].Data.ulBufferLength,
                         receive_area(f->arena), (unsigned long)f->arena->receive_size);
        n = g->buffers[0].Data.ulBufferLength;
        if (pipe_left(&f->in) < n)
            n = (ULONG)pipe_left(&f->in);
        if (f->chunk && n > f->chunk)
            n = f->chunk;
        if (!n)
            return S_OK;   /* the read stays outstanding */
        memcpy(g->buffers[0].Data.pbBuffer, f->in.data + f->in.read, n);
        f->in.read += n;
        f->reads++;
        WebSocketCompleteAction(handle, g->ctx, n);
    }
}
#define next_receive(h, q, c, f, g) next_receive_(__LINE__, h, q, c, f, g)

/* Runs a handle's send side until the INDICATE_SEND_COMPLETE of the send in
 * progress: every SEND_TO_NETWORK's buffers go to out, completed with their
 * sum.  Returns the number of SEND_TO_NETWORK actions. */
static int send_all_(int line, WEB_SOCKET_HANDLE handle, WEB_SOCKET_ACTION_QUEUE queue, ULONG capacity,
                     struct byte_pipe *out, struct got *done)
{
    int pieces = 0, guard;
    struct got g;

    for (guard = 0; guard < 100000; guard++)
    {
        ULONG i, total = 0;
        if (get_action_(line, handle, queue, capacity, &g) != S_OK)
        {
            ok_(__FILE__, line)(0, "GetAction returned %s\n", dbgstr_hr(g.hr));
            break;
        }
        if (g.action == SEND_TO_NETWORK)
        {
            ok_(__FILE__, line)(g.count >= 1, "SEND_TO_NETWORK with no buffer\n");
            for (i = 0; i < g.count && i < 2; i++)
            {
                pipe_write(out, g.buffers[i].Data.pbBuffer, g.buffers[i].Data.ulBufferLength);
                total += g.buffers[i].Data.ulBufferLength;
            }
            pieces++;
            WebSocketCompleteAction(handle, g.ctx, total);
            continue;
        }
        if (g.action == SEND_COMPLETE)
        {
            if (done)
                *done = g;
            WebSocketCompleteAction(handle, g.ctx, 0);
            return pieces;
        }
        ok_(__FILE__, line)(0, "unexpected action %d\n", g.action);
        break;
    }
    return pieces;
}
#define send_all(h, q, c, o, d) send_all_(__LINE__, h, q, c, o, d)

static HRESULT send_data(WEB_SOCKET_HANDLE handle, WEB_SOCKET_BUFFER_TYPE type, const void *data, ULONG len,
                         PVOID context)
{
    WEB_SOCKET_BUFFER buffer;
    buffer.Data.pbBuffer = (BYTE *)data;
    buffer.Data.ulBufferLength = len;
    return WebSocketSend(handle, type, &buffer, context);
}

static HRESULT send_close(WEB_SOCKET_HANDLE handle, USHORT status, const char *reason, PVOID context)
{
    WEB_SOCKET_BUFFER buffer;
    buffer.CloseStatus.pbReason = (BYTE *)reason;
    buffer.CloseStatus.ulReasonLength = reason ? (ULONG)strlen(reason) : 0;
    buffer.CloseStatus.usStatus = status;
    return WebSocketSend(handle, CLOSE_TYPE, &buffer, context);
}

/* The configurations every action-level test runs in: the queue a program
 * names and the buffers it offers. */
static const struct queue_config
{
    WEB_SOCKET_ACTION_QUEUE send_queue, receive_queue;
    ULONG capacity;
} queue_configs[] = {
    { SEND_QUEUE, RECEIVE_QUEUE, 2 },
    { SEND_QUEUE, RECEIVE_QUEUE, 1 },
    { ALL_QUEUE, ALL_QUEUE, 2 },
    { ALL_QUEUE, ALL_QUEUE, 1 },
};

static void push_config_context(const struct queue_config *config)
{
    winetest_push_context("%s queue, capacity %lu", config->send_queue == ALL_QUEUE ? "ALL" : "own",
                          (unsigned long)config->capacity);
}
/* ---------------------------------------------------------------------------
 * An in-memory transport: each endpoint is a handle plus the bytes the peer
 * wrote to it, driven exactly as a program drives the DLL: GetAction in a
 * loop, the network work done by hand, CompleteAction with the bytes moved.
 */

struct endpoint
{
    WEB_SOCKET_HANDLE handle;
    const char *name;
    struct byte_pipe inbox;        /* bytes the peer sent us */
    struct endpoint *peer;
    ULONG capacity;                /* buffers offered to GetAction */
    ULONG receive_capacity;        /* buffers offered on the receive queue (0: capacity) */
    ULONG read_chunk;              /* at most this many bytes per read (0: all) */
    BOOL receive_pending;          /* a WebSocketReceive not yet indicated */
    /* A RECEIVE_FROM_NETWORK waiting for bytes. */
    BOOL reading;
    BYTE *read_buffer;
    ULONG read_length;
    PVOID read_context;
    /* What was received. */
    BYTE *message;
    size_t message_size;
    size_t message_capacity;    /* grows by doubling: sanitizer builds copy on every realloc */
    WEB_SOCKET_BUFFER_TYPE last_type;
    int indications, messages, pongs, sends_completed, closes;
    USHORT close_status;
    char close_reason[124];
    ULONG close_reason_length;
    BOOL close_reason_null;
    /* Allocated-buffer bounds when given: every DLL pointer must fall inside. */
    BYTE *arena;
    size_t arena_size;
    const BYTE *send_payload;
    size_t send_payload_size;
};

static void endpoint_init(struct endpoint *ep, WEB_SOCKET_HANDLE handle, const char *name)
{
    memset(ep, 0, sizeof(*ep));
    ep->handle = handle;
    ep->name = name;
    ep->capacity = 2;
}

static void endpoint_free(struct endpoint *ep)
{
    free(ep->inbox.data);
    free(ep->message);
    WebSocketDeleteHandle(ep->handle);
}

static void check_inside(struct endpoint *ep, const BYTE *ptr, ULONG len, BOOL may_be_payload, int line)
{
    BOOL in_arena, in_payload;
    if (!ep->arena || !ptr)
        return;
    in_arena = ptr >= ep->arena && ptr + len <= ep->arena + ep->arena_size;
    in_payload = may_be_payload && ep->send_payload && ptr >= ep->send_payload
                 && ptr + len <= ep->send_payload + ep->send_payload_size;
    if (!in_arena && !in_payload)
        ok_(__FILE__, line)(0, "%s: buffer %p+%lu outside the allocated buffer\n",
                        ep->name, ptr, (unsigned long)len);
}

/* Runs one queue until it has nothing to do; returns FALSE on a failed GetAction. */
static BOOL pump_queue(struct endpoint *ep, WEB_SOCKET_ACTION_QUEUE queue, HRESULT *error)
{
    for (;;)
    {
        WEB_SOCKET_BUFFER buffers[2];
        ULONG capacity = queue == WEB_SOCKET_RECEIVE_ACTION_QUEUE && ep->receive_capacity
                         ? ep->receive_capacity : ep->capacity;
        ULONG count = capacity, i, total = 0;
        WEB_SOCKET_ACTION action = 0xdead;
        WEB_SOCKET_BUFFER_TYPE type = 0xdead;
        PVOID app_context = (PVOID)0xdead, action_context = (PVOID)0xdead;
        HRESULT hr;

        if (queue & WEB_SOCKET_RECEIVE_ACTION_QUEUE && ep->reading)
        {
            /* Finish the outstanding read once bytes are there. */
            size_t left = ep->inbox.size - ep->inbox.read;
            ULONG n = left < ep->read_length ? (ULONG)left : ep->read_length;
            if (ep->read_chunk && n > ep->read_chunk)
                n = ep->read_chunk;
            if (!n)
                return TRUE;
            memcpy(ep->read_buffer, ep->inbox.data + ep->inbox.read, n);
            ep->inbox.read += n;
            ep->reading = FALSE;
            WebSocketCompleteAction(ep->handle, ep->read_context, n);
        }

        memset(buffers, 0, sizeof(buffers));
        hr = WebSocketGetAction(ep->handle, queue, buffers, &count, &action, &type, &app_context,
                                &action_context);
        if (FAILED(hr))
        {
            if (error)
                *error = hr;
            return FALSE;
        }
        if (count > capacity)
            ok(0, "%s: %lu buffers for capacity %lu\n", ep->name, (unsigned long)count,
               (unsigned long)capacity);

        switch (action)
        {
        case WEB_SOCKET_NO_ACTION:
            choice_ok(CHOICE_NO_ACTION, action_context == NULL, "%s: NO_ACTION context %p\n", ep->name, action_context);
            choice_ok(CHOICE_NO_ACTION, type == no_type, "%s: NO_ACTION type %#x\n", ep->name, type);
            return TRUE;
        case WEB_SOCKET_SEND_TO_NETWORK_ACTION:
            ok(count >= 1 && count <= 2, "%s: send with %lu buffers\n", ep->name, (unsigned long)count);
            for (i = 0; i < count; i++)
            {
                check_inside(ep, buffers[i].Data.pbBuffer, buffers[i].Data.ulBufferLength, i == 1,
                             __LINE__);
                pipe_write(&ep->peer->inbox, buffers[i].Data.pbBuffer, buffers[i].Data.ulBufferLength);
                total += buffers[i].Data.ulBufferLength;
            }
            WebSocketCompleteAction(ep->handle, action_context, total);
            break;
        case WEB_SOCKET_INDICATE_SEND_COMPLETE_ACTION:
            ep->sends_completed++;
            WebSocketCompleteAction(ep->handle, action_context, 0);
            break;
        case WEB_SOCKET_RECEIVE_FROM_NETWORK_ACTION:
            ok(count == 1, "%s: receive with %lu buffers\n", ep->name, (unsigned long)count);
            ok(buffers[0].Data.pbBuffer && buffers[0].Data.ulBufferLength, "%s: empty read buffer\n",
               ep->name);
            check_inside(ep, buffers[0].Data.pbBuffer, buffers[0].Data.ulBufferLength, FALSE, __LINE__);
            ep->reading = TRUE;
            ep->read_buffer = buffers[0].Data.pbBuffer;
            ep->read_length = buffers[0].Data.ulBufferLength;
            ep->read_context = action_context;
            break;
        case WEB_SOCKET_INDICATE_RECEIVE_COMPLETE_ACTION:
            ok(count == 1, "%s: indication with %lu buffers\n", ep->name, (unsigned long)count);
            ep->receive_pending = FALSE;
            ep->indications++;
            ep->last_type = type;
            if (type == WEB_SOCKET_CLOSE_BUFFER_TYPE)
            {
                ep->closes++;
                ep->close_status = buffers[0].CloseStatus.usStatus;
                ep->close_reason_length = buffers[0].CloseStatus.ulReasonLength;
                ep->close_reason_null = buffers[0].CloseStatus.pbReason == NULL;
                if (ep->close_reason_length < sizeof(ep->close_reason))
                {
                    if (ep->close_reason_length)
                        memcpy(ep->close_reason, buffers[0].CloseStatus.pbReason, ep->close_reason_length);
                    ep->close_reason[ep->close_reason_length] = 0;
                }
            }
            else if (type == WEB_SOCKET_PING_PONG_BUFFER_TYPE)
                ep->pongs++;
            else
            {
                check_inside(ep, buffers[0].Data.pbBuffer, buffers[0].Data.ulBufferLength, FALSE, __LINE__);
                if (ep->message_size + buffers[0].Data.ulBufferLength + 1 > ep->message_capacity)
                {
                    ep->message_capacity = 2 * (ep->message_size + buffers[0].Data.ulBufferLength + 1);
                    ep->message = realloc(ep->message, ep->message_capacity);
                }
                if (buffers[0].Data.ulBufferLength)
                    memcpy(ep->message + ep->message_size, buffers[0].Data.pbBuffer,
                           buffers[0].Data.ulBufferLength);
                ep->message_size += buffers[0].Data.ulBufferLength;
                if (type == WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE || type == WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE)
                    ep->messages++;
            }
            WebSocketCompleteAction(ep->handle, action_context, 0);
            break;
        default:
            ok(0, "%s: unexpected action %d\n", ep->name, action);
            return FALSE;
        }
    }
}

/* Drives both ends, one queue at a time as .NET does, until neither moves. */
static void pump(struct endpoint *a, struct endpoint *b)
{
    int round;
    for (round = 0; round < 100000; round++)
    {
        size_t before = a->inbox.size + b->inbox.size + a->inbox.read + b->inbox.read
                        + a->indications + b->indications + a->sends_completed + b->sends_completed;
        pump_queue(a, WEB_SOCKET_SEND_ACTION_QUEUE, NULL);
        pump_queue(b, WEB_SOCKET_SEND_ACTION_QUEUE, NULL);
        pump_queue(a, WEB_SOCKET_RECEIVE_ACTION_QUEUE, NULL);
        pump_queue(b, WEB_SOCKET_RECEIVE_ACTION_QUEUE, NULL);
        if (before == a->inbox.size + b->inbox.size + a->inbox.read + b->inbox.read
                      + a->indications + b->indications + a->sends_completed + b->sends_completed)
            return;
    }
    ok(0, "the pump did not settle\n");
}

static void ensure_receive(struct endpoint *ep)
{
    HRESULT hr;
    if (ep->receive_pending)
        return;
    hr = WebSocketReceive(ep->handle, NULL, NULL);
    ok(hr == S_OK, "%s: WebSocketReceive got %#x\n", ep->name, (unsigned)hr);
    ep->receive_pending = hr == S_OK;
}

static HRESULT create_pair(struct endpoint *client, struct endpoint *server,
                           WEB_SOCKET_PROPERTY *client_props, ULONG client_count,
                           WEB_SOCKET_PROPERTY *server_props, ULONG server_count)
{
    static char host_name[] = "Host", host_value[] = "localhost";
    WEB_SOCKET_HANDLE c = NULL, s = NULL;
    WEB_SOCKET_HTTP_HEADER *request = NULL, *response = NULL, all[16];
    ULONG request_count = 0, response_count = 0, i;
    HRESULT hr;

    hr = WebSocketCreateClientHandle(client_props, client_count, &c);
    ok(hr == S_OK, "client: got %#x\n", (unsigned)hr);
    if (hr != S_OK)
        return hr;
    hr = WebSocketCreateServerHandle(server_props, server_count, &s);
    ok(hr == S_OK, "server: got %#x\n", (unsigned)hr);
    if (hr != S_OK)
    {
        WebSocketDeleteHandle(c);
        return hr;
    }
    endpoint_init(client, c, "client");
    endpoint_init(server, s, "server");
    client->peer = server;
    server->peer = client;

    /* As Microsoft's sample: the client's headers plus Host go to the server. */
    hr = WebSocketBeginClientHandshake(c, NULL, 0, NULL, 0, NULL, 0, &request, &request_count);
    ok(hr == S_OK, "BeginClientHandshake: got %#x\n", (unsigned)hr);
    ok(request_count && request_count < 15, "got %lu headers\n", (unsigned long)request_count);
    for (i = 0; i < request_count; i++)
        all[i] = request[i];
    all[i].pcName = host_name;
    all[i].ulNameLength = 4;
    all[i].pcValue = host_value;
    all[i].ulValueLength = 9;
    hr = WebSocketBeginServerHandshake(s, NULL, NULL, 0, all, request_count + 1, &response, &response_count);
    ok(hr == S_OK, "BeginServerHandshake: got %#x\n", (unsigned)hr);
    hr = WebSocketEndClientHandshake(c, response, response_count, NULL, NULL, NULL);
    ok(hr == S_OK, "EndClientHandshake: got %#x\n", (unsigned)hr);
    hr = WebSocketEndServerHandshake(s);
    ok(hr == S_OK, "EndServerHandshake: got %#x\n", (unsigned)hr);
    return S_OK;
}

static void fill_payload(BYTE *data, size_t len, BOOL text, unsigned seed)
{
    size_t i;
    for (i = 0; i < len; i++)
    {
        seed = seed * 1103515245 + 12345;
        data[i] = text ? (BYTE)('a' + (seed >> 16) % 26) : (BYTE)(seed >> 16);
    }
}

/* Sends one message from one end and receives it at the other; checks every byte. */
static void exchange(struct endpoint *from, struct endpoint *to, BOOL text, size_t len, ULONG fragments)
{
    BYTE *payload = malloc(len ? len : 1);
    WEB_SOCKET_BUFFER buffer;
    size_t sent = 0;
    ULONG f;
    HRESULT hr;
    int messages = to->messages;
    size_t rounds;

    winetest_push_context("%s -> %s, %s %lu bytes in %lu", from->name, to->name, text ? "text" : "binary",
                          (unsigned long)len, (unsigned long)fragments);
    fill_payload(payload, len, text, (unsigned)len);
    free(to->message);
    to->message = NULL;
    to->message_size = 0;
    to->message_capacity = 0;
    from->send_payload = payload;
    from->send_payload_size = len;

    for (f = 1; f <= fragments; f++)
    {
        size_t piece = f == fragments ? len - sent : len / fragments;
        WEB_SOCKET_BUFFER_TYPE type = text ? (f == fragments ? WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE
                                                             : WEB_SOCKET_UTF8_FRAGMENT_BUFFER_TYPE)
                                           : (f == fragments ? WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE
                                                             : WEB_SOCKET_BINARY_FRAGMENT_BUFFER_TYPE);
        int completed = from->sends_completed;
        buffer.Data.pbBuffer = payload + sent;
        buffer.Data.ulBufferLength = (ULONG)piece;
        hr = WebSocketSend(from->handle, type, &buffer, (PVOID)(ULONG_PTR)f);
        ok(hr == S_OK, "WebSocketSend: got %#x\n", (unsigned)hr);
        sent += piece;
        /* Receive until the message is in, or this fragment is sent and read. */
        for (rounds = 0; to->messages == messages; rounds++)
        {
            if (rounds == len + 1000)   /* each round moves at least a byte */
            {
                ok(0, "the message does not arrive\n");
                break;
            }
            ensure_receive(to);
            pump(from, to);
            if (from->sends_completed > completed && to->inbox.read == to->inbox.size
                && (f < fragments || to->reading))
                break;
        }
        ok(from->sends_completed == completed + 1, "send %lu: %d completions\n", (unsigned long)f,
           from->sends_completed - completed);
    }
    ok(to->messages == messages + 1, "got %d messages\n", to->messages - messages);
    ok(to->message_size == len, "got %lu bytes\n", (unsigned long)to->message_size);
    ok(to->message_size == len && (!len || !memcmp(to->message, payload, len)), "payload differs\n");
    ok(to->last_type == (text ? WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE : WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE),
       "last type %#x\n", to->last_type);
    from->send_payload = NULL;
    free(payload);
    winetest_pop_context();
}

static void ping(struct endpoint *from, struct endpoint *to)
{
    int pongs = from->pongs;
    HRESULT hr = WebSocketSend(from->handle, WEB_SOCKET_PING_PONG_BUFFER_TYPE, NULL, NULL);
    ok(hr == S_OK, "ping: got %#x\n", (unsigned)hr);
    /* The peer answers by itself while its receive is pending. */
    ensure_receive(to);
    ensure_receive(from);
    pump(from, to);
    ok(from->pongs == pongs + 1, "%s got %d pongs\n", from->name, from->pongs - pongs);
}

static void close_from(struct endpoint *from, struct endpoint *to, USHORT status, const char *reason)
{
    WEB_SOCKET_BUFFER buffer;
    HRESULT hr;
    int closes = to->closes;

    buffer.CloseStatus.pbReason = (BYTE *)reason;
    buffer.CloseStatus.ulReasonLength = reason ? (ULONG)strlen(reason) : 0;
    buffer.CloseStatus.usStatus = status;
    hr = WebSocketSend(from->handle, WEB_SOCKET_CLOSE_BUFFER_TYPE, &buffer, NULL);
    ok(hr == S_OK, "close: got %#x\n", (unsigned)hr);
    /* A server sends the reason from the caller's buffer. */
    from->send_payload = (const BYTE *)reason;
    from->send_payload_size = buffer.CloseStatus.ulReasonLength;
    ensure_receive(to);
    pump(from, to);
    from->send_payload = NULL;
    ok(to->closes == closes + 1, "%s got %d closes\n", to->name, to->closes - closes);
    ok(to->close_status == status, "status %u\n", to->close_status);
    ok(to->close_reason_length == buffer.CloseStatus.ulReasonLength, "reason length %lu\n",
       (unsigned long)to->close_reason_length);
    ok(!reason || !strcmp(to->close_reason, reason), "reason %s\n", to->close_reason);
    choice_ok(CHOICE_CLOSE, !to->close_reason_null, "status without reason must still give a pointer\n");

    /* After a close only control frames may be sent. */
    buffer.Data.pbBuffer = (BYTE *)"x";
    buffer.Data.ulBufferLength = 1;
    hr = WebSocketSend(from->handle, WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, &buffer, NULL);
    choice_ok(CHOICE_WRONG_STATE, hr == E_INVALID_PROTOCOL_OPERATION, "data after close: got %#x\n", (unsigned)hr);
}

static void run_session(const char *label, WEB_SOCKET_PROPERTY *client_props, ULONG client_count,
                        WEB_SOCKET_PROPERTY *server_props, ULONG server_count, BYTE *client_arena,
                        size_t client_arena_size, ULONG read_chunk, BOOL client_closes)
{
    static const size_t sizes[] = { 0, 1, 125, 126, 65535, 65536, 1 << 20 };
    struct endpoint client, server;
    unsigned i;

    winetest_push_context("%s", label);
    if (create_pair(&client, &server, client_props, client_count, server_props, server_count) != S_OK)
    {
        winetest_pop_context();
        return;
    }
    client.arena = client_arena;
    client.arena_size = client_arena_size;
    client.read_chunk = server.read_chunk = read_chunk;

    for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
    {
        exchange(&client, &server, TRUE, sizes[i], 1);
        exchange(&server, &client, FALSE, sizes[i], 1);
        exchange(&client, &server, FALSE, sizes[i], 1);
        exchange(&server, &client, TRUE, sizes[i], 1);
    }
    exchange(&client, &server, TRUE, 70000, 3);
    exchange(&server, &client, FALSE, 70000, 4);
    ping(&client, &server);
    ping(&server, &client);
    if (client_closes)
    {
        close_from(&client, &server, WEB_SOCKET_SUCCESS_CLOSE_STATUS, "bye");
        close_from(&server, &client, WEB_SOCKET_SUCCESS_CLOSE_STATUS, "");
    }
    else
    {
        close_from(&server, &client, WEB_SOCKET_ENDPOINT_UNAVAILABLE_CLOSE_STATUS, "going away");
        close_from(&client, &server, WEB_SOCKET_ENDPOINT_UNAVAILABLE_CLOSE_STATUS, NULL);
    }
    endpoint_free(&client);
    endpoint_free(&server);
    winetest_pop_context();
}


/* ---------------------------------------------------------------------------
 * Types, exports, return values, global properties, handles and properties.
 */

static void test_constants(void)
{
    /* The SDK's values (api-contract 9.1-9.2); tests/layout checks every offset. */
    ok(WEB_SOCKET_MAX_CLOSE_REASON_LENGTH == 123, "got %d\n", WEB_SOCKET_MAX_CLOSE_REASON_LENGTH);
    ok(NO_ACTION == 0 && SEND_TO_NETWORK == 1 && SEND_COMPLETE == 2 && RECEIVE_FROM_NETWORK == 3
       && RECEIVE_COMPLETE == 4, "action values\n");
    ok(SEND_QUEUE == 1 && RECEIVE_QUEUE == 2 && ALL_QUEUE == 3, "queue values\n");
    ok(UTF8_MESSAGE == 0x80000000 && UTF8_FRAGMENT == 0x80000001 && BINARY_MESSAGE == 0x80000002
       && BINARY_FRAGMENT == 0x80000003 && CLOSE_TYPE == 0x80000004 && PING_PONG == 0x80000005
       && UNSOLICITED_PONG == 0x80000006, "buffer type values\n");
    ok(WEB_SOCKET_RECEIVE_BUFFER_SIZE_PROPERTY_TYPE == 0 && WEB_SOCKET_SUPPORTED_VERSIONS_PROPERTY_TYPE == 6,
       "property type values\n");
    ok(WEB_SOCKET_EMPTY_CLOSE_STATUS == 1005 && WEB_SOCKET_ABORTED_CLOSE_STATUS == 1006
       && WEB_SOCKET_SECURE_HANDSHAKE_ERROR_CLOSE_STATUS == 1015, "close status values\n");
    ok(E_INVALID_PROTOCOL_OPERATION == (HRESULT)0x83760001 && E_INVALID_PROTOCOL_FORMAT == (HRESULT)0x83760002
       && E_PROTOCOL_EXTENSIONS_NOT_SUPPORTED == (HRESULT)0x83760003
       && E_SUBPROTOCOL_NOT_SUPPORTED == (HRESULT)0x83760004
       && E_PROTOCOL_VERSION_NOT_SUPPORTED == (HRESULT)0x83760005, "error values\n");
    ok(sizeof(WEB_SOCKET_BUFFER) == (sizeof(void *) == 8 ? 16 : 12), "sizeof(WEB_SOCKET_BUFFER) %u\n",
       (unsigned)sizeof(WEB_SOCKET_BUFFER));
    ok(sizeof(WEB_SOCKET_HTTP_HEADER) == 4 * sizeof(void *), "sizeof(WEB_SOCKET_HTTP_HEADER) %u\n",
       (unsigned)sizeof(WEB_SOCKET_HTTP_HEADER));
    ok(sizeof(WEB_SOCKET_PROPERTY) == 3 * sizeof(void *), "sizeof(WEB_SOCKET_PROPERTY) %u\n",
       (unsigned)sizeof(WEB_SOCKET_PROPERTY));
}

static void test_exports(void)
{
    /* Check 1: mORMot resolves all 13 by name and gives up if one is missing. */
#ifdef _WIN32
    static const char *const names[] = {
        "WebSocketAbortHandle", "WebSocketBeginClientHandshake", "WebSocketBeginServerHandshake",
        "WebSocketCompleteAction", "WebSocketCreateClientHandle", "WebSocketCreateServerHandle",
        "WebSocketDeleteHandle", "WebSocketEndClientHandshake", "WebSocketEndServerHandshake",
        "WebSocketGetAction", "WebSocketGetGlobalProperty", "WebSocketReceive", "WebSocketSend",
    };
    HMODULE module = GetModuleHandleA("websocket.dll");
    unsigned i;

    ok(module != NULL, "websocket.dll is not loaded\n");
    if (!module)
        return;
    for (i = 0; i < ARRAY_SIZE(names); i++)
        ok(GetProcAddress(module, names[i]) != NULL, "%s is not exported by name\n", names[i]);
#else
    skip("exports by name are checked on the PE build\n");
#endif
}

/* mORMot declares WebSocketCompleteAction as returning an HRESULT and raises
 * on anything but 0 (check 3): the return register must hold 0. */
typedef HRESULT (WINAPI *complete_action_as_hresult)(WEB_SOCKET_HANDLE, PVOID, ULONG);

static void test_complete_action_return(void)
{
    complete_action_as_hresult complete = (complete_action_as_hresult)(void (*)(void))WebSocketCompleteAction;
    WEB_SOCKET_HANDLE handle, deleted;
    struct got g;
    HRESULT hr;

    handle = open_server(NULL, 0);
    hr = WebSocketCreateServerHandle(NULL, 0, &deleted);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    WebSocketDeleteHandle(deleted);

    hr = complete(NULL, NULL, 0);
    choice_ok(CHOICE_COMPLETE_ACTION, hr == S_OK, "NULL handle and context: got %s\n", dbgstr_hr(hr));
    hr = complete(handle, NULL, 0);
    choice_ok(CHOICE_COMPLETE_ACTION, hr == S_OK, "NULL context: got %s\n", dbgstr_hr(hr));
    hr = complete(handle, SENTINEL_PTR, 12);
    choice_ok(CHOICE_COMPLETE_ACTION, hr == S_OK, "bogus context: got %s\n", dbgstr_hr(hr));
    hr = complete(deleted, NULL, 0);
    choice_ok(CHOICE_COMPLETE_ACTION, hr == S_OK, "deleted handle: got %s\n", dbgstr_hr(hr));

    /* A live context, then the same context again (stale). */
    hr = WebSocketReceive(handle, NULL, NULL);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    get_action(handle, RECEIVE_QUEUE, 1, &g);
    check_got(&g, RECEIVE_FROM_NETWORK, no_type, 1);
    hr = complete(handle, g.ctx, 0);
    choice_ok(CHOICE_COMPLETE_ACTION, hr == S_OK, "valid context: got %s\n", dbgstr_hr(hr));
    hr = complete(handle, g.ctx, 0);
    choice_ok(CHOICE_COMPLETE_ACTION, hr == S_OK, "stale context: got %s\n", dbgstr_hr(hr));
    /* mORMot completes the NO_ACTION context (NULL) as well. */
    get_action(handle, RECEIVE_QUEUE, 1, &g);
    choice(CHOICE_CANCELLED_RECEIVE) check_close(&g, WEB_SOCKET_ABORTED_CLOSE_STATUS, NULL, TRUE);
    hr = complete(handle, g.ctx, 0);
    choice_ok(CHOICE_COMPLETE_ACTION, hr == S_OK, "indication: got %s\n", dbgstr_hr(hr));
    get_action(handle, RECEIVE_QUEUE, 1, &g);
    check_got(&g, NO_ACTION, no_type, 1);
    hr = complete(handle, g.ctx, 0);
    choice_ok(CHOICE_COMPLETE_ACTION, hr == S_OK, "NO_ACTION context: got %s\n", dbgstr_hr(hr));
    WebSocketAbortHandle(handle);
    hr = complete(handle, g.ctx, 0);
    choice_ok(CHOICE_COMPLETE_ACTION, hr == S_OK, "after abort: got %s\n", dbgstr_hr(hr));
    WebSocketDeleteHandle(handle);
}

static void test_global_properties(void)
{
    ULONG value, versions[4], size;
    BYTE unaligned[8];
    HRESULT hr;
    unsigned i;

    value = 0xdeadbeef;
    size = sizeof(value);
    hr = WebSocketGetGlobalProperty(WEB_SOCKET_KEEPALIVE_INTERVAL_PROPERTY_TYPE, &value, &size);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    choice_ok(CHOICE_GLOBAL_PROPERTIES, value >= 15000 && value != 0xdeadbeef, "got keep-alive interval %lu\n",
              (unsigned long)value);
#ifndef _WIN32
    /* No registry natively: the default. */
    choice_ok(CHOICE_GLOBAL_PROPERTIES, value == 30000, "got keep-alive interval %lu\n", (unsigned long)value);
#endif
    choice_ok(CHOICE_GLOBAL_PROPERTIES, size == sizeof(ULONG), "got size %lu\n", (unsigned long)size);

    /* A bigger buffer: only 4 bytes are written and reported. */
    memset(versions, 0xcc, sizeof(versions));
    size = sizeof(versions);
    hr = WebSocketGetGlobalProperty(WEB_SOCKET_SUPPORTED_VERSIONS_PROPERTY_TYPE, versions, &size);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    ok(versions[0] == 13, "got version %lu\n", (unsigned long)versions[0]);
    choice_ok(CHOICE_GLOBAL_PROPERTIES, versions[1] == 0xcccccccc, "wrote past the first version: %#lx\n",
              (unsigned long)versions[1]);
    choice_ok(CHOICE_GLOBAL_PROPERTIES, size == sizeof(ULONG), "got size %lu\n", (unsigned long)size);

    /* Any alignment. */
    memset(unaligned, 0xcc, sizeof(unaligned));
    size = 4;
    hr = WebSocketGetGlobalProperty(WEB_SOCKET_SUPPORTED_VERSIONS_PROPERTY_TYPE, unaligned + 1, &size);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    choice_ok(CHOICE_GLOBAL_PROPERTIES,
              unaligned[1] == 13 && unaligned[2] == 0 && unaligned[3] == 0 && unaligned[4] == 0
              && unaligned[0] == 0xcc && unaligned[5] == 0xcc, "got %s\n", dbgstr_bytes(unaligned, 8));

    /* Too small (Marlin passes 0): fails, reports the size, writes nothing. */
    for (i = 0; i < 4; i++)
    {
        winetest_push_context("size %u", i);
        value = 0xdeadbeef;
        size = i;
        hr = WebSocketGetGlobalProperty(WEB_SOCKET_KEEPALIVE_INTERVAL_PROPERTY_TYPE, &value, &size);
        choice_ok(CHOICE_GLOBAL_PROPERTIES, hr == HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER), "got %s\n",
                  dbgstr_hr(hr));
        choice_ok(CHOICE_GLOBAL_PROPERTIES, value == 0xdeadbeef, "value written: %#lx\n", (unsigned long)value);
        choice_ok(CHOICE_GLOBAL_PROPERTIES, size == sizeof(ULONG), "got size %lu\n", (unsigned long)size);
        value = 0xdeadbeef;
        size = i;
        hr = WebSocketGetGlobalProperty(WEB_SOCKET_SUPPORTED_VERSIONS_PROPERTY_TYPE, &value, &size);
        choice_ok(CHOICE_GLOBAL_PROPERTIES, hr == HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER), "got %s\n",
                  dbgstr_hr(hr));
        choice_ok(CHOICE_GLOBAL_PROPERTIES, value == 0xdeadbeef, "value written: %#lx\n", (unsigned long)value);
        choice_ok(CHOICE_GLOBAL_PROPERTIES, size == sizeof(ULONG), "got size %lu\n", (unsigned long)size);
        winetest_pop_context();
    }

    /* Bad arguments. */
    hr = WebSocketGetGlobalProperty(WEB_SOCKET_KEEPALIVE_INTERVAL_PROPERTY_TYPE, &value, NULL);
    choice_ok(CHOICE_BAD_ARGUMENTS, hr == E_INVALIDARG, "NULL size: got %s\n", dbgstr_hr(hr));
    size = sizeof(value);
    hr = WebSocketGetGlobalProperty(WEB_SOCKET_KEEPALIVE_INTERVAL_PROPERTY_TYPE, NULL, &size);
    choice_ok(CHOICE_BAD_ARGUMENTS, hr == E_INVALIDARG, "NULL value: got %s\n", dbgstr_hr(hr));
    for (i = 0; i <= 7; i++)
    {
        if (i == WEB_SOCKET_KEEPALIVE_INTERVAL_PROPERTY_TYPE || i == WEB_SOCKET_SUPPORTED_VERSIONS_PROPERTY_TYPE)
            continue;
        winetest_push_context("type %u", i);
        value = 0xdeadbeef;
        size = sizeof(value);
        hr = WebSocketGetGlobalProperty((WEB_SOCKET_PROPERTY_TYPE)i, &value, &size);
        choice_ok(CHOICE_BAD_ARGUMENTS, hr == E_INVALIDARG, "got %s\n", dbgstr_hr(hr));
        choice_ok(CHOICE_BAD_ARGUMENTS, value == 0xdeadbeef, "value written: %#lx\n", (unsigned long)value);
        winetest_pop_context();
    }
}

#ifdef _WIN32
/* HKLM\SOFTWARE\Microsoft\WebSocket\KeepaliveInterval: used when >= 15000,
 * raised to 15000 below that, 30000 when unset (check 44, api-contract 9.11). */
static void test_keepalive_registry(void)
{
    static const struct { DWORD stored; ULONG expected; } tests[] = {
        { 5000, 15000 }, { 14999, 15000 }, { 15000, 15000 }, { 20000, 20000 }, { 120000, 120000 },
    };
    DWORD saved, saved_size = sizeof(saved), disposition, type;
    BOOL had_value;
    ULONG value, size;
    HKEY key;
    LONG err;
    unsigned i;
    HRESULT hr;

    err = RegCreateKeyExA(HKEY_LOCAL_MACHINE, "SOFTWARE\\Microsoft\\WebSocket", 0, NULL, 0,
                          KEY_QUERY_VALUE | KEY_SET_VALUE, NULL, &key, &disposition);
    if (err == ERROR_ACCESS_DENIED)
    {
        skip("no write access to HKLM\n");
        return;
    }
    ok(!err, "RegCreateKeyExA failed: %ld\n", err);
    if (err)
        return;
    had_value = !RegQueryValueExA(key, "KeepaliveInterval", NULL, &type, (BYTE *)&saved, &saved_size)
                && type == REG_DWORD;

    if (!had_value)
    {
        value = 0xdeadbeef;
        size = sizeof(value);
        hr = WebSocketGetGlobalProperty(WEB_SOCKET_KEEPALIVE_INTERVAL_PROPERTY_TYPE, &value, &size);
        ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
        choice_ok(CHOICE_GLOBAL_PROPERTIES, value == 30000, "unset: got %lu\n", (unsigned long)value);
    }
    for (i = 0; i < ARRAY_SIZE(tests); i++)
    {
        winetest_push_context("registry %lu", (unsigned long)tests[i].stored);
        err = RegSetValueExA(key, "KeepaliveInterval", 0, REG_DWORD, (const BYTE *)&tests[i].stored,
                             sizeof(DWORD));
        ok(!err, "RegSetValueExA failed: %ld\n", err);
        value = 0xdeadbeef;
        size = sizeof(value);
        hr = WebSocketGetGlobalProperty(WEB_SOCKET_KEEPALIVE_INTERVAL_PROPERTY_TYPE, &value, &size);
        ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
        choice_ok(CHOICE_GLOBAL_PROPERTIES, value == tests[i].expected, "got %lu\n", (unsigned long)value);
        winetest_pop_context();
    }

    if (had_value)
        RegSetValueExA(key, "KeepaliveInterval", 0, REG_DWORD, (const BYTE *)&saved, sizeof(saved));
    else
        RegDeleteValueA(key, "KeepaliveInterval");
    RegCloseKey(key);
    if (disposition == REG_CREATED_NEW_KEY)
        RegDeleteKeyA(HKEY_LOCAL_MACHINE, "SOFTWARE\\Microsoft\\WebSocket");
}
#endif

static void test_create_handles(void)
{
    WEB_SOCKET_PROPERTY property;
    WEB_SOCKET_HANDLE handle, other;
    ULONG receive_size = 1000;
    struct byte_pipe out = { 0 };
    struct got g;
    BYTE *payload;
    HRESULT hr;

    /* Check 5: no properties, DLL-owned buffers. */
    handle = NULL;
    hr = WebSocketCreateClientHandle(NULL, 0, &handle);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    ok(handle != NULL, "got NULL handle\n");
    other = NULL;
    hr = WebSocketCreateClientHandle(NULL, 0, &other);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    ok(other != NULL && other != handle, "got handles %p and %p\n", handle, other);
    WebSocketDeleteHandle(handle);
    WebSocketDeleteHandle(other);

    handle = NULL;
    hr = WebSocketCreateServerHandle(NULL, 0, &handle);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    ok(handle != NULL, "got NULL handle\n");
    WebSocketDeleteHandle(handle);

    /* A property array with a count of 0 is not read. */
    property.Type = (WEB_SOCKET_PROPERTY_TYPE)0xdead;
    property.pvValue = NULL;
    property.ulValueSize = 0;
    hr = WebSocketCreateServerHandle(&property, 0, &handle);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    WebSocketDeleteHandle(handle);

    /* Bad arguments; the handle is not written. */
    hr = WebSocketCreateClientHandle(NULL, 0, NULL);
    choice_ok(CHOICE_BAD_ARGUMENTS, hr == E_INVALIDARG, "got %s\n", dbgstr_hr(hr));
    hr = WebSocketCreateServerHandle(NULL, 0, NULL);
    choice_ok(CHOICE_BAD_ARGUMENTS, hr == E_INVALIDARG, "got %s\n", dbgstr_hr(hr));
    handle = SENTINEL_PTR;
    hr = WebSocketCreateClientHandle(NULL, 1, &handle);
    choice_ok(CHOICE_BAD_ARGUMENTS, hr == E_INVALIDARG, "got %s\n", dbgstr_hr(hr));
    choice_ok(CHOICE_BAD_ARGUMENTS, handle == SENTINEL_PTR, "handle written: %p\n", handle);
    hr = WebSocketCreateServerHandle(NULL, 2, &handle);
    choice_ok(CHOICE_BAD_ARGUMENTS, hr == E_INVALIDARG, "got %s\n", dbgstr_hr(hr));
    choice_ok(CHOICE_BAD_ARGUMENTS, handle == SENTINEL_PTR, "handle written: %p\n", handle);

    /* Default sizes (check 5, api-contract 9.6): a read offers the whole
     * 4096-byte receive area; a client frame goes out in 4096-byte pieces. */
    handle = open_client(NULL, 0);
    hr = WebSocketReceive(handle, NULL, NULL);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    get_action(handle, RECEIVE_QUEUE, 1, &g);
    check_got(&g, RECEIVE_FROM_NETWORK, no_type, 1);
    choice_ok(CHOICE_BUFFER_SIZES, g.buffers[0].Data.ulBufferLength == 4096, "client: read of %lu bytes\n",
              (unsigned long)g.buffers[0].Data.ulBufferLength);
    payload = calloc(1, 10000);
    hr = send_data(handle, BINARY_MESSAGE, payload, 10000, NULL);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    get_action(handle, SEND_QUEUE, 2, &g);
    check_sent(&g, BINARY_MESSAGE, 1, CHOICE_CLIENT_SEND);
    choice_ok(CHOICE_BUFFER_SIZES, g.buffers[0].Data.ulBufferLength == 4096, "client: first piece of %lu bytes\n",
              (unsigned long)g.buffers[0].Data.ulBufferLength);
    pipe_write(&out, g.buffers[0].Data.pbBuffer, g.buffers[0].Data.ulBufferLength);
    WebSocketCompleteAction(handle, g.ctx, g.buffers[0].Data.ulBufferLength);
    choice_ok(CHOICE_BUFFER_SIZES, send_all(handle, SEND_QUEUE, 2, &out, NULL) == 2, "expected two more pieces\n");
    expect_frame(&out, FIN | OP_BINARY, TRUE, payload, 10000);
    WebSocketDeleteHandle(handle);

    handle = open_server(NULL, 0);
    hr = WebSocketReceive(handle, NULL, NULL);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    get_action(handle, RECEIVE_QUEUE, 1, &g);
    check_got(&g, RECEIVE_FROM_NETWORK, no_type, 1);
    choice_ok(CHOICE_BUFFER_SIZES, g.buffers[0].Data.ulBufferLength == 4096, "server: read of %lu bytes\n",
              (unsigned long)g.buffers[0].Data.ulBufferLength);
    WebSocketDeleteHandle(handle);

    /* Only the receive size given: the read offers exactly that. */
    property.Type = WEB_SOCKET_RECEIVE_BUFFER_SIZE_PROPERTY_TYPE;
    property.pvValue = &receive_size;
    property.ulValueSize = sizeof(receive_size);
    handle = open_server(&property, 1);
    hr = WebSocketReceive(handle, NULL, NULL);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    get_action(handle, RECEIVE_QUEUE, 1, &g);
    check_got(&g, RECEIVE_FROM_NETWORK, no_type, 1);
    choice_ok(CHOICE_BUFFER_SIZES, g.buffers[0].Data.ulBufferLength == 1000, "read of %lu bytes\n",
              (unsigned long)g.buffers[0].Data.ulBufferLength);
    WebSocketDeleteHandle(handle);

    free(payload);
    pipe_free(&out);
}

/* Invalid, NULL and deleted handles: E_HANDLE, nothing written; the VOID
 * functions do nothing (check 4). */
static void test_handle_errors(void)
{
    WEB_SOCKET_HTTP_HEADER request[5], *headers;
    WEB_SOCKET_HANDLE deleted_client, deleted_server, reused, handles[4];
    WEB_SOCKET_BUFFER buffers[2];
    WEB_SOCKET_ACTION action;
    WEB_SOCKET_BUFFER_TYPE type;
    PVOID app, ctx;
    ULONG count, sel;
    HRESULT hr;
    unsigned i;

    hr = WebSocketCreateClientHandle(NULL, 0, &deleted_client);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    WebSocketDeleteHandle(deleted_client);
    deleted_server = open_server(NULL, 0);
    WebSocketDeleteHandle(deleted_server);
    /* A new handle may take the deleted one's place: the old value stays dead. */
    reused = open_server(NULL, 0);

    handles[0] = NULL;
    handles[1] = (WEB_SOCKET_HANDLE)SENTINEL_PTR;
    handles[2] = deleted_client;
    handles[3] = deleted_server;
    dotnet_request(request);
    for (i = 0; i < ARRAY_SIZE(handles); i++)
    {
        winetest_push_context("handle %p", handles[i]);
        headers = SENTINEL_PTR;
        count = 0xdeadbeef;
        hr = WebSocketBeginClientHandshake(handles[i], NULL, 0, NULL, 0, NULL, 0, &headers, &count);
        choice_ok(CHOICE_HANDLES, hr == E_HANDLE, "BeginClientHandshake: got %s\n", dbgstr_hr(hr));
        choice_ok(CHOICE_HANDLES, headers == SENTINEL_PTR && count == 0xdeadbeef, "outputs written\n");
        sel = 0xdeadbeef;
        hr = WebSocketEndClientHandshake(handles[i], request, 5, NULL, NULL, &sel);
        choice_ok(CHOICE_HANDLES, hr == E_HANDLE, "EndClientHandshake: got %s\n", dbgstr_hr(hr));
        choice_ok(CHOICE_HANDLES, sel == 0xdeadbeef, "output written\n");
        hr = WebSocketBeginServerHandshake(handles[i], NULL, NULL, 0, request, 5, &headers, &count);
        choice_ok(CHOICE_HANDLES, hr == E_HANDLE, "BeginServerHandshake: got %s\n", dbgstr_hr(hr));
        choice_ok(CHOICE_HANDLES, headers == SENTINEL_PTR && count == 0xdeadbeef, "outputs written\n");
        hr = WebSocketEndServerHandshake(handles[i]);
        choice_ok(CHOICE_HANDLES, hr == E_HANDLE, "EndServerHandshake: got %s\n", dbgstr_hr(hr));
        hr = send_data(handles[i], BINARY_MESSAGE, "x", 1, NULL);
        choice_ok(CHOICE_HANDLES, hr == E_HANDLE, "Send: got %s\n", dbgstr_hr(hr));
        hr = WebSocketReceive(handles[i], NULL, NULL);
        choice_ok(CHOICE_HANDLES, hr == E_HANDLE, "Receive: got %s\n", dbgstr_hr(hr));
        memset(buffers, 0xcc, sizeof(buffers));
        count = 2;
        action = (WEB_SOCKET_ACTION)0xdeadbeef;
        type = (WEB_SOCKET_BUFFER_TYPE)0xdeadbeef;
        app = ctx = SENTINEL_PTR;
        hr = WebSocketGetAction(handles[i], ALL_QUEUE, buffers, &count, &action, &type, &app, &ctx);
        choice_ok(CHOICE_HANDLES, hr == E_HANDLE, "GetAction: got %s\n", dbgstr_hr(hr));
        choice_ok(CHOICE_HANDLES,
                  count == 2 && action == (WEB_SOCKET_ACTION)0xdeadbeef && type == (WEB_SOCKET_BUFFER_TYPE)0xdeadbeef
                  && app == SENTINEL_PTR && ctx == SENTINEL_PTR && all_bytes(buffers, 0xcc, sizeof(buffers)),
                  "GetAction wrote its outputs\n");
        WebSocketCompleteAction(handles[i], NULL, 0);
        WebSocketCompleteAction(handles[i], SENTINEL_PTR, 1);
        WebSocketAbortHandle(handles[i]);
        WebSocketAbortHandle(handles[i]);
        WebSocketDeleteHandle(handles[i]);
        winetest_pop_context();
    }

    /* The new handle still works. */
    hr = send_data(reused, BINARY_MESSAGE, "x", 1, NULL);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    WebSocketDeleteHandle(reused);
    hr = send_data(reused, BINARY_MESSAGE, "x", 1, NULL);
    choice_ok(CHOICE_HANDLES, hr == E_HANDLE, "got %s\n", dbgstr_hr(hr));
}

/* Checks 6 and 8, api-contract 9.4-9.5: sizes 256/16..65536 on both roles,
 * 4-byte values at any alignment, refused properties and sizes. */
static void test_properties(void)
{
    static const struct
    {
        WEB_SOCKET_PROPERTY_TYPE type;
        ULONG value, size;
        HRESULT expected;
    } tests[] = {
        { WEB_SOCKET_RECEIVE_BUFFER_SIZE_PROPERTY_TYPE, 0, 4, E_INVALIDARG },
        { WEB_SOCKET_RECEIVE_BUFFER_SIZE_PROPERTY_TYPE, 16, 4, E_INVALIDARG },
        { WEB_SOCKET_RECEIVE_BUFFER_SIZE_PROPERTY_TYPE, 255, 4, E_INVALIDARG },
        { WEB_SOCKET_RECEIVE_BUFFER_SIZE_PROPERTY_TYPE, 256, 4, S_OK },
        { WEB_SOCKET_RECEIVE_BUFFER_SIZE_PROPERTY_TYPE, 5120, 4, S_OK },
        { WEB_SOCKET_RECEIVE_BUFFER_SIZE_PROPERTY_TYPE, 65536, 4, S_OK },
        { WEB_SOCKET_RECEIVE_BUFFER_SIZE_PROPERTY_TYPE, 65537, 4, E_INVALIDARG },
        { WEB_SOCKET_RECEIVE_BUFFER_SIZE_PROPERTY_TYPE, 0xffffffff, 4, E_INVALIDARG },
        { WEB_SOCKET_RECEIVE_BUFFER_SIZE_PROPERTY_TYPE, 4096, 0, E_INVALIDARG },
        { WEB_SOCKET_RECEIVE_BUFFER_SIZE_PROPERTY_TYPE, 4096, 2, E_INVALIDARG },
        { WEB_SOCKET_RECEIVE_BUFFER_SIZE_PROPERTY_TYPE, 4096, 3, E_INVALIDARG },
        { WEB_SOCKET_RECEIVE_BUFFER_SIZE_PROPERTY_TYPE, 4096, 8, E_INVALIDARG },
        { WEB_SOCKET_SEND_BUFFER_SIZE_PROPERTY_TYPE, 0, 4, E_INVALIDARG },
        { WEB_SOCKET_SEND_BUFFER_SIZE_PROPERTY_TYPE, 15, 4, E_INVALIDARG },
        { WEB_SOCKET_SEND_BUFFER_SIZE_PROPERTY_TYPE, 16, 4, S_OK },
        { WEB_SOCKET_SEND_BUFFER_SIZE_PROPERTY_TYPE, 255, 4, S_OK },
        { WEB_SOCKET_SEND_BUFFER_SIZE_PROPERTY_TYPE, 16384, 4, S_OK },
        { WEB_SOCKET_SEND_BUFFER_SIZE_PROPERTY_TYPE, 65536, 4, S_OK },
        { WEB_SOCKET_SEND_BUFFER_SIZE_PROPERTY_TYPE, 65537, 4, E_INVALIDARG },
        { WEB_SOCKET_SEND_BUFFER_SIZE_PROPERTY_TYPE, 4096, 1, E_INVALIDARG },
        { WEB_SOCKET_SEND_BUFFER_SIZE_PROPERTY_TYPE, 4096, 8, E_INVALIDARG },
        { WEB_SOCKET_DISABLE_MASKING_PROPERTY_TYPE, TRUE, 4, S_OK },
        { WEB_SOCKET_DISABLE_MASKING_PROPERTY_TYPE, FALSE, 4, S_OK },
        { WEB_SOCKET_DISABLE_MASKING_PROPERTY_TYPE, 2, 4, S_OK },
        { WEB_SOCKET_DISABLE_MASKING_PROPERTY_TYPE, TRUE, 1, E_INVALIDARG },
        { WEB_SOCKET_DISABLE_MASKING_PROPERTY_TYPE, TRUE, 0, E_INVALIDARG },
        { WEB_SOCKET_DISABLE_UTF8_VERIFICATION_PROPERTY_TYPE, TRUE, 4, S_OK },
        { WEB_SOCKET_DISABLE_UTF8_VERIFICATION_PROPERTY_TYPE, FALSE, 4, S_OK },
        { WEB_SOCKET_DISABLE_UTF8_VERIFICATION_PROPERTY_TYPE, TRUE, 2, E_INVALIDARG },
        /* Global properties and unknown types are refused by the create functions. */
        { WEB_SOCKET_KEEPALIVE_INTERVAL_PROPERTY_TYPE, 30000, 4, E_INVALIDARG },
        { WEB_SOCKET_SUPPORTED_VERSIONS_PROPERTY_TYPE, 13, 4, E_INVALIDARG },
        { (WEB_SOCKET_PROPERTY_TYPE)7, 0, 4, E_INVALIDARG },
        { (WEB_SOCKET_PROPERTY_TYPE)0x80000000, 0, 4, E_INVALIDARG },
    };
    BYTE storage[16];
    WEB_SOCKET_PROPERTY property, marlin[4], dotnet_server[3], dotnet_client[4];
    WEB_SOCKET_HANDLE handle;
    struct feeder f = { 0 };
    BYTE *managed;
    ULONG marlin_sizes[2] = { 5120, 5120 };
    BOOL marlin_masking = FALSE, marlin_utf8 = TRUE;
    struct got g;
    unsigned i, role, misalign;
    HRESULT hr;

    for (i = 0; i < ARRAY_SIZE(tests); i++)
    {
        for (role = 0; role < 2; role++)
        {
            for (misalign = 0; misalign < 4; misalign += 1)
            {
                winetest_push_context("%s, type %#x, value %lu, size %lu, address +%u", role ? "server" : "client",
                                      tests[i].type, (unsigned long)tests[i].value, (unsigned long)tests[i].size,
                                      misalign);
                memset(storage, 0xcc, sizeof(storage));
                memcpy(storage + misalign, &tests[i].value, sizeof(ULONG));
                property.Type = tests[i].type;
                property.pvValue = storage + misalign;
                property.ulValueSize = tests[i].size;
                handle = SENTINEL_PTR;
                hr = role ? WebSocketCreateServerHandle(&property, 1, &handle)
                          : WebSocketCreateClientHandle(&property, 1, &handle);
                choice_ok(tests[i].type <= WEB_SOCKET_SEND_BUFFER_SIZE_PROPERTY_TYPE ? CHOICE_BUFFER_SIZES
                          : CHOICE_BAD_ARGUMENTS, hr == tests[i].expected, "got %s\n", dbgstr_hr(hr));
                if (hr == S_OK)
                {
                    ok(handle != NULL && handle != SENTINEL_PTR, "got handle %p\n", handle);
                    WebSocketDeleteHandle(handle);
                }
                else
                    choice_ok(CHOICE_BAD_ARGUMENTS, handle == SENTINEL_PTR, "handle written: %p\n", handle);
                winetest_pop_context();
            }
        }
    }

    /* A NULL value pointer. */
    property.Type = WEB_SOCKET_RECEIVE_BUFFER_SIZE_PROPERTY_TYPE;
    property.pvValue = NULL;
    property.ulValueSize = 4;
    hr = WebSocketCreateServerHandle(&property, 1, &handle);
    choice_ok(CHOICE_BAD_ARGUMENTS, hr == E_INVALIDARG, "got %s\n", dbgstr_hr(hr));
    property.Type = WEB_SOCKET_DISABLE_MASKING_PROPERTY_TYPE;
    hr = WebSocketCreateClientHandle(&property, 1, &handle);
    choice_ok(CHOICE_BAD_ARGUMENTS, hr == E_INVALIDARG, "got %s\n", dbgstr_hr(hr));

    /* Marlin's server set: {RBS 5120, SBS 5120, DISABLE_MASKING 0,
     * DISABLE_UTF8_VERIFICATION 1}; invalid UTF-8 then passes (check 8). */
    marlin[0].Type = WEB_SOCKET_RECEIVE_BUFFER_SIZE_PROPERTY_TYPE;
    marlin[0].pvValue = &marlin_sizes[0];
    marlin[0].ulValueSize = 4;
    marlin[1].Type = WEB_SOCKET_SEND_BUFFER_SIZE_PROPERTY_TYPE;
    marlin[1].pvValue = &marlin_sizes[1];
    marlin[1].ulValueSize = 4;
    marlin[2].Type = WEB_SOCKET_DISABLE_MASKING_PROPERTY_TYPE;
    marlin[2].pvValue = &marlin_masking;
    marlin[2].ulValueSize = 4;
    marlin[3].Type = WEB_SOCKET_DISABLE_UTF8_VERIFICATION_PROPERTY_TYPE;
    marlin[3].pvValue = &marlin_utf8;
    marlin[3].ulValueSize = 4;
    handle = open_server(marlin, 4);
    hr = WebSocketReceive(handle, NULL, NULL);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    put_frame(&f.in, FIN | OP_TEXT, TRUE, "\xff\xfe", 2);
    next_receive(handle, RECEIVE_QUEUE, 2, &f, &g);
    check_data(&g, UTF8_MESSAGE, "\xff\xfe", 2);
    WebSocketCompleteAction(handle, g.ctx, 0);
    get_action(handle, RECEIVE_QUEUE, 2, &g);
    check_got(&g, NO_ACTION, no_type, 2);
    /* Masking is still required from the client (DISABLE_MASKING is FALSE). */
    hr = WebSocketReceive(handle, NULL, NULL);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    put_frame(&f.in, FIN | OP_TEXT, FALSE, "x", 1);
    next_receive(handle, RECEIVE_QUEUE, 2, &f, &g);
    choice_ok(CHOICE_PROTOCOL_ERRORS, g.hr == E_INVALID_PROTOCOL_FORMAT, "unmasked frame: got %s\n", dbgstr_hr(g.hr));
    WebSocketDeleteHandle(handle);
    pipe_free(&f.in);

    /* .NET packs the values at the end of its managed array, behind
     * 2*RBS + SBS + 144 bytes: with an odd RBS nothing is aligned. */
    managed = malloc(2 * 1001 + 16 + 144 + 64);
    memset(managed, 0, 2 * 1001 + 16 + 144 + 64);
    {
        BYTE *values = managed + 2 * 1001 + 16 + 144;
        ULONG rbs = 1001, sbs = 16;
        void *address = managed;
        BOOL yes = TRUE;
        ok(((ULONG_PTR)values & 3) != 0, "values are aligned\n");
        memcpy(values, &rbs, 4);
        memcpy(values + 4, &sbs, 4);
        memcpy(values + 8, &address, sizeof(address));
        memcpy(values + 8 + sizeof(address), &yes, 4);
        dotnet_server[0].Type = WEB_SOCKET_RECEIVE_BUFFER_SIZE_PROPERTY_TYPE;
        dotnet_server[0].pvValue = values;
        dotnet_server[0].ulValueSize = 4;
        dotnet_server[1].Type = WEB_SOCKET_SEND_BUFFER_SIZE_PROPERTY_TYPE;
        dotnet_server[1].pvValue = values + 4;
        dotnet_server[1].ulValueSize = 4;
        dotnet_server[2].Type = WEB_SOCKET_ALLOCATED_BUFFER_PROPERTY_TYPE;
        dotnet_server[2].pvValue = values + 8;
        dotnet_server[2].ulValueSize = 1001 + 16 + 144;
        hr = WebSocketCreateServerHandle(dotnet_server, 3, &handle);
        ok(hr == S_OK, ".NET server properties: got %s\n", dbgstr_hr(hr));
        WebSocketDeleteHandle(handle);

        memcpy(dotnet_client, dotnet_server, sizeof(dotnet_server));
        dotnet_client[3].Type = WEB_SOCKET_DISABLE_MASKING_PROPERTY_TYPE;
        dotnet_client[3].pvValue = values + 8 + sizeof(address);
        dotnet_client[3].ulValueSize = 4;
        hr = WebSocketCreateClientHandle(dotnet_client, 4, &handle);
        ok(hr == S_OK, ".NET client properties: got %s\n", dbgstr_hr(hr));
        WebSocketDeleteHandle(handle);
        hr = WebSocketCreateClientHandle(dotnet_client, 3, &handle);
        ok(hr == S_OK, ".NET client properties without masking: got %s\n", dbgstr_hr(hr));
        WebSocketDeleteHandle(handle);
    }
    free(managed);
}

/* Check 7, api-contract 9.7-9.8: the buffer is RBS + SBS + 144 bytes or more,
 * at any alignment, reached through a slot; nothing is written outside it and
 * the property memory is not used after the create call. */
static void test_allocated_buffer(void)
{
    static const struct
    {
        BOOL server;
        ULONG receive, send;     /* 0: not given, the default */
        ULONG size;
        HRESULT expected;
    } tests[] = {
        { FALSE, 0, 0, 4096 + 4096 + 144, S_OK },
        { FALSE, 0, 0, 4096 + 4096 + 143, E_INVALIDARG },
        { TRUE, 0, 0, 4096 + 16 + 144, S_OK },       /* the server's default send size is 16 */
        { TRUE, 0, 0, 4096 + 16 + 143, E_INVALIDARG },
        { TRUE, 256, 16, 256 + 16 + 144, S_OK },
        { TRUE, 256, 16, 256 + 16 + 143, E_INVALIDARG },
        { FALSE, 256, 16, 256 + 16 + 144, S_OK },
        { FALSE, 65536, 65536, 65536 + 65536 + 144, S_OK },
        { FALSE, 65536, 65536, 65536 + 65536 + 143, E_INVALIDARG },
        { TRUE, 300, 100, 300 + 100 + 256, S_OK },
        { TRUE, 300, 100, 0, E_INVALIDARG },
        { TRUE, 300, 100, sizeof(void *), E_INVALIDARG },
    };
    WEB_SOCKET_PROPERTY props[3];
    WEB_SOCKET_HANDLE handle;
    BYTE *block;
    void *slot;
    ULONG sizes[2], count;
    unsigned i, misalign;
    HRESULT hr;
    struct arena a;
    struct feeder f = { 0 };
    struct byte_pipe out = { 0 };
    struct got g;
    BYTE payload[500];

    block = malloc(65536 * 2 + 144 + 16);
    for (i = 0; i < ARRAY_SIZE(tests); i++)
    {
        for (misalign = 0; misalign < 8; misalign += 3)
        {
            winetest_push_context("%s %lu/%lu, %lu bytes at +%u", tests[i].server ? "server" : "client",
                                  (unsigned long)tests[i].receive, (unsigned long)tests[i].send,
                                  (unsigned long)tests[i].size, misalign);
            count = 0;
            sizes[0] = tests[i].receive;
            sizes[1] = tests[i].send;
            if (tests[i].receive)
            {
                props[count].Type = WEB_SOCKET_RECEIVE_BUFFER_SIZE_PROPERTY_TYPE;
                props[count].pvValue = &sizes[0];
                props[count++].ulValueSize = 4;
                props[count].Type = WEB_SOCKET_SEND_BUFFER_SIZE_PROPERTY_TYPE;
                props[count].pvValue = &sizes[1];
                props[count++].ulValueSize = 4;
            }
            slot = block + misalign;
            props[count].Type = WEB_SOCKET_ALLOCATED_BUFFER_PROPERTY_TYPE;
            props[count].pvValue = &slot;
            props[count++].ulValueSize = tests[i].size;
            handle = SENTINEL_PTR;
            hr = tests[i].server ? WebSocketCreateServerHandle(props, count, &handle)
                                 : WebSocketCreateClientHandle(props, count, &handle);
            choice_ok(CHOICE_ALLOCATED_BUFFER, hr == tests[i].expected, "got %s\n", dbgstr_hr(hr));
            if (hr == S_OK)
                WebSocketDeleteHandle(handle);
            else
                choice_ok(CHOICE_BAD_ARGUMENTS, handle == SENTINEL_PTR, "handle written: %p\n", handle);
            winetest_pop_context();
        }
    }

    /* A NULL address in the slot, a NULL slot. */
    slot = NULL;
    props[0].Type = WEB_SOCKET_ALLOCATED_BUFFER_PROPERTY_TYPE;
    props[0].pvValue = &slot;
    props[0].ulValueSize = 4096 * 2 + 144;
    hr = WebSocketCreateClientHandle(props, 1, &handle);
    choice_ok(CHOICE_BAD_ARGUMENTS, hr == E_INVALIDARG, "NULL buffer: got %s\n", dbgstr_hr(hr));
    props[0].pvValue = NULL;
    hr = WebSocketCreateClientHandle(props, 1, &handle);
    choice_ok(CHOICE_BAD_ARGUMENTS, hr == E_INVALIDARG, "NULL slot: got %s\n", dbgstr_hr(hr));
    free(block);

    /* The layout [receive RBS][send SBS][control 144], seen through a client
     * at an odd address: the read buffer, the masked send pieces, the pong. */
    arena_init(&a, 300, 100, 5, FALSE, FALSE);
    handle = open_client(a.props, a.count);
    /* The property memory is the caller's again. */
    memset(a.props, 0xcc, sizeof(a.props));
    a.slot = SENTINEL_PTR;
    hr = WebSocketReceive(handle, NULL, NULL);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    get_action(handle, RECEIVE_QUEUE, 2, &g);
    check_got(&g, RECEIVE_FROM_NETWORK, no_type, 1);
    choice_ok(CHOICE_ALLOCATED_BUFFER,
              g.buffers[0].Data.pbBuffer == receive_area(&a) && g.buffers[0].Data.ulBufferLength == 300,
              "read buffer %p+%lu, receive area %p+300\n", g.buffers[0].Data.pbBuffer,
              (unsigned long)g.buffers[0].Data.ulBufferLength, receive_area(&a));
    WebSocketCompleteAction(handle, g.ctx, 0);
    get_action(handle, RECEIVE_QUEUE, 2, &g);
    choice(CHOICE_CANCELLED_RECEIVE) check_close(&g, WEB_SOCKET_ABORTED_CLOSE_STATUS, NULL, TRUE);
    WebSocketCompleteAction(handle, g.ctx, 0);

    fill_payload(payload, sizeof(payload), FALSE, 7);
    hr = send_data(handle, BINARY_MESSAGE, payload, sizeof(payload), NULL);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    for (i = 0;; i++)
    {
        get_action(handle, SEND_QUEUE, 2, &g);
        if (g.action != SEND_TO_NETWORK)
            break;
        choice_ok(CHOICE_CLIENT_SEND, g.count == 1, "piece %u: %lu buffers\n", i, (unsigned long)g.count);
        choice_ok(CHOICE_ALLOCATED_BUFFER, g.buffers[0].Data.pbBuffer == send_area(&a),
                  "piece %u at %p, send area %p\n", i,
                  g.buffers[0].Data.pbBuffer, send_area(&a));
        choice_ok(CHOICE_CLIENT_SEND, g.buffers[0].Data.ulBufferLength <= 100, "piece %u of %lu bytes\n", i,
                  (unsigned long)g.buffers[0].Data.ulBufferLength);
        pipe_write(&out, g.buffers[0].Data.pbBuffer, g.buffers[0].Data.ulBufferLength);
        WebSocketCompleteAction(handle, g.ctx, g.buffers[0].Data.ulBufferLength);
    }
    check_got(&g, SEND_COMPLETE, BINARY_MESSAGE, 1);
    WebSocketCompleteAction(handle, g.ctx, 0);
    choice_ok(CHOICE_CLIENT_SEND, i == 6, "got %u pieces\n", i);   /* 8-byte header + 500 bytes in 100-byte pieces */
           expect_frame(&out, FIN | OP_BINARY, TRUE, payload, sizeof(payload));

    hr = WebSocketReceive(handle, NULL, NULL);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    put_frame(&f.in, FIN | OP_PING, FALSE, "ping!", 5);
    next_receive(handle, RECEIVE_QUEUE, 2, &f, &g);
    check_pong(&g);
    choice_ok(CHOICE_ALLOCATED_BUFFER,
              g.buffers[0].Data.pbBuffer == control_area(&a) && g.buffers[0].Data.ulBufferLength == 2 + 4 + 5,
              "pong at %p+%lu, control area %p\n", g.buffers[0].Data.pbBuffer,
              (unsigned long)g.buffers[0].Data.ulBufferLength, control_area(&a));
    pipe_reset(&out);
    pipe_write(&out, g.buffers[0].Data.pbBuffer, g.buffers[0].Data.ulBufferLength);
    expect_frame(&out, FIN | OP_PONG, TRUE, "ping!", 5);
    WebSocketCompleteAction(handle, g.ctx, g.buffers[0].Data.ulBufferLength);
    next_receive(handle, RECEIVE_QUEUE, 2, &f, &g);
    check_got(&g, RECEIVE_FROM_NETWORK, no_type, 1);
    WebSocketAbortHandle(handle);
    WebSocketDeleteHandle(handle);
    arena_free(&a);

    /* A server: its headers go out from the send area too. */
    arena_init(&a, 256, 16, 1, FALSE, FALSE);
    handle = open_server(a.props, a.count);
    hr = send_data(handle, BINARY_MESSAGE, payload, 200, NULL);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    get_action(handle, SEND_QUEUE, 2, &g);
    check_sent(&g, BINARY_MESSAGE, 2, CHOICE_SERVER_SEND);
    choice_ok(CHOICE_ALLOCATED_BUFFER, g.buffers[0].Data.pbBuffer == send_area(&a), "header at %p, send area %p\n",
              g.buffers[0].Data.pbBuffer,
              send_area(&a));
    WebSocketCompleteAction(handle, g.ctx, 4 + 200);
    WebSocketDeleteHandle(handle);
    arena_free(&a);

    pipe_free(&f.in);
    pipe_free(&out);
}

/* ---------------------------------------------------------------------------
 * Roles, states and the opening handshake.
 */

/* Client functions on a server handle and the other way round, and every
 * call made in the wrong state: E_INVALID_PROTOCOL_OPERATION. */
static void test_wrong_role_and_state(void)
{
    WEB_SOCKET_HTTP_HEADER request[5], *headers = NULL, *client_headers = NULL;
    WEB_SOCKET_HANDLE client, server;
    ULONG count = 0, client_count = 0;
    struct got g;
    HRESULT hr;

    dotnet_request(request);

    /* A fresh client handle. */
    hr = WebSocketCreateClientHandle(NULL, 0, &client);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    hr = WebSocketBeginServerHandshake(client, NULL, NULL, 0, request, 5, &headers, &count);
    choice_ok(CHOICE_WRONG_STATE, hr == E_INVALID_PROTOCOL_OPERATION, "BeginServerHandshake on a client: got %s\n",
              dbgstr_hr(hr));
    hr = WebSocketEndServerHandshake(client);
    choice_ok(CHOICE_WRONG_STATE, hr == E_INVALID_PROTOCOL_OPERATION, "EndServerHandshake on a client: got %s\n",
              dbgstr_hr(hr));
    hr = WebSocketEndClientHandshake(client, request, 5, NULL, NULL, NULL);
    choice_ok(CHOICE_WRONG_STATE, hr == E_INVALID_PROTOCOL_OPERATION, "End before Begin: got %s\n", dbgstr_hr(hr));
    hr = send_data(client, BINARY_MESSAGE, "x", 1, NULL);
    choice_ok(CHOICE_WRONG_STATE, hr == E_INVALID_PROTOCOL_OPERATION, "Send before the handshake: got %s\n",
              dbgstr_hr(hr));
    hr = WebSocketReceive(client, NULL, NULL);
    choice_ok(CHOICE_WRONG_STATE, hr == E_INVALID_PROTOCOL_OPERATION, "Receive before the handshake: got %s\n",
              dbgstr_hr(hr));
    get_action(client, ALL_QUEUE, 2, &g);
    choice_ok(CHOICE_WRONG_STATE, g.hr == E_INVALID_PROTOCOL_OPERATION, "GetAction before the handshake: got %s\n",
              dbgstr_hr(g.hr));

    /* Between Begin and End: still no session. */
    hr = WebSocketBeginClientHandshake(client, NULL, 0, NULL, 0, NULL, 0, &client_headers, &client_count);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    hr = send_data(client, BINARY_MESSAGE, "x", 1, NULL);
    choice_ok(CHOICE_WRONG_STATE, hr == E_INVALID_PROTOCOL_OPERATION, "Send before End: got %s\n", dbgstr_hr(hr));
    hr = WebSocketReceive(client, NULL, NULL);
    choice_ok(CHOICE_WRONG_STATE, hr == E_INVALID_PROTOCOL_OPERATION, "Receive before End: got %s\n", dbgstr_hr(hr));
    get_action(client, RECEIVE_QUEUE, 1, &g);
    choice_ok(CHOICE_WRONG_STATE, g.hr == E_INVALID_PROTOCOL_OPERATION, "GetAction before End: got %s\n",
              dbgstr_hr(g.hr));
    hr = WebSocketEndServerHandshake(client);
    choice_ok(CHOICE_WRONG_STATE, hr == E_INVALID_PROTOCOL_OPERATION, "EndServerHandshake on a client: got %s\n",
              dbgstr_hr(hr));

    /* A fresh server handle. */
    hr = WebSocketCreateServerHandle(NULL, 0, &server);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    hr = WebSocketBeginClientHandshake(server, NULL, 0, NULL, 0, NULL, 0, &headers, &count);
    choice_ok(CHOICE_WRONG_STATE, hr == E_INVALID_PROTOCOL_OPERATION, "BeginClientHandshake on a server: got %s\n",
              dbgstr_hr(hr));
    hr = WebSocketEndClientHandshake(server, request, 5, NULL, NULL, NULL);
    choice_ok(CHOICE_WRONG_STATE, hr == E_INVALID_PROTOCOL_OPERATION, "EndClientHandshake on a server: got %s\n",
              dbgstr_hr(hr));
    hr = WebSocketEndServerHandshake(server);
    choice_ok(CHOICE_WRONG_STATE, hr == E_INVALID_PROTOCOL_OPERATION, "End before Begin: got %s\n", dbgstr_hr(hr));
    hr = send_data(server, BINARY_MESSAGE, "x", 1, NULL);
    choice_ok(CHOICE_WRONG_STATE, hr == E_INVALID_PROTOCOL_OPERATION, "Send before the handshake: got %s\n",
              dbgstr_hr(hr));
    hr = WebSocketReceive(server, NULL, NULL);
    choice_ok(CHOICE_WRONG_STATE, hr == E_INVALID_PROTOCOL_OPERATION, "Receive before the handshake: got %s\n",
              dbgstr_hr(hr));
    get_action(server, SEND_QUEUE, 2, &g);
    choice_ok(CHOICE_WRONG_STATE, g.hr == E_INVALID_PROTOCOL_OPERATION, "GetAction before the handshake: got %s\n",
              dbgstr_hr(g.hr));

    /* Both open: the server with the client's own headers (sample C). */
    hr = WebSocketBeginServerHandshake(server, NULL, NULL, 0, client_headers, client_count, &headers, &count);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    hr = WebSocketEndClientHandshake(client, headers, count, NULL, NULL, NULL);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    hr = WebSocketEndServerHandshake(server);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));

    /* A second handshake on an open handle. */
    hr = WebSocketBeginClientHandshake(client, NULL, 0, NULL, 0, NULL, 0, &headers, &count);
    choice_ok(CHOICE_WRONG_STATE, hr == E_INVALID_PROTOCOL_OPERATION, "second Begin: got %s\n", dbgstr_hr(hr));
    hr = WebSocketEndClientHandshake(client, headers, count, NULL, NULL, NULL);
    choice_ok(CHOICE_WRONG_STATE, hr == E_INVALID_PROTOCOL_OPERATION, "second End: got %s\n", dbgstr_hr(hr));
    hr = WebSocketBeginServerHandshake(server, NULL, NULL, 0, request, 5, &headers, &count);
    choice_ok(CHOICE_WRONG_STATE, hr == E_INVALID_PROTOCOL_OPERATION, "second Begin: got %s\n", dbgstr_hr(hr));

    /* One Receive and one Send at a time (api-contract 9.37). */
    hr = WebSocketReceive(server, NULL, NULL);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    hr = WebSocketReceive(server, NULL, NULL);
    choice_ok(CHOICE_WRONG_STATE, hr == E_INVALID_PROTOCOL_OPERATION, "second Receive: got %s\n", dbgstr_hr(hr));
    hr = send_data(server, BINARY_MESSAGE, "x", 1, NULL);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    hr = send_data(server, BINARY_MESSAGE, "y", 1, NULL);
    choice_ok(CHOICE_WRONG_STATE, hr == E_INVALID_PROTOCOL_OPERATION, "second Send: got %s\n", dbgstr_hr(hr));
    hr = WebSocketSend(server, PING_PONG, NULL, NULL);
    choice_ok(CHOICE_WRONG_STATE, hr == E_INVALID_PROTOCOL_OPERATION, "ping during a Send: got %s\n", dbgstr_hr(hr));
    hr = send_close(server, 1000, NULL, NULL);
    choice_ok(CHOICE_WRONG_STATE, hr == E_INVALID_PROTOCOL_OPERATION, "close during a Send: got %s\n", dbgstr_hr(hr));

    /* After Abort: only CompleteAction, Abort, Delete and the drain. */
    WebSocketAbortHandle(server);
    hr = send_data(server, BINARY_MESSAGE, "x", 1, NULL);
    choice_ok(CHOICE_WRONG_STATE, hr == E_INVALID_PROTOCOL_OPERATION, "Send after Abort: got %s\n", dbgstr_hr(hr));
    hr = WebSocketSend(server, PING_PONG, NULL, NULL);
    choice_ok(CHOICE_WRONG_STATE, hr == E_INVALID_PROTOCOL_OPERATION, "ping after Abort: got %s\n", dbgstr_hr(hr));
    hr = WebSocketReceive(server, NULL, NULL);
    choice_ok(CHOICE_WRONG_STATE, hr == E_INVALID_PROTOCOL_OPERATION, "Receive after Abort: got %s\n", dbgstr_hr(hr));
    hr = WebSocketBeginServerHandshake(server, NULL, NULL, 0, request, 5, &headers, &count);
    choice_ok(CHOICE_WRONG_STATE, hr == E_INVALID_PROTOCOL_OPERATION, "Begin after Abort: got %s\n", dbgstr_hr(hr));
    hr = WebSocketEndServerHandshake(server);
    choice_ok(CHOICE_WRONG_STATE, hr == E_INVALID_PROTOCOL_OPERATION, "End after Abort: got %s\n", dbgstr_hr(hr));
    WebSocketAbortHandle(client);
    hr = WebSocketEndClientHandshake(client, request, 5, NULL, NULL, NULL);
    choice_ok(CHOICE_WRONG_STATE, hr == E_INVALID_PROTOCOL_OPERATION, "End after Abort: got %s\n", dbgstr_hr(hr));
    hr = WebSocketBeginClientHandshake(client, NULL, 0, NULL, 0, NULL, 0, &headers, &count);
    choice_ok(CHOICE_WRONG_STATE, hr == E_INVALID_PROTOCOL_OPERATION, "Begin after Abort: got %s\n", dbgstr_hr(hr));

    WebSocketDeleteHandle(client);
    WebSocketDeleteHandle(server);
}

/* Every header the DLL hands out: ASCII, counted exactly, NUL-terminated, no empty value. */
static void check_header_strings_(int line, const WEB_SOCKET_HTTP_HEADER *headers, ULONG count)
{
    ULONG i, k;
    for (i = 0; i < count; i++)
    {
        const WEB_SOCKET_HTTP_HEADER *h = &headers[i];
        BOOL ascii = TRUE;
        choice_ok_at(line, CHOICE_HANDSHAKE, h->pcName && h->pcValue, "header %lu: name %p, value %p\n",
                     (unsigned long)i,
                     h->pcName, h->pcValue);
        if (!h->pcName || !h->pcValue)
            continue;
        choice_ok_at(line, CHOICE_HANDSHAKE, h->ulNameLength && strlen(h->pcName) == h->ulNameLength,
                     "header %lu: name %s, length %lu\n", (unsigned long)i, h->pcName,
                     (unsigned long)h->ulNameLength);
        choice_ok_at(line, CHOICE_HANDSHAKE, h->ulValueLength && strlen(h->pcValue) == h->ulValueLength,
                     "header %lu: value %s, length %lu\n", (unsigned long)i, h->pcValue,
                     (unsigned long)h->ulValueLength);
        for (k = 0; k < h->ulNameLength; k++)
            ascii = ascii && h->pcName[k] > 0x20 && h->pcName[k] < 0x7f && h->pcName[k] != ':';
        for (k = 0; k < h->ulValueLength; k++)
            ascii = ascii && h->pcValue[k] >= 0x20 && h->pcValue[k] < 0x7f;
        choice_ok_at(line, CHOICE_HANDSHAKE, ascii, "header %lu: %s: %s is not plain ASCII\n", (unsigned long)i,
                     h->pcName,
                     h->pcValue);
    }
}
#define check_header_strings(h, c) check_header_strings_(__LINE__, h, c)

/* Checks the header list has exactly these (name spelled exactly, value exact). */
static void check_headers_exactly_(int line, const WEB_SOCKET_HTTP_HEADER *headers, ULONG count,
                                   const char *const *expected, ULONG expected_count)
{
    ULONG i, k;
    choice_ok_at(line, CHOICE_HANDSHAKE, count == expected_count, "got %lu headers, expected %lu\n",
                 (unsigned long)count,
                 (unsigned long)expected_count);
    for (i = 0; i < expected_count; i++)
    {
        const char *name = expected[2 * i], *value = expected[2 * i + 1];
        for (k = 0; k < count; k++)
            if (headers[k].pcName && headers[k].ulNameLength == strlen(name)
                && !memcmp(headers[k].pcName, name, strlen(name)))
                break;
        choice_ok_at(line, CHOICE_HANDSHAKE, k < count, "no header %s\n", name);
        if (k < count && value)
            choice_ok_at(line, CHOICE_HANDSHAKE, header_value_is(&headers[k], value), "%s: got %s, expected %s\n", name,
                         dbgstr_bytes(headers[k].pcValue, headers[k].ulValueLength), value);
    }
}
#define check_headers_exactly(h, c, e, n) check_headers_exactly_(__LINE__, h, c, e, n)

static int base64_value(char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

/* Decodes padded base64; returns the byte count, or -1 if it is not base64. */
static int base64_decode(const char *text, ULONG len, BYTE *out, int capacity)
{
    int n = 0;
    ULONG i;
    if (len % 4)
        return -1;
    for (i = 0; i < len; i += 4)
    {
        int v[4], k, pad = 0;
        for (k = 0; k < 4; k++)
        {
            if (text[i + k] == '=' && i + 4 == len && k >= 2)
            {
                v[k] = 0;
                pad++;
            }
            else if (pad || (v[k] = base64_value(text[i + k])) < 0)
                return -1;
        }
        if (n + 3 - pad > capacity)
            return -1;
        out[n++] = (BYTE)(v[0] << 2 | v[1] >> 4);
        if (pad < 2) out[n++] = (BYTE)(v[1] << 4 | v[2] >> 2);
        if (pad < 1) out[n++] = (BYTE)(v[2] << 6 | v[3]);
    }
    return n;
}

/* Begins a client handshake on a new handle and ends it with the response a
 * real server would give, changed by the test. */
struct response_edit
{
    const char *name;           /* header to change or add */
    const char *value;          /* new value; NULL removes the header */
};

static HRESULT end_client_with(WEB_SOCKET_HANDLE client, const WEB_SOCKET_HTTP_HEADER *request, ULONG request_count,
                               const struct response_edit *edits, unsigned edit_count, ULONG *extensions,
                               ULONG *extension_count, ULONG *subprotocol)
{
    WEB_SOCKET_HTTP_HEADER response[12];
    ULONG count = 0, i;
    char accept[64];
    unsigned e;

    if (!accept_for_(__LINE__, request, request_count, accept))
        return E_FAIL;
    response[count++] = make_header("Connection", "Upgrade");
    response[count++] = make_header("Upgrade", "websocket");
    response[count++] = make_header("Sec-WebSocket-Accept", accept);
    for (e = 0; e < edit_count; e++)
    {
        for (i = 0; i < count; i++)
            if (same_name(response[i].pcName, response[i].ulNameLength, edits[e].name))
                break;
        if (!edits[e].value)
        {
            if (i < count)
                response[i] = response[--count];
        }
        else
        {
            response[i] = make_header(edits[e].name, edits[e].value);
            if (i == count)
                count++;
        }
    }
    return WebSocketEndClientHandshake(client, response, count, extensions, extension_count, subprotocol);
}

/* The choice an EndClientHandshake result pins: which error a bad response
 * gets, which subprotocol is taken, which odd headers pass. */
static enum choice_id handshake_choice(HRESULT expected, unsigned edits, BOOL subprotocols)
{
    if (expected == E_PROTOCOL_EXTENSIONS_NOT_SUPPORTED)
        return CHOICE_EXTENSIONS;
    if (expected == E_SUBPROTOCOL_NOT_SUPPORTED || (expected == S_OK && subprotocols))
        return CHOICE_SUBPROTOCOLS;
    if (expected != S_OK)
        return CHOICE_REJECTED_HANDSHAKES;
    return edits ? CHOICE_HEADERS : CHOICE_NONE;
}

/* Checks 9, 10 and 14, api-contract 9.13-9.20. */
static void test_client_handshake(void)
{
    static const char *const expected[] = {
        "Connection", "Upgrade", "Upgrade", "websocket", "Sec-WebSocket-Key", NULL, "Sec-WebSocket-Version", "13",
    };
    static const char *const expected_protocols[] = {
        "Connection", "Upgrade", "Upgrade", "websocket", "Sec-WebSocket-Key", NULL, "Sec-WebSocket-Version", "13",
        "Sec-WebSocket-Protocol", "chat, superchat",
    };
    static const struct
    {
        const char *label;
        struct response_edit edits[3];
        unsigned count;
        BOOL offer_subprotocols;
        HRESULT expected;
        ULONG subprotocol;
    } end_tests[] = {
        { "minimal response", { { NULL } }, 0, FALSE, S_OK, 0 },
        { "extra headers, lower-case names", { { "server", "test" }, { "date", "today" }, { "set-cookie", "a=b" } },
          3, FALSE, S_OK, 0 },
        { "lower-case values", { { "connection", "upgrade" }, { "upgrade", "WebSocket" } }, 2, FALSE, S_OK, 0 },
        { "Connection list", { { "Connection", "keep-alive, Upgrade" } }, 1, FALSE, S_OK, 0 },
        { "wrong accept", { { "Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" } }, 1, FALSE,
          E_INVALID_PROTOCOL_FORMAT, 0 },
        { "no accept", { { "Sec-WebSocket-Accept", NULL } }, 1, FALSE, E_INVALID_PROTOCOL_FORMAT, 0 },
        { "empty accept", { { "Sec-WebSocket-Accept", "" } }, 1, FALSE, E_INVALID_PROTOCOL_FORMAT, 0 },
        { "no Upgrade", { { "Upgrade", NULL } }, 1, FALSE, E_INVALID_PROTOCOL_FORMAT, 0 },
        { "wrong Upgrade", { { "Upgrade", "h2c" } }, 1, FALSE, E_INVALID_PROTOCOL_FORMAT, 0 },
        { "no Connection", { { "Connection", NULL } }, 1, FALSE, E_INVALID_PROTOCOL_FORMAT, 0 },
        { "wrong Connection", { { "Connection", "keep-alive" } }, 1, FALSE, E_INVALID_PROTOCOL_FORMAT, 0 },
        { "extension", { { "Sec-WebSocket-Extensions", "permessage-deflate" } }, 1, FALSE,
          E_PROTOCOL_EXTENSIONS_NOT_SUPPORTED, 0 },
        { "offered extension", { { "Sec-WebSocket-Extensions", "permessage-deflate" } }, 1, TRUE,
          E_PROTOCOL_EXTENSIONS_NOT_SUPPORTED, 0 },
        { "subprotocol not offered", { { "Sec-WebSocket-Protocol", "chat" } }, 1, FALSE,
          E_SUBPROTOCOL_NOT_SUPPORTED, 0 },
        { "no subprotocol back", { { NULL } }, 0, TRUE, E_SUBPROTOCOL_NOT_SUPPORTED, 0 },
        { "other subprotocol", { { "Sec-WebSocket-Protocol", "other" } }, 1, TRUE, E_SUBPROTOCOL_NOT_SUPPORTED, 0 },
        { "first subprotocol", { { "Sec-WebSocket-Protocol", "chat" } }, 1, TRUE, S_OK, 0 },
        { "second subprotocol", { { "Sec-WebSocket-Protocol", "superchat" } }, 1, TRUE, S_OK, 1 },
    };
    static PCSTR subprotocols[] = { "chat", "superchat" };
    static PCSTR extensions[] = { "permessage-deflate" };
    WEB_SOCKET_HTTP_HEADER initial[2], *headers = NULL, *other_headers = NULL;
    const WEB_SOCKET_HTTP_HEADER *key, *other_key, *version;
    WEB_SOCKET_HANDLE client, other;
    ULONG count = 0, other_count = 0, selected[4], selected_count, subprotocol;
    BYTE nonce[20];
    unsigned i;
    HRESULT hr;

    /* Sample C: no initial headers at all. */
    hr = WebSocketCreateClientHandle(NULL, 0, &client);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    headers = SENTINEL_PTR;
    count = 0xdeadbeef;
    hr = WebSocketBeginClientHandshake(client, NULL, 0, NULL, 0, NULL, 0, &headers, &count);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    ok(headers != NULL && headers != SENTINEL_PTR, "got headers %p\n", headers);
    check_header_strings(headers, count);
    check_headers_exactly(headers, count, expected, 4);
    key = find_header(headers, count, "Sec-WebSocket-Key");
    ok(key && key->ulValueLength == 24 && base64_decode(key->pcValue, key->ulValueLength, nonce, 20) == 16,
       "key %s is not base64 of 16 bytes\n", key ? key->pcValue : "(none)");

    /* .NET: {Connection, Upgrade}; the key differs from handle to handle. */
    hr = WebSocketCreateClientHandle(NULL, 0, &other);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    initial[0] = make_header("Connection", "Upgrade");
    initial[1] = make_header("Upgrade", "websocket");
    hr = WebSocketBeginClientHandshake(other, NULL, 0, NULL, 0, initial, 2, &other_headers, &other_count);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    check_header_strings(other_headers, other_count);
    check_headers_exactly(other_headers, other_count, expected, 4);
    /* .NET takes the supported version from here, comparing names without case. */
    version = find_header(other_headers, other_count, "sec-websocket-version");
    ok(header_value_is(version, "13"), "no version 13\n");
    other_key = find_header(other_headers, other_count, "Sec-WebSocket-Key");
    ok(key && other_key && strcmp(key->pcValue, other_key->pcValue), "same key twice: %s\n",
       other_key ? other_key->pcValue : "(none)");
    /* Check 10: deleted in the middle of the handshake (.NET's version probe). */
    WebSocketDeleteHandle(other);
    hr = WebSocketEndClientHandshake(other, NULL, 0, NULL, NULL, NULL);
    choice_ok(CHOICE_HANDLES, hr == E_HANDLE, "got %s\n", dbgstr_hr(hr));
    WebSocketDeleteHandle(client);

    /* Subprotocols are offered; extensions never are. */
    hr = WebSocketCreateClientHandle(NULL, 0, &client);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    hr = WebSocketBeginClientHandshake(client, subprotocols, 2, extensions, 1, initial, 2, &headers, &count);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    check_header_strings(headers, count);
    check_headers_exactly(headers, count, expected_protocols, 5);
    choice_ok(CHOICE_EXTENSIONS, !find_header(headers, count, "Sec-WebSocket-Extensions"), "extensions offered\n");
    WebSocketDeleteHandle(client);

    /* Bad arguments. */
    hr = WebSocketCreateClientHandle(NULL, 0, &client);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    hr = WebSocketBeginClientHandshake(client, NULL, 0, NULL, 0, NULL, 0, NULL, &count);
    choice_ok(CHOICE_BAD_ARGUMENTS, hr == E_INVALIDARG, "NULL headers pointer: got %s\n", dbgstr_hr(hr));
    headers = SENTINEL_PTR;
    hr = WebSocketBeginClientHandshake(client, NULL, 0, NULL, 0, NULL, 0, &headers, NULL);
    choice_ok(CHOICE_BAD_ARGUMENTS, hr == E_INVALIDARG, "NULL count pointer: got %s\n", dbgstr_hr(hr));
    choice_ok(CHOICE_BAD_ARGUMENTS, headers == SENTINEL_PTR, "headers written\n");
    hr = WebSocketBeginClientHandshake(client, NULL, 1, NULL, 0, NULL, 0, &headers, &count);
    choice_ok(CHOICE_BAD_ARGUMENTS, hr == E_INVALIDARG, "NULL subprotocols: got %s\n", dbgstr_hr(hr));
    hr = WebSocketBeginClientHandshake(client, NULL, 0, NULL, 1, NULL, 0, &headers, &count);
    choice_ok(CHOICE_BAD_ARGUMENTS, hr == E_INVALIDARG, "NULL extensions: got %s\n", dbgstr_hr(hr));
    hr = WebSocketBeginClientHandshake(client, NULL, 0, NULL, 0, NULL, 2, &headers, &count);
    choice_ok(CHOICE_BAD_ARGUMENTS, hr == E_INVALIDARG, "NULL initial headers: got %s\n", dbgstr_hr(hr));
    choice_ok(CHOICE_BAD_ARGUMENTS, headers == SENTINEL_PTR, "headers written\n");
    hr = WebSocketBeginClientHandshake(client, NULL, 0, NULL, 0, NULL, 0, &headers, &count);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    hr = WebSocketEndClientHandshake(client, NULL, 3, NULL, NULL, NULL);
    choice_ok(CHOICE_BAD_ARGUMENTS, hr == E_INVALIDARG, "NULL response headers: got %s\n", dbgstr_hr(hr));
    WebSocketDeleteHandle(client);

    /* EndClientHandshake against the response a server gives. */
    for (i = 0; i < ARRAY_SIZE(end_tests); i++)
    {
        winetest_push_context("%s", end_tests[i].label);
        hr = WebSocketCreateClientHandle(NULL, 0, &client);
        ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
        hr = WebSocketBeginClientHandshake(client, end_tests[i].offer_subprotocols ? subprotocols : NULL,
                                           end_tests[i].offer_subprotocols ? 2 : 0,
                                           end_tests[i].offer_subprotocols ? extensions : NULL,
                                           end_tests[i].offer_subprotocols ? 1 : 0, NULL, 0, &headers, &count);
        ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
        memset(selected, 0xcc, sizeof(selected));
        selected_count = 4;
        subprotocol = 0xdeadbeef;
        hr = end_client_with(client, headers, count, end_tests[i].edits, end_tests[i].count, selected,
                             &selected_count, &subprotocol);
        choice_ok(handshake_choice(end_tests[i].expected, end_tests[i].count, end_tests[i].offer_subprotocols),
                  hr == end_tests[i].expected, "got %s\n", dbgstr_hr(hr));
        if (hr == S_OK)
        {
            /* No extension is ever negotiated. */
            choice_ok(CHOICE_EXTENSIONS, selected_count == 0, "got %lu extensions\n", (unsigned long)selected_count);
            choice_ok(CHOICE_EXTENSIONS, all_bytes(selected, 0xcc, sizeof(selected)), "extension indices written\n");
            if (end_tests[i].offer_subprotocols)
                ok(subprotocol == end_tests[i].subprotocol, "got subprotocol %lu\n", (unsigned long)subprotocol);
            else
                choice_ok(CHOICE_SUBPROTOCOLS, subprotocol == 0xdeadbeef, "subprotocol written: %lu\n",
                          (unsigned long)subprotocol);
            hr = send_data(client, BINARY_MESSAGE, "x", 1, NULL);
            ok(hr == S_OK, "Send after End: got %s\n", dbgstr_hr(hr));
        }
        else
        {
            choice_ok(CHOICE_REJECTED_HANDSHAKES, subprotocol == 0xdeadbeef, "subprotocol written: %lu\n",
                      (unsigned long)subprotocol);
            hr = send_data(client, BINARY_MESSAGE, "x", 1, NULL);
            choice_ok(CHOICE_REJECTED_HANDSHAKES, hr == E_INVALID_PROTOCOL_OPERATION,
                      "Send after a failed End: got %s\n", dbgstr_hr(hr));
        }
        WebSocketDeleteHandle(client);
        winetest_pop_context();
    }
}

/* Checks 11, 12 and api-contract 9.21-9.24: the requests real servers pass. */
static void test_server_handshake(void)
{
    static const char *const response3[] = {
        "Connection", "Upgrade", "Upgrade", "websocket", "Sec-WebSocket-Accept", NULL,
    };
    static const char *const response4[] = {
        "Connection", "Upgrade", "Upgrade", "websocket", "Sec-WebSocket-Accept", NULL,
        "Sec-WebSocket-Protocol", "chat",
    };
    static const char *const dotnet[] = {
        "Connection", "Upgrade", "Upgrade", "websocket", "Host", "", "Sec-WebSocket-Version", "13",
        "Sec-WebSocket-Key", "AAAAAAAAAAAAAAAAAAAAAA==", NULL,
    };
    static const char *const rfc[] = {
        "Host", "server.example.com", "Upgrade", "websocket", "Connection", "Upgrade",
        "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==", "Origin", "http://example.com",
        "Sec-WebSocket-Protocol", "chat, superchat", "Sec-WebSocket-Version", "13", NULL,
    };
    static const char *const marlin[] = {
        "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==", "Connection", "keep-alive, Upgrade",
        "Upgrade", "websocket", "Sec-WebSocket-Version", "13", "Host", "localhost:8080", NULL,
    };
    static const char *const marlin_2017[] = {
        "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version", "13",
        "Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits",
        "connection", "upgrade", "upgrade", "websocket", NULL,
    };
    static const char *const mormot[] = {
        "Cache-Control", "no-cache", "Connection", "Upgrade", "Pragma", "no-cache",
        "Accept-Encoding", "gzip, deflate, br", "Accept-Language", "en-US,en;q=0.9", "Host", "localhost:8888",
        "User-Agent", "Mozilla/5.0 (X11; Linux x86_64)", "Upgrade", "websocket",
        "Origin", "http://localhost:8888", "Sec-WebSocket-Version", "13",
        "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits",
        "Cookie", "session=1; theme=dark", "Sec-WebSocket-Protocol", "chat", NULL,
    };
    static const char *const iis[] = {
        "Connection", "Upgrade", "Upgrade", "websocket", "Sec-WebSocket-Version", "13",
        "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Protocol", "chat",
        "Host", "localhost", "User-Agent", "test", NULL,
    };
    static const char *const shouting[] = {
        "CONNECTION", "UPGRADE", "UPGRADE", "  WebSocket  ", "SEC-WEBSOCKET-VERSION", " 13 ",
        "SEC-WEBSOCKET-KEY", " dGhlIHNhbXBsZSBub25jZQ== ", NULL,
    };
    static PCSTR empty_extension[] = { "" };
    static PCSTR deflate[] = { "permessage-deflate" };
    static const struct
    {
        const char *label;
        const char *const *request;
        const char *subprotocol;
        PCSTR *extensions;
        ULONG extension_count;
        const char *accept;
    } tests[] = {
        { ".NET fake request", dotnet, NULL, NULL, 0, "ICX+Yqv66kxgM0FcWaLWlFLwTAI=" },
        { "RFC 6455 request", rfc, NULL, NULL, 0, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" },
        { "RFC 6455 request, chat selected", rfc, "chat", NULL, 0, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" },
        { "Marlin", marlin, NULL, NULL, 0, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" },
        { "Marlin 2017", marlin_2017, "", empty_extension, 0, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" },
        { "mORMot", mormot, "chat", NULL, 0, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" },
        { "IIS module", iis, NULL, NULL, 0, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" },
        { "upper case, spaces", shouting, NULL, NULL, 0, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" },
        { "extension selected", rfc, NULL, deflate, 1, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" },
    };
    static const struct
    {
        const char *label;
        const char *name, *value;   /* replaces or removes (NULL) one header of .NET's request */
        HRESULT expected;
    } errors[] = {
        { "no key", "Sec-WebSocket-Key", NULL, E_INVALID_PROTOCOL_FORMAT },
        { "empty key", "Sec-WebSocket-Key", "", E_INVALID_PROTOCOL_FORMAT },
        { "key not base64", "Sec-WebSocket-Key", "not a websocket key!!!==", E_INVALID_PROTOCOL_FORMAT },
        { "key of 15 bytes", "Sec-WebSocket-Key", "AAAAAAAAAAAAAAAAAAAA", E_INVALID_PROTOCOL_FORMAT },
        { "key of 17 bytes", "Sec-WebSocket-Key", "AAAAAAAAAAAAAAAAAAAAAAA=", E_INVALID_PROTOCOL_FORMAT },
        { "no Upgrade", "Upgrade", NULL, E_INVALID_PROTOCOL_FORMAT },
        { "wrong Upgrade", "Upgrade", "h2c", E_INVALID_PROTOCOL_FORMAT },
        { "no Connection", "Connection", NULL, E_INVALID_PROTOCOL_FORMAT },
        { "wrong Connection", "Connection", "keep-alive", E_INVALID_PROTOCOL_FORMAT },
        { "version 8", "Sec-WebSocket-Version", "8", E_PROTOCOL_VERSION_NOT_SUPPORTED },
        { "version 14", "Sec-WebSocket-Version", "14", E_PROTOCOL_VERSION_NOT_SUPPORTED },
        { "version 130", "Sec-WebSocket-Version", "130", E_PROTOCOL_VERSION_NOT_SUPPORTED },
    };
    WEB_SOCKET_HTTP_HEADER request[16], *response;
    WEB_SOCKET_HANDLE server;
    ULONG count, response_count;
    const WEB_SOCKET_HTTP_HEADER *accept;
    unsigned i, k;
    HRESULT hr;

    for (i = 0; i < ARRAY_SIZE(tests); i++)
    {
        winetest_push_context("%s", tests[i].label);
        for (count = 0; tests[i].request[2 * count]; count++)
            request[count] = make_header(tests[i].request[2 * count], tests[i].request[2 * count + 1]);
        for (k = 0; k < count; k++)
            if (!request[k].ulValueLength)
                request[k].pcValue = empty_string;
        hr = WebSocketCreateServerHandle(NULL, 0, &server);
        ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
        response = SENTINEL_PTR;
        response_count = 0xdeadbeef;
        hr = WebSocketBeginServerHandshake(server, tests[i].subprotocol, tests[i].extensions,
                                           tests[i].extension_count, request, count, &response, &response_count);
        choice_ok(tests[i].request == shouting ? CHOICE_HEADERS
                  : tests[i].extension_count ? CHOICE_EXTENSIONS : CHOICE_NONE, hr == S_OK, "got %s\n", dbgstr_hr(hr));
        if (hr == S_OK)
        {
            BOOL with_protocol = tests[i].subprotocol && tests[i].subprotocol[0];
            check_header_strings(response, response_count);
            check_headers_exactly(response, response_count, with_protocol ? response4 : response3,
                                  with_protocol ? 4 : 3);
            accept = find_header(response, response_count, "Sec-WebSocket-Accept");
            ok(header_value_is(accept, tests[i].accept), "got accept %s\n", accept ? accept->pcValue : "(none)");
            choice_ok(CHOICE_EXTENSIONS, !find_header(response, response_count, "Sec-WebSocket-Extensions"),
                      "extension answered\n");
            hr = WebSocketEndServerHandshake(server);
            ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
        }
        WebSocketDeleteHandle(server);
        winetest_pop_context();
    }

    for (i = 0; i < ARRAY_SIZE(errors); i++)
    {
        winetest_push_context("%s", errors[i].label);
        dotnet_request(request);
        count = 5;
        for (k = 0; k < count; k++)
            if (same_name(request[k].pcName, request[k].ulNameLength, errors[i].name))
                break;
        if (errors[i].value)
        {
            request[k] = make_header(errors[i].name, errors[i].value);
            if (!errors[i].value[0])
                request[k].pcValue = empty_string;
        }
        else
            request[k] = request[--count];
        hr = WebSocketCreateServerHandle(NULL, 0, &server);
        ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
        response = SENTINEL_PTR;
        response_count = 0xdeadbeef;
        hr = WebSocketBeginServerHandshake(server, NULL, NULL, 0, request, count, &response, &response_count);
        choice_ok(CHOICE_REJECTED_HANDSHAKES, hr == errors[i].expected, "got %s\n", dbgstr_hr(hr));
        choice_ok(CHOICE_REJECTED_HANDSHAKES, response == SENTINEL_PTR && response_count == 0xdeadbeef,
                  "outputs written\n");
        /* Still before the handshake. */
        hr = WebSocketEndServerHandshake(server);
        choice_ok(CHOICE_REJECTED_HANDSHAKES, hr == E_INVALID_PROTOCOL_OPERATION, "End after a failed Begin: got %s\n",
                  dbgstr_hr(hr));
        hr = WebSocketReceive(server, NULL, NULL);
        choice_ok(CHOICE_REJECTED_HANDSHAKES, hr == E_INVALID_PROTOCOL_OPERATION,
                  "Receive after a failed Begin: got %s\n", dbgstr_hr(hr));
        /* A good request afterwards works. */
        dotnet_request(request);
        hr = WebSocketBeginServerHandshake(server, NULL, NULL, 0, request, 5, &response, &response_count);
        choice_ok(CHOICE_REJECTED_HANDSHAKES, hr == S_OK, "retry: got %s\n", dbgstr_hr(hr));
        WebSocketDeleteHandle(server);
        winetest_pop_context();
    }

    /* No version at all: refused (which error is not pinned). */
    dotnet_request(request);
    request[3] = request[4];
    hr = WebSocketCreateServerHandle(NULL, 0, &server);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    hr = WebSocketBeginServerHandshake(server, NULL, NULL, 0, request, 4, &response, &response_count);
    ok(FAILED(hr), "no version: got %s\n", dbgstr_hr(hr));

    /* Bad arguments. */
    dotnet_request(request);
    hr = WebSocketBeginServerHandshake(server, NULL, NULL, 0, NULL, 5, &response, &response_count);
    choice_ok(CHOICE_BAD_ARGUMENTS, hr == E_INVALIDARG, "NULL request: got %s\n", dbgstr_hr(hr));
    hr = WebSocketBeginServerHandshake(server, NULL, NULL, 0, request, 5, NULL, &response_count);
    choice_ok(CHOICE_BAD_ARGUMENTS, hr == E_INVALIDARG, "NULL response pointer: got %s\n", dbgstr_hr(hr));
    hr = WebSocketBeginServerHandshake(server, NULL, NULL, 0, request, 5, &response, NULL);
    choice_ok(CHOICE_BAD_ARGUMENTS, hr == E_INVALIDARG, "NULL count pointer: got %s\n", dbgstr_hr(hr));
    hr = WebSocketBeginServerHandshake(server, NULL, NULL, 1, request, 5, &response, &response_count);
    choice_ok(CHOICE_BAD_ARGUMENTS, hr == E_INVALIDARG, "NULL extensions: got %s\n", dbgstr_hr(hr));
    WebSocketDeleteHandle(server);

    /* api-contract 9.23: the first session call ends the handshake. */
    hr = WebSocketCreateServerHandle(NULL, 0, &server);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    hr = WebSocketBeginServerHandshake(server, NULL, NULL, 0, request, 5, &response, &response_count);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    hr = WebSocketReceive(server, NULL, NULL);
    ok(hr == S_OK, "Receive without End: got %s\n", dbgstr_hr(hr));
    hr = send_data(server, UTF8_MESSAGE, "x", 1, NULL);
    ok(hr == S_OK, "Send without End: got %s\n", dbgstr_hr(hr));
    hr = WebSocketBeginServerHandshake(server, NULL, NULL, 0, request, 5, &response, &response_count);
    choice_ok(CHOICE_WRONG_STATE, hr == E_INVALID_PROTOCOL_OPERATION, "Begin after the implicit End: got %s\n",
              dbgstr_hr(hr));
    WebSocketDeleteHandle(server);

    hr = WebSocketCreateServerHandle(NULL, 0, &server);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    hr = WebSocketBeginServerHandshake(server, NULL, NULL, 0, request, 5, &response, &response_count);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    hr = send_data(server, UTF8_MESSAGE, "x", 1, NULL);
    ok(hr == S_OK, "Send without End: got %s\n", dbgstr_hr(hr));
    WebSocketDeleteHandle(server);
}

struct header_copy
{
    ULONG count;
    char text[16][2][128];
};

static void copy_headers(struct header_copy *copy, const WEB_SOCKET_HTTP_HEADER *headers, ULONG count)
{
    ULONG i;
    memset(copy, 0, sizeof(*copy));
    copy->count = count;
    for (i = 0; i < count && i < 16; i++)
    {
        memcpy(copy->text[i][0], headers[i].pcName, headers[i].ulNameLength < 127 ? headers[i].ulNameLength : 127);
        memcpy(copy->text[i][1], headers[i].pcValue, headers[i].ulValueLength < 127 ? headers[i].ulValueLength : 127);
    }
}

/* Compares with a copy, reading the strings as NUL-terminated (IIS, hobby clients). */
static void check_headers_unchanged_(int line, const struct header_copy *copy, const WEB_SOCKET_HTTP_HEADER *headers)
{
    ULONG i;
    for (i = 0; i < copy->count && i < 16; i++)
    {
        if (!headers[i].pcName || !headers[i].pcValue)
        {
            choice_ok_at(line, CHOICE_HANDSHAKE, 0, "header %lu: name %p, value %p\n", (unsigned long)i,
                         headers[i].pcName,
                         headers[i].pcValue);
            continue;
        }
        choice_ok_at(line, CHOICE_HANDSHAKE, !strcmp(headers[i].pcName, copy->text[i][0]) && strlen(copy->text[i][0])
                     == headers[i].ulNameLength, "header %lu: name %s, was %s\n", (unsigned long)i,
                     dbgstr_bytes(headers[i].pcName, headers[i].ulNameLength), copy->text[i][0]);
        choice_ok_at(line, CHOICE_HANDSHAKE, !strcmp(headers[i].pcValue, copy->text[i][1]) && strlen(copy->text[i][1])
                     == headers[i].ulValueLength, "header %lu: value %s, was %s\n", (unsigned long)i,
                     dbgstr_bytes(headers[i].pcValue, headers[i].ulValueLength), copy->text[i][1]);
    }
}
#define check_headers_unchanged(c, h) check_headers_unchanged_(__LINE__, c, h)

/* Heap traffic between the calls, as a program makes. */
static void churn(void)
{
    void *blocks[64];
    WEB_SOCKET_HANDLE handle;
    unsigned i;
    for (i = 0; i < ARRAY_SIZE(blocks); i++)
    {
        blocks[i] = malloc(32 + i * 16);
        memset(blocks[i], 0x55, 32 + i * 16);
    }
    for (i = 0; i < ARRAY_SIZE(blocks); i++)
        free(blocks[i]);
    for (i = 0; i < 4; i++)
        if (WebSocketCreateClientHandle(NULL, 0, &handle) == S_OK)
            WebSocketDeleteHandle(handle);
}

/* Check 13: header arrays stay valid until the next Begin or Delete: after
 * End (IIS module), across a gap before End (the HTTP.sys chat server), after
 * the first session call, and readable by another handle (sample C). */
static void test_handshake_header_lifetime(void)
{
    WEB_SOCKET_HTTP_HEADER request[16], *client_headers = NULL, *server_headers = NULL;
    WEB_SOCKET_HANDLE client, server;
    ULONG client_count = 0, server_count = 0, i;
    struct header_copy client_copy, server_copy;
    struct got g;
    HRESULT hr;

    hr = WebSocketCreateClientHandle(NULL, 0, &client);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    hr = WebSocketCreateServerHandle(NULL, 0, &server);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    hr = WebSocketBeginClientHandshake(client, NULL, 0, NULL, 0, NULL, 0, &client_headers, &client_count);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    copy_headers(&client_copy, client_headers, client_count);
    churn();
    check_headers_unchanged(&client_copy, client_headers);

    for (i = 0; i < client_count; i++)
        request[i] = client_headers[i];
    request[i++] = make_header("Host", "localhost");
    hr = WebSocketBeginServerHandshake(server, NULL, NULL, 0, request, i, &server_headers, &server_count);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    copy_headers(&server_copy, server_headers, server_count);
    churn();
    check_headers_unchanged(&client_copy, client_headers);
    check_headers_unchanged(&server_copy, server_headers);

    /* The server's array read by the client. */
    hr = WebSocketEndClientHandshake(client, server_headers, server_count, NULL, NULL, NULL);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    churn();
    check_headers_unchanged(&client_copy, client_headers);
    check_headers_unchanged(&server_copy, server_headers);

    /* The chat server ends the handshake later, from another callback. */
    hr = WebSocketEndServerHandshake(server);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    churn();
    check_headers_unchanged(&server_copy, server_headers);

    /* Session calls do not take them away either. */
    hr = WebSocketReceive(server, NULL, NULL);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    get_action(server, RECEIVE_QUEUE, 1, &g);
    check_got(&g, RECEIVE_FROM_NETWORK, no_type, 1);
    hr = send_data(client, BINARY_MESSAGE, "x", 1, NULL);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    get_action(client, SEND_QUEUE, 2, &g);
    check_got(&g, SEND_TO_NETWORK, BINARY_MESSAGE, 1);
    churn();
    check_headers_unchanged(&client_copy, client_headers);
    check_headers_unchanged(&server_copy, server_headers);

    WebSocketDeleteHandle(client);
    WebSocketDeleteHandle(server);

    /* Implicit end of a server's handshake by its first session call. */
    hr = WebSocketCreateServerHandle(NULL, 0, &server);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    dotnet_request(request);
    hr = WebSocketBeginServerHandshake(server, NULL, NULL, 0, request, 5, &server_headers, &server_count);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    copy_headers(&server_copy, server_headers, server_count);
    hr = send_data(server, BINARY_MESSAGE, "x", 1, NULL);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    churn();
    check_headers_unchanged(&server_copy, server_headers);
    WebSocketDeleteHandle(server);
}

/* ---------------------------------------------------------------------------
 * Check 15: Microsoft's sample, driven as it is written.
 */

struct sample_transport
{
    struct byte_pipe data;
    BOOL read_nothing;       /* the sample's transport asserts this never happens */
};

/* RunLoop: GetAction(ALL, 2 buffers, no application context pointer); after
 * every action, NO_ACTION included, CompleteAction. */
static void sample_run_loop(WEB_SOCKET_HANDLE handle, struct sample_transport *transport, char *received,
                            ULONG *received_length, WEB_SOCKET_BUFFER_TYPE *received_type)
{
    int guard;
    for (guard = 0; guard < 1000; guard++)
    {
        WEB_SOCKET_BUFFER buffers[2];
        ULONG count = ARRAY_SIZE(buffers), bytes = 0, i;
        WEB_SOCKET_ACTION action;
        WEB_SOCKET_BUFFER_TYPE type;
        PVOID ctx = NULL;
        HRESULT hr;

        memset(buffers, 0, sizeof(buffers));
        hr = WebSocketGetAction(handle, ALL_QUEUE, buffers, &count, &action, &type, NULL, &ctx);
        ok(hr == S_OK, "GetAction returned %s\n", dbgstr_hr(hr));
        if (FAILED(hr))
        {
            WebSocketAbortHandle(handle);
            continue;
        }
        switch (action)
        {
        case NO_ACTION:
            break;
        case RECEIVE_FROM_NETWORK:
            for (i = 0; i < count; i++)
            {
                ULONG n = buffers[i].Data.ulBufferLength;
                if (n > pipe_left(&transport->data))
                    n = (ULONG)pipe_left(&transport->data);
                if (!n)
                    transport->read_nothing = TRUE;
                memcpy(buffers[i].Data.pbBuffer, transport->data.data + transport->data.read, n);
                transport->data.read += n;
                bytes += n;
                if (n < buffers[i].Data.ulBufferLength)
                    break;
            }
            break;
        case RECEIVE_COMPLETE:
            ok(count == 1, "indication with %lu buffers\n", (unsigned long)count);
            if (buffers[0].Data.ulBufferLength < 64)
            {
                memcpy(received, buffers[0].Data.pbBuffer, buffers[0].Data.ulBufferLength);
                received[buffers[0].Data.ulBufferLength] = 0;
                *received_length = buffers[0].Data.ulBufferLength;
            }
            *received_type = type;
            break;
        case SEND_TO_NETWORK:
            for (i = 0; i < count; i++)
            {
                pipe_write(&transport->data, buffers[i].Data.pbBuffer, buffers[i].Data.ulBufferLength);
                bytes += buffers[i].Data.ulBufferLength;
            }
            break;
        case SEND_COMPLETE:
            break;
        default:
            ok(0, "unexpected action %d\n", action);
        }
        WebSocketCompleteAction(handle, ctx, bytes);
        if (action == NO_ACTION)
            return;
    }
    ok(0, "the loop did not end\n");
}

static void test_sample_c(void)
{
    WEB_SOCKET_HTTP_HEADER *client_headers = NULL, *server_headers = NULL, all[16];
    WEB_SOCKET_HANDLE client, server;
    ULONG client_count = 0, server_count = 0, i, length = 0;
    struct sample_transport transport = { 0 };
    WEB_SOCKET_BUFFER_TYPE type = no_type;
    WEB_SOCKET_BUFFER buffer;
    char received[64] = "";
    HRESULT hr;

    hr = WebSocketCreateClientHandle(NULL, 0, &client);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    hr = WebSocketCreateServerHandle(NULL, 0, &server);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    hr = WebSocketBeginClientHandshake(client, NULL, 0, NULL, 0, NULL, 0, &client_headers, &client_count);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    for (i = 0; i < client_count && i < 15; i++)
        all[i] = client_headers[i];
    all[i++] = make_header("Host", "localhost");
    hr = WebSocketBeginServerHandshake(server, NULL, NULL, 0, all, i, &server_headers, &server_count);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    hr = WebSocketEndClientHandshake(client, server_headers, server_count, NULL, 0, NULL);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    hr = WebSocketEndServerHandshake(server);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));

    buffer.Data.pbBuffer = (BYTE *)"Hello World";
    buffer.Data.ulBufferLength = 11;
    hr = WebSocketSend(client, UTF8_MESSAGE, &buffer, NULL);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    sample_run_loop(client, &transport, received, &length, &type);
    hr = WebSocketReceive(server, NULL, NULL);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    sample_run_loop(server, &transport, received, &length, &type);

    ok(type == UTF8_MESSAGE, "got type %#x\n", type);
    ok(length == 11 && !strcmp(received, "Hello World"), "got %s\n", received);
    ok(!transport.read_nothing, "the DLL asked for data that does not exist\n");
    ok(pipe_left(&transport.data) == 0, "%lu bytes not read\n", (unsigned long)pipe_left(&transport.data));

    WebSocketDeleteHandle(client);
    WebSocketDeleteHandle(server);
    pipe_free(&transport.data);
}

/* ---------------------------------------------------------------------------
 * GetAction and CompleteAction.
 */

/* Check 16: queues 1, 2, 3, capacity 1 or 2, a NULL application context
 * pointer; bad arguments fail with E_INVALIDARG and change nothing. */
static void test_get_action_arguments(void)
{
    static const ULONG bad_queues[] = { 0, 4, 7, 0x80000003 };
    WEB_SOCKET_HANDLE handle;
    WEB_SOCKET_BUFFER buffers[2];
    WEB_SOCKET_ACTION action;
    WEB_SOCKET_BUFFER_TYPE type;
    PVOID app, ctx;
    ULONG count, capacity, queue;
    struct got g;
    unsigned i;
    HRESULT hr;

    handle = open_server(NULL, 0);
    for (queue = SEND_QUEUE; queue <= ALL_QUEUE; queue++)
        for (capacity = 1; capacity <= 2; capacity++)
        {
            winetest_push_context("queue %lu, capacity %lu", (unsigned long)queue, (unsigned long)capacity);
            expect_no_action(handle, (WEB_SOCKET_ACTION_QUEUE)queue, capacity);
            count = capacity;
            ctx = SENTINEL_PTR;
            action = (WEB_SOCKET_ACTION)0xdeadbeef;
            hr = WebSocketGetAction(handle, (WEB_SOCKET_ACTION_QUEUE)queue, buffers, &count, &action, &type, NULL,
                                    &ctx);
            ok(hr == S_OK, "NULL application context pointer: got %s\n", dbgstr_hr(hr));
            choice_ok(CHOICE_NO_ACTION, action == NO_ACTION && ctx == NULL, "got action %d, context %p\n", action, ctx);
            winetest_pop_context();
        }

    /* A pending read must survive every refused call. */
    hr = WebSocketReceive(handle, NULL, SENTINEL_PTR);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    for (i = 0; i < ARRAY_SIZE(bad_queues); i++)
    {
        winetest_push_context("queue %#lx", (unsigned long)bad_queues[i]);
        memset(buffers, 0xcc, sizeof(buffers));
        count = 2;
        action = (WEB_SOCKET_ACTION)0xdeadbeef;
        type = (WEB_SOCKET_BUFFER_TYPE)0xdeadbeef;
        app = ctx = SENTINEL_PTR;
        hr = WebSocketGetAction(handle, (WEB_SOCKET_ACTION_QUEUE)bad_queues[i], buffers, &count, &action, &type, &app,
                                &ctx);
        choice_ok(CHOICE_BAD_ARGUMENTS, hr == E_INVALIDARG, "got %s\n", dbgstr_hr(hr));
        choice_ok(CHOICE_BAD_ARGUMENTS,
                  count == 2 && action == (WEB_SOCKET_ACTION)0xdeadbeef && type == (WEB_SOCKET_BUFFER_TYPE)0xdeadbeef
                  && app == SENTINEL_PTR && ctx == SENTINEL_PTR && all_bytes(buffers, 0xcc, sizeof(buffers)),
                  "outputs written\n");
        winetest_pop_context();
    }
    count = 0;
    action = (WEB_SOCKET_ACTION)0xdeadbeef;
    hr = WebSocketGetAction(handle, RECEIVE_QUEUE, buffers, &count, &action, &type, &app, &ctx);
    choice_ok(CHOICE_BAD_ARGUMENTS, hr == E_INVALIDARG, "capacity 0: got %s\n", dbgstr_hr(hr));
    choice_ok(CHOICE_BAD_ARGUMENTS, action == (WEB_SOCKET_ACTION)0xdeadbeef, "action written\n");
    count = 1;
    hr = WebSocketGetAction(handle, RECEIVE_QUEUE, NULL, &count, &action, &type, &app, &ctx);
    choice_ok(CHOICE_BAD_ARGUMENTS, hr == E_INVALIDARG, "NULL buffers: got %s\n", dbgstr_hr(hr));
    hr = WebSocketGetAction(handle, RECEIVE_QUEUE, buffers, NULL, &action, &type, &app, &ctx);
    choice_ok(CHOICE_BAD_ARGUMENTS, hr == E_INVALIDARG, "NULL count: got %s\n", dbgstr_hr(hr));
    hr = WebSocketGetAction(handle, RECEIVE_QUEUE, buffers, &count, NULL, &type, &app, &ctx);
    choice_ok(CHOICE_BAD_ARGUMENTS, hr == E_INVALIDARG, "NULL action: got %s\n", dbgstr_hr(hr));
    hr = WebSocketGetAction(handle, RECEIVE_QUEUE, buffers, &count, &action, NULL, &app, &ctx);
    choice_ok(CHOICE_BAD_ARGUMENTS, hr == E_INVALIDARG, "NULL buffer type: got %s\n", dbgstr_hr(hr));
    hr = WebSocketGetAction(handle, RECEIVE_QUEUE, buffers, &count, &action, &type, &app, NULL);
    choice_ok(CHOICE_BAD_ARGUMENTS, hr == E_INVALIDARG, "NULL action context: got %s\n", dbgstr_hr(hr));
    choice_ok(CHOICE_BAD_ARGUMENTS, action == (WEB_SOCKET_ACTION)0xdeadbeef, "action written\n");

    /* The read, with its Receive's context; then again with no context pointer. */
    get_action(handle, RECEIVE_QUEUE, 2, &g);
    check_got(&g, RECEIVE_FROM_NETWORK, no_type, 1);
    ok(g.app == SENTINEL_PTR, "got application context %p\n", g.app);
    WebSocketCompleteAction(handle, g.ctx, 0);
    count = 1;
    ctx = NULL;
    hr = WebSocketGetAction(handle, RECEIVE_QUEUE, buffers, &count, &action, &type, NULL, &ctx);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    choice_ok(CHOICE_CANCELLED_RECEIVE, action == RECEIVE_COMPLETE && type == CLOSE_TYPE && ctx != NULL,
              "got action %d, type %#x, context %p\n",
              action, type, ctx);
    WebSocketCompleteAction(handle, ctx, 0);
    WebSocketDeleteHandle(handle);
}

/* Check 17, api-contract 9.36: NO_ACTION writes action 0, buffer type 0, NULL
 * contexts, and leaves the count and the buffers as they were. */
static void test_no_action(void)
{
    WEB_SOCKET_HANDLE handle;
    WEB_SOCKET_BUFFER buffers[5];
    WEB_SOCKET_ACTION action;
    WEB_SOCKET_BUFFER_TYPE type;
    PVOID app, ctx;
    ULONG count, queue;
    struct byte_pipe out = { 0 };
    struct feeder f = { 0 };
    struct got g;
    unsigned role;
    HRESULT hr;

    for (role = 0; role < 2; role++)
    {
        winetest_push_context("%s", role ? "server" : "client");
        handle = open_handle(role, NULL, 0);
        for (queue = SEND_QUEUE; queue <= ALL_QUEUE; queue++)
        {
            memset(buffers, 0xcc, sizeof(buffers));
            count = 5;
            action = (WEB_SOCKET_ACTION)0xdeadbeef;
            type = (WEB_SOCKET_BUFFER_TYPE)0xdeadbeef;
            app = ctx = SENTINEL_PTR;
            hr = WebSocketGetAction(handle, (WEB_SOCKET_ACTION_QUEUE)queue, buffers, &count, &action, &type, &app,
                                    &ctx);
            ok(hr == S_OK, "queue %lu: got %s\n", (unsigned long)queue, dbgstr_hr(hr));
            ok(action == NO_ACTION, "queue %lu: got action %d\n", (unsigned long)queue, action);
            choice_ok(CHOICE_NO_ACTION, type == no_type, "queue %lu: got type %#x\n", (unsigned long)queue, type);
            choice_ok(CHOICE_NO_ACTION, ctx == NULL, "queue %lu: got action context %p\n", (unsigned long)queue, ctx);
            choice_ok(CHOICE_NO_ACTION, app == NULL, "queue %lu: got application context %p\n", (unsigned long)queue,
                      app);
            choice_ok(CHOICE_NO_ACTION, count == 5, "queue %lu: got count %lu\n", (unsigned long)queue,
                      (unsigned long)count);
            choice_ok(CHOICE_NO_ACTION, all_bytes(buffers, 0xcc, sizeof(buffers)), "queue %lu: buffers written\n",
                      (unsigned long)queue);
        }

        /* After a whole send and a whole receive, the same. */
        hr = send_data(handle, BINARY_MESSAGE, "abc", 3, SENTINEL_PTR);
        ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
        send_all(handle, SEND_QUEUE, 2, &out, NULL);
        expect_no_action(handle, SEND_QUEUE, 2);
        expect_no_action(handle, ALL_QUEUE, 1);
        hr = WebSocketReceive(handle, NULL, SENTINEL_PTR);
        ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
        put_frame(&f.in, FIN | OP_BINARY, role, "abc", 3);
        next_receive(handle, RECEIVE_QUEUE, 1, &f, &g);
        check_data(&g, BINARY_MESSAGE, "abc", 3);
        /* Until completed, the indication blocks its queue. */
        expect_no_action(handle, RECEIVE_QUEUE, 1);
        WebSocketCompleteAction(handle, g.ctx, 0);
        expect_no_action(handle, RECEIVE_QUEUE, 2);
        expect_no_action(handle, ALL_QUEUE, 2);

        /* Completing NO_ACTION's NULL context changes nothing (sample C, mORMot, Marlin). */
        hr = WebSocketReceive(handle, NULL, NULL);
        ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
        get_action(handle, RECEIVE_QUEUE, 1, &g);
        check_got(&g, RECEIVE_FROM_NETWORK, no_type, 1);
        WebSocketCompleteAction(handle, NULL, 0);
        WebSocketCompleteAction(handle, NULL, 5);
        choice(CHOICE_COMPLETE_ACTION) expect_no_action(handle, RECEIVE_QUEUE, 1);
        WebSocketAbortHandle(handle);
        WebSocketDeleteHandle(handle);
        pipe_reset(&f.in);
        winetest_pop_context();
    }
    pipe_free(&out);
    pipe_free(&f.in);
}

/* Checks 18 and 22: each action has its own non-NULL context; NULL, stale,
 * made-up and other handles' contexts complete nothing. */
static void test_action_contexts(void)
{
    WEB_SOCKET_HANDLE handle, other, twin;
    PVOID seen[16];
    unsigned n = 0, i, k;
    struct feeder f = { 0 }, other_f = { 0 };
    struct byte_pipe out = { 0 };
    struct got g, rfn, other_rfn;
    HRESULT hr;

    handle = open_server(NULL, 0);

    /* A sequence of different actions: every context is new. */
    hr = WebSocketReceive(handle, NULL, NULL);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    get_action(handle, RECEIVE_QUEUE, 2, &g);
    check_got(&g, RECEIVE_FROM_NETWORK, no_type, 1);
    seen[n++] = g.ctx;
    put_frame(&f.in, FIN | OP_PING, TRUE, "p", 1);
    put_frame(&f.in, FIN | OP_TEXT, TRUE, "hello", 5);
    memcpy(g.buffers[0].Data.pbBuffer, f.in.data, f.in.size);
    f.in.read = f.in.size;
    WebSocketCompleteAction(handle, g.ctx, (ULONG)f.in.size);
    get_action(handle, RECEIVE_QUEUE, 2, &g);
    check_pong(&g);
    seen[n++] = g.ctx;
    WebSocketCompleteAction(handle, g.ctx, g.buffers[0].Data.ulBufferLength);
    get_action(handle, RECEIVE_QUEUE, 2, &g);
    check_data(&g, UTF8_MESSAGE, "hello", 5);
    seen[n++] = g.ctx;
    WebSocketCompleteAction(handle, g.ctx, 0);
    for (i = 0; i < 3; i++)
    {
        hr = send_data(handle, BINARY_MESSAGE, "data", 4, NULL);
        ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
        get_action(handle, SEND_QUEUE, 1, &g);
        check_sent(&g, BINARY_MESSAGE, 1, CHOICE_SERVER_SEND);
        seen[n++] = g.ctx;
        WebSocketCompleteAction(handle, g.ctx, g.buffers[0].Data.ulBufferLength);
        get_action(handle, SEND_QUEUE, 1, &g);
        check_sent(&g, BINARY_MESSAGE, 1, CHOICE_SERVER_SEND);
        seen[n++] = g.ctx;
        WebSocketCompleteAction(handle, g.ctx, g.buffers[0].Data.ulBufferLength);
        get_action(handle, SEND_QUEUE, 1, &g);
        check_got(&g, SEND_COMPLETE, BINARY_MESSAGE, 1);
        seen[n++] = g.ctx;
        WebSocketCompleteAction(handle, g.ctx, 0);
    }
    for (i = 0; i < n; i++)
        for (k = i + 1; k < n; k++)
            ok(seen[i] != seen[k], "actions %u and %u share context %p\n", i, k, seen[i]);

    /* A read completed twice: the second completion is stale and adds nothing. */
    hr = WebSocketReceive(handle, NULL, NULL);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    get_action(handle, RECEIVE_QUEUE, 1, &rfn);
    check_got(&rfn, RECEIVE_FROM_NETWORK, no_type, 1);
    pipe_reset(&f.in);
    put_frame(&f.in, FIN | OP_TEXT, TRUE, "abc", 3);
    memcpy(rfn.buffers[0].Data.pbBuffer, f.in.data, f.in.size);
    WebSocketCompleteAction(handle, rfn.ctx, (ULONG)f.in.size);
    WebSocketCompleteAction(handle, rfn.ctx, (ULONG)f.in.size);
    get_action(handle, RECEIVE_QUEUE, 1, &g);
    choice(CHOICE_COMPLETE_ACTION) check_data(&g, UTF8_MESSAGE, "abc", 3);
    WebSocketCompleteAction(handle, g.ctx, 0);
    WebSocketCompleteAction(handle, g.ctx, 0);
    WebSocketCompleteAction(handle, rfn.ctx, 9);
    hr = WebSocketReceive(handle, NULL, NULL);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    get_action(handle, RECEIVE_QUEUE, 1, &g);
    check_got(&g, RECEIVE_FROM_NETWORK, no_type, 1);
    choice_ok(CHOICE_COMPLETE_ACTION, g.buffers[0].Data.ulBufferLength == 4096,
              "stale bytes were counted: read of %lu\n",
              (unsigned long)g.buffers[0].Data.ulBufferLength);
    rfn = g;

    /* A send's action completed again after the indication. */
    hr = send_data(handle, BINARY_MESSAGE, "data", 4, NULL);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    get_action(handle, SEND_QUEUE, 2, &g);
    check_sent(&g, BINARY_MESSAGE, 2, CHOICE_SERVER_SEND);
    WebSocketCompleteAction(handle, g.ctx, 6);
    WebSocketCompleteAction(handle, g.ctx, 0);
    get_action(handle, SEND_QUEUE, 2, &g);
    check_got(&g, SEND_COMPLETE, BINARY_MESSAGE, 1);
    WebSocketCompleteAction(handle, g.ctx, 0);
    choice(CHOICE_COMPLETE_ACTION) expect_no_action(handle, SEND_QUEUE, 2);

    /* Made-up contexts. */
    WebSocketCompleteAction(handle, (PVOID)(ULONG_PTR)1, 5);
    WebSocketCompleteAction(handle, (PVOID)(ULONG_PTR)2, 5);
    WebSocketCompleteAction(handle, (PVOID)(ULONG_PTR)3, 5);
    WebSocketCompleteAction(handle, (PVOID)~(ULONG_PTR)0, 5);
    WebSocketCompleteAction(handle, SENTINEL_PTR, 5);
    WebSocketCompleteAction(handle, &g, 5);
    choice(CHOICE_COMPLETE_ACTION) expect_no_action(handle, RECEIVE_QUEUE, 1);

    /* Two new handles in the same state, each with its read outstanding: one's
     * context means nothing to the other. */
    other = open_server(NULL, 0);
    twin = open_server(NULL, 0);
    hr = WebSocketReceive(other, NULL, NULL);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    hr = WebSocketReceive(twin, NULL, NULL);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    get_action(other, RECEIVE_QUEUE, 1, &other_rfn);
    check_got(&other_rfn, RECEIVE_FROM_NETWORK, no_type, 1);
    get_action(twin, RECEIVE_QUEUE, 1, &rfn);
    check_got(&rfn, RECEIVE_FROM_NETWORK, no_type, 1);
    pipe_reset(&f.in);
    put_frame(&f.in, FIN | OP_TEXT, TRUE, "twin", 4);
    pipe_reset(&other_f.in);
    put_frame(&other_f.in, FIN | OP_TEXT, TRUE, "other", 5);
    memcpy(rfn.buffers[0].Data.pbBuffer, f.in.data, f.in.size);
    memcpy(other_rfn.buffers[0].Data.pbBuffer, other_f.in.data, other_f.in.size);
    WebSocketCompleteAction(twin, other_rfn.ctx, (ULONG)other_f.in.size);
    choice(CHOICE_COMPLETE_ACTION) expect_no_action(twin, RECEIVE_QUEUE, 1);
    WebSocketCompleteAction(other, rfn.ctx, (ULONG)f.in.size);
    choice(CHOICE_COMPLETE_ACTION) expect_no_action(other, RECEIVE_QUEUE, 1);
    WebSocketCompleteAction(twin, rfn.ctx, (ULONG)f.in.size);
    get_action(twin, RECEIVE_QUEUE, 1, &g);
    check_data(&g, UTF8_MESSAGE, "twin", 4);
    WebSocketCompleteAction(twin, g.ctx, 0);
    WebSocketCompleteAction(other, other_rfn.ctx, (ULONG)other_f.in.size);
    get_action(other, RECEIVE_QUEUE, 1, &g);
    check_data(&g, UTF8_MESSAGE, "other", 5);
    WebSocketCompleteAction(other, g.ctx, 0);
    WebSocketDeleteHandle(twin);

    WebSocketDeleteHandle(other);
    WebSocketDeleteHandle(handle);
    pipe_free(&f.in);
    pipe_free(&other_f.in);
    pipe_free(&out);
}

/* Checks 19 and 20: an outstanding action blocks its own queue only; frames
 * never interleave on the wire (a pong waits for a frame in progress and the
 * other way round). */
static void test_queue_blocking(void)
{
    WEB_SOCKET_HANDLE handle;
    WEB_SOCKET_PROPERTY props[2];
    ULONG sizes[2] = { 256, 16 };
    struct feeder f = { 0 };
    struct byte_pipe out = { 0 };
    BYTE payload[100];
    struct got g, pong, rfn, stn;
    HRESULT hr;

    fill_payload(payload, sizeof(payload), FALSE, 3);
    handle = open_server(NULL, 0);

    /* An outstanding SEND_TO_NETWORK: no second one, on either queue name. */
    hr = send_data(handle, BINARY_MESSAGE, payload, 10, NULL);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    get_action(handle, SEND_QUEUE, 1, &stn);
    check_sent(&stn, BINARY_MESSAGE, 1, CHOICE_SERVER_SEND);
    expect_no_action(handle, SEND_QUEUE, 1);
    expect_no_action(handle, ALL_QUEUE, 2);
    /* ...but the receive side runs (check 20). */
    hr = WebSocketReceive(handle, NULL, NULL);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    put_frame(&f.in, FIN | OP_TEXT, TRUE, "hi", 2);
    next_receive(handle, RECEIVE_QUEUE, 1, &f, &g);
    check_data(&g, UTF8_MESSAGE, "hi", 2);
    WebSocketCompleteAction(handle, g.ctx, 0);
    WebSocketCompleteAction(handle, stn.ctx, stn.buffers[0].Data.ulBufferLength);
    get_action(handle, SEND_QUEUE, 1, &g);
    check_sent(&g, BINARY_MESSAGE, 1, CHOICE_SERVER_SEND);
    WebSocketCompleteAction(handle, g.ctx, 10);
    get_action(handle, SEND_QUEUE, 1, &g);
    check_got(&g, SEND_COMPLETE, BINARY_MESSAGE, 1);
    WebSocketCompleteAction(handle, g.ctx, 0);

    /* An outstanding RECEIVE_FROM_NETWORK: no second one; sends go on, also
     * through the ALL queue (the chat server). */
    hr = WebSocketReceive(handle, NULL, NULL);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    get_action(handle, ALL_QUEUE, 2, &rfn);
    check_got(&rfn, RECEIVE_FROM_NETWORK, no_type, 1);
    expect_no_action(handle, RECEIVE_QUEUE, 2);
    expect_no_action(handle, ALL_QUEUE, 2);
    hr = send_data(handle, BINARY_MESSAGE, payload, 10, NULL);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    get_action(handle, ALL_QUEUE, 2, &g);
    check_sent(&g, BINARY_MESSAGE, 2, CHOICE_SERVER_SEND);
    WebSocketCompleteAction(handle, g.ctx, 12);
    get_action(handle, ALL_QUEUE, 2, &g);
    check_got(&g, SEND_COMPLETE, BINARY_MESSAGE, 1);
    WebSocketCompleteAction(handle, g.ctx, 0);
    expect_no_action(handle, ALL_QUEUE, 2);
    pipe_reset(&f.in);
    put_frame(&f.in, FIN | OP_TEXT, TRUE, "yo", 2);
    memcpy(rfn.buffers[0].Data.pbBuffer, f.in.data, f.in.size);
    WebSocketCompleteAction(handle, rfn.ctx, (ULONG)f.in.size);
    get_action(handle, ALL_QUEUE, 2, &g);
    check_data(&g, UTF8_MESSAGE, "yo", 2);
    WebSocketCompleteAction(handle, g.ctx, 0);

    /* A pong on the wire blocks the send queue until it is completed. */
    hr = WebSocketReceive(handle, NULL, NULL);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    pipe_reset(&f.in);
    put_frame(&f.in, FIN | OP_PING, TRUE, "ping", 4);
    put_frame(&f.in, FIN | OP_TEXT, TRUE, "after", 5);
    next_receive(handle, RECEIVE_QUEUE, 1, &f, &pong);
    check_pong(&pong);
    hr = send_data(handle, BINARY_MESSAGE, payload, 10, NULL);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    expect_no_action(handle, SEND_QUEUE, 2);
    expect_no_action(handle, ALL_QUEUE, 2);
    WebSocketCompleteAction(handle, pong.ctx, pong.buffers[0].Data.ulBufferLength);
    get_action(handle, SEND_QUEUE, 2, &g);
    check_sent(&g, BINARY_MESSAGE, 2, CHOICE_SERVER_SEND);
    WebSocketCompleteAction(handle, g.ctx, 12);
    get_action(handle, SEND_QUEUE, 2, &g);
    check_got(&g, SEND_COMPLETE, BINARY_MESSAGE, 1);
    WebSocketCompleteAction(handle, g.ctx, 0);
    next_receive(handle, RECEIVE_QUEUE, 1, &f, &g);
    check_data(&g, UTF8_MESSAGE, "after", 5);
    WebSocketCompleteAction(handle, g.ctx, 0);

    /* A server frame half out (capacity 1: header done, payload not yet):
     * the pong waits until the frame is complete. */
    hr = send_data(handle, BINARY_MESSAGE, payload, 10, NULL);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    get_action(handle, SEND_QUEUE, 1, &g);
    check_sent(&g, BINARY_MESSAGE, 1, CHOICE_SERVER_SEND);
    WebSocketCompleteAction(handle, g.ctx, g.buffers[0].Data.ulBufferLength);
    hr = WebSocketReceive(handle, NULL, NULL);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    pipe_reset(&f.in);
    put_frame(&f.in, FIN | OP_PING, TRUE, "ping", 4);
    next_receive(handle, RECEIVE_QUEUE, 1, &f, &g);
    check_got(&g, NO_ACTION, no_type, 1);
    get_action(handle, SEND_QUEUE, 1, &g);
    check_sent(&g, BINARY_MESSAGE, 1, CHOICE_SERVER_SEND);
    choice_ok(CHOICE_SERVER_SEND, g.buffers[0].Data.pbBuffer == payload, "payload piece at %p, payload at %p\n",
              g.buffers[0].Data.pbBuffer,
              payload);
    expect_no_action(handle, RECEIVE_QUEUE, 1);
    WebSocketCompleteAction(handle, g.ctx, 10);
    get_action(handle, RECEIVE_QUEUE, 1, &g);
    check_pong(&g);
    WebSocketCompleteAction(handle, g.ctx, g.buffers[0].Data.ulBufferLength);
    get_action(handle, SEND_QUEUE, 1, &g);
    check_got(&g, SEND_COMPLETE, BINARY_MESSAGE, 1);
    WebSocketCompleteAction(handle, g.ctx, 0);
    WebSocketDeleteHandle(handle);

    /* The same with a client whose frame goes out in 16-byte pieces. */
    props[0].Type = WEB_SOCKET_RECEIVE_BUFFER_SIZE_PROPERTY_TYPE;
    props[0].pvValue = &sizes[0];
    props[0].ulValueSize = 4;
    props[1].Type = WEB_SOCKET_SEND_BUFFER_SIZE_PROPERTY_TYPE;
    props[1].pvValue = &sizes[1];
    props[1].ulValueSize = 4;
    handle = open_client(props, 2);
    hr = send_data(handle, BINARY_MESSAGE, payload, sizeof(payload), NULL);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    get_action(handle, SEND_QUEUE, 2, &g);
    check_sent(&g, BINARY_MESSAGE, 1, CHOICE_CLIENT_SEND);
    choice_ok(CHOICE_CLIENT_SEND, g.buffers[0].Data.ulBufferLength == 16, "piece of %lu bytes\n",
              (unsigned long)g.buffers[0].Data.ulBufferLength);
    pipe_write(&out, g.buffers[0].Data.pbBuffer, g.buffers[0].Data.ulBufferLength);
    WebSocketCompleteAction(handle, g.ctx, g.buffers[0].Data.ulBufferLength);
    hr = WebSocketReceive(handle, NULL, NULL);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    pipe_reset(&f.in);
    put_frame(&f.in, FIN | OP_PING, FALSE, "ping", 4);
    next_receive(handle, RECEIVE_QUEUE, 1, &f, &g);
    check_got(&g, NO_ACTION, no_type, 1);
    /* ALL: the frame's other pieces come first; the pong only after the last. */
    get_action(handle, ALL_QUEUE, 2, &g);
    while (g.action == SEND_TO_NETWORK && g.type == BINARY_MESSAGE)
    {
        pipe_write(&out, g.buffers[0].Data.pbBuffer, g.buffers[0].Data.ulBufferLength);
        WebSocketCompleteAction(handle, g.ctx, g.buffers[0].Data.ulBufferLength);
        get_action(handle, ALL_QUEUE, 2, &g);
    }
    check_got(&g, SEND_COMPLETE, BINARY_MESSAGE, 1);
    WebSocketCompleteAction(handle, g.ctx, 0);
    get_action(handle, ALL_QUEUE, 2, &g);
    check_pong(&g);
    pipe_write(&out, g.buffers[0].Data.pbBuffer, g.buffers[0].Data.ulBufferLength);
    WebSocketCompleteAction(handle, g.ctx, g.buffers[0].Data.ulBufferLength);
    expect_frame(&out, FIN | OP_BINARY, TRUE, payload, sizeof(payload));
    expect_frame(&out, FIN | OP_PONG, TRUE, "ping", 4);
    ok(pipe_left(&out) == 0, "%lu bytes left\n", (unsigned long)pipe_left(&out));

    /* And the other way: a pong on the wire holds back the client's frame. */
    pipe_reset(&out);
    pipe_reset(&f.in);
    put_frame(&f.in, FIN | OP_PING, FALSE, "again", 5);
    next_receive(handle, RECEIVE_QUEUE, 1, &f, &pong);
    check_pong(&pong);
    hr = send_data(handle, BINARY_MESSAGE, payload, 20, NULL);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    expect_no_action(handle, SEND_QUEUE, 2);
    pipe_write(&out, pong.buffers[0].Data.pbBuffer, pong.buffers[0].Data.ulBufferLength);
    WebSocketCompleteAction(handle, pong.ctx, pong.buffers[0].Data.ulBufferLength);
    send_all(handle, SEND_QUEUE, 2, &out, NULL);
    expect_frame(&out, FIN | OP_PONG, TRUE, "again", 5);
    expect_frame(&out, FIN | OP_BINARY, TRUE, payload, 20);
    WebSocketAbortHandle(handle);
    WebSocketDeleteHandle(handle);

    pipe_free(&f.in);
    pipe_free(&out);
}

/* Check 21, api-contract 9.27 and 9.29: what the byte count of CompleteAction means. */
static void test_complete_bytes(void)
{
    WEB_SOCKET_HANDLE handle;
    WEB_SOCKET_PROPERTY props[2];
    ULONG sizes[2] = { 256, 16 }, header_length, tries;
    struct feeder f = { 0 };
    struct byte_pipe out = { 0 };
    BYTE payload[100];
    struct got g;
    unsigned i;
    HRESULT hr;
    static const struct { const char *label; int bytes; } server_counts[] = {
        { "0 (mORMot)", 0 }, { "header only (Marlin)", -1 }, { "sum (.NET)", -2 }, { "more than the sum", -3 },
    };

    fill_payload(payload, sizeof(payload), FALSE, 5);
    handle = open_server(NULL, 0);

    /* Server, 2 buffers: the whole frame is in the first SEND_TO_NETWORK;
     * whatever the count, the send is over and the next one is normal. */
    for (i = 0; i < ARRAY_SIZE(server_counts); i++)
    {
        ULONG bytes;
        winetest_push_context("%s", server_counts[i].label);
        hr = send_data(handle, BINARY_MESSAGE, payload, 100, SENTINEL_PTR);
        ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
        get_action(handle, SEND_QUEUE, 2, &g);
        check_sent(&g, BINARY_MESSAGE, 2, CHOICE_SERVER_SEND);
        header_length = g.buffers[0].Data.ulBufferLength;
        bytes = server_counts[i].bytes == 0 ? 0 : server_counts[i].bytes == -1 ? header_length
                : server_counts[i].bytes == -2 ? header_length + 100 : header_length + 1000;
        WebSocketCompleteAction(handle, g.ctx, bytes);
        get_action(handle, SEND_QUEUE, 2, &g);
        choice(CHOICE_SEND_COMPLETION) check_got(&g, SEND_COMPLETE, BINARY_MESSAGE, 1);
        ok(g.app == SENTINEL_PTR, "got context %p\n", g.app);
        /* Marlin completes the indication with its stale count too. */
        WebSocketCompleteAction(handle, g.ctx, header_length);
        expect_no_action(handle, SEND_QUEUE, 2);
        pipe_reset(&out);
        hr = send_data(handle, BINARY_MESSAGE, payload, 100, NULL);
        ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
        choice_ok(CHOICE_SERVER_SEND, send_all(handle, SEND_QUEUE, 2, &out, NULL) == 1,
                  "more than one SEND_TO_NETWORK\n");
        expect_frame(&out, FIN | OP_BINARY, FALSE, payload, 100);
        winetest_pop_context();
    }

    /* Server, 1 buffer: a short count after the header cancels the payload. */
    hr = send_data(handle, BINARY_MESSAGE, payload, 100, NULL);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    get_action(handle, SEND_QUEUE, 1, &g);
    check_sent(&g, BINARY_MESSAGE, 1, CHOICE_SERVER_SEND);
    WebSocketCompleteAction(handle, g.ctx, 0);
    get_action(handle, SEND_QUEUE, 1, &g);
    choice(CHOICE_SEND_COMPLETION) check_got(&g, SEND_COMPLETE, BINARY_MESSAGE, 1);
    WebSocketCompleteAction(handle, g.ctx, 0);
    choice(CHOICE_SEND_COMPLETION) expect_no_action(handle, SEND_QUEUE, 1);

    /* INDICATE_RECEIVE_COMPLETE completed with less than its length (.NET):
     * the whole chunk is consumed all the same. */
    hr = WebSocketReceive(handle, NULL, NULL);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    put_frame(&f.in, FIN | OP_TEXT, TRUE, "hello", 5);
    put_frame(&f.in, FIN | OP_TEXT, TRUE, "world", 5);
    next_receive(handle, RECEIVE_QUEUE, 1, &f, &g);
    check_data(&g, UTF8_MESSAGE, "hello", 5);
    WebSocketCompleteAction(handle, g.ctx, 1);
    hr = WebSocketReceive(handle, NULL, NULL);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    get_action(handle, RECEIVE_QUEUE, 1, &g);
    check_data(&g, UTF8_MESSAGE, "world", 5);
    WebSocketCompleteAction(handle, g.ctx, 12345);

    /* RECEIVE_FROM_NETWORK: the count is what was read, a byte at a time too. */
    hr = WebSocketReceive(handle, NULL, NULL);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    pipe_reset(&f.in);
    put_frame(&f.in, FIN | OP_BINARY, TRUE, "z", 1);
    f.chunk = 1;
    f.reads = 0;
    next_receive(handle, RECEIVE_QUEUE, 1, &f, &g);
    check_data(&g, BINARY_MESSAGE, "z", 1);
    choice_ok(CHOICE_RECEIVE, f.reads == 7, "got %d reads\n", f.reads);
    WebSocketCompleteAction(handle, g.ctx, 0);
    f.chunk = 0;

    /* ...and 0 means the peer is gone: the receive ends with 1006. */
    hr = WebSocketReceive(handle, NULL, SENTINEL_PTR);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    get_action(handle, RECEIVE_QUEUE, 1, &g);
    check_got(&g, RECEIVE_FROM_NETWORK, no_type, 1);
    WebSocketCompleteAction(handle, g.ctx, 0);
    get_action(handle, RECEIVE_QUEUE, 1, &g);
    choice(CHOICE_CANCELLED_RECEIVE) check_close(&g, WEB_SOCKET_ABORTED_CLOSE_STATUS, NULL, TRUE);
    ok(g.app == SENTINEL_PTR, "got context %p\n", g.app);
    WebSocketCompleteAction(handle, g.ctx, 0);
    expect_no_action(handle, RECEIVE_QUEUE, 1);
    WebSocketDeleteHandle(handle);

    /* Client pieces: a short count cancels the rest of the frame. */
    props[0].Type = WEB_SOCKET_RECEIVE_BUFFER_SIZE_PROPERTY_TYPE;
    props[0].pvValue = &sizes[0];
    props[0].ulValueSize = 4;
    props[1].Type = WEB_SOCKET_SEND_BUFFER_SIZE_PROPERTY_TYPE;
    props[1].pvValue = &sizes[1];
    props[1].ulValueSize = 4;
    handle = open_client(props, 2);
    for (tries = 0; tries < 3; tries++)
    {
        winetest_push_context("short count %lu", (unsigned long)tries);
        hr = send_data(handle, BINARY_MESSAGE, payload, 100, NULL);
        ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
        get_action(handle, SEND_QUEUE, 2, &g);
        check_sent(&g, BINARY_MESSAGE, 1, CHOICE_CLIENT_SEND);
        WebSocketCompleteAction(handle, g.ctx, 16);
        get_action(handle, SEND_QUEUE, 2, &g);
        check_sent(&g, BINARY_MESSAGE, 1, CHOICE_CLIENT_SEND);
        WebSocketCompleteAction(handle, g.ctx, tries == 0 ? 0 : tries == 1 ? 1 : 15);
        get_action(handle, SEND_QUEUE, 2, &g);
        choice(CHOICE_SEND_COMPLETION) check_got(&g, SEND_COMPLETE, BINARY_MESSAGE, 1);
        WebSocketCompleteAction(handle, g.ctx, 0);
        choice(CHOICE_SEND_COMPLETION) expect_no_action(handle, SEND_QUEUE, 2);
        winetest_pop_context();
    }
    WebSocketDeleteHandle(handle);

    pipe_free(&f.in);
    pipe_free(&out);
}

/* ---------------------------------------------------------------------------
 * The receive path, one handle driven by hand, frames written as a peer does.
 */

/* A handle with an allocated buffer of RBS 256, so pointers can be checked
 * against the layout. */
struct receiver
{
    struct arena a;
    WEB_SOCKET_HANDLE handle;
    BOOL server;            /* a server gets masked frames, a client unmasked ones */
    struct feeder f;
    const struct queue_config *config;
};

static void receiver_open_(int line, struct receiver *r, BOOL server, const struct queue_config *config,
                           BOOL no_utf8)
{
    memset(r, 0, sizeof(*r));
    arena_init(&r->a, 256, server ? 16 : 64, 3, FALSE, no_utf8);
    r->server = server;
    r->handle = open_handle_(line, server, r->a.props, r->a.count);
    r->f.arena = &r->a;
    r->config = config;
}
#define receiver_open(r, s, c, u) receiver_open_(__LINE__, r, s, c, u)

static void receiver_close_(int line, struct receiver *r)
{
    WebSocketAbortHandle(r->handle);
    WebSocketDeleteHandle(r->handle);
    pipe_free(&r->f.in);
    arena_free_(line, &r->a);
}
#define receiver_close(r) receiver_close_(__LINE__, r)

/* Writes a frame as this receiver's peer sends it. */
static void peer_frame(struct receiver *r, BYTE first, const void *payload, size_t len)
{
    put_frame(&r->f.in, first, r->server, payload, len);
}

static HRESULT receive_next_(int line, struct receiver *r, struct got *g)
{
    return next_receive_(line, r->handle, r->config->receive_queue, r->config->capacity, &r->f, g);
}
#define receive_next(r, g) receive_next_(__LINE__, r, g)

/* WebSocketReceive(NULL, context), then the actions up to the next one that is not a read. */
static HRESULT receive_one_(int line, struct receiver *r, PVOID context, struct got *g)
{
    HRESULT hr = WebSocketReceive(r->handle, NULL, context);
    ok_(__FILE__, line)(hr == S_OK, "WebSocketReceive returned %s\n", dbgstr_hr(hr));
    return receive_next_(line, r, g);
}
#define receive_one(r, c, g) receive_one_(__LINE__, r, c, g)

static BOOL in_receive_area(const struct receiver *r, const void *ptr, ULONG len)
{
    return in_range(ptr, len, receive_area(&r->a), r->a.receive_size);
}

/* Checks 23-27: one indication per Receive, no read-ahead, whatever payload
 * is there is indicated at once, FRAGMENT/MESSAGE, pointers in the receive area. */
static void test_receive_basic(void)
{
    BYTE big[1000], collected[1000];
    struct receiver r;
    struct got g, pending;
    unsigned c, role, i;
    size_t total;
    int reads, indications;
    HRESULT hr;

    fill_payload(big, sizeof(big), FALSE, 11);
    for (c = 0; c < ARRAY_SIZE(queue_configs); c++)
    for (role = 0; role < 2; role++)
    {
        push_config_context(&queue_configs[c]);
        winetest_push_context("%s", role ? "server" : "client");
        receiver_open(&r, role, &queue_configs[c], FALSE);

        /* Check 23: Receive(NULL, NULL) is the normal call; one at a time. */
        hr = WebSocketReceive(r.handle, NULL, SENTINEL_PTR);
        ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
        hr = WebSocketReceive(r.handle, NULL, NULL);
        choice_ok(CHOICE_WRONG_STATE, hr == E_INVALID_PROTOCOL_OPERATION, "second Receive: got %s\n", dbgstr_hr(hr));

        /* Check 24: one read buffer: the whole receive area, with the Receive's context. */
        get_action(r.handle, r.config->receive_queue, r.config->capacity, &g);
        check_got(&g, RECEIVE_FROM_NETWORK, no_type, 1);
        choice_ok(CHOICE_RECEIVE,
                  g.buffers[0].Data.pbBuffer == receive_area(&r.a) && g.buffers[0].Data.ulBufferLength == 256,
                  "read buffer %p+%lu, receive area %p\n", g.buffers[0].Data.pbBuffer,
                  (unsigned long)g.buffers[0].Data.ulBufferLength, receive_area(&r.a));
        ok(g.app == SENTINEL_PTR, "got application context %p\n", g.app);
        peer_frame(&r, FIN | OP_TEXT, "hello", 5);
        memcpy(g.buffers[0].Data.pbBuffer, r.f.in.data, r.f.in.size);
        r.f.in.read = r.f.in.size;
        WebSocketCompleteAction(r.handle, g.ctx, (ULONG)r.f.in.size);
        get_action(r.handle, r.config->receive_queue, r.config->capacity, &g);
        check_data(&g, UTF8_MESSAGE, "hello", 5);
        ok(g.app == SENTINEL_PTR, "got application context %p\n", g.app);
        ok(in_receive_area(&r, g.buffers[0].Data.pbBuffer, 5), "data at %p is not in the receive area\n",
           g.buffers[0].Data.pbBuffer);
        /* Check 25: the receive is over; nothing more is read. */
        choice(CHOICE_RECEIVE) expect_no_action(r.handle, r.config->receive_queue, r.config->capacity);
        WebSocketCompleteAction(r.handle, g.ctx, 0);
        choice(CHOICE_RECEIVE) expect_no_action(r.handle, r.config->receive_queue, r.config->capacity);
        choice(CHOICE_RECEIVE) expect_no_action(r.handle, r.config->receive_queue, r.config->capacity);

        /* Check 26: a read with two frames: the second one needs no read. */
        peer_frame(&r, FIN | OP_BINARY, "one", 3);
        peer_frame(&r, FIN | OP_BINARY, "two", 3);
        reads = r.f.reads;
        receive_one(&r, NULL, &g);
        check_data(&g, BINARY_MESSAGE, "one", 3);
        ok(g.app == NULL, "got application context %p\n", g.app);
        WebSocketCompleteAction(r.handle, g.ctx, 0);
        choice(CHOICE_RECEIVE) expect_no_action(r.handle, r.config->receive_queue, r.config->capacity);
        choice_ok(CHOICE_RECEIVE, r.f.reads == reads + 1, "%d reads\n", r.f.reads - reads);
        hr = WebSocketReceive(r.handle, NULL, NULL);
        ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
        get_action(r.handle, r.config->receive_queue, r.config->capacity, &g);
        check_data(&g, BINARY_MESSAGE, "two", 3);
        WebSocketCompleteAction(r.handle, g.ctx, 0);
        choice_ok(CHOICE_RECEIVE, r.f.reads == reads + 1, "%d reads\n", r.f.reads - reads);

        /* Check 23: the next Receive while the indication is outstanding (OddStorm, chat server). */
        peer_frame(&r, FIN | OP_TEXT, "three", 5);
        peer_frame(&r, FIN | OP_TEXT, "four", 4);
        receive_one(&r, NULL, &pending);
        check_data(&pending, UTF8_MESSAGE, "three", 5);
        hr = WebSocketReceive(r.handle, NULL, NULL);
        ok(hr == S_OK, "Receive with the indication outstanding: got %s\n", dbgstr_hr(hr));
        expect_no_action(r.handle, r.config->receive_queue, r.config->capacity);
        WebSocketCompleteAction(r.handle, pending.ctx, 0);
        get_action(r.handle, r.config->receive_queue, r.config->capacity, &g);
        check_data(&g, UTF8_MESSAGE, "four", 4);
        WebSocketCompleteAction(r.handle, g.ctx, 0);

        /* Check 27: more than the receive area: FRAGMENTs, then a MESSAGE. */
        peer_frame(&r, FIN | OP_BINARY, big, sizeof(big));
        total = 0;
        indications = 0;
        for (;;)
        {
            receive_one(&r, NULL, &g);
            if (g.action != RECEIVE_COMPLETE || total + g.buffers[0].Data.ulBufferLength > sizeof(big))
            {
                ok(0, "got action %d, %lu bytes after %lu\n", g.action,
                   (unsigned long)g.buffers[0].Data.ulBufferLength, (unsigned long)total);
                break;
            }
            indications++;
            ok(g.count == 1, "%lu buffers\n", (unsigned long)g.count);
            choice_ok(CHOICE_RECEIVE, g.buffers[0].Data.ulBufferLength > 0 && g.buffers[0].Data.ulBufferLength <= 256,
                      "chunk of %lu bytes\n", (unsigned long)g.buffers[0].Data.ulBufferLength);
            ok(in_receive_area(&r, g.buffers[0].Data.pbBuffer, g.buffers[0].Data.ulBufferLength),
               "chunk %p+%lu is not in the receive area\n", g.buffers[0].Data.pbBuffer,
               (unsigned long)g.buffers[0].Data.ulBufferLength);
            memcpy(collected + total, g.buffers[0].Data.pbBuffer, g.buffers[0].Data.ulBufferLength);
            total += g.buffers[0].Data.ulBufferLength;
            WebSocketCompleteAction(r.handle, g.ctx, 0);
            if (g.type != BINARY_FRAGMENT)
                break;
        }
        ok(g.type == BINARY_MESSAGE, "last chunk of type %#x\n", g.type);
        ok(total == sizeof(big) && !memcmp(collected, big, sizeof(big)), "got %lu bytes\n", (unsigned long)total);
        choice_ok(CHOICE_RECEIVE, indications >= 4, "%d indications\n", indications);

        /* api-contract 9.30 (.NET reads whatever one read() gives): a byte at a time,
         * each payload byte indicated at once. */
        r.f.chunk = 1;
        peer_frame(&r, FIN | OP_TEXT, "hello", 5);
        for (i = 0; i < 5; i++)
        {
            receive_one(&r, NULL, &g);
            choice(CHOICE_RECEIVE) check_data(&g, i == 4 ? UTF8_MESSAGE : UTF8_FRAGMENT, "hello" + i, 1);
            WebSocketCompleteAction(r.handle, g.ctx, 0);
        }
        r.f.chunk = 0;

        /* Check 27: a complete non-final frame is indicated at once as a FRAGMENT,
         * continuations keep the message's type, control frames may come between. */
        peer_frame(&r, OP_TEXT, "ab", 2);
        receive_one(&r, NULL, &g);
        check_data(&g, UTF8_FRAGMENT, "ab", 2);
        WebSocketCompleteAction(r.handle, g.ctx, 0);
        receive_one(&r, NULL, &pending);
        check_got(&pending, RECEIVE_FROM_NETWORK, no_type, 1);
        peer_frame(&r, FIN | OP_PONG, "", 0);
        peer_frame(&r, OP_CONT, "cd", 2);
        peer_frame(&r, FIN | OP_CONT, "ef", 2);
        memcpy(pending.buffers[0].Data.pbBuffer, r.f.in.data + r.f.in.read, pipe_left(&r.f.in));
        WebSocketCompleteAction(r.handle, pending.ctx, (ULONG)pipe_left(&r.f.in));
        r.f.in.read = r.f.in.size;
        receive_next(&r, &g);
        check_data(&g, PING_PONG, "", 0);
        WebSocketCompleteAction(r.handle, g.ctx, 0);
        receive_one(&r, NULL, &g);
        check_data(&g, UTF8_FRAGMENT, "cd", 2);
        WebSocketCompleteAction(r.handle, g.ctx, 0);
        receive_one(&r, NULL, &g);
        check_data(&g, UTF8_MESSAGE, "ef", 2);
        WebSocketCompleteAction(r.handle, g.ctx, 0);

        peer_frame(&r, OP_BINARY, "12", 2);
        peer_frame(&r, OP_CONT, "34", 2);
        peer_frame(&r, FIN | OP_CONT, "56", 2);
        receive_one(&r, NULL, &g);
        check_data(&g, BINARY_FRAGMENT, "12", 2);
        WebSocketCompleteAction(r.handle, g.ctx, 0);
        receive_one(&r, NULL, &g);
        check_data(&g, BINARY_FRAGMENT, "34", 2);
        WebSocketCompleteAction(r.handle, g.ctx, 0);
        receive_one(&r, NULL, &g);
        check_data(&g, BINARY_MESSAGE, "56", 2);
        WebSocketCompleteAction(r.handle, g.ctx, 0);

        /* Empty messages. */
        peer_frame(&r, FIN | OP_TEXT, "", 0);
        peer_frame(&r, FIN | OP_BINARY, "", 0);
        receive_one(&r, NULL, &g);
        check_data(&g, UTF8_MESSAGE, "", 0);
        WebSocketCompleteAction(r.handle, g.ctx, 0);
        receive_one(&r, NULL, &g);
        check_data(&g, BINARY_MESSAGE, "", 0);
        WebSocketCompleteAction(r.handle, g.ctx, 0);

        /* The read offers the free tail: half a ping's payload stays at the front. */
        peer_frame(&r, FIN | OP_PING, "12345", 5);
        r.f.in.size -= 2;
        receive_one(&r, NULL, &g);
        check_got(&g, RECEIVE_FROM_NETWORK, no_type, 1);
        choice_ok(CHOICE_RECEIVE,
                  g.buffers[0].Data.pbBuffer == receive_area(&r.a) + 3 && g.buffers[0].Data.ulBufferLength == 256 - 3,
                  "read buffer %p+%lu, receive area %p\n", g.buffers[0].Data.pbBuffer,
                  (unsigned long)g.buffers[0].Data.ulBufferLength, receive_area(&r.a));
        WebSocketCompleteAction(r.handle, g.ctx, 0);
        get_action(r.handle, r.config->receive_queue, r.config->capacity, &g);
        choice(CHOICE_CANCELLED_RECEIVE) check_close(&g, WEB_SOCKET_ABORTED_CLOSE_STATUS, NULL, TRUE);
        WebSocketCompleteAction(r.handle, g.ctx, 0);

        receiver_close(&r);
        winetest_pop_context();
        winetest_pop_context();
    }
}

/* Check 28, 31 and api-contract 9.33: close frames as indicated; the DLL never answers one. */
static void test_receive_close(void)
{
    static const struct
    {
        BOOL body;
        USHORT status;
        const char *reason;
    } tests[] = {
        { FALSE, 1005, NULL },
        { TRUE, 1000, "" },
        { TRUE, 1001, "going away" },
        { TRUE, 1002, "x" },
        { TRUE, 1003, "" },
        { TRUE, 1007, "bad data" },
        { TRUE, 1011, "" },
        { TRUE, 1012, "" },
        { TRUE, 1014, "" },
        { TRUE, 3000, "registered" },
        { TRUE, 4999, "private" },
        { TRUE, 4000, "\xc3\xa9t\xc3\xa9" },
        { TRUE, 1000, "123456789012345678901234567890123456789012345678901234567890"
                      "123456789012345678901234567890123456789012345678901234567890123" },
    };
    struct byte_pipe out = { 0 };
    struct receiver r;
    struct got g;
    unsigned c, role, i;
    HRESULT hr;

    for (i = 0; i < ARRAY_SIZE(tests); i++)
    for (c = 0; c < ARRAY_SIZE(queue_configs); c++)
    for (role = 0; role < 2; role++)
    {
        /* Every case in every configuration would be slow; every case once, one case in all. */
        if (i > 1 && c)
            continue;
        winetest_push_context("status %u, reason %s", tests[i].status, tests[i].reason ? tests[i].reason : "(none)");
        push_config_context(&queue_configs[c]);
        winetest_push_context("%s", role ? "server" : "client");
        receiver_open(&r, role, &queue_configs[c], FALSE);
        if (tests[i].body)
            put_close(&r.f.in, role, tests[i].status, tests[i].reason);
        else
            put_frame(&r.f.in, FIN | OP_CLOSE, role, "", 0);
        receive_one(&r, SENTINEL_PTR, &g);
        /* No body (1005) and the codes registered after RFC 6455 are choices. */
        choice(!tests[i].body ? CHOICE_CLOSE
               : tests[i].status >= 1012 && tests[i].status <= 1014 ? CHOICE_CLOSE_CODES : CHOICE_NONE)
            check_close(&g, tests[i].status, tests[i].body ? tests[i].reason : NULL, !tests[i].body);
        ok(g.app == SENTINEL_PTR, "got application context %p\n", g.app);
        if (tests[i].body && g.action == RECEIVE_COMPLETE)
            ok(in_receive_area(&r, g.buffers[0].CloseStatus.pbReason, g.buffers[0].CloseStatus.ulReasonLength),
               "reason %p is not in the receive area\n", g.buffers[0].CloseStatus.pbReason);
        /* Check 31: nothing is sent in answer, before or after the completion. */
        choice(CHOICE_CLOSE) expect_no_action(r.handle, SEND_QUEUE, 2);
        choice(CHOICE_CLOSE) expect_no_action(r.handle, ALL_QUEUE, 2);
        WebSocketCompleteAction(r.handle, g.ctx, 0);
        choice(CHOICE_CLOSE) expect_no_action(r.handle, SEND_QUEUE, 2);
        choice(CHOICE_CLOSE) expect_no_action(r.handle, r.config->receive_queue, r.config->capacity);

        /* The application answers (mORMot, OddStorm). */
        hr = send_close(r.handle, 1000, "bye", NULL);
        ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
        pipe_reset(&out);
        send_all(r.handle, r.config->send_queue, r.config->capacity, &out, NULL);
        expect_frame(&out, FIN | OP_CLOSE, !role, "\x03\xe8" "bye", 5);

        /* Check 23: one more Receive after the close; the peer then goes away. */
        hr = WebSocketReceive(r.handle, NULL, NULL);
        ok(hr == S_OK, "Receive after the close: got %s\n", dbgstr_hr(hr));
        receive_next(&r, &g);
        check_got(&g, RECEIVE_FROM_NETWORK, no_type, 1);
        WebSocketCompleteAction(r.handle, g.ctx, 0);
        get_action(r.handle, r.config->receive_queue, r.config->capacity, &g);
        choice(CHOICE_CANCELLED_RECEIVE) check_close(&g, WEB_SOCKET_ABORTED_CLOSE_STATUS, NULL, TRUE);
        WebSocketCompleteAction(r.handle, g.ctx, 0);
        expect_no_action(r.handle, r.config->receive_queue, r.config->capacity);

        receiver_close(&r);
        winetest_pop_context();
        winetest_pop_context();
        winetest_pop_context();
    }
    pipe_free(&out);
}

/* Checks 29, 30, api-contract 9.34-9.35: pongs are indicated as PING_PONG;
 * pings are answered with a pong on the receive queue and not indicated. */
static void test_receive_ping_pong(void)
{
    BYTE long_ping[125];
    struct byte_pipe out = { 0 };
    struct receiver r;
    struct got g;
    unsigned c, role;

    fill_payload(long_ping, sizeof(long_ping), FALSE, 9);
    for (c = 0; c < ARRAY_SIZE(queue_configs); c++)
    for (role = 0; role < 2; role++)
    {
        push_config_context(&queue_configs[c]);
        winetest_push_context("%s", role ? "server" : "client");
        receiver_open(&r, role, &queue_configs[c], FALSE);

        /* Pongs nobody asked for are PING_PONG too, never UNSOLICITED_PONG. */
        peer_frame(&r, FIN | OP_PONG, "xyz", 3);
        receive_one(&r, SENTINEL_PTR, &g);
        choice(CHOICE_PINGS_AND_PONGS) check_data(&g, PING_PONG, "xyz", 3);
        ok(g.app == SENTINEL_PTR, "got application context %p\n", g.app);
        WebSocketCompleteAction(r.handle, g.ctx, 0);
        expect_no_action(r.handle, r.config->receive_queue, r.config->capacity);
        peer_frame(&r, FIN | OP_PONG, "", 0);
        receive_one(&r, NULL, &g);
        choice(CHOICE_PINGS_AND_PONGS) check_data(&g, PING_PONG, "", 0);
        WebSocketCompleteAction(r.handle, g.ctx, 0);

        /* A ping: its pong (same payload) goes out on the receive queue, with
         * no application context, from the control area; then the receive goes on. */
        peer_frame(&r, FIN | OP_PING, "hello", 5);
        peer_frame(&r, FIN | OP_TEXT, "data", 4);
        receive_one(&r, SENTINEL_PTR, &g);
        check_pong(&g);
        ok(g.app == NULL, "pong: got application context %p\n", g.app);
        choice_ok(CHOICE_ALLOCATED_BUFFER,
                  in_range(g.buffers[0].Data.pbBuffer, g.buffers[0].Data.ulBufferLength, control_area(&r.a), 144),
                  "pong %p+%lu is not in the control area %p\n", g.buffers[0].Data.pbBuffer,
                  (unsigned long)g.buffers[0].Data.ulBufferLength, control_area(&r.a));
        pipe_reset(&out);
        pipe_write(&out, g.buffers[0].Data.pbBuffer, g.buffers[0].Data.ulBufferLength);
        expect_frame(&out, FIN | OP_PONG, !role, "hello", 5);
        ok(pipe_left(&out) == 0, "%lu bytes after the pong\n", (unsigned long)pipe_left(&out));
        /* Until the pong is completed, nothing else on this queue. */
        expect_no_action(r.handle, r.config->receive_queue, r.config->capacity);
        WebSocketCompleteAction(r.handle, g.ctx, g.buffers[0].Data.ulBufferLength);
        receive_next(&r, &g);
        check_data(&g, UTF8_MESSAGE, "data", 4);
        ok(g.app == SENTINEL_PTR, "got application context %p\n", g.app);
        WebSocketCompleteAction(r.handle, g.ctx, 0);

        /* The longest ping, and an empty one; the pong completed with 0
         * (the application chose not to send it) is no error. */
        peer_frame(&r, FIN | OP_PING, long_ping, sizeof(long_ping));
        peer_frame(&r, FIN | OP_PING, "", 0);
        peer_frame(&r, FIN | OP_BINARY, "end", 3);
        receive_one(&r, NULL, &g);
        check_pong(&g);
        pipe_reset(&out);
        pipe_write(&out, g.buffers[0].Data.pbBuffer, g.buffers[0].Data.ulBufferLength);
        expect_frame(&out, FIN | OP_PONG, !role, long_ping, sizeof(long_ping));
        WebSocketCompleteAction(r.handle, g.ctx, 0);
        receive_next(&r, &g);
        check_pong(&g);
        pipe_reset(&out);
        pipe_write(&out, g.buffers[0].Data.pbBuffer, g.buffers[0].Data.ulBufferLength);
        expect_frame(&out, FIN | OP_PONG, !role, "", 0);
        WebSocketCompleteAction(r.handle, g.ctx, g.buffers[0].Data.ulBufferLength);
        receive_next(&r, &g);
        check_data(&g, BINARY_MESSAGE, "end", 3);
        WebSocketCompleteAction(r.handle, g.ctx, 0);

        /* A ping between the fragments of a message. */
        peer_frame(&r, OP_TEXT, "a", 1);
        peer_frame(&r, FIN | OP_PING, "p", 1);
        peer_frame(&r, FIN | OP_CONT, "b", 1);
        receive_one(&r, NULL, &g);
        check_data(&g, UTF8_FRAGMENT, "a", 1);
        WebSocketCompleteAction(r.handle, g.ctx, 0);
        receive_one(&r, NULL, &g);
        check_pong(&g);
        WebSocketCompleteAction(r.handle, g.ctx, g.buffers[0].Data.ulBufferLength);
        receive_next(&r, &g);
        check_data(&g, UTF8_MESSAGE, "b", 1);
        WebSocketCompleteAction(r.handle, g.ctx, 0);

        /* A ping read a byte at a time. */
        r.f.chunk = 1;
        peer_frame(&r, FIN | OP_PING, "slow", 4);
        receive_one(&r, NULL, &g);
        check_pong(&g);
        pipe_reset(&out);
        pipe_write(&out, g.buffers[0].Data.pbBuffer, g.buffers[0].Data.ulBufferLength);
        expect_frame(&out, FIN | OP_PONG, !role, "slow", 4);
        WebSocketCompleteAction(r.handle, g.ctx, g.buffers[0].Data.ulBufferLength);
        receive_next(&r, &g);
        check_got(&g, RECEIVE_FROM_NETWORK, no_type, 1);
        r.f.chunk = 0;

        receiver_close(&r);
        winetest_pop_context();
        winetest_pop_context();
    }
    pipe_free(&out);
}

/* Whether bytes, valid UTF-8 so far, end inside a character. */
static BOOL ends_inside_character(const BYTE *data, size_t len)
{
    size_t back;
    for (back = 1; back <= 4 && back <= len; back++)
    {
        BYTE b = data[len - back];
        if ((b & 0xc0) == 0x80)
            continue;
        return back < (b >= 0xf0 ? 4u : b >= 0xe0 ? 3u : b >= 0xc0 ? 2u : 1u);
    }
    return FALSE;
}

/* Whether a character of these frames could be indicated in two parts: one
 * crosses from a frame to the next, or reads of one byte meet any multi-byte one. */
static BOOL character_can_split(const char *const *pieces, unsigned n, BOOL byte_reads)
{
    int needed = 0;
    unsigned k;
    size_t i;
    for (k = 0; k < n; k++)
    {
        for (i = 0; pieces[k][i]; i++)
        {
            BYTE b = (BYTE)pieces[k][i];
            if (byte_reads && b >= 0xc0)
                return TRUE;
            needed = (b & 0xc0) == 0x80 ? needed - 1 : b >= 0xf0 ? 3 : b >= 0xe0 ? 2 : b >= 0xc0 ? 1 : 0;
        }
        if (needed > 0 && k + 1 < n)
            return TRUE;
    }
    return FALSE;
}

/* Check 32, api-contract 9.10: UTF-8 is validated across chunks and fragments;
 * DISABLE_UTF8_VERIFICATION turns it off; binary is never validated.  Whether
 * a character is ever split between two indications is a choice. */
static void test_receive_utf8(void)
{
    static const struct
    {
        const char *label;
        const char *pieces[4];    /* one frame each; the last has FIN */
        BOOL valid;
    } tests[] = {
        { "ASCII", { "plain" }, TRUE },
        { "two bytes split", { "caf\xc3", "\xa9" }, TRUE },
        { "three bytes split 1|2", { "\xe2", "\x82\xac" }, TRUE },
        { "three bytes split 2|1", { "x\xe2\x82", "\xacy" }, TRUE },
        { "four bytes in four frames", { "\xf0", "\x9d", "\x84", "\x9e" }, TRUE },
        { "U+10FFFF", { "\xf4\x8f\xbf\xbf" }, TRUE },
        { "empty fragments", { "", "\xc3\xa9", "" }, TRUE },
        { "invalid byte", { "ab\xff" }, FALSE },
        { "lone continuation", { "\x80" }, FALSE },
        { "truncated at the end", { "ab\xc3" }, FALSE },
        { "truncated, split", { "\xe2\x82", "" }, FALSE },
        { "broken sequence across fragments", { "\xc3", "(" }, FALSE },
        { "overlong", { "\xc0\xaf" }, FALSE },
        { "overlong three bytes", { "\xe0\x80\xaf" }, FALSE },
        { "surrogate", { "\xed\xa0\x80" }, FALSE },
        { "above U+10FFFF", { "\xf4\x90\x80\x80" }, FALSE },
        { "F5", { "\xf5\x80\x80\x80" }, FALSE },
    };
    struct receiver r;
    struct got g;
    BYTE expected[64], collected[64];
    size_t expected_len, collected_len;
    unsigned i, k, n, chunk, no_utf8, binary;
    BOOL split;
    HRESULT error;

    for (i = 0; i < ARRAY_SIZE(tests); i++)
    for (chunk = 0; chunk <= 1; chunk++)
    for (no_utf8 = 0; no_utf8 <= 1; no_utf8++)
    for (binary = 0; binary <= 1; binary++)
    {
        BOOL accepted = tests[i].valid || no_utf8 || binary;
        if (binary && no_utf8)
            continue;
        winetest_push_context("%s, %s reads%s%s", tests[i].label, chunk ? "1-byte" : "whole",
                              no_utf8 ? ", no verification" : "", binary ? ", binary" : "");
        receiver_open(&r, i & 1, &queue_configs[0], no_utf8);
        r.f.chunk = chunk;
        expected_len = 0;
        for (n = 0; n < 4 && tests[i].pieces[n]; n++)
            ;
        for (k = 0; k < n; k++)
        {
            size_t len = strlen(tests[i].pieces[k]);
            BYTE first = (k == n - 1 ? FIN : 0) | (k ? OP_CONT : binary ? OP_BINARY : OP_TEXT);
            peer_frame(&r, first, tests[i].pieces[k], len);
            memcpy(expected + expected_len, tests[i].pieces[k], len);
            expected_len += len;
        }
        collected_len = 0;
        split = FALSE;
        error = S_OK;
        for (;;)
        {
            HRESULT hr = receive_one(&r, NULL, &g);
            if (hr != S_OK)
            {
                error = hr;
                break;
            }
            if (g.action != RECEIVE_COMPLETE)
            {
                ok(0, "got action %d\n", g.action);
                break;
            }
            if (collected_len + g.buffers[0].Data.ulBufferLength <= sizeof(collected))
                memcpy(collected + collected_len, g.buffers[0].Data.pbBuffer, g.buffers[0].Data.ulBufferLength);
            collected_len += g.buffers[0].Data.ulBufferLength;
            if (collected_len <= sizeof(collected) && ends_inside_character(collected, collected_len))
                split = TRUE;
            WebSocketCompleteAction(r.handle, g.ctx, 0);
            if (g.type == UTF8_MESSAGE || g.type == BINARY_MESSAGE)
                break;
            ok(g.type == (binary ? BINARY_FRAGMENT : UTF8_FRAGMENT), "got type %#x\n", g.type);
        }
        if (accepted)
        {
            ok(error == S_OK, "got %s\n", dbgstr_hr(error));
            ok(g.type == (binary ? BINARY_MESSAGE : UTF8_MESSAGE), "got type %#x\n", g.type);
            ok(collected_len == expected_len && !memcmp(collected, expected, expected_len), "got %s\n",
               dbgstr_bytes(collected, collected_len));
            if (!binary && tests[i].valid)
                choice_ok(CHOICE_TEXT_INDICATIONS, split == character_can_split(tests[i].pieces, n, chunk),
                          "%s\n", split ? "a character was split between two indications"
                                         : "no character was split between two indications");
        }
        else
            choice_ok(CHOICE_PROTOCOL_ERRORS, error == E_INVALID_PROTOCOL_FORMAT, "got %s\n", dbgstr_hr(error));
        receiver_close(&r);
        winetest_pop_context();
    }
}

/* The choice a refused frame pins: a control frame's long length, a close
 * status, or which error a protocol error gets. */
static enum choice_id receive_error_choice(BYTE first, BOOL raw_header, BOOL close_status)
{
    if (raw_header && (first & 0x08))
        return CHOICE_FRAME_LENGTHS;
    if (close_status)
        return CHOICE_CLOSE_CODES;
    return CHOICE_PROTOCOL_ERRORS;
}

/* Protocol errors from the peer: malformed frames and invalid data fail
 * GetAction on the receive queue with E_INVALID_PROTOCOL_FORMAT, sequencing
 * errors with E_INVALID_PROTOCOL_OPERATION (api-contract 9.40); the error
 * stays until Abort; then the drain ends the receive with 1006. */
static void test_receive_errors(void)
{
    enum { FRAME, RAW, WRONG_MASK, CLOSE_BODY };
    static const struct
    {
        const char *label;
        int kind;
        BYTE first;
        const char *payload;
        size_t len;
        HRESULT expected;
        const char *before;     /* frames accepted first: "t" text fragment, "c" close */
    } tests[] = {
        { "RSV1", FRAME, FIN | 0x40 | OP_TEXT, "a", 1, E_INVALID_PROTOCOL_FORMAT, NULL },
        { "RSV2", FRAME, FIN | 0x20 | OP_BINARY, "a", 1, E_INVALID_PROTOCOL_FORMAT, NULL },
        { "RSV3", FRAME, FIN | 0x10 | OP_TEXT, "a", 1, E_INVALID_PROTOCOL_FORMAT, NULL },
        { "RSV on a ping", FRAME, FIN | 0x40 | OP_PING, "", 0, E_INVALID_PROTOCOL_FORMAT, NULL },
        { "opcode 3", FRAME, FIN | 3, "a", 1, E_INVALID_PROTOCOL_FORMAT, NULL },
        { "opcode 7", FRAME, FIN | 7, "a", 1, E_INVALID_PROTOCOL_FORMAT, NULL },
        { "opcode 11", FRAME, FIN | 11, "", 0, E_INVALID_PROTOCOL_FORMAT, NULL },
        { "opcode 15", FRAME, FIN | 15, "", 0, E_INVALID_PROTOCOL_FORMAT, NULL },
        { "fragmented ping", FRAME, OP_PING, "", 0, E_INVALID_PROTOCOL_FORMAT, NULL },
        { "fragmented pong", FRAME, OP_PONG, "", 0, E_INVALID_PROTOCOL_FORMAT, NULL },
        { "fragmented close", FRAME, OP_CLOSE, "", 0, E_INVALID_PROTOCOL_FORMAT, NULL },
        { "ping of 126 bytes", RAW, FIN | OP_PING, "\x7e\x00\x7e", 3, E_INVALID_PROTOCOL_FORMAT, NULL },
        { "close of 127-byte length", RAW, FIN | OP_CLOSE, "\x7f\x00\x00\x00\x00\x00\x00\x00\x7e", 9,
          E_INVALID_PROTOCOL_FORMAT, NULL },
        { "64-bit length, top bit", RAW, FIN | OP_BINARY, "\x7f\x80\x00\x00\x00\x00\x00\x00\x01", 9,
          E_INVALID_PROTOCOL_FORMAT, NULL },
        { "wrong mask bit", WRONG_MASK, FIN | OP_BINARY, "a", 1, E_INVALID_PROTOCOL_FORMAT, NULL },
        { "invalid UTF-8", FRAME, FIN | OP_TEXT, "\xff", 1, E_INVALID_PROTOCOL_FORMAT, NULL },
        { "close of one byte", FRAME, FIN | OP_CLOSE, "\x03", 1, E_INVALID_PROTOCOL_FORMAT, NULL },
        { "close 0", CLOSE_BODY, 0, "\x00\x00", 2, E_INVALID_PROTOCOL_FORMAT, NULL },
        { "close 999", CLOSE_BODY, 0, "\x03\xe7", 2, E_INVALID_PROTOCOL_FORMAT, NULL },
        { "close 1004", CLOSE_BODY, 0, "\x03\xec", 2, E_INVALID_PROTOCOL_FORMAT, NULL },
        { "close 1005", CLOSE_BODY, 0, "\x03\xed", 2, E_INVALID_PROTOCOL_FORMAT, NULL },
        { "close 1006", CLOSE_BODY, 0, "\x03\xee", 2, E_INVALID_PROTOCOL_FORMAT, NULL },
        { "close 1015", CLOSE_BODY, 0, "\x03\xf7", 2, E_INVALID_PROTOCOL_FORMAT, NULL },
        { "close 1016", CLOSE_BODY, 0, "\x03\xf8", 2, E_INVALID_PROTOCOL_FORMAT, NULL },
        { "close 2999", CLOSE_BODY, 0, "\x0b\xb7", 2, E_INVALID_PROTOCOL_FORMAT, NULL },
        { "close 5000", CLOSE_BODY, 0, "\x13\x88", 2, E_INVALID_PROTOCOL_FORMAT, NULL },
        { "close 65535", CLOSE_BODY, 0, "\xff\xff", 2, E_INVALID_PROTOCOL_FORMAT, NULL },
        { "close reason not UTF-8", CLOSE_BODY, 0, "\x03\xe8\xff", 3, E_INVALID_PROTOCOL_FORMAT, NULL },
        { "continuation without a message", FRAME, FIN | OP_CONT, "a", 1, E_INVALID_PROTOCOL_OPERATION, NULL },
        { "text inside a message", FRAME, FIN | OP_TEXT, "b", 1, E_INVALID_PROTOCOL_OPERATION, "t" },
        { "binary inside a message", FRAME, OP_BINARY, "b", 1, E_INVALID_PROTOCOL_OPERATION, "t" },
        { "text after a close", FRAME, FIN | OP_TEXT, "a", 1, E_INVALID_PROTOCOL_OPERATION, "c" },
        { "ping after a close", FRAME, FIN | OP_PING, "", 0, E_INVALID_PROTOCOL_OPERATION, "c" },
        { "close after a close", CLOSE_BODY, 0, "\x03\xe8", 2, E_INVALID_PROTOCOL_OPERATION, "c" },
    };
    static const struct queue_config *const configs[] = { &queue_configs[0], &queue_configs[3] };
    struct receiver r;
    struct got g;
    BYTE mask_byte;
    unsigned i, role, c;
    const char *step;
    HRESULT hr;

    for (i = 0; i < ARRAY_SIZE(tests); i++)
    for (role = 0; role < 2; role++)
    for (c = 0; c < ARRAY_SIZE(configs); c++)
    {
        winetest_push_context("%s, %s", tests[i].label, role ? "server" : "client");
        winetest_push_context("%s queue, capacity %lu", configs[c]->receive_queue == ALL_QUEUE ? "ALL" : "own",
                              (unsigned long)configs[c]->capacity);
        receiver_open(&r, role, configs[c], FALSE);
        for (step = tests[i].before ? tests[i].before : ""; *step; step++)
        {
            if (*step == 't')
                peer_frame(&r, OP_TEXT, "a", 1);
            else
                put_close(&r.f.in, role, 1000, "");
            receive_one(&r, NULL, &g);
            check_got(&g, RECEIVE_COMPLETE, *step == 't' ? UTF8_FRAGMENT : CLOSE_TYPE, 1);
            WebSocketCompleteAction(r.handle, g.ctx, 0);
        }
        mask_byte = role ? 0x80 : 0;
        switch (tests[i].kind)
        {
        case FRAME:
            peer_frame(&r, tests[i].first, tests[i].payload, tests[i].len);
            break;
        case CLOSE_BODY:
            peer_frame(&r, FIN | OP_CLOSE, tests[i].payload, tests[i].len);
            break;
        case WRONG_MASK:
            put_frame(&r.f.in, tests[i].first, !role, tests[i].payload, tests[i].len);
            break;
        case RAW:
            /* The header as given, with this role's mask bit and key, and no payload. */
            pipe_write(&r.f.in, &tests[i].first, 1);
            {
                BYTE second = (BYTE)(tests[i].payload[0] | mask_byte);
                pipe_write(&r.f.in, &second, 1);
            }
            pipe_write(&r.f.in, tests[i].payload + 1, tests[i].len - 1);
            if (role)
                pipe_write(&r.f.in, test_key, 4);
            break;
        }
        hr = receive_one(&r, NULL, &g);
        choice_ok(receive_error_choice(tests[i].first, tests[i].kind == RAW,
                                       tests[i].kind == CLOSE_BODY && !tests[i].before && tests[i].len == 2),
                  hr == tests[i].expected, "got %s\n", dbgstr_hr(hr));
        /* It stays failed. */
        get_action(r.handle, r.config->receive_queue, r.config->capacity, &g);
        choice_ok(CHOICE_PROTOCOL_ERRORS, g.hr == tests[i].expected, "again: got %s\n", dbgstr_hr(g.hr));
        get_action(r.handle, r.config->receive_queue, r.config->capacity, &g);
        choice_ok(CHOICE_PROTOCOL_ERRORS, g.hr == tests[i].expected, "again: got %s\n", dbgstr_hr(g.hr));
        /* The application aborts; the drain works and ends the receive. */
        WebSocketAbortHandle(r.handle);
        get_action(r.handle, r.config->receive_queue, r.config->capacity, &g);
        choice(CHOICE_ABORT) check_close(&g, WEB_SOCKET_ABORTED_CLOSE_STATUS, NULL, TRUE);
        WebSocketCompleteAction(r.handle, g.ctx, 0);
        expect_no_action(r.handle, r.config->receive_queue, r.config->capacity);
        expect_no_action(r.handle, SEND_QUEUE, 1);
        receiver_close(&r);
        winetest_pop_context();
        winetest_pop_context();
    }

    /* DISABLE_MASKING on a server: unmasked client frames are accepted (api-contract 9.9),
     * and masked ones still are. */
    {
        BOOL yes = TRUE;
        WEB_SOCKET_PROPERTY property;
        WEB_SOCKET_HANDLE handle;
        struct feeder f = { 0 };

        property.Type = WEB_SOCKET_DISABLE_MASKING_PROPERTY_TYPE;
        property.pvValue = &yes;
        property.ulValueSize = sizeof(yes);
        handle = open_server(&property, 1);
        put_frame(&f.in, FIN | OP_TEXT, FALSE, "bare", 4);
        put_frame(&f.in, FIN | OP_TEXT, TRUE, "masked", 6);
        hr = WebSocketReceive(handle, NULL, NULL);
        ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
        next_receive(handle, RECEIVE_QUEUE, 1, &f, &g);
        check_data(&g, UTF8_MESSAGE, "bare", 4);
        WebSocketCompleteAction(handle, g.ctx, 0);
        hr = WebSocketReceive(handle, NULL, NULL);
        ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
        next_receive(handle, RECEIVE_QUEUE, 1, &f, &g);
        check_data(&g, UTF8_MESSAGE, "masked", 6);
        WebSocketCompleteAction(handle, g.ctx, 0);
        WebSocketDeleteHandle(handle);
        pipe_free(&f.in);
    }
}

/* WebSocketReceive with a buffer: the data is copied there, in pieces that fit. */
static void test_receive_user_buffer(void)
{
    BYTE buffer[8];
    WEB_SOCKET_BUFFER receive_buffer;
    struct receiver r;
    struct got g;
    HRESULT hr;

    receiver_open(&r, TRUE, &queue_configs[0], FALSE);

    receive_buffer.Data.pbBuffer = NULL;
    receive_buffer.Data.ulBufferLength = 4;
    hr = WebSocketReceive(r.handle, &receive_buffer, NULL);
    choice_ok(CHOICE_BAD_ARGUMENTS, hr == E_INVALIDARG, "NULL buffer: got %s\n", dbgstr_hr(hr));
    receive_buffer.Data.pbBuffer = buffer;
    receive_buffer.Data.ulBufferLength = 0;
    hr = WebSocketReceive(r.handle, &receive_buffer, NULL);
    choice_ok(CHOICE_BAD_ARGUMENTS, hr == E_INVALIDARG, "empty buffer: got %s\n", dbgstr_hr(hr));

    peer_frame(&r, FIN | OP_TEXT, "hello world", 11);
    receive_buffer.Data.ulBufferLength = 4;
    memset(buffer, 0xcc, sizeof(buffer));
    hr = WebSocketReceive(r.handle, &receive_buffer, NULL);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    receive_next(&r, &g);
    check_data(&g, UTF8_FRAGMENT, "hell", 4);
    ok(g.buffers[0].Data.pbBuffer == buffer, "data at %p, buffer at %p\n", g.buffers[0].Data.pbBuffer, buffer);
    ok(buffer[4] == 0xcc, "wrote past the buffer\n");
    WebSocketCompleteAction(r.handle, g.ctx, 0);
    hr = WebSocketReceive(r.handle, &receive_buffer, NULL);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    receive_next(&r, &g);
    check_data(&g, UTF8_FRAGMENT, "o wo", 4);
    WebSocketCompleteAction(r.handle, g.ctx, 0);
    hr = WebSocketReceive(r.handle, &receive_buffer, NULL);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    receive_next(&r, &g);
    check_data(&g, UTF8_MESSAGE, "rld", 3);
    ok(g.buffers[0].Data.pbBuffer == buffer, "data at %p, buffer at %p\n", g.buffers[0].Data.pbBuffer, buffer);
    WebSocketCompleteAction(r.handle, g.ctx, 0);
    receiver_close(&r);
}

/* ---------------------------------------------------------------------------
 * The send path.
 */

/* Sends and takes the frame off the wire; checks it. */
static void send_and_expect_(int line, WEB_SOCKET_HANDLE handle, BOOL server, WEB_SOCKET_BUFFER_TYPE type,
                             WEB_SOCKET_BUFFER *buffer, BYTE first, const void *payload, size_t len)
{
    struct byte_pipe out = { 0 };
    HRESULT hr = WebSocketSend(handle, type, buffer, NULL);
    ok_(__FILE__, line)(hr == S_OK, "WebSocketSend returned %s\n", dbgstr_hr(hr));
    if (hr != S_OK)
        return;
    send_all_(line, handle, SEND_QUEUE, 2, &out, NULL);
    expect_frame_(line, &out, first, !server, payload, len);
    ok_(__FILE__, line)(pipe_left(&out) == 0, "%lu bytes after the frame\n", (unsigned long)pipe_left(&out));
    pipe_free(&out);
}
#define send_and_expect(h, s, t, b, f, p, l) send_and_expect_(__LINE__, h, s, t, b, f, p, l)

/* Check 33, api-contract 9.25, 9.38-9.39: what WebSocketSend accepts and refuses. */
static void test_send_arguments(void)
{
    static const ULONG bad_types[] = { 0, 1, 0x7fffffff, 0x80000007, 0x80000100, 0xffffffff };
    static const USHORT bad_statuses[] = { 0, 999, 1004, 1006, 1015, 1016, 2999, 5000, 65535 };
    static const USHORT good_statuses[] = { 1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1014,
                                            3000, 4999 };
    char reason[125];
    BYTE body[130];
    WEB_SOCKET_HANDLE handle;
    WEB_SOCKET_BUFFER buffer;
    struct byte_pipe out = { 0 };
    struct got g;
    unsigned role, i;
    HRESULT hr;

    memset(reason, 'r', sizeof(reason));
    for (role = 0; role < 2; role++)
    {
        winetest_push_context("%s", role ? "server" : "client");
        handle = open_handle(role, NULL, 0);

        /* Data of any length, zero included, NULL pointer with length 0 included. */
        buffer.Data.pbBuffer = (BYTE *)"x";
        buffer.Data.ulBufferLength = 0;
        send_and_expect(handle, role, UTF8_FRAGMENT, &buffer, OP_TEXT, "", 0);
        send_and_expect(handle, role, UTF8_MESSAGE, &buffer, FIN | OP_CONT, "", 0);
        send_and_expect(handle, role, BINARY_FRAGMENT, &buffer, OP_BINARY, "", 0);
        send_and_expect(handle, role, BINARY_MESSAGE, &buffer, FIN | OP_CONT, "", 0);
        buffer.Data.pbBuffer = NULL;
        send_and_expect(handle, role, UTF8_MESSAGE, &buffer, FIN | OP_TEXT, "", 0);
        send_and_expect(handle, role, BINARY_MESSAGE, &buffer, FIN | OP_BINARY, "", 0);

        /* Pings and keep-alive pongs without a buffer. */
        send_and_expect(handle, role, PING_PONG, NULL, FIN | OP_PING, "", 0);
        send_and_expect(handle, role, UNSOLICITED_PONG, NULL, FIN | OP_PONG, "", 0);

        /* Refused, with nothing queued. */
        hr = WebSocketSend(handle, BINARY_MESSAGE, NULL, NULL);
        choice_ok(CHOICE_BAD_ARGUMENTS, hr == E_INVALIDARG, "data without a buffer: got %s\n", dbgstr_hr(hr));
        hr = WebSocketSend(handle, UTF8_FRAGMENT, NULL, NULL);
        choice_ok(CHOICE_BAD_ARGUMENTS, hr == E_INVALIDARG, "data without a buffer: got %s\n", dbgstr_hr(hr));
        buffer.Data.pbBuffer = NULL;
        buffer.Data.ulBufferLength = 5;
        hr = WebSocketSend(handle, UTF8_MESSAGE, &buffer, NULL);
        choice_ok(CHOICE_BAD_ARGUMENTS, hr == E_INVALIDARG, "NULL data of 5 bytes: got %s\n", dbgstr_hr(hr));
        buffer.Data.pbBuffer = (BYTE *)"x";
        buffer.Data.ulBufferLength = 1;
        hr = WebSocketSend(handle, PING_PONG, &buffer, NULL);
        choice_ok(CHOICE_BAD_ARGUMENTS, hr == E_INVALIDARG, "ping with a buffer: got %s\n", dbgstr_hr(hr));
        hr = WebSocketSend(handle, UNSOLICITED_PONG, &buffer, NULL);
        choice_ok(CHOICE_BAD_ARGUMENTS, hr == E_INVALIDARG, "pong with a buffer: got %s\n", dbgstr_hr(hr));
        buffer.Data.pbBuffer = NULL;
        buffer.Data.ulBufferLength = 0;
        hr = WebSocketSend(handle, PING_PONG, &buffer, NULL);
        choice_ok(CHOICE_BAD_ARGUMENTS, hr == E_INVALIDARG, "ping with an empty buffer: got %s\n", dbgstr_hr(hr));
        hr = WebSocketSend(handle, UNSOLICITED_PONG, &buffer, NULL);
        choice_ok(CHOICE_BAD_ARGUMENTS, hr == E_INVALIDARG, "pong with an empty buffer: got %s\n", dbgstr_hr(hr));
        for (i = 0; i < ARRAY_SIZE(bad_types); i++)
        {
            buffer.Data.pbBuffer = (BYTE *)"x";
            buffer.Data.ulBufferLength = 1;
            hr = WebSocketSend(handle, (WEB_SOCKET_BUFFER_TYPE)bad_types[i], &buffer, NULL);
            choice_ok(CHOICE_BAD_ARGUMENTS, hr == E_INVALIDARG, "type %#lx: got %s\n", (unsigned long)bad_types[i],
                      dbgstr_hr(hr));
            hr = WebSocketSend(handle, (WEB_SOCKET_BUFFER_TYPE)bad_types[i], NULL, NULL);
            choice_ok(CHOICE_BAD_ARGUMENTS, hr == E_INVALIDARG, "type %#lx without a buffer: got %s\n",
                      (unsigned long)bad_types[i],
                      dbgstr_hr(hr));
        }
        for (i = 0; i < ARRAY_SIZE(bad_statuses); i++)
        {
            hr = send_close(handle, bad_statuses[i], NULL, NULL);
            choice_ok(CHOICE_CLOSE_CODES, hr == E_INVALIDARG, "close %u: got %s\n", bad_statuses[i], dbgstr_hr(hr));
            hr = send_close(handle, bad_statuses[i], "why", NULL);
            choice_ok(CHOICE_CLOSE_CODES, hr == E_INVALIDARG, "close %u with a reason: got %s\n", bad_statuses[i],
                      dbgstr_hr(hr));
        }
        hr = send_close(handle, 1005, "why", NULL);
        choice_ok(CHOICE_CLOSE_CODES, hr == E_INVALIDARG, "close 1005 with a reason: got %s\n", dbgstr_hr(hr));
        buffer.CloseStatus.pbReason = (BYTE *)reason;
        buffer.CloseStatus.ulReasonLength = 124;
        buffer.CloseStatus.usStatus = 1000;
        hr = WebSocketSend(handle, CLOSE_TYPE, &buffer, NULL);
        choice_ok(CHOICE_BAD_ARGUMENTS, hr == E_INVALIDARG, "reason of 124 bytes: got %s\n", dbgstr_hr(hr));
        buffer.CloseStatus.pbReason = NULL;
        buffer.CloseStatus.ulReasonLength = 3;
        hr = WebSocketSend(handle, CLOSE_TYPE, &buffer, NULL);
        choice_ok(CHOICE_BAD_ARGUMENTS, hr == E_INVALIDARG, "NULL reason of 3 bytes: got %s\n", dbgstr_hr(hr));
        expect_no_action(handle, ALL_QUEUE, 2);

        /* Still open after all that: a message, with its context given back. */
        hr = send_data(handle, BINARY_MESSAGE, "ok", 2, SENTINEL_PTR);
        ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
        get_action(handle, SEND_QUEUE, 2, &g);
        check_sent(&g, BINARY_MESSAGE, role ? 2 : 1, role ? CHOICE_SERVER_SEND : CHOICE_CLIENT_SEND);
        ok(g.app == SENTINEL_PTR, "SEND_TO_NETWORK: got application context %p\n", g.app);
        WebSocketCompleteAction(handle, g.ctx, g.buffers[0].Data.ulBufferLength
                                + (g.count > 1 ? g.buffers[1].Data.ulBufferLength : 0));
        get_action(handle, SEND_QUEUE, 2, &g);
        check_got(&g, SEND_COMPLETE, BINARY_MESSAGE, 1);
        ok(g.app == SENTINEL_PTR, "INDICATE_SEND_COMPLETE: got application context %p\n", g.app);
        WebSocketCompleteAction(handle, g.ctx, 0);
        WebSocketDeleteHandle(handle);

        /* Closes: each on its own handle. */
        for (i = 0; i < 6 + ARRAY_SIZE(good_statuses); i++)
        {
            size_t body_len = 0;
            winetest_push_context("close %u", i);
            handle = open_handle(role, NULL, 0);
            if (i == 0)
                send_and_expect(handle, role, CLOSE_TYPE, NULL, FIN | OP_CLOSE, "", 0);
            else
            {
                buffer.CloseStatus.pbReason = NULL;
                buffer.CloseStatus.ulReasonLength = 0;
                buffer.CloseStatus.usStatus = 1000;
                if (i == 2)
                {
                    buffer.CloseStatus.pbReason = (BYTE *)reason;
                    buffer.CloseStatus.usStatus = 1001;
                }
                else if (i == 3)
                {
                    buffer.CloseStatus.pbReason = (BYTE *)reason;
                    buffer.CloseStatus.ulReasonLength = 123;
                    buffer.CloseStatus.usStatus = 4000;
                }
                else if (i == 4)
                {
                    buffer.CloseStatus.pbReason = (BYTE *)"going away";
                    buffer.CloseStatus.ulReasonLength = 10;
                    buffer.CloseStatus.usStatus = 1001;
                }
                else if (i == 5)
                    buffer.CloseStatus.usStatus = 1005;  /* "no status": a close without a body */
                else if (i >= 6)
                    buffer.CloseStatus.usStatus = good_statuses[i - 6];
                if (buffer.CloseStatus.usStatus != 1005)
                {
                    body[0] = (BYTE)(buffer.CloseStatus.usStatus >> 8);
                    body[1] = (BYTE)buffer.CloseStatus.usStatus;
                    memcpy(body + 2, buffer.CloseStatus.pbReason ? buffer.CloseStatus.pbReason : (BYTE *)"",
                           buffer.CloseStatus.ulReasonLength);
                    body_len = 2 + buffer.CloseStatus.ulReasonLength;
                }
                choice(buffer.CloseStatus.usStatus == 1005 ? CHOICE_CLOSE : i >= 6 ? CHOICE_CLOSE_CODES : CHOICE_NONE)
                    send_and_expect(handle, role, CLOSE_TYPE, &buffer, FIN | OP_CLOSE, body, body_len);
            }
            /* api-contract 9.38: after a close only control frames. */
            hr = send_data(handle, BINARY_MESSAGE, "x", 1, NULL);
            choice_ok(CHOICE_WRONG_STATE, hr == E_INVALID_PROTOCOL_OPERATION, "data after a close: got %s\n",
                      dbgstr_hr(hr));
            hr = send_data(handle, UTF8_FRAGMENT, "x", 1, NULL);
            choice_ok(CHOICE_WRONG_STATE, hr == E_INVALID_PROTOCOL_OPERATION, "data after a close: got %s\n",
                      dbgstr_hr(hr));
            hr = send_close(handle, 1000, NULL, NULL);
            choice_ok(CHOICE_WRONG_STATE, hr == E_INVALID_PROTOCOL_OPERATION, "second close: got %s\n", dbgstr_hr(hr));
            send_and_expect(handle, role, PING_PONG, NULL, FIN | OP_PING, "", 0);
            send_and_expect(handle, role, UNSOLICITED_PONG, NULL, FIN | OP_PONG, "", 0);
            WebSocketDeleteHandle(handle);
            winetest_pop_context();
        }
        winetest_pop_context();
    }
    pipe_free(&out);
}

/* Check 34: a finished send whose INDICATE_SEND_COMPLETE was not fetched
 * does not block the next Send (mORMot); a send still being transmitted does. */
static void test_send_queueing(void)
{
    WEB_SOCKET_HANDLE handle;
    WEB_SOCKET_PROPERTY props[2];
    ULONG sizes[2] = { 256, 16 };
    struct byte_pipe out = { 0 };
    BYTE payload[40];
    struct got g;
    unsigned role, round;
    HRESULT hr;

    fill_payload(payload, sizeof(payload), FALSE, 1);
    props[0].Type = WEB_SOCKET_RECEIVE_BUFFER_SIZE_PROPERTY_TYPE;
    props[0].pvValue = &sizes[0];
    props[0].ulValueSize = 4;
    props[1].Type = WEB_SOCKET_SEND_BUFFER_SIZE_PROPERTY_TYPE;
    props[1].pvValue = &sizes[1];
    props[1].ulValueSize = 4;
    for (role = 0; role < 2; role++)
    {
        winetest_push_context("%s", role ? "server" : "client");
        handle = open_handle(role, NULL, 0);

        /* mORMot: SEND_TO_NETWORK completed with 0, no further GetAction. */
        for (round = 0; round < 3; round++)
        {
            hr = send_data(handle, BINARY_MESSAGE, payload, 10, (PVOID)(ULONG_PTR)(round + 1));
            choice_ok(CHOICE_SEND_COMPLETION, hr == S_OK, "round %u: got %s\n", round, dbgstr_hr(hr));
            if (round)
            {
                /* The stale indication of the previous message comes first. */
                get_action(handle, SEND_QUEUE, 2, &g);
                choice(CHOICE_SEND_COMPLETION) check_got(&g, SEND_COMPLETE, BINARY_MESSAGE, 1);
                ok(g.app == (PVOID)(ULONG_PTR)round, "round %u: got context %p\n", round, g.app);
                choice_ok(CHOICE_SEND_COMPLETION,
                          g.buffers[0].Data.pbBuffer == payload && g.buffers[0].Data.ulBufferLength == 10,
                          "round %u: got buffer %p+%lu\n", round, g.buffers[0].Data.pbBuffer,
                          (unsigned long)g.buffers[0].Data.ulBufferLength);
                WebSocketCompleteAction(handle, g.ctx, 0);
            }
            get_action(handle, SEND_QUEUE, 2, &g);
            check_sent(&g, BINARY_MESSAGE, role ? 2 : 1, role ? CHOICE_SERVER_SEND : CHOICE_CLIENT_SEND);
            ok(g.app == (PVOID)(ULONG_PTR)(round + 1), "round %u: got context %p\n", round, g.app);
            pipe_write(&out, g.buffers[0].Data.pbBuffer, g.buffers[0].Data.ulBufferLength);
            if (g.count > 1)
                pipe_write(&out, g.buffers[1].Data.pbBuffer, g.buffers[1].Data.ulBufferLength);
            WebSocketCompleteAction(handle, g.ctx, 0);
        }
        get_action(handle, SEND_QUEUE, 2, &g);
        check_got(&g, SEND_COMPLETE, BINARY_MESSAGE, 1);
        ok(g.app == (PVOID)(ULONG_PTR)3, "got context %p\n", g.app);
        WebSocketCompleteAction(handle, g.ctx, 0);
        expect_no_action(handle, SEND_QUEUE, 2);
        for (round = 0; round < 3; round++)
            expect_frame(&out, FIN | OP_BINARY, !role, payload, 10);
        pipe_reset(&out);

        /* A Send not yet started, or with its SEND_TO_NETWORK outstanding, blocks the next. */
        hr = send_data(handle, BINARY_MESSAGE, payload, 10, NULL);
        ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
        hr = send_data(handle, BINARY_MESSAGE, payload, 10, NULL);
        choice_ok(CHOICE_WRONG_STATE, hr == E_INVALID_PROTOCOL_OPERATION, "queued send: got %s\n", dbgstr_hr(hr));
        get_action(handle, SEND_QUEUE, 2, &g);
        check_sent(&g, BINARY_MESSAGE, role ? 2 : 1, role ? CHOICE_SERVER_SEND : CHOICE_CLIENT_SEND);
        hr = send_data(handle, BINARY_MESSAGE, payload, 10, NULL);
        choice_ok(CHOICE_WRONG_STATE, hr == E_INVALID_PROTOCOL_OPERATION, "outstanding SEND_TO_NETWORK: got %s\n",
                  dbgstr_hr(hr));
        hr = WebSocketSend(handle, UNSOLICITED_PONG, NULL, NULL);
        choice_ok(CHOICE_WRONG_STATE, hr == E_INVALID_PROTOCOL_OPERATION, "keep-alive during a send: got %s\n",
                  dbgstr_hr(hr));
        WebSocketCompleteAction(handle, g.ctx, 100);
        hr = WebSocketSend(handle, UNSOLICITED_PONG, NULL, NULL);
        ok(hr == S_OK, "keep-alive after the send: got %s\n", dbgstr_hr(hr));
        get_action(handle, SEND_QUEUE, 2, &g);
        check_got(&g, SEND_COMPLETE, BINARY_MESSAGE, 1);
        WebSocketCompleteAction(handle, g.ctx, 0);
        get_action(handle, SEND_QUEUE, 2, &g);
        check_got(&g, SEND_TO_NETWORK, UNSOLICITED_PONG, 1);
        WebSocketCompleteAction(handle, g.ctx, g.buffers[0].Data.ulBufferLength);
        get_action(handle, SEND_QUEUE, 2, &g);
        check_got(&g, SEND_COMPLETE, UNSOLICITED_PONG, 1);
        WebSocketCompleteAction(handle, g.ctx, 0);
        WebSocketDeleteHandle(handle);

        /* Between the pieces of a frame, the send is still in progress. */
        handle = open_handle(role, props, 2);
        hr = send_data(handle, BINARY_MESSAGE, payload, sizeof(payload), NULL);
        ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
        get_action(handle, SEND_QUEUE, 1, &g);
        check_sent(&g, BINARY_MESSAGE, 1, role ? CHOICE_SERVER_SEND : CHOICE_CLIENT_SEND);
        WebSocketCompleteAction(handle, g.ctx, g.buffers[0].Data.ulBufferLength);
        hr = send_data(handle, BINARY_MESSAGE, payload, 10, NULL);
        choice_ok(CHOICE_WRONG_STATE, hr == E_INVALID_PROTOCOL_OPERATION, "between pieces: got %s\n", dbgstr_hr(hr));
        send_all(handle, SEND_QUEUE, 1, &out, NULL);
        hr = send_data(handle, BINARY_MESSAGE, payload, 10, NULL);
        ok(hr == S_OK, "after the send: got %s\n", dbgstr_hr(hr));
        WebSocketDeleteHandle(handle);
        pipe_reset(&out);
        winetest_pop_context();
    }
    pipe_free(&out);
}

/* Checks 35, 36 and 38: a server frame is one SEND_TO_NETWORK of [header
 * (+ close status) in the send area][the caller's payload, untouched], or
 * with one buffer the header and then the payload. */
static void test_server_send_frames(void)
{
    static const struct
    {
        WEB_SOCKET_BUFFER_TYPE type;
        BYTE first;
        ULONG len;
    } tests[] = {
        { BINARY_MESSAGE, FIN | OP_BINARY, 0 },
        { BINARY_MESSAGE, FIN | OP_BINARY, 1 },
        { UTF8_MESSAGE, FIN | OP_TEXT, 125 },
        { UTF8_MESSAGE, FIN | OP_TEXT, 126 },
        { BINARY_MESSAGE, FIN | OP_BINARY, 65535 },
        { BINARY_MESSAGE, FIN | OP_BINARY, 65536 },
        { UTF8_MESSAGE, FIN | OP_TEXT, 70000 },
        { UTF8_FRAGMENT, OP_TEXT, 300 },
        { UTF8_MESSAGE, FIN | OP_CONT, 3 },
        { BINARY_FRAGMENT, OP_BINARY, 3 },
        { BINARY_FRAGMENT, OP_CONT, 0 },
        { BINARY_MESSAGE, FIN | OP_CONT, 3 },
        { PING_PONG, FIN | OP_PING, 0 },
        { UNSOLICITED_PONG, FIN | OP_PONG, 0 },
        { CLOSE_TYPE, FIN | OP_CLOSE, 3 },
    };
    BYTE *payload, header[16];
    size_t header_len;
    struct arena a;
    WEB_SOCKET_HANDLE handle;
    WEB_SOCKET_BUFFER buffer;
    struct got g;
    unsigned c, i;
    HRESULT hr;

    payload = malloc(70000);
    fill_payload(payload, 70000, TRUE, 2);
    for (c = 0; c < ARRAY_SIZE(queue_configs); c++)
    {
        const struct queue_config *config = &queue_configs[c];
        push_config_context(config);
        arena_init(&a, 256, 16, 0, FALSE, FALSE);
        handle = open_server(a.props, a.count);
        for (i = 0; i < ARRAY_SIZE(tests); i++)
        {
            BOOL close = tests[i].type == CLOSE_TYPE;
            BOOL control = close || tests[i].type == PING_PONG || tests[i].type == UNSOLICITED_PONG;
            winetest_push_context("type %#x, %lu bytes", tests[i].type, (unsigned long)tests[i].len);
            if (close)
            {
                buffer.CloseStatus.pbReason = payload;
                buffer.CloseStatus.ulReasonLength = tests[i].len;
                buffer.CloseStatus.usStatus = 1000;
            }
            else
            {
                buffer.Data.pbBuffer = payload;
                buffer.Data.ulBufferLength = tests[i].len;
            }
            hr = WebSocketSend(handle, tests[i].type, control && !close ? NULL : &buffer, SENTINEL_PTR);
            ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));

            header_len = server_header(header, tests[i].first, tests[i].len + (close ? 2 : 0));
            if (close)
            {
                header[header_len++] = 0x03;
                header[header_len++] = 0xe8;
            }
            get_action(handle, config->send_queue, config->capacity, &g);
            check_sent(&g, tests[i].type, config->capacity == 2 && tests[i].len ? 2 : 1, CHOICE_SERVER_SEND);
            ok(g.app == SENTINEL_PTR, "got application context %p\n", g.app);
            choice_ok(CHOICE_SERVER_SEND, g.buffers[0].Data.pbBuffer == send_area(&a), "header at %p, send area %p\n",
                      g.buffers[0].Data.pbBuffer, send_area(&a));
            choice_ok(CHOICE_SERVER_SEND, g.buffers[0].Data.ulBufferLength == header_len
                      && !memcmp(g.buffers[0].Data.pbBuffer, header, header_len), "got header %s, expected %s\n",
                      dbgstr_bytes(g.buffers[0].Data.pbBuffer, g.buffers[0].Data.ulBufferLength),
                      dbgstr_bytes(header, header_len));
            if (config->capacity == 2 && tests[i].len)
            {
                choice_ok(CHOICE_SERVER_SEND,
                          g.buffers[1].Data.pbBuffer == payload && g.buffers[1].Data.ulBufferLength == tests[i].len,
                          "payload %p+%lu, expected the caller's %p+%lu\n", g.buffers[1].Data.pbBuffer,
                          (unsigned long)g.buffers[1].Data.ulBufferLength, payload, (unsigned long)tests[i].len);
                WebSocketCompleteAction(handle, g.ctx, (ULONG)header_len + tests[i].len);
            }
            else
            {
                WebSocketCompleteAction(handle, g.ctx, (ULONG)header_len);
                if (tests[i].len)
                {
                    get_action(handle, config->send_queue, config->capacity, &g);
                    check_sent(&g, tests[i].type, 1, CHOICE_SERVER_SEND);
                    choice_ok(CHOICE_SERVER_SEND,
                              g.buffers[0].Data.pbBuffer == payload && g.buffers[0].Data.ulBufferLength == tests[i].len,
                              "payload %p+%lu, expected the caller's %p+%lu\n", g.buffers[0].Data.pbBuffer,
                              (unsigned long)g.buffers[0].Data.ulBufferLength, payload, (unsigned long)tests[i].len);
                    WebSocketCompleteAction(handle, g.ctx, tests[i].len);
                }
            }
            get_action(handle, config->send_queue, config->capacity, &g);
            check_got(&g, SEND_COMPLETE, tests[i].type, 1);
            WebSocketCompleteAction(handle, g.ctx, 0);
            expect_no_action(handle, config->send_queue, config->capacity);
            winetest_pop_context();
        }
        /* A close with a status and no reason: header + status, one buffer. */
        WebSocketDeleteHandle(handle);
        handle = open_server(a.props, a.count);
        hr = send_close(handle, 1001, "", NULL);
        ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
        get_action(handle, config->send_queue, config->capacity, &g);
        check_sent(&g, CLOSE_TYPE, 1, CHOICE_SERVER_SEND);
        choice_ok(CHOICE_SERVER_SEND,
                  g.buffers[0].Data.ulBufferLength == 4 && !memcmp(g.buffers[0].Data.pbBuffer, "\x88\x02\x03\xe9", 4),
                  "got %s\n", dbgstr_bytes(g.buffers[0].Data.pbBuffer, g.buffers[0].Data.ulBufferLength));
        WebSocketCompleteAction(handle, g.ctx, 4);
        WebSocketDeleteHandle(handle);
        arena_free(&a);
        winetest_pop_context();
    }
    ok(payload[0] >= 'a' && payload[0] <= 'z', "payload modified\n");
    free(payload);
}

/* Check 37, api-contract 9.41: a client masks into its send area, in pieces
 * of at most SBS, never touching the caller's buffer; DISABLE_MASKING: mask
 * bit, key 0, the caller's buffer sent as is. */
static void test_client_send_frames(void)
{
    static const ULONG send_sizes[] = { 16, 100, 4096 };
    static const ULONG lengths[] = { 0, 1, 10, 100, 1000, 70000 };
    BYTE *payload, *copy;
    struct byte_pipe out = { 0 };
    struct arena a;
    WEB_SOCKET_HANDLE handle;
    struct frame fr;
    struct got g;
    unsigned c, s, i, pieces, expected_pieces;
    size_t total;
    HRESULT hr;

    payload = malloc(70000);
    copy = malloc(70000);
    fill_payload(payload, 70000, FALSE, 4);
    memcpy(copy, payload, 70000);
    for (c = 0; c < ARRAY_SIZE(queue_configs); c++)
    for (s = 0; s < ARRAY_SIZE(send_sizes); s++)
    {
        const struct queue_config *config = &queue_configs[c];
        push_config_context(config);
        winetest_push_context("SBS %lu", (unsigned long)send_sizes[s]);
        arena_init(&a, 256, send_sizes[s], 1, FALSE, FALSE);
        handle = open_client(a.props, a.count);
        for (i = 0; i < ARRAY_SIZE(lengths); i++)
        {
            size_t frame_len;
            if (lengths[i] == 70000 && send_sizes[s] == 16 && c)
                continue;
            winetest_push_context("%lu bytes", (unsigned long)lengths[i]);
            hr = send_data(handle, i & 1 ? BINARY_MESSAGE : UTF8_MESSAGE, payload, lengths[i], NULL);
            ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
            frame_len = lengths[i] + 2 + 4 + (lengths[i] > 65535 ? 8 : lengths[i] > 125 ? 2 : 0);
            expected_pieces = (unsigned)((frame_len + send_sizes[s] - 1) / send_sizes[s]);
            pipe_reset(&out);
            for (pieces = 0;; pieces++)
            {
                get_action(handle, config->send_queue, config->capacity, &g);
                if (g.hr != S_OK || g.action != SEND_TO_NETWORK)
                    break;
                choice_ok(CHOICE_CLIENT_SEND, g.count == 1, "%lu buffers\n", (unsigned long)g.count);
                choice_ok(CHOICE_CLIENT_SEND, g.buffers[0].Data.pbBuffer == send_area(&a),
                          "piece %u at %p, send area %p\n", pieces,
                          g.buffers[0].Data.pbBuffer, send_area(&a));
                choice_ok(CHOICE_CLIENT_SEND,
                          g.buffers[0].Data.ulBufferLength == (pieces + 1 < expected_pieces ? send_sizes[s]
                                                               : frame_len - (size_t)pieces * send_sizes[s]),
                          "piece %u of %lu bytes\n", pieces, (unsigned long)g.buffers[0].Data.ulBufferLength);
                pipe_write(&out, g.buffers[0].Data.pbBuffer, g.buffers[0].Data.ulBufferLength);
                WebSocketCompleteAction(handle, g.ctx, g.buffers[0].Data.ulBufferLength);
            }
            check_got(&g, SEND_COMPLETE, i & 1 ? BINARY_MESSAGE : UTF8_MESSAGE, 1);
            WebSocketCompleteAction(handle, g.ctx, 0);
            choice_ok(CHOICE_CLIENT_SEND, pieces == expected_pieces, "got %u pieces, expected %u\n", pieces,
                      expected_pieces);
            expect_frame(&out, FIN | (i & 1 ? OP_BINARY : OP_TEXT), TRUE, payload, lengths[i]);
            choice_ok(CHOICE_CLIENT_SEND, !memcmp(payload, copy, 70000), "the caller's buffer was modified\n");
            winetest_pop_context();
        }
        /* Control frames are masked too. */
        hr = WebSocketSend(handle, PING_PONG, NULL, NULL);
        ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
        pipe_reset(&out);
        send_all(handle, config->send_queue, config->capacity, &out, NULL);
        expect_frame(&out, FIN | OP_PING, TRUE, "", 0);
        hr = send_close(handle, 1000, "bye", NULL);
        ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
        pipe_reset(&out);
        send_all(handle, config->send_queue, config->capacity, &out, NULL);
        expect_frame(&out, FIN | OP_CLOSE, TRUE, "\x03\xe8" "bye", 5);
        WebSocketDeleteHandle(handle);
        arena_free(&a);
        winetest_pop_context();
        winetest_pop_context();
    }

    /* DISABLE_MASKING. */
    for (c = 0; c < ARRAY_SIZE(queue_configs); c++)
    {
        const struct queue_config *config = &queue_configs[c];
        push_config_context(config);
        arena_init(&a, 256, 16, 0, TRUE, FALSE);
        handle = open_client(a.props, a.count);
        for (i = 1; i < ARRAY_SIZE(lengths); i++)
        {
            winetest_push_context("%lu bytes", (unsigned long)lengths[i]);
            hr = send_data(handle, BINARY_MESSAGE, payload, lengths[i], NULL);
            ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
            get_action(handle, config->send_queue, config->capacity, &g);
            check_sent(&g, BINARY_MESSAGE, config->capacity, CHOICE_CLIENT_SEND);
            choice_ok(CHOICE_CLIENT_SEND, g.buffers[0].Data.pbBuffer == send_area(&a), "header at %p, send area %p\n",
                      g.buffers[0].Data.pbBuffer, send_area(&a));
            total = g.buffers[0].Data.ulBufferLength;
            pipe_reset(&out);
            pipe_write(&out, g.buffers[0].Data.pbBuffer, g.buffers[0].Data.ulBufferLength);
            if (config->capacity == 2)
            {
                choice_ok(CHOICE_CLIENT_SEND,
                          g.buffers[1].Data.pbBuffer == payload && g.buffers[1].Data.ulBufferLength == lengths[i],
                          "payload %p+%lu, expected the caller's\n", g.buffers[1].Data.pbBuffer,
                          (unsigned long)g.buffers[1].Data.ulBufferLength);
                pipe_write(&out, g.buffers[1].Data.pbBuffer, g.buffers[1].Data.ulBufferLength);
                total += g.buffers[1].Data.ulBufferLength;
            }
            WebSocketCompleteAction(handle, g.ctx, (ULONG)total);
            if (config->capacity == 1)
            {
                get_action(handle, config->send_queue, config->capacity, &g);
                check_sent(&g, BINARY_MESSAGE, 1, CHOICE_CLIENT_SEND);
                choice_ok(CHOICE_CLIENT_SEND,
                          g.buffers[0].Data.pbBuffer == payload && g.buffers[0].Data.ulBufferLength == lengths[i],
                          "payload %p+%lu, expected the caller's\n", g.buffers[0].Data.pbBuffer,
                          (unsigned long)g.buffers[0].Data.ulBufferLength);
                pipe_write(&out, g.buffers[0].Data.pbBuffer, g.buffers[0].Data.ulBufferLength);
                WebSocketCompleteAction(handle, g.ctx, g.buffers[0].Data.ulBufferLength);
            }
            get_action(handle, config->send_queue, config->capacity, &g);
            check_got(&g, SEND_COMPLETE, BINARY_MESSAGE, 1);
            WebSocketCompleteAction(handle, g.ctx, 0);
            ok(take_frame(&out, &fr), "no frame\n");
            choice_ok(CHOICE_CLIENT_SEND, fr.masked && all_bytes(fr.key, 0, 4), "masked %d, key %s\n", fr.masked,
                      dbgstr_bytes(fr.key, 4));
            ok(fr.fin && fr.opcode == OP_BINARY && fr.length == lengths[i]
               && !memcmp(fr.payload, payload, lengths[i]), "got opcode %#x, %lu bytes\n", fr.opcode,
               (unsigned long)fr.length);
            free(fr.payload);
            winetest_pop_context();
        }
        WebSocketDeleteHandle(handle);
        arena_free(&a);
        winetest_pop_context();
    }
    free(payload);
    free(copy);
    pipe_free(&out);
}

/* Check 39: one INDICATE_SEND_COMPLETE per send, after its last
 * SEND_TO_NETWORK, with the Send's context and the caller's buffer. */
static void test_send_complete(void)
{
    struct byte_pipe out = { 0 };
    WEB_SOCKET_HANDLE handle;
    WEB_SOCKET_BUFFER buffer;
    struct got g;
    BYTE payload[300];
    unsigned c, role;
    int pieces;
    HRESULT hr;

    fill_payload(payload, sizeof(payload), FALSE, 6);
    for (c = 0; c < ARRAY_SIZE(queue_configs); c++)
    for (role = 0; role < 2; role++)
    {
        const struct queue_config *config = &queue_configs[c];
        push_config_context(config);
        winetest_push_context("%s", role ? "server" : "client");
        handle = open_handle(role, NULL, 0);

        hr = send_data(handle, BINARY_MESSAGE, payload, sizeof(payload), SENTINEL_PTR);
        ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
        pieces = send_all(handle, config->send_queue, config->capacity, &out, &g);
        choice_ok(role ? CHOICE_SERVER_SEND : CHOICE_CLIENT_SEND, pieces == (role && config->capacity == 1 ? 2 : 1),
                  "%d SEND_TO_NETWORK\n", pieces);
        check_got(&g, SEND_COMPLETE, BINARY_MESSAGE, 1);
        ok(g.app == SENTINEL_PTR, "got context %p\n", g.app);
        choice_ok(CHOICE_SEND_COMPLETION,
                  g.buffers[0].Data.pbBuffer == payload && g.buffers[0].Data.ulBufferLength == sizeof(payload),
                  "got buffer %p+%lu\n", g.buffers[0].Data.pbBuffer, (unsigned long)g.buffers[0].Data.ulBufferLength);
        expect_no_action(handle, config->send_queue, config->capacity);

        /* Body-less sends give {NULL, 0} (Marlin's ping loop needs the count of 1). */
        hr = WebSocketSend(handle, PING_PONG, NULL, (PVOID)(ULONG_PTR)0x1234);
        ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
        send_all(handle, config->send_queue, config->capacity, &out, &g);
        check_got(&g, SEND_COMPLETE, PING_PONG, 1);
        ok(g.app == (PVOID)(ULONG_PTR)0x1234, "got context %p\n", g.app);
        choice_ok(CHOICE_SEND_COMPLETION, !g.buffers[0].Data.pbBuffer && !g.buffers[0].Data.ulBufferLength,
                  "got buffer %p+%lu\n",
                  g.buffers[0].Data.pbBuffer, (unsigned long)g.buffers[0].Data.ulBufferLength);
        hr = WebSocketSend(handle, UNSOLICITED_PONG, NULL, NULL);
        ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
        send_all(handle, config->send_queue, config->capacity, &out, &g);
        check_got(&g, SEND_COMPLETE, UNSOLICITED_PONG, 1);
        ok(g.app == NULL, "got context %p\n", g.app);
        choice_ok(CHOICE_SEND_COMPLETION, !g.buffers[0].Data.pbBuffer && !g.buffers[0].Data.ulBufferLength,
                  "got buffer %p+%lu\n",
                  g.buffers[0].Data.pbBuffer, (unsigned long)g.buffers[0].Data.ulBufferLength);

        /* A close: the close view of the caller's buffer. */
        buffer.CloseStatus.pbReason = payload;
        buffer.CloseStatus.ulReasonLength = 20;
        buffer.CloseStatus.usStatus = 1001;
        hr = WebSocketSend(handle, CLOSE_TYPE, &buffer, SENTINEL_PTR);
        ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
        send_all(handle, config->send_queue, config->capacity, &out, &g);
        check_got(&g, SEND_COMPLETE, CLOSE_TYPE, 1);
        ok(g.app == SENTINEL_PTR, "got context %p\n", g.app);
        choice_ok(CHOICE_SEND_COMPLETION,
                  g.buffers[0].CloseStatus.pbReason == payload && g.buffers[0].CloseStatus.ulReasonLength == 20
                  && g.buffers[0].CloseStatus.usStatus == 1001, "got %p+%lu, status %u\n",
                  g.buffers[0].CloseStatus.pbReason, (unsigned long)g.buffers[0].CloseStatus.ulReasonLength,
                  g.buffers[0].CloseStatus.usStatus);
        expect_no_action(handle, config->send_queue, config->capacity);
        WebSocketDeleteHandle(handle);

        handle = open_handle(role, NULL, 0);
        hr = WebSocketSend(handle, CLOSE_TYPE, NULL, NULL);
        ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
        send_all(handle, config->send_queue, config->capacity, &out, &g);
        check_got(&g, SEND_COMPLETE, CLOSE_TYPE, 1);
        choice_ok(CHOICE_SEND_COMPLETION,
                  !g.buffers[0].CloseStatus.pbReason && !g.buffers[0].CloseStatus.ulReasonLength, "got buffer %p+%lu\n",
                  g.buffers[0].CloseStatus.pbReason, (unsigned long)g.buffers[0].CloseStatus.ulReasonLength);
        WebSocketDeleteHandle(handle);
        pipe_reset(&out);
        winetest_pop_context();
        winetest_pop_context();
    }
    pipe_free(&out);
}

/* Check 40: fragmented sends: the first frame carries the opcode, the
 * continuations opcode 0, the last FIN; control frames may come between. */
static void test_send_fragments(void)
{
    WEB_SOCKET_HANDLE handle;
    unsigned role;
    HRESULT hr;

    for (role = 0; role < 2; role++)
    {
        WEB_SOCKET_BUFFER buffer;
        winetest_push_context("%s", role ? "server" : "client");
        handle = open_handle(role, NULL, 0);

        buffer.Data.pbBuffer = (BYTE *)"ab";
        buffer.Data.ulBufferLength = 2;
        send_and_expect(handle, role, UTF8_FRAGMENT, &buffer, OP_TEXT, "ab", 2);
        send_and_expect(handle, role, PING_PONG, NULL, FIN | OP_PING, "", 0);
        /* The message's type is kept: binary does not fit in a text message. */
        hr = send_data(handle, BINARY_FRAGMENT, "xx", 2, NULL);
        choice_ok(CHOICE_WRONG_STATE, hr == E_INVALID_PROTOCOL_OPERATION, "binary inside text: got %s\n",
                  dbgstr_hr(hr));
        hr = send_data(handle, BINARY_MESSAGE, "xx", 2, NULL);
        choice_ok(CHOICE_WRONG_STATE, hr == E_INVALID_PROTOCOL_OPERATION, "binary inside text: got %s\n",
                  dbgstr_hr(hr));
        buffer.Data.pbBuffer = (BYTE *)"cd";
        send_and_expect(handle, role, UTF8_FRAGMENT, &buffer, OP_CONT, "cd", 2);
        send_and_expect(handle, role, UNSOLICITED_PONG, NULL, FIN | OP_PONG, "", 0);
        buffer.Data.pbBuffer = (BYTE *)"ef";
        send_and_expect(handle, role, UTF8_MESSAGE, &buffer, FIN | OP_CONT, "ef", 2);
        buffer.Data.pbBuffer = (BYTE *)"gh";
        send_and_expect(handle, role, UTF8_MESSAGE, &buffer, FIN | OP_TEXT, "gh", 2);

        buffer.Data.pbBuffer = (BYTE *)"12";
        send_and_expect(handle, role, BINARY_FRAGMENT, &buffer, OP_BINARY, "12", 2);
        hr = send_data(handle, UTF8_FRAGMENT, "xx", 2, NULL);
        choice_ok(CHOICE_WRONG_STATE, hr == E_INVALID_PROTOCOL_OPERATION, "text inside binary: got %s\n",
                  dbgstr_hr(hr));
        buffer.Data.pbBuffer = (BYTE *)"34";
        send_and_expect(handle, role, BINARY_FRAGMENT, &buffer, OP_CONT, "34", 2);
        buffer.Data.pbBuffer = (BYTE *)"56";
        send_and_expect(handle, role, BINARY_MESSAGE, &buffer, FIN | OP_CONT, "56", 2);
        buffer.Data.pbBuffer = (BYTE *)"78";
        send_and_expect(handle, role, BINARY_MESSAGE, &buffer, FIN | OP_BINARY, "78", 2);
        WebSocketDeleteHandle(handle);
        winetest_pop_context();
    }
}

/* ---------------------------------------------------------------------------
 * Abort, delete, threads.
 */

/* Drains a queue as .NET does after an abort: GetAction until NO_ACTION,
 * each action completed with 0; never a network action. Returns the count. */
static int drain_(int line, WEB_SOCKET_HANDLE handle, WEB_SOCKET_ACTION_QUEUE queue, ULONG capacity)
{
    struct got g;
    int n;
    for (n = 0; n < 10; n++)
    {
        if (get_action_(line, handle, queue, capacity, &g) != S_OK)
        {
            ok_(__FILE__, line)(0, "drain: GetAction returned %s\n", dbgstr_hr(g.hr));
            return n;
        }
        if (g.action == NO_ACTION)
            return n;
        choice_ok_at(line, CHOICE_ABORT, g.action == SEND_COMPLETE || g.action == RECEIVE_COMPLETE,
                     "drain: got action %d\n", g.action);
        WebSocketCompleteAction(handle, g.ctx, 0);
    }
    ok_(__FILE__, line)(0, "the drain does not end\n");
    return n;
}
#define drain(h, q, c) drain_(__LINE__, h, q, c)

/* Check 4, 41-43, api-contract 9.43-9.45. */
static void test_abort(void)
{
    WEB_SOCKET_HTTP_HEADER request[5], *headers = NULL;
    WEB_SOCKET_HANDLE handle;
    WEB_SOCKET_PROPERTY props[2];
    ULONG sizes[2] = { 256, 16 }, count = 0;
    struct feeder f = { 0 };
    struct got g, stn, rfn;
    BYTE payload[100];
    unsigned role, variant;
    HRESULT hr;

    fill_payload(payload, sizeof(payload), FALSE, 8);
    props[0].Type = WEB_SOCKET_RECEIVE_BUFFER_SIZE_PROPERTY_TYPE;
    props[0].pvValue = &sizes[0];
    props[0].ulValueSize = 4;
    props[1].Type = WEB_SOCKET_SEND_BUFFER_SIZE_PROPERTY_TYPE;
    props[1].pvValue = &sizes[1];
    props[1].ulValueSize = 4;

    /* Check 4: NULL and repeated aborts do nothing. */
    WebSocketAbortHandle(NULL);
    WebSocketAbortHandle(NULL);
    WebSocketDeleteHandle(NULL);

    /* api-contract 9.43: before the handshake, a no-op. */
    hr = WebSocketCreateClientHandle(NULL, 0, &handle);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    WebSocketAbortHandle(handle);
    hr = WebSocketBeginClientHandshake(handle, NULL, 0, NULL, 0, NULL, 0, &headers, &count);
    choice_ok(CHOICE_ABORT, hr == S_OK, "Begin after an early abort: got %s\n", dbgstr_hr(hr));
    WebSocketAbortHandle(handle);
    hr = end_client_with(handle, headers, count, NULL, 0, NULL, NULL, NULL);
    choice_ok(CHOICE_ABORT, hr == S_OK, "End after an early abort: got %s\n", dbgstr_hr(hr));
    hr = send_data(handle, BINARY_MESSAGE, "x", 1, NULL);
    choice_ok(CHOICE_ABORT, hr == S_OK, "Send after an early abort: got %s\n", dbgstr_hr(hr));
    WebSocketDeleteHandle(handle);

    hr = WebSocketCreateServerHandle(NULL, 0, &handle);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    WebSocketAbortHandle(handle);
    WebSocketAbortHandle(handle);
    dotnet_request(request);
    hr = WebSocketBeginServerHandshake(handle, NULL, NULL, 0, request, 5, &headers, &count);
    choice_ok(CHOICE_ABORT, hr == S_OK, "Begin after an early abort: got %s\n", dbgstr_hr(hr));
    hr = WebSocketEndServerHandshake(handle);
    choice_ok(CHOICE_ABORT, hr == S_OK, "End after an early abort: got %s\n", dbgstr_hr(hr));
    hr = WebSocketReceive(handle, NULL, NULL);
    choice_ok(CHOICE_ABORT, hr == S_OK, "Receive after an early abort: got %s\n", dbgstr_hr(hr));
    WebSocketDeleteHandle(handle);

    for (role = 0; role < 2; role++)
    {
        winetest_push_context("%s", role ? "server" : "client");

        /* Nothing pending. */
        handle = open_handle(role, NULL, 0);
        WebSocketAbortHandle(handle);
        WebSocketAbortHandle(handle);
        hr = send_data(handle, BINARY_MESSAGE, "x", 1, NULL);
        choice_ok(CHOICE_ABORT, hr == E_INVALID_PROTOCOL_OPERATION, "Send after Abort: got %s\n", dbgstr_hr(hr));
        hr = WebSocketSend(handle, CLOSE_TYPE, NULL, NULL);
        choice_ok(CHOICE_ABORT, hr == E_INVALID_PROTOCOL_OPERATION, "close after Abort: got %s\n", dbgstr_hr(hr));
        hr = WebSocketSend(handle, UNSOLICITED_PONG, NULL, NULL);
        choice_ok(CHOICE_ABORT, hr == E_INVALID_PROTOCOL_OPERATION, "pong after Abort: got %s\n", dbgstr_hr(hr));
        hr = WebSocketReceive(handle, NULL, NULL);
        choice_ok(CHOICE_ABORT, hr == E_INVALID_PROTOCOL_OPERATION, "Receive after Abort: got %s\n", dbgstr_hr(hr));
        choice(CHOICE_ABORT) expect_no_action(handle, SEND_QUEUE, 1);
        choice(CHOICE_ABORT) expect_no_action(handle, RECEIVE_QUEUE, 1);
        choice(CHOICE_ABORT) expect_no_action(handle, ALL_QUEUE, 2);
        WebSocketDeleteHandle(handle);

        /* A Send and a Receive not started: one indication each, then NO_ACTION. */
        handle = open_handle(role, NULL, 0);
        hr = send_data(handle, BINARY_MESSAGE, payload, 10, (PVOID)(ULONG_PTR)1);
        ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
        hr = WebSocketReceive(handle, NULL, (PVOID)(ULONG_PTR)2);
        ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
        WebSocketAbortHandle(handle);
        hr = send_data(handle, BINARY_MESSAGE, payload, 10, NULL);
        choice_ok(CHOICE_ABORT, hr == E_INVALID_PROTOCOL_OPERATION, "got %s\n", dbgstr_hr(hr));
        hr = WebSocketReceive(handle, NULL, NULL);
        choice_ok(CHOICE_ABORT, hr == E_INVALID_PROTOCOL_OPERATION, "got %s\n", dbgstr_hr(hr));
        get_action(handle, SEND_QUEUE, 1, &g);
        choice(CHOICE_ABORT) check_got(&g, SEND_COMPLETE, BINARY_MESSAGE, 1);
        ok(g.app == (PVOID)(ULONG_PTR)1, "got context %p\n", g.app);
        WebSocketCompleteAction(handle, g.ctx, 0);
        choice(CHOICE_ABORT) expect_no_action(handle, SEND_QUEUE, 1);
        get_action(handle, RECEIVE_QUEUE, 1, &g);
        choice(CHOICE_ABORT) check_close(&g, WEB_SOCKET_ABORTED_CLOSE_STATUS, NULL, TRUE);
        ok(g.app == (PVOID)(ULONG_PTR)2, "got context %p\n", g.app);
        WebSocketCompleteAction(handle, g.ctx, 0);
        choice(CHOICE_ABORT) expect_no_action(handle, RECEIVE_QUEUE, 1);
        choice(CHOICE_ABORT) expect_no_action(handle, ALL_QUEUE, 1);
        /* A context from before the abort completes nothing. */
        WebSocketCompleteAction(handle, g.ctx, 0);
        choice(CHOICE_ABORT) expect_no_action(handle, ALL_QUEUE, 1);
        WebSocketDeleteHandle(handle);

        /* Network actions outstanding at the abort: NO_ACTION until the program
         * completes them (with 0, or with bytes), then one indication each. */
        for (variant = 0; variant < 2; variant++)
        {
            winetest_push_context("completed with %s", variant ? "bytes" : "0");
            handle = open_handle(role, NULL, 0);
            hr = send_data(handle, BINARY_MESSAGE, payload, 10, NULL);
            ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
            get_action(handle, SEND_QUEUE, 2, &stn);
            check_sent(&stn, BINARY_MESSAGE, role ? 2 : 1, role ? CHOICE_SERVER_SEND : CHOICE_CLIENT_SEND);
            hr = WebSocketReceive(handle, NULL, NULL);
            ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
            get_action(handle, RECEIVE_QUEUE, 1, &rfn);
            check_got(&rfn, RECEIVE_FROM_NETWORK, no_type, 1);
            WebSocketAbortHandle(handle);
            choice(CHOICE_ABORT) expect_no_action(handle, SEND_QUEUE, 2);
            choice(CHOICE_ABORT) expect_no_action(handle, RECEIVE_QUEUE, 1);
            WebSocketCompleteAction(handle, stn.ctx, variant ? 100 : 0);
            pipe_reset(&f.in);
            put_frame(&f.in, FIN | OP_TEXT, role, "late", 4);
            memcpy(rfn.buffers[0].Data.pbBuffer, f.in.data, f.in.size);
            WebSocketCompleteAction(handle, rfn.ctx, variant ? (ULONG)f.in.size : 0);
            get_action(handle, SEND_QUEUE, 2, &g);
            choice(CHOICE_ABORT) check_got(&g, SEND_COMPLETE, BINARY_MESSAGE, 1);
            WebSocketCompleteAction(handle, g.ctx, 0);
            choice(CHOICE_ABORT) expect_no_action(handle, SEND_QUEUE, 2);
            get_action(handle, RECEIVE_QUEUE, 1, &g);
            choice(CHOICE_ABORT) check_close(&g, WEB_SOCKET_ABORTED_CLOSE_STATUS, NULL, TRUE);
            WebSocketCompleteAction(handle, g.ctx, 0);
            choice(CHOICE_ABORT) expect_no_action(handle, RECEIVE_QUEUE, 1);
            WebSocketDeleteHandle(handle);
            winetest_pop_context();
        }

        /* A frame half sent: no more pieces. */
        handle = open_handle(role, props, 2);
        hr = send_data(handle, BINARY_MESSAGE, payload, sizeof(payload), NULL);
        ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
        get_action(handle, SEND_QUEUE, 1, &g);
        check_sent(&g, BINARY_MESSAGE, 1, role ? CHOICE_SERVER_SEND : CHOICE_CLIENT_SEND);
        WebSocketCompleteAction(handle, g.ctx, g.buffers[0].Data.ulBufferLength);
        WebSocketAbortHandle(handle);
        get_action(handle, SEND_QUEUE, 1, &g);
        choice(CHOICE_ABORT) check_got(&g, SEND_COMPLETE, BINARY_MESSAGE, 1);
        WebSocketCompleteAction(handle, g.ctx, 0);
        choice(CHOICE_ABORT) expect_no_action(handle, SEND_QUEUE, 1);
        WebSocketDeleteHandle(handle);

        /* A pong waiting to go out: it never does. */
        handle = open_handle(role, NULL, 0);
        hr = WebSocketReceive(handle, NULL, NULL);
        ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
        get_action(handle, RECEIVE_QUEUE, 1, &rfn);
        check_got(&rfn, RECEIVE_FROM_NETWORK, no_type, 1);
        pipe_reset(&f.in);
        put_frame(&f.in, FIN | OP_PING, role, "ping", 4);
        memcpy(rfn.buffers[0].Data.pbBuffer, f.in.data, f.in.size);
        WebSocketCompleteAction(handle, rfn.ctx, (ULONG)f.in.size);
        WebSocketAbortHandle(handle);
        get_action(handle, RECEIVE_QUEUE, 1, &g);
        choice(CHOICE_ABORT) check_close(&g, WEB_SOCKET_ABORTED_CLOSE_STATUS, NULL, TRUE);
        WebSocketCompleteAction(handle, g.ctx, 0);
        choice(CHOICE_ABORT) expect_no_action(handle, ALL_QUEUE, 2);
        WebSocketDeleteHandle(handle);

        /* The pong on the wire at the abort. */
        handle = open_handle(role, NULL, 0);
        hr = WebSocketReceive(handle, NULL, NULL);
        ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
        pipe_reset(&f.in);
        put_frame(&f.in, FIN | OP_PING, role, "ping", 4);
        next_receive(handle, RECEIVE_QUEUE, 1, &f, &g);
        check_pong(&g);
        WebSocketAbortHandle(handle);
        choice(CHOICE_ABORT) expect_no_action(handle, RECEIVE_QUEUE, 1);
        WebSocketCompleteAction(handle, g.ctx, 0);
        choice_ok(CHOICE_ABORT, drain(handle, RECEIVE_QUEUE, 1) == 1, "expected one indication\n");
        WebSocketDeleteHandle(handle);

        /* .NET's drain (SEND then RECEIVE, one buffer) and the sample's (ALL, two). */
        for (variant = 0; variant < 2; variant++)
        {
            handle = open_handle(role, NULL, 0);
            hr = send_data(handle, BINARY_MESSAGE, payload, 10, NULL);
            ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
            hr = WebSocketReceive(handle, NULL, NULL);
            ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
            WebSocketAbortHandle(handle);
            if (variant)
                choice_ok(CHOICE_ABORT, drain(handle, ALL_QUEUE, 2) == 2, "expected two indications\n");
            else
            {
                choice_ok(CHOICE_ABORT, drain(handle, SEND_QUEUE, 1) == 1, "expected one indication\n");
                choice_ok(CHOICE_ABORT, drain(handle, RECEIVE_QUEUE, 1) == 1, "expected one indication\n");
            }
            WebSocketAbortHandle(handle);
            choice_ok(CHOICE_ABORT, drain(handle, ALL_QUEUE, 1) == 0, "expected nothing\n");
            WebSocketDeleteHandle(handle);
        }

        /* Check 43: Delete with actions outstanding, without abort (Haze, sample)
         * and right after an abort without draining (mORMot). */
        for (variant = 0; variant < 2; variant++)
        {
            handle = open_handle(role, NULL, 0);
            hr = send_data(handle, BINARY_MESSAGE, payload, 10, NULL);
            ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
            get_action(handle, SEND_QUEUE, 2, &stn);
            check_sent(&stn, BINARY_MESSAGE, role ? 2 : 1, role ? CHOICE_SERVER_SEND : CHOICE_CLIENT_SEND);
            hr = WebSocketReceive(handle, NULL, NULL);
            ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
            get_action(handle, RECEIVE_QUEUE, 1, &rfn);
            check_got(&rfn, RECEIVE_FROM_NETWORK, no_type, 1);
            if (variant)
                WebSocketAbortHandle(handle);
            WebSocketDeleteHandle(handle);
            /* In-flight completions arriving after the delete. */
            WebSocketCompleteAction(handle, stn.ctx, 12);
            WebSocketCompleteAction(handle, rfn.ctx, 0);
            WebSocketAbortHandle(handle);
            WebSocketDeleteHandle(handle);
            get_action(handle, ALL_QUEUE, 1, &g);
            choice_ok(CHOICE_HANDLES, g.hr == E_HANDLE, "GetAction after Delete: got %s\n", dbgstr_hr(g.hr));
        }
        winetest_pop_context();
    }

    /* A server aborted between Begin and End. */
    hr = WebSocketCreateServerHandle(NULL, 0, &handle);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    hr = WebSocketBeginServerHandshake(handle, NULL, NULL, 0, request, 5, &headers, &count);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    WebSocketAbortHandle(handle);
    hr = WebSocketReceive(handle, NULL, NULL);
    choice_ok(CHOICE_ABORT, hr == E_INVALID_PROTOCOL_OPERATION, "Receive after Abort: got %s\n", dbgstr_hr(hr));
    hr = send_data(handle, BINARY_MESSAGE, "x", 1, NULL);
    choice_ok(CHOICE_ABORT, hr == E_INVALID_PROTOCOL_OPERATION, "Send after Abort: got %s\n", dbgstr_hr(hr));
    choice_ok(CHOICE_ABORT, drain(handle, ALL_QUEUE, 1) == 0, "expected nothing\n");
    hr = WebSocketEndServerHandshake(handle);
    choice_ok(CHOICE_ABORT, hr == E_INVALID_PROTOCOL_OPERATION, "End after Abort: got %s\n", dbgstr_hr(hr));
    WebSocketDeleteHandle(handle);

    pipe_free(&f.in);
}

/* Checks 20 and 22 with threads: one thread sends messages (send queue) while
 * another receives and answers pings (receive queue) on the same client
 * handle; whatever either hands to the network goes onto one wire, which must
 * hold whole frames, never interleaved.  In a second run the receiving thread
 * aborts half-way: the sender then sees its send end and new ones fail, and
 * no network action is handed out once the abort has returned. */
#define THREAD_MESSAGES 200
#define THREAD_PINGS 100
#define THREAD_DATA 100

struct thread_test
{
    WEB_SOCKET_HANDLE handle;
    test_mutex lock;
    struct byte_pipe wire;
    struct byte_pipe in;
    int pongs, received, sent;
    int abort_at;           /* the receiver aborts after this many messages; 0: never */
    LONG aborted;           /* set once WebSocketAbortHandle has returned */
    BOOL failed;
};

static void thread_payload(BYTE *data, int i)
{
    int k;
    for (k = 0; k < 50; k++)
        data[k] = (BYTE)(i * 7 + k);
}

static BOOL thread_aborted(struct thread_test *t)
{
    return __atomic_load_n(&t->aborted, __ATOMIC_ACQUIRE) != 0;
}

static void thread_sender(void *param)
{
    struct thread_test *t = param;
    BYTE payload[50];
    int i, spins;

    for (i = 0; i < THREAD_MESSAGES && !t->failed; i++)
    {
        BOOL aborted = thread_aborted(t);
        HRESULT hr;
        thread_payload(payload, i);
        hr = send_data(t->handle, BINARY_MESSAGE, payload, sizeof(payload), (PVOID)(ULONG_PTR)(i + 1));
        if (hr != S_OK)
        {
            /* After the abort, new sends fail. */
            if (!(t->abort_at && thread_aborted(t) && hr == E_INVALID_PROTOCOL_OPERATION))
            {
                ok(0, "send %d: got %s\n", i, dbgstr_hr(hr));
                t->failed = TRUE;
            }
            break;
        }
        ok(!aborted, "send %d: accepted after the abort\n", i);
        for (spins = 0; spins < 10000000; spins++)
        {
            WEB_SOCKET_BUFFER buffers[2];
            ULONG count = 2, k, total = 0;
            WEB_SOCKET_ACTION action;
            WEB_SOCKET_BUFFER_TYPE type;
            PVOID app, ctx;
            aborted = thread_aborted(t);
            hr = WebSocketGetAction(t->handle, SEND_QUEUE, buffers, &count, &action, &type, &app, &ctx);
            if (hr != S_OK)
            {
                ok(0, "send %d: GetAction returned %s\n", i, dbgstr_hr(hr));
                t->failed = TRUE;
                break;
            }
            if (action == NO_ACTION)
            {
                yield_thread();
                continue;
            }
            if (action == SEND_COMPLETE)
            {
                if (app != (PVOID)(ULONG_PTR)(i + 1))
                {
                    ok(0, "send %d: got context %p\n", i, app);
                    t->failed = TRUE;
                }
                WebSocketCompleteAction(t->handle, ctx, 0);
                t->sent++;
                break;
            }
            if (action != SEND_TO_NETWORK || aborted)
            {
                ok(0, "send %d: got action %d%s\n", i, action, aborted ? " after the abort" : "");
                t->failed = TRUE;
                break;
            }
            mutex_lock(&t->lock);
            for (k = 0; k < count; k++)
            {
                pipe_write(&t->wire, buffers[k].Data.pbBuffer, buffers[k].Data.ulBufferLength);
                total += buffers[k].Data.ulBufferLength;
            }
            mutex_unlock(&t->lock);
            WebSocketCompleteAction(t->handle, ctx, total);
        }
    }
}

static void thread_receiver(void *param)
{
    struct thread_test *t = param;
    BOOL pending = FALSE;
    char message[32];
    size_t message_len = 0;
    int spins;

    for (spins = 0; spins < 10000000 && !t->failed && t->received < THREAD_DATA; spins++)
    {
        WEB_SOCKET_BUFFER buffer;
        ULONG count = 1, n;
        WEB_SOCKET_ACTION action;
        WEB_SOCKET_BUFFER_TYPE type;
        PVOID app, ctx;
        HRESULT hr;
        char expected[16];

        if (!pending)
        {
            hr = WebSocketReceive(t->handle, NULL, NULL);
            if (hr != S_OK)
            {
                ok(0, "Receive returned %s\n", dbgstr_hr(hr));
                t->failed = TRUE;
                break;
            }
            pending = TRUE;
        }
        if (t->abort_at && t->received == t->abort_at)
        {
            /* Abort with a Receive pending, then drain as .NET does. */
            WebSocketAbortHandle(t->handle);
            __atomic_store_n(&t->aborted, 1, __ATOMIC_RELEASE);
            hr = WebSocketReceive(t->handle, NULL, NULL);
            choice_ok(CHOICE_ABORT, hr == E_INVALID_PROTOCOL_OPERATION, "Receive after the abort: got %s\n",
                      dbgstr_hr(hr));
            hr = WebSocketGetAction(t->handle, RECEIVE_QUEUE, &buffer, &count, &action, &type, &app, &ctx);
            choice_ok(CHOICE_ABORT, hr == S_OK && action == RECEIVE_COMPLETE && type == CLOSE_TYPE
                      && buffer.CloseStatus.usStatus == WEB_SOCKET_ABORTED_CLOSE_STATUS,
                      "drain: got %s, action %d, type %#x\n", dbgstr_hr(hr), action, type);
            WebSocketCompleteAction(t->handle, ctx, 0);
            count = 1;
            hr = WebSocketGetAction(t->handle, RECEIVE_QUEUE, &buffer, &count, &action, &type, &app, &ctx);
            choice_ok(CHOICE_ABORT, hr == S_OK && action == NO_ACTION, "drain: got %s, action %d\n", dbgstr_hr(hr),
                      action);
            break;
        }
        /* Stale completions from another thread change nothing. */
        WebSocketCompleteAction(t->handle, NULL, 0);
        hr = WebSocketGetAction(t->handle, RECEIVE_QUEUE, &buffer, &count, &action, &type, &app, &ctx);
        if (hr != S_OK)
        {
            ok(0, "GetAction returned %s\n", dbgstr_hr(hr));
            t->failed = TRUE;
            break;
        }
        switch (action)
        {
        case NO_ACTION:
            yield_thread();
            break;
        case RECEIVE_FROM_NETWORK:
            n = buffer.Data.ulBufferLength < 7 ? buffer.Data.ulBufferLength : 7;
            if (n > pipe_left(&t->in))
                n = (ULONG)pipe_left(&t->in);
            memcpy(buffer.Data.pbBuffer, t->in.data + t->in.read, n);
            t->in.read += n;
            WebSocketCompleteAction(t->handle, ctx, n);
            if (!n)
            {
                ok(0, "read past the end\n");
                t->failed = TRUE;
            }
            break;
        case SEND_TO_NETWORK:
            mutex_lock(&t->lock);
            pipe_write(&t->wire, buffer.Data.pbBuffer, buffer.Data.ulBufferLength);
            mutex_unlock(&t->lock);
            t->pongs++;
            WebSocketCompleteAction(t->handle, ctx, buffer.Data.ulBufferLength);
            break;
        case RECEIVE_COMPLETE:
            /* 7-byte reads: messages come in pieces. */
            if ((type != UTF8_MESSAGE && type != UTF8_FRAGMENT)
                || message_len + buffer.Data.ulBufferLength >= sizeof(message))
            {
                ok(0, "message %d: got type %#x, %lu bytes\n", t->received, type,
                   (unsigned long)buffer.Data.ulBufferLength);
                t->failed = TRUE;
            }
            else
            {
                memcpy(message + message_len, buffer.Data.pbBuffer, buffer.Data.ulBufferLength);
                message_len += buffer.Data.ulBufferLength;
            }
            if (type == UTF8_MESSAGE)
            {
                sprintf(expected, "msg%d", t->received);
                if (message_len != strlen(expected) || memcmp(message, expected, message_len))
                {
                    ok(0, "message %d: got %s\n", t->received, dbgstr_bytes(message, message_len));
                    t->failed = TRUE;
                }
                t->received++;
                message_len = 0;
            }
            pending = FALSE;
            WebSocketCompleteAction(t->handle, ctx, 0);
            break;
        default:
            ok(0, "got action %d\n", action);
            t->failed = TRUE;
        }
    }
}

static void test_threads(void)
{
    WEB_SOCKET_PROPERTY props[2];
    ULONG sizes[2] = { 256, 16 };
    struct thread_test t;
    struct frame fr;
    BYTE payload[50];
    char text[16];
    int i, messages, pongs, run;

    props[0].Type = WEB_SOCKET_RECEIVE_BUFFER_SIZE_PROPERTY_TYPE;
    props[0].pvValue = &sizes[0];
    props[0].ulValueSize = 4;
    props[1].Type = WEB_SOCKET_SEND_BUFFER_SIZE_PROPERTY_TYPE;
    props[1].pvValue = &sizes[1];
    props[1].ulValueSize = 4;
    for (run = 0; run < 2; run++)
    {
        winetest_push_context(run ? "abort half-way" : "no abort");
        memset(&t, 0, sizeof(t));
        mutex_init(&t.lock);
        t.abort_at = run ? THREAD_DATA / 2 : 0;
        t.handle = open_client(props, 2);
        for (i = 0; i < THREAD_PINGS || i < THREAD_DATA; i++)
        {
            if (i < THREAD_PINGS)
            {
                sprintf(text, "ping%d", i);
                put_frame(&t.in, FIN | OP_PING, FALSE, text, strlen(text));
            }
            if (i < THREAD_DATA)
            {
                sprintf(text, "msg%d", i);
                put_frame(&t.in, FIN | OP_TEXT, FALSE, text, strlen(text));
            }
        }

        run_two_threads(thread_sender, &t, thread_receiver, &t);

        ok(!t.failed, "a thread failed\n");
        if (!run)
        {
            ok(t.sent == THREAD_MESSAGES, "sent %d messages\n", t.sent);
            ok(t.received == THREAD_DATA, "received %d messages\n", t.received);
            ok(t.pongs == THREAD_PINGS, "sent %d pongs\n", t.pongs);
        }
        else
            ok(t.received == t.abort_at, "received %d messages\n", t.received);
        messages = pongs = 0;
        while (take_frame(&t.wire, &fr))
        {
            BOOL known = fr.opcode == OP_BINARY || fr.opcode == OP_PONG;
            if (fr.opcode == OP_BINARY)
            {
                thread_payload(payload, messages);
                ok(fr.fin && fr.masked && fr.length == 50 && !memcmp(fr.payload, payload, 50),
                   "message %d garbled\n", messages);
                messages++;
            }
            else if (fr.opcode == OP_PONG)
            {
                sprintf(text, "ping%d", pongs);
                ok(fr.fin && fr.masked && fr.length == strlen(text) && !memcmp(fr.payload, text, strlen(text)),
                   "pong %d garbled: %s\n", pongs, dbgstr_bytes(fr.payload, (size_t)fr.length));
                pongs++;
            }
            else
                ok(0, "frame with opcode %#x, %lu bytes: interleaved frames\n", fr.opcode,
                   (unsigned long)fr.length);
            free(fr.payload);
            if (!known)
                break;
        }
        if (!run)
        {
            ok(pipe_left(&t.wire) == 0, "%lu bytes left on the wire\n", (unsigned long)pipe_left(&t.wire));
            ok(messages == THREAD_MESSAGES && pongs == THREAD_PINGS, "got %d messages and %d pongs\n", messages,
               pongs);
        }
        else
        {
            /* At most the start of the message cut by the abort is left. */
            ok(pipe_left(&t.wire) < 56, "%lu bytes left on the wire\n", (unsigned long)pipe_left(&t.wire));
            ok(messages >= t.sent - 1 && messages <= t.sent && pongs == t.pongs,
               "got %d messages (%d sent) and %d pongs (%d sent)\n", messages, t.sent, pongs, t.pongs);
        }

        WebSocketDeleteHandle(t.handle);
        mutex_free(&t.lock);
        pipe_free(&t.wire);
        pipe_free(&t.in);
        winetest_pop_context();
    }
}

/* ---------------------------------------------------------------------------
 * Whole programs' ways of driving the DLL, against a peer handle.
 */

/* .NET's Abort(): abort, drain SEND then RECEIVE with one buffer, dispose once. */
static void dotnet_abort_and_dispose(WEB_SOCKET_HANDLE handle)
{
    WEB_SOCKET_ACTION_QUEUE queues[2] = { SEND_QUEUE, RECEIVE_QUEUE };
    unsigned q;
    int n;

    WebSocketAbortHandle(handle);
    for (q = 0; q < 2; q++)
    {
        for (n = 0; n < 10; n++)
        {
            WEB_SOCKET_BUFFER buffer;
            ULONG count = 1;
            WEB_SOCKET_ACTION action;
            WEB_SOCKET_BUFFER_TYPE type;
            PVOID app, ctx;
            HRESULT hr = WebSocketGetAction(handle, queues[q], &buffer, &count, &action, &type, &app, &ctx);
            ok(hr == S_OK, "drain: got %s\n", dbgstr_hr(hr));
            if (FAILED(hr) || action == NO_ACTION)
                break;
            ok(action != SEND_TO_NETWORK && action != RECEIVE_FROM_NETWORK, "drain: got action %d\n", action);
            WebSocketCompleteAction(handle, ctx, 0);
        }
        ok(n < 10, "the drain does not end\n");
    }
    WebSocketDeleteHandle(handle);
}

/* Checks 45 and 46 as far as the DLL is concerned: .NET's HttpListener server
 * handle and .NET Framework's ClientWebSocket handle, with their properties,
 * fake and real handshakes, buffer counts, pointer checks, keep-alive, closes
 * and abort/dispose. */
static void test_dotnet(void)
{
    WEB_SOCKET_HTTP_HEADER request[5], *headers = NULL, initial[2], response[3];
    const WEB_SOCKET_HTTP_HEADER *version;
    struct arena server_arena, client_arena;
    struct endpoint client, server;
    ULONG count = 0, keepalive, size;
    char accept[64];
    unsigned variant;
    HRESULT hr;

    /* GetSupportedVersion: Begin on a throwaway client handle, read the version, delete. */
    hr = WebSocketCreateClientHandle(NULL, 0, &client.handle);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    initial[0] = make_header("Connection", "Upgrade");
    initial[1] = make_header("Upgrade", "websocket");
    hr = WebSocketBeginClientHandshake(client.handle, NULL, 0, NULL, 0, initial, 2, &headers, &count);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    version = find_header(headers, count, "sec-websocket-version");
    ok(header_value_is(version, "13"), "no version 13\n");
    WebSocketDeleteHandle(client.handle);

    /* .NET Framework's keep-alive default. */
    keepalive = 0;
    size = sizeof(keepalive);
    hr = WebSocketGetGlobalProperty(WEB_SOCKET_KEEPALIVE_INTERVAL_PROPERTY_TYPE, &keepalive, &size);
    ok(hr == S_OK && keepalive >= 15000, "got %s, %lu\n", dbgstr_hr(hr), (unsigned long)keepalive);

    for (variant = 0; variant < 2; variant++)
    {
        winetest_push_context(variant ? "zero masking key, server closes" : "client closes");
        /* HttpListener: RBS 16384 (an odd size here), SBS 16, RBS + SBS + 144 bytes. */
        arena_init(&server_arena, 16383, 16, 3, FALSE, FALSE);
        hr = WebSocketCreateServerHandle(server_arena.props, server_arena.count, &server.handle);
        ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
        if (hr != S_OK)
        {
            arena_free(&server_arena);
            winetest_pop_context();
            continue;
        }
        dotnet_request(request);
        hr = WebSocketBeginServerHandshake(server.handle, NULL, NULL, 0, request, 5, &headers, &count);
        ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
        check_header_strings(headers, count);
        hr = WebSocketEndServerHandshake(server.handle);
        ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));

        /* ClientWebSocket: RBS/SBS of the caller, the buffer, maybe DISABLE_MASKING. */
        arena_init(&client_arena, 16384, 4000, 1, variant, FALSE);
        hr = WebSocketCreateClientHandle(client_arena.props, client_arena.count, &client.handle);
        ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
        if (hr != S_OK)
        {
            WebSocketDeleteHandle(server.handle);
            arena_free(&server_arena);
            arena_free(&client_arena);
            winetest_pop_context();
            continue;
        }
        hr = WebSocketBeginClientHandshake(client.handle, NULL, 0, NULL, 0, initial, 2, &headers, &count);
        ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
        ok(find_header(headers, count, "Sec-WebSocket-Key") != NULL, "no key\n");
        accept_for_(__LINE__, headers, count, accept);
        response[0] = make_header("Connection", "Upgrade");
        response[1] = make_header("Upgrade", "websocket");
        response[2] = make_header("Sec-WebSocket-Accept", accept);
        hr = WebSocketEndClientHandshake(client.handle, response, 3, NULL, NULL, NULL);
        ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));

        {
            WEB_SOCKET_HANDLE c = client.handle, s = server.handle;
            endpoint_init(&client, c, "client");
            endpoint_init(&server, s, "server");
        }
        client.peer = &server;
        server.peer = &client;
        client.receive_capacity = server.receive_capacity = 1;
        client.arena = client_arena.buffer;
        client.arena_size = client_arena.size;
        server.arena = server_arena.buffer;
        server.arena_size = server_arena.size;
        client.read_chunk = variant ? 1000 : 0;

        exchange(&client, &server, TRUE, 1000, 1);
        exchange(&server, &client, TRUE, 1000, 1);
        exchange(&client, &server, FALSE, 0, 1);
        exchange(&server, &client, FALSE, 40000, 2);   /* endOfMessage: false, then true */
        exchange(&client, &server, TRUE, 40000, 2);
        exchange(&server, &client, TRUE, 1, 1);

        /* The server's keep-alive is an unsolicited pong: a PING_PONG for the client. */
        {
            int pongs = client.pongs;
            hr = WebSocketSend(server.handle, UNSOLICITED_PONG, NULL, NULL);
            ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
            ensure_receive(&client);
            pump(&server, &client);
            ok(client.pongs == pongs + 1, "got %d pongs\n", client.pongs - pongs);
        }

        if (!variant)
        {
            close_from(&client, &server, WEB_SOCKET_ENDPOINT_UNAVAILABLE_CLOSE_STATUS, "");
            close_from(&server, &client, WEB_SOCKET_ENDPOINT_UNAVAILABLE_CLOSE_STATUS, NULL);
        }
        else
        {
            close_from(&server, &client, WEB_SOCKET_UNSUPPORTED_EXTENSIONS_CLOSE_STATUS, "StatusDescription");
            close_from(&client, &server, WEB_SOCKET_UNSUPPORTED_EXTENSIONS_CLOSE_STATUS, "StatusDescription");
        }

        /* Abort and dispose; repeated Abort afterwards is harmless. */
        dotnet_abort_and_dispose(client.handle);
        dotnet_abort_and_dispose(server.handle);
        WebSocketAbortHandle(client.handle);
        WebSocketAbortHandle(server.handle);
        client.handle = server.handle = NULL;
        endpoint_free(&client);
        endpoint_free(&server);
        arena_free(&server_arena);
        arena_free(&client_arena);
        winetest_pop_context();
    }
}

/* mORMot 2's THttpApiWebSocketConnection.ProcessActions, two buffers. */
struct mormot
{
    WEB_SOCKET_HANDLE handle;
    struct byte_pipe *to_browser, *from_browser;
    BOOL reading;
    BYTE *read_buffer;
    ULONG read_length;
    PVOID read_ctx;
    int messages, closes;
    char last[64];
    USHORT close_status;
};

static void mormot_process(struct mormot *m, WEB_SOCKET_ACTION_QUEUE queue)
{
    int guard;
    for (guard = 0; guard < 100; guard++)
    {
        WEB_SOCKET_BUFFER buffers[2];
        ULONG count = 2, i;
        WEB_SOCKET_ACTION action;
        WEB_SOCKET_BUFFER_TYPE type;
        PVOID app, ctx;
        HRESULT hr = WebSocketGetAction(m->handle, queue, buffers, &count, &action, &type, &app, &ctx);
        ok(hr == S_OK, "mORMot: GetAction returned %s\n", dbgstr_hr(hr));
        if (hr != S_OK)
            return;
        switch (action)
        {
        case SEND_TO_NETWORK:
            for (i = 0; i < count; i++)
                pipe_write(m->to_browser, buffers[i].Data.pbBuffer, buffers[i].Data.ulBufferLength);
            WebSocketCompleteAction(m->handle, ctx, 0);
            return;
        case SEND_COMPLETE:
            WebSocketCompleteAction(m->handle, ctx, 0);
            break;
        case RECEIVE_FROM_NETWORK:
            m->reading = TRUE;
            m->read_buffer = buffers[0].Data.pbBuffer;
            m->read_length = buffers[0].Data.ulBufferLength;
            m->read_ctx = ctx;
            return;
        case RECEIVE_COMPLETE:
            if (type == CLOSE_TYPE)
            {
                m->closes++;
                m->close_status = buffers[0].CloseStatus.usStatus;
                WebSocketCompleteAction(m->handle, ctx, 0);
                return;
            }
            if (type != PING_PONG && buffers[0].Data.ulBufferLength < sizeof(m->last))
            {
                memcpy(m->last, buffers[0].Data.pbBuffer, buffers[0].Data.ulBufferLength);
                m->last[buffers[0].Data.ulBufferLength] = 0;
                m->messages++;
            }
            WebSocketCompleteAction(m->handle, ctx, 0);
            hr = WebSocketReceive(m->handle, NULL, NULL);
            ok(hr == S_OK, "mORMot: Receive returned %s\n", dbgstr_hr(hr));
            break;
        case NO_ACTION:
            WebSocketCompleteAction(m->handle, ctx, 0);
            return;
        default:
            ok(0, "mORMot: got action %d\n", action);
            return;
        }
    }
    ok(0, "mORMot: ProcessActions does not end\n");
}

/* The read's I/O completion: CompleteAction with the bytes, then ProcessActions. */
static void mormot_read_done(struct mormot *m)
{
    ULONG n;
    if (!m->reading || !pipe_left(m->from_browser))
        return;
    n = m->read_length < pipe_left(m->from_browser) ? m->read_length : (ULONG)pipe_left(m->from_browser);
    memcpy(m->read_buffer, m->from_browser->data + m->from_browser->read, n);
    m->from_browser->read += n;
    m->reading = FALSE;
    WebSocketCompleteAction(m->handle, m->read_ctx, n);
    mormot_process(m, RECEIVE_QUEUE);
}

static void mormot_send(struct mormot *m, WEB_SOCKET_BUFFER_TYPE type, WEB_SOCKET_BUFFER *buffer)
{
    HRESULT hr = WebSocketSend(m->handle, type, buffer, NULL);
    ok(hr == S_OK, "mORMot: Send returned %s\n", dbgstr_hr(hr));
    mormot_process(m, SEND_QUEUE);
}

/* Marlin's SYSWebSocket: sends copy buffer[0] as the header, complete with
 * its length, and append the payload themselves. */
static void marlin_send(WEB_SOCKET_HANDLE handle, WEB_SOCKET_BUFFER_TYPE type, WEB_SOCKET_BUFFER *buffer,
                        const void *payload, ULONG len, struct byte_pipe *wire)
{
    ULONG extra = 0;
    int guard;
    HRESULT hr = WebSocketSend(handle, type, buffer, NULL);
    ok(hr == S_OK, "Marlin: Send returned %s\n", dbgstr_hr(hr));
    for (guard = 0; guard < 20; guard++)
    {
        WEB_SOCKET_BUFFER buffers[2];
        ULONG count = 2;
        WEB_SOCKET_ACTION action;
        WEB_SOCKET_BUFFER_TYPE buffer_type;
        PVOID app, ctx;
        hr = WebSocketGetAction(handle, SEND_QUEUE, buffers, &count, &action, &buffer_type, &app, &ctx);
        ok(hr == S_OK, "Marlin: GetAction returned %s\n", dbgstr_hr(hr));
        if (action == SEND_TO_NETWORK)
        {
            pipe_write(wire, buffers[0].Data.pbBuffer, buffers[0].Data.ulBufferLength);
            extra = buffers[0].Data.ulBufferLength;
        }
        WebSocketCompleteAction(handle, ctx, extra);
        if (action == NO_ACTION)
            break;
    }
    pipe_write(wire, payload, len);
}

/* Marlin's ping: loop while the buffer type is not 0; fails on a count of 0. */
static BOOL marlin_ping(WEB_SOCKET_HANDLE handle, struct byte_pipe *wire)
{
    WEB_SOCKET_BUFFER_TYPE buffer_type;
    BYTE copy[10];
    int guard = 0;
    HRESULT hr = WebSocketSend(handle, PING_PONG, NULL, NULL);
    ok(hr == S_OK, "Marlin: ping returned %s\n", dbgstr_hr(hr));
    do
    {
        WEB_SOCKET_BUFFER buffers[2];
        ULONG count = 2;
        WEB_SOCKET_ACTION action;
        PVOID app, ctx;
        hr = WebSocketGetAction(handle, SEND_QUEUE, buffers, &count, &action, &buffer_type, &app, &ctx);
        if (FAILED(hr) || !count)
            return FALSE;
        if (action == SEND_TO_NETWORK || action == SEND_COMPLETE)
        {
            ULONG n = buffers[0].Data.ulBufferLength < 10 ? buffers[0].Data.ulBufferLength : 10;
            if (n)
                memcpy(copy, buffers[0].Data.pbBuffer, n);
            if (action == SEND_TO_NETWORK)
                pipe_write(wire, copy, n);
        }
        WebSocketCompleteAction(handle, ctx, 0);
    } while (buffer_type != no_type && ++guard < 20);
    return guard < 20;
}

/* Marlin's receive: one read, then indications until NO_ACTION; a second
 * read would make it copy the same socket data again. */
static void marlin_receive(WEB_SOCKET_HANDLE handle, struct byte_pipe *socket, WEB_SOCKET_BUFFER_TYPE *type_out,
                           char *text, size_t text_size)
{
    int guard, reads = 0;
    HRESULT hr = WebSocketReceive(handle, NULL, NULL);
    ok(hr == S_OK, "Marlin: Receive returned %s\n", dbgstr_hr(hr));
    *type_out = no_type;
    for (guard = 0; guard < 20; guard++)
    {
        WEB_SOCKET_BUFFER buffers[2];
        ULONG count = 2;
        WEB_SOCKET_ACTION action;
        WEB_SOCKET_BUFFER_TYPE type;
        PVOID app, ctx;
        hr = WebSocketGetAction(handle, RECEIVE_QUEUE, buffers, &count, &action, &type, &app, &ctx);
        ok(hr == S_OK, "Marlin: GetAction returned %s\n", dbgstr_hr(hr));
        if (action == RECEIVE_FROM_NETWORK)
        {
            ULONG n = buffers[0].Data.ulBufferLength;
            ok(!reads, "Marlin: a second read\n");
            if (n > pipe_left(socket))
                n = (ULONG)pipe_left(socket);
            memcpy(buffers[0].Data.pbBuffer, socket->data + socket->read, n);
            socket->read += n;
            reads++;
            WebSocketCompleteAction(handle, ctx, n);
            continue;
        }
        if (action == RECEIVE_COMPLETE)
        {
            *type_out = type;
            if (type != CLOSE_TYPE && buffers[0].Data.ulBufferLength < text_size)
            {
                memcpy(text, buffers[0].Data.pbBuffer, buffers[0].Data.ulBufferLength);
                text[buffers[0].Data.ulBufferLength] = 0;
            }
        }
        WebSocketCompleteAction(handle, ctx, 0);
        if (action == NO_ACTION)
            return;
    }
    ok(0, "Marlin: the receive loop does not end\n");
}

/* Check 47 as far as the DLL is concerned: mORMot's and Marlin's servers
 * against a browser-like client handle: messages both ways, no stall after
 * the first message (checks 34, 35), closes both ways. */
static void test_server_programs(void)
{
    static const char *const mormot_request[] = {
        "Connection", "Upgrade", "Host", "localhost", "User-Agent", "Mozilla/5.0", "Upgrade", "websocket",
        "Origin", "http://localhost", "Sec-WebSocket-Version", "13", "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits", "Sec-WebSocket-Protocol", "chat",
        "Cookie", "a=b", NULL,
    };
    WEB_SOCKET_HTTP_HEADER request[16], *response;
    ULONG count, response_count, marlin_sizes[2] = { 5120, 5120 };
    BOOL marlin_masking = FALSE, marlin_utf8 = TRUE;
    WEB_SOCKET_PROPERTY marlin_props[4];
    WEB_SOCKET_BUFFER buffer;
    WEB_SOCKET_BUFFER_TYPE type;
    struct endpoint browser, server_side;
    struct mormot m;
    char text[64];
    int i, messages;
    HRESULT hr;

    /* mORMot 2. */
    memset(&m, 0, sizeof(m));
    hr = WebSocketCreateServerHandle(NULL, 0, &m.handle);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    for (count = 0; mormot_request[2 * count]; count++)
        request[count] = make_header(mormot_request[2 * count], mormot_request[2 * count + 1]);
    hr = WebSocketBeginServerHandshake(m.handle, "chat", NULL, 0, request, count, &response, &response_count);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    hr = WebSocketEndServerHandshake(m.handle);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));

    endpoint_init(&browser, open_client(NULL, 0), "browser");
    endpoint_init(&server_side, NULL, "mORMot");
    browser.peer = &server_side;
    server_side.peer = &browser;
    m.to_browser = &browser.inbox;
    m.from_browser = &server_side.inbox;

    hr = WebSocketReceive(m.handle, NULL, NULL);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    mormot_process(&m, RECEIVE_QUEUE);
    ok(m.reading, "no read outstanding\n");

    /* Several messages in a row: each goes out whole in its first SEND_TO_NETWORK. */
    for (i = 0; i < 5; i++)
    {
        sprintf(text, "server message %d", i);
        buffer.Data.pbBuffer = (BYTE *)text;
        buffer.Data.ulBufferLength = (ULONG)strlen(text);
        messages = browser.messages;
        mormot_send(&m, UTF8_MESSAGE, &buffer);
        ensure_receive(&browser);
        pump_queue(&browser, RECEIVE_QUEUE, NULL);
        ok(browser.messages == messages + 1, "message %d: the browser got %d messages\n", i,
           browser.messages - messages);
        ok(browser.message_size == strlen(text) && !memcmp(browser.message, text, strlen(text)),
           "message %d: got %s\n", i, dbgstr_bytes(browser.message, browser.message_size));
        free(browser.message);
        browser.message = NULL;
        browser.message_size = 0;
        browser.message_capacity = 0;
    }

    /* Browser to server. */
    hr = send_data(browser.handle, UTF8_MESSAGE, "from the browser", 16, NULL);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    pump_queue(&browser, SEND_QUEUE, NULL);
    mormot_read_done(&m);
    ok(m.messages == 1 && !strcmp(m.last, "from the browser"), "mORMot got %d: %s\n", m.messages, m.last);

    /* A browser ping: mORMot's receive loop sends the pong. */
    hr = WebSocketSend(browser.handle, PING_PONG, NULL, NULL);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    pump_queue(&browser, SEND_QUEUE, NULL);
    mormot_read_done(&m);
    mormot_process(&m, RECEIVE_QUEUE);
    messages = browser.pongs;
    ensure_receive(&browser);
    pump_queue(&browser, RECEIVE_QUEUE, NULL);
    ok(browser.pongs == messages + 1, "the browser got %d pongs\n", browser.pongs - messages);

    /* The browser closes; mORMot answers with a close of its own. */
    hr = send_close(browser.handle, 1000, NULL, NULL);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    pump_queue(&browser, SEND_QUEUE, NULL);
    mormot_read_done(&m);
    ok(m.closes == 1 && m.close_status == 1000, "mORMot got %d closes, status %u\n", m.closes, m.close_status);
    buffer.CloseStatus.pbReason = (BYTE *)"bye";
    buffer.CloseStatus.ulReasonLength = 3;
    buffer.CloseStatus.usStatus = 1000;
    mormot_send(&m, CLOSE_TYPE, &buffer);
    ensure_receive(&browser);
    pump_queue(&browser, RECEIVE_QUEUE, NULL);
    ok(browser.closes == 1 && browser.close_status == 1000 && !strcmp(browser.close_reason, "bye"),
       "the browser got %d closes, status %u, %s\n", browser.closes, browser.close_status, browser.close_reason);

    /* Disconnect: abort, delete at once; a second disconnect has a NULL handle. */
    WebSocketAbortHandle(m.handle);
    WebSocketDeleteHandle(m.handle);
    WebSocketAbortHandle(NULL);
    WebSocketDeleteHandle(NULL);
    endpoint_free(&browser);
    server_side.handle = NULL;
    endpoint_free(&server_side);

    /* Marlin. */
    marlin_props[0].Type = WEB_SOCKET_RECEIVE_BUFFER_SIZE_PROPERTY_TYPE;
    marlin_props[0].pvValue = &marlin_sizes[0];
    marlin_props[0].ulValueSize = 4;
    marlin_props[1].Type = WEB_SOCKET_SEND_BUFFER_SIZE_PROPERTY_TYPE;
    marlin_props[1].pvValue = &marlin_sizes[1];
    marlin_props[1].ulValueSize = 4;
    marlin_props[2].Type = WEB_SOCKET_DISABLE_MASKING_PROPERTY_TYPE;
    marlin_props[2].pvValue = &marlin_masking;
    marlin_props[2].ulValueSize = 4;
    marlin_props[3].Type = WEB_SOCKET_DISABLE_UTF8_VERIFICATION_PROPERTY_TYPE;
    marlin_props[3].pvValue = &marlin_utf8;
    marlin_props[3].ulValueSize = 4;
    hr = WebSocketCreateServerHandle(marlin_props, 4, &m.handle);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    request[0] = make_header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
    request[1] = make_header("Connection", "keep-alive, Upgrade");
    request[2] = make_header("Upgrade", "websocket");
    request[3] = make_header("Sec-WebSocket-Version", "13");
    request[4] = make_header("Host", "localhost");
    hr = WebSocketBeginServerHandshake(m.handle, NULL, NULL, 0, request, 5, &response, &response_count);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    /* Marlin looks the accept value up by its exact name. */
    for (count = 0; count < response_count; count++)
        if (!strcmp(response[count].pcName, "Sec-WebSocket-Accept"))
            break;
    ok(count < response_count && !strcmp(response[count].pcValue, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="),
       "no Sec-WebSocket-Accept\n");
    hr = WebSocketEndServerHandshake(m.handle);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));

    endpoint_init(&browser, open_client(NULL, 0), "browser");
    endpoint_init(&server_side, NULL, "Marlin");
    browser.peer = &server_side;
    server_side.peer = &browser;

    for (i = 0; i < 3; i++)
    {
        sprintf(text, "marlin message %d", i);
        buffer.Data.pbBuffer = (BYTE *)text;
        buffer.Data.ulBufferLength = (ULONG)strlen(text);
        messages = browser.messages;
        marlin_send(m.handle, UTF8_MESSAGE, &buffer, text, (ULONG)strlen(text), &browser.inbox);
        ensure_receive(&browser);
        pump_queue(&browser, RECEIVE_QUEUE, NULL);
        ok(browser.messages == messages + 1, "message %d: the browser got %d messages\n", i,
           browser.messages - messages);
        ok(browser.message_size == strlen(text) && !memcmp(browser.message, text, strlen(text)),
           "message %d: got %s\n", i, dbgstr_bytes(browser.message, browser.message_size));
        free(browser.message);
        browser.message = NULL;
        browser.message_size = 0;
        browser.message_capacity = 0;
    }

    /* Marlin's keep-alive ping and the browser's pong. */
    ok(marlin_ping(m.handle, &browser.inbox), "Marlin's ping loop failed\n");
    ensure_receive(&browser);
    pump_queue(&browser, RECEIVE_QUEUE, NULL);   /* the browser answers into Marlin's socket */
    marlin_receive(m.handle, &server_side.inbox, &type, text, sizeof(text));
    ok(type == PING_PONG, "Marlin got type %#x\n", type);

    /* A browser message, one read, one indication. */
    hr = send_data(browser.handle, UTF8_MESSAGE, "hi marlin", 9, NULL);
    ok(hr == S_OK, "got %s\n", dbgstr_hr(hr));
    pump_queue(&browser, SEND_QUEUE, NULL);
    marlin_receive(m.handle, &server_side.inbox, &type, text, sizeof(text));
    ok(type == UTF8_MESSAGE && !strcmp(text, "hi marlin"), "Marlin got type %#x, %s\n", type, text);

    /* Marlin's close: header + status in buffer[0], the reason appended by Marlin. */
    buffer.CloseStatus.pbReason = (BYTE *)"done";
    buffer.CloseStatus.ulReasonLength = 4;
    buffer.CloseStatus.usStatus = 1001;
    marlin_send(m.handle, CLOSE_TYPE, &buffer, "done", 4, &browser.inbox);
    ensure_receive(&browser);
    pump_queue(&browser, RECEIVE_QUEUE, NULL);
    ok(browser.closes == 1 && browser.close_status == 1001 && !strcmp(browser.close_reason, "done"),
       "the browser got %d closes, status %u, %s\n", browser.closes, browser.close_status, browser.close_reason);

    WebSocketDeleteHandle(m.handle);
    endpoint_free(&browser);
    server_side.handle = NULL;
    endpoint_free(&server_side);
}

static void test_end_to_end(void)
{
    ULONG small_receive = 256, small_send = 16, small_client_send = 256, big = 65536;
    BYTE *arena, *block;
    size_t arena_size, guard = 64, i;
    void *arena_slot;
    WEB_SOCKET_PROPERTY small_server[2] = {
        { WEB_SOCKET_RECEIVE_BUFFER_SIZE_PROPERTY_TYPE, &small_receive, sizeof(ULONG) },
        { WEB_SOCKET_SEND_BUFFER_SIZE_PROPERTY_TYPE, &small_send, sizeof(ULONG) },
    };
    WEB_SOCKET_PROPERTY small_client[2] = {
        { WEB_SOCKET_RECEIVE_BUFFER_SIZE_PROPERTY_TYPE, &small_receive, sizeof(ULONG) },
        { WEB_SOCKET_SEND_BUFFER_SIZE_PROPERTY_TYPE, &small_client_send, sizeof(ULONG) },
    };
    WEB_SOCKET_PROPERTY big_props[2] = {
        { WEB_SOCKET_RECEIVE_BUFFER_SIZE_PROPERTY_TYPE, &big, sizeof(ULONG) },
        { WEB_SOCKET_SEND_BUFFER_SIZE_PROPERTY_TYPE, &big, sizeof(ULONG) },
    };
    WEB_SOCKET_PROPERTY allocated[3];

    run_session("default buffers", NULL, 0, NULL, 0, NULL, 0, 0, TRUE);
    run_session("small buffers", small_client, 2, small_server, 2, NULL, 0, 0, FALSE);
    run_session("64 KiB buffers, 7-byte reads", big_props, 2, big_props, 2, NULL, 0, 7, TRUE);

    /* .NET's way: RBS + SBS + 144 bytes, passed through a pointer slot, unaligned. */
    arena_size = small_receive + small_client_send + 144;
    block = malloc(arena_size + 2 * guard + 1);
    memset(block, 0xa5, arena_size + 2 * guard + 1);
    arena = block + guard + 1;
    arena_slot = arena;
    allocated[0] = small_client[0];
    allocated[1] = small_client[1];
    allocated[2].Type = WEB_SOCKET_ALLOCATED_BUFFER_PROPERTY_TYPE;
    allocated[2].pvValue = &arena_slot;
    allocated[2].ulValueSize = (ULONG)arena_size;
    run_session("allocated buffer", allocated, 3, small_server, 2, arena, arena_size, 0, TRUE);
    for (i = 0; i < guard + 1; i++)
        if (block[i] != 0xa5)
            break;
    ok(i == guard + 1, "the DLL wrote before the allocated buffer (byte %lu)\n", (unsigned long)i);
    for (i = 0; i < guard; i++)
        if (arena[arena_size + i] != 0xa5)
            break;
    ok(i == guard, "the DLL wrote after the allocated buffer (byte %lu)\n", (unsigned long)i);
    free(block);
}

/* Says which websocket.dll this run tests: on Windows the system's, unless
 * one lies beside the program; under Wine the one beside it or installed. */
static void trace_tested_dll(void)
{
#ifdef _WIN32
    char path[MAX_PATH] = "";
    HMODULE module = GetModuleHandleA("websocket.dll");
    if (module)
        GetModuleFileNameA(module, path, sizeof(path));
    trace("testing %s on %s\n", path, broken(1) ? "Windows" : "Wine");
#endif
}

START_TEST(websocket)
{
    trace_tested_dll();
    test_constants();
    test_exports();
    test_complete_action_return();
    test_global_properties();
#ifdef _WIN32
    test_keepalive_registry();
#endif
    test_create_handles();
    test_handle_errors();
    test_properties();
    test_allocated_buffer();
    test_wrong_role_and_state();
    test_client_handshake();
    test_server_handshake();
    test_handshake_header_lifetime();
    test_sample_c();
    test_get_action_arguments();
    test_no_action();
    test_action_contexts();
    test_queue_blocking();
    test_complete_bytes();
    test_receive_basic();
    test_receive_close();
    test_receive_ping_pong();
    test_receive_utf8();
    test_receive_errors();
    test_receive_user_buffer();
    test_send_arguments();
    test_send_queueing();
    test_server_send_frames();
    test_client_send_frames();
    test_send_complete();
    test_send_fragments();
    test_abort();
    test_threads();
    test_dotnet();
    test_server_programs();
    test_end_to_end();
    choice_summary();
}
