/*
 * Platform seam: the per-handle lock
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

#ifndef WEBSOCKET_LOCK_H
#define WEBSOCKET_LOCK_H

#ifdef _WIN32
#include <windows.h>
#else
#include <pthread.h>
#endif

namespace ws {

/* A plain non-recursive mutex: SRWLOCK on Windows (no kernel object, nothing
 * to free), a pthread mutex elsewhere.  Neither allocates. */
class mutex
{
public:
#ifdef _WIN32
    mutex() { InitializeSRWLock(&lock_); }
    void lock() { AcquireSRWLockExclusive(&lock_); }
    void unlock() { ReleaseSRWLockExclusive(&lock_); }
private:
    SRWLOCK lock_;
#else
    mutex() { pthread_mutex_init(&lock_, nullptr); }
    ~mutex() { pthread_mutex_destroy(&lock_); }
    void lock() { pthread_mutex_lock(&lock_); }
    void unlock() { pthread_mutex_unlock(&lock_); }
private:
    pthread_mutex_t lock_;
#endif
public:
    mutex(const mutex &) = delete;
    mutex &operator=(const mutex &) = delete;
};

class lock_guard
{
public:
    explicit lock_guard(mutex &m) : m_(m) { m_.lock(); }
    ~lock_guard() { m_.unlock(); }
    lock_guard(const lock_guard &) = delete;
    lock_guard &operator=(const lock_guard &) = delete;
private:
    mutex &m_;
};

} /* namespace ws */

#endif /* WEBSOCKET_LOCK_H */
