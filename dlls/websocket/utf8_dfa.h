/*
 * UTF-8 validation: the DFA every kernel shares (internal)
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

/* Included by utf8_validator.cpp and the per-ISA utf8_*.cpp files.  The SIMD
 * kernels work between character boundaries and use this DFA for the few
 * bytes of a character split across chunks, for the state at the end of a
 * chunk and to find the exact position of an error. */

#ifndef WEBSOCKET_UTF8_DFA_H
#define WEBSOCKET_UTF8_DFA_H

#include <stddef.h>
#include <stdint.h>

#include "callee_abi.h"

namespace ws {

/* A state is stored as 6 * (state number), the shift that selects its next
 * state from a byte's row: row[byte] >> state holds the next state in its low
 * six bits.  One shift per byte, and the table load does not wait for the
 * previous byte. */
enum : uint32_t
{
    utf8_accept = 0,    /* between characters */
    utf8_reject = 48,   /* sink: invalid input */
};

struct utf8_dfa_table
{
    uint64_t row[256];
};

extern const utf8_dfa_table utf8_dfa;

/* The portable kernel (utf8_kernel::validate). */
WS_EXPORT_CALLEE size_t utf8_validate_scalar(uint32_t *state, const uint8_t *data, size_t len);

static inline uint32_t utf8_dfa_step(uint32_t state, uint8_t byte)
{
    return (uint32_t)(utf8_dfa.row[byte] >> (state & 63)) & 63;
}

} /* namespace ws */

#endif /* WEBSOCKET_UTF8_DFA_H */
