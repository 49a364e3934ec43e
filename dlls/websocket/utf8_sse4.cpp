/*
 * UTF-8 validation kernel: SSSE3 + SSE4.1
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

#include "simd_kernels.h"
#include "utf8_lookup.h"

namespace ws {
namespace {

struct lookup_sse4
{
    /* 64-byte blocks, four vectors each, one error test per block. */
    __attribute__((noinline)) static const uint8_t *check(const uint8_t *p, const uint8_t *end)
    {
        __m128i prev = _mm_setzero_si128();
        bool clean = true;
        while (end - p >= 64)
        {
            __m128i v0 = _mm_loadu_si128((const __m128i *)p);
            __m128i v1 = _mm_loadu_si128((const __m128i *)(p + 16));
            __m128i v2 = _mm_loadu_si128((const __m128i *)(p + 32));
            __m128i v3 = _mm_loadu_si128((const __m128i *)(p + 48));
            bool ascii = !_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(v0, v1), _mm_or_si128(v2, v3)));
            if (!(ascii && clean))
            {
                __m128i e = _mm_or_si128(_mm_or_si128(utf8_check_128(v0, prev), utf8_check_128(v1, v0)),
                                         _mm_or_si128(utf8_check_128(v2, v1), utf8_check_128(v3, v2)));
                if (!_mm_testz_si128(e, e))
                    return p;
                prev = v3;
            }
            clean = ascii;
            p += 64;
        }
        return utf8_tail_128(p, end, prev, clean);
    }
};

} /* namespace */

WS_EXPORT_CALLEE size_t utf8_validate_sse4(uint32_t *state, const uint8_t *data, size_t len)
{
    return utf8_validate_lookup<lookup_sse4>(state, data, len);
}

} /* namespace ws */
