/*
 * Frame header codec (RFC 6455 section 5.2)
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

#include "frame_codec.h"

#include <string.h>

namespace ws {

namespace {

constexpr uint8_t FIN_BIT = 0x80;
constexpr uint8_t RSV_BITS = 0x70;
constexpr uint8_t OPCODE_BITS = 0x0f;
constexpr uint8_t MASK_BIT = 0x80;
constexpr uint8_t LENGTH7_BITS = 0x7f;
constexpr uint8_t LENGTH_16 = 126;
constexpr uint8_t LENGTH_64 = 127;

bool is_known_opcode(uint8_t op)
{
    return op <= OP_BINARY || (op >= OP_CLOSE && op <= OP_PONG);
}

/* Fields of a complete, already checked header (minimal or not). */
WS_EXPORT_CALLEE void decode_whole_header(const uint8_t *bytes, frame_header *header)
{
    uint8_t len7 = bytes[1] & LENGTH7_BITS;
    size_t pos = 2;
    header->fin = (bytes[0] & FIN_BIT) != 0;
    header->opcode = bytes[0] & OPCODE_BITS;
    header->masked = (bytes[1] & MASK_BIT) != 0;
    if (len7 == LENGTH_16)
    {
        header->payload_length = ((uint64_t)bytes[2] << 8) | bytes[3];
        pos = 4;
    }
    else if (len7 == LENGTH_64)
    {
        uint64_t value = 0;
        for (pos = 2; pos < 10; pos++)
            value = (value << 8) | bytes[pos];
        header->payload_length = value;
    }
    else
    {
        header->payload_length = len7;
    }
    if (header->masked)
        memcpy(header->mask_key, bytes + pos, 4);
}


} /* namespace */

size_t frame_header_size(uint64_t payload_length, bool masked)
{
    size_t size = 2;
    if (payload_length > 0xffff)
        size += 8;
    else if (payload_length > MAX_CONTROL_PAYLOAD)
        size += 2;
    return masked ? size + 4 : size;
}

WS_EXPORT_CALLEE size_t encode_frame_header(const frame_header &h, uint8_t *out)
{
    size_t n = 0;
    uint8_t mask = h.masked ? MASK_BIT : 0;

    out[n++] = (uint8_t)((h.fin ? FIN_BIT : 0) | (h.opcode & OPCODE_BITS));
    if (h.payload_length <= MAX_CONTROL_PAYLOAD)
    {
        out[n++] = (uint8_t)(mask | h.payload_length);
    }
    else if (h.payload_length <= 0xffff)
    {
        out[n++] = (uint8_t)(mask | LENGTH_16);
        out[n++] = (uint8_t)(h.payload_length >> 8);
        out[n++] = (uint8_t)h.payload_length;
    }
    else
    {
        out[n++] = (uint8_t)(mask | LENGTH_64);
        for (int shift = 56; shift >= 0; shift -= 8)
            out[n++] = (uint8_t)(h.payload_length >> shift);
    }
    if (h.masked)
    {
        memcpy(out + n, h.mask_key, 4);
        n += 4;
    }
    return n;
}

void frame_decoder::reset(mask_policy policy)
{
    policy_ = policy;
    next();
}

WS_EXPORT_CALLEE void frame_decoder::next()
{
    memset(&header_, 0, sizeof(header_));
    have_ = 0;
    need_ = 2;
    state_ = state_reading;
    error_ = frame_error::none;
}

WS_EXPORT_CALLEE size_t frame_decoder::feed(const uint8_t *data, size_t len)
{
    size_t used = 0;

    if (state_ != state_reading)
        return 0;

    /* Fast path: a whole header that breaks no rule, at the start of the
     * chunk.  Anything else (a split header, any error) takes the byte loop
     * below, which decides exactly as before. */
    if (have_ == 0 && len >= 2)
    {
        uint8_t b0 = data[0], b1 = data[1];
        uint8_t op = b0 & OPCODE_BITS, len7 = b1 & LENGTH7_BITS;
        bool masked = (b1 & MASK_BIT) != 0;
        size_t need = 2 + (len7 == LENGTH_16 ? 2 : len7 == LENGTH_64 ? 8 : 0) + (masked ? 4 : 0);
        bool good = !(b0 & RSV_BITS) && is_known_opcode(op)
            && !(is_control_opcode(op) && (!(b0 & FIN_BIT) || len7 > MAX_CONTROL_PAYLOAD))
            && !(policy_ == mask_policy::require_masked && !masked)
            && !(policy_ == mask_policy::require_unmasked && masked);
        if (good && len >= need && !(len7 == LENGTH_64 && (data[2] & 0x80)))
        {
            /* Decoded where it lies: bytes_ only gathers split headers. */
            have_ = need_ = (uint8_t)need;
            decode_whole_header(data, &header_);
            state_ = state_complete;
            return need;
        }
    }

    while (used < len)
    {
        uint8_t byte = data[used++];
        bytes_[have_++] = byte;

        if (have_ == 1)
        {
            /* Order of checks when several rules break at once: RSV, opcode, FIN. */
            uint8_t op = byte & OPCODE_BITS;
            if (byte & RSV_BITS)
                error_ = frame_error::rsv_bits;
            else if (!is_known_opcode(op))
                error_ = frame_error::reserved_opcode;
            else if (is_control_opcode(op) && !(byte & FIN_BIT))
                error_ = frame_error::control_fragmented;
        }
        else if (have_ == 2)
        {
            bool masked = (byte & MASK_BIT) != 0;
            uint8_t len7 = byte & LENGTH7_BITS;
            if (policy_ == mask_policy::require_masked && !masked)
                error_ = frame_error::mask_required;
            else if (policy_ == mask_policy::require_unmasked && masked)
                error_ = frame_error::mask_forbidden;
            else if (is_control_opcode(bytes_[0] & OPCODE_BITS) && len7 > MAX_CONTROL_PAYLOAD)
                error_ = frame_error::control_too_long;
            need_ = (uint8_t)(2 + (len7 == LENGTH_16 ? 2 : len7 == LENGTH_64 ? 8 : 0) + (masked ? 4 : 0));
        }
        else if (have_ == 3 && (bytes_[1] & LENGTH7_BITS) == LENGTH_64 && (byte & 0x80))
        {
            /* section 5.2: the most significant bit of a 64-bit length MUST be 0;
             * known from the first extended byte, so fail right there. */
            error_ = frame_error::length_top_bit;
        }

        if (error_ != frame_error::none)
        {
            state_ = state_failed;
            return used;
        }
        if (have_ == need_)
            break;
    }

    if (have_ < need_)
        return used;

    /* The whole header is here: decode it in one go. */
    decode_whole_header(bytes_, &header_);
    state_ = state_complete;
    return used;
}

} /* namespace ws */
