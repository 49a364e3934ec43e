/*
 * Unit tests: what each engine piece answers for a value outside its domain
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

/*
 * The answers no caller inside the module asks for today, pinned so that a
 * future caller gets a failure, never success: an enum value past the end,
 * a UTF-8 kernel called on a stream already rejected.
 */

#include <string.h>

#include "cpu_features.h"
#include "handshake.h"
#include "session.h"
#include "simd_kernels.h"
#include "utf8_dfa.h"

/* After session.h: cmocka defines a fail() macro. */
#include "cmocka_cxx.h"

static void test_enums_past_the_end(void **)
{
    assert_int_equal(ws::simd_level_features(ws::simd_level(-1)), 0);
    assert_int_equal(ws::simd_level_features(ws::simd_level(99)), 0);
    assert_string_equal(ws::handshake_result_name(ws::handshake_result(99)), "?");
    assert_true(ws::handshake_status(ws::handshake_result(99)) == ws::status::invalid_format);
}

/* A rejected stream stays rejected: every kernel reports the error at the
 * start and reads nothing; the unmasking ones still unmask. */
static void test_kernels_after_reject(void **)
{
    static const uint8_t text[64] = "plain ASCII, valid if it were looked at at all............";
    static const uint8_t key[4] = { 1, 2, 3, 4 };
    uint8_t out[64];
    uint32_t state = ws::utf8_reject;

    assert_int_equal(ws::utf8_validate_scalar(&state, text, sizeof(text)), 0);
    assert_int_equal(state, ws::utf8_reject);
#ifdef WS_X86_KERNELS
    const uint32_t features = ws::cpu_features();
    if (features & ws::CPU_SSE41)
        assert_int_equal(ws::utf8_validate_sse4(&state, text, sizeof(text)), 0);
    if (features & ws::CPU_AVX2)
    {
        assert_int_equal(ws::utf8_validate_avx2(&state, text, sizeof(text)), 0);
        assert_int_equal(ws::utf8_unmask_validate_avx2(&state, out, text, sizeof(text), key, 0), 0);
        assert_int_equal(out[5] ^ key[1], text[5]);
    }
    if ((features & ws::CPU_AVX512BW) && (features & ws::CPU_AVX512VL))
    {
        assert_int_equal(ws::utf8_validate_avx512(&state, text, sizeof(text)), 0);
        memset(out, 0, sizeof(out));
        assert_int_equal(ws::utf8_unmask_validate_avx512(&state, out, text, sizeof(text), key, 1), 0);
        assert_int_equal(out[5] ^ key[2], text[5]);
    }
    assert_int_equal(state, ws::utf8_reject);
#endif
}

/* Extension names outside the header-value alphabet, or missing, are refused. */
static void test_extension_names(void **)
{
    ws::session_config config = ws::session_config();
    config.receive_buffer_size = config.send_buffer_size = 4096;
    ws::session *client, *server;
    ws::http_header *headers;
    uint32_t count;
    const char *missing[] = { nullptr };
    const char *broken[] = { "x\r\nInjected: 1" };

    config.role = ws::role::client;
    assert_true(ws::session::create(config, &client) == ws::status::ok);
    assert_true(client->begin_client_handshake(nullptr, 0, missing, 1, nullptr, 0, &headers, &count)
                == ws::status::invalid_argument);
    assert_true(client->begin_client_handshake(nullptr, 0, broken, 1, nullptr, 0, &headers, &count)
                == ws::status::invalid_argument);
    config.role = ws::role::server;
    assert_true(ws::session::create(config, &server) == ws::status::ok);
    assert_true(server->begin_server_handshake(nullptr, missing, 1, nullptr, 0, &headers, &count)
                == ws::status::invalid_argument);
    ws::session::destroy(client);
    ws::session::destroy(server);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_enums_past_the_end),
        cmocka_unit_test(test_kernels_after_reject),
        cmocka_unit_test(test_extension_names),
    };
    return cmocka_run_group_tests_name("out of range", tests, nullptr, nullptr);
}
