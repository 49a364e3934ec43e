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
#include <stdlib.h>

#include "lock.h"

namespace ws {
namespace {

/* The slot word packs [generation | alive | references]; the handle packs
 * [generation | index + 1].  Half the pointer width each: 32-bit builds have
 * 65535 slots and 16-bit generations, 64-bit builds 2^20 slots. */
constexpr unsigned gen_shift = sizeof(uintptr_t) * 4;
constexpr uintptr_t gen_max = (uintptr_t(1) << gen_shift) - 1;
constexpr uintptr_t alive_bit = uintptr_t(1) << (gen_shift - 1);
constexpr uintptr_t refs_mask = alive_bit - 1;
constexpr uintptr_t index_mask = gen_max;
constexpr uint32_t chunk_slots = 256;
constexpr uint32_t max_slots = gen_shift == 32 ? (1u << 20) : uint32_t(gen_max) - 1;
constexpr uint32_t max_chunks = (max_slots + chunk_slots - 1) / chunk_slots;
constexpr uint32_t no_slot = ~0u;

struct slot
{
    std::atomic<uintptr_t> word;
    void *object;
    handle_destroy_fn destroy;
    uint32_t next_free;
};

/* Chunks are never freed or moved, so a slot can be read without the lock. */
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

uintptr_t generation(uintptr_t word)
{
    return word >> gen_shift;
}

/* Called with the last reference of a closed handle: destroy, then recycle the slot. */
void retire(slot *s, uint32_t index, uintptr_t gen)
{
    s->destroy(s->object);
    lock_guard guard(table_lock);
    s->object = nullptr;
    uintptr_t next_gen = gen == gen_max ? 1 : gen + 1;
    s->word.store(next_gen << gen_shift, std::memory_order_release);
    s->next_free = free_head;
    free_head = index;
}

} /* namespace */

uintptr_t handle_insert(void *object, handle_destroy_fn destroy)
{
    lock_guard guard(table_lock);
    uint32_t index = free_head;
    slot *s;
    if (index != no_slot)
    {
        s = find_slot(index);
        free_head = s->next_free;
    }
    else
    {
        if (slots_made >= max_slots)
            return 0;
        index = slots_made;
        if (!chunks[index / chunk_slots].load(std::memory_order_relaxed))
        {
            slot *chunk = static_cast<slot *>(calloc(chunk_slots, sizeof(slot)));
            if (!chunk)
                return 0;
            for (uint32_t i = 0; i < chunk_slots; i++)
                chunk[i].word.store(uintptr_t(1) << gen_shift, std::memory_order_relaxed);
            chunks[index / chunk_slots].store(chunk, std::memory_order_release);
        }
        slots_made++;
        s = find_slot(index);
    }
    s->object = object;
    s->destroy = destroy;
    uintptr_t gen = generation(s->word.load(std::memory_order_relaxed));
    s->word.store((gen << gen_shift) | alive_bit, std::memory_order_release);
    return (gen << gen_shift) | (uintptr_t(index) + 1);
}

void *handle_acquire(uintptr_t handle)
{
    uintptr_t low = handle & index_mask;
    if (!low)
        return nullptr;
    slot *s = find_slot(uint32_t(low - 1));
    if (!s)
        return nullptr;
    uintptr_t gen = generation(handle);
    uintptr_t word = s->word.load(std::memory_order_acquire);
    for (;;)
    {
        if (generation(word) != gen || !(word & alive_bit) || (word & refs_mask) == refs_mask)
            return nullptr;
        if (s->word.compare_exchange_weak(word, word + 1, std::memory_order_acquire,
                                          std::memory_order_acquire))
            return s->object;
    }
}

void handle_release(uintptr_t handle)
{
    uint32_t index = uint32_t((handle & index_mask) - 1);
    slot *s = find_slot(index);
    uintptr_t before = s->word.fetch_sub(1, std::memory_order_acq_rel);
    if ((before & refs_mask) == 1 && !(before & alive_bit))
        retire(s, index, generation(before));
}

bool handle_close(uintptr_t handle)
{
    if (!handle_acquire(handle))
        return false;
    slot *s = find_slot(uint32_t((handle & index_mask) - 1));
    uintptr_t word = s->word.load(std::memory_order_relaxed);
    bool closed = false;
    while (word & alive_bit)
    {
        if (s->word.compare_exchange_weak(word, word & ~alive_bit, std::memory_order_acq_rel,
                                          std::memory_order_relaxed))
        {
            closed = true;
            break;
        }
    }
    handle_release(handle);
    return closed;
}

} /* namespace ws */
