/*
 * Platform seam: the per-handle lock, its waiting half
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

#include "lock.h"

#ifdef _WIN32
#include <windows.h>
#elif defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#else
#include <sched.h>
#endif

namespace ws {

namespace {

/* Sleeps while *word still holds value (it may also return spuriously). */
void wait_on(std::atomic<uint32_t> *word, uint32_t value)
{
#ifdef _WIN32
    WaitOnAddress(word, &value, sizeof(value), INFINITE);
#elif defined(__linux__)
    syscall(SYS_futex, reinterpret_cast<uint32_t *>(word), FUTEX_WAIT_PRIVATE, value, nullptr, nullptr, 0);
#else
    (void)word;
    (void)value;
    sched_yield();
#endif
}

} /* namespace */

WS_EXPORT_CALLEE void mutex::lock_contended()
{
    /* A short spin first: the holder is usually one call away from letting go. */
    for (int i = 0; i < 64; i++)
    {
        uint32_t expected = 0;
        if (state_.load(std::memory_order_relaxed) == 0
            && state_.compare_exchange_weak(expected, 1, std::memory_order_acquire, std::memory_order_relaxed))
            return;
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
    }
    /* Mark the lock as having a sleeper (2) so its release wakes one; whoever
     * takes it this way keeps the mark, as other sleepers may remain. */
    while (state_.exchange(2, std::memory_order_acquire) != 0)
        wait_on(&state_, 2);
}

WS_EXPORT_CALLEE void mutex::wake_one()
{
#ifdef _WIN32
    WakeByAddressSingle(&state_);
#elif defined(__linux__)
    syscall(SYS_futex, reinterpret_cast<uint32_t *>(&state_), FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
#endif
}

} /* namespace ws */
