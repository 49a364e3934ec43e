/*
 * API test: the hostile-input catalogue
 *
 * Copyright 2026 The websocket.dll authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every exported function with NULL for each pointer, NULL, garbage, deleted
 * and other-role handles, enums and counts out of range, buffers of length 0
 * and 0xFFFFFFFF, a close reason of 124 bytes, header arrays with NULL names
 * and huge lengths, CompleteAction with foreign and stale contexts.  Each row
 * states the result; output buffers are fenced with guard bytes that must
 * come back untouched.  Run under ASan+UBSan and valgrind by tools/check.sh.
 *
 *   api_hostile_catalogue             run; exit status 1 on any mismatch
 *   api_hostile_catalogue --markdown  print the table (README, "Hostile input")
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <windows.h>
#include "websocket.h"
#include "client_request.h"

#define MAX_ROWS 400

struct row
{
    const char *function;
    const char *input;
    const char *result;
};

static struct row rows[MAX_ROWS];
static int row_count, failures;

static const char *hr_name(HRESULT hr)
{
    static char other[32];
    switch (hr)
    {
    case S_OK: return "S_OK";
    case E_INVALIDARG: return "E_INVALIDARG";
    case E_HANDLE: return "E_HANDLE";
    case E_OUTOFMEMORY: return "E_OUTOFMEMORY";
    case E_INVALID_PROTOCOL_OPERATION: return "E_INVALID_PROTOCOL_OPERATION";
    case E_INVALID_PROTOCOL_FORMAT: return "E_INVALID_PROTOCOL_FORMAT";
    case E_PROTOCOL_EXTENSIONS_NOT_SUPPORTED: return "E_PROTOCOL_EXTENSIONS_NOT_SUPPORTED";
    case E_SUBPROTOCOL_NOT_SUPPORTED: return "E_SUBPROTOCOL_NOT_SUPPORTED";
    case E_PROTOCOL_VERSION_NOT_SUPPORTED: return "E_PROTOCOL_VERSION_NOT_SUPPORTED";
    }
    if (hr == HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER))
        return "HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER)";
    if (hr == HRESULT_FROM_WIN32(ERROR_NOT_ENOUGH_MEMORY))
        return "HRESULT_FROM_WIN32(ERROR_NOT_ENOUGH_MEMORY)";
    snprintf(other, sizeof(other), "0x%08x", (unsigned)hr);
    return other;
}

static void add_row(const char *function, const char *input, const char *result)
{
    if (row_count < MAX_ROWS)
    {
        rows[row_count].function = function;
        rows[row_count].input = input;
        rows[row_count].result = result;
        row_count++;
    }
}

static void check_hr(const char *function, const char *input, HRESULT expected, HRESULT actual, int line)
{
    add_row(function, input, hr_name(expected));
    if (actual != expected)
    {
        fprintf(stderr, "line %d: %s, %s: got %s", line, function, input, hr_name(actual));
        fprintf(stderr, ", expected %s\n", hr_name(expected));
        failures++;
    }
}

static void check(int condition, const char *what, int line)
{
    if (!condition)
    {
        fprintf(stderr, "line %d: %s\n", line, what);
        failures++;
    }
}

#define HR(function, input, expected, call) check_hr(function, input, expected, (call), __LINE__)
#define CHECK(condition) check((condition), #condition, __LINE__)
/* A VOID function: it must return (and the checks after it must hold). */
#define QUIET(function, input, call) do { call; add_row(function, input, "returns, does nothing"); } while (0)

/* ---- guard bytes around what the DLL may write ---- */

#define GUARD 0xA5

static int guarded(const void *p, size_t n)
{
    const unsigned char *b = p;
    size_t i;
    for (i = 0; i < n; i++)
        if (b[i] != GUARD)
            return 0;
    return 1;
}

/* ---- handles ---- */

static char host_name[] = "Host", host_value[] = "localhost";

static WEB_SOCKET_HANDLE new_handle(int server)
{
    WEB_SOCKET_HANDLE h = NULL;
    HRESULT hr = server ? WebSocketCreateServerHandle(NULL, 0, &h) : WebSocketCreateClientHandle(NULL, 0, &h);
    if (hr != S_OK)
    {
        fprintf(stderr, "cannot create a handle: %s\n", hr_name(hr));
        exit(2);
    }
    return h;
}

static WEB_SOCKET_HANDLE deleted_handle(void)
{
    WEB_SOCKET_HANDLE h = new_handle(0);
    WebSocketDeleteHandle(h);
    return h;
}

#define GARBAGE ((WEB_SOCKET_HANDLE)(uintptr_t)0x12345678)

static void open_pair(WEB_SOCKET_HANDLE *client, WEB_SOCKET_HANDLE *server)
{
    WEB_SOCKET_HTTP_HEADER request[16], *response;
    ULONG request_count, response_count;
    *client = new_handle(0);
    *server = new_handle(1);
    request_count = client_request(*client, request, 16);
    if (!request_count || WebSocketBeginServerHandshake(*server, NULL, NULL, 0, request, request_count, &response,
                                      &response_count) != S_OK
            || WebSocketEndClientHandshake(*client, response, response_count, NULL, NULL, NULL) != S_OK
            || WebSocketEndServerHandshake(*server) != S_OK)
    {
        fprintf(stderr, "handshake failed\n");
        exit(2);
    }
}

/* One action of a queue, with the buffer array fenced. */
struct fetched
{
    WEB_SOCKET_BUFFER buffers[3]; /* [2] is the fence */
    ULONG count;
    WEB_SOCKET_ACTION action;
    WEB_SOCKET_BUFFER_TYPE type;
    PVOID app, context;
    HRESULT hr;
};

static void fetch(WEB_SOCKET_HANDLE h, WEB_SOCKET_ACTION_QUEUE queue, struct fetched *f)
{
    memset(f, GUARD, sizeof(*f));
    f->count = 2;
    f->hr = WebSocketGetAction(h, queue, f->buffers, &f->count, &f->action, &f->type, &f->app, &f->context);
    CHECK(guarded(&f->buffers[2], sizeof(f->buffers[2])));
}

/* ---- the functions ---- */

static void create_rows(int server)
{
    const char *fn = server ? "WebSocketCreateServerHandle" : "WebSocketCreateClientHandle";
    HRESULT (WINAPI *create)(const PWEB_SOCKET_PROPERTY, ULONG, WEB_SOCKET_HANDLE *) =
            server ? WebSocketCreateServerHandle : WebSocketCreateClientHandle;
    WEB_SOCKET_PROPERTY p;
    WEB_SOCKET_HANDLE h;
    ULONG value, type;
    static unsigned char arena[66000 + 66000 + 144 + 8];
    void *arena_ptr = arena + 1;  /* misaligned on purpose */

    h = GARBAGE;
    HR(fn, "phWebSocket NULL", E_INVALIDARG, create(NULL, 0, NULL));
    HR(fn, "pProperties NULL, count 1", E_INVALIDARG, create(NULL, 1, &h));
    HR(fn, "pProperties NULL, count 0xFFFFFFFF", E_INVALIDARG, create(NULL, 0xffffffff, &h));
    CHECK(h == GARBAGE);  /* nothing written on failure */

    value = 4096;
    p.Type = WEB_SOCKET_RECEIVE_BUFFER_SIZE_PROPERTY_TYPE;
    p.pvValue = NULL;
    p.ulValueSize = sizeof(value);
    HR(fn, "property pvValue NULL", E_INVALIDARG, create(&p, 1, &h));
    p.pvValue = &value;
    p.ulValueSize = 0;
    HR(fn, "RECEIVE_BUFFER_SIZE with ulValueSize 0", E_INVALIDARG, create(&p, 1, &h));
    p.ulValueSize = 0xffffffff;
    HR(fn, "RECEIVE_BUFFER_SIZE with ulValueSize 0xFFFFFFFF", E_INVALIDARG, create(&p, 1, &h));
    p.ulValueSize = sizeof(value);
    value = 0;
    HR(fn, "RECEIVE_BUFFER_SIZE 0", E_INVALIDARG, create(&p, 1, &h));
    value = 255;
    HR(fn, "RECEIVE_BUFFER_SIZE 255", E_INVALIDARG, create(&p, 1, &h));
    value = 65537;
    HR(fn, "RECEIVE_BUFFER_SIZE 65537", E_INVALIDARG, create(&p, 1, &h));
    value = 0xffffffff;
    HR(fn, "RECEIVE_BUFFER_SIZE 0xFFFFFFFF", E_INVALIDARG, create(&p, 1, &h));
    p.Type = WEB_SOCKET_SEND_BUFFER_SIZE_PROPERTY_TYPE;
    value = 0;
    HR(fn, "SEND_BUFFER_SIZE 0", E_INVALIDARG, create(&p, 1, &h));
    value = 15;
    HR(fn, "SEND_BUFFER_SIZE 15", E_INVALIDARG, create(&p, 1, &h));
    value = 0xffffffff;
    HR(fn, "SEND_BUFFER_SIZE 0xFFFFFFFF", E_INVALIDARG, create(&p, 1, &h));
    p.Type = WEB_SOCKET_DISABLE_MASKING_PROPERTY_TYPE;
    p.ulValueSize = 1;
    HR(fn, "DISABLE_MASKING with ulValueSize 1", E_INVALIDARG, create(&p, 1, &h));
    CHECK(h == GARBAGE);

    p.ulValueSize = sizeof(value);
    type = 5;
    memcpy(&p.Type, &type, sizeof(type));
    HR(fn, "property type 5 (KEEPALIVE_INTERVAL, a global property)", E_INVALIDARG, create(&p, 1, &h));
    type = 7;
    memcpy(&p.Type, &type, sizeof(type));
    HR(fn, "property type 7 (out of range)", E_INVALIDARG, create(&p, 1, &h));
    type = 0xffffffff;
    memcpy(&p.Type, &type, sizeof(type));
    HR(fn, "property type 0xFFFFFFFF", E_INVALIDARG, create(&p, 1, &h));

    p.Type = WEB_SOCKET_ALLOCATED_BUFFER_PROPERTY_TYPE;
    arena_ptr = NULL;
    p.pvValue = &arena_ptr;
    p.ulValueSize = sizeof(arena);
    HR(fn, "ALLOCATED_BUFFER address NULL", E_INVALIDARG, create(&p, 1, &h));
    arena_ptr = arena + 1;
    p.ulValueSize = 0;
    HR(fn, "ALLOCATED_BUFFER of 0 bytes", E_INVALIDARG, create(&p, 1, &h));
    p.ulValueSize = 4096 + (server ? 16 : 4096) + 144 - 1;
    HR(fn, "ALLOCATED_BUFFER one byte short of receive + send + 144", E_INVALIDARG, create(&p, 1, &h));
    CHECK(h == GARBAGE);
    p.ulValueSize = 0xffffffff;
    HR(fn, "ALLOCATED_BUFFER claiming 0xFFFFFFFF bytes, misaligned", S_OK, create(&p, 1, &h));
    CHECK(h != GARBAGE);
    WebSocketDeleteHandle(h);
}

static void begin_client_rows(void)
{
    const char *fn = "WebSocketBeginClientHandshake";
    WEB_SOCKET_HANDLE client = new_handle(0), server = new_handle(1), deleted = deleted_handle();
    WEB_SOCKET_HTTP_HEADER *out, header;
    ULONG count;
    PCSTR protocols[2] = { "chat", NULL };

    out = (WEB_SOCKET_HTTP_HEADER *)(uintptr_t)1;
    count = 77;
    HR(fn, "NULL handle", E_HANDLE, WebSocketBeginClientHandshake(NULL, NULL, 0, NULL, 0, NULL, 0, &out, &count));
    HR(fn, "garbage handle", E_HANDLE, WebSocketBeginClientHandshake(GARBAGE, NULL, 0, NULL, 0, NULL, 0, &out, &count));
    HR(fn, "deleted handle", E_HANDLE, WebSocketBeginClientHandshake(deleted, NULL, 0, NULL, 0, NULL, 0, &out, &count));
    HR(fn, "server handle", E_INVALID_PROTOCOL_OPERATION,
       WebSocketBeginClientHandshake(server, NULL, 0, NULL, 0, NULL, 0, &out, &count));
    HR(fn, "pAdditionalHeaders NULL", E_INVALIDARG,
       WebSocketBeginClientHandshake(client, NULL, 0, NULL, 0, NULL, 0, NULL, &count));
    HR(fn, "pulAdditionalHeaderCount NULL", E_INVALIDARG,
       WebSocketBeginClientHandshake(client, NULL, 0, NULL, 0, NULL, 0, &out, NULL));
    HR(fn, "pszSubprotocols NULL, count 1", E_INVALIDARG,
       WebSocketBeginClientHandshake(client, NULL, 1, NULL, 0, NULL, 0, &out, &count));
    HR(fn, "a subprotocol NULL", E_INVALIDARG,
       WebSocketBeginClientHandshake(client, protocols, 2, NULL, 0, NULL, 0, &out, &count));
    HR(fn, "pszExtensions NULL, count 0xFFFFFFFF", E_INVALIDARG,
       WebSocketBeginClientHandshake(client, NULL, 0, NULL, 0xffffffff, NULL, 0, &out, &count));
    HR(fn, "pInitialHeaders NULL, count 1", E_INVALIDARG,
       WebSocketBeginClientHandshake(client, NULL, 0, NULL, 0, NULL, 1, &out, &count));
    header.pcName = NULL;
    header.ulNameLength = 4;
    header.pcValue = host_value;
    header.ulValueLength = 9;
    HR(fn, "initial header with a NULL name", E_INVALIDARG,
       WebSocketBeginClientHandshake(client, NULL, 0, NULL, 0, &header, 1, &out, &count));
    header.pcName = host_name;
    header.ulNameLength = 0xffffffff;
    HR(fn, "initial header name of length 0xFFFFFFFF", E_INVALIDARG,
       WebSocketBeginClientHandshake(client, NULL, 0, NULL, 0, &header, 1, &out, &count));
    header.ulNameLength = 4;
    header.pcValue = NULL;
    HR(fn, "initial header with a NULL value of length 9", E_INVALIDARG,
       WebSocketBeginClientHandshake(client, NULL, 0, NULL, 0, &header, 1, &out, &count));
    header.pcValue = host_value;
    header.ulValueLength = 0xffffffff;
    HR(fn, "initial header value of length 0xFFFFFFFF", E_INVALIDARG,
       WebSocketBeginClientHandshake(client, NULL, 0, NULL, 0, &header, 1, &out, &count));
    CHECK(out == (WEB_SOCKET_HTTP_HEADER *)(uintptr_t)1 && count == 77);
    HR(fn, "valid, then", S_OK, WebSocketBeginClientHandshake(client, NULL, 0, NULL, 0, NULL, 0, &out, &count));
    HR(fn, "a second time before the response (a new key)", S_OK,
       WebSocketBeginClientHandshake(client, NULL, 0, NULL, 0, NULL, 0, &out, &count));
    WebSocketDeleteHandle(client);
    WebSocketDeleteHandle(server);
}

static void end_client_rows(void)
{
    const char *fn = "WebSocketEndClientHandshake";
    WEB_SOCKET_HANDLE client = new_handle(0), server = new_handle(1), deleted = deleted_handle();
    WEB_SOCKET_HTTP_HEADER *out, header;
    ULONG count, ext[4], ext_count = 77, protocol = 77;

    HR(fn, "NULL handle", E_HANDLE, WebSocketEndClientHandshake(NULL, NULL, 0, NULL, NULL, NULL));
    HR(fn, "garbage handle", E_HANDLE, WebSocketEndClientHandshake(GARBAGE, NULL, 0, NULL, NULL, NULL));
    HR(fn, "deleted handle", E_HANDLE, WebSocketEndClientHandshake(deleted, NULL, 0, NULL, NULL, NULL));
    HR(fn, "server handle", E_INVALID_PROTOCOL_OPERATION,
       WebSocketEndClientHandshake(server, NULL, 0, NULL, NULL, NULL));
    HR(fn, "before WebSocketBeginClientHandshake", E_INVALID_PROTOCOL_OPERATION,
       WebSocketEndClientHandshake(client, NULL, 0, NULL, NULL, NULL));
    WebSocketBeginClientHandshake(client, NULL, 0, NULL, 0, NULL, 0, &out, &count);
    HR(fn, "pResponseHeaders NULL, count 3", E_INVALIDARG,
       WebSocketEndClientHandshake(client, NULL, 3, ext, &ext_count, &protocol));
    header.pcName = NULL;
    header.ulNameLength = 7;
    header.pcValue = host_value;
    header.ulValueLength = 9;
    HR(fn, "response header with a NULL name", E_INVALIDARG,
       WebSocketEndClientHandshake(client, &header, 1, ext, &ext_count, &protocol));
    header.pcName = host_name;
    header.ulNameLength = 4;
    header.ulValueLength = 0xffffffff;
    HR(fn, "response header value of length 0xFFFFFFFF", E_INVALIDARG,
       WebSocketEndClientHandshake(client, &header, 1, ext, &ext_count, &protocol));
    CHECK(ext_count == 77 && protocol == 77);
    HR(fn, "no headers (no Sec-WebSocket-Accept)", E_INVALID_PROTOCOL_FORMAT,
       WebSocketEndClientHandshake(client, NULL, 0, ext, &ext_count, &protocol));
    WebSocketDeleteHandle(client);
    WebSocketDeleteHandle(server);
}

static void begin_server_rows(void)
{
    const char *fn = "WebSocketBeginServerHandshake";
    WEB_SOCKET_HANDLE client = new_handle(0), server = new_handle(1), deleted = deleted_handle();
    WEB_SOCKET_HTTP_HEADER request[16], bad[16], *out;
    ULONG n, count, i;
    PCSTR extensions[1] = { "permessage-deflate" };

    n = client_request(new_handle(0), request, 16);
    CHECK(n > 0);
    out = (WEB_SOCKET_HTTP_HEADER *)(uintptr_t)1;
    count = 77;
    HR(fn, "NULL handle", E_HANDLE, WebSocketBeginServerHandshake(NULL, NULL, NULL, 0, request, n, &out, &count));
    HR(fn, "garbage handle", E_HANDLE, WebSocketBeginServerHandshake(GARBAGE, NULL, NULL, 0, request, n, &out, &count));
    HR(fn, "deleted handle", E_HANDLE, WebSocketBeginServerHandshake(deleted, NULL, NULL, 0, request, n, &out, &count));
    HR(fn, "client handle", E_INVALID_PROTOCOL_OPERATION,
       WebSocketBeginServerHandshake(client, NULL, NULL, 0, request, n, &out, &count));
    HR(fn, "pResponseHeaders NULL", E_INVALIDARG,
       WebSocketBeginServerHandshake(server, NULL, NULL, 0, request, n, NULL, &count));
    HR(fn, "pulResponseHeaderCount NULL", E_INVALIDARG,
       WebSocketBeginServerHandshake(server, NULL, NULL, 0, request, n, &out, NULL));
    HR(fn, "pRequestHeaders NULL, count 5", E_INVALIDARG,
       WebSocketBeginServerHandshake(server, NULL, NULL, 0, NULL, 5, &out, &count));
    HR(fn, "pszExtensionSelected NULL, count 1", E_INVALIDARG,
       WebSocketBeginServerHandshake(server, NULL, NULL, 1, request, n, &out, &count));
    for (i = 0; i < n; i++)
        bad[i] = request[i];
    bad[0].pcName = NULL;
    HR(fn, "request header with a NULL name", E_INVALIDARG,
       WebSocketBeginServerHandshake(server, NULL, NULL, 0, bad, n, &out, &count));
    bad[0] = request[0];
    bad[0].ulValueLength = 0xffffffff;
    HR(fn, "request header value of length 0xFFFFFFFF", E_INVALIDARG,
       WebSocketBeginServerHandshake(server, NULL, NULL, 0, bad, n, &out, &count));
    bad[0] = request[0];
    bad[0].ulNameLength = 0xffffffff;
    HR(fn, "request header name of length 0xFFFFFFFF", E_INVALIDARG,
       WebSocketBeginServerHandshake(server, NULL, NULL, 0, bad, n, &out, &count));
    CHECK(out == (WEB_SOCKET_HTTP_HEADER *)(uintptr_t)1 && count == 77);
    HR(fn, "no request headers", E_INVALID_PROTOCOL_FORMAT,
       WebSocketBeginServerHandshake(server, NULL, NULL, 0, NULL, 0, &out, &count));
    HR(fn, "a subprotocol that is not an HTTP token", E_INVALIDARG,
       WebSocketBeginServerHandshake(server, "a b", NULL, 0, request, n, &out, &count));
    HR(fn, "an extension selected (accepted, not answered: README, Behaviour)", S_OK,
       WebSocketBeginServerHandshake(server, NULL, extensions, 1, request, n, &out, &count));
    HR(fn, "again before WebSocketEndServerHandshake (answered again)", S_OK,
       WebSocketBeginServerHandshake(server, NULL, NULL, 0, request, n, &out, &count));
    WebSocketDeleteHandle(client);
    WebSocketDeleteHandle(server);
}

static void end_server_rows(void)
{
    const char *fn = "WebSocketEndServerHandshake";
    WEB_SOCKET_HANDLE client = new_handle(0), server = new_handle(1), deleted = deleted_handle();
    HR(fn, "NULL handle", E_HANDLE, WebSocketEndServerHandshake(NULL));
    HR(fn, "garbage handle", E_HANDLE, WebSocketEndServerHandshake(GARBAGE));
    HR(fn, "deleted handle", E_HANDLE, WebSocketEndServerHandshake(deleted));
    HR(fn, "client handle", E_INVALID_PROTOCOL_OPERATION, WebSocketEndServerHandshake(client));
    HR(fn, "before WebSocketBeginServerHandshake", E_INVALID_PROTOCOL_OPERATION, WebSocketEndServerHandshake(server));
    WebSocketDeleteHandle(client);
    WebSocketDeleteHandle(server);
}

static void send_rows(void)
{
    const char *fn = "WebSocketSend";
    WEB_SOCKET_HANDLE client, server, fresh = new_handle(0), deleted = deleted_handle();
    WEB_SOCKET_BUFFER b;
    static BYTE payload[65536], reason[124];
    ULONG type;
    struct fetched f;

    open_pair(&client, &server);
    b.Data.pbBuffer = payload;
    b.Data.ulBufferLength = 5;
    HR(fn, "NULL handle", E_HANDLE, WebSocketSend(NULL, WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, &b, NULL));
    HR(fn, "garbage handle", E_HANDLE, WebSocketSend(GARBAGE, WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, &b, NULL));
    HR(fn, "deleted handle", E_HANDLE, WebSocketSend(deleted, WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, &b, NULL));
    HR(fn, "before the handshake", E_INVALID_PROTOCOL_OPERATION,
       WebSocketSend(fresh, WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, &b, NULL));
    type = 0;
    HR(fn, "buffer type 0", E_INVALIDARG, WebSocketSend(client, (WEB_SOCKET_BUFFER_TYPE)type, &b, NULL));
    type = 0x80000007;
    HR(fn, "buffer type 0x80000007", E_INVALIDARG, WebSocketSend(client, (WEB_SOCKET_BUFFER_TYPE)type, &b, NULL));
    type = 0xffffffff;
    HR(fn, "buffer type 0xFFFFFFFF", E_INVALIDARG, WebSocketSend(client, (WEB_SOCKET_BUFFER_TYPE)type, &b, NULL));
    HR(fn, "data message with pBuffer NULL", E_INVALIDARG,
       WebSocketSend(client, WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, NULL, NULL));
    b.Data.pbBuffer = NULL;
    HR(fn, "pbBuffer NULL, length 5", E_INVALIDARG, WebSocketSend(client, WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, &b, NULL));
    b.Data.ulBufferLength = 0xffffffff;
    HR(fn, "pbBuffer NULL, length 0xFFFFFFFF", E_INVALIDARG,
       WebSocketSend(client, WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, &b, NULL));
    b.Data.pbBuffer = payload;
    b.Data.ulBufferLength = 126;
    HR(fn, "ping of 126 bytes", E_INVALIDARG, WebSocketSend(client, WEB_SOCKET_PING_PONG_BUFFER_TYPE, &b, NULL));
    HR(fn, "unsolicited pong of 126 bytes", E_INVALIDARG,
       WebSocketSend(client, WEB_SOCKET_UNSOLICITED_PONG_BUFFER_TYPE, &b, NULL));
    b.CloseStatus.pbReason = reason;
    b.CloseStatus.ulReasonLength = 124;
    b.CloseStatus.usStatus = 1000;
    HR(fn, "close reason of 124 bytes", E_INVALIDARG, WebSocketSend(client, WEB_SOCKET_CLOSE_BUFFER_TYPE, &b, NULL));
    b.CloseStatus.ulReasonLength = 0xffffffff;
    HR(fn, "close reason of 0xFFFFFFFF bytes", E_INVALIDARG,
       WebSocketSend(client, WEB_SOCKET_CLOSE_BUFFER_TYPE, &b, NULL));
    b.CloseStatus.pbReason = NULL;
    b.CloseStatus.ulReasonLength = 5;
    HR(fn, "close reason NULL, length 5", E_INVALIDARG, WebSocketSend(client, WEB_SOCKET_CLOSE_BUFFER_TYPE, &b, NULL));
    b.CloseStatus.ulReasonLength = 0;
    b.CloseStatus.usStatus = 1006;
    HR(fn, "close status 1006 (never sent on the wire)", E_INVALIDARG,
       WebSocketSend(client, WEB_SOCKET_CLOSE_BUFFER_TYPE, &b, NULL));
    b.CloseStatus.usStatus = 999;
    HR(fn, "close status 999", E_INVALIDARG, WebSocketSend(client, WEB_SOCKET_CLOSE_BUFFER_TYPE, &b, NULL));
    b.CloseStatus.usStatus = 5000;
    HR(fn, "close status 5000", E_INVALIDARG, WebSocketSend(client, WEB_SOCKET_CLOSE_BUFFER_TYPE, &b, NULL));

    /* The lengths at the edges: 0 is a message; 0xFFFFFFFF is a frame of
     * that length that a server sends as the caller's own buffer (never read
     * by the DLL) and a client masks one send buffer at a time. */
    b.Data.pbBuffer = payload;
    b.Data.ulBufferLength = 0;
    HR(fn, "data message of 0 bytes", S_OK, WebSocketSend(server, WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, &b, NULL));
    fetch(server, WEB_SOCKET_SEND_ACTION_QUEUE, &f);
    CHECK(f.hr == S_OK && f.action == WEB_SOCKET_SEND_TO_NETWORK_ACTION);
    WebSocketCompleteAction(server, f.context, 2);
    fetch(server, WEB_SOCKET_SEND_ACTION_QUEUE, &f);
    CHECK(f.hr == S_OK && f.action == WEB_SOCKET_INDICATE_SEND_COMPLETE_ACTION);
    WebSocketCompleteAction(server, f.context, 0);
    b.Data.ulBufferLength = 0xffffffff;
    HR(fn, "server: data message of 0xFFFFFFFF bytes", S_OK,
       WebSocketSend(server, WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, &b, NULL));
    fetch(server, WEB_SOCKET_SEND_ACTION_QUEUE, &f);
    CHECK(f.hr == S_OK && f.action == WEB_SOCKET_SEND_TO_NETWORK_ACTION && f.count == 2);
    CHECK(f.buffers[0].Data.ulBufferLength == 10 && f.buffers[1].Data.pbBuffer == payload
          && f.buffers[1].Data.ulBufferLength == 0xffffffff);
    WebSocketAbortHandle(server);
    HR(fn, "client: data message of 0xFFFFFFFF bytes", S_OK,
       WebSocketSend(client, WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, &b, NULL));
    fetch(client, WEB_SOCKET_SEND_ACTION_QUEUE, &f);
    CHECK(f.hr == S_OK && f.action == WEB_SOCKET_SEND_TO_NETWORK_ACTION);
    CHECK(f.buffers[0].Data.ulBufferLength <= 4096 + 14);
    WebSocketAbortHandle(client);
    HR(fn, "after WebSocketAbortHandle", E_INVALID_PROTOCOL_OPERATION,
       WebSocketSend(client, WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, &b, NULL));
    WebSocketDeleteHandle(client);
    WebSocketDeleteHandle(server);
    WebSocketDeleteHandle(fresh);
}

static void receive_rows(void)
{
    const char *fn = "WebSocketReceive";
    WEB_SOCKET_HANDLE client, server, fresh = new_handle(1), deleted = deleted_handle();
    WEB_SOCKET_BUFFER b;

    open_pair(&client, &server);
    HR(fn, "NULL handle", E_HANDLE, WebSocketReceive(NULL, NULL, NULL));
    HR(fn, "garbage handle", E_HANDLE, WebSocketReceive(GARBAGE, NULL, NULL));
    HR(fn, "deleted handle", E_HANDLE, WebSocketReceive(deleted, NULL, NULL));
    HR(fn, "before the handshake", E_INVALID_PROTOCOL_OPERATION, WebSocketReceive(fresh, NULL, NULL));
    b.Data.pbBuffer = NULL;
    b.Data.ulBufferLength = 0xffffffff;
    HR(fn, "pBuffer {NULL, 0xFFFFFFFF}", E_INVALIDARG, WebSocketReceive(server, &b, NULL));
    b.Data.pbBuffer = (BYTE *)&b;
    b.Data.ulBufferLength = 0;
    HR(fn, "pBuffer of length 0", E_INVALIDARG, WebSocketReceive(server, &b, NULL));
    HR(fn, "pBuffer NULL (the DLL's buffer is indicated)", S_OK, WebSocketReceive(server, NULL, NULL));
    HR(fn, "a second receive while one is pending", E_INVALID_PROTOCOL_OPERATION,
       WebSocketReceive(server, NULL, NULL));
    WebSocketAbortHandle(client);
    HR(fn, "after WebSocketAbortHandle", E_INVALID_PROTOCOL_OPERATION, WebSocketReceive(client, NULL, NULL));
    WebSocketDeleteHandle(client);
    WebSocketDeleteHandle(server);
    WebSocketDeleteHandle(fresh);
}

static void get_action_rows(void)
{
    const char *fn = "WebSocketGetAction";
    WEB_SOCKET_HANDLE client, server, deleted = deleted_handle();
    WEB_SOCKET_BUFFER buffers[3];
    ULONG count, queue;
    WEB_SOCKET_ACTION action;
    WEB_SOCKET_BUFFER_TYPE type;
    PVOID app, context;
    WEB_SOCKET_BUFFER b;
    static BYTE payload[8];
    struct fetched f;

#define GA(h, q, bufs, cnt, act, typ, ap, ctx) \
    (count = 2, WebSocketGetAction(h, (WEB_SOCKET_ACTION_QUEUE)(q), bufs, cnt, act, typ, ap, ctx))
    open_pair(&client, &server);
    HR(fn, "NULL handle", E_HANDLE, GA(NULL, 1, buffers, &count, &action, &type, &app, &context));
    HR(fn, "garbage handle", E_HANDLE, GA(GARBAGE, 1, buffers, &count, &action, &type, &app, &context));
    HR(fn, "deleted handle", E_HANDLE, GA(deleted, 1, buffers, &count, &action, &type, &app, &context));
    for (queue = 0; queue < 5; queue += 4)
        HR(fn, queue ? "queue 4 (out of range)" : "queue 0 (out of range)", E_INVALIDARG,
           GA(client, queue, buffers, &count, &action, &type, &app, &context));
    HR(fn, "queue 0xFFFFFFFF", E_INVALIDARG, GA(client, 0xffffffff, buffers, &count, &action, &type, &app, &context));
    HR(fn, "pDataBuffers NULL", E_INVALIDARG, GA(client, 1, NULL, &count, &action, &type, &app, &context));
    HR(fn, "pulDataBufferCount NULL", E_INVALIDARG, GA(client, 1, buffers, NULL, &action, &type, &app, &context));
    HR(fn, "pAction NULL", E_INVALIDARG, GA(client, 1, buffers, &count, NULL, &type, &app, &context));
    HR(fn, "pBufferType NULL", E_INVALIDARG, GA(client, 1, buffers, &count, &action, NULL, &app, &context));
    HR(fn, "pvActionContext NULL", E_INVALIDARG, GA(client, 1, buffers, &count, &action, &type, &app, NULL));
    count = 0;
    HR(fn, "*pulDataBufferCount 0", E_INVALIDARG,
       WebSocketGetAction(client, WEB_SOCKET_SEND_ACTION_QUEUE, buffers, &count, &action, &type, &app, &context));
    HR(fn, "pvApplicationContext NULL (allowed), nothing queued", S_OK,
       GA(client, 1, buffers, &count, &action, &type, NULL, &context));
    CHECK(action == WEB_SOCKET_NO_ACTION && context == NULL);

    /* A server frame is two buffers ([header][the caller's payload]). */
    b.Data.pbBuffer = payload;
    b.Data.ulBufferLength = sizeof(payload);
    WebSocketSend(server, WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, &b, NULL);
    memset(buffers, GUARD, sizeof(buffers));
    count = 1;
    HR(fn, "*pulDataBufferCount 1 for a frame of 2 buffers (the header now, the payload next)", S_OK,
       WebSocketGetAction(server, WEB_SOCKET_SEND_ACTION_QUEUE, buffers, &count, &action, &type, &app, &context));
    CHECK(count == 1 && buffers[0].Data.ulBufferLength == 2 && guarded(&buffers[1], sizeof(buffers[1])));
    WebSocketCompleteAction(server, context, 2);
    memset(buffers, GUARD, sizeof(buffers));
    count = 0xffffffff;
    HR(fn, "*pulDataBufferCount 0xFFFFFFFF (only the action's buffers are written)", S_OK,
       WebSocketGetAction(server, WEB_SOCKET_SEND_ACTION_QUEUE, buffers, &count, &action, &type, &app, &context));
    CHECK(count == 1 && buffers[0].Data.pbBuffer == payload && guarded(&buffers[1], 2 * sizeof(buffers[1])));
    WebSocketAbortHandle(client);
    fetch(server, WEB_SOCKET_RECEIVE_ACTION_QUEUE, &f);
    CHECK(f.hr == S_OK && f.action == WEB_SOCKET_NO_ACTION);
    WebSocketDeleteHandle(client);
    WebSocketDeleteHandle(server);
#undef GA
}

/* A masked binary frame "abcd", as a client puts it on the wire. */
static const BYTE masked_abcd[10] = { 0x82, 0x84, 1, 2, 3, 4, 'a' ^ 1, 'b' ^ 2, 'c' ^ 3, 'd' ^ 4 };

static void complete_action_rows(void)
{
    const char *fn = "WebSocketCompleteAction";
    WEB_SOCKET_HANDLE client, server, other_client, other_server, deleted = deleted_handle();
    struct fetched f, g;
    ULONG i;

    open_pair(&client, &server);
    open_pair(&other_client, &other_server);
    QUIET(fn, "NULL handle", WebSocketCompleteAction(NULL, (PVOID)(uintptr_t)5, 1));
    QUIET(fn, "garbage handle", WebSocketCompleteAction(GARBAGE, (PVOID)(uintptr_t)5, 1));
    QUIET(fn, "deleted handle", WebSocketCompleteAction(deleted, (PVOID)(uintptr_t)5, 1));
    QUIET(fn, "NULL context", WebSocketCompleteAction(server, NULL, 0xffffffff));

    /* The server waits for bytes; a context of another handle and a made-up
     * one must not complete that action (they would feed it garbage). */
    WebSocketReceive(server, NULL, NULL);
    fetch(server, WEB_SOCKET_RECEIVE_ACTION_QUEUE, &f);
    CHECK(f.hr == S_OK && f.action == WEB_SOCKET_RECEIVE_FROM_NETWORK_ACTION);
    WebSocketReceive(other_server, NULL, NULL);
    fetch(other_server, WEB_SOCKET_RECEIVE_ACTION_QUEUE, &g);
    CHECK(g.hr == S_OK && g.action == WEB_SOCKET_RECEIVE_FROM_NETWORK_ACTION);
    QUIET(fn, "a context of another handle", WebSocketCompleteAction(server, g.context, 6));
    QUIET(fn, "a made-up context", WebSocketCompleteAction(server, (PVOID)(uintptr_t)0xdeadbeef, 6));
    if (f.action == WEB_SOCKET_RECEIVE_FROM_NETWORK_ACTION)
    {
        memcpy(f.buffers[0].Data.pbBuffer, masked_abcd, sizeof(masked_abcd));
        WebSocketCompleteAction(server, f.context, sizeof(masked_abcd));
        fetch(server, WEB_SOCKET_RECEIVE_ACTION_QUEUE, &f);
        CHECK(f.hr == S_OK && f.action == WEB_SOCKET_INDICATE_RECEIVE_COMPLETE_ACTION
              && f.buffers[0].Data.ulBufferLength == 4 && !memcmp(f.buffers[0].Data.pbBuffer, "abcd", 4));
        WebSocketCompleteAction(server, f.context, 0);
    }
    QUIET(fn, "a stale context (already completed)", WebSocketCompleteAction(server, f.context, 6));

    /* More bytes than offered: only the offer is taken.  The other server's
     * buffer is filled with whole frames and then one cut short; completed
     * with 0xFFFFFFFF it indicates the first frame and waits for the rest. */
    if (g.action == WEB_SOCKET_RECEIVE_FROM_NETWORK_ACTION)
    {
        for (i = 0; i + sizeof(masked_abcd) <= g.buffers[0].Data.ulBufferLength; i += sizeof(masked_abcd))
            memcpy(g.buffers[0].Data.pbBuffer + i, masked_abcd, sizeof(masked_abcd));
        memcpy(g.buffers[0].Data.pbBuffer + i, masked_abcd, g.buffers[0].Data.ulBufferLength - i);
        QUIET(fn, "RECEIVE_FROM_NETWORK completed with 0xFFFFFFFF bytes (the offer is taken)",
              WebSocketCompleteAction(other_server, g.context, 0xffffffff));
        fetch(other_server, WEB_SOCKET_RECEIVE_ACTION_QUEUE, &g);
        CHECK(g.hr == S_OK && g.action == WEB_SOCKET_INDICATE_RECEIVE_COMPLETE_ACTION
              && g.buffers[0].Data.ulBufferLength == 4 && !memcmp(g.buffers[0].Data.pbBuffer, "abcd", 4));
    }
    WebSocketDeleteHandle(client);
    WebSocketDeleteHandle(server);
    WebSocketDeleteHandle(other_client);
    WebSocketDeleteHandle(other_server);
}

static void abort_delete_rows(void)
{
    WEB_SOCKET_HANDLE h = new_handle(0), deleted = deleted_handle();
    QUIET("WebSocketAbortHandle", "NULL handle", WebSocketAbortHandle(NULL));
    QUIET("WebSocketAbortHandle", "garbage handle", WebSocketAbortHandle(GARBAGE));
    QUIET("WebSocketAbortHandle", "deleted handle", WebSocketAbortHandle(deleted));
    QUIET("WebSocketAbortHandle", "twice", (WebSocketAbortHandle(h), WebSocketAbortHandle(h)));
    QUIET("WebSocketDeleteHandle", "NULL handle", WebSocketDeleteHandle(NULL));
    QUIET("WebSocketDeleteHandle", "garbage handle", WebSocketDeleteHandle(GARBAGE));
    QUIET("WebSocketDeleteHandle", "twice", (WebSocketDeleteHandle(h), WebSocketDeleteHandle(h)));
}

static void global_property_rows(void)
{
    const char *fn = "WebSocketGetGlobalProperty";
    unsigned char value[16];
    ULONG size, type;

#define GGP(t, v, s) WebSocketGetGlobalProperty((WEB_SOCKET_PROPERTY_TYPE)(t), v, s)
    memset(value, GUARD, sizeof(value));
    size = 4;
    HR(fn, "type 0 (a handle property)", E_INVALIDARG, GGP(WEB_SOCKET_RECEIVE_BUFFER_SIZE_PROPERTY_TYPE, value, &size));
    type = 7;
    HR(fn, "type 7 (out of range)", E_INVALIDARG, GGP(type, value, &size));
    type = 0xffffffff;
    HR(fn, "type 0xFFFFFFFF", E_INVALIDARG, GGP(type, value, &size));
    HR(fn, "pulValueSize NULL", E_INVALIDARG, GGP(WEB_SOCKET_KEEPALIVE_INTERVAL_PROPERTY_TYPE, value, NULL));
    HR(fn, "pvValue NULL, size 4", E_INVALIDARG, GGP(WEB_SOCKET_KEEPALIVE_INTERVAL_PROPERTY_TYPE, NULL, &size));
    CHECK(guarded(value, sizeof(value)));
    size = 0;
    HR(fn, "size 0 (the size needed is returned)", HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER),
       GGP(WEB_SOCKET_KEEPALIVE_INTERVAL_PROPERTY_TYPE, value, &size));
    CHECK(size == 4 && guarded(value, sizeof(value)));
    size = 3;
    HR(fn, "size 3", HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER),
       GGP(WEB_SOCKET_SUPPORTED_VERSIONS_PROPERTY_TYPE, value, &size));
    CHECK(size == 4 && guarded(value, sizeof(value)));
    size = 0xffffffff;
    HR(fn, "size 0xFFFFFFFF (4 bytes written)", S_OK, GGP(WEB_SOCKET_SUPPORTED_VERSIONS_PROPERTY_TYPE, value, &size));
    CHECK(size == 4 && guarded(value + 4, sizeof(value) - 4));
#undef GGP
}

int main(int argc, char **argv)
{
    int i;
    create_rows(0);
    create_rows(1);
    begin_client_rows();
    end_client_rows();
    begin_server_rows();
    end_server_rows();
    send_rows();
    receive_rows();
    get_action_rows();
    complete_action_rows();
    abort_delete_rows();
    global_property_rows();
    if (argc > 1 && !strcmp(argv[1], "--markdown"))
    {
        printf("| function | input | result |\n|---|---|---|\n");
        for (i = 0; i < row_count; i++)
            printf("| `%s` | %s | %s |\n", rows[i].function, rows[i].input, rows[i].result);
        return failures != 0;
    }
    printf("%d rows, %d failures\n", row_count, failures);
    return failures != 0;
}
