/*
 * wsecho: the platform seam on POSIX (BSD sockets, pthreads)
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

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
# define WSECHO_LEAK_CHECK 1
#elif defined(__has_feature)
# if __has_feature(address_sanitizer) || __has_feature(leak_sanitizer)
#  define WSECHO_LEAK_CHECK 1
# endif
#endif
#ifdef WSECHO_LEAK_CHECK
# include <sanitizer/lsan_interface.h>
#endif

namespace wsecho {

bool platform_init(std::string *)
{
    /* A peer that goes away must give an error from send(), not a signal. */
    signal(SIGPIPE, SIG_IGN);
    return true;
}

static std::string errno_text(const char *what)
{
    return std::string(what) + ": " + strerror(errno);
}

static socket_t open_address(const char *host, uint16_t port, bool passive, uint16_t *bound_port,
        std::string *error)
{
    struct addrinfo hints, *list = nullptr;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = passive ? AI_PASSIVE : 0;
    char service[8];
    snprintf(service, sizeof(service), "%u", unsigned(port));
    int rc = getaddrinfo(host, service, &hints, &list);
    if (rc)
    {
        *error = std::string("cannot resolve ") + host + ": " + gai_strerror(rc);
        return NO_SOCKET;
    }
    int fd = -1;
    *error = std::string("no address for ") + host;
    for (struct addrinfo *ai = list; ai; ai = ai->ai_next)
    {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0)
        {
            *error = errno_text("socket");
            continue;
        }
        int one = 1;
        if (passive)
        {
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
            if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, SOMAXCONN) == 0)
                break;
            *error = errno_text("bind/listen");
        }
        else
        {
            if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
            {
                setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
                break;
            }
            *error = errno_text("connect");
        }
        close(fd);
        fd = -1;
    }
    freeaddrinfo(list);
    if (fd >= 0 && bound_port)
    {
        struct sockaddr_storage address;
        socklen_t length = sizeof(address);
        getsockname(fd, reinterpret_cast<struct sockaddr *>(&address), &length);
        *bound_port = address.ss_family == AF_INET6
            ? ntohs(reinterpret_cast<struct sockaddr_in6 *>(&address)->sin6_port)
            : ntohs(reinterpret_cast<struct sockaddr_in *>(&address)->sin_port);
    }
    return fd;
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
    struct sockaddr_storage address;
    socklen_t length = sizeof(address);
    int fd;
    do
        fd = accept(int(listener), reinterpret_cast<struct sockaddr *>(&address), &length);
    while (fd < 0 && errno == EINTR);
    if (fd < 0)
    {
        *error = errno_text("accept");
        return NO_SOCKET;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    char host[NI_MAXHOST], service[NI_MAXSERV];
    if (getnameinfo(reinterpret_cast<struct sockaddr *>(&address), length, host, sizeof(host),
                    service, sizeof(service), NI_NUMERICHOST | NI_NUMERICSERV) == 0)
        *peer = std::string(host) + ":" + service;
    else
        *peer = "?";
    return fd;
}

long net_send(socket_t s, const void *data, size_t length)
{
    ssize_t n;
    do
        n = send(int(s), data, length, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return long(n);
}

long net_send_pieces(socket_t s, const net_piece *pieces, size_t count)
{
    struct iovec vectors[8];
    struct msghdr message;
    memset(&message, 0, sizeof(message));
    if (count > 8)
        count = 8;
    for (size_t i = 0; i < count; i++)
    {
        vectors[i].iov_base = const_cast<void *>(pieces[i].data);
        vectors[i].iov_len = pieces[i].length;
    }
    message.msg_iov = vectors;
    message.msg_iovlen = count;
    ssize_t n;
    do
        n = sendmsg(int(s), &message, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return long(n);
}

long net_recv(socket_t s, void *data, size_t length)
{
    ssize_t n;
    do
        n = recv(int(s), data, length, 0);
    while (n < 0 && errno == EINTR);
    return long(n);
}

void net_set_receive_timeout(socket_t s, unsigned ms)
{
    struct timeval timeout = { time_t(ms / 1000), suseconds_t((ms % 1000) * 1000) };
    setsockopt(int(s), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
}

void net_set_send_timeout(socket_t s, unsigned ms)
{
    struct timeval timeout = { time_t(ms / 1000), suseconds_t((ms % 1000) * 1000) };
    setsockopt(int(s), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
}

void net_shutdown(socket_t s)
{
    shutdown(int(s), SHUT_RDWR);
}

void net_shutdown_send(socket_t s)
{
    shutdown(int(s), SHUT_WR);
}

void net_close(socket_t s)
{
    if (s != NO_SOCKET)
        close(int(s));
}

std::string net_error()
{
    return strerror(errno);
}

struct thread
{
    pthread_t id;
    void (*fn)(void *);
    void *arg;
};

static void *thread_main(void *param)
{
    thread *t = static_cast<thread *>(param);
    t->fn(t->arg);
    return nullptr;
}

thread *thread_start(void (*fn)(void *), void *arg)
{
    thread *t = new thread;
    t->fn = fn;
    t->arg = arg;
    if (pthread_create(&t->id, nullptr, thread_main, t))
    {
        delete t;
        return nullptr;
    }
    return t;
}

void thread_join(thread *t)
{
    pthread_join(t->id, nullptr);
    delete t;
}

/* The default stack (8 MiB of address space, of which a connection touches
 * a few KiB): glibc keeps the stacks of ended threads for reuse up to 40 MiB
 * in all, and with pages resident near their top, so smaller stacks would
 * leave hundreds of them behind after a burst of connections. */
bool thread_start_detached(void (*fn)(void *), void *arg)
{
    thread *t = new thread;
    t->fn = fn;
    t->arg = arg;
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    bool ok = pthread_create(&t->id, &attributes, [](void *param) -> void * {
        thread *self = static_cast<thread *>(param);
        void (*fn)(void *) = self->fn;
        void *arg = self->arg;
        delete self;
        fn(arg);
        return nullptr;
    }, t) == 0;
    pthread_attr_destroy(&attributes);
    if (!ok)
        delete t;
    return ok;
}

struct lock
{
    pthread_mutex_t mutex;
};

lock *lock_create()
{
    lock *l = new lock;
    pthread_mutex_init(&l->mutex, nullptr);
    return l;
}

void lock_acquire(lock *l)
{
    pthread_mutex_lock(&l->mutex);
}

bool lock_try_acquire(lock *l)
{
    return pthread_mutex_trylock(&l->mutex) == 0;
}

void lock_release(lock *l)
{
    pthread_mutex_unlock(&l->mutex);
}

void lock_destroy(lock *l)
{
    pthread_mutex_destroy(&l->mutex);
    delete l;
}

struct condition
{
    pthread_cond_t cond;
};

condition *condition_create()
{
    condition *c = new condition;
    /* Timed waits count on the monotonic clock, as clock_ms does. */
    pthread_condattr_t attributes;
    pthread_condattr_init(&attributes);
    pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC);
    pthread_cond_init(&c->cond, &attributes);
    pthread_condattr_destroy(&attributes);
    return c;
}

bool condition_wait(condition *c, lock *l, unsigned ms)
{
    if (!ms)
        return pthread_cond_wait(&c->cond, &l->mutex) == 0;
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += long(ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L)
    {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    return pthread_cond_timedwait(&c->cond, &l->mutex, &until) == 0;
}

void condition_wake_all(condition *c)
{
    pthread_cond_broadcast(&c->cond);
}

void condition_destroy(condition *c)
{
    pthread_cond_destroy(&c->cond);
    delete c;
}

uint64_t clock_ms()
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return uint64_t(now.tv_sec) * 1000 + uint64_t(now.tv_nsec) / 1000000;
}

static void (*stop_handler)();

/* Signals are taken by sigwait on this thread, not by a handler interrupting
 * any thread: fn may then take locks and make any call. */
static void *stop_thread(void *param)
{
    sigset_t *signals = static_cast<sigset_t *>(param);
    int number = 0;
    sigwait(signals, &number);
    stop_handler();
    /* A second request ends the process at once. */
    sigwait(signals, &number);
    process_exit(1);
}

bool on_stop_request(void (*fn)())
{
    static sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    if (pthread_sigmask(SIG_BLOCK, &signals, nullptr))
        return false;
    stop_handler = fn;
    pthread_t id;
    if (pthread_create(&id, nullptr, stop_thread, &signals))
        return false;
    pthread_detach(id);
    return true;
}

void heap_setup_for_server()
{
#ifdef __GLIBC__
    /* glibc raises its mmap threshold after each large free, so the next
     * large message buffers stay in the heap for good: pin it. */
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    mallopt(M_TRIM_THRESHOLD, 256 * 1024);
    /* One heap for all threads: a thread per connection would otherwise
     * spread over up to 8 heaps a core, each keeping its peak.  Connection
     * threads allocate only when a connection starts or a message outgrows
     * its buffer, so they seldom meet on the heap's lock. */
    mallopt(M_ARENA_MAX, 1);
#endif
}

void heap_trim()
{
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}

size_t heap_in_use()
{
#ifdef __GLIBC__
    return mallinfo2().uordblks;
#else
    return 0;
#endif
}

size_t process_rss()
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long size = 0, resident = 0;
    if (!f)
        return 0;
    if (fscanf(f, "%lu %lu", &size, &resident) != 2)
        resident = 0;
    fclose(f);
    return size_t(resident) * size_t(sysconf(_SC_PAGESIZE));
}

void stdio_binary()
{
}

void process_exit(int code)
{
    fflush(stdout);
    fflush(stderr);
#ifdef WSECHO_LEAK_CHECK
    /* Memory still used by a live thread (a sender blocked reading standard
     * input) is reachable from its stack, so only real leaks are reported. */
    __lsan_do_leak_check();
#endif
    _exit(code);
}

} /* namespace wsecho */
