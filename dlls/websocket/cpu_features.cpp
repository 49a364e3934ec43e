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

#include "cpu_features.h"

#include <atomic>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define WS_X86 1
#endif

namespace ws {
namespace {

constexpr uint32_t features_unset = 0x80000000u;

std::atomic<uint32_t> cached_detected{features_unset};
std::atomic<uint32_t> cached_capped{features_unset};

#ifdef WS_X86
/* XCR0 says which register states the OS saves on a context switch; a CPU
 * feature whose registers the OS does not save must not be used.  Inline asm
 * rather than _xgetbv(), which would need -mxsave for this file. */
uint64_t read_xcr0()
{
    uint32_t lo, hi;
    __asm__ __volatile__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

uint32_t detect()
{
    unsigned eax, ebx, ecx, edx;
    uint32_t f = 0;

    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx))
        return 0;  /* GCOVR_EXCL_LINE: every x86-64 CPU has CPUID leaf 1 */
    /* SSE state is saved by every OS that runs us (FXSAVE); SSE2 is only
     * optional on i686. */
    if (edx & (1u << 26)) f |= CPU_SSE2;
    if (ecx & (1u << 9))  f |= CPU_SSSE3;
    if (ecx & (1u << 19)) f |= CPU_SSE41;
    if (ecx & (1u << 20)) f |= CPU_SSE42;

    bool osxsave = ecx & (1u << 27);
    bool avx_cpu = ecx & (1u << 28);
    uint64_t xcr0 = osxsave ? read_xcr0() : 0;
    bool ymm_os = (xcr0 & 0x6) == 0x6;          /* XMM and YMM state */
    bool zmm_os = (xcr0 & 0xe6) == 0xe6;        /* + opmask, ZMM_Hi256, Hi16_ZMM */

    if (avx_cpu && ymm_os)
        f |= CPU_AVX;

    unsigned max_leaf = __get_cpuid_max(0, nullptr);
    if (max_leaf >= 7 && __get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx))
    {
        if ((f & CPU_AVX) && (ebx & (1u << 5))) f |= CPU_AVX2;
        if (ebx & (1u << 8)) f |= CPU_BMI2;
        if ((f & CPU_AVX) && zmm_os)
        {
            if (ebx & (1u << 16)) f |= CPU_AVX512F;
            if (f & CPU_AVX512F)
            {
                if (ebx & (1u << 30)) f |= CPU_AVX512BW;
                if (ebx & (1u << 31)) f |= CPU_AVX512VL;
                if (ecx & (1u << 1))  f |= CPU_AVX512VBMI;
            }
        }
    }
    return f;
}
#else
uint32_t detect()
{
    return 0;
}
#endif

const char *const level_names[] = { "scalar", "sse2", "sse4", "avx2", "avx512" };
constexpr int level_count = sizeof(level_names) / sizeof(level_names[0]);

} /* namespace */

uint32_t cpu_features_capped(uint32_t features, const char *level_name)
{
    if (!level_name || !*level_name)
        return features;
    for (int i = 0; i < level_count; i++)
    {
        if (!strcmp(level_name, level_names[i]))
        {
            /* Keep only what the named level and those below it use; the
             * top level caps nothing (extras such as VBMI stay). */
            return i == level_count - 1 ? features : features & simd_level_features((simd_level)i);
        }
    }
    return features;   /* an unknown name caps nothing */
}

uint32_t simd_level_features(simd_level level)
{
    static const uint32_t needs[] = {
        0,
        CPU_SSE2,
        CPU_SSE2 | CPU_SSSE3 | CPU_SSE41 | CPU_SSE42,
        CPU_SSE2 | CPU_SSSE3 | CPU_SSE41 | CPU_SSE42 | CPU_AVX | CPU_AVX2,
        CPU_SSE2 | CPU_SSSE3 | CPU_SSE41 | CPU_SSE42 | CPU_AVX | CPU_AVX2
            | CPU_AVX512F | CPU_AVX512BW | CPU_AVX512VL,
    };
    int i = (int)level;
    if (i < 0 || i >= level_count)
        return 0;
    return needs[i];
}

const char *simd_level_name(simd_level level)
{
    int i = (int)level;
    return i >= 0 && i < level_count ? level_names[i] : "unknown";
}

uint32_t cpu_features_detected()
{
    /* Detection is idempotent: racing first callers store the same value. */
    uint32_t f = cached_detected.load(std::memory_order_relaxed);
    if (f == features_unset)
    {
        f = detect();
        cached_detected.store(f, std::memory_order_relaxed);
    }
    return f;
}

uint32_t cpu_features()
{
    uint32_t f = cached_capped.load(std::memory_order_relaxed);
    if (f == features_unset)
    {
        f = cpu_features_capped(cpu_features_detected(), getenv("WS_SIMD"));
        cached_capped.store(f, std::memory_order_relaxed);
    }
    return f;
}

simd_level cpu_simd_level()
{
    uint32_t f = cpu_features();
    int level = 0;
    for (int i = 1; i < level_count; i++)
    {
        uint32_t needs = simd_level_features((simd_level)i);
        if ((f & needs) != needs)
            break;  /* GCOVR_EXCL_LINE: only on a CPU without AVX-512 */
        level = i;
    }
    return (simd_level)level;
}

size_t usable_kernel_count(const simd_level *levels, size_t count)
{
    simd_level level = cpu_simd_level();
    size_t n = 0;
    while (n < count && levels[n] <= level)
        n++;
    return n;
}

} /* namespace ws */
