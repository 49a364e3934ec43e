/*
 * What Wine itself does on the paths that lead to websocket.dll
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
 * Not a test: a probe of Wine's limits that are not this DLL's (README,
 * "Wine's own limits"); tools/wine-limits.sh runs it and shows the trace.
 *
 *   probe server   an HTTP.sys WebSocket server, driven as native servers
 *                  (Marlin, mORMot) and .NET's HttpListener drive httpapi:
 *                  websocket.dll makes the 101 response, HttpSendHttpResponse
 *                  sends it with the opaque flag, a client in another thread
 *                  then sends one WebSocket frame and prints what comes back
 *   probe winhttp  WinHttpSetOption with option 111, as .NET's WinHttpHandler
 *                  sets it before any WebSocket is opened
 *   probe version  the Windows version the prefix reports (.NET's HttpListener
 *                  offers WebSockets only from Windows 8, 6.2, on)
 *   probe stub F   calls httpapi's F (HttpCancelHttpRequest or
 *                  HttpSendResponseEntityBody) on a closed handle: Windows
 *                  returns an error, a stub aborts the process
 *
 * Each step prints one "probe:" line with what Windows would do and what happened.
 */

#include <stdio.h>
#include <string.h>
#include <winsock2.h>
#include <windows.h>
#include <http.h>
#include <winhttp.h>
#include "websocket.h"

#ifndef HTTP_SEND_RESPONSE_FLAG_OPAQUE
#define HTTP_SEND_RESPONSE_FLAG_OPAQUE 0x00000040
#endif

static USHORT port;

/* A free TCP port on the loopback address. */
static USHORT free_port(void)
{
    struct sockaddr_in addr;
    int len = sizeof(addr);
    SOCKET s = socket(AF_INET, SOCK_STREAM, 0);
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(s, (struct sockaddr *)&addr, sizeof(addr));
    getsockname(s, (struct sockaddr *)&addr, &len);
    closesocket(s);
    return ntohs(addr.sin_port);
}

/* The first line of what the socket gives within the timeout, or why not. */
static void print_first_line(SOCKET s, const char *what)
{
    char buffer[512];
    int n = recv(s, buffer, sizeof(buffer) - 1, 0), i;
    if (n <= 0)
    {
        printf("probe: %s: nothing (recv %d, error %d)\n", what, n, WSAGetLastError());
        return;
    }
    buffer[n] = 0;
    for (i = 0; i < n && buffer[i] != '\r' && buffer[i] != '\n'; i++)
        ;
    buffer[i] = 0;
    printf("probe: %s: \"%s\"\n", what, buffer);
}

/* The browser: the upgrade request, then one masked text frame "hello". */
static DWORD WINAPI client_thread(void *arg)
{
    static const BYTE frame[] = { 0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 'h' ^ 0x37, 'e' ^ 0xfa, 'l' ^ 0x21,
                                  'l' ^ 0x3d, 'o' ^ 0x37 };
    char request[512];
    struct sockaddr_in addr;
    DWORD timeout = 3000;
    SOCKET s = socket(AF_INET, SOCK_STREAM, 0);

    (void)arg;
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, (const char *)&timeout, sizeof(timeout));
    if (connect(s, (struct sockaddr *)&addr, sizeof(addr)))
    {
        printf("probe: client: connect failed: %d\n", WSAGetLastError());
        return 1;
    }
    sprintf(request, "GET /ws/ HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", port);
    send(s, request, (int)strlen(request), 0);
    print_first_line(s, "client: response to the upgrade (Windows: \"HTTP/1.1 101 Switching Protocols\")");
    send(s, (const char *)frame, sizeof(frame), 0);
    print_first_line(s, "client: answer to a WebSocket frame (Windows: none, the frame goes to the server)");
    closesocket(s);
    return 0;
}

static void print_hr(const char *call, HRESULT hr)
{
    printf("probe: websocket.dll: %s returned %#lx\n", call, (unsigned long)hr);
}

/* The request's headers as websocket.dll takes them. */
static ULONG request_headers(const HTTP_REQUEST *request, WEB_SOCKET_HTTP_HEADER *out, ULONG capacity)
{
    static const struct { int id; const char *name; } known[] = {
        { HttpHeaderConnection, "Connection" }, { HttpHeaderHost, "Host" }, { HttpHeaderUpgrade, "Upgrade" },
    };
    ULONG n = 0, i;
    for (i = 0; i < sizeof(known) / sizeof(known[0]) && n < capacity; i++)
    {
        const HTTP_KNOWN_HEADER *h = &request->Headers.KnownHeaders[known[i].id];
        if (!h->pRawValue)
            continue;
        out[n].pcName = (PCHAR)known[i].name;
        out[n].ulNameLength = (ULONG)strlen(known[i].name);
        out[n].pcValue = (PCHAR)h->pRawValue;
        out[n++].ulValueLength = h->RawValueLength;
    }
    for (i = 0; i < request->Headers.UnknownHeaderCount && n < capacity; i++)
    {
        const HTTP_UNKNOWN_HEADER *h = &request->Headers.pUnknownHeaders[i];
        out[n].pcName = (PCHAR)h->pName;
        out[n].ulNameLength = h->NameLength;
        out[n].pcValue = (PCHAR)h->pRawValue;
        out[n++].ulValueLength = h->RawValueLength;
    }
    return n;
}

static int probe_server(void)
{
    HTTPAPI_VERSION version = HTTPAPI_VERSION_1;
    static ULONGLONG request_buffer[2048];
    HTTP_REQUEST *request = (HTTP_REQUEST *)request_buffer;
    WEB_SOCKET_HTTP_HEADER headers[16], *response_headers;
    HTTP_UNKNOWN_HEADER accept;
    HTTP_RESPONSE response;
    WEB_SOCKET_HANDLE handle;
    ULONG count, response_count, bytes, err, i;
    OVERLAPPED overlapped;
    BYTE body[256];
    WCHAR url[64];
    HANDLE queue, thread;
    HRESULT hr;

    port = free_port();
    err = HttpInitialize(version, HTTP_INITIALIZE_SERVER, NULL);
    printf("probe: HttpInitialize returned %lu\n", err);
    err = HttpCreateHttpHandle(&queue, 0);
    printf("probe: HttpCreateHttpHandle returned %lu\n", err);
    swprintf(url, 64, L"http://127.0.0.1:%u/ws/", port);
    err = HttpAddUrl(queue, url, NULL);
    printf("probe: HttpAddUrl(%ls) returned %lu\n", url, err);
    if (err)
        return 1;

    thread = CreateThread(NULL, 0, client_thread, NULL, 0, NULL);
    err = HttpReceiveHttpRequest(queue, 0, 0, request, sizeof(request_buffer), &bytes, NULL);
    printf("probe: HttpReceiveHttpRequest returned %lu: %s\n", err, err ? "" : request->pRawUrl);
    if (err)
        return 1;

    /* The 101 response comes from websocket.dll, as HttpListener and Marlin make it. */
    hr = WebSocketCreateServerHandle(NULL, 0, &handle);
    print_hr("WebSocketCreateServerHandle", hr);
    count = request_headers(request, headers, 16);
    hr = WebSocketBeginServerHandshake(handle, NULL, NULL, 0, headers, count, &response_headers, &response_count);
    print_hr("WebSocketBeginServerHandshake", hr);
    if (FAILED(hr))
        return 1;
    memset(&response, 0, sizeof(response));
    response.StatusCode = 101;
    response.pReason = "Switching Protocols";
    response.ReasonLength = (USHORT)strlen(response.pReason);
    for (i = 0; i < response_count; i++)
    {
        if (!strcmp(response_headers[i].pcName, "Connection"))
        {
            response.Headers.KnownHeaders[HttpHeaderConnection].pRawValue = response_headers[i].pcValue;
            response.Headers.KnownHeaders[HttpHeaderConnection].RawValueLength = (USHORT)response_headers[i].ulValueLength;
        }
        else if (!strcmp(response_headers[i].pcName, "Upgrade"))
        {
            response.Headers.KnownHeaders[HttpHeaderUpgrade].pRawValue = response_headers[i].pcValue;
            response.Headers.KnownHeaders[HttpHeaderUpgrade].RawValueLength = (USHORT)response_headers[i].ulValueLength;
        }
        else
        {
            accept.pName = response_headers[i].pcName;
            accept.NameLength = (USHORT)response_headers[i].ulNameLength;
            accept.pRawValue = response_headers[i].pcValue;
            accept.RawValueLength = (USHORT)response_headers[i].ulValueLength;
            response.Headers.pUnknownHeaders = &accept;
            response.Headers.UnknownHeaderCount = 1;
        }
    }
    err = HttpSendHttpResponse(queue, request->RequestId,
                               HTTP_SEND_RESPONSE_FLAG_OPAQUE | HTTP_SEND_RESPONSE_FLAG_MORE_DATA
                               | HTTP_SEND_RESPONSE_FLAG_BUFFER_DATA, &response, NULL, &bytes, NULL, 0, NULL, NULL);
    printf("probe: HttpSendHttpResponse(flags %#x) returned %lu\n", HTTP_SEND_RESPONSE_FLAG_OPAQUE
           | HTTP_SEND_RESPONSE_FLAG_MORE_DATA | HTTP_SEND_RESPONSE_FLAG_BUFFER_DATA, err);
    hr = WebSocketEndServerHandshake(handle);
    print_hr("WebSocketEndServerHandshake", hr);

    /* The server now reads the opaque stream, where the client's frame should arrive. */
    memset(&overlapped, 0, sizeof(overlapped));
    overlapped.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
    err = HttpReceiveRequestEntityBody(queue, request->RequestId, 0, body, sizeof(body), NULL, &overlapped);
    printf("probe: HttpReceiveRequestEntityBody returned %lu\n", err);
    WaitForSingleObject(thread, 10000);
    if (err == ERROR_IO_PENDING)
        printf("probe: the frame %s the server's entity body read (Windows: it does)\n",
               WaitForSingleObject(overlapped.hEvent, 0) ? "never reached" : "reached");
    WebSocketDeleteHandle(handle);
    return 0;
}

static int probe_winhttp(void)
{
    HINTERNET session = WinHttpOpen(L"probe", WINHTTP_ACCESS_TYPE_NO_PROXY, WINHTTP_NO_PROXY_NAME,
                                    WINHTTP_NO_PROXY_BYPASS, 0);
    DWORD value = TRUE;
    BOOL ret = WinHttpSetOption(session, WINHTTP_OPTION_ASSURED_NON_BLOCKING_CALLBACKS, &value, sizeof(value));
    printf("probe: WinHttpSetOption(111, ASSURED_NON_BLOCKING_CALLBACKS) %s (Windows 8 and later: succeeds)\n",
           ret ? "succeeded" : "failed");
    if (!ret)
        printf("probe: GetLastError() %lu\n", GetLastError());
    WinHttpCloseHandle(session);
    return 0;
}

static int probe_version(void)
{
    typedef LONG (WINAPI *get_version_fn)(OSVERSIONINFOW *);
    get_version_fn get_version = (get_version_fn)(void (*)(void))GetProcAddress(GetModuleHandleA("ntdll.dll"),
                                                                                 "RtlGetVersion");
    OSVERSIONINFOW info;
    memset(&info, 0, sizeof(info));
    info.dwOSVersionInfoSize = sizeof(info);
    get_version(&info);
    printf("probe: the system reports Windows %lu.%lu build %lu (Windows 8 is 6.2, Windows 10 is 10.0)\n",
           info.dwMajorVersion, info.dwMinorVersion, info.dwBuildNumber);
    return 0;
}

static int probe_stub(const char *name)
{
    typedef ULONG (WINAPI *cancel_fn)(HANDLE, HTTP_REQUEST_ID, OVERLAPPED *);
    typedef ULONG (WINAPI *entity_body_fn)(HANDLE, HTTP_REQUEST_ID, ULONG, USHORT, HTTP_DATA_CHUNK *, ULONG *,
                                           void *, ULONG, OVERLAPPED *, void *);
    HMODULE httpapi = LoadLibraryA("httpapi.dll");
    FARPROC proc = GetProcAddress(httpapi, name);
    ULONG err;

    printf("probe: httpapi.%s is %s\n", name, proc ? "exported" : "missing");
    if (!proc)
        return 1;
    if (!strcmp(name, "HttpCancelHttpRequest"))
        err = ((cancel_fn)(void (*)(void))proc)(NULL, 0, NULL);
    else
        err = ((entity_body_fn)(void (*)(void))proc)(NULL, 0, 0, 0, NULL, NULL, NULL, 0, NULL, NULL);
    printf("probe: %s on no queue returned %lu (Windows: an error code)\n", name, err);
    return 0;
}

int main(int argc, char **argv)
{
    WSADATA wsa;
    WSAStartup(MAKEWORD(2, 2), &wsa);
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc == 2 && !strcmp(argv[1], "server"))
        return probe_server();
    if (argc == 2 && !strcmp(argv[1], "winhttp"))
        return probe_winhttp();
    if (argc == 2 && !strcmp(argv[1], "version"))
        return probe_version();
    if (argc == 3 && !strcmp(argv[1], "stub"))
        return probe_stub(argv[2]);
    fprintf(stderr, "usage: probe server | probe winhttp | probe version | probe stub FUNCTION\n");
    return 2;
}
