/*
 * RFC 6455 masking: scalar kernel and dispatch
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

#include "masking.h"

#include <atomic>

#include "cpu_features.h"
#include "masking_simd.h"
#include "simd_kernels.h"

namespace ws {
namespace {

/* Portable kernel: 8-byte words, same shape as the vector ones. */
WS_EXPORT_CALLEE size_t mask_copy_scalar(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *key, size_t phase)
{
    uint32_t k = mask_key_word(key, phase);
    if (len < 16)
        mask_small(dst, src, len, k);
    else
        mask_copy_large<vec_u64>(dst, src, len, k);
    return (phase + len) & 3;
}

WS_EXPORT_CALLEE size_t mask_in_place_scalar(uint8_t *data, size_t len, const uint8_t *key, size_t phase)
{
    uint32_t k = mask_key_word(key, phase);
    if (len < 16)
        mask_small(data, data, len, k);
    else
        mask_in_place_large<vec_u64>(data, len, k);
    return (phase + len) & 3;
}

/* Lowest first: the usable ones are a prefix, so the list needs no copy. */
const mask_kernel all_kernels[] = {
    { "scalar", mask_copy_scalar, mask_in_place_scalar },
#ifdef WS_X86_KERNELS
    { "sse2", mask_copy_sse2, mask_in_place_sse2 },
    { "avx2", mask_copy_avx2, mask_in_place_avx2 },
    { "avx512", mask_copy_avx512, mask_in_place_avx512 },
#endif
};

const simd_level kernel_levels[] = {
    simd_level::scalar,
#ifdef WS_X86_KERNELS
    simd_level::sse2,
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

typedef decltype(mask_kernel::copy) copy_fn;
typedef decltype(mask_kernel::in_place) in_place_fn;

WS_EXPORT_CALLEE size_t copy_first_call(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *key,
                                        size_t phase);
WS_EXPORT_CALLEE size_t in_place_first_call(uint8_t *data, size_t len, const uint8_t *key, size_t phase);

/* Constant-initialised, so usable before any constructor runs; the first call
 * through each swaps in the chosen kernel.  Racing first calls store the same
 * pointer. */
std::atomic<copy_fn> active_copy{copy_first_call};
std::atomic<in_place_fn> active_in_place{in_place_first_call};

const mask_kernel *choose()
{
    const mask_kernel *k = &all_kernels[usable_count() - 1];
    active_copy.store(k->copy, std::memory_order_relaxed);
    active_in_place.store(k->in_place, std::memory_order_relaxed);
    return k;
}

WS_EXPORT_CALLEE size_t copy_first_call(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *key,
                                        size_t phase)
{
    return choose()->copy(dst, src, len, key, phase);
}

WS_EXPORT_CALLEE size_t in_place_first_call(uint8_t *data, size_t len, const uint8_t *key, size_t phase)
{
    return choose()->in_place(data, len, key, phase);
}

} /* namespace */

WS_EXPORT_CALLEE size_t mask_copy(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t key[4], size_t phase)
{
    return active_copy.load(std::memory_order_relaxed)(dst, src, len, key, phase & 3);
}

WS_EXPORT_CALLEE size_t mask_in_place(uint8_t *data, size_t len, const uint8_t key[4], size_t phase)
{
    return active_in_place.load(std::memory_order_relaxed)(data, len, key, phase & 3);
}

size_t mask_kernels(const mask_kernel **list)
{
    *list = all_kernels;
    return usable_count();
}

const mask_kernel *mask_active_kernel()
{
    return &all_kernels[usable_count() - 1];
}

} /* namespace ws */
