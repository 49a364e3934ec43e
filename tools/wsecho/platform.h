/*
 * wsecho: the platform seam (sockets, threads, a lock, process exit)
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

/* Everything here has one implementation per platform: platform_posix.cpp
 * (BSD sockets, pthreads) and platform_win32.cpp (Winsock 2, Win32 threads).
 * No Windows or POSIX type crosses this header, so the WebSocket code above it
 * is the same on both. */

#ifndef WSECHO_PLATFORM_H
#define WSECHO_PLATFORM_H

#include <stddef.h>
#include <stdint.h>
#include <string>

namespace wsecho {

/* A connected or listening TCP socket; -1 when there is none. */
typedef intptr_t socket_t;
constexpr socket_t NO_SOCKET = -1;

/* Once per process, before any other call. */
bool platform_init(std::string *error);

/* Listen on host:port (port 0: any free port); *bound_port gets the port used. */
socket_t net_listen(const char *host, uint16_t port, uint16_t *bound_port, std::string *error);
/* Wait for the next connection; *peer gets "address:port". */
socket_t net_accept(socket_t listener, std::string *peer, std::string *error);
socket_t net_connect(const char *host, uint16_t port, std::string *error);

/* One send()/recv(): the bytes moved, 0 for end of stream (recv), -1 on error. */
long net_send(socket_t s, const void *data, size_t length);
long net_recv(socket_t s, void *data, size_t length);
/* net_recv fails (-1) after ms milliseconds without data; 0: wait for ever. */
void net_set_receive_timeout(socket_t s, unsigned ms);
/* Both directions: wakes a thread blocked in net_recv on the same socket. */
void net_shutdown(socket_t s);
/* Our direction only: the peer reads the end of the stream, we can still read. */
void net_shutdown_send(socket_t s);
void net_close(socket_t s);
/* The last socket error of this thread, as text. */
std::string net_error();

/* A thread running fn(arg); joined once. */
struct thread;
thread *thread_start(void (*fn)(void *), void *arg);
void thread_join(thread *t);

/* A plain non-recursive lock. */
struct lock;
lock *lock_create();
void lock_acquire(lock *l);
void lock_release(lock *l);
void lock_destroy(lock *l);

void sleep_ms(unsigned ms);

/* Standard input and output carry bytes unchanged (no CRLF translation). */
void stdio_binary();

/* Flush stdout and stderr and end the process now, whatever other threads do.
 * A LeakSanitizer build checks for leaks first (_exit skips its atexit check). */
[[noreturn]] void process_exit(int code);

} /* namespace wsecho */

#endif /* WSECHO_PLATFORM_H */
