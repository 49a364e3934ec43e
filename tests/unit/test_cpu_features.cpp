/*
 * Unit tests: CPU feature detection
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

#include "cmocka_cxx.h"

#include <stdio.h>
#include <stdlib.h>

#include "cpu_features.h"
#include "masking.h"
#include "utf8_validator.h"

namespace {

using ws::simd_level;

const simd_level levels[] = {
    simd_level::scalar, simd_level::sse2, simd_level::sse4, simd_level::avx2, simd_level::avx512,
};

void test_report(void **)
{
    uint32_t f = ws::cpu_features_detected();
    static const struct { uint32_t bit; const char *name; } names[] = {
        { ws::CPU_SSE2, "sse2" }, { ws::CPU_SSSE3, "ssse3" }, { ws::CPU_SSE41, "sse4.1" },
        { ws::CPU_SSE42, "sse4.2" }, { ws::CPU_AVX, "avx" }, { ws::CPU_AVX2, "avx2" },
        { ws::CPU_BMI2, "bmi2" }, { ws::CPU_AVX512F, "avx512f" }, { ws::CPU_AVX512BW, "avx512bw" },
        { ws::CPU_AVX512VL, "avx512vl" }, { ws::CPU_AVX512VBMI, "avx512vbmi" },
    };
    printf("detected:");
    for (const auto &n : names)
        if (f & n.bit)
            printf(" %s", n.name);
    printf("\nlevel: %s (WS_SIMD=%s)\n", ws::simd_level_name(ws::cpu_simd_level()),
           getenv("WS_SIMD") ? getenv("WS_SIMD") : "");
}

void test_detection_is_consistent(void **)
{
    uint32_t f = ws::cpu_features_detected();
    /* Stable across calls. */
    assert_int_equal(f, ws::cpu_features_detected());
    assert_int_equal(ws::cpu_features(), ws::cpu_features());
    /* The capped set is a subset. */
    assert_int_equal(ws::cpu_features() & ~f, 0);
#if defined(__x86_64__)
    assert_true(f & ws::CPU_SSE2);  /* baseline of the architecture */
#endif
    /* What the OS-support checks imply. */
    if (f & ws::CPU_AVX2)
        assert_true(f & ws::CPU_AVX);
    if (f & (ws::CPU_AVX512BW | ws::CPU_AVX512VL | ws::CPU_AVX512VBMI))
        assert_true(f & ws::CPU_AVX512F);
    if (f & ws::CPU_AVX512F)
        assert_true(f & ws::CPU_AVX);
}

void test_levels(void **)
{
    uint32_t prev = 0;
    for (simd_level l : levels)
    {
        uint32_t need = ws::simd_level_features(l);
        assert_int_equal(need & prev, prev);    /* each level includes the one below */
        prev = need;
        assert_string_not_equal(ws::simd_level_name(l), "unknown");
    }
    assert_int_equal(ws::simd_level_features(simd_level::scalar), 0);

    simd_level l = ws::cpu_simd_level();
    uint32_t need = ws::simd_level_features(l);
    assert_int_equal(ws::cpu_features() & need, need);
    if (l != simd_level::avx512)
    {
        uint32_t next = ws::simd_level_features((simd_level)((int)l + 1));
        assert_true((ws::cpu_features() & next) != next);
    }
}

void test_cap(void **)
{
    const uint32_t all = 0x7ff;
    assert_int_equal(ws::cpu_features_capped(all, nullptr), all);
    assert_int_equal(ws::cpu_features_capped(all, ""), all);
    assert_int_equal(ws::cpu_features_capped(all, "bogus"), all);
    assert_int_equal(ws::cpu_features_capped(all, "scalar"), 0);
    assert_int_equal(ws::cpu_features_capped(all, "sse2"), ws::CPU_SSE2);
    assert_int_equal(ws::cpu_features_capped(all, "sse4"), ws::simd_level_features(simd_level::sse4));
    assert_int_equal(ws::cpu_features_capped(all, "avx2"), ws::simd_level_features(simd_level::avx2));
    assert_int_equal(ws::cpu_features_capped(all, "avx512"), all);
    /* A cap never adds what the CPU lacks. */
    assert_int_equal(ws::cpu_features_capped(ws::CPU_SSE2, "avx2"), ws::CPU_SSE2);

    /* The process's own cap, if a test run sets one. */
    assert_int_equal(ws::cpu_features(),
                     ws::cpu_features_capped(ws::cpu_features_detected(), getenv("WS_SIMD")));
}

/* The kernel lists follow the level: one kernel per level the CPU reaches. */
void test_kernel_lists_follow_level(void **)
{
#if defined(__x86_64__) || defined(__i386__)
    int level = (int)ws::cpu_simd_level();
    const ws::mask_kernel *mk;
    size_t masks = ws::mask_kernels(&mk);
    const ws::utf8_kernel *uk;
    size_t utf8s = ws::utf8_kernels(&uk);
    /* masking: scalar, sse2, avx2, avx512 */
    static const int mask_levels[] = { 0, 1, 3, 4 };
    /* utf8: scalar, sse4, avx2, avx512 */
    static const int utf8_levels[] = { 0, 2, 3, 4 };
    size_t want_masks = 0, want_utf8s = 0;
    for (int i = 0; i < 4; i++)
    {
        want_masks += mask_levels[i] <= level;
        want_utf8s += utf8_levels[i] <= level;
    }
    assert_int_equal(masks, want_masks);
    assert_int_equal(utf8s, want_utf8s);
#endif
}

} /* namespace */

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report),
        cmocka_unit_test(test_detection_is_consistent),
        cmocka_unit_test(test_levels),
        cmocka_unit_test(test_cap),
        cmocka_unit_test(test_kernel_lists_follow_level),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
