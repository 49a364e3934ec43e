/*
 * API tests: the engine status to HRESULT table
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

#include "hresult.h"

static void test_status_map(void **)
{
    assert_int_equal(hresult_from_status(ws::status::ok), S_OK);
    assert_int_equal(hresult_from_status(ws::status::invalid_argument), E_INVALIDARG);
    assert_int_equal(hresult_from_status(ws::status::invalid_operation), (HRESULT)0x83760001);
    assert_int_equal(hresult_from_status(ws::status::invalid_format), (HRESULT)0x83760002);
    assert_int_equal(hresult_from_status(ws::status::extensions_not_supported), (HRESULT)0x83760003);
    assert_int_equal(hresult_from_status(ws::status::subprotocol_not_supported), (HRESULT)0x83760004);
    assert_int_equal(hresult_from_status(ws::status::version_not_supported), (HRESULT)0x83760005);
    assert_int_equal(hresult_from_status(ws::status::out_of_memory), E_OUTOFMEMORY);
    assert_int_equal(hresult_from_status(ws::status::insufficient_buffer), (HRESULT)0x8007007a);
    /* A value outside the enum (a future status forgotten here) is a failure, never S_OK. */
    assert_int_equal(hresult_from_status(ws::status(99)), E_FAIL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_map),
    };
    return cmocka_run_group_tests_name("hresult", tests, nullptr, nullptr);
}
