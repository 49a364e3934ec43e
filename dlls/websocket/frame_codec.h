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

#ifndef WEBSOCKET_FRAME_CODEC_H
#define WEBSOCKET_FRAME_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "callee_abi.h"

namespace ws {

/* RFC 6455 section 5.2 opcodes; 3-7 and 0xB-0xF are reserved. */
enum opcode : uint8_t
{
    OP_CONTINUATION = 0,
    OP_TEXT         = 1,
    OP_BINARY       = 2,
    OP_CLOSE        = 8,
    OP_PING         = 9,
    OP_PONG         = 10,
};

/* 2 fixed bytes + 8 bytes of 64-bit length + 4 bytes of masking key. */
constexpr size_t MAX_FRAME_HEADER = 14;
/* RFC 6455 section 5.5: every control frame payload fits the 7-bit length. */
constexpr uint64_t MAX_CONTROL_PAYLOAD = 125;

struct frame_header
{
    bool fin;
    uint8_t opcode;
    bool masked;
    uint8_t mask_key[4];     /* meaningful only when masked */
    uint64_t payload_length;
};

inline bool is_control_opcode(uint8_t op) { return (op & 0x8) != 0; }

/* Header size for a frame of this length in the minimal length form. */
size_t frame_header_size(uint64_t payload_length, bool masked);

/* Minimal 7/16/64-bit length form; writes 2..14 bytes, returns the count.
 * RSV bits are always 0 (we negotiate no extensions); the opcode's high bits
 * and the top bit of a 64-bit length are not checked: the caller owns them. */
WS_EXPORT_CALLEE size_t encode_frame_header(const frame_header &h, uint8_t *out);

enum class mask_policy : uint8_t
{
    require_masked,     /* server: client frames must be masked (section 5.1) */
    require_unmasked,   /* client: server frames must not be masked (section 5.1) */
    any,                /* server with WEB_SOCKET_DISABLE_MASKING_PROPERTY_TYPE */
};

enum class frame_error : uint8_t
{
    none,
    rsv_bits,            /* RSV1-3 set without a negotiated extension */
    reserved_opcode,     /* 3-7 or 0xB-0xF */
    control_fragmented,  /* close/ping/pong with FIN = 0 */
    control_too_long,    /* close/ping/pong whose 7-bit length is over 125 */
    length_top_bit,      /* 64-bit length with the most significant bit set */
    mask_required,       /* unmasked frame under require_masked */
    mask_forbidden,      /* masked frame under require_unmasked */
};

/*
 * Incremental frame header decoder.  Plain data with no constructor so that
 * it can live inside a per-handle block; call reset() before first use.
 * Feeding the header in any number of pieces gives the same result as feeding
 * it whole.  Errors are reported as soon as the offending byte arrives.
 *
 * Non-minimal length encodings (e.g. the 16-bit form carrying 100, or the
 * 64-bit form carrying 65535) are ACCEPTED for data frames: RFC 6455 section 5.2
 * puts the "minimal number of bytes" duty on the sender only, the length
 * value is unambiguous either way, and the widely used peers (browsers,
 * Python websockets, Node ws) accept them, so rejecting could only break
 * interoperability.  Control frames are the exception: their 7-bit length
 * field itself must be 0..125, so 126/127 there is control_too_long at the
 * second byte, whatever extended value would follow.
 */
struct frame_decoder
{
    void reset(mask_policy policy);
    /* Consume header bytes; returns how many were used (stops right after the
     * header is complete or at the first error, the bad byte counted).  Once
     * complete or failed it consumes nothing until next()/reset(). */
    WS_EXPORT_CALLEE size_t feed(const uint8_t *data, size_t len);
    bool complete() const { return state_ == state_complete; }
    frame_error error() const { return error_; }
    /* Valid once complete(). */
    const frame_header &header() const { return header_; }
    /* Header bytes of the current frame consumed so far. */
    size_t header_bytes() const { return have_; }
    /* Start decoding the following frame's header (same policy).  After an
     * error the stream is unusable; next() clears the error anyway so a
     * caller can reuse the object deliberately. */
    WS_EXPORT_CALLEE void next();

    /* Internal state: public only to keep the type an aggregate. */
    enum : uint8_t { state_reading = 0, state_complete = 1, state_failed = 2 };
    frame_header header_;
    uint8_t bytes_[MAX_FRAME_HEADER];
    uint8_t have_;        /* bytes of bytes_ filled */
    uint8_t need_;        /* total header size, known after byte 2 */
    uint8_t state_;
    mask_policy policy_;
    frame_error error_;
};

} /* namespace ws */

#endif /* WEBSOCKET_FRAME_CODEC_H */
