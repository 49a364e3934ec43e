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

#include <stdint.h>

namespace ws {

/*
 * A handle is not a pointer: it names a slot of a process-wide table and the
 * slot's generation.  A NULL, garbage, deleted or recycled handle is therefore
 * refused without reading freed memory.  Each slot carries the handle's lock,
 * which outlives the handle (slots are never freed): every call on a handle
 * runs holding it, and a Delete racing a call on another thread waits for
 * that call to return before the object is destroyed.
 */

typedef void (*handle_destroy_fn)(void *object);

/* Registers object; returns its handle, or 0 when the table is full or out of memory. */
uintptr_t handle_insert(void *object, handle_destroy_fn destroy);

/* The lock a successful handle_lock took, for handle_unlock. */
struct handle_held;

/* The object of a live handle with the handle's lock held (*held says
 * which), or nullptr (and no lock held). */
void *handle_lock(uintptr_t handle, handle_held **held);

/* Releases the lock taken by a successful handle_lock. */
void handle_unlock(handle_held *held);

/* Closes a live handle: once the call holding its lock (if any) returns, the
 * object is destroyed and later handle_lock calls fail.  False when the
 * handle was not live. */
bool handle_close(uintptr_t handle);

} /* namespace ws */

#endif /* WEBSOCKET_HANDLE_TABLE_H */
