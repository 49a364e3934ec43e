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
/* Wait for the next connection; *peer gets "address:port".  The listener's
 * backlog is the system's largest, so a burst of connections waits in it. */
socket_t net_accept(socket_t listener, std::string *peer, std::string *error);
socket_t net_connect(const char *host, uint16_t port, std::string *error);

/* One send()/recv(): the bytes moved, 0 for end of stream (recv), -1 on error. */
long net_send(socket_t s, const void *data, size_t length);
long net_recv(socket_t s, void *data, size_t length);
/* One gathering send (sendmsg, WSASend) of count pieces in order: the bytes
 * moved or -1.  Under Wine every socket call is a round trip to wineserver,
 * so a frame's header and payload go in one call, not two. */
struct net_piece
{
    const void *data;
    size_t length;
};
long net_send_pieces(socket_t s, const net_piece *pieces, size_t count);
/* net_recv fails (-1) after ms milliseconds without data; 0: wait for ever. */
void net_set_receive_timeout(socket_t s, unsigned ms);
/* Like net_set_receive_timeout, for net_send. */
void net_set_send_timeout(socket_t s, unsigned ms);
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
/* A thread nobody joins, one per connection of a server: its stack is sized
 * per platform (see there). */
bool thread_start_detached(void (*fn)(void *), void *arg);

/* A plain non-recursive lock. */
struct lock;
lock *lock_create();
void lock_acquire(lock *l);
/* Takes the lock only if it is free at once. */
bool lock_try_acquire(lock *l);
void lock_release(lock *l);
void lock_destroy(lock *l);

/* A condition variable used with a lock. */
struct condition;
condition *condition_create();
/* Releases l, sleeps until woken or ms milliseconds passed (0: no limit),
 * takes l again; false on time-out.  Wakes may be spurious: check the state. */
bool condition_wait(condition *c, lock *l, unsigned ms);
void condition_wake_all(condition *c);
void condition_destroy(condition *c);

/* Milliseconds from an arbitrary start; never goes back. */
uint64_t clock_ms();

/* fn runs once, on a thread of its own, when the process is asked to stop:
 * SIGINT or SIGTERM on POSIX, a console Ctrl-C, Ctrl-Break or close on
 * Windows.  Call it before starting any thread (POSIX blocks the signals in
 * every thread started after). */
bool on_stop_request(void (*fn)());

/* A long-running server's heap: large blocks go back to the system when
 * freed (none kept in the heap after a peak), and heap_trim gives back what
 * the heap holds free, for when the server has gone idle. */
void heap_setup_for_server();
void heap_trim();

/* The resident set of this process in bytes (the working set on Windows). */
size_t process_rss();
/* Bytes of the heap in blocks allocated and not freed (0 where unknown). */
size_t heap_in_use();

/* Standard input and output carry bytes unchanged (no CRLF translation). */
void stdio_binary();

/* Flush stdout and stderr and end the process now, whatever other threads do.
 * A LeakSanitizer build checks for leaks first (_exit skips its atexit check). */
[[noreturn]] void process_exit(int code);

} /* namespace wsecho */

#endif /* WSECHO_PLATFORM_H */
