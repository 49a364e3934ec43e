/*
 * CPU feature detection for the SIMD kernels
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

#ifndef WEBSOCKET_CPU_FEATURES_H
#define WEBSOCKET_CPU_FEATURES_H

#include <stddef.h>
#include <stdint.h>

namespace ws {

/* One bit per instruction set extension a kernel may need.  A bit is set only
 * when the CPU has the extension AND the OS saves the registers it uses. */
enum cpu_feature : uint32_t
{
    CPU_SSE2        = 1u << 0,
    CPU_SSSE3       = 1u << 1,
    CPU_SSE41       = 1u << 2,
    CPU_SSE42       = 1u << 3,
    CPU_AVX         = 1u << 4,
    CPU_AVX2        = 1u << 5,
    CPU_BMI2        = 1u << 6,
    CPU_AVX512F     = 1u << 7,
    CPU_AVX512BW    = 1u << 8,
    CPU_AVX512VL    = 1u << 9,
    CPU_AVX512VBMI  = 1u << 10,
};

/* The levels the kernels are built for, lowest first.  Each level includes
 * the ones below it. */
enum class simd_level
{
    scalar = 0,
    sse2,
    sse4,       /* SSSE3 + SSE4.1 + SSE4.2 */
    avx2,       /* + AVX, AVX2 */
    avx512,     /* + AVX-512 F, BW, VL */
};

/* The features the kernels may use, detected once (thread-safe, no allocation).
 * The environment variable WS_SIMD=scalar|sse2|sse4|avx2|avx512, read at that
 * time, caps them at a level so tests and benchmarks can force a slower path. */
uint32_t cpu_features();

/* The same, without the WS_SIMD cap. */
uint32_t cpu_features_detected();

/* features capped at the level named level_name as WS_SIMD would (null,
 * empty or an unknown name: no cap). */
uint32_t cpu_features_capped(uint32_t features, const char *level_name);

/* The highest level whose features are all present in cpu_features(). */
simd_level cpu_simd_level();

/* How many entries of a kernel table, ordered by ascending level, this CPU
 * can run (the scalar first entry always can). */
size_t usable_kernel_count(const simd_level *levels, size_t count);

/* Every feature bit a level needs. */
uint32_t simd_level_features(simd_level level);

const char *simd_level_name(simd_level level);

inline bool cpu_has(uint32_t features)
{
    return (cpu_features() & features) == features;
}

} /* namespace ws */

#endif /* WEBSOCKET_CPU_FEATURES_H */
