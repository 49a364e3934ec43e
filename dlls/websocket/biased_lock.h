/*
 * The per-handle lock: biased to one thread, a word lock for the rest
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

#ifndef WEBSOCKET_BIASED_LOCK_H
#define WEBSOCKET_BIASED_LOCK_H

#include <atomic>

#include "lock.h"
#include "thread_owner.h"

namespace ws {

/*
 * A message is about ten exported calls, each under its handle's lock, and
 * most programs drive a handle from the thread that made it.  Two atomic
 * instructions a call were half of a small message's time, so a handle's lock
 * is biased to the thread that created the handle: that thread takes and
 * releases it with plain stores.  Any other thread takes the word lock and,
 * the first time, revokes the bias; the lock then stays a word lock until the
 * handle is deleted.  The next handle in the slot is biased to its creator.
 *
 * The protocol (T the owner, the thread whose record bias_ names; R any other):
 *   T takes:   T.inside = this; compiler fence; if bias_ is still T, T holds
 *              the lock; otherwise T.inside = nullptr and T takes the word.
 *   T releases: T.inside = nullptr (a release store).
 *   R takes:   the word; then, if bias_ names T: bias_ = nullptr; a
 *              process-wide barrier; wait while T.inside == this.
 *   bias_ is set (to the creator) only by a holder of the word, and cleared
 *   only by a holder of the lock, who then holds it by the word from then on.
 *
 * Invariant: while T is inside through the bias, no other thread holds the
 * lock; while R holds the word after revoking, T is not inside and cannot
 * enter.
 * Why it holds: T's entry and R's revocation are a Dekker pair, T storing
 * inside and then loading bias_, R storing bias_ and then loading inside.
 * T has no fence between its two (that is the saving); R's process-wide
 * barrier (membarrier, FlushProcessWriteBuffers) acts as a full fence on
 * every running thread at some point of its instruction stream, so either
 * T's store is visible to R's load (R waits for T's release) or T's load
 * comes after the barrier and sees bias_ cleared (T backs out).
 * inside lives in T's own record, never in the lock: a thread that read bias_
 * as itself long ago and was preempted before storing inside can only write
 * its own record and then sees bias_ changed and backs out, so a lock that
 * has since been revoked and biased to another thread is untouched by it.
 * Only T itself can make bias_ name T again, so T never finds its own name
 * there from a stale read.
 */
class biased_lock
{
public:
    constexpr biased_lock() : bias_(nullptr), word_() {}

    /* Returns the caller's record when it took the lock through the bias,
     * nullptr when it took the word: pass it back to unlock(). */
    __attribute__((always_inline)) thread_owner *lock()
    {
        thread_owner *self = current_thread_owner();
        /* Branch outcomes of this inline path are counted once per exported
         * function; tests/lock takes each of them (GCOVR_EXCL_BR_LINE). */
        if (self && bias_.load(std::memory_order_relaxed) == self)  // GCOVR_EXCL_BR_LINE
        {
            self->inside.store(this, std::memory_order_relaxed);
            std::atomic_signal_fence(std::memory_order_seq_cst);
            if (bias_.load(std::memory_order_acquire) == self)  // GCOVR_EXCL_BR_LINE
                return self;
            /* Only when a revocation lands between the two loads: timing. */
            self->inside.store(nullptr, std::memory_order_release);  // GCOVR_EXCL_LINE
        }
        lock_word();
        return nullptr;
    }

    __attribute__((always_inline)) void unlock(thread_owner *biased)
    {
        if (biased)  // GCOVR_EXCL_BR_LINE
            biased->inside.store(nullptr, std::memory_order_release);
        else
            word_.unlock();
    }

    /* Holding the lock by the word: biases it to the calling thread (when it
     * has, or can have, a record). */
    void bias_to_caller()
    {
        bias_.store(make_current_thread_owner(), std::memory_order_relaxed);
    }

    /* Holding the lock either way: no thread is favoured from now on.  The
     * holder releases it as it took it. */
    void unbias() { bias_.store(nullptr, std::memory_order_release); }

    /* For tests: is the lock biased to the calling thread? */
    bool biased_to_caller() const
    {
        thread_owner *self = current_thread_owner();
        return self && bias_.load(std::memory_order_relaxed) == self;  // GCOVR_EXCL_BR_LINE
    }

    biased_lock(const biased_lock &) = delete;
    biased_lock &operator=(const biased_lock &) = delete;

private:
    WS_EXPORT_CALLEE void lock_word();
    std::atomic<thread_owner *> bias_;
    mutex word_;
};

} /* namespace ws */

#endif /* WEBSOCKET_BIASED_LOCK_H */
