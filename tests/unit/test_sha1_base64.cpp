/*
 * Unit tests: SHA-1 and base64
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
#include <string.h>

#include "base64.h"
#include "sha1.h"

namespace {

void to_hex(const uint8_t digest[ws::SHA1_DIGEST_SIZE], char out[2 * ws::SHA1_DIGEST_SIZE + 1])
{
    for (size_t i = 0; i < ws::SHA1_DIGEST_SIZE; i++)
        snprintf(out + 2 * i, 3, "%02x", digest[i]);
}

void check_sha1(const void *data, size_t len, const char *hex)
{
    uint8_t digest[ws::SHA1_DIGEST_SIZE];
    char text[2 * ws::SHA1_DIGEST_SIZE + 1];
    ws::sha1(data, len, digest);
    to_hex(digest, text);
    assert_string_equal(text, hex);
}

/* Bytes i*7 mod 256: crosses every padding boundary without a run. */
void pattern(uint8_t *out, size_t len)
{
    for (size_t i = 0; i < len; i++)
        out[i] = (uint8_t)(i * 7);
}

bool decode(const char *text, uint8_t *out, size_t cap, size_t *out_len)
{
    return ws::base64_decode(text, strlen(text), out, cap, out_len);
}

} /* namespace */

static void test_sha1_fips_vectors(void **)
{
    check_sha1("", 0, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    check_sha1("abc", 3, "a9993e364706816aba3e25717850c26c9cd0d89d");
    const char *v448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    check_sha1(v448, strlen(v448), "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    const char *v896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
                       "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    check_sha1(v896, strlen(v896), "a49b2446a02c645bf419f995b67091253a04a259");
}

static void test_sha1_million_a(void **)
{
    /* Fed in uneven pieces through the streaming interface. */
    static uint8_t chunk[1000];
    memset(chunk, 'a', sizeof(chunk));
    ws::sha1_context ctx;
    ctx.init();
    size_t left = 1000000, step = 1;
    while (left)
    {
        size_t n = step < left ? step : left;
        ctx.update(chunk, n);
        left -= n;
        step = step % 983 + 13;   /* stays within chunk */
    }
    uint8_t digest[ws::SHA1_DIGEST_SIZE];
    char text[2 * ws::SHA1_DIGEST_SIZE + 1];
    ctx.finish(digest);
    to_hex(digest, text);
    assert_string_equal(text, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

static void test_sha1_padding_boundaries(void **)
{
    /* Reference digests of pattern() bytes, computed with another SHA-1. */
    struct { size_t len; const char *hex; } cases[] = {
        { 1, "5ba93c9db0cff93f52b521d7420e43f6eda2784f" },
        { 55, "aecd1643c9903b9bae8cb94f53c50f8a4e18605b" },
        { 56, "f5d65c621c02cc8e785159feff8088e3072da1bc" },
        { 57, "a69640f450b01dd44b096a2a697b52e3f2aeb117" },
        { 63, "4952f0fe097e4d6410ae9eab4855aa836caf3bff" },
        { 64, "1e17ae1fc093e5daca033553c97a5192ca164486" },
        { 65, "ac44f5dbe3e9b5d2733fc9537fcad715c3c20bc3" },
        { 119, "b4a4e69060d0b1e7e8ebbf7041a4211c63438b57" },
        { 120, "b651390c2996406336a3f6647e4b590c18cdd6f8" },
        { 127, "374f47c1c8d4700fc2588e71f6d1e861b431b5c3" },
        { 128, "516846cd40bd1fe431119c3b0a0f362957992ee8" },
        { 129, "a6e7c0b71257b5d5c4f15a05f915368ac52580b3" },
        { 1000, "38f3aa587f4aa04965a359f9151092759b3a4c2a" },
    };
    static uint8_t data[1000];
    pattern(data, sizeof(data));
    for (auto &c : cases)
    {
        check_sha1(data, c.len, c.hex);

        /* Every two-piece split gives the same digest. */
        uint8_t whole[ws::SHA1_DIGEST_SIZE], split[ws::SHA1_DIGEST_SIZE];
        ws::sha1(data, c.len, whole);
        for (size_t cut = 0; cut <= c.len && cut <= 200; cut++)
        {
            ws::sha1_context ctx;
            ctx.init();
            ctx.update(data, cut);
            ctx.update(data + cut, c.len - cut);
            ctx.finish(split);
            assert_memory_equal(whole, split, sizeof(whole));
        }
    }
}

static void test_base64_rfc4648_vectors(void **)
{
    struct { const char *plain; const char *encoded; } cases[] = {
        { "", "" },
        { "f", "Zg==" },
        { "fo", "Zm8=" },
        { "foo", "Zm9v" },
        { "foob", "Zm9vYg==" },
        { "fooba", "Zm9vYmE=" },
        { "foobar", "Zm9vYmFy" },
    };
    for (auto &c : cases)
    {
        size_t len = strlen(c.plain);
        char out[16];
        memset(out, 0, sizeof(out));
        size_t n = ws::base64_encode(reinterpret_cast<const uint8_t *>(c.plain), len, out);
        assert_int_equal(n, ws::base64_encoded_size(len));
        assert_int_equal(n, strlen(c.encoded));
        assert_memory_equal(out, c.encoded, n);
        assert_int_equal(out[n], 0);   /* no NUL written, nothing past the count */

        uint8_t decoded[16];
        size_t decoded_len = 99;
        assert_true(decode(c.encoded, decoded, sizeof(decoded), &decoded_len));
        assert_int_equal(decoded_len, len);
        assert_memory_equal(decoded, c.plain, len);
        /* Exact capacity is enough. */
        assert_true(decode(c.encoded, decoded, len, &decoded_len));
    }
}

static void test_base64_roundtrip_all_bytes(void **)
{
    uint8_t data[300], back[300];
    char text[ws::base64_encoded_size(300)];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(255 - i);
    for (size_t len = 0; len <= sizeof(data); len++)
    {
        size_t n = ws::base64_encode(data, len, text);
        size_t back_len;
        assert_true(ws::base64_decode(text, n, back, sizeof(back), &back_len));
        assert_int_equal(back_len, len);
        assert_memory_equal(back, data, len);
        assert_true(ws::base64_decoded_max(n) >= len);
    }
}

static void test_base64_rejects(void **)
{
    static const char *bad[] = {
        "Z",            /* wrong length */
        "Zg",
        "Zg=",
        "Zm9vY",
        "Zm9vYg=",
        "Zg==Zg==",     /* padding before the end */
        "Zg=a",
        "Z===",         /* too much padding */
        "====",
        "=Zg=",
        "Zm9v!A==",     /* bad characters */
        "Zm9v-A==",     /* URL-safe alphabet */
        "Zm9v_A==",
        " Zg=",         /* whitespace */
        "Zg==\n",
        "Zg= =",
        "Zm9v\x80""A==",
        "Zh==",         /* non-zero bits under the padding */
        "Zm9=",
        "AB==",
        "AAB=",
    };
    for (const char *text : bad)
    {
        uint8_t out[16];
        size_t out_len = 12345;
        assert_false(decode(text, out, sizeof(out), &out_len));
        assert_int_equal(out_len, 12345);
    }

    /* An embedded NUL is a bad character too (counted input). */
    uint8_t out[16];
    size_t out_len;
    assert_false(ws::base64_decode("Zm\0v", 4, out, sizeof(out), &out_len));
}

static void test_base64_capacity(void **)
{
    uint8_t out[6];
    size_t out_len = 77;
    assert_false(decode("Zm9v", out, 2, &out_len));
    assert_false(decode("Zm9vYg==", out, 3, &out_len));
    assert_int_equal(out_len, 77);
    assert_true(decode("Zm9vYg==", out, 4, &out_len));
    assert_int_equal(out_len, 4);
    assert_true(decode("", nullptr, 0, &out_len));
    assert_int_equal(out_len, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha1_fips_vectors),
        cmocka_unit_test(test_sha1_million_a),
        cmocka_unit_test(test_sha1_padding_boundaries),
        cmocka_unit_test(test_base64_rfc4648_vectors),
        cmocka_unit_test(test_base64_roundtrip_all_bytes),
        cmocka_unit_test(test_base64_rejects),
        cmocka_unit_test(test_base64_capacity),
    };
    return cmocka_run_group_tests_name("sha1_base64", tests, nullptr, nullptr);
}
