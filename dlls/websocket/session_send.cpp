/*
 * The session engine: the send queue
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
 * A server frame goes out as [header (+ close status)] from the send area and
 * the caller's own payload, untouched.  A client frame is masked into the send
 * area in one fused copy+XOR pass and goes out in pieces of at most the send
 * buffer size.  Frames never interleave: while a frame is partly on the wire,
 * an automatic pong waits, and the other way round.
 */

#include "session.h"

#include <string.h>

#include "close_rules.h"
#include "masking.h"

namespace ws {

namespace {

bool is_data(buffer_type type)
{
    return type <= buffer_type::binary_fragment;
}

bool is_text(buffer_type type)
{
    return type == buffer_type::utf8_message || type == buffer_type::utf8_fragment;
}

bool is_final(buffer_type type)
{
    return type == buffer_type::utf8_message || type == buffer_type::binary_message;
}

} /* namespace */

WS_EXPORT_CALLEE status session::send(buffer_type type, const data_buffer *buffer, void *context)
{
    if (!is_open() || aborted_)
        return status::invalid_operation;

    send_op op = send_op();
    op.type = type;
    op.context = context;
    if (buffer)
        op.original = *buffer;

    if (is_data(type))
    {
        if (!buffer || (!buffer->data && buffer->length))
            return status::invalid_argument;
        if (close_sent_ || (sending_fragments_ && fragments_text_ != is_text(type)))
            return status::invalid_operation;
        op.opcode = sending_fragments_ ? OP_CONTINUATION : is_text(type) ? OP_TEXT : OP_BINARY;
        op.fin = is_final(type);
        op.payload = buffer->data;
        op.length = buffer->length;
    }
    else if (type == buffer_type::close)
    {
        if (close_sent_)
            return status::invalid_operation;
        op.opcode = OP_CLOSE;
        op.fin = true;
        /* No buffer, or 1005 without a reason: a close frame without a body. */
        if (buffer && !(buffer->close_status == CLOSE_NO_STATUS && !buffer->length))
        {
            if (!buffer->data && buffer->length)
                return status::invalid_argument;
            if (check_close_to_send(buffer->close_status, buffer->length) != close_error::none)
                return status::invalid_argument;
            op.prefix[0] = uint8_t(buffer->close_status >> 8);
            op.prefix[1] = uint8_t(buffer->close_status);
            op.prefix_length = 2;
            op.payload = buffer->data;
            op.length = buffer->length;
        }
    }
    else if (type == buffer_type::ping_pong || type == buffer_type::unsolicited_pong)
    {
        if (buffer)
            return status::invalid_argument;
        op.opcode = type == buffer_type::ping_pong ? OP_PING : OP_PONG;
        op.fin = true;
    }
    else
        return status::invalid_argument;  /* GCOVR_EXCL_LINE: main.cpp passes only the seven types */

    /* One send at a time; finished sends may still wait for their indication. */
    for (unsigned i = 0; i < send_count_; i++)
        if (!send_queue_[(send_head_ + i) % SEND_QUEUE_DEPTH].done)
            return status::invalid_operation;
    if (send_count_ == SEND_QUEUE_DEPTH)
        return status::invalid_operation;  /* GCOVR_EXCL_LINE: GetAction reports a finished send before the next frame */

    frame_header header = frame_header();
    header.fin = op.fin;
    header.opcode = op.opcode;
    header.masked = role_ == role::client;
    header.payload_length = uint64_t(op.prefix_length) + op.length;
    if (header.masked && !disable_masking_ && !random_.next_mask_key(header.mask_key))
        return status::out_of_memory;
    op.header_length = uint32_t(encode_frame_header(header, op.header));

    send_queue_[(send_head_ + send_count_) % SEND_QUEUE_DEPTH] = op;
    send_count_++;
    if (is_data(type))
    {
        sending_fragments_ = !op.fin;
        fragments_text_ = is_text(type);
    }
    else if (type == buffer_type::close)
        close_sent_ = true;
    return status::ok;
}

WS_EXPORT_CALLEE bool session::next_send_action(uint32_t capacity, action *out)
{
    if (send_action_.type != action_type::none || !send_count_)
        return false;
    send_op &op = send_queue_[send_head_];

    if (!op.done && !aborted_)
    {
        if (wire_ == wire_owner::pong)
            return false;
        send_piece(op, capacity, out);
        return true;
    }

    /* Finished, cancelled, or aborted: report it once. */
    if (!op.done && wire_ == wire_owner::send_frame)
        wire_ = wire_owner::none;
    out->type = action_type::indicate_send_complete;
    out->buffer = op.type;
    out->buffer_count = capacity ? 1 : 0;
    if (capacity)
        out->buffers[0] = op.original;
    out->application_context = op.context;
    out->action_context = make_context(QUEUE_SEND, send_action_, out->type, 0);
    send_head_ = (send_head_ + 1) % SEND_QUEUE_DEPTH;
    send_count_--;
    return true;
}

WS_EXPORT_CALLEE void session::send_piece(send_op &op, uint32_t capacity, action *out)
{
    uint64_t body = uint64_t(op.prefix_length) + op.length;
    uint32_t offered;
    out->buffer_count = 1;

    if (role_ == role::server || disable_masking_)
    {
        /* Zero copy: the payload is the caller's buffer. */
        if (!op.started)
        {
            /* Fixed-size copies (no call): the send area holds at least 16
             * bytes, and a header plus a close status is at most 16. */
            static_assert(MAX_FRAME_HEADER + sizeof(op.prefix) <= MIN_SEND_BUFFER, "header fits");
            memcpy(send_area_, op.header, MAX_FRAME_HEADER);
            memcpy(send_area_ + op.header_length, op.prefix, sizeof(op.prefix));
            offered = op.header_length + op.prefix_length;
            out->buffers[0] = { send_area_, offered, 0 };
            if (capacity >= 2 && op.length)
            {
                out->buffers[1] = { const_cast<uint8_t *>(op.payload), op.length, 0 };
                out->buffer_count = 2;
                offered += op.length;
            }
        }
        else
        {
            uint64_t done = op.handed_out - op.header_length - op.prefix_length;
            offered = uint32_t(op.length - done);
            out->buffers[0] = { const_cast<uint8_t *>(op.payload) + done, offered, 0 };
        }
    }
    else
    {
        /* Header and masked body share the send area: one contiguous piece. */
        uint32_t used = 0;
        uint64_t done = 0;
        if (!op.started)
        {
            memcpy(send_area_, op.header, MAX_FRAME_HEADER);
            used = op.header_length;
        }
        else
            done = op.handed_out - op.header_length;
        const uint8_t *key = op.header + op.header_length - 4;
        size_t phase = op.mask_phase;
        while (used < send_size_ && done < body)
        {
            uint32_t room = send_size_ - used;
            uint32_t n;
            if (done < op.prefix_length)
            {
                n = uint32_t(op.prefix_length - done);
                n = n < room ? n : room;
                phase = mask_copy(send_area_ + used, op.prefix + done, n, key, phase);
            }
            else
            {
                uint64_t left = body - done;
                n = left < room ? uint32_t(left) : room;
                phase = mask_copy(send_area_ + used, op.payload + (done - op.prefix_length), n, key,
                                  phase);
            }
            used += n;
            done += n;
        }
        op.mask_phase = uint8_t(phase);
        offered = used;
        out->buffers[0] = { send_area_, used, 0 };
    }

    op.started = true;
    wire_ = wire_owner::send_frame;
    out->type = action_type::send_to_network;
    out->buffer = op.type;
    out->application_context = op.context;
    out->action_context = make_context(QUEUE_SEND, send_action_, out->type, offered);
}

} /* namespace ws */
