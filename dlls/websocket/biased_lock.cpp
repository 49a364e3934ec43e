/*
 * The per-handle lock: taking it by the word, and revoking a bias
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

#include "biased_lock.h"

#ifdef _WIN32
#include <windows.h>
#else
#include <sched.h>
#endif

namespace ws {

namespace {

void yield_processor(unsigned round)
{
    if (round < 64)
    {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
        return;
    }
#ifdef _WIN32
    SwitchToThread();
#else
    sched_yield();
#endif
}

} /* namespace */

WS_EXPORT_CALLEE void biased_lock::lock_word()
{
    word_.lock();
    thread_owner *owner = bias_.load(std::memory_order_acquire);
    if (!owner || owner == current_thread_owner())
        return;
    /* Revoke: from here on the owner takes the word like everyone else.  It
     * may be inside now (a call of at most a few microseconds, which never
     * waits for anything) or about to look at bias_ again. */
    bias_.store(nullptr, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_seq_cst);
    process_wide_barrier();
    for (unsigned round = 0; owner->inside.load(std::memory_order_acquire) == this; round++)
        yield_processor(round);
}

} /* namespace ws */
