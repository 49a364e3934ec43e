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

#include "handle_table.h"

#include <atomic>
#include <new>
#include <stdlib.h>

#include "lock.h"

namespace ws {

/* A slot of the table; a held lock is named by its slot. */
struct handle_held
{
    mutex lock;
    uintptr_t state;            /* under lock */
    void *object;               /* under lock */
    handle_destroy_fn destroy;  /* under lock */
    uint32_t next_free;         /* under table_lock */
};

namespace {

/* The slot's state packs [generation | alive]; the handle packs
 * [generation | index + 1].  Half the pointer width each: 32-bit builds have
 * 65535 slots and 16-bit generations, 64-bit builds 2^20 slots. */
constexpr unsigned gen_shift = sizeof(uintptr_t) * 4;
constexpr uintptr_t gen_max = (uintptr_t(1) << gen_shift) - 1;
constexpr uintptr_t alive_bit = 1;
constexpr uintptr_t index_mask = gen_max;
constexpr uint32_t chunk_slots = 256;
constexpr uint32_t max_slots = gen_shift == 32 ? (1u << 20) : uint32_t(gen_max) - 1;
constexpr uint32_t max_chunks = (max_slots + chunk_slots - 1) / chunk_slots;
constexpr uint32_t no_slot = ~0u;

using slot = handle_held;

/* Chunks are never freed or moved, so a slot, and its lock, can be reached
 * from any handle value at any time. */
std::atomic<slot *> chunks[max_chunks];
mutex table_lock;
uint32_t free_head = no_slot;
uint32_t slots_made;

slot *find_slot(uint32_t index)
{
    if (index >= max_slots)
        return nullptr;
    slot *chunk = chunks[index / chunk_slots].load(std::memory_order_acquire);
    return chunk ? &chunk[index % chunk_slots] : nullptr;
}

slot *slot_of(uintptr_t handle)
{
    uintptr_t low = handle & index_mask;
    return low ? find_slot(uint32_t(low - 1)) : nullptr;
}

uintptr_t generation(uintptr_t value)
{
    return value >> gen_shift;
}

/* Under the slot's lock: does handle name the live object in it? */
bool names_live(const slot *s, uintptr_t handle)
{
    return (s->state & alive_bit) && generation(s->state) == generation(handle);
}

} /* namespace */

uintptr_t handle_insert(void *object, handle_destroy_fn destroy)
{
    uint32_t index;
    slot *s;
    {
        lock_guard guard(table_lock);
        index = free_head;
        if (index != no_slot)
        {
            s = find_slot(index);
            free_head = s->next_free;
        }
        else
        {
            if (slots_made >= max_slots)
                return 0;  /* GCOVR_EXCL_LINE: the table full: 2^20 live handles */
            index = slots_made;
            if (!chunks[index / chunk_slots].load(std::memory_order_relaxed))
            {
                void *memory = calloc(chunk_slots, sizeof(slot));
                if (!memory)
                    return 0;
                slot *chunk = static_cast<slot *>(memory);
                for (uint32_t i = 0; i < chunk_slots; i++)
                {
                    new (&chunk[i].lock) mutex;
                    chunk[i].state = uintptr_t(1) << gen_shift;
                }
                chunks[index / chunk_slots].store(chunk, std::memory_order_release);
            }
            slots_made++;
            s = find_slot(index);
        }
    }
    /* A stale handle of this slot may be looking at it: change it under its lock. */
    lock_guard guard(s->lock);
    s->object = object;
    s->destroy = destroy;
    s->state |= alive_bit;
    return (generation(s->state) << gen_shift) | (uintptr_t(index) + 1);
}

void *handle_lock(uintptr_t handle, handle_held **held)
{
    slot *s = slot_of(handle);
    if (!s)
        return nullptr;
    s->lock.lock();
    if (names_live(s, handle))
    {
        *held = s;
        return s->object;
    }
    s->lock.unlock();
    return nullptr;
}

void handle_unlock(handle_held *held)
{
    held->lock.unlock();
}

bool handle_close(uintptr_t handle)
{
    slot *s = slot_of(handle);
    if (!s)
        return false;
    void *object;
    handle_destroy_fn destroy;
    {
        lock_guard guard(s->lock);
        if (!names_live(s, handle))
            return false;
        object = s->object;
        destroy = s->destroy;
        s->object = nullptr;
        /* The next generation: this handle, and any copy of it, is refused from now on. */
        uintptr_t gen = generation(s->state);
        s->state = (gen == gen_max ? 1 : gen + 1) << gen_shift;
    }
    /* Unreachable now: destroyed outside the slot's lock, recycled after. */
    destroy(object);
    lock_guard guard(table_lock);
    s->next_free = free_head;
    free_head = uint32_t((handle & index_mask) - 1);
    return true;
}

} /* namespace ws */
