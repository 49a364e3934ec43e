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

namespace handle_layout {

std::atomic<handle_slot *> chunks[max_chunks];

} /* namespace handle_layout */

using namespace handle_layout;

namespace {

constexpr uint32_t no_slot = ~0u;

mutex table_lock;
uint32_t free_head = no_slot;   /* under table_lock */
uint32_t slots_made;            /* under table_lock */

} /* namespace */

uintptr_t handle_insert(void *object, handle_destroy_fn destroy)
{
    uint32_t index;
    handle_slot *s;
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
                void *memory = calloc(chunk_slots, sizeof(handle_slot));
                if (!memory)
                    return 0;
                handle_slot *chunk = static_cast<handle_slot *>(memory);
                for (uint32_t i = 0; i < chunk_slots; i++)
                {
                    new (&chunk[i].lock) biased_lock;
                    chunk[i].generation = 1;
                }
                chunks[index / chunk_slots].store(chunk, std::memory_order_release);
            }
            slots_made++;
            s = find_slot(index);
        }
    }
    /* A stale handle of this slot may be looking at it: change it under its
     * lock.  A free slot is never biased (handle_close clears it), so this
     * takes the word, and may bias the lock to this thread. */
    thread_owner *biased = s->lock.lock();
    s->object = object;
    s->destroy = destroy;
    uintptr_t handle = (s->generation << gen_shift) | (uintptr_t(index) + 1);
    s->live = handle;
    s->lock.bias_to_caller();
    s->lock.unlock(biased);
    return handle;
}

bool handle_close(uintptr_t handle)
{
    handle_held held;
    void *object = handle_lock(handle, &held);
    if (!object)
        return false;
    handle_slot *s = held.slot;
    handle_destroy_fn destroy = s->destroy;
    s->object = nullptr;
    /* The next generation: this handle, and any copy of it, is refused from now on. */
    s->live = 0;
    s->generation = s->generation == gen_max ? 1 : s->generation + 1;
    /* The next handle in this slot is biased to whoever creates it. */
    s->lock.unbias();
    handle_unlock(held);
    /* Unreachable now: destroyed outside the slot's lock, recycled after. */
    destroy(object);
    lock_guard guard(table_lock);
    s->next_free = free_head;
    free_head = uint32_t((handle & index_mask) - 1);
    return true;
}

} /* namespace ws */
