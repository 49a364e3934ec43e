/*
 * Unit tests: close frame payload rules
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

#include "close_rules.h"

using ws::close_code_class;
using ws::close_error;
using ws::close_payload;

namespace {

/* The rule written out independently of the implementation. */
close_code_class expected_class(unsigned code)
{
    if (code <= 999 || code >= 5000)
        return close_code_class::out_of_range;
    if (code == 1005 || code == 1006 || code == 1015)
        return close_code_class::local_only;
    if (code == 1000 || code == 1001 || code == 1002 || code == 1003)
        return close_code_class::valid;
    if (code >= 1007 && code <= 1011)
        return close_code_class::valid;
    if (code == 1012 || code == 1013 || code == 1014)   /* IANA, after RFC 6455 */
        return close_code_class::valid;
    if (code >= 3000 && code <= 4999)
        return close_code_class::valid;
    return close_code_class::unassigned;
}

close_error parse(const void *payload, size_t len, close_payload *out)
{
    return ws::parse_close_payload(static_cast<const uint8_t *>(payload), len, out);
}

bool utf8(const char *s, size_t len)
{
    return ws::close_reason_is_utf8(reinterpret_cast<const uint8_t *>(s), len);
}

} /* namespace */

static void test_every_code(void **)
{
    for (unsigned code = 0; code <= 0xffff; code++)
    {
        close_code_class c = ws::classify_close_code((uint16_t)code);
        assert_int_equal((int)c, (int)expected_class(code));
        assert_int_equal(ws::close_code_valid_on_wire((uint16_t)code), c == close_code_class::valid);
    }
}

static void test_code_boundaries(void **)
{
    struct { uint16_t code; close_code_class cls; } cases[] = {
        { 0, close_code_class::out_of_range },
        { 999, close_code_class::out_of_range },
        { 1000, close_code_class::valid },
        { 1003, close_code_class::valid },
        { 1004, close_code_class::unassigned },
        { 1005, close_code_class::local_only },
        { 1006, close_code_class::local_only },
        { 1007, close_code_class::valid },
        { 1011, close_code_class::valid },
        { 1012, close_code_class::valid },
        { 1013, close_code_class::valid },
        { 1014, close_code_class::valid },
        { 1015, close_code_class::local_only },
        { 1016, close_code_class::unassigned },
        { 2999, close_code_class::unassigned },
        { 3000, close_code_class::valid },
        { 3999, close_code_class::valid },
        { 4000, close_code_class::valid },
        { 4999, close_code_class::valid },
        { 5000, close_code_class::out_of_range },
        { 65535, close_code_class::out_of_range },
    };
    for (auto &c : cases)
    {
        assert_int_equal((int)ws::classify_close_code(c.code), (int)c.cls);

        /* The same verdict on a received close frame. */
        const uint8_t body[] = { (uint8_t)(c.code >> 8), (uint8_t)c.code };
        close_error expect = c.cls == close_code_class::valid ? close_error::none : close_error::bad_code;
        assert_int_equal((int)parse(body, 2, nullptr), (int)expect);
        /* And on one the application wants to send. */
        assert_int_equal((int)ws::check_close_to_send(c.code, 0), (int)expect);
    }
}

static void test_empty_body(void **)
{
    close_payload p;
    memset(&p, 0xcc, sizeof(p));
    assert_int_equal((int)parse(nullptr, 0, &p), (int)close_error::none);
    assert_false(p.has_code);
    assert_int_equal(p.code, ws::CLOSE_NO_STATUS);
    assert_null(p.reason);
    assert_int_equal(p.reason_len, 0);
}

static void test_length_one(void **)
{
    const uint8_t body[] = { 0x03 };
    close_payload p;
    memset(&p, 0xcc, sizeof(p));
    assert_int_equal((int)parse(body, 1, &p), (int)close_error::length_one);
    assert_int_equal(p.code, 0xcccc);   /* untouched on failure */
}

static void test_code_only(void **)
{
    const uint8_t body[] = { 0x03, 0xe8 };
    close_payload p;
    assert_int_equal((int)parse(body, 2, &p), (int)close_error::none);
    assert_true(p.has_code);
    assert_int_equal(p.code, 1000);
    /* A status without reason keeps a non-NULL reason pointer (length 0). */
    assert_ptr_equal(p.reason, body + 2);
    assert_int_equal(p.reason_len, 0);
}

static void test_reason_lengths(void **)
{
    uint8_t body[2 + 130];
    body[0] = 0x0f;   /* 4000 */
    body[1] = 0xa0;
    memset(body + 2, 'r', 130);

    close_payload p;
    assert_int_equal((int)parse(body, 2 + 123, &p), (int)close_error::none);
    assert_int_equal(p.code, 4000);
    assert_ptr_equal(p.reason, body + 2);
    assert_int_equal(p.reason_len, 123);
    assert_int_equal((int)parse(body, 2 + 124, &p), (int)close_error::reason_too_long);
    assert_int_equal((int)parse(body, 2 + 130, &p), (int)close_error::reason_too_long);

    assert_int_equal((int)ws::check_close_to_send(1000, 123), (int)close_error::none);
    assert_int_equal((int)ws::check_close_to_send(1000, 124), (int)close_error::reason_too_long);
}

static void test_reason_utf8(void **)
{
    const char good[] = "\x03\xe8" "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80";
    close_payload p;
    assert_int_equal((int)parse(good, sizeof(good) - 1, &p), (int)close_error::none);
    assert_int_equal(p.reason_len, sizeof(good) - 3);

    const char bad[] = "\x03\xe8" "ab\xff";
    assert_int_equal((int)parse(bad, sizeof(bad) - 1, &p), (int)close_error::bad_utf8);
    /* A sequence cut by the end of the frame is invalid: nothing follows. */
    const char cut[] = "\x03\xe8" "ab\xe2\x82";
    assert_int_equal((int)parse(cut, sizeof(cut) - 1, &p), (int)close_error::bad_utf8);
}

static void test_error_order(void **)
{
    /* Bad code and long reason: the code is reported. */
    uint8_t body[2 + 124];
    memset(body, 'x', sizeof(body));
    body[0] = 0x03;
    body[1] = 0xed;   /* 1005 */
    assert_int_equal((int)parse(body, sizeof(body), nullptr), (int)close_error::bad_code);
    /* Long reason and bad UTF-8: the length is reported. */
    body[1] = 0xe8;
    body[10] = 0xff;
    assert_int_equal((int)parse(body, sizeof(body), nullptr), (int)close_error::reason_too_long);
    assert_int_equal((int)parse(body, 2 + 100, nullptr), (int)close_error::bad_utf8);
    /* Sending: code before length. */
    assert_int_equal((int)ws::check_close_to_send(999, 500), (int)close_error::bad_code);
}

static void test_utf8_checker(void **)
{
    struct { const char *s; size_t len; bool valid; } cases[] = {
        { "", 0, true },
        { "plain ascii", 11, true },
        { "\x00", 1, true },                  /* NUL is a code point */
        { "\x7f", 1, true },
        { "\xc2\x80", 2, true },              /* U+0080 */
        { "\xdf\xbf", 2, true },              /* U+07FF */
        { "\xe0\xa0\x80", 3, true },          /* U+0800 */
        { "\xed\x9f\xbf", 3, true },          /* U+D7FF */
        { "\xee\x80\x80", 3, true },          /* U+E000 */
        { "\xef\xbf\xbf", 3, true },          /* U+FFFF */
        { "\xf0\x90\x80\x80", 4, true },      /* U+10000 */
        { "\xf4\x8f\xbf\xbf", 4, true },      /* U+10FFFF */
        { "\x80", 1, false },                 /* lone continuation */
        { "\xbf", 1, false },
        { "\xc0\x80", 2, false },             /* overlong NUL */
        { "\xc1\xbf", 2, false },             /* overlong */
        { "\xe0\x80\x80", 3, false },         /* overlong */
        { "\xe0\x9f\xbf", 3, false },         /* overlong U+07FF */
        { "\xed\xa0\x80", 3, false },         /* U+D800 surrogate */
        { "\xed\xbf\xbf", 3, false },         /* U+DFFF surrogate */
        { "\xf0\x80\x80\x80", 4, false },     /* overlong */
        { "\xf0\x8f\xbf\xbf", 4, false },     /* overlong U+FFFF */
        { "\xf4\x90\x80\x80", 4, false },     /* U+110000 */
        { "\xf5\x80\x80\x80", 4, false },
        { "\xff", 1, false },
        { "\xc2", 1, false },                 /* truncated */
        { "\xe2\x82", 2, false },
        { "\xf0\x9f\x98", 3, false },
        { "\xc2\x41", 2, false },             /* continuation missing */
        { "\xe2\x41\x82", 3, false },
        { "\xe2\x82\x41", 3, false },
        { "\xf0\x9f\x41\x80", 4, false },
        { "\xf0\x9f\x98\x41", 4, false },
        { "a\xc3\xa9z", 4, true },
    };
    for (auto &c : cases)
        assert_int_equal(utf8(c.s, c.len), c.valid);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_code),
        cmocka_unit_test(test_code_boundaries),
        cmocka_unit_test(test_empty_body),
        cmocka_unit_test(test_length_one),
        cmocka_unit_test(test_code_only),
        cmocka_unit_test(test_reason_lengths),
        cmocka_unit_test(test_reason_utf8),
        cmocka_unit_test(test_error_order),
        cmocka_unit_test(test_utf8_checker),
    };
    return cmocka_run_group_tests_name("close_rules", tests, nullptr, nullptr);
}
