/*
 * API tests: hostile arguments to the exported functions
 *
 * Copyright 2026 The websocket.dll authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Built with the rest of the api suite; it matters most in the
 * AddressSanitizer + UndefinedBehaviorSanitizer build (build/asan in
 * tools/check.sh), where a read of an out-of-range enum through its C++ type
 * or a stray pointer fails the test.
 *
 * Pins: property types outside the enum (0x80000000, 0xFFFFFFFF, 7) were
 * read through the C++ enum type in main.cpp's read_properties -- undefined
 * behaviour that UBSan reported; they are now read as an integer and get
 * E_INVALIDARG.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <windows.h>
#include "websocket.h"

static void test_property_type_out_of_range(void **state)
{
    static const ULONG types[] = { 5, 6, 7, 0x7fffffff, 0x80000000, 0xffffffff };
    WEB_SOCKET_PROPERTY property;
    WEB_SOCKET_HANDLE h;
    ULONG value = 4096;
    size_t i;
    (void)state;

    for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
    {
        ULONG type = types[i];
        /* Store the raw value without going through the enum type. */
        memcpy(&property.Type, &type, sizeof(type));
        property.pvValue = &value;
        property.ulValueSize = sizeof(value);
        h = (WEB_SOCKET_HANDLE)1;
        assert_int_equal(WebSocketCreateClientHandle(&property, 1, &h), E_INVALIDARG);
        assert_int_equal(WebSocketCreateServerHandle(&property, 1, &h), E_INVALIDARG);
    }
}

static void test_null_arguments(void **state)
{
    WEB_SOCKET_HANDLE h;
    (void)state;

    assert_int_equal(WebSocketCreateClientHandle(NULL, 0, NULL), E_INVALIDARG);
    assert_int_equal(WebSocketCreateServerHandle(NULL, 0, NULL), E_INVALIDARG);
    assert_int_equal(WebSocketCreateClientHandle(NULL, 1, &h), E_INVALIDARG);
    assert_int_equal(WebSocketCreateServerHandle(NULL, 1, &h), E_INVALIDARG);
    /* VOID functions with NULL, garbage and deleted handles return quietly. */
    WebSocketAbortHandle(NULL);
    WebSocketDeleteHandle(NULL);
    WebSocketCompleteAction(NULL, NULL, 0);
    WebSocketAbortHandle((WEB_SOCKET_HANDLE)(uintptr_t)0x12345678);
    WebSocketDeleteHandle((WEB_SOCKET_HANDLE)(uintptr_t)0x12345678);
    WebSocketCompleteAction((WEB_SOCKET_HANDLE)(uintptr_t)0x12345678, (PVOID)1, 0xffffffff);
    assert_int_equal(WebSocketCreateClientHandle(NULL, 0, &h), S_OK);
    WebSocketDeleteHandle(h);
    WebSocketAbortHandle(h);
    WebSocketDeleteHandle(h);
    WebSocketCompleteAction(h, (PVOID)1, 0xffffffff);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_property_type_out_of_range),
        cmocka_unit_test(test_null_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
