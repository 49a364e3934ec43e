/*
 * The session engine: the receive queue
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
 * Bytes read from the network land in the receive area.  Payload is unmasked
 * in place (text validated in the same pass) and indicated as a pointer into
 * that area (zero copy), as soon as any byte of the current frame is there;
 * more is asked for only when not one byte can be indicated.  Each WebSocketReceive ends with exactly one
 * indication.  A ping is answered with a pong handed out on this queue.
 */

#include "session.h"

#include <string.h>

#include "close_rules.h"
#include "masking.h"

namespace ws {

namespace {

/* libc's memmove, behind the exported functions' convention (callee_abi.h):
 * the functions calling it save no registers unless they call it. */
__attribute__((noinline)) WS_EXPORT_CALLEE void move_bytes(void *dst, const void *src, size_t len)
{
    memmove(dst, src, len);
}

} /* namespace */

WS_EXPORT_CALLEE status session::receive(const data_buffer *buffer, void *context)
{
    if (!is_open() || aborted_)
        return status::invalid_operation;
    if (buffer && (!buffer->data || !buffer->length))
        return status::invalid_argument;
    if (receive_pending_)
        return status::invalid_operation;
    receive_pending_ = true;
    receive_context_ = context;
    receive_user_buffer_ = buffer ? buffer->data : nullptr;
    receive_user_length_ = buffer ? buffer->length : 0;
    return status::ok;
}

WS_EXPORT_CALLEE status session::next_receive_action(uint32_t capacity, action *out)
{
    (void)capacity; /* every receive-queue action needs one buffer; the caller checked */
    if (receive_action_.type != action_type::none)
        return status::ok;
    if (aborted_)
    {
        /* The pending receive ends with one indication; nothing goes to the network. */
        if (receive_pending_)
            indicate(out, buffer_type::close, nullptr, 0, CLOSE_ABNORMAL);
        return status::ok;
    }
    if (receive_error_ != status::ok)
        return receive_error_;

    if (!pong_pending_ && receive_pending_)
    {
        if (receive_cancelled_)
        {
            /* The application saw the connection end: report it as an abnormal close. */
            receive_cancelled_ = false;
            indicate(out, buffer_type::close, nullptr, 0, CLOSE_ABNORMAL);
            return status::ok;
        }
        bool produced = false;
        status result = parse(out, &produced);
        if (result != status::ok)
        {
            fail(result);
            return result;
        }
        if (produced)
            return status::ok;
    }
    if (pong_pending_)
    {
        if (wire_ == wire_owner::none)
            hand_out_pong(out);
        return status::ok;
    }
    if (!receive_pending_)
        return status::ok;

    /* Need more bytes.  What is left unparsed is at most a control frame's
     * payload (headers are consumed by the decoder, data is indicated at
     * once), so moving it to the front is cheap and leaves room. */
    if (rx_begin_ == rx_end_)
        rx_begin_ = rx_end_ = 0;
    else if (rx_begin_)
    {
        move_bytes(receive_area_, receive_area_ + rx_begin_, rx_end_ - rx_begin_);
        rx_end_ -= rx_begin_;
        rx_begin_ = 0;
    }
    uint32_t room = receive_size_ - rx_end_;
    out->type = action_type::receive_from_network;
    out->buffer_count = 1;
    out->buffers[0] = { receive_area_ + rx_end_, room, 0 };
    out->application_context = receive_context_;
    out->action_context = make_context(QUEUE_RECEIVE, receive_action_, out->type, room);
    return status::ok;
}

WS_EXPORT_CALLEE status session::parse(action *out, bool *produced)
{
    while (!*produced && !pong_pending_)
    {
        if (!header_done_)
        {
            if (rx_begin_ == rx_end_)
                return status::ok;  /* nothing read yet: the usual first call of a receive */
            rx_begin_ += uint32_t(decoder_.feed(receive_area_ + rx_begin_, rx_end_ - rx_begin_));
            if (decoder_.error() != frame_error::none)
                return status::invalid_format;
            if (!decoder_.complete())
                return status::ok;
            frame_ = decoder_.header();
            header_done_ = true;
            payload_left_ = frame_.payload_length;
            unmask_phase_ = 0;

            /* Nothing may follow a close; data frames must continue or start a message. */
            if (close_received_)
                return status::invalid_operation;
            if (!is_control_opcode(frame_.opcode))
            {
                if (frame_.opcode == OP_CONTINUATION ? !in_message_ : in_message_)
                    return status::invalid_operation;
                if (frame_.opcode != OP_CONTINUATION)
                {
                    in_message_ = true;
                    message_text_ = frame_.opcode == OP_TEXT;
                    utf8_.reset();
                }
            }
        }

        uint32_t available = rx_end_ - rx_begin_;
        status result;
        if (is_control_opcode(frame_.opcode))
        {
            /* A control frame is handled whole (at most 125 bytes). */
            if (available < payload_left_)
                return status::ok;
            result = take_control_frame(out, produced);
        }
        else
        {
            if (!available && payload_left_)
                return status::ok;
            result = take_data(out, produced);
        }
        if (result != status::ok)
            return result;
    }
    return status::ok;
}

WS_EXPORT_CALLEE status session::take_control_frame(action *out, bool *produced)
{
    uint32_t length = uint32_t(payload_left_);
    uint8_t *payload = receive_area_ + rx_begin_;
    if (frame_.masked)
        mask_in_place(payload, length, frame_.mask_key, 0);
    rx_begin_ += length;
    payload_left_ = 0;
    header_done_ = false;
    decoder_.next();

    switch (frame_.opcode)
    {
    case OP_PING:
        queue_pong(payload, length);
        return random_ok_ ? status::ok : status::out_of_memory;
    case OP_PONG:
        indicate(out, buffer_type::ping_pong, payload, length, 0);
        *produced = true;
        return status::ok;
    default:
    {
        close_payload close;
        if (parse_close_payload(payload, length, &close) != close_error::none)
            return status::invalid_format;
        close_received_ = true;
        /* A status without a reason still gets a pointer (length 0); no body gets NULL. */
        indicate(out, buffer_type::close, const_cast<uint8_t *>(close.reason),
                 uint32_t(close.reason_len), close.code);
        *produced = true;
        return status::ok;
    }
    }
}

WS_EXPORT_CALLEE status session::take_data(action *out, bool *produced)
{
    uint32_t length = rx_end_ - rx_begin_;
    if (payload_left_ < length)
        length = uint32_t(payload_left_);
    if (receive_user_buffer_ && length > receive_user_length_)
        length = receive_user_length_;

    uint8_t *data = receive_area_ + rx_begin_;
    bool check_utf8 = message_text_ && !disable_utf8_;
    utf8_result text = utf8_result::valid;
    /* Text is unmasked and validated in one pass over the chunk. */
    if (frame_.masked && check_utf8)
        text = utf8_.feed_masked(data, data, length, frame_.mask_key, unmask_phase_);
    else if (frame_.masked)
        mask_in_place(data, length, frame_.mask_key, unmask_phase_);
    else if (check_utf8)
        text = utf8_.feed(data, length);
    unmask_phase_ = uint8_t((unmask_phase_ + length) & 3);
    if (text == utf8_result::invalid)
        return status::invalid_format;
    rx_begin_ += length;
    payload_left_ -= length;

    bool frame_end = !payload_left_;
    bool message_end = frame_end && frame_.fin;
    if (frame_end)
    {
        header_done_ = false;
        decoder_.next();
    }
    if (message_end)
    {
        in_message_ = false;
        if (check_utf8 && utf8_.finish() != utf8_result::valid)
            return status::invalid_format;
    }
    /* An empty frame that ends nothing carries nothing to indicate. */
    if (!length && !message_end)
        return status::ok;

    buffer_type type = message_text_ ? (message_end ? buffer_type::utf8_message : buffer_type::utf8_fragment)
                                     : (message_end ? buffer_type::binary_message : buffer_type::binary_fragment);
    indicate(out, type, data, length, 0);
    *produced = true;
    return status::ok;
}

WS_EXPORT_CALLEE void session::indicate(action *out, buffer_type type, uint8_t *data, uint32_t length, uint16_t status)
{
    /* Data was cut to the caller's buffer already (the rest comes with the
     * next Receive); a close reason or a pong cannot be continued, so one
     * longer than the caller's buffer is indicated where it lies, whole. */
    if (receive_user_buffer_ && data && length <= receive_user_length_)
    {
        move_bytes(receive_user_buffer_, data, length);
        data = receive_user_buffer_;
    }
    out->type = action_type::indicate_receive_complete;
    out->buffer = type;
    out->buffer_count = 1;
    out->buffers[0] = { data, length, status };
    out->application_context = receive_context_;
    out->action_context = make_context(QUEUE_RECEIVE, receive_action_, out->type, 0);
    receive_pending_ = false;
}

WS_EXPORT_CALLEE void session::queue_pong(const uint8_t *payload, uint32_t length)
{
    frame_header header = frame_header();
    header.fin = true;
    header.opcode = OP_PONG;
    header.masked = role_ == role::client;
    header.payload_length = length;
    random_ok_ = true;
    if (header.masked && !disable_masking_)
        random_ok_ = random_.next_mask_key(header.mask_key);
    size_t size = encode_frame_header(header, control_area_);
    if (header.masked)
        mask_copy(control_area_ + size, payload, length, header.mask_key, 0);
    else
        move_bytes(control_area_ + size, payload, length);
    pong_length_ = uint32_t(size + length);
    pong_pending_ = random_ok_;
}

WS_EXPORT_CALLEE void session::hand_out_pong(action *out)
{
    wire_ = wire_owner::pong;
    out->type = action_type::send_to_network;
    out->buffer = buffer_type::unsolicited_pong;
    out->buffer_count = 1;
    out->buffers[0] = { control_area_, pong_length_, 0 };
    /* No application context: this send is the DLL's own. */
    out->action_context = make_context(QUEUE_RECEIVE, receive_action_, out->type, pong_length_);
}

WS_EXPORT_CALLEE void session::fail(status error)
{
    receive_error_ = error;
}

} /* namespace ws */
