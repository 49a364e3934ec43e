/*
 * wsecho: the platform seam on Windows (Winsock 2, Win32 threads)
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

#include "platform.h"

#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#define PSAPI_VERSION 2  /* K32GetProcessMemoryInfo, in kernel32 */
#include <psapi.h>

#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>
#include <malloc.h>

namespace wsecho {

static std::string error_text(DWORD code)
{
    char text[256];
    DWORD length = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
                                  nullptr, code, 0, text, sizeof(text), nullptr);
    while (length && (text[length - 1] == '\r' || text[length - 1] == '\n' || text[length - 1] == ' '))
        length--;
    char number[32];
    snprintf(number, sizeof(number), "error %lu", static_cast<unsigned long>(code));
    return length ? std::string(text, length) + " (" + number + ")" : std::string(number);
}

bool platform_init(std::string *error)
{
    WSADATA data;
    int rc = WSAStartup(MAKEWORD(2, 2), &data);
    if (rc)
    {
        *error = "WSAStartup: " + error_text(DWORD(rc));
        return false;
    }
    return true;
}

static socket_t open_address(const char *host, uint16_t port, bool passive, uint16_t *bound_port,
        std::string *error)
{
    ADDRINFOA hints, *list = nullptr;
    ZeroMemory(&hints, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    hints.ai_flags = passive ? AI_PASSIVE : 0;
    char service[8];
    snprintf(service, sizeof(service), "%u", unsigned(port));
    int rc = getaddrinfo(host, service, &hints, &list);
    if (rc)
    {
        *error = std::string("cannot resolve ") + host + ": " + error_text(DWORD(rc));
        return NO_SOCKET;
    }
    SOCKET s = INVALID_SOCKET;
    *error = std::string("no address for ") + host;
    for (ADDRINFOA *ai = list; ai; ai = ai->ai_next)
    {
        s = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (s == INVALID_SOCKET)
        {
            *error = "socket: " + error_text(WSAGetLastError());
            continue;
        }
        BOOL one = TRUE;
        if (passive)
        {
            /* Windows' SO_REUSEADDR lets others steal the port; exclusive use instead. */
            setsockopt(s, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, reinterpret_cast<const char *>(&one),
                       sizeof(one));
            if (bind(s, ai->ai_addr, int(ai->ai_addrlen)) == 0 && listen(s, SOMAXCONN) == 0)
                break;
            *error = "bind/listen: " + error_text(WSAGetLastError());
        }
        else
        {
            if (connect(s, ai->ai_addr, int(ai->ai_addrlen)) == 0)
            {
                setsockopt(s, IPPROTO_TCP, TCP_NODELAY, reinterpret_cast<const char *>(&one),
                           sizeof(one));
                break;
            }
            *error = "connect: " + error_text(WSAGetLastError());
        }
        closesocket(s);
        s = INVALID_SOCKET;
    }
    freeaddrinfo(list);
    if (s == INVALID_SOCKET)
        return NO_SOCKET;
    if (bound_port)
    {
        SOCKADDR_STORAGE address;
        int length = sizeof(address);
        getsockname(s, reinterpret_cast<SOCKADDR *>(&address), &length);
        *bound_port = address.ss_family == AF_INET6
            ? ntohs(reinterpret_cast<SOCKADDR_IN6 *>(&address)->sin6_port)
            : ntohs(reinterpret_cast<SOCKADDR_IN *>(&address)->sin_port);
    }
    return socket_t(s);
}

socket_t net_listen(const char *host, uint16_t port, uint16_t *bound_port, std::string *error)
{
    return open_address(host, port, true, bound_port, error);
}

socket_t net_connect(const char *host, uint16_t port, std::string *error)
{
    return open_address(host, port, false, nullptr, error);
}

socket_t net_accept(socket_t listener, std::string *peer, std::string *error)
{
    SOCKADDR_STORAGE address;
    int length = sizeof(address);
    SOCKET s = accept(SOCKET(listener), reinterpret_cast<SOCKADDR *>(&address), &length);
    if (s == INVALID_SOCKET)
    {
        *error = "accept: " + error_text(WSAGetLastError());
        return NO_SOCKET;
    }
    BOOL one = TRUE;
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, reinterpret_cast<const char *>(&one), sizeof(one));
    char host[NI_MAXHOST], service[NI_MAXSERV];
    if (getnameinfo(reinterpret_cast<SOCKADDR *>(&address), length, host, sizeof(host), service,
                    sizeof(service), NI_NUMERICHOST | NI_NUMERICSERV) == 0)
        *peer = std::string(host) + ":" + service;
    else
        *peer = "?";
    return socket_t(s);
}

long net_send(socket_t s, const void *data, size_t length)
{
    int chunk = length > 0x40000000 ? 0x40000000 : int(length);
    int n = send(SOCKET(s), static_cast<const char *>(data), chunk, 0);
    return n == SOCKET_ERROR ? -1 : long(n);
}

long net_send_pieces(socket_t s, const net_piece *pieces, size_t count)
{
    WSABUF buffers[8];
    if (count > 8)
        count = 8;
    for (size_t i = 0; i < count; i++)
    {
        buffers[i].buf = static_cast<char *>(const_cast<void *>(pieces[i].data));
        buffers[i].len = pieces[i].length > 0x40000000 ? 0x40000000 : ULONG(pieces[i].length);
    }
    DWORD sent = 0;
    if (WSASend(SOCKET(s), buffers, DWORD(count), &sent, 0, nullptr, nullptr) == SOCKET_ERROR)
        return -1;
    return long(sent);
}

long net_recv(socket_t s, void *data, size_t length)
{
    int chunk = length > 0x40000000 ? 0x40000000 : int(length);
    int n = recv(SOCKET(s), static_cast<char *>(data), chunk, 0);
    return n == SOCKET_ERROR ? -1 : long(n);
}

void net_set_receive_timeout(socket_t s, unsigned ms)
{
    DWORD timeout = ms;
    setsockopt(SOCKET(s), SOL_SOCKET, SO_RCVTIMEO, reinterpret_cast<const char *>(&timeout), sizeof(timeout));
}

void net_set_send_timeout(socket_t s, unsigned ms)
{
    DWORD timeout = ms;
    setsockopt(SOCKET(s), SOL_SOCKET, SO_SNDTIMEO, reinterpret_cast<const char *>(&timeout), sizeof(timeout));
}

void net_shutdown(socket_t s)
{
    shutdown(SOCKET(s), SD_BOTH);
}

void net_shutdown_send(socket_t s)
{
    shutdown(SOCKET(s), SD_SEND);
}

void net_close(socket_t s)
{
    if (s != NO_SOCKET)
        closesocket(SOCKET(s));
}

std::string net_error()
{
    return error_text(WSAGetLastError());
}

struct thread
{
    HANDLE handle;
    void (*fn)(void *);
    void *arg;
};

static DWORD WINAPI thread_main(void *param)
{
    thread *t = static_cast<thread *>(param);
    t->fn(t->arg);
    return 0;
}

thread *thread_start(void (*fn)(void *), void *arg)
{
    thread *t = new thread;
    t->fn = fn;
    t->arg = arg;
    t->handle = CreateThread(nullptr, 0, thread_main, t, 0, nullptr);
    if (!t->handle)
    {
        delete t;
        return nullptr;
    }
    return t;
}

void thread_join(thread *t)
{
    WaitForSingleObject(t->handle, INFINITE);
    CloseHandle(t->handle);
    delete t;
}

static DWORD WINAPI detached_thread_main(void *param)
{
    thread *self = static_cast<thread *>(param);
    void (*fn)(void *) = self->fn;
    void *arg = self->arg;
    delete self;
    fn(arg);
    return 0;
}

/* 256 KiB of address space, not the executable's 1 MiB default: a 32-bit
 * process has 2 GiB for a thousand connections' stacks. */
bool thread_start_detached(void (*fn)(void *), void *arg)
{
    const size_t stack_size = 256 * 1024;
    thread *t = new thread;
    t->fn = fn;
    t->arg = arg;
    HANDLE handle = CreateThread(nullptr, stack_size, detached_thread_main, t,
                                 STACK_SIZE_PARAM_IS_A_RESERVATION, nullptr);
    if (!handle)
    {
        delete t;
        return false;
    }
    CloseHandle(handle);
    return true;
}

struct lock
{
    SRWLOCK srw;
};

lock *lock_create()
{
    lock *l = new lock;
    InitializeSRWLock(&l->srw);
    return l;
}

void lock_acquire(lock *l)
{
    AcquireSRWLockExclusive(&l->srw);
}

bool lock_try_acquire(lock *l)
{
    return TryAcquireSRWLockExclusive(&l->srw) != 0;
}

void lock_release(lock *l)
{
    ReleaseSRWLockExclusive(&l->srw);
}

void lock_destroy(lock *l)
{
    delete l;
}

struct condition
{
    CONDITION_VARIABLE cv;
};

condition *condition_create()
{
    condition *c = new condition;
    InitializeConditionVariable(&c->cv);
    return c;
}

bool condition_wait(condition *c, lock *l, unsigned ms)
{
    return SleepConditionVariableSRW(&c->cv, &l->srw, ms ? DWORD(ms) : INFINITE, 0) != 0;
}

void condition_wake_all(condition *c)
{
    WakeAllConditionVariable(&c->cv);
}

void condition_destroy(condition *c)
{
    delete c;
}

uint64_t clock_ms()
{
    return GetTickCount64();
}

static void (*stop_handler)();
static volatile LONG stop_requests;

/* The system runs this on a thread of its own for each console event. */
static BOOL WINAPI console_event(DWORD event)
{
    if (event != CTRL_C_EVENT && event != CTRL_BREAK_EVENT && event != CTRL_CLOSE_EVENT)
        return FALSE;
    if (InterlockedIncrement(&stop_requests) == 1)
        stop_handler();
    else
        process_exit(1);  /* a second request ends the process at once */
    return TRUE;
}

bool on_stop_request(void (*fn)())
{
    stop_handler = fn;
    return SetConsoleCtrlHandler(console_event, TRUE) != 0;
}

void heap_setup_for_server()
{
    /* Windows' heaps give large blocks back to the system when freed. */
}

void heap_trim()
{
    _heapmin();
    HeapCompact(GetProcessHeap(), 0);
}

size_t heap_in_use()
{
    /* The C runtime's heap, where the DLL's and this program's blocks are. */
    _HEAPINFO entry;
    entry._pentry = nullptr;
    size_t used = 0;
    while (_heapwalk(&entry) == _HEAPOK)
        if (entry._useflag == _USEDENTRY)
            used += entry._size;
    return used;
}

size_t process_rss()
{
    PROCESS_MEMORY_COUNTERS counters;
    if (!K32GetProcessMemoryInfo(GetCurrentProcess(), &counters, sizeof(counters)))
        return 0;
    return counters.WorkingSetSize;
}

void stdio_binary()
{
    _setmode(_fileno(stdin), _O_BINARY);
    _setmode(_fileno(stdout), _O_BINARY);
}

void process_exit(int code)
{
    fflush(stdout);
    fflush(stderr);
    /* No C runtime shutdown: another thread may hold stdin's lock inside a read. */
    ExitProcess(UINT(code));
}

} /* namespace wsecho */
