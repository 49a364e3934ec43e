/*
 * Fuzz target: the incremental frame header decoder fed a stream of frames
 * whole and split at arbitrary points must report the same frames and errors.
 *
 * Input: [policy][split seed][stream...].  Payload bytes between headers are
 * skipped by the harness (the decoder sees only header bytes).
 *
 * Copyright 2026 The websocket.dll authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frame_codec.h"

namespace {

struct event
{
    bool complete;
    ws::frame_error error;
    ws::frame_header header;
    size_t offset;          /* stream offset just after the header or the bad byte */
};

constexpr size_t MAX_EVENTS = 4096;

struct outcome
{
    size_t count;
    event events[MAX_EVENTS];
    size_t pending;         /* header bytes held at the end */
};

void check(bool condition)
{
    if (!condition)
        abort();
}

/* Decode the stream, feeding at most `chunk(state)` bytes per call (0: all). */
void run(ws::mask_policy policy, const uint8_t *data, size_t size, uint32_t seed, outcome *out)
{
    ws::frame_decoder decoder;
    decoder.reset(policy);
    out->count = 0;
    size_t pos = 0;
    uint32_t rng = seed;
    while (out->count < MAX_EVENTS)
    {
        size_t avail = size - pos;
        if (seed)
        {
            rng = rng * 1103515245u + 12345u;
            size_t limit = (rng >> 16) % 16;   /* 0..15: 0-byte feeds too */
            if (limit < avail)
                avail = limit;
        }
        size_t before = decoder.header_bytes();
        size_t used = decoder.feed(data + pos, avail);
        check(used <= avail);
        pos += used;
        check(decoder.header_bytes() <= ws::MAX_FRAME_HEADER);
        if (!decoder.complete() && decoder.error() == ws::frame_error::none)
            check(decoder.header_bytes() == before + used);
        if (decoder.error() != ws::frame_error::none)
        {
            check(!decoder.complete());
            check(decoder.feed(data + pos, size - pos) == 0);
            event &e = out->events[out->count++];
            memset(&e, 0, sizeof(e));
            e.error = decoder.error();
            e.offset = pos;
            break;
        }
        if (decoder.complete())
        {
            const ws::frame_header &h = decoder.header();
            check(decoder.feed(data + pos, size - pos) == 0);
            check(decoder.header_bytes() >= 2 && decoder.header_bytes() <= ws::MAX_FRAME_HEADER);
            check(decoder.header_bytes() >= ws::frame_header_size(h.payload_length, h.masked));
            check(h.opcode <= 0xf);
            check(!(h.payload_length >> 63));
            if (ws::is_control_opcode(h.opcode))
                check(h.fin && h.payload_length <= ws::MAX_CONTROL_PAYLOAD);
            if (policy == ws::mask_policy::require_masked)
                check(h.masked);
            if (policy == ws::mask_policy::require_unmasked)
                check(!h.masked);

            /* The minimal re-encoding decodes to the same header. */
            uint8_t encoded[ws::MAX_FRAME_HEADER];
            size_t n = ws::encode_frame_header(h, encoded);
            check(n == ws::frame_header_size(h.payload_length, h.masked));
            ws::frame_decoder again;
            again.reset(ws::mask_policy::any);
            check(again.feed(encoded, n) == n && again.complete());
            check(again.header().fin == h.fin && again.header().opcode == h.opcode);
            check(again.header().masked == h.masked && again.header().payload_length == h.payload_length);
            if (h.masked)
                check(!memcmp(again.header().mask_key, h.mask_key, 4));

            event &e = out->events[out->count++];
            memset(&e, 0, sizeof(e));
            e.complete = true;
            e.header = h;
            if (!h.masked)
                memset(e.header.mask_key, 0, 4);
            e.offset = pos;
            uint64_t skip = h.payload_length;
            if (skip > size - pos)
                skip = size - pos;
            pos += (size_t)skip;
            decoder.next();
            check(!decoder.complete() && decoder.header_bytes() == 0);
            continue;
        }
        if (pos == size)
            break;
    }
    out->pending = decoder.header_bytes();
}

outcome whole, split;

} /* namespace */

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    ws::mask_policy policy = (ws::mask_policy)(data[0] % 3);
    uint32_t seed = data[1] | 1u;
    data += 2;
    size -= 2;

    run(policy, data, size, 0, &whole);
    run(policy, data, size, seed, &split);
    check(whole.count == split.count);
    check(whole.pending == split.pending);
    for (size_t i = 0; i < whole.count; i++)
    {
        const event &a = whole.events[i], &b = split.events[i];
        check(a.complete == b.complete && a.error == b.error && a.offset == b.offset);
        check(a.header.fin == b.header.fin && a.header.opcode == b.header.opcode);
        check(a.header.masked == b.header.masked);
        check(a.header.payload_length == b.header.payload_length);
        check(!memcmp(a.header.mask_key, b.header.mask_key, 4));
    }
    return 0;
}
