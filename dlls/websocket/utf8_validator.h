/*
 * Incremental UTF-8 validation (RFC 3629, RFC 6455 section 8.1)
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

#ifndef WEBSOCKET_UTF8_VALIDATOR_H
#define WEBSOCKET_UTF8_VALIDATOR_H

#include <stddef.h>
#include <stdint.h>

#include "callee_abi.h"

namespace ws {

enum class utf8_result
{
    valid,          /* every byte so far forms whole characters */
    incomplete,     /* valid so far, but a character is still open */
    invalid,
};

/* A kernel validates bytes continuing from a state (see utf8_validator).  It
 * returns the index of the first byte that makes the input invalid, leaving
 * *state in the error state, or len with *state after the last byte. */
struct utf8_kernel
{
    const char *name;
    size_t (WS_EXPORT_CALLEE *validate)(uint32_t *state, const uint8_t *data, size_t len);
    /* The same over the unmasked bytes of a masked chunk in one pass: byte i
     * of the text is src[i] ^ key[(phase + i) % 4], and all len of them are
     * written to dst (src itself, or a buffer not overlapping it), whatever
     * the verdict.  Null: unmask, then validate. */
    size_t (WS_EXPORT_CALLEE *unmask_validate)(uint32_t *state, uint8_t *dst, const uint8_t *src, size_t len,
                              const uint8_t *key, size_t phase);
};

/* Every kernel compiled in and usable on this CPU (after the WS_SIMD cap),
 * scalar first, best last; all give the same results. */
size_t utf8_kernels(const utf8_kernel **list);

/* The kernel utf8_validator::feed() uses, chosen at the first call. */
const utf8_kernel *utf8_active_kernel();

/* State carried across chunks and fragments of one message: which bytes may
 * come next, as a small DFA state; 0 is "between characters", so a
 * zero-initialised validator is a reset one.  Rejects everything RFC 3629
 * does: C0, C1, F5-FF, stray or missing continuation bytes, overlong forms,
 * surrogates (U+D800-U+DFFF) and code points above U+10FFFF. */
struct utf8_validator
{
    uint32_t state;

    void reset() { state = 0; }

    /* Validate the next chunk.  On invalid, *error_offset (if not null) gets
     * the index in this chunk of the first byte after which no continuation
     * could be valid (fail fast).  Once invalid, every call returns invalid
     * with offset 0 until reset(). */
    WS_EXPORT_CALLEE utf8_result feed(const uint8_t *data, size_t len, size_t *error_offset = nullptr);

    /* The same with a given kernel, for tests and benchmarks. */
    utf8_result feed(const utf8_kernel &kernel, const uint8_t *data, size_t len,
                     size_t *error_offset = nullptr);

    /* The same for a masked chunk (a frame's payload as it arrives): unmask
     * it into dst (src itself, or a buffer not overlapping it) and validate
     * the result in one pass.  Byte i of the result is
     * src[i] ^ key[(phase + i) % 4]; every byte is unmasked, even after an
     * error. */
    WS_EXPORT_CALLEE utf8_result feed_masked(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t key[4],
                            size_t phase, size_t *error_offset = nullptr);
    utf8_result feed_masked(const utf8_kernel &kernel, uint8_t *dst, const uint8_t *src, size_t len,
                            const uint8_t key[4], size_t phase, size_t *error_offset = nullptr);

    /* End of message: an open character makes it invalid.  The state is kept
     * (invalid stays invalid); reset() before the next message. */
    WS_EXPORT_CALLEE utf8_result finish();

    /* The verdict for what was fed so far, without ending the message. */
    utf8_result status() const;
};

} /* namespace ws */

#endif /* WEBSOCKET_UTF8_VALIDATOR_H */
