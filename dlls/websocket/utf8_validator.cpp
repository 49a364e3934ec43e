/*
 * Incremental UTF-8 validation: DFA, scalar kernel and dispatch
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

#include "utf8_validator.h"

#include <atomic>
#include <string.h>

#include "cpu_features.h"
#include "masking.h"
#include "simd_kernels.h"
#include "utf8_dfa.h"

namespace ws {
namespace {

/* Byte classes: what a byte can be in RFC 3629's table of well-formed
 * sequences.  The second byte of E0, ED, F0 and F4 has a narrower range, so
 * continuation bytes split into three classes. */
enum byte_class
{
    C_ASCII,        /* 00-7F */
    C_CONT_LOW,     /* 80-8F */
    C_CONT_MID,     /* 90-9F */
    C_CONT_HIGH,    /* A0-BF */
    C_LEAD2,        /* C2-DF */
    C_E0,
    C_LEAD3,        /* E1-EC, EE-EF */
    C_ED,
    C_F0,
    C_LEAD4,        /* F1-F3 */
    C_F4,
    C_BAD,          /* C0, C1, F5-FF: never valid */
};

/* States: the bytes still owed by the open character. */
enum dfa_state
{
    S_ACCEPT,
    S_NEED1,        /* one more 80-BF */
    S_NEED2,        /* two more 80-BF */
    S_E0,           /* A0-BF, then one more */
    S_ED,           /* 80-9F, then one more (no surrogates) */
    S_NEED3,        /* three more 80-BF */
    S_F0,           /* 90-BF, then two more (no overlong) */
    S_F4,           /* 80-8F, then two more (<= U+10FFFF) */
    S_REJECT,
    S_COUNT
};

static_assert(S_ACCEPT * 6 == utf8_accept && S_REJECT * 6 == utf8_reject, "state encoding");
static_assert(S_COUNT * 6 <= 64, "a row holds every state");

constexpr byte_class classify(unsigned b)
{
    return b < 0x80 ? C_ASCII
         : b < 0x90 ? C_CONT_LOW
         : b < 0xa0 ? C_CONT_MID
         : b < 0xc0 ? C_CONT_HIGH
         : b < 0xc2 ? C_BAD
         : b < 0xe0 ? C_LEAD2
         : b == 0xe0 ? C_E0
         : b == 0xed ? C_ED
         : b < 0xf0 ? C_LEAD3
         : b == 0xf0 ? C_F0
         : b < 0xf4 ? C_LEAD4
         : b == 0xf4 ? C_F4
         : C_BAD;
}

constexpr dfa_state next_state(dfa_state s, byte_class c)
{
    bool cont = c == C_CONT_LOW || c == C_CONT_MID || c == C_CONT_HIGH;
    switch (s)
    {
    case S_ACCEPT:
        switch (c)
        {
        case C_ASCII: return S_ACCEPT;
        case C_LEAD2: return S_NEED1;
        case C_E0:    return S_E0;
        case C_LEAD3: return S_NEED2;
        case C_ED:    return S_ED;
        case C_F0:    return S_F0;
        case C_LEAD4: return S_NEED3;
        case C_F4:    return S_F4;
        default:      return S_REJECT;
        }
    case S_NEED1: return cont ? S_ACCEPT : S_REJECT;
    case S_NEED2: return cont ? S_NEED1 : S_REJECT;
    case S_NEED3: return cont ? S_NEED2 : S_REJECT;
    case S_E0:    return c == C_CONT_HIGH ? S_NEED1 : S_REJECT;
    case S_ED:    return c == C_CONT_LOW || c == C_CONT_MID ? S_NEED1 : S_REJECT;
    case S_F0:    return c == C_CONT_MID || c == C_CONT_HIGH ? S_NEED2 : S_REJECT;
    case S_F4:    return c == C_CONT_LOW ? S_NEED2 : S_REJECT;
    default:      return S_REJECT;
    }
}

constexpr utf8_dfa_table make_dfa()
{
    utf8_dfa_table t{};
    for (unsigned b = 0; b < 256; b++)
    {
        uint64_t row = 0;
        for (int s = 0; s < S_COUNT; s++)
            row |= (uint64_t)(next_state((dfa_state)s, classify(b)) * 6) << (s * 6);
        t.row[b] = row;
    }
    return t;
}

constexpr uint64_t high_bits = 0x8080808080808080ull;

inline uint64_t load64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

} /* namespace */

alignas(64) constexpr utf8_dfa_table utf8_dfa = make_dfa();

WS_EXPORT_CALLEE size_t utf8_validate_scalar(uint32_t *state, const uint8_t *data, size_t len)
{
    uint64_t s = *state;
    size_t i = 0;

    if (s == utf8_reject)
        return 0;
    while (i < len)
    {
        /* Between characters, skip ASCII a word pair at a time. */
        if (s == utf8_accept)
        {
            while (len - i >= 16 && !((load64(data + i) | load64(data + i + 8)) & high_bits))
                i += 16;
            if (len - i >= 8 && !(load64(data + i) & high_bits))
                i += 8;
            if (i == len)
                break;
        }
        /* Up to 16 bytes through the DFA with one check at the end: the
         * reject state is a sink. */
        size_t n = len - i < 16 ? len - i : 16;
        uint64_t t = s;
        for (size_t k = 0; k < n; k++)
            t = utf8_dfa.row[data[i + k]] >> (t & 63);
        t &= 63;
        if (t == utf8_reject)
        {
            /* Find the byte that did it. */
            for (size_t k = 0;; k++)
            {
                s = utf8_dfa_step((uint32_t)s, data[i + k]);
                if (s == utf8_reject)
                {
                    *state = utf8_reject;
                    return i + k;
                }
            }
        }
        s = t;
        i += n;
    }
    *state = (uint32_t)s;
    return len;
}

namespace {

/* Lowest first: the usable ones are a prefix, so the list needs no copy. */
const utf8_kernel all_kernels[] = {
    { "scalar", utf8_validate_scalar, nullptr },
#ifdef WS_X86_KERNELS
    { "sse4", utf8_validate_sse4, nullptr },
    { "avx2", utf8_validate_avx2, utf8_unmask_validate_avx2 },
    { "avx512", utf8_validate_avx512, utf8_unmask_validate_avx512 },
#endif
};

const simd_level kernel_levels[] = {
    simd_level::scalar,
#ifdef WS_X86_KERNELS
    simd_level::sse4,
    simd_level::avx2,
    simd_level::avx512,
#endif
};

constexpr size_t kernel_count = sizeof(all_kernels) / sizeof(all_kernels[0]);
static_assert(kernel_count == sizeof(kernel_levels) / sizeof(kernel_levels[0]), "one level per kernel");

size_t usable_count()
{
    return usable_kernel_count(kernel_levels, kernel_count);
}

/* Constant-initialised to null, so usable before any constructor runs; the
 * first call stores the chosen kernel.  Racing first calls store the same
 * pointer. */
std::atomic<const utf8_kernel *> active{nullptr};

__attribute__((noinline)) WS_EXPORT_CALLEE const utf8_kernel &choose_kernel()
{
    const utf8_kernel *k = &all_kernels[usable_count() - 1];
    active.store(k, std::memory_order_relaxed);
    return *k;
}

/* This and the two below are inline so that feed() and feed_masked() call
 * nothing but kernels, which have their convention (callee_abi.h). */
inline const utf8_kernel &active_kernel()
{
    const utf8_kernel *k = active.load(std::memory_order_relaxed);
    return k ? *k : choose_kernel();
}

utf8_result verdict(uint32_t state)
{
    return state == utf8_accept ? utf8_result::valid
         : state == utf8_reject ? utf8_result::invalid
         : utf8_result::incomplete;
}

/* The verdict after a kernel call that returned pos. */
utf8_result verdict_at(uint32_t state, size_t pos, size_t *error_offset)
{
    if (state == utf8_reject && error_offset)
        *error_offset = pos;
    return verdict(state);
}

__attribute__((always_inline)) inline utf8_result feed_with(const utf8_kernel &kernel, uint32_t *state,
                                                           const uint8_t *data, size_t len, size_t *error_offset)
{
    if (*state == utf8_reject)
        return verdict_at(*state, 0, error_offset);
    size_t pos = kernel.validate(state, data, len);
    return verdict_at(*state, pos, error_offset);
}

__attribute__((always_inline)) inline utf8_result feed_masked_with(const utf8_kernel &kernel, uint32_t *state,
        uint8_t *dst, const uint8_t *src, size_t len, const uint8_t key[4], size_t phase, size_t *error_offset)
{
    if (*state == utf8_reject || !kernel.unmask_validate)
    {
        if (dst == src)
            mask_in_place(dst, len, key, phase);
        else
            mask_copy(dst, src, len, key, phase);
        return feed_with(kernel, state, dst, len, error_offset);
    }
    size_t pos = kernel.unmask_validate(state, dst, src, len, key, phase);
    return verdict_at(*state, pos, error_offset);
}

} /* namespace */

size_t utf8_kernels(const utf8_kernel **list)
{
    *list = all_kernels;
    return usable_count();
}

const utf8_kernel *utf8_active_kernel()
{
    return &active_kernel();
}

WS_EXPORT_CALLEE utf8_result utf8_validator::feed(const uint8_t *data, size_t len, size_t *error_offset)
{
    return feed_with(active_kernel(), &state, data, len, error_offset);
}

utf8_result utf8_validator::feed(const utf8_kernel &kernel, const uint8_t *data, size_t len,
                                 size_t *error_offset)
{
    return feed_with(kernel, &state, data, len, error_offset);
}

WS_EXPORT_CALLEE utf8_result utf8_validator::feed_masked(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t key[4],
                                        size_t phase, size_t *error_offset)
{
    return feed_masked_with(active_kernel(), &state, dst, src, len, key, phase, error_offset);
}

utf8_result utf8_validator::feed_masked(const utf8_kernel &kernel, uint8_t *dst, const uint8_t *src, size_t len,
                                        const uint8_t key[4], size_t phase, size_t *error_offset)
{
    return feed_masked_with(kernel, &state, dst, src, len, key, phase, error_offset);
}

WS_EXPORT_CALLEE utf8_result utf8_validator::finish()
{
    if (state != utf8_accept)
        state = utf8_reject;
    return verdict(state);
}

utf8_result utf8_validator::status() const
{
    return verdict(state);
}

} /* namespace ws */
