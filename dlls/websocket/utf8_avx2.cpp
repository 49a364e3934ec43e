/*
 * UTF-8 validation kernel: AVX2
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

inline __m256i utf8_table_256(utf8_table_index i)
{
    return _mm256_load_si256((const __m256i *)utf8_tables[i]);
}

/* Nonzero bytes where cur is wrong, given the vectors one, two and three
 * bytes earlier. */
inline __m256i utf8_errors_256(__m256i cur, __m256i prev1, __m256i prev2, __m256i prev3)
{
    const __m256i low_nibble = _mm256_set1_epi8(0x0f);
    __m256i a = _mm256_shuffle_epi8(utf8_table_256(TABLE_PREV_HIGH),
                                    _mm256_and_si256(_mm256_srli_epi16(prev1, 4), low_nibble));
    __m256i b = _mm256_shuffle_epi8(utf8_table_256(TABLE_PREV_LOW),
                                    _mm256_and_si256(prev1, low_nibble));
    __m256i c = _mm256_shuffle_epi8(utf8_table_256(TABLE_CUR_HIGH),
                                    _mm256_and_si256(_mm256_srli_epi16(cur, 4), low_nibble));
    __m256i special = _mm256_and_si256(_mm256_and_si256(a, b), c);
    __m256i must_continue = _mm256_or_si256(_mm256_subs_epu8(prev2, _mm256_set1_epi8(third_byte_bias)),
                                            _mm256_subs_epu8(prev3, _mm256_set1_epi8(fourth_byte_bias)));
    return _mm256_xor_si256(special, _mm256_and_si256(must_continue, _mm256_set1_epi8((char)0x80)));
}

/* cur after the vector prev, both in registers. */
inline __m256i utf8_check_256(__m256i cur, __m256i prev)
{
    /* palignr works within 128-bit lanes: give each lane of cur the lane
     * before it (the last one of prev for the first). */
    __m256i before = _mm256_permute2x128_si256(prev, cur, 0x21);
    return utf8_errors_256(cur, _mm256_alignr_epi8(cur, before, 15), _mm256_alignr_epi8(cur, before, 14),
                           _mm256_alignr_epi8(cur, before, 13));
}

/* The 32 bytes at p, reading the three before p from memory: unaligned
 * loads instead of the four shuffles above, which compete with pshufb for
 * the same port. */
inline __m256i utf8_check_256_at(const uint8_t *p, __m256i cur)
{
    return utf8_errors_256(cur, _mm256_loadu_si256((const __m256i *)(p - 1)),
                           _mm256_loadu_si256((const __m256i *)(p - 2)),
                           _mm256_loadu_si256((const __m256i *)(p - 3)));
}

struct lookup_avx2
{
    __attribute__((noinline)) static const uint8_t *check(const uint8_t *p, const uint8_t *end)
    {
        /* Called with 64 bytes or more.  The first block has nothing
         * readable before it: zeros stand for the character boundary it
         * starts on. */
        __m256i first0 = _mm256_loadu_si256((const __m256i *)p);
        __m256i first1 = _mm256_loadu_si256((const __m256i *)(p + 32));
        bool clean = !_mm256_movemask_epi8(_mm256_or_si256(first0, first1));
        if (!clean)
        {
            __m256i e = _mm256_or_si256(utf8_check_256(first0, _mm256_setzero_si256()),
                                        utf8_check_256(first1, first0));
            if (!_mm256_testz_si256(e, e))
                return p;
        }
        p += 64;
        while (end - p >= 64)
        {
            __m256i v0 = _mm256_loadu_si256((const __m256i *)p);
            __m256i v1 = _mm256_loadu_si256((const __m256i *)(p + 32));
            bool ascii = !_mm256_movemask_epi8(_mm256_or_si256(v0, v1));
            if (!(ascii && clean))
            {
                __m256i e = _mm256_or_si256(utf8_check_256_at(p, v0), utf8_check_256_at(p + 32, v1));
                if (!_mm256_testz_si256(e, e))
                    return p;
            }
            clean = ascii;
            p += 64;
        }
        return utf8_tail_128(p, end, _mm_loadu_si128((const __m128i *)(p - 16)), clean);
    }

    /* The fused form keeps the bytes before each vector in registers:
     * reading them back from dst right after storing it would stall on
     * store forwarding. */
    __attribute__((noinline)) static size_t check_unmask(uint8_t *dst, const uint8_t *src, size_t len,
                                                         const uint8_t *key)
    {
        uint32_t word;
        memcpy(&word, key, 4);
        const __m256i k = _mm256_set1_epi32(int(word));
        __m256i prev = _mm256_setzero_si256();
        bool clean = true;
        size_t i = 0;
        while (len - i >= 64)
        {
            __m256i v0 = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(src + i)), k);
            __m256i v1 = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(src + i + 32)), k);
            _mm256_storeu_si256((__m256i *)(dst + i), v0);
            _mm256_storeu_si256((__m256i *)(dst + i + 32), v1);
            bool ascii = !_mm256_movemask_epi8(_mm256_or_si256(v0, v1));
            if (!(ascii && clean))
            {
                __m256i e = _mm256_or_si256(utf8_check_256(v0, prev), utf8_check_256(v1, v0));
                if (!_mm256_testz_si256(e, e))
                {
                    unmask(dst + i + 64, src + i + 64, len - i - 64, key, 0);
                    return i;
                }
            }
            prev = v1;
            clean = ascii;
            i += 64;
        }
        /* The rest, fewer than 64 bytes: unmasked first, then checked where
         * it now is (dst has at least 16 bytes before it). */
        unmask(dst + i, src + i, len - i, key, 0);
        const uint8_t *bad = utf8_tail_128(dst + i, dst + len, _mm256_extracti128_si256(prev, 1), clean);
        return bad ? size_t(bad - dst) : len;
    }

    static void unmask(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *key, size_t phase)
    {
        if (dst == src)
            mask_in_place_avx2(dst, len, key, phase);
        else
            mask_copy_avx2(dst, src, len, key, phase);
    }
};

} /* namespace */

WS_EXPORT_CALLEE size_t utf8_validate_avx2(uint32_t *state, const uint8_t *data, size_t len)
{
    return utf8_validate_lookup<lookup_avx2>(state, data, len);
}

WS_EXPORT_CALLEE size_t utf8_unmask_validate_avx2(uint32_t *state, uint8_t *dst, const uint8_t *src, size_t len,
                                 const uint8_t *key, size_t phase)
{
    return utf8_unmask_validate_lookup<lookup_avx2>(state, dst, src, len, key, phase);
}

} /* namespace ws */
