/*
 * tcp_echo: the floor under any echo server, without WebSockets
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

/* A benchmark, not a test.  The simplest blocking TCP echo a program can
 * write (a thread per connection, recv() then send() of what came), and a
 * client for it, built for Linux and as a Windows program: run the server
 * natively and under Wine against the same native client, and the ratio is
 * what Wine's sockets and threads cost an echo before any WebSocket work.
 *
 *   tcp_echo server [PORT] [--buffer BYTES] [--wait blocking|event|iocp] [--nagle]
 *                                            prints "PORT n"; serves until killed
 *
 * --buffer is the size of each recv() (default 64 KiB).  --wait says how the
 * server waits for data, for comparing them under Wine (event and iocp are
 * Windows only): blocking recv() in a thread per connection (the default);
 * WSAEventSelect with an auto-reset event and a non-blocking recv(), in a
 * thread per connection; or one thread on an I/O completion port with
 * overlapped WSARecv() and FILE_SKIP_COMPLETION_PORT_ON_SUCCESS.  --nagle
 * leaves Nagle's algorithm on for the server's sockets (TCP_NODELAY not set).
 *   tcp_echo client PORT CONNECTIONS SIZE DEPTH MESSAGES
 *                                            MESSAGES per connection, DEPTH in flight
 */

#ifdef _WIN32
# include <winsock2.h>
# include <ws2tcpip.h>
# include <windows.h>
typedef SOCKET sock_t;
# define close_socket closesocket
#else
# include <arpa/inet.h>
# include <netinet/in.h>
# include <netinet/tcp.h>
# include <pthread.h>
# include <sys/socket.h>
# include <time.h>
# include <unistd.h>
typedef int sock_t;
# define close_socket close
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned size, depth, messages;
static unsigned buffer_size = 65536;
enum wait_kind { WAIT_BLOCKING, WAIT_EVENT, WAIT_IOCP };
static enum wait_kind wait_kind = WAIT_BLOCKING;
static int nagle;

/* The wait kind named, or -1 for none this platform has. */
static int wait_named(const char *name)
{
    if (!strcmp(name, "blocking"))
        return WAIT_BLOCKING;
#ifdef _WIN32
    if (!strcmp(name, "event"))
        return WAIT_EVENT;
    if (!strcmp(name, "iocp"))
        return WAIT_IOCP;
#endif
    return -1;
}

#ifdef _WIN32
typedef HANDLE thread_t;
#else
typedef pthread_t thread_t;
#endif

static thread_t start_thread(void (*fn)(void *), void *arg)
{
#ifdef _WIN32
    return CreateThread(NULL, 0, (LPTHREAD_START_ROUTINE)(void *)fn, arg, 0, NULL);
#else
    pthread_t id;
    pthread_create(&id, NULL, (void *(*)(void *))(void *)fn, arg);
    return id;
#endif
}

static void join_thread(thread_t t)
{
#ifdef _WIN32
    WaitForSingleObject(t, INFINITE);
    CloseHandle(t);
#else
    pthread_join(t, NULL);
#endif
}

static double now(void)
{
#ifdef _WIN32
    LARGE_INTEGER count, frequency;
    QueryPerformanceCounter(&count);
    QueryPerformanceFrequency(&frequency);
    return (double)count.QuadPart / (double)frequency.QuadPart;
#else
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
#endif
}

static void no_delay(sock_t s)
{
    int one = 1;
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, (const char *)&one, sizeof(one));
}

static int send_all(sock_t s, const char *data, int length)
{
    while (length > 0)
    {
        int n = send(s, data, length, 0);
#ifdef _WIN32
        /* Only a socket under WSAEventSelect is non-blocking here: wait for room. */
        if (n < 0 && WSAGetLastError() == WSAEWOULDBLOCK)
        {
            fd_set writable;
            FD_ZERO(&writable);
            FD_SET(s, &writable);
            select(0, NULL, &writable, NULL, NULL);
            continue;
        }
#endif
        if (n <= 0)
            return 0;
        data += n;
        length -= n;
    }
    return 1;
}

static void serve(void *param)
{
    sock_t s = (sock_t)(size_t)param;
    char *buffer = malloc(buffer_size);
    int n;
#ifdef _WIN32
    HANDLE event = NULL;
    if (wait_kind == WAIT_EVENT)
    {
        /* Auto-reset: a wait consumes the signal, no WSAEnumNetworkEvents call. */
        event = CreateEventW(NULL, FALSE, FALSE, NULL);
        WSAEventSelect(s, event, FD_READ | FD_CLOSE);
    }
#endif
    for (;;)
    {
        n = recv(s, buffer, buffer_size, 0);
#ifdef _WIN32
        if (n < 0 && event && WSAGetLastError() == WSAEWOULDBLOCK)
        {
            WaitForSingleObject(event, INFINITE);
            continue;
        }
#endif
        if (n <= 0 || !send_all(s, buffer, n))
            break;
    }
#ifdef _WIN32
    if (event)
        CloseHandle(event);
#endif
    free(buffer);
    close_socket(s);
}

#ifdef _WIN32
/* One thread for every connection, on a completion port. */
struct overlapped_connection
{
    OVERLAPPED overlapped;  /* first: the completion gives back its address */
    SOCKET s;
    WSABUF buffer;
};

static HANDLE completion_port;

static void end_overlapped(struct overlapped_connection *c)
{
    close_socket(c->s);
    free(c->buffer.buf);
    free(c);
}

/* Posts receives until one is pending; echoes those that end at once. */
static void post_receive(struct overlapped_connection *c)
{
    for (;;)
    {
        DWORD got = 0, flags = 0;
        memset(&c->overlapped, 0, sizeof(c->overlapped));
        if (WSARecv(c->s, &c->buffer, 1, &got, &flags, &c->overlapped, NULL))
        {
            if (WSAGetLastError() == WSA_IO_PENDING)
                return;
            got = 0;
        }
        if (!got || !send_all(c->s, c->buffer.buf, (int)got))
        {
            end_overlapped(c);
            return;
        }
    }
}

static DWORD WINAPI completion_loop(void *unused)
{
    (void)unused;
    for (;;)
    {
        DWORD got = 0;
        ULONG_PTR key;
        OVERLAPPED *overlapped = NULL;
        BOOL ok = GetQueuedCompletionStatus(completion_port, &got, &key, &overlapped, INFINITE);
        struct overlapped_connection *c = (struct overlapped_connection *)overlapped;
        if (!c)
            continue;
        if (!ok || !got || !send_all(c->s, c->buffer.buf, (int)got))
            end_overlapped(c);
        else
            post_receive(c);
    }
    return 0;
}

static void serve_overlapped(SOCKET s)
{
    struct overlapped_connection *c = calloc(1, sizeof(*c));
    c->s = s;
    c->buffer.buf = malloc(buffer_size);
    c->buffer.len = buffer_size;
    CreateIoCompletionPort((HANDLE)s, completion_port, 0, 0);
    SetFileCompletionNotificationModes((HANDLE)s, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS);
    post_receive(c);
}
#endif

static int exchange(sock_t s, char *buffer, int wanted)
{
    int got = 0;
    while (got < wanted)
    {
        int n = recv(s, buffer + got, wanted - got, 0);
        if (n <= 0)
            return 0;
        got += n;
    }
    return 1;
}

static volatile long failed;

static void client(void *param)
{
    sock_t s = (sock_t)(size_t)param;
    char *buffer = calloc(1, size ? size : 1);
    unsigned sent = 0, received = 0;
    for (; sent < depth && sent < messages; sent++)
        send(s, buffer, size, 0);
    for (; received < messages; received++)
    {
        if (!exchange(s, buffer, size))
        {
            failed = 1;
            break;
        }
        if (sent < messages && send(s, buffer, size, 0) == (int)size)
            sent++;
    }
    free(buffer);
    close_socket(s);
}

int main(int argc, char **argv)
{
    struct sockaddr_in address;
#ifdef _WIN32
    WSADATA data;
    WSAStartup(MAKEWORD(2, 2), &data);
#endif
    memset(&address, 0, sizeof(address));
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (argc >= 2 && !strcmp(argv[1], "server"))
    {
        socklen_t length = sizeof(address);
        sock_t listener;
        int i, port = 0;
        for (i = 2; i < argc; i++)
        {
            if (!strcmp(argv[i], "--buffer") && i + 1 < argc)
                buffer_size = (unsigned)atoi(argv[++i]);
            else if (!strcmp(argv[i], "--wait") && i + 1 < argc && wait_named(argv[i + 1]) >= 0)
                wait_kind = (enum wait_kind)wait_named(argv[++i]);
            else if (!strcmp(argv[i], "--nagle"))
                nagle = 1;
            else if (argv[i][0] != '-')
                port = atoi(argv[i]);
            else
            {
                fprintf(stderr, "tcp_echo: bad option %s\n", argv[i]);
                return 2;
            }
        }
        if (buffer_size < 1)
            buffer_size = 1;
#ifdef _WIN32
        if (wait_kind == WAIT_IOCP)
        {
            completion_port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1);
            CloseHandle(CreateThread(NULL, 0, completion_loop, NULL, 0, NULL));
        }
#endif
        listener = socket(AF_INET, SOCK_STREAM, 0);
        address.sin_port = htons((unsigned short)port);
        if (bind(listener, (struct sockaddr *)&address, sizeof(address)) || listen(listener, SOMAXCONN))
            return 1;
        getsockname(listener, (struct sockaddr *)&address, &length);
        printf("PORT %u\n", ntohs(address.sin_port));
        fflush(stdout);
        for (;;)
        {
            sock_t s = accept(listener, NULL, NULL);
            if (!nagle)
                no_delay(s);
#ifdef _WIN32
            if (wait_kind == WAIT_IOCP)
            {
                serve_overlapped(s);
                continue;
            }
#endif
            /* Never joined: the server runs until it is killed. */
            start_thread(serve, (void *)(size_t)s);
        }
    }
    if (argc == 7 && !strcmp(argv[1], "client"))
    {
        unsigned connections = atoi(argv[3]), i;
        thread_t *threads = calloc(connections ? connections : 1, sizeof(*threads));
        double start;
        size = atoi(argv[4]);
        depth = atoi(argv[5]);
        messages = atoi(argv[6]);
        address.sin_port = htons((unsigned short)atoi(argv[2]));
        start = now();
        for (i = 0; i < connections; i++)
        {
            sock_t s = socket(AF_INET, SOCK_STREAM, 0);
            if (connect(s, (struct sockaddr *)&address, sizeof(address)))
                return 1;
            no_delay(s);
            threads[i] = start_thread(client, (void *)(size_t)s);
        }
        for (i = 0; i < connections; i++)
            join_thread(threads[i]);
        free(threads);
        printf("%u connections x %u messages of %u B, depth %u: %.0f msgs/s%s\n", connections, messages,
               size, depth, connections * (double)messages / (now() - start), failed ? " (FAILED)" : "");
        return failed;
    }
    fprintf(stderr, "usage: tcp_echo server [PORT] [--buffer BYTES] [--wait blocking|event|iocp] [--nagle]\n"
                    "       tcp_echo client PORT CONNECTIONS SIZE DEPTH MESSAGES\n");
    return 2;
}
