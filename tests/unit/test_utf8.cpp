/*
 * Unit tests: incremental UTF-8 validation kernels
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

#include "utf8_validator.h"

using ws::utf8_result;

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
    uint32_t below(uint32_t n) { return (uint32_t)((next() >> 32) % n); }
};

/* ---- An independent reference: a decoder written straight from the
 * Unicode Standard's table of well-formed byte sequences (Table 3-7). ---- */

struct verdict
{
    utf8_result result;
    size_t error;   /* first byte no valid text could continue, when invalid */
};

verdict reference_check(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n)
    {
        uint8_t b = s[i];
        size_t more;
        uint8_t lo = 0x80, hi = 0xbf;   /* range of the byte after the lead */
        if (b <= 0x7f)
        {
            i++;
            continue;
        }
        else if (b >= 0xc2 && b <= 0xdf)
            more = 1;
        else if (b == 0xe0)
        {
            more = 2;
            lo = 0xa0;
        }
        else if ((b >= 0xe1 && b <= 0xec) || b == 0xee || b == 0xef)
            more = 2;
        else if (b == 0xed)
        {
            more = 2;
            hi = 0x9f;
        }
        else if (b == 0xf0)
        {
            more = 3;
            lo = 0x90;
        }
        else if (b >= 0xf1 && b <= 0xf3)
            more = 3;
        else if (b == 0xf4)
        {
            more = 3;
            hi = 0x8f;
        }
        else
            return { utf8_result::invalid, i };
        for (size_t k = 1; k <= more; k++)
        {
            if (i + k == n)
                return { utf8_result::incomplete, 0 };
            if (s[i + k] < lo || s[i + k] > hi)
                return { utf8_result::invalid, i + k };
            lo = 0x80;
            hi = 0xbf;
        }
        i += more + 1;
    }
    return { utf8_result::valid, 0 };
}

/* Any value up to 0x1FFFFF in the shortest form of the old (pre-RFC 3629)
 * scheme, surrogates included, so the invalid ones can be made too.  length
 * forces a longer (overlong) form. */
size_t encode(uint32_t cp, uint8_t *out, size_t length = 0)
{
    if (!length)
        length = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    switch (length)
    {
    case 1:
        out[0] = (uint8_t)cp;
        return 1;
    case 2:
        out[0] = (uint8_t)(0xc0 | cp >> 6);
        out[1] = (uint8_t)(0x80 | (cp & 0x3f));
        return 2;
    case 3:
        out[0] = (uint8_t)(0xe0 | cp >> 12);
        out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (uint8_t)(0x80 | (cp & 0x3f));
        return 3;
    default:
        out[0] = (uint8_t)(0xf0 | cp >> 18);
        out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
        out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
        out[3] = (uint8_t)(0x80 | (cp & 0x3f));
        return 4;
    }
}

const char *result_name(utf8_result r)
{
    return r == utf8_result::valid ? "valid" : r == utf8_result::incomplete ? "incomplete" : "invalid";
}

size_t kernel_list(const ws::utf8_kernel **list)
{
    size_t n = ws::utf8_kernels(list);
    assert_true(n >= 1);
    return n;
}

/* ---- Driving the validator ---- */

void describe(const uint8_t *d, size_t n)
{
    fprintf(stderr, "input (%zu bytes):", n);
    for (size_t i = 0; i < n && i < 96; i++)
        fprintf(stderr, " %02x", d[i]);
    fprintf(stderr, n > 96 ? " ...\n" : "\n");
}

/* How check_chunks feeds the text: as it is, or masked as a frame's payload
 * arrives (the key's phase running on across chunks) and given to
 * feed_masked to unmask into a second buffer or in place.  Calls take turns,
 * so every test drives every kernel all three ways. */
enum class feed_mode { plain, masked_copy, masked_in_place };
const char *const feed_mode_names[] = { "plain", "masked copy", "masked in place" };
const uint8_t test_key[4] = { 0x9c, 0x21, 0xe5, 0x70 };

feed_mode next_feed_mode()
{
    static unsigned turn;
    return feed_mode(turn++ % 3);
}

/* Feeds d in chunks ending at cuts[0..ncuts) and then n, checking after every
 * chunk the verdict, and the error offset, against the reference on the prefix
 * fed so far, then finish(); masked, also that every byte came out unmasked.
 * kernel null: the dispatching feed(). */
void check_chunks(const ws::utf8_kernel *kernel, const uint8_t *d, size_t n,
                  const size_t *cuts, size_t ncuts)
{
    ws::utf8_validator v;
    v.reset();
    size_t pos = 0;
    bool failed_before = false;
    feed_mode mode = next_feed_mode();
    for (size_t c = 0; c <= ncuts; c++)
    {
        size_t end = c < ncuts ? cuts[c] : n, len = end - pos;
        size_t offset = (size_t)-1;
        /* Each chunk in a heap block of its own size, so a sanitizer build
         * catches any access outside it. */
        uint8_t *chunk = (uint8_t *)malloc(len ? len : 1);
        uint8_t *out = (uint8_t *)malloc(len ? len : 1);
        assert_non_null(chunk);
        assert_non_null(out);
        utf8_result got;
        if (mode == feed_mode::plain)
        {
            memcpy(chunk, d + pos, len);
            got = kernel ? v.feed(*kernel, chunk, len, &offset) : v.feed(chunk, len, &offset);
        }
        else
        {
            for (size_t i = 0; i < len; i++)
                chunk[i] = uint8_t(d[pos + i] ^ test_key[(pos + i) % 4]);
            uint8_t *dst = mode == feed_mode::masked_copy ? out : chunk;
            got = kernel ? v.feed_masked(*kernel, dst, chunk, len, test_key, pos, &offset)
                         : v.feed_masked(dst, chunk, len, test_key, pos, &offset);
            if (len && memcmp(dst, d + pos, len))
            {
                describe(d, n);
                fail_msg("%s, %s: chunk [%zu, %zu) not unmasked", kernel ? kernel->name : "dispatch",
                         feed_mode_names[int(mode)], pos, end);
            }
        }
        free(chunk);
        free(out);
        verdict want = reference_check(d, end);
        bool ok = got == want.result;
        if (ok && got == utf8_result::invalid)
        {
            /* The chunk holding the error reports it; later ones say 0. */
            ok = failed_before ? offset == 0 : pos + offset == want.error;
            failed_before = true;
        }
        if (!ok)
        {
            describe(d, n);
            fprintf(stderr, "chunks ending at:");
            for (size_t i = 0; i < ncuts; i++)
                fprintf(stderr, " %zu", cuts[i]);
            fprintf(stderr, " %zu\n", n);
            fail_msg("%s, %s: chunk [%zu, %zu): got %s (offset %zu), want %s (at %zu)",
                     kernel ? kernel->name : "dispatch", feed_mode_names[int(mode)], pos, end, result_name(got),
                     offset, result_name(want.result), want.error);
        }
        pos = end;
    }
    utf8_result want_end = reference_check(d, n).result == utf8_result::valid
                         ? utf8_result::valid : utf8_result::invalid;
    utf8_result got_end = v.finish();
    if (got_end != want_end)
    {
        describe(d, n);
        fail_msg("%s, %s: finish() %s, want %s", kernel ? kernel->name : "dispatch",
                 feed_mode_names[int(mode)], result_name(got_end), result_name(want_end));
    }
}

void check_whole(const uint8_t *d, size_t n)
{
    const ws::utf8_kernel *k;
    size_t nk = kernel_list(&k);
    for (size_t i = 0; i < nk; i++)
        check_chunks(&k[i], d, n, nullptr, 0);
    check_chunks(nullptr, d, n, nullptr, 0);
}

/* Whole, in two chunks at every position and in three chunks (every pair of
 * positions for short inputs, `pairs` random ones otherwise). */
void check_splits(const uint8_t *d, size_t n, rng &r, size_t pairs = 64)
{
    const ws::utf8_kernel *k;
    size_t nk = kernel_list(&k);
    for (size_t i = 0; i < nk; i++)
    {
        check_chunks(&k[i], d, n, nullptr, 0);
        for (size_t cut = 0; cut <= n; cut++)
            check_chunks(&k[i], d, n, &cut, 1);
        if (n <= 24)
        {
            for (size_t a = 0; a <= n; a++)
                for (size_t b = a; b <= n; b++)
                {
                    size_t cuts[2] = { a, b };
                    check_chunks(&k[i], d, n, cuts, 2);
                }
        }
        else
        {
            for (size_t p = 0; p < pairs; p++)
            {
                size_t a = r.below((uint32_t)n + 1), b = r.below((uint32_t)n + 1);
                size_t cuts[2] = { a < b ? a : b, a < b ? b : a };
                check_chunks(&k[i], d, n, cuts, 2);
            }
        }
    }
    check_chunks(nullptr, d, n, nullptr, 0);
}

/* ---- Markus Kuhn's UTF-8 decoder capability and stress test ---- */

struct kuhn_case
{
    const char *name;
    const char *bytes;
    size_t len;
    utf8_result result;
    size_t error;
};

#define VALID(name, s)          { name, s, sizeof(s) - 1, utf8_result::valid, 0 }
#define OPEN(name, s)           { name, s, sizeof(s) - 1, utf8_result::incomplete, 0 }
#define BAD(name, s, at)        { name, s, sizeof(s) - 1, utf8_result::invalid, at }

const kuhn_case kuhn_cases[] = {
    /* 1  Some correct UTF-8 text */
    VALID("1 kosme", "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5"),
    /* 2.1  First possible sequence of a certain length */
    VALID("2.1.1 U+0000", "\x00"),
    VALID("2.1.2 U+0080", "\xc2\x80"),
    VALID("2.1.3 U+0800", "\xe0\xa0\x80"),
    VALID("2.1.4 U+10000", "\xf0\x90\x80\x80"),
    BAD("2.1.5 U+200000 (5 bytes)", "\xf8\x88\x80\x80\x80", 0),
    BAD("2.1.6 U+4000000 (6 bytes)", "\xfc\x84\x80\x80\x80\x80", 0),
    /* 2.2  Last possible sequence of a certain length */
    VALID("2.2.1 U+007F", "\x7f"),
    VALID("2.2.2 U+07FF", "\xdf\xbf"),
    VALID("2.2.3 U+FFFF", "\xef\xbf\xbf"),
    BAD("2.2.4 U+1FFFFF", "\xf7\xbf\xbf\xbf", 0),
    BAD("2.2.5 U+3FFFFFF", "\xfb\xbf\xbf\xbf\xbf", 0),
    BAD("2.2.6 U+7FFFFFFF", "\xfd\xbf\xbf\xbf\xbf\xbf", 0),
    /* 2.3  Other boundary conditions */
    VALID("2.3.1 U+D7FF", "\xed\x9f\xbf"),
    VALID("2.3.2 U+E000", "\xee\x80\x80"),
    VALID("2.3.3 U+FFFD", "\xef\xbf\xbd"),
    VALID("2.3.4 U+10FFFF", "\xf4\x8f\xbf\xbf"),
    BAD("2.3.5 U+110000", "\xf4\x90\x80\x80", 1),
    /* 3.1  Unexpected continuation bytes */
    BAD("3.1.1 first continuation byte", "\x80", 0),
    BAD("3.1.2 last continuation byte", "\xbf", 0),
    BAD("3.1.3 2 continuation bytes", "\x80\xbf", 0),
    BAD("3.1.4 3 continuation bytes", "\x80\xbf\x80", 0),
    BAD("3.1.5 4 continuation bytes", "\x80\xbf\x80\xbf", 0),
    BAD("3.1.6 5 continuation bytes", "\x80\xbf\x80\xbf\x80", 0),
    BAD("3.1.7 6 continuation bytes", "\x80\xbf\x80\xbf\x80\xbf", 0),
    BAD("3.1.8 7 continuation bytes", "\x80\xbf\x80\xbf\x80\xbf\x80", 0),
    BAD("3.1.9 all 64 continuation bytes",
        "\x80\x81\x82\x83\x84\x85\x86\x87\x88\x89\x8a\x8b\x8c\x8d\x8e\x8f"
        "\x90\x91\x92\x93\x94\x95\x96\x97\x98\x99\x9a\x9b\x9c\x9d\x9e\x9f"
        "\xa0\xa1\xa2\xa3\xa4\xa5\xa6\xa7\xa8\xa9\xaa\xab\xac\xad\xae\xaf"
        "\xb0\xb1\xb2\xb3\xb4\xb5\xb6\xb7\xb8\xb9\xba\xbb\xbc\xbd\xbe\xbf", 0),
    BAD("3.1 continuation after a complete character", "\xc3\xa9\x80", 2),
    BAD("3.1 continuation after ASCII", "ab\xbf", 2),
    /* 3.2  Lonely start characters, each followed by a space */
    BAD("3.2.1 all 32 two-byte leads",
        "\xc0 \xc1 \xc2 \xc3 \xc4 \xc5 \xc6 \xc7 \xc8 \xc9 \xca \xcb \xcc \xcd \xce \xcf "
        "\xd0 \xd1 \xd2 \xd3 \xd4 \xd5 \xd6 \xd7 \xd8 \xd9 \xda \xdb \xdc \xdd \xde \xdf ", 0),
    BAD("3.2.1 two-byte leads from C2",
        "\xc2 \xc3 \xc4 \xc5 \xc6 \xc7 \xc8 \xc9 \xca \xcb \xcc \xcd \xce \xcf "
        "\xd0 \xd1 \xd2 \xd3 \xd4 \xd5 \xd6 \xd7 \xd8 \xd9 \xda \xdb \xdc \xdd \xde \xdf ", 1),
    BAD("3.2.2 all 16 three-byte leads",
        "\xe0 \xe1 \xe2 \xe3 \xe4 \xe5 \xe6 \xe7 \xe8 \xe9 \xea \xeb \xec \xed \xee \xef ", 1),
    BAD("3.2.3 all 8 four-byte leads", "\xf0 \xf1 \xf2 \xf3 \xf4 \xf5 \xf6 \xf7 ", 1),
    BAD("3.2.4 all 4 five-byte leads", "\xf8 \xf9 \xfa \xfb ", 0),
    BAD("3.2.5 both six-byte leads", "\xfc \xfd ", 0),
    /* 3.3  Sequences with the last continuation byte missing */
    BAD("3.3.1 2-byte U+0000", "\xc0", 0),
    BAD("3.3.2 3-byte U+0000", "\xe0\x80", 1),
    BAD("3.3.3 4-byte U+0000", "\xf0\x80\x80", 1),
    BAD("3.3.4 5-byte U+0000", "\xf8\x80\x80\x80", 0),
    BAD("3.3.5 6-byte U+0000", "\xfc\x80\x80\x80\x80", 0),
    OPEN("3.3.6 2-byte U+07FF", "\xdf"),
    OPEN("3.3.7 3-byte U+FFFF", "\xef\xbf"),
    BAD("3.3.8 4-byte U+1FFFFF", "\xf7\xbf\xbf", 0),
    BAD("3.3.9 5-byte U+3FFFFFF", "\xfb\xbf\xbf\xbf", 0),
    BAD("3.3.10 6-byte U+7FFFFFFF", "\xfd\xbf\xbf\xbf\xbf", 0),
    OPEN("3.3 2-byte U+0080", "\xc2"),
    OPEN("3.3 3-byte U+0800, one missing", "\xe0\xa0"),
    OPEN("3.3 3-byte U+0800, two missing", "\xe0"),
    OPEN("3.3 3-byte U+D7FF", "\xed\x9f"),
    OPEN("3.3 4-byte U+10000, one missing", "\xf0\x90\x80"),
    OPEN("3.3 4-byte U+10000, two missing", "\xf0\x90"),
    OPEN("3.3 4-byte U+10FFFF", "\xf4\x8f\xbf"),
    OPEN("3.3 4-byte U+40000", "\xf1\x80\x80"),
    /* 3.4  Concatenation of incomplete sequences */
    BAD("3.4 all of 3.3 concatenated",
        "\xc0\xe0\x80\xf0\x80\x80\xf8\x80\x80\x80\xfc\x80\x80\x80\x80"
        "\xdf\xef\xbf\xf7\xbf\xbf\xfb\xbf\xbf\xbf\xfd\xbf\xbf\xbf\xbf", 0),
    BAD("3.4 valid incomplete ones concatenated", "\xdf\xef\xbf\xf4\x8f\xbf", 1),
    /* 3.5  Impossible bytes */
    BAD("3.5.1 FE", "\xfe", 0),
    BAD("3.5.2 FF", "\xff", 0),
    BAD("3.5.3 FE FE FF FF", "\xfe\xfe\xff\xff", 0),
    BAD("3.5 FF after text", "abc\xff", 3),
    /* 4.1  Examples of an overlong ASCII character (U+002F) */
    BAD("4.1.1 2-byte /", "\xc0\xaf", 0),
    BAD("4.1.2 3-byte /", "\xe0\x80\xaf", 1),
    BAD("4.1.3 4-byte /", "\xf0\x80\x80\xaf", 1),
    BAD("4.1.4 5-byte /", "\xf8\x80\x80\x80\xaf", 0),
    BAD("4.1.5 6-byte /", "\xfc\x80\x80\x80\x80\xaf", 0),
    /* 4.2  Maximum overlong sequences */
    BAD("4.2.1 U+007F in 2 bytes", "\xc1\xbf", 0),
    BAD("4.2.2 U+07FF in 3 bytes", "\xe0\x9f\xbf", 1),
    BAD("4.2.3 U+FFFF in 4 bytes", "\xf0\x8f\xbf\xbf", 1),
    BAD("4.2.4 U+1FFFFF in 5 bytes", "\xf8\x87\xbf\xbf\xbf", 0),
    BAD("4.2.5 U+3FFFFFF in 6 bytes", "\xfc\x83\xbf\xbf\xbf\xbf", 0),
    /* 4.3  Overlong representation of the NUL character */
    BAD("4.3.1 NUL in 2 bytes", "\xc0\x80", 0),
    BAD("4.3.2 NUL in 3 bytes", "\xe0\x80\x80", 1),
    BAD("4.3.3 NUL in 4 bytes", "\xf0\x80\x80\x80", 1),
    BAD("4.3.4 NUL in 5 bytes", "\xf8\x80\x80\x80\x80", 0),
    BAD("4.3.5 NUL in 6 bytes", "\xfc\x80\x80\x80\x80\x80", 0),
    /* 5.1  Single UTF-16 surrogates */
    BAD("5.1.1 U+D800", "\xed\xa0\x80", 1),
    BAD("5.1.2 U+DB7F", "\xed\xad\xbf", 1),
    BAD("5.1.3 U+DB80", "\xed\xae\x80", 1),
    BAD("5.1.4 U+DBFF", "\xed\xaf\xbf", 1),
    BAD("5.1.5 U+DC00", "\xed\xb0\x80", 1),
    BAD("5.1.6 U+DF80", "\xed\xbe\x80", 1),
    BAD("5.1.7 U+DFFF", "\xed\xbf\xbf", 1),
    /* 5.2  Paired UTF-16 surrogates */
    BAD("5.2.1 U+D800 U+DC00", "\xed\xa0\x80\xed\xb0\x80", 1),
    BAD("5.2.2 U+D800 U+DFFF", "\xed\xa0\x80\xed\xbf\xbf", 1),
    BAD("5.2.3 U+DB7F U+DC00", "\xed\xad\xbf\xed\xb0\x80", 1),
    BAD("5.2.4 U+DB7F U+DFFF", "\xed\xad\xbf\xed\xbf\xbf", 1),
    BAD("5.2.5 U+DB80 U+DC00", "\xed\xae\x80\xed\xb0\x80", 1),
    BAD("5.2.6 U+DB80 U+DFFF", "\xed\xae\x80\xed\xbf\xbf", 1),
    BAD("5.2.7 U+DBFF U+DC00", "\xed\xaf\xbf\xed\xb0\x80", 1),
    BAD("5.2.8 U+DBFF U+DFFF", "\xed\xaf\xbf\xed\xbf\xbf", 1),
    /* 5.3  Noncharacters: valid UTF-8 */
    VALID("5.3.1 U+FFFE", "\xef\xbf\xbe"),
    VALID("5.3.1 U+FFFF", "\xef\xbf\xbf"),
    VALID("5.3.2 U+FDD0", "\xef\xb7\x90"),
    VALID("5.3.2 U+FDEF", "\xef\xb7\xaf"),
    VALID("5.3.3 U+1FFFE", "\xf0\x9f\xbf\xbe"),
    VALID("5.3.3 U+10FFFF", "\xf4\x8f\xbf\xbf"),
};

#undef VALID
#undef OPEN
#undef BAD

/* The reference agrees with the verdicts written out by hand above. */
void test_reference_decoder(void **)
{
    for (const kuhn_case &c : kuhn_cases)
    {
        verdict v = reference_check((const uint8_t *)c.bytes, c.len);
        if (v.result != c.result || (c.result == utf8_result::invalid && v.error != c.error))
            fail_msg("reference on %s: %s at %zu", c.name, result_name(v.result), v.error);
    }
}

void test_kuhn_stress(void **)
{
    rng r(11);
    for (const kuhn_case &c : kuhn_cases)
    {
        const uint8_t *d = (const uint8_t *)c.bytes;
        check_splits(d, c.len, r);

        /* Also the hand-written verdict directly, through every kernel. */
        const ws::utf8_kernel *k;
        size_t nk = kernel_list(&k);
        for (size_t i = 0; i < nk; i++)
        {
            ws::utf8_validator v;
            v.reset();
            size_t at = (size_t)-1;
            utf8_result got = v.feed(k[i], d, c.len, &at);
            if (got != c.result || (got == utf8_result::invalid && at != c.error))
                fail_msg("%s on %s: %s at %zu", k[i].name, c.name, result_name(got), at);
        }
    }
}

/* Each case after every prefix length 0-130 (ASCII or multi-byte text) and
 * before more text, so it lands on every position of 16/32/64-byte vectors
 * and blocks. */
void test_kuhn_embedded(void **)
{
    static const char mixed[] = "\xce\xba\xe1\xbd\xb9" "a" "\xf0\x9f\x98\x80" "\xe4\xb8\xad" "z";
    uint8_t buf[512];
    rng r(12);
    for (const kuhn_case &c : kuhn_cases)
    {
        for (int style = 0; style < 2; style++)
        {
            for (size_t prefix = 0; prefix <= 130; prefix++)
            {
                size_t n = 0;
                /* Fill the prefix with whole characters, then ASCII. */
                while (style && n + sizeof(mixed) - 1 <= prefix)
                {
                    memcpy(buf + n, mixed, sizeof(mixed) - 1);
                    n += sizeof(mixed) - 1;
                }
                for (; n < prefix; n++)
                    buf[n] = (uint8_t)('A' + n % 26);
                memcpy(buf + n, c.bytes, c.len);
                n += c.len;
                size_t suffix = r.below(100);
                for (size_t i = 0; i < suffix; i++)
                    buf[n++] = style ? (uint8_t)('0' + i % 10) : ' ';

                /* Invalid at prefix + error; an open character is cut off by
                 * the ASCII after it. */
                verdict v = reference_check(buf, n);
                if (c.result == utf8_result::invalid)
                    assert_true(v.result == utf8_result::invalid && v.error == prefix + c.error);
                else if (c.result == utf8_result::valid || !suffix)
                    assert_true(v.result == c.result);
                else
                    assert_true(v.result == utf8_result::invalid && v.error == prefix + c.len);
                check_whole(buf, n);
                size_t cuts[2] = { prefix + c.len / 2, prefix + c.len };
                const ws::utf8_kernel *k;
                size_t nk = kernel_list(&k);
                for (size_t i = 0; i < nk; i++)
                    check_chunks(&k[i], buf, n, cuts, 2);
            }
        }
    }
}

/* Lonely leads and impossible bytes one at a time: every byte 80-FF
 * followed by a space, and alone at the end. */
void test_every_non_ascii_byte(void **)
{
    rng r(13);
    for (unsigned b = 0x80; b <= 0xff; b++)
    {
        uint8_t d[2] = { (uint8_t)b, ' ' };
        verdict alone = reference_check(d, 1), spaced = reference_check(d, 2);
        bool lead = (b >= 0xc2 && b <= 0xf4);
        assert_true(alone.result == (lead ? utf8_result::incomplete : utf8_result::invalid));
        assert_true(spaced.result == utf8_result::invalid && spaced.error == (lead ? 1u : 0u));
        check_splits(d, 1, r);
        check_splits(d, 2, r);
    }
}

/* First and last code points of each length, around the surrogates and the
 * top of the code space, in shortest form and overlong, at every offset of a
 * vector block. */
void test_boundaries(void **)
{
    static const uint32_t points[] = {
        0x0, 0x1, 0x7f, 0x80, 0x81, 0x7ff, 0x800, 0x801, 0xfff, 0x1000, 0xcfff, 0xd000,
        0xd7ff, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xe000, 0xfdd0, 0xfdef, 0xfffd, 0xfffe, 0xffff,
        0x10000, 0x10001, 0x3ffff, 0x40000, 0xfffff, 0x100000, 0x10fffe, 0x10ffff,
        0x110000, 0x13ffff, 0x140000, 0x1fffff,
    };
    uint8_t buf[256];
    rng r(14);
    for (uint32_t cp : points)
    {
        for (size_t length = 1; length <= 4; length++)
        {
            size_t shortest = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (length < shortest)
                continue;
            uint8_t seq[4];
            size_t n = encode(cp, seq, length);

            /* What it must be, from the definition rather than the decoder. */
            bool surrogate = cp >= 0xd800 && cp <= 0xdfff;
            verdict want;
            if (length > shortest)
                want = { utf8_result::invalid, (seq[0] == 0xc0 || seq[0] == 0xc1) ? 0u : 1u };
            else if (surrogate)
                want = { utf8_result::invalid, 1 };
            else if (cp > 0x10ffff)
                want = { utf8_result::invalid, seq[0] > 0xf4 ? 0u : 1u };
            else
                want = { utf8_result::valid, 0 };
            verdict got = reference_check(seq, n);
            if (got.result != want.result || got.error != want.error)
                fail_msg("reference on U+%04X in %zu bytes", cp, length);
            check_splits(seq, n, r);

            for (size_t at = 0; at <= 70; at++)
            {
                memset(buf, 'x', at);
                memcpy(buf + at, seq, n);
                memset(buf + at + n, 'y', 70);
                check_whole(buf, at + n + 70);
                check_whole(buf, at + n);
            }
        }
    }
}

/* Every pair of first two bytes, completed with continuation bytes, at
 * offsets around the 16/32/64-byte edges. */
void test_all_byte_pairs(void **)
{
    static const size_t offsets[] = { 0, 14, 15, 31, 62, 63 };
    uint8_t buf[80];
    for (unsigned b0 = 0; b0 < 256; b0++)
    {
        for (unsigned b1 = 0; b1 < 256; b1++)
        {
            for (size_t at : offsets)
            {
                memset(buf, 'a', sizeof(buf));
                buf[at] = (uint8_t)b0;
                buf[at + 1] = (uint8_t)b1;
                buf[at + 2] = 0x80;
                buf[at + 3] = 0xbf;
                check_whole(buf, sizeof(buf));
                check_whole(buf, at + 2);
            }
        }
    }
}

/* Every three-byte sequence starting with a multi-byte lead, at the edge of
 * a 64-byte block. */
void test_all_lead_triples(void **)
{
    const ws::utf8_kernel *k;
    size_t nk = kernel_list(&k);
    uint8_t buf[72];
    memset(buf, 'a', sizeof(buf));
    for (unsigned b0 = 0xc0; b0 < 256; b0++)
    {
        for (unsigned b1 = 0; b1 < 256; b1++)
        {
            for (unsigned b2 = 0; b2 < 256; b2++)
            {
                buf[62] = (uint8_t)b0;
                buf[63] = (uint8_t)b1;
                buf[64] = (uint8_t)b2;
                buf[65] = 0x80;
                verdict want = reference_check(buf, sizeof(buf));
                for (size_t i = 0; i < nk; i++)
                {
                    ws::utf8_validator v;
                    v.reset();
                    size_t at = 0;
                    utf8_result got = v.feed(k[i], buf, sizeof(buf), &at);
                    if (got != want.result || (got == utf8_result::invalid && at != want.error))
                        fail_msg("%s on %02x %02x %02x: %s at %zu, want %s at %zu", k[i].name, b0, b1, b2,
                                 result_name(got), at, result_name(want.result), want.error);
                }
            }
        }
    }
}

/* ---- Random text ---- */

/* Random characters: by count 40% ASCII, 25% two-byte, 25% three-byte, 10%
 * four-byte, never a surrogate; stops at or before max bytes. */
size_t random_text(rng &r, uint8_t *out, size_t max)
{
    size_t n = 0;
    while (n < max)
    {
        uint32_t pick = r.below(100), cp;
        if (pick < 40)
            cp = r.below(0x80);
        else if (pick < 65)
            cp = 0x80 + r.below(0x800 - 0x80);
        else if (pick < 90)
        {
            do
                cp = 0x800 + r.below(0x10000 - 0x800);
            while (cp >= 0xd800 && cp <= 0xdfff);
        }
        else
            cp = 0x10000 + r.below(0x110000 - 0x10000);
        uint8_t seq[4];
        size_t len = encode(cp, seq);
        if (n + len > max)
            break;
        memcpy(out + n, seq, len);
        n += len;
    }
    return n;
}

/* Break valid text in one of the ways real input goes wrong. */
size_t corrupt(rng &r, uint8_t *d, size_t n, size_t cap)
{
    if (!n)
        return n;
    size_t at = r.below((uint32_t)n);
    switch (r.below(6))
    {
    case 0: /* any byte */
        d[at] = (uint8_t)r.next();
        return n;
    case 1: /* a byte dropped: often a character cut short */
        memmove(d + at, d + at + 1, n - at - 1);
        return n - 1;
    case 2: /* a stray continuation byte */
        if (n + 1 > cap)
            return n;
        memmove(d + at + 1, d + at, n - at);
        d[at] = (uint8_t)(0x80 + r.below(0x40));
        return n + 1;
    case 3: /* a lead byte from the forbidden or rare ranges */
    {
        static const uint8_t leads[] = { 0xc0, 0xc1, 0xe0, 0xed, 0xf0, 0xf4, 0xf5, 0xf8, 0xfe, 0xff };
        d[at] = leads[r.below(sizeof(leads))];
        return n;
    }
    case 4: /* a surrogate or an overlong form spliced in */
    {
        uint8_t seq[4];
        size_t len = r.below(2) ? encode(0xd800 + r.below(0x800), seq)
                                : encode(r.below(0x800), seq, 3);
        if (n + len > cap)
            return n;
        memmove(d + at + len, d + at, n - at);
        memcpy(d + at, seq, len);
        return n + len;
    }
    default: /* truncated at the end */
        return n - 1;
    }
}

void test_random_small(void **)
{
    rng r(21);
    uint8_t buf[400];
    for (int trial = 0; trial < 1500; trial++)
    {
        size_t n = random_text(r, buf, 1 + r.below(120));
        if (trial & 1)
            n = corrupt(r, buf, n, sizeof(buf));
        check_splits(buf, n, r, 24);
    }
}

void test_random_medium(void **)
{
    rng r(22);
    static uint8_t buf[1200];
    for (int trial = 0; trial < 150; trial++)
    {
        size_t n = random_text(r, buf, 1 + r.below(1000));
        if (trial % 3)
            n = corrupt(r, buf, n, sizeof(buf));
        check_splits(buf, n, r, 16);
    }
}

/* Long inputs in random chunks: the SIMD main loops, one error anywhere. */
void test_random_long(void **)
{
    rng r(23);
    const size_t cap = 70000;
    uint8_t *buf = (uint8_t *)malloc(cap);
    assert_non_null(buf);
    const ws::utf8_kernel *k;
    size_t nk = kernel_list(&k);
    for (int trial = 0; trial < 120; trial++)
    {
        size_t n;
        if (trial % 4 == 0)
        {
            /* Mostly ASCII with some multi-byte runs: the ASCII skip. */
            n = 1 + r.below(60000);
            for (size_t i = 0; i < n; i++)
                buf[i] = (uint8_t)(' ' + r.below(95));
            for (int runs = r.below(8); runs > 0; runs--)
            {
                size_t at = r.below((uint32_t)n), len = r.below(200);
                size_t got = random_text(r, buf + at, len < n - at ? len : n - at);
                /* Pad whatever the last character left with ASCII. */
                memset(buf + at + got, 'q', (len < n - at ? len : n - at) - got);
            }
        }
        else
            n = random_text(r, buf, 1 + r.below(60000));
        if (trial & 1)
            n = corrupt(r, buf, n, cap);
        for (size_t i = 0; i < nk; i++)
        {
            check_chunks(&k[i], buf, n, nullptr, 0);
            size_t cuts[64], nc = 0, pos = 0;
            while (nc < 63)
            {
                pos += 1 + r.below(trial & 2 ? 5000 : 100);
                if (pos >= n)
                    break;
                cuts[nc++] = pos;
            }
            check_chunks(&k[i], buf, n, cuts, nc);
        }
        check_chunks(nullptr, buf, n, nullptr, 0);
    }
    free(buf);
}

/* One byte at a time: the state carries every split there is. */
void test_byte_at_a_time(void **)
{
    rng r(24);
    uint8_t buf[300];
    size_t cuts[300];
    const ws::utf8_kernel *k;
    size_t nk = kernel_list(&k);
    for (int trial = 0; trial < 200; trial++)
    {
        size_t n = random_text(r, buf, 1 + r.below(sizeof(buf) - 1));
        if (trial & 1)
            n = corrupt(r, buf, n, sizeof(buf));
        for (size_t i = 1; i < n; i++)
            cuts[i - 1] = i;
        for (size_t i = 0; i < nk; i++)
            check_chunks(&k[i], buf, n, cuts, n ? n - 1 : 0);
    }
}

/* ---- The validator's contract ---- */

void test_contract(void **)
{
    const ws::utf8_kernel *k;
    size_t nk = kernel_list(&k);
    for (size_t i = 0; i <= nk; i++)
    {
        const ws::utf8_kernel *kernel = i < nk ? &k[i] : nullptr;
        auto feed = [&](ws::utf8_validator &v, const char *s, size_t n, size_t *off) {
            return kernel ? v.feed(*kernel, (const uint8_t *)s, n, off) : v.feed((const uint8_t *)s, n, off);
        };
        ws::utf8_validator v = {};   /* zero-initialised is reset */
        size_t off = 99;
        assert_true(v.status() == utf8_result::valid);
        assert_true(feed(v, "", 0, &off) == utf8_result::valid);
        assert_true(feed(v, "abc\xe2\x82", 5, nullptr) == utf8_result::incomplete);
        assert_true(v.status() == utf8_result::incomplete);
        assert_true(feed(v, "", 0, &off) == utf8_result::incomplete);
        assert_true(feed(v, "\xac", 1, &off) == utf8_result::valid);
        assert_true(v.finish() == utf8_result::valid);

        /* An open character at the end of the message. */
        v.reset();
        assert_true(feed(v, "\xf0\x9f\x98", 3, &off) == utf8_result::incomplete);
        assert_true(v.finish() == utf8_result::invalid);
        assert_true(v.status() == utf8_result::invalid);

        /* Invalid stays invalid, with offset 0 for later chunks, until reset. */
        v.reset();
        assert_true(feed(v, "ok \xc3\x28 more", 10, &off) == utf8_result::invalid);
        assert_int_equal(off, 4);
        off = 99;
        assert_true(feed(v, "fine", 4, &off) == utf8_result::invalid);
        assert_int_equal(off, 0);
        assert_true(feed(v, "x", 1, nullptr) == utf8_result::invalid);
        assert_true(v.finish() == utf8_result::invalid);
        v.reset();
        assert_true(v.status() == utf8_result::valid);
        assert_true(feed(v, "fine", 4, &off) == utf8_result::valid);

        /* An error in the second chunk of a split character. */
        v.reset();
        assert_true(feed(v, "\xe0", 1, &off) == utf8_result::incomplete);
        assert_true(feed(v, "\x9f\x80", 2, &off) == utf8_result::invalid);
        assert_int_equal(off, 0);
    }
    assert_true(sizeof(ws::utf8_validator) <= 8);
}

void test_kernel_list(void **)
{
    const ws::utf8_kernel *k;
    size_t n = kernel_list(&k);
    assert_string_equal(k[0].name, "scalar");
    for (size_t i = 0; i < n; i++)
    {
        assert_non_null(k[i].name);
        assert_non_null(k[i].validate);
        for (size_t j = 0; j < i; j++)
            assert_true(strcmp(k[i].name, k[j].name) != 0);
    }
    assert_ptr_equal(ws::utf8_active_kernel(), &k[n - 1]);
    printf("utf8 kernels:");
    for (size_t i = 0; i < n; i++)
        printf(" %s", k[i].name);
    printf(" (active: %s)\n", ws::utf8_active_kernel()->name);
}

} /* namespace */

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kernel_list),
        cmocka_unit_test(test_reference_decoder),
        cmocka_unit_test(test_contract),
        cmocka_unit_test(test_kuhn_stress),
        cmocka_unit_test(test_kuhn_embedded),
        cmocka_unit_test(test_every_non_ascii_byte),
        cmocka_unit_test(test_boundaries),
        cmocka_unit_test(test_all_byte_pairs),
        cmocka_unit_test(test_all_lead_triples),
        cmocka_unit_test(test_random_small),
        cmocka_unit_test(test_random_medium),
        cmocka_unit_test(test_random_long),
        cmocka_unit_test(test_byte_at_a_time),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
