/*
 * Fuzz target: the frame header decoder against two independent decoders.
 *
 * Input: [policy][chunk seed][stream...].  The stream is read as frames, each
 * header followed by its payload (cut short at the end of the stream).
 *
 * 1. A deliberately simple model written here: the whole header at once,
 *    byte by byte in RFC 6455 order, no fast path, no state.  For every frame
 *    the decoder fed the header whole, one byte at a time and split in two at
 *    every position must give exactly the model's verdict: the same error at
 *    the same byte, or the same header fields after the same number of bytes.
 * 2. wslay's frame parser (Debian's libwslay), fed the raw stream in chunks
 *    the input chooses: the same frames with the same FIN, opcode, MASK and
 *    length, and a rejection wherever the decoder rejects.  Where the two
 *    differ by design the difference is named and checked: wslay's frame
 *    layer leaves RSV bits, reserved opcodes and the masking rule to its
 *    event layer (it reports them, the decoder rejects them), and it rejects
 *    a non-minimal length encoding, which the decoder accepts (README,
 *    "Behaviour": the minimal-length rule binds the sender).
 *
 * Copyright 2026 The websocket.dll authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <wslay/wslay.h>

#include "frame_codec.h"

namespace {

void check(bool condition)
{
    if (!condition)
        abort();
}

/* One frame's verdict, from the model or from the decoder. */
struct verdict
{
    enum kind_t { partial, refused, accepted } kind;
    ws::frame_error error;
    size_t used;            /* header bytes consumed, the bad byte included */
    bool fin, masked;
    uint8_t opcode;
    uint8_t key[4];
    uint64_t length;
    bool length_known;      /* the whole length field was read */
    bool minimal;           /* the length in its shortest form */
};

bool same(const verdict &a, const verdict &b)
{
    if (a.kind != b.kind || a.used != b.used)
        return false;
    if (a.kind == verdict::refused)
        return a.error == b.error;
    if (a.kind == verdict::partial)
        return true;
    return a.fin == b.fin && a.masked == b.masked && a.opcode == b.opcode && a.length == b.length
           && (!a.masked || !memcmp(a.key, b.key, 4));
}

verdict fail(ws::frame_error error, size_t used)
{
    verdict v = verdict();
    v.kind = verdict::refused;
    v.error = error;
    v.used = used;
    return v;
}

/* The model: RFC 6455 section 5.2 read straight off the bytes. */
verdict model(ws::mask_policy policy, const uint8_t *p, size_t n)
{
    verdict v = verdict();
    v.kind = verdict::partial;
    if (n < 1)
        return v;
    unsigned opcode = p[0] & 15;
    bool control = opcode >= 8;
    bool known = opcode == 0 || opcode == 1 || opcode == 2 || opcode == 8 || opcode == 9 || opcode == 10;
    if (p[0] & 0x70)
        return fail(ws::frame_error::rsv_bits, 1);
    if (!known)
        return fail(ws::frame_error::reserved_opcode, 1);
    if (control && !(p[0] & 0x80))
        return fail(ws::frame_error::control_fragmented, 1);
    v.used = 1;
    if (n < 2)
        return v;
    bool masked = p[1] & 0x80;
    unsigned len7 = p[1] & 0x7f;
    if (policy == ws::mask_policy::require_masked && !masked)
        return fail(ws::frame_error::mask_required, 2);
    if (policy == ws::mask_policy::require_unmasked && masked)
        return fail(ws::frame_error::mask_forbidden, 2);
    if (control && len7 > 125)
        return fail(ws::frame_error::control_too_long, 2);
    size_t extra = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
    if (len7 == 127 && n >= 3 && (p[2] & 0x80))
        return fail(ws::frame_error::length_top_bit, 3);
    size_t need = 2 + extra + (masked ? 4 : 0);
    v.used = n < need ? n : need;
    if (n < 2 + extra)
        return v;
    uint64_t length = len7;
    if (extra)
    {
        length = 0;
        for (size_t i = 0; i < extra; i++)
            length = length << 8 | p[2 + i];
    }
    /* Known once the length is there, before the masking key. */
    v.length_known = true;
    v.minimal = extra == 0 || (extra == 2 ? length > 125 : length > 0xffff);
    if (n < need)
        return v;
    v.kind = verdict::accepted;
    v.fin = p[0] & 0x80;
    v.opcode = uint8_t(opcode);
    v.masked = masked;
    v.length = length;
    if (masked)
        memcpy(v.key, p + 2 + extra, 4);
    return v;
}

/* The decoder fed p[0..n) as pieces ending at each cut in cuts (ascending, the last n). */
verdict decode(ws::mask_policy policy, const uint8_t *p, const size_t *cuts, size_t cut_count)
{
    ws::frame_decoder decoder;
    decoder.reset(policy);
    size_t pos = 0;
    for (size_t i = 0; i < cut_count; i++)
    {
        size_t used = decoder.feed(p + pos, cuts[i] - pos);
        check(used <= cuts[i] - pos);
        pos += used;
        if (decoder.error() != ws::frame_error::none || decoder.complete())
            break;
        check(pos == cuts[i]);
    }
    verdict v = verdict();
    v.used = pos;
    check(decoder.header_bytes() == pos);
    if (decoder.error() != ws::frame_error::none)
    {
        check(!decoder.complete());
        v.kind = verdict::refused;
        v.error = decoder.error();
        return v;
    }
    if (!decoder.complete())
    {
        v.kind = verdict::partial;
        return v;
    }
    const ws::frame_header &h = decoder.header();
    v.kind = verdict::accepted;
    v.fin = h.fin;
    v.opcode = h.opcode;
    v.masked = h.masked;
    v.length = h.payload_length;
    memcpy(v.key, h.mask_key, 4);
    return v;
}

constexpr size_t MAX_FRAMES = 1024;

struct frame_record
{
    verdict v;
    size_t payload_here;    /* payload bytes present in the stream */
};

frame_record frames[MAX_FRAMES];

/* wslay's side: the raw stream through its receive callback. */
struct feed_state
{
    const uint8_t *data;
    size_t size, pos;
    uint32_t rng;
};

ssize_t wslay_receive(uint8_t *buf, size_t len, int, void *user)
{
    feed_state *s = static_cast<feed_state *>(user);
    size_t n = s->size - s->pos;
    if (s->rng)
    {
        s->rng = s->rng * 1103515245u + 12345u;
        size_t limit = 1 + (s->rng >> 16) % 20;
        if (n > limit)
            n = limit;
    }
    if (n > len)
        n = len;
    if (!n)
        return -1;  /* would block: wslay answers WSLAY_ERR_WANT_READ */
    memcpy(buf, s->data + s->pos, n);
    s->pos += n;
    return ssize_t(n);
}

ssize_t wslay_send(const uint8_t *, size_t, int, void *)
{
    return -1;
}

int wslay_mask(uint8_t *, size_t, void *)
{
    return -1;
}

bool reserved(uint8_t opcode)
{
    return !(opcode <= 2 || (opcode >= 8 && opcode <= 10));
}

/* Is wslay's report of frame i consistent with the decoder's verdict? */
void compare_wslay(ws::mask_policy policy, const uint8_t *data, size_t size, uint32_t seed, size_t count)
{
    feed_state state = { data, size, 0, seed };
    static const wslay_frame_callbacks callbacks = { wslay_send, wslay_receive, wslay_mask };
    wslay_frame_context_ptr context;
    check(wslay_frame_context_init(&context, &callbacks, &state) == 0);

    size_t index = 0;
    uint64_t left = 0;          /* payload of the current wslay frame still to come */
    bool in_frame = false;
    while (index < count)
    {
        wslay_frame_iocb iocb;
        memset(&iocb, 0, sizeof(iocb));
        ssize_t r = wslay_frame_recv(context, &iocb);
        if (r == WSLAY_ERR_WANT_READ)
        {
            if (state.pos < state.size)
                continue;
            /* The stream ended: wslay shows a frame only with its first
             * payload byte, so what is left must be a frame it could not
             * finish showing. */
            const frame_record &f = frames[index];
            if (!in_frame)
                check(f.v.kind != verdict::accepted || (f.v.length > 0 && f.payload_here == 0));
            break;
        }
        const frame_record &f = frames[index];
        if (r == WSLAY_ERR_PROTO)
        {
            /* wslay refuses frame `index`: the decoder refused it too, or it is
             * the one difference by design, a non-minimal length. */
            check(!in_frame);
            check(f.v.kind == verdict::refused || (f.v.length_known && !f.v.minimal));
            break;
        }
        check(r >= 0);
        if (!in_frame)
        {
            /* The first report of a new frame: its header. */
            bool fin = iocb.fin, masked = iocb.mask;
            if (f.v.kind == verdict::refused)
            {
                switch (f.v.error)
                {
                case ws::frame_error::rsv_bits:
                    check(iocb.rsv != 0);
                    break;
                case ws::frame_error::reserved_opcode:
                    check(iocb.rsv == 0 && reserved(iocb.opcode));
                    break;
                case ws::frame_error::mask_required:
                    check(policy == ws::mask_policy::require_masked && !masked);
                    break;
                case ws::frame_error::mask_forbidden:
                    check(policy == ws::mask_policy::require_unmasked && masked);
                    break;
                default:
                    /* Control frames fragmented or too long and a length with
                     * its top bit set are wslay's errors too. */
                    check(false);
                }
                break;
            }
            check(f.v.kind == verdict::accepted && f.v.minimal);
            check(iocb.rsv == 0 && fin == f.v.fin && iocb.opcode == f.v.opcode && masked == f.v.masked);
            check(iocb.payload_length == f.v.length);
            left = f.v.length;
            in_frame = true;
        }
        check(uint64_t(r) == iocb.data_length && iocb.data_length <= left);
        left -= iocb.data_length;
        if (!left)
        {
            in_frame = false;
            index++;
        }
    }
    wslay_frame_context_free(context);
}

} /* namespace */

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    ws::mask_policy policy = ws::mask_policy(data[0] % 3);
    uint32_t seed = data[1];
    data += 2;
    size -= 2;

    size_t count = 0, pos = 0;
    while (count < MAX_FRAMES)
    {
        const uint8_t *p = data + pos;
        size_t n = size - pos;
        verdict expected = model(policy, p, n);
        size_t header = n < ws::MAX_FRAME_HEADER ? n : ws::MAX_FRAME_HEADER;

        /* Whole, byte by byte, and in two pieces cut at every position. */
        size_t cuts[ws::MAX_FRAME_HEADER + 1];
        cuts[0] = header;
        check(same(decode(policy, p, cuts, 1), expected));
        for (size_t i = 0; i < header; i++)
            cuts[i] = i + 1;
        check(same(decode(policy, p, cuts, header), expected));
        for (size_t at = 0; at <= header; at++)
        {
            size_t two[2] = { at, header };
            check(same(decode(policy, p, two, 2), expected));
        }

        frame_record &f = frames[count++];
        f.v = expected;
        f.payload_here = 0;
        if (expected.kind != verdict::accepted)
            break;
        pos += expected.used;
        f.payload_here = size - pos < expected.length ? size - pos : size_t(expected.length);
        pos += f.payload_here;
        if (pos == size)
            break;
    }

    compare_wslay(policy, data, size, 0, count);
    compare_wslay(policy, data, size, seed | 1, count);
    return 0;
}
