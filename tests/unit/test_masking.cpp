/*
 * Unit tests: RFC 6455 masking kernels
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
#include <string.h>

#include "masking.h"

namespace {

/* xorshift64*: reproducible test data without libc's rand(). */
struct rng
{
    uint64_t s;
    explicit rng(uint64_t seed) : s(seed | 1) {}
    uint64_t next()
    {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        return s * 0x2545f4914f6cdd1dull;
    }
    void fill(uint8_t *p, size_t n)
    {
        for (size_t i = 0; i < n; i++)
            p[i] = (uint8_t)(next() >> 56);
    }
};

/* RFC 6455 section 5.3, literally. */
void reference_mask(uint8_t *out, const uint8_t *in, size_t len, const uint8_t key[4], size_t phase)
{
    for (size_t i = 0; i < len; i++)
        out[i] = in[i] ^ key[(phase + i) % 4];
}

constexpr uint8_t canary = 0xa5;
constexpr size_t max_small = 300;
constexpr size_t max_offset = 64;

size_t kernel_list(const ws::mask_kernel **list)
{
    size_t n = ws::mask_kernels(list);
    assert_true(n >= 1);
    return n;
}

void test_rfc_example(void **)
{
    /* RFC 6455 section 5.7: "Hello" masked with 37 fa 21 3d. */
    static const uint8_t key[4] = { 0x37, 0xfa, 0x21, 0x3d };
    static const uint8_t plain[5] = { 'H', 'e', 'l', 'l', 'o' };
    static const uint8_t masked[5] = { 0x7f, 0x9f, 0x4d, 0x51, 0x58 };
    uint8_t out[5];

    assert_int_equal(ws::mask_copy(out, plain, 5, key, 0), 1);
    assert_memory_equal(out, masked, 5);
    assert_int_equal(ws::mask_in_place(out, 5, key, 0), 1);
    assert_memory_equal(out, plain, 5);

    /* In two pieces, carrying the phase. */
    size_t phase = ws::mask_copy(out, plain, 3, key, 0);
    assert_int_equal(phase, 3);
    assert_int_equal(ws::mask_copy(out + 3, plain + 3, 2, key, phase), 1);
    assert_memory_equal(out, masked, 5);

    const ws::mask_kernel *k;
    size_t n = kernel_list(&k);
    for (size_t i = 0; i < n; i++)
    {
        memset(out, 0, sizeof(out));
        assert_int_equal(k[i].copy(out, plain, 5, key, 0), 1);
        assert_memory_equal(out, masked, 5);
        assert_int_equal(k[i].in_place(out, 5, key, 0), 1);
        assert_memory_equal(out, plain, 5);
    }
}

void test_kernel_list(void **)
{
    const ws::mask_kernel *k;
    size_t n = kernel_list(&k);
    assert_string_equal(k[0].name, "scalar");
    for (size_t i = 0; i < n; i++)
    {
        assert_non_null(k[i].name);
        assert_non_null(k[i].copy);
        assert_non_null(k[i].in_place);
        for (size_t j = 0; j < i; j++)
            assert_true(strcmp(k[i].name, k[j].name) != 0);
    }
    /* The dispatcher uses the best one. */
    assert_ptr_equal(ws::mask_active_kernel(), &k[n - 1]);
    printf("mask kernels:");
    for (size_t i = 0; i < n; i++)
        printf(" %s", k[i].name);
    printf(" (active: %s)\n", ws::mask_active_kernel()->name);
}

/* Every kernel against the reference: lengths 0-300, each phase, every
 * source and destination offset 0-63 (so every relative alignment), with
 * canaries around the output to catch stray writes. */
void test_copy_all_lengths_alignments(void **)
{
    const ws::mask_kernel *k;
    size_t n = kernel_list(&k);
    rng r(1);
    static uint8_t src[max_offset + max_small];
    static uint8_t dst[max_offset + max_small + max_offset];
    static uint8_t expect[max_small];
    static uint8_t guard[sizeof(dst)];
    memset(guard, canary, sizeof(guard));
    memset(dst, canary, sizeof(dst));

    for (size_t len = 0; len <= max_small; len++)
    {
        for (size_t phase = 0; phase < 4; phase++)
        {
            uint8_t key[4];
            r.fill(key, 4);
            for (size_t so = 0; so < max_offset; so++)
            {
                r.fill(src + so, len);
                reference_mask(expect, src + so, len, key, phase);
                for (size_t ki = 0; ki < n; ki++)
                {
                    for (size_t dof = 0; dof < max_offset; dof++)
                    {
                        size_t ret = k[ki].copy(dst + dof, src + so, len, key, phase);
                        if (ret != ((phase + len) & 3) || memcmp(dst + dof, expect, len)
                            || memcmp(dst, guard, dof)
                            || memcmp(dst + dof + len, guard, sizeof(dst) - dof - len))
                            fail_msg("%s copy: len %zu phase %zu src+%zu dst+%zu", k[ki].name, len, phase, so, dof);
                        memset(dst + dof, canary, len);
                    }
                }
            }
        }
    }
}

void test_in_place_all_lengths_alignments(void **)
{
    const ws::mask_kernel *k;
    size_t n = kernel_list(&k);
    rng r(2);
    static uint8_t buf[max_offset + max_small + max_offset];
    static uint8_t orig[max_small];
    static uint8_t expect[max_small];
    static uint8_t guard[sizeof(buf)];
    memset(guard, canary, sizeof(guard));
    memset(buf, canary, sizeof(buf));

    for (size_t len = 0; len <= max_small; len++)
    {
        for (size_t phase = 0; phase < 4; phase++)
        {
            uint8_t key[4];
            r.fill(key, 4);
            r.fill(orig, len);
            reference_mask(expect, orig, len, key, phase);
            for (size_t ki = 0; ki < n; ki++)
            {
                for (size_t off = 0; off < max_offset; off++)
                {
                    memcpy(buf + off, orig, len);
                    size_t ret = k[ki].in_place(buf + off, len, key, phase);
                    if (ret != ((phase + len) & 3) || memcmp(buf + off, expect, len)
                        || memcmp(buf, guard, off)
                        || memcmp(buf + off + len, guard, sizeof(buf) - off - len))
                        fail_msg("%s in place: len %zu phase %zu at +%zu", k[ki].name, len, phase, off);
                    memset(buf + off, canary, len);
                }
            }
        }
    }
}

/* Source and destination in heap blocks of exactly len bytes, so a
 * sanitizer build catches any access outside them. */
void test_exact_buffers(void **)
{
    const ws::mask_kernel *k;
    size_t n = kernel_list(&k);
    rng r(6);
    for (size_t len = 0; len <= 1100; len += len < 300 ? 1 : 97)
    {
        uint8_t *src = (uint8_t *)malloc(len ? len : 1);
        uint8_t *dst = (uint8_t *)malloc(len ? len : 1);
        uint8_t *expect = (uint8_t *)malloc(len ? len : 1);
        assert_true(src && dst && expect);
        r.fill(src, len);
        uint8_t key[4];
        r.fill(key, 4);
        size_t phase = len % 4;
        reference_mask(expect, src, len, key, phase);
        for (size_t ki = 0; ki < n; ki++)
        {
            assert_int_equal(k[ki].copy(dst, src, len, key, phase), (phase + len) & 3);
            assert_memory_equal(dst, expect, len);
            memcpy(dst, src, len);
            assert_int_equal(k[ki].in_place(dst, len, key, phase), (phase + len) & 3);
            assert_memory_equal(dst, expect, len);
        }
        free(src);
        free(dst);
        free(expect);
    }
}

/* Large buffers: the unrolled, aligned main loops and their tails. */
void test_large_sizes(void **)
{
    const ws::mask_kernel *k;
    size_t n = kernel_list(&k);
    static const size_t sizes[] = { 4096, 65536 + 13, 1048576 + 7 };
    const size_t max = 1048576 + 7 + 2 * max_offset;
    uint8_t *src = (uint8_t *)malloc(max);
    uint8_t *dst = (uint8_t *)malloc(max);
    uint8_t *expect = (uint8_t *)malloc(max);
    assert_non_null(src);
    assert_non_null(dst);
    assert_non_null(expect);
    rng r(3);
    r.fill(src, max);

    for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++)
    {
        size_t len = sizes[si];
        for (size_t trial = 0; trial < 6; trial++)
        {
            size_t phase = trial & 3;
            size_t so = (size_t)(r.next() % max_offset), dof = (size_t)(r.next() % max_offset);
            uint8_t key[4];
            r.fill(key, 4);
            reference_mask(expect, src + so, len, key, phase);
            for (size_t ki = 0; ki < n; ki++)
            {
                memset(dst, canary, max);
                assert_int_equal(k[ki].copy(dst + dof, src + so, len, key, phase), (phase + len) & 3);
                if (memcmp(dst + dof, expect, len))
                    fail_msg("%s copy: len %zu phase %zu src+%zu dst+%zu", k[ki].name, len, phase, so, dof);
                if (dof)
                    assert_int_equal(dst[dof - 1], canary);
                assert_int_equal(dst[dof + len], canary);

                memcpy(dst + dof, src + so, len);
                assert_int_equal(k[ki].in_place(dst + dof, len, key, phase), (phase + len) & 3);
                if (memcmp(dst + dof, expect, len))
                    fail_msg("%s in place: len %zu phase %zu at +%zu", k[ki].name, len, phase, dof);
                assert_int_equal(dst[dof + len], canary);
            }
        }
    }
    free(src);
    free(dst);
    free(expect);
}

/* A payload masked in random pieces, carrying the returned phase, equals the
 * payload masked in one go: how the engine masks a frame across sends. */
void test_pieces_carry_phase(void **)
{
    const ws::mask_kernel *k;
    size_t n = kernel_list(&k);
    rng r(4);
    static uint8_t src[5000], dst[5000], expect[5000];
    for (size_t trial = 0; trial < 200; trial++)
    {
        size_t len = (size_t)(r.next() % sizeof(src));
        uint8_t key[4];
        r.fill(key, 4);
        r.fill(src, len);
        reference_mask(expect, src, len, key, 0);
        for (size_t ki = 0; ki <= n; ki++)
        {
            /* ki == n: the public dispatching functions. */
            size_t pos = 0, phase = 0;
            memcpy(dst, src, len);
            while (pos < len)
            {
                size_t piece = (size_t)(r.next() % 200);
                if (piece > len - pos)
                    piece = len - pos;
                bool copy = r.next() & 1;
                if (ki < n)
                    phase = copy ? k[ki].copy(dst + pos, src + pos, piece, key, phase)
                                 : k[ki].in_place(dst + pos, piece, key, phase);
                else
                    phase = copy ? ws::mask_copy(dst + pos, src + pos, piece, key, phase)
                                 : ws::mask_in_place(dst + pos, piece, key, phase);
                pos += piece;
            }
            assert_int_equal(phase, len & 3);
            if (memcmp(dst, expect, len))
                fail_msg("%s: pieces of a %zu-byte payload", ki < n ? k[ki].name : "dispatch", len);
        }
    }
}

/* Masking twice restores the data (the same operation unmasks). */
void test_involution(void **)
{
    rng r(5);
    static uint8_t orig[1000], buf[1000], tmp[1000];
    r.fill(orig, sizeof(orig));
    for (size_t len = 0; len <= sizeof(orig); len += 37)
    {
        uint8_t key[4];
        r.fill(key, 4);
        size_t phase = len & 3;
        memcpy(buf, orig, len);
        ws::mask_in_place(buf, len, key, phase);
        ws::mask_copy(tmp, buf, len, key, phase);
        assert_memory_equal(tmp, orig, len);
    }
}

} /* namespace */

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc_example),
        cmocka_unit_test(test_kernel_list),
        cmocka_unit_test(test_copy_all_lengths_alignments),
        cmocka_unit_test(test_in_place_all_lengths_alignments),
        cmocka_unit_test(test_exact_buffers),
        cmocka_unit_test(test_large_sizes),
        cmocka_unit_test(test_pieces_carry_phase),
        cmocka_unit_test(test_involution),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
