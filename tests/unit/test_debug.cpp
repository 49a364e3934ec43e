/*
 * Unit tests: debug channel string helper
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

#include "debug.h"

static void test_debugstr_null(void **)
{
    assert_string_equal(ws::debugstr_an(nullptr, -1).text, "(null)");
    assert_string_equal(ws::debugstr_an(nullptr, 5).text, "(null)");
}

static void test_debugstr_quotes_and_escapes(void **)
{
    assert_string_equal(ws::debugstr_an("chat", -1).text, "\"chat\"");
    assert_string_equal(ws::debugstr_an("a\"b\\c", -1).text, "\"a\\\"b\\\\c\"");
    assert_string_equal(ws::debugstr_an("\r\n\x01\xff", -1).text, "\"\\x0d\\x0a\\x01\\xff\"");
}

static void test_debugstr_counted(void **)
{
    /* A counted string needs no NUL and may contain one. */
    const char bytes[] = { 'a', 0, 'b', 'c' };
    assert_string_equal(ws::debugstr_an(bytes, 4).text, "\"a\\x00bc\"");
    assert_string_equal(ws::debugstr_an(bytes, 1).text, "\"a\"");
    assert_string_equal(ws::debugstr_an(bytes, 0).text, "\"\"");
}

static void test_debugstr_cut_within_buffer(void **)
{
    char long_text[2000];
    memset(long_text, 'x', sizeof(long_text) - 1);
    long_text[sizeof(long_text) - 1] = 0;
    ws::debug_string s = ws::debugstr_an(long_text, -1);
    size_t len = strlen(s.text);
    assert_true(len < sizeof(s.text));
    assert_string_equal(s.text + len - 4, "\"...");

    /* Escapes take four bytes each: the cut must still fit. */
    memset(long_text, 0x01, sizeof(long_text) - 1);
    s = ws::debugstr_an(long_text, -1);
    len = strlen(s.text);
    assert_true(len < sizeof(s.text));
    assert_string_equal(s.text + len - 4, "\"...");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_debugstr_null),
        cmocka_unit_test(test_debugstr_quotes_and_escapes),
        cmocka_unit_test(test_debugstr_counted),
        cmocka_unit_test(test_debugstr_cut_within_buffer),
    };
    return cmocka_run_group_tests_name("debug", tests, nullptr, nullptr);
}
