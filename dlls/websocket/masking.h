/*
 * RFC 6455 masking (section 5.3)
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

#ifndef WEBSOCKET_MASKING_H
#define WEBSOCKET_MASKING_H

#include <stddef.h>
#include <stdint.h>

#include "callee_abi.h"

namespace ws {

/* Byte i of the output is byte i of the input XOR key[(phase + i) % 4]; the key
 * is in wire order.  Both functions return the phase after the last byte,
 * (phase + len) & 3, so a payload can be (un)masked in pieces.  Any length,
 * any alignment; the best kernel for this CPU is chosen at the first call. */

/* Fused copy and mask: dst and src must not overlap. */
WS_EXPORT_CALLEE size_t mask_copy(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t key[4], size_t phase);

/* Unmask (or mask) in place. */
WS_EXPORT_CALLEE size_t mask_in_place(uint8_t *data, size_t len, const uint8_t key[4], size_t phase);

struct mask_kernel
{
    const char *name;
    /* Kernels have the exported functions' convention (callee_abi.h), so
     * the dispatchers below call them without saving registers. */
    size_t (WS_EXPORT_CALLEE *copy)(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *key, size_t phase);
    size_t (WS_EXPORT_CALLEE *in_place)(uint8_t *data, size_t len, const uint8_t *key, size_t phase);
};

/* Every kernel compiled in and usable on this CPU (after the WS_SIMD cap),
 * scalar first, best last; for tests and the benchmark. */
size_t mask_kernels(const mask_kernel **list);

/* The kernel mask_copy() and mask_in_place() use. */
const mask_kernel *mask_active_kernel();

} /* namespace ws */

#endif /* WEBSOCKET_MASKING_H */
