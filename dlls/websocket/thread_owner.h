/*
 * Platform seam: a record per thread for biased locks, and the process-wide
 * barrier that revokes a bias
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

#ifndef WEBSOCKET_THREAD_OWNER_H
#define WEBSOCKET_THREAD_OWNER_H

#include <atomic>
#include <stddef.h>

namespace ws {

/*
 * A thread's record.  Records are never freed, so a lock may read the record
 * of a thread that has ended; when a thread ends its record goes back to a
 * pool, and the next thread to take it also takes over the biases it still
 * has (the thread that held them is gone, so nobody else is inside).
 */
struct alignas(64) thread_owner
{
    /* The lock held through its bias; written by its thread only.  A cache
     * line each: another thread's record beside it would be written on every
     * call too. */
    std::atomic<const void *> inside{nullptr};
    thread_owner *next_free = nullptr;   /* in the pool */
};

#ifdef _WIN32
/* The calling thread's record, or nullptr when it has none. */
thread_owner *current_thread_owner();
#else
extern __thread thread_owner *current_owner_tls __attribute__((tls_model("initial-exec")));
inline thread_owner *current_thread_owner() { return current_owner_tls; }
#endif

/* The calling thread's record, made if it has none; nullptr when none can be
 * had (out of memory, or no process-wide barrier on this system). */
thread_owner *make_current_thread_owner();

/* A full memory barrier on every thread of the process that is running
 * (membarrier on Linux, FlushProcessWriteBuffers on Windows): after it
 * returns, whatever any thread stored before it is visible to the caller,
 * and any thread's load after it sees what the caller stored before it. */
void process_wide_barrier();

/* For tests: records held by threads (an ending thread gives its record back). */
size_t thread_owners_in_use();

} /* namespace ws */

#endif /* WEBSOCKET_THREAD_OWNER_H */
