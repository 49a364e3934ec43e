/*
 * UTF-8 validation: the lookup algorithm's shared parts (internal)
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

/* Included only by the utf8_<isa>.cpp files, each built with at least SSSE3
 * and SSE4.1.  Everything has internal linkage, so each file gets its own copy
 * for its own instruction set.
 *
 * The technique is Keiser and Lemire's "lookup" validation ("Validating UTF-8
 * in less than one instruction per byte", 2021): every byte is checked
 * against the byte before it with three 16-entry table lookups (pshufb) on
 * the previous byte's high nibble, its low nibble and this byte's high nibble;
 * each table entry is a set of error classes and a byte is wrong when all
 * three lookups share a class.  A second test covers the third and fourth
 * bytes of long characters.  All-ASCII blocks skip both.
 *
 * The vector code only answers "is there an error in this block": the exact
 * position, the few bytes of a character split across chunks and the state at
 * the end of a chunk come from the DFA (utf8_dfa.h), which defines the
 * results all kernels must agree on. */

#ifndef WEBSOCKET_UTF8_LOOKUP_H
#define WEBSOCKET_UTF8_LOOKUP_H

#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

#include "utf8_dfa.h"

namespace ws {
namespace {

/* Error classes for a pair (previous byte, this byte).  A class is a product
 * of three sets (previous high nibble, previous low nibble, this high
 * nibble), so that a bitwise AND of the three lookups finds it. */
enum : uint8_t
{
    TOO_SHORT  = 0x01,  /* lead byte (C0-FF), then no continuation */
    TOO_LONG   = 0x02,  /* ASCII, then a continuation */
    OVERLONG_3 = 0x04,  /* E0, then 80-9F */
    TOO_LARGE  = 0x08,  /* F4-FF, then 90-BF */
    SURROGATE  = 0x10,  /* ED, then A0-BF */
    OVERLONG_2 = 0x20,  /* C0 or C1, then a continuation */
    F_THEN_80  = 0x40,  /* F0 (overlong) or F5-FF (too large), then 80-8F */
    TWO_CONTS  = 0x80,  /* a continuation after a continuation: wrong unless
                           it is the third or fourth byte of a character */
};

#define WS_PREV_HIGH_NIBBLE \
    TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, \
    TWO_CONTS, TWO_CONTS, TWO_CONTS, TWO_CONTS, \
    TOO_SHORT | OVERLONG_2, \
    TOO_SHORT, \
    TOO_SHORT | OVERLONG_3 | SURROGATE, \
    TOO_SHORT | TOO_LARGE | F_THEN_80

/* Classes that hold for every low nibble, and the ones a low nibble adds. */
#define WS_ANY_LOW (TOO_SHORT | TOO_LONG | TWO_CONTS)
#define WS_PREV_LOW_NIBBLE \
    WS_ANY_LOW | OVERLONG_3 | OVERLONG_2 | F_THEN_80,  /* x0 */ \
    WS_ANY_LOW | OVERLONG_2,                          /* x1 */ \
    WS_ANY_LOW, WS_ANY_LOW,                           /* x2, x3 */ \
    WS_ANY_LOW | TOO_LARGE,                           /* x4 */ \
    WS_ANY_LOW | TOO_LARGE | F_THEN_80,               /* x5 */ \
    WS_ANY_LOW | TOO_LARGE | F_THEN_80,               \
    WS_ANY_LOW | TOO_LARGE | F_THEN_80,               \
    WS_ANY_LOW | TOO_LARGE | F_THEN_80,               \
    WS_ANY_LOW | TOO_LARGE | F_THEN_80,               \
    WS_ANY_LOW | TOO_LARGE | F_THEN_80,               \
    WS_ANY_LOW | TOO_LARGE | F_THEN_80,               \
    WS_ANY_LOW | TOO_LARGE | F_THEN_80,               /* xC */ \
    WS_ANY_LOW | TOO_LARGE | F_THEN_80 | SURROGATE,   /* xD */ \
    WS_ANY_LOW | TOO_LARGE | F_THEN_80,               \
    WS_ANY_LOW | TOO_LARGE | F_THEN_80                /* xF */

#define WS_CONT (TOO_LONG | OVERLONG_2 | TWO_CONTS)
#define WS_CUR_HIGH_NIBBLE \
    TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, \
    WS_CONT | OVERLONG_3 | F_THEN_80,   /* 8x */ \
    WS_CONT | OVERLONG_3 | TOO_LARGE,   /* 9x */ \
    WS_CONT | SURROGATE | TOO_LARGE,    /* Ax */ \
    WS_CONT | SURROGATE | TOO_LARGE,    /* Bx */ \
    TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT

/* Each table four times over, so every vector width loads its own copy
 * (pshufb looks up within each 128-bit lane). */
#define WS_TIMES_4(x) x, x, x, x
alignas(64) const uint8_t utf8_tables[3][64] = {
    { WS_TIMES_4(WS_PREV_HIGH_NIBBLE) },
    { WS_TIMES_4(WS_PREV_LOW_NIBBLE) },
    { WS_TIMES_4(WS_CUR_HIGH_NIBBLE) },
};
#undef WS_TIMES_4
#undef WS_PREV_HIGH_NIBBLE
#undef WS_ANY_LOW
#undef WS_PREV_LOW_NIBBLE
#undef WS_CONT
#undef WS_CUR_HIGH_NIBBLE

enum utf8_table_index
{
    TABLE_PREV_HIGH,
    TABLE_PREV_LOW,
    TABLE_CUR_HIGH,
};

inline __m128i utf8_table_128(utf8_table_index i)
{
    return _mm_load_si128((const __m128i *)utf8_tables[i]);
}

/* Third and fourth bytes: subtracting with saturation leaves the high bit set
 * exactly where the byte two back is E0-FF or the byte three back F0-FF. */
constexpr char third_byte_bias = 0xe0 - 0x80;
constexpr char fourth_byte_bias = 0xf0 - 0x80;

/* Nonzero bytes where cur (following prev) is wrong. */
inline __m128i utf8_check_128(__m128i cur, __m128i prev)
{
    const __m128i low_nibble = _mm_set1_epi8(0x0f);
    __m128i prev1 = _mm_alignr_epi8(cur, prev, 15);
    __m128i prev2 = _mm_alignr_epi8(cur, prev, 14);
    __m128i prev3 = _mm_alignr_epi8(cur, prev, 13);
    __m128i a = _mm_shuffle_epi8(utf8_table_128(TABLE_PREV_HIGH), _mm_and_si128(_mm_srli_epi16(prev1, 4), low_nibble));
    __m128i b = _mm_shuffle_epi8(utf8_table_128(TABLE_PREV_LOW), _mm_and_si128(prev1, low_nibble));
    __m128i c = _mm_shuffle_epi8(utf8_table_128(TABLE_CUR_HIGH), _mm_and_si128(_mm_srli_epi16(cur, 4), low_nibble));
    __m128i special = _mm_and_si128(_mm_and_si128(a, b), c);
    __m128i must_continue = _mm_or_si128(_mm_subs_epu8(prev2, _mm_set1_epi8(third_byte_bias)),
                                         _mm_subs_epu8(prev3, _mm_set1_epi8(fourth_byte_bias)));
    return _mm_xor_si128(special, _mm_and_si128(must_continue, _mm_set1_epi8((char)0x80)));
}

/* pshufb indices that move the last t of 16 bytes to the front and zero the
 * rest: start at entry 16 - t. */
const uint8_t utf8_tail_shuffle[32] = {
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
};

/* [p, end) after prev, fewer than 64 bytes, with at least 16 readable bytes
 * ending at end.  clean: prev ends no open character.  Returns the start of
 * a vector holding an error, or null. */
inline const uint8_t *utf8_tail_128(const uint8_t *p, const uint8_t *end, __m128i prev, bool clean)
{
    while (end - p >= 16)
    {
        __m128i v = _mm_loadu_si128((const __m128i *)p);
        bool ascii = !_mm_movemask_epi8(v);
        if (!(ascii && clean))
        {
            __m128i e = utf8_check_128(v, prev);
            if (!_mm_testz_si128(e, e))
                return p;
        }
        prev = v;
        clean = ascii;
        p += 16;
    }
    size_t t = end - p;
    if (!t)
        return nullptr;
    /* The last 16 bytes, shifted so the unchecked ones come first; the zeros
     * after them can only raise errors at lanes >= t, which are ignored. */
    __m128i v = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(end - 16)),
                                 _mm_loadu_si128((const __m128i *)(utf8_tail_shuffle + 16 - t)));
    if (clean && !_mm_movemask_epi8(v))
        return nullptr;
    __m128i e = utf8_check_128(v, prev);
    unsigned wrong = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(e, _mm_setzero_si128())) ^ 0xffffu;
    return wrong & ((1u << t) - 1) ? p : nullptr;
}

/* data[lo, pos) is valid but for an open character at its end: where that
 * character starts (pos if none is open). */
inline size_t utf8_sequence_start(const uint8_t *data, size_t lo, size_t pos)
{
    if (pos - lo >= 1 && data[pos - 1] >= 0xc0)
        return pos - 1;
    if (pos - lo >= 2 && data[pos - 2] >= 0xe0)
        return pos - 2;
    if (pos - lo >= 3 && data[pos - 3] >= 0xf0)
        return pos - 3;
    return pos;
}

/* A kernel: K::check(p, end) looks at [p, end) (at least 64 bytes, p on a
 * character boundary) and returns the start of the first block holding an
 * error, or null.  The DFA does everything else. */
template <class K>
size_t utf8_validate_lookup(uint32_t *state, const uint8_t *data, size_t len)
{
    uint32_t s = *state;
    size_t start = 0;

    if (s != utf8_accept)
    {
        if (s == utf8_reject)
            return 0;
        /* Finish the character the last chunk left open (three bytes at most). */
        while (start < len && s != utf8_accept)
        {
            s = utf8_dfa_step(s, data[start]);
            if (s == utf8_reject)
            {
                *state = s;
                return start;
            }
            start++;
        }
        if (s != utf8_accept)
        {
            *state = s;
            return len;
        }
    }

    size_t from;
    *state = utf8_accept;
    if (len - start < 16)
        from = start;
    else
    {
        /* Short input: one to four 128-bit vectors, without the wide
         * kernel's set-up (kept out of line so its stack frame and register
         * spills are not paid here). */
        const uint8_t *bad = len - start < 64
            ? utf8_tail_128(data + start, data + len, _mm_setzero_si128(), true)
            : K::check(data + start, data + len);
        /* Let the DFA find the error from the start of the character before
         * the bad block, or take the state of the open character at the end. */
        from = utf8_sequence_start(data, start, bad ? (size_t)(bad - data) : len);
        if (from == len)
            return len;
    }
    return from + utf8_validate_scalar(state, data + from, len - from);
}

/* The same over a masked chunk, unmasking it into dst on the way (see
 * utf8_kernel::unmask_validate).  K::check_unmask(dst, src, len, key) unmasks
 * all len bytes (at least 64, starting on a character boundary) with a key
 * already turned to phase 0 and returns the offset of the first block
 * holding an error, or len; K::unmask(dst, src, len, key, phase) only
 * unmasks. */
template <class K>
size_t utf8_unmask_validate_lookup(uint32_t *state, uint8_t *dst, const uint8_t *src, size_t len,
                                   const uint8_t *key, size_t phase)
{
    uint32_t s = *state;
    size_t start = 0;

    if (s == utf8_reject)
    {
        K::unmask(dst, src, len, key, phase);
        return 0;
    }
    /* Finish the character the last chunk left open, a byte at a time. */
    while (start < len && s != utf8_accept)
    {
        dst[start] = uint8_t(src[start] ^ key[(phase + start) & 3]);
        s = utf8_dfa_step(s, dst[start]);
        start++;
        if (s == utf8_reject)
        {
            K::unmask(dst + start, src + start, len - start, key, phase + start);
            *state = s;
            return start - 1;
        }
    }
    if (s != utf8_accept)
    {
        *state = s;
        return len;
    }
    *state = utf8_accept;
    if (len - start < 64)
    {
        /* Too short for the fused loop to pay: unmask, then validate. */
        K::unmask(dst + start, src + start, len - start, key, phase + start);
        return start + utf8_validate_lookup<K>(state, dst + start, len - start);
    }
    const uint8_t turned[4] = { key[(phase + start) & 3], key[(phase + start + 1) & 3],
                                key[(phase + start + 2) & 3], key[(phase + start + 3) & 3] };
    size_t bad = start + K::check_unmask(dst + start, src + start, len - start, turned);
    /* As in utf8_validate_lookup, on the unmasked bytes now in dst. */
    size_t from = utf8_sequence_start(dst, start, bad);
    if (from == len)
        return len;
    return from + utf8_validate_scalar(state, dst + from, len - from);
}

} /* namespace */
} /* namespace ws */

#endif /* WEBSOCKET_UTF8_LOOKUP_H */
