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

#include <atomic>
#include <stdint.h>

#include "callee_abi.h"

#if defined(__GLIBC__) && defined(__has_include)
#if __has_include(<sys/single_threaded.h>)
#include <sys/single_threaded.h>
#define WS_HAVE_SINGLE_THREADED 1
#endif
#endif

namespace ws {

/*
 * A plain non-recursive mutex in one 32-bit word: 0 free, 1 held, 2 held
 * with (possibly) a sleeper.  Taking and releasing an uncontended lock is one
 * atomic instruction each and calls nothing; only a contended lock waits, on
 * the word itself (WaitOnAddress on Windows, a futex on Linux).  It neither
 * allocates nor needs destroying, and all-zero memory is a free lock.
 *
 * Not SRWLOCK: every ReleaseSRWLockExclusive of Wine 8 wakes through
 * RtlWakeAddressAll (a hashed, spin-locked lookup) even with nobody waiting,
 * which was half the time of a 16-byte message under Wine.  And, like glibc's
 * own mutexes, no atomic instructions while the process has a single thread:
 * nothing can race then, and a second thread only starts after a barrier.
 */
class mutex
{
public:
    constexpr mutex() : state_(0) {}
    void lock()
    {
        uint32_t expected = 0;
        if (only_thread() && state_.load(std::memory_order_relaxed) == 0)
            state_.store(1, std::memory_order_relaxed);
        else if (!state_.compare_exchange_strong(expected, 1, std::memory_order_acquire,
                                                 std::memory_order_relaxed))
            lock_contended();
    }
    void unlock()
    {
        if (only_thread())
            state_.store(0, std::memory_order_relaxed);
        else if (state_.exchange(0, std::memory_order_release) == 2)
            wake_one();
    }
    mutex(const mutex &) = delete;
    mutex &operator=(const mutex &) = delete;

private:
    static bool only_thread()
    {
#ifdef WS_HAVE_SINGLE_THREADED
        return __libc_single_threaded;
#else
        return false;
#endif
    }
    WS_EXPORT_CALLEE void lock_contended();
    WS_EXPORT_CALLEE void wake_one();
    std::atomic<uint32_t> state_;
};

/* The waits hand the word's address to the system as a plain 32-bit integer. */
static_assert(sizeof(std::atomic<uint32_t>) == 4 && std::atomic<uint32_t>::is_always_lock_free,
              "a lock word is a lock-free 32-bit integer");

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
