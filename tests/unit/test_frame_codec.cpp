/*
 * Unit tests: frame header codec
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

#include "frame_codec.h"

using ws::frame_decoder;
using ws::frame_error;
using ws::frame_header;
using ws::mask_policy;

namespace {

/* Fixed-seed xorshift: the same "random" headers on every run. */
struct test_rng
{
    uint64_t s;
    uint64_t next()
    {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return s;
    }
};

frame_header make_header(bool fin, uint8_t op, bool masked, uint64_t length)
{
    frame_header h;
    memset(&h, 0, sizeof(h));
    h.fin = fin;
    h.opcode = op;
    h.masked = masked;
    if (masked)
    {
        h.mask_key[0] = 0x37;
        h.mask_key[1] = 0xfa;
        h.mask_key[2] = 0x21;
        h.mask_key[3] = 0x3d;
    }
    h.payload_length = length;
    return h;
}

void assert_same_header(const frame_header &a, const frame_header &b)
{
    assert_int_equal(a.fin, b.fin);
    assert_int_equal(a.opcode, b.opcode);
    assert_int_equal(a.masked, b.masked);
    if (a.masked)
        assert_memory_equal(a.mask_key, b.mask_key, 4);
    assert_true(a.payload_length == b.payload_length);
}

/* Feed bytes in the pieces given by cuts (ascending positions inside len);
 * returns the total consumed, stopping when the decoder stops. */
size_t feed_split(frame_decoder &d, const uint8_t *bytes, size_t len, const size_t *cuts, size_t ncuts)
{
    size_t start = 0, total = 0;
    for (size_t i = 0; i <= ncuts; i++)
    {
        size_t end = i < ncuts ? cuts[i] : len;
        size_t used = d.feed(bytes + start, end - start);
        total += used;
        if (used < end - start || d.complete() || d.error() != frame_error::none)
            return total;
        start = end;
    }
    return total;
}

size_t feed_bytewise(frame_decoder &d, const uint8_t *bytes, size_t len)
{
    size_t total = 0;
    for (size_t i = 0; i < len; i++)
    {
        size_t used = d.feed(bytes + i, 1);
        total += used;
        if (!used)
            break;
    }
    return total;
}

/* Decodes whole, byte by byte and split at every position: all must agree. */
void check_decodes(const uint8_t *bytes, size_t len, mask_policy policy, frame_error expect_error,
                   size_t expect_used)
{
    frame_decoder whole;
    whole.reset(policy);
    assert_int_equal(whole.feed(bytes, len), expect_used);
    assert_int_equal((int)whole.error(), (int)expect_error);
    assert_int_equal(whole.complete(), expect_error == frame_error::none);

    frame_decoder bytewise;
    bytewise.reset(policy);
    assert_int_equal(feed_bytewise(bytewise, bytes, len), expect_used);
    assert_int_equal((int)bytewise.error(), (int)expect_error);
    assert_int_equal(bytewise.complete(), whole.complete());
    if (whole.complete())
        assert_same_header(whole.header(), bytewise.header());

    for (size_t cut = 0; cut <= len; cut++)
    {
        frame_decoder split;
        split.reset(policy);
        assert_int_equal(feed_split(split, bytes, len, &cut, 1), expect_used);
        assert_int_equal((int)split.error(), (int)expect_error);
        assert_int_equal(split.complete(), whole.complete());
        if (whole.complete())
            assert_same_header(whole.header(), split.header());
    }
}

} /* namespace */

static void test_encode_minimal_length_boundaries(void **)
{
    struct { uint64_t length; size_t size; } cases[] = {
        { 0, 2 }, { 1, 2 }, { 125, 2 }, { 126, 4 }, { 127, 4 }, { 65535, 4 },
        { 65536, 10 }, { 0xffffffffull, 10 }, { 0x7fffffffffffffffull, 10 },
    };
    for (auto &c : cases)
    {
        for (int masked = 0; masked < 2; masked++)
        {
            uint8_t out[ws::MAX_FRAME_HEADER + 1];
            memset(out, 0xcc, sizeof(out));
            frame_header h = make_header(true, ws::OP_BINARY, masked, c.length);
            size_t n = ws::encode_frame_header(h, out);
            assert_int_equal(n, c.size + (masked ? 4 : 0));
            assert_int_equal(n, ws::frame_header_size(c.length, masked));
            assert_int_equal(out[n], 0xcc);   /* nothing written past the count */
            assert_int_equal(out[0], 0x82);
            assert_int_equal(out[1] & 0x80, masked ? 0x80 : 0);
            uint8_t len7 = out[1] & 0x7f;
            if (c.size == 2)
                assert_int_equal(len7, c.length);
            else if (c.size == 4)
                assert_int_equal(len7, 126);
            else
                assert_int_equal(len7, 127);
        }
    }
}

static void test_encode_exact_bytes(void **)
{
    uint8_t out[ws::MAX_FRAME_HEADER];

    /* RFC 6455 section 5.7: unmasked "Hello" header. */
    frame_header h = make_header(true, ws::OP_TEXT, false, 5);
    assert_int_equal(ws::encode_frame_header(h, out), 2);
    assert_int_equal(out[0], 0x81);
    assert_int_equal(out[1], 0x05);

    /* RFC 6455 section 5.7: masked "Hello" header. */
    h = make_header(true, ws::OP_TEXT, true, 5);
    assert_int_equal(ws::encode_frame_header(h, out), 6);
    const uint8_t masked_hello[] = { 0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d };
    assert_memory_equal(out, masked_hello, 6);

    /* RFC 6455 section 5.7: 256 bytes binary, unmasked. */
    h = make_header(true, ws::OP_BINARY, false, 256);
    assert_int_equal(ws::encode_frame_header(h, out), 4);
    const uint8_t binary_256[] = { 0x82, 0x7e, 0x01, 0x00 };
    assert_memory_equal(out, binary_256, 4);

    /* RFC 6455 section 5.7: 64 KiB binary, unmasked. */
    h = make_header(true, ws::OP_BINARY, false, 65536);
    assert_int_equal(ws::encode_frame_header(h, out), 10);
    const uint8_t binary_64k[] = { 0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0 };
    assert_memory_equal(out, binary_64k, 10);

    /* Non-final continuation, ping: FIN and opcode bits. */
    h = make_header(false, ws::OP_CONTINUATION, false, 0);
    ws::encode_frame_header(h, out);
    assert_int_equal(out[0], 0x00);
    h = make_header(true, ws::OP_PING, false, 0);
    ws::encode_frame_header(h, out);
    assert_int_equal(out[0], 0x89);

    /* Largest header: 64-bit length and a mask. */
    h = make_header(true, ws::OP_BINARY, true, 0x0102030405060708ull);
    assert_int_equal(ws::encode_frame_header(h, out), ws::MAX_FRAME_HEADER);
    const uint8_t longest[] = { 0x82, 0xff, 1, 2, 3, 4, 5, 6, 7, 8, 0x37, 0xfa, 0x21, 0x3d };
    assert_memory_equal(out, longest, sizeof(longest));
}

static void test_roundtrip_random_headers(void **)
{
    static const uint8_t opcodes[] = { ws::OP_CONTINUATION, ws::OP_TEXT, ws::OP_BINARY,
                                       ws::OP_CLOSE, ws::OP_PING, ws::OP_PONG };
    test_rng rng = { 0x9e3779b97f4a7c15ull };

    for (int i = 0; i < 3000; i++)
    {
        uint64_t r = rng.next();
        uint8_t op = opcodes[r % 6];
        bool masked = (r >> 8) & 1;
        bool fin = ws::is_control_opcode(op) || ((r >> 9) & 1);
        uint64_t length;
        switch (ws::is_control_opcode(op) ? 0 : (r >> 10) % 3)
        {
        case 0:  length = (r >> 16) % 126; break;
        case 1:  length = 126 + (r >> 16) % (65536 - 126); break;
        default: length = 65536 + (rng.next() >> 1) % (0x7fffffffffffffffull - 65535); break;
        }
        if (i < 8)   /* always cover the edges */
        {
            static const uint64_t edges[] = { 0, 125, 126, 65535, 65536, 0x7fffffffffffffffull, 1, 127 };
            length = ws::is_control_opcode(op) ? edges[i] % 126 : edges[i];
        }
        frame_header h = make_header(fin, op, masked, length);
        h.mask_key[0] = (uint8_t)(r >> 24);
        h.mask_key[1] = (uint8_t)(r >> 32);
        h.mask_key[2] = (uint8_t)(r >> 40);
        h.mask_key[3] = (uint8_t)(r >> 48);

        uint8_t bytes[ws::MAX_FRAME_HEADER + 4];
        size_t n = ws::encode_frame_header(h, bytes);
        /* Trailing payload bytes must not be consumed. */
        memset(bytes + n, 0xee, 4);

        mask_policy policy = masked ? mask_policy::require_masked : mask_policy::require_unmasked;
        check_decodes(bytes, n + 4, policy, frame_error::none, n);
        check_decodes(bytes, n + 4, mask_policy::any, frame_error::none, n);

        frame_decoder d;
        d.reset(policy);
        assert_int_equal(d.feed(bytes, n + 4), n);
        assert_true(d.complete());
        assert_int_equal(d.header_bytes(), n);
        assert_same_header(h, d.header());

        /* Random multi-way splits. */
        size_t cuts[4];
        size_t ncuts = 0;
        for (size_t k = 0; k < 4; k++)
        {
            size_t c = (size_t)(rng.next() % (n + 1));
            if (!ncuts || c >= cuts[ncuts - 1])
                cuts[ncuts++] = c;
        }
        d.reset(policy);
        assert_int_equal(feed_split(d, bytes, n, cuts, ncuts), n);
        assert_true(d.complete());
        assert_same_header(h, d.header());
    }
}

static void test_stream_of_headers(void **)
{
    /* Three headers back to back, decoded one after another with next(). */
    uint8_t stream[3 * ws::MAX_FRAME_HEADER];
    frame_header hs[3] = {
        make_header(false, ws::OP_TEXT, true, 3),
        make_header(true, ws::OP_PING, true, 125),
        make_header(true, ws::OP_CONTINUATION, true, 70000),
    };
    size_t len = 0;
    for (auto &h : hs)
        len += ws::encode_frame_header(h, stream + len);

    frame_decoder d;
    d.reset(mask_policy::require_masked);
    size_t pos = 0;
    for (auto &h : hs)
    {
        pos += d.feed(stream + pos, len - pos);
        assert_true(d.complete());
        assert_same_header(h, d.header());
        /* Complete: consumes nothing more until next(). */
        assert_int_equal(d.feed(stream + pos, len - pos), 0);
        d.next();
    }
    assert_int_equal(pos, len);
    assert_false(d.complete());
    assert_int_equal((int)d.error(), (int)frame_error::none);
}

static void test_empty_feed(void **)
{
    frame_decoder d;
    d.reset(mask_policy::any);
    assert_int_equal(d.feed(nullptr, 0), 0);
    assert_false(d.complete());
    assert_int_equal((int)d.error(), (int)frame_error::none);
}

static void test_reject_rsv_bits(void **)
{
    for (uint8_t rsv = 0x10; rsv <= 0x70; rsv += 0x10)
    {
        const uint8_t bytes[] = { (uint8_t)(0x81 | rsv), 0x80, 1, 2, 3, 4 };
        check_decodes(bytes, sizeof(bytes), mask_policy::require_masked, frame_error::rsv_bits, 1);
    }
    /* RSV wins over a reserved opcode in the same byte. */
    const uint8_t both[] = { 0xc3, 0x80 };
    check_decodes(both, sizeof(both), mask_policy::any, frame_error::rsv_bits, 1);
}

static void test_reject_reserved_opcodes(void **)
{
    for (uint8_t op = 0; op < 16; op++)
    {
        bool reserved = (op >= 3 && op <= 7) || op >= 0xb;
        const uint8_t bytes[] = { (uint8_t)(0x80 | op), 0x00 };
        if (reserved)
            check_decodes(bytes, sizeof(bytes), mask_policy::any, frame_error::reserved_opcode, 1);
        else
            check_decodes(bytes, sizeof(bytes), mask_policy::any, frame_error::none, 2);
    }
}

static void test_reject_fragmented_control(void **)
{
    for (uint8_t op = ws::OP_CLOSE; op <= ws::OP_PONG; op++)
    {
        const uint8_t bytes[] = { op, 0x00 };
        check_decodes(bytes, sizeof(bytes), mask_policy::any, frame_error::control_fragmented, 1);
    }
    /* Data frames may be fragmented. */
    for (uint8_t op = ws::OP_CONTINUATION; op <= ws::OP_BINARY; op++)
    {
        const uint8_t bytes[] = { op, 0x00 };
        check_decodes(bytes, sizeof(bytes), mask_policy::any, frame_error::none, 2);
    }
}

static void test_reject_long_control(void **)
{
    for (uint8_t op = ws::OP_CLOSE; op <= ws::OP_PONG; op++)
    {
        const uint8_t ok125[] = { (uint8_t)(0x80 | op), 125 };
        check_decodes(ok125, sizeof(ok125), mask_policy::require_unmasked, frame_error::none, 2);

        /* 126 in the 16-bit form, and a non-minimal 16-bit 100: both refused
         * at the second byte, since the 7-bit field itself is over 125. */
        const uint8_t len126[] = { (uint8_t)(0x80 | op), 126, 0, 126 };
        check_decodes(len126, sizeof(len126), mask_policy::require_unmasked, frame_error::control_too_long, 2);
        const uint8_t len100[] = { (uint8_t)(0x80 | op), 126, 0, 100 };
        check_decodes(len100, sizeof(len100), mask_policy::require_unmasked, frame_error::control_too_long, 2);
        const uint8_t len64[] = { (uint8_t)(0x80 | op), 127, 0, 0, 0, 0, 0, 0, 0, 5 };
        check_decodes(len64, sizeof(len64), mask_policy::require_unmasked, frame_error::control_too_long, 2);
    }
}

static void test_reject_length_top_bit(void **)
{
    const uint8_t top[] = { 0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 0 };
    check_decodes(top, sizeof(top), mask_policy::require_unmasked, frame_error::length_top_bit, 3);
    const uint8_t all[] = { 0x82, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4 };
    check_decodes(all, sizeof(all), mask_policy::require_masked, frame_error::length_top_bit, 3);

    /* The largest legal length decodes. */
    const uint8_t max[] = { 0x82, 127, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    check_decodes(max, sizeof(max), mask_policy::require_unmasked, frame_error::none, 10);
    frame_decoder d;
    d.reset(mask_policy::require_unmasked);
    d.feed(max, sizeof(max));
    assert_true(d.header().payload_length == 0x7fffffffffffffffull);

    /* The top bit of the 16-bit form is just part of the length. */
    const uint8_t len16[] = { 0x82, 126, 0x80, 0x00 };
    check_decodes(len16, sizeof(len16), mask_policy::require_unmasked, frame_error::none, 4);
}

static void test_mask_policy(void **)
{
    const uint8_t unmasked[] = { 0x81, 0x05 };
    const uint8_t masked[] = { 0x81, 0x85, 1, 2, 3, 4 };

    check_decodes(unmasked, sizeof(unmasked), mask_policy::require_masked, frame_error::mask_required, 2);
    check_decodes(masked, sizeof(masked), mask_policy::require_masked, frame_error::none, 6);
    check_decodes(masked, sizeof(masked), mask_policy::require_unmasked, frame_error::mask_forbidden, 2);
    check_decodes(unmasked, sizeof(unmasked), mask_policy::require_unmasked, frame_error::none, 2);
    check_decodes(unmasked, sizeof(unmasked), mask_policy::any, frame_error::none, 2);
    check_decodes(masked, sizeof(masked), mask_policy::any, frame_error::none, 6);

    /* The mask rule is checked before the control length. */
    const uint8_t long_ping[] = { 0x89, 126, 0, 200 };
    check_decodes(long_ping, sizeof(long_ping), mask_policy::require_masked, frame_error::mask_required, 2);
}

static void test_non_minimal_lengths_accepted(void **)
{
    /* Decision (see frame_codec.h): data frames with a longer length form
     * than needed decode to the length they carry. */
    struct { uint8_t bytes[10]; size_t len; uint64_t value; } cases[] = {
        { { 0x82, 126, 0, 100 }, 4, 100 },
        { { 0x82, 126, 0, 0 }, 4, 0 },
        { { 0x82, 126, 0, 125 }, 4, 125 },
        { { 0x82, 127, 0, 0, 0, 0, 0, 0, 0, 100 }, 10, 100 },
        { { 0x82, 127, 0, 0, 0, 0, 0, 0, 0xff, 0xff }, 10, 65535 },
        { { 0x80, 127, 0, 0, 0, 0, 0, 0, 0, 0 }, 10, 0 },
    };
    for (auto &c : cases)
    {
        check_decodes(c.bytes, c.len, mask_policy::require_unmasked, frame_error::none, c.len);
        frame_decoder d;
        d.reset(mask_policy::require_unmasked);
        d.feed(c.bytes, c.len);
        assert_true(d.header().payload_length == c.value);
    }
}

static void test_error_is_sticky(void **)
{
    const uint8_t bad[] = { 0xf1, 0x00, 0x81, 0x00 };
    frame_decoder d;
    d.reset(mask_policy::any);
    assert_int_equal(d.feed(bad, sizeof(bad)), 1);
    assert_int_equal((int)d.error(), (int)frame_error::rsv_bits);
    assert_int_equal(d.feed(bad + 1, sizeof(bad) - 1), 0);
    assert_false(d.complete());

    /* next() clears it (deliberate reuse). */
    d.next();
    assert_int_equal((int)d.error(), (int)frame_error::none);
    assert_int_equal(d.feed(bad + 2, 2), 2);
    assert_true(d.complete());

    /* reset() changes the policy. */
    d.reset(mask_policy::require_masked);
    assert_int_equal(d.feed(bad + 2, 2), 2);
    assert_int_equal((int)d.error(), (int)frame_error::mask_required);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_minimal_length_boundaries),
        cmocka_unit_test(test_encode_exact_bytes),
        cmocka_unit_test(test_roundtrip_random_headers),
        cmocka_unit_test(test_stream_of_headers),
        cmocka_unit_test(test_empty_feed),
        cmocka_unit_test(test_reject_rsv_bits),
        cmocka_unit_test(test_reject_reserved_opcodes),
        cmocka_unit_test(test_reject_fragmented_control),
        cmocka_unit_test(test_reject_long_control),
        cmocka_unit_test(test_reject_length_top_bit),
        cmocka_unit_test(test_mask_policy),
        cmocka_unit_test(test_non_minimal_lengths_accepted),
        cmocka_unit_test(test_error_is_sticky),
    };
    return cmocka_run_group_tests_name("frame_codec", tests, nullptr, nullptr);
}
