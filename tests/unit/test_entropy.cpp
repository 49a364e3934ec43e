/*
 * Unit tests: entropy seam and random pool
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

#include <string.h>

#include "chacha20.h"
#include "entropy.h"

namespace {

/* A source producing the byte stream 0, 1, 2, ... (mod 256) across calls,
 * so the pool's output can be checked for continuity. */
size_t source_calls;
size_t source_bytes;
bool source_fails;

bool counting_source(void *buf, size_t len)
{
    source_calls++;
    if (source_fails)
    {
        memset(buf, 0xaa, len);   /* garbage the pool must not hand out */
        return false;
    }
    uint8_t *p = static_cast<uint8_t *>(buf);
    for (size_t i = 0; i < len; i++)
        p[i] = (uint8_t)(source_bytes + i);
    source_bytes += len;
    return true;
}

void reset_source()
{
    source_calls = 0;
    source_bytes = 0;
    source_fails = false;
}

bool all_zero(const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (p[i])
            return false;
    return true;
}

} /* namespace */

static void test_system_random_differs(void **)
{
    uint8_t a[32], b[32];
    memset(a, 0, sizeof(a));
    memset(b, 0, sizeof(b));
    assert_true(ws::system_random(a, sizeof(a)));
    assert_true(ws::system_random(b, sizeof(b)));
    assert_memory_not_equal(a, b, sizeof(a));
    assert_false(all_zero(a, sizeof(a)));
    assert_true(ws::system_random(nullptr, 0));
}

static void test_system_random_large(void **)
{
    /* Bigger than one getrandom() guarantees in a single call. */
    static uint8_t big[1 << 20];
    assert_true(ws::system_random(big, sizeof(big)));
    /* Every 4 KiB page got bytes (a short read would leave zeros at the end). */
    for (size_t off = 0; off < sizeof(big); off += 4096)
        assert_false(all_zero(big + off, 4096));
}

/* The keystream a pool seeded with the counting source's bytes first..first+31 gives. */
static void keystream(uint8_t first, uint64_t block, uint8_t out[64]);

/* A pool takes a seed at its first draw and then hands out the seed's
 * ChaCha20 keystream, block by block, asking the source again only after
 * RANDOM_RESEED_BYTES. */
static void test_pool_refills_only_when_drained(void **)
{
    ws::random_pool pool;
    reset_source();
    pool.reset(counting_source);
    assert_int_equal(source_calls, 0);   /* reset does not draw */
    assert_int_equal(pool.available(), 0);

    uint8_t key[4], block[64];
    for (uint64_t b = 0; b < ws::RANDOM_RESEED_BYTES / ws::RANDOM_POOL_SIZE; b++)
    {
        keystream(0, b, block);
        for (size_t i = 0; i < ws::RANDOM_POOL_SIZE; i += 4)
        {
            assert_true(pool.next_mask_key(key));
            assert_memory_equal(key, block + i, 4);
        }
        assert_int_equal(pool.available(), 0);
    }
    assert_int_equal(source_calls, 1);
    assert_int_equal(source_bytes, 32);

    /* The seed is used up: the next key comes from a new one. */
    assert_true(pool.next_mask_key(key));
    assert_int_equal(source_calls, 2);
    keystream(32, 0, block);
    assert_memory_equal(key, block, 4);
    assert_int_equal(pool.available(), ws::RANDOM_POOL_SIZE - 4);
}

static void test_pool_draw_across_boundary(void **)
{
    ws::random_pool pool;
    reset_source();
    pool.reset(counting_source);

    uint8_t buf[ws::RANDOM_POOL_SIZE * 3 + 7], stream[ws::RANDOM_POOL_SIZE * 6];
    for (uint64_t b = 0; b < 6; b++)
        keystream(0, b, stream + b * ws::RANDOM_POOL_SIZE);
    assert_true(pool.bytes(buf, ws::RANDOM_POOL_SIZE - 3));
    assert_int_equal(pool.available(), 3);

    /* 10 bytes: 3 left over, then 7 from the next block, in stream order. */
    assert_true(pool.bytes(buf, 10));
    assert_memory_equal(buf, stream + ws::RANDOM_POOL_SIZE - 3, 10);

    /* A draw larger than a block takes as many as needed. */
    size_t start = ws::RANDOM_POOL_SIZE + 7;
    assert_true(pool.bytes(buf, sizeof(buf)));
    assert_memory_equal(buf, stream + start, sizeof(buf));
    assert_int_equal(pool.available(), ws::RANDOM_POOL_SIZE * 5 - start - sizeof(buf));
    assert_int_equal(source_calls, 1);

    /* Zero bytes: no seed even when empty. */
    pool.reset(counting_source);
    assert_true(pool.bytes(buf, 0));
    assert_int_equal(source_calls, 1);
}

static void test_pool_failure(void **)
{
    ws::random_pool pool;
    reset_source();
    pool.reset(counting_source);

    source_fails = true;
    uint8_t key[4];
    assert_false(pool.next_mask_key(key));
    assert_int_equal(source_calls, 1);
    assert_int_equal(pool.available(), 0);
    /* Still failing: each call retries, never serves what the failed call wrote. */
    assert_false(pool.next_mask_key(key));
    assert_int_equal(source_calls, 2);

    /* Failure at a reseed in the middle of a large draw. */
    source_fails = false;
    static uint8_t buf[ws::RANDOM_RESEED_BYTES + 10];
    assert_true(pool.bytes(buf, ws::RANDOM_RESEED_BYTES - 2));
    source_fails = true;
    assert_false(pool.bytes(buf, 10));
    assert_int_equal(pool.available(), 0);

    /* Recovery: the next draw is the keystream of a fresh seed. */
    source_fails = false;
    assert_true(pool.next_mask_key(key));
    uint8_t block[64];
    keystream(32, 0, block);
    assert_memory_equal(key, block, 4);
}

static void test_pool_system(void **)
{
    ws::random_pool a, b;
    a.reset();
    b.reset();
    uint8_t x[16], y[16], z[16];
    assert_true(a.bytes(x, sizeof(x)));
    assert_true(a.bytes(y, sizeof(y)));
    assert_true(b.bytes(z, sizeof(z)));
    assert_memory_not_equal(x, y, sizeof(x));
    assert_memory_not_equal(x, z, sizeof(x));   /* two handles, two streams */

    /* Many keys: not all equal, and a whole pool's worth is not all zero. */
    uint8_t keys[ws::RANDOM_POOL_SIZE];
    for (size_t i = 0; i < sizeof(keys); i += 4)
        assert_true(a.next_mask_key(keys + i));
    assert_false(all_zero(keys, sizeof(keys)));
    assert_memory_not_equal(keys, keys + 4, 4);
}

/* RFC 8439 section 2.3.2: key 00..1f, nonce 00 00 00 09 00 00 00 4a 00 00 00 00, block 1. */
static const uint8_t rfc8439_block[64] = {
    0x10, 0xf1, 0xe7, 0xe4, 0xd1, 0x3b, 0x59, 0x15, 0x50, 0x0f, 0xdd, 0x1f, 0xa3, 0x20, 0x71, 0xc4,
    0xc7, 0xd1, 0xf4, 0xc7, 0x33, 0xc0, 0x68, 0x03, 0x04, 0x22, 0xaa, 0x9a, 0xc3, 0xd4, 0x6c, 0x4e,
    0xd2, 0x82, 0x64, 0x46, 0x07, 0x9f, 0xaa, 0x09, 0x14, 0xc2, 0xd7, 0x05, 0xd9, 0x8b, 0x02, 0xa2,
    0xb5, 0x12, 0x9c, 0xd1, 0xde, 0x16, 0x4e, 0xb9, 0xcb, 0xd0, 0x83, 0xe8, 0xa2, 0x50, 0x3c, 0x4e,
};

/* Key words as a little-endian machine reads the bytes 0, 1, 2, ...: what
 * the counting source gives a generator as its seed. */
static void counting_key(uint32_t key[8], uint8_t first)
{
    for (int i = 0; i < 8; i++)
        key[i] = uint32_t(uint8_t(first + 4 * i)) | uint32_t(uint8_t(first + 4 * i + 1)) << 8
                 | uint32_t(uint8_t(first + 4 * i + 2)) << 16 | uint32_t(uint8_t(first + 4 * i + 3)) << 24;
}

static void keystream(uint8_t first, uint64_t block, uint8_t out[64])
{
    uint32_t key[8];
    counting_key(key, first);
    const uint32_t nonce[3] = { uint32_t(block >> 32), 0, 0 };
    ws::chacha20_block(key, uint32_t(block), nonce, out);
}

static void test_chacha20_block(void **)
{
    uint32_t key[8];
    counting_key(key, 0);
    const uint32_t nonce[3] = { 0x09000000, 0x4a000000, 0 };
    uint8_t out[64];
    ws::chacha20_block(key, 1, nonce, out);
    assert_memory_equal(out, rfc8439_block, 64);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_system_random_differs),
        cmocka_unit_test(test_system_random_large),
        cmocka_unit_test(test_pool_refills_only_when_drained),
        cmocka_unit_test(test_pool_draw_across_boundary),
        cmocka_unit_test(test_pool_failure),
        cmocka_unit_test(test_pool_system),
        cmocka_unit_test(test_chacha20_block),
    };
    return cmocka_run_group_tests_name("entropy", tests, nullptr, nullptr);
}
