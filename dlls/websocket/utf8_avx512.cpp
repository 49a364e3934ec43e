/*
 * UTF-8 validation kernel: AVX-512 (F, BW, VL)
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

#include <string.h>

#include "simd_kernels.h"
#include "utf8_lookup.h"

namespace ws {
namespace {

inline __m512i utf8_table_512(utf8_table_index i)
{
    return _mm512_load_si512((const void *)utf8_tables[i]);
}

/* Nonzero bytes where cur is wrong, given the vectors one, two and three
 * bytes earlier. */
inline __m512i utf8_errors_512(__m512i cur, __m512i prev1, __m512i prev2, __m512i prev3)
{
    const __m512i low_nibble = _mm512_set1_epi8(0x0f);
    __m512i a = _mm512_shuffle_epi8(utf8_table_512(TABLE_PREV_HIGH),
                                    _mm512_and_si512(_mm512_srli_epi16(prev1, 4), low_nibble));
    __m512i b = _mm512_shuffle_epi8(utf8_table_512(TABLE_PREV_LOW),
                                    _mm512_and_si512(prev1, low_nibble));
    __m512i c = _mm512_shuffle_epi8(utf8_table_512(TABLE_CUR_HIGH),
                                    _mm512_and_si512(_mm512_srli_epi16(cur, 4), low_nibble));
    __m512i special = _mm512_and_si512(_mm512_and_si512(a, b), c);
    __m512i must_continue = _mm512_or_si512(_mm512_subs_epu8(prev2, _mm512_set1_epi8(third_byte_bias)),
                                            _mm512_subs_epu8(prev3, _mm512_set1_epi8(fourth_byte_bias)));
    return _mm512_xor_si512(special, _mm512_and_si512(must_continue, _mm512_set1_epi8((char)0x80)));
}

/* cur after the vector prev.  The bytes before cur come from registers:
 * reading them from memory instead (as the AVX2 kernel does) costs more here,
 * as every such 64-byte load splits a cache line. */
inline __m512i utf8_check_512(__m512i cur, __m512i prev)
{
    /* palignr works within 128-bit lanes: give each lane of cur the lane
     * before it (valignq by six quadwords), then shift bytes in.  The
     * all-ones mask form sidesteps GCC 12's bogus -Wmaybe-uninitialized in
     * the plain intrinsic. */
    __m512i before = _mm512_maskz_alignr_epi64((__mmask8)0xff, cur, prev, 6);
    return utf8_errors_512(cur, _mm512_alignr_epi8(cur, before, 15), _mm512_alignr_epi8(cur, before, 14),
                           _mm512_alignr_epi8(cur, before, 13));
}

/* The vector at offset at of src; with Unmask, XORed with key and stored at
 * the same offset of dst first. */
template <bool Unmask>
inline __m512i load_512(uint8_t *dst, const uint8_t *src, size_t at, __m512i key)
{
    __m512i v = _mm512_loadu_si512((const void *)(src + at));
    if (Unmask)
    {
        v = _mm512_xor_si512(v, key);
        _mm512_storeu_si512((void *)(dst + at), v);
    }
    return v;
}

/* The check over [0, len) of src (at least 64 bytes, starting on a character
 * boundary): the offset of the first block holding an error, or len.  With
 * Unmask every vector is unmasked into dst as it is loaded; after an error
 * the bytes not yet loaded are left to the caller. */
template <bool Unmask>
inline size_t check_512(uint8_t *dst, const uint8_t *src, size_t len, __m512i key, size_t *loaded)
{
    __m512i prev = _mm512_setzero_si512();
    bool clean = true;
    size_t i = 0;
    /* Four vectors a round with one test of their errors ORed: on mixed
     * text the test and its branch, once per vector, cost as much as the
     * check itself.  A round with an error returns its first vector; the
     * caller's DFA finds the byte from there. */
    while (len - i >= 256)
    {
        __m512i v0 = load_512<Unmask>(dst, src, i, key);
        __m512i v1 = load_512<Unmask>(dst, src, i + 64, key);
        __m512i v2 = load_512<Unmask>(dst, src, i + 128, key);
        __m512i v3 = load_512<Unmask>(dst, src, i + 192, key);
        __m512i high = _mm512_or_si512(_mm512_or_si512(v0, v1), _mm512_or_si512(v2, v3));
        if (!(clean && !_mm512_movepi8_mask(high)))
        {
            __m512i e = _mm512_or_si512(_mm512_or_si512(utf8_check_512(v0, prev), utf8_check_512(v1, v0)),
                                        _mm512_or_si512(utf8_check_512(v2, v1), utf8_check_512(v3, v2)));
            if (_mm512_test_epi8_mask(e, e))
            {
                *loaded = i + 256;
                return i;
            }
            prev = v3;
            clean = !_mm512_movepi8_mask(v3);
        }
        i += 256;
    }
    while (len - i >= 64)
    {
        __m512i v = load_512<Unmask>(dst, src, i, key);
        bool ascii = !_mm512_movepi8_mask(v);
        if (!(ascii && clean))
        {
            __m512i e = utf8_check_512(v, prev);
            if (_mm512_test_epi8_mask(e, e))
            {
                *loaded = i + 64;
                return i;
            }
            prev = v;
        }
        clean = ascii;
        i += 64;
    }
    *loaded = len;
    size_t t = len - i;
    if (!t)
        return len;
    /* A masked load reads only the t bytes left and zeroes the rest;
     * lanes >= t may then show errors that are not there. */
    __mmask64 lanes = ~0ull >> (64 - t);
    __m512i v = _mm512_maskz_loadu_epi8(lanes, src + i);
    if (Unmask)
    {
        v = _mm512_maskz_mov_epi8(lanes, _mm512_xor_si512(v, key));
        _mm512_mask_storeu_epi8(dst + i, lanes, v);
    }
    if (clean && !_mm512_movepi8_mask(v))
        return len;
    __m512i e = utf8_check_512(v, prev);
    return _mm512_mask_test_epi8_mask(lanes, e, e) ? i : len;
}

struct lookup_avx512
{
    __attribute__((noinline)) static const uint8_t *check(const uint8_t *p, const uint8_t *end)
    {
        size_t loaded, len = size_t(end - p);
        size_t bad = check_512<false>(nullptr, p, len, _mm512_setzero_si512(), &loaded);
        return bad == len ? nullptr : p + bad;
    }

    __attribute__((noinline)) static size_t check_unmask(uint8_t *dst, const uint8_t *src, size_t len,
                                                         const uint8_t *key)
    {
        uint32_t word;
        memcpy(&word, key, 4);
        size_t loaded;
        size_t bad = check_512<true>(dst, src, len, _mm512_set1_epi32(int(word)), &loaded);
        unmask(dst + loaded, src + loaded, len - loaded, key, 0);
        return bad;
    }

    static void unmask(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *key, size_t phase)
    {
        if (dst == src)
            mask_in_place_avx512(dst, len, key, phase);
        else
            mask_copy_avx512(dst, src, len, key, phase);
    }
};

} /* namespace */

WS_EXPORT_CALLEE size_t utf8_validate_avx512(uint32_t *state, const uint8_t *data, size_t len)
{
    return utf8_validate_lookup<lookup_avx512>(state, data, len);
}

WS_EXPORT_CALLEE size_t utf8_unmask_validate_avx512(uint32_t *state, uint8_t *dst, const uint8_t *src, size_t len,
                                   const uint8_t *key, size_t phase)
{
    return utf8_unmask_validate_lookup<lookup_avx512>(state, dst, src, len, key, phase);
}

} /* namespace ws */
