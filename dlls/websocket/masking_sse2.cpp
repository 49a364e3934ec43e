/*
 * Masking kernel: SSE2
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

#include <emmintrin.h>

#include "masking_simd.h"
#include "simd_kernels.h"

namespace ws {
namespace {

struct vec_sse2
{
    typedef __m128i type;
    static constexpr size_t width = 16;
    static type loadu(const uint8_t *p) { return _mm_loadu_si128((const __m128i *)p); }
    static type load(const uint8_t *p) { return _mm_load_si128((const __m128i *)p); }
    static void storeu(uint8_t *p, type v) { _mm_storeu_si128((__m128i *)p, v); }
    static void store(uint8_t *p, type v) { _mm_store_si128((__m128i *)p, v); }
    static type splat(uint32_t k) { return _mm_set1_epi32((int)k); }
    static type xor_(type a, type b) { return _mm_xor_si128(a, b); }
};

} /* namespace */

WS_EXPORT_CALLEE size_t mask_copy_sse2(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *key, size_t phase)
{
    uint32_t k = mask_key_word(key, phase);
    if (len < 16)
        mask_small(dst, src, len, k);
    else if (len <= 32)
        mask_pair<vec_sse2>(dst, src, len, k);
    else
        mask_copy_large<vec_sse2>(dst, src, len, k);
    return (phase + len) & 3;
}

WS_EXPORT_CALLEE size_t mask_in_place_sse2(uint8_t *data, size_t len, const uint8_t *key, size_t phase)
{
    uint32_t k = mask_key_word(key, phase);
    if (len < 16)
        mask_small(data, data, len, k);
    else if (len <= 32)
        mask_pair<vec_sse2>(data, data, len, k);
    else
        mask_in_place_large<vec_sse2>(data, len, k);
    return (phase + len) & 3;
}

} /* namespace ws */
