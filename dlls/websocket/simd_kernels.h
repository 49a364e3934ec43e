/*
 * Entry points of the per-instruction-set kernels (internal)
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

/* Each group is built with its own -m flags (see meson.build) and may run only
 * after cpu_features() says so; the dispatchers in masking.cpp and
 * utf8_validator.cpp are the only callers. */

#ifndef WEBSOCKET_SIMD_KERNELS_H
#define WEBSOCKET_SIMD_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "callee_abi.h"

#if defined(__x86_64__) || defined(__i386__)
#define WS_X86_KERNELS 1
#endif

namespace ws {

#ifdef WS_X86_KERNELS
WS_EXPORT_CALLEE size_t mask_copy_sse2(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *key, size_t phase);
WS_EXPORT_CALLEE size_t mask_in_place_sse2(uint8_t *data, size_t len, const uint8_t *key, size_t phase);
WS_EXPORT_CALLEE size_t mask_copy_avx2(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *key, size_t phase);
WS_EXPORT_CALLEE size_t mask_in_place_avx2(uint8_t *data, size_t len, const uint8_t *key, size_t phase);
WS_EXPORT_CALLEE size_t mask_copy_avx512(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t *key, size_t phase);
WS_EXPORT_CALLEE size_t mask_in_place_avx512(uint8_t *data, size_t len, const uint8_t *key, size_t phase);

WS_EXPORT_CALLEE size_t utf8_validate_sse4(uint32_t *state, const uint8_t *data, size_t len);
WS_EXPORT_CALLEE size_t utf8_validate_avx2(uint32_t *state, const uint8_t *data, size_t len);
WS_EXPORT_CALLEE size_t utf8_validate_avx512(uint32_t *state, const uint8_t *data, size_t len);
WS_EXPORT_CALLEE size_t utf8_unmask_validate_avx2(uint32_t *state, uint8_t *dst, const uint8_t *src, size_t len,
                                 const uint8_t *key, size_t phase);
WS_EXPORT_CALLEE size_t utf8_unmask_validate_avx512(uint32_t *state, uint8_t *dst, const uint8_t *src, size_t len,
                                   const uint8_t *key, size_t phase);
#endif

} /* namespace ws */

#endif /* WEBSOCKET_SIMD_KERNELS_H */
