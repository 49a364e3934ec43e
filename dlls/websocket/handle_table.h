/*
 * Handle table: handles that can be checked without trusting them
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

#ifndef WEBSOCKET_HANDLE_TABLE_H
#define WEBSOCKET_HANDLE_TABLE_H

#include <atomic>
#include <stdint.h>

#include "biased_lock.h"

namespace ws {

/*
 * A handle is not a pointer: it names a slot of a process-wide table and the
 * slot's generation.  A NULL, garbage, deleted or recycled handle is therefore
 * refused without reading freed memory.  Each slot carries the handle's lock,
 * which outlives the handle (slots are never freed): every call on a handle
 * runs holding it, and a Delete racing a call on another thread waits for
 * that call to return before the object is destroyed.  The lock is biased to
 * the thread that created the handle (biased_lock.h).
 */

typedef void (*handle_destroy_fn)(void *object);

/* A slot of the table. */
struct handle_slot
{
    biased_lock lock;
    uintptr_t live;             /* under lock: the handle while it is live, else 0 */
    uintptr_t generation;       /* under lock: of the slot's next handle */
    void *object;               /* under lock */
    handle_destroy_fn destroy;  /* under lock */
    uint32_t next_free;         /* under the table's lock */
};

/* What a successful handle_lock took, for handle_unlock. */
struct handle_held
{
    handle_slot *slot;
    thread_owner *biased;
};

/* Registers object (not nullptr); returns its handle, or 0 when the table is full or out of memory. */
uintptr_t handle_insert(void *object, handle_destroy_fn destroy);

/* Closes a live handle: once the call holding its lock (if any) returns, the
 * object is destroyed and later handle_lock calls fail.  False when the
 * handle was not live. */
bool handle_close(uintptr_t handle);

namespace handle_layout {

/* A handle packs [generation | index + 1].  Half the pointer width each: 32-bit builds have
 * 65535 slots and 16-bit generations, 64-bit builds 2^20 slots. */
constexpr unsigned gen_shift = sizeof(uintptr_t) * 4;
constexpr uintptr_t gen_max = (uintptr_t(1) << gen_shift) - 1;
constexpr uintptr_t index_mask = gen_max;
constexpr uint32_t chunk_slots = 256;
constexpr uint32_t max_slots = gen_shift == 32 ? (1u << 20) : uint32_t(gen_max) - 1;
constexpr uint32_t max_chunks = (max_slots + chunk_slots - 1) / chunk_slots;

/* Chunks are never freed or moved, so a slot, and its lock, can be reached
 * from any handle value at any time. */
extern std::atomic<handle_slot *> chunks[max_chunks];

inline handle_slot *find_slot(uint32_t index)
{
    if (index >= max_slots)  // GCOVR_EXCL_BR_LINE
        return nullptr;
    handle_slot *chunk = chunks[index / chunk_slots].load(std::memory_order_acquire);
    return chunk ? &chunk[index % chunk_slots] : nullptr;  // GCOVR_EXCL_BR_LINE
}

inline handle_slot *slot_of(uintptr_t handle)
{
    uintptr_t low = handle & index_mask;
    return low ? find_slot(uint32_t(low - 1)) : nullptr;  // GCOVR_EXCL_BR_LINE
}

/* Under the slot's lock: does handle name the live object in it? */
inline bool names_live(const handle_slot *s, uintptr_t handle)
{
    return s->live == handle;
}

} /* namespace handle_layout */

/* The object of a live handle with the handle's lock held (*held says
 * which), or nullptr (and no lock held).  Inline: every exported call on a
 * handle starts here. */
__attribute__((always_inline)) inline void *handle_lock(uintptr_t handle, handle_held *held)
{
    /* Branches counted once per exported function; tests/unit/test_handle_table.cpp
     * takes each outcome (GCOVR_EXCL_BR_LINE). */
    handle_slot *s = handle_layout::slot_of(handle);
    if (!s)  // GCOVR_EXCL_BR_LINE
        return nullptr;
    thread_owner *biased = s->lock.lock();
    if (handle_layout::names_live(s, handle))  // GCOVR_EXCL_BR_LINE
    {
        held->slot = s;
        held->biased = biased;
        return s->object;
    }
    s->lock.unlock(biased);
    return nullptr;
}

/* Releases the lock taken by a successful handle_lock. */
__attribute__((always_inline)) inline void handle_unlock(const handle_held &held)
{
    held.slot->lock.unlock(held.biased);
}

} /* namespace ws */

#endif /* WEBSOCKET_HANDLE_TABLE_H */
