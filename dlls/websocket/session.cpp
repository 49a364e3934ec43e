/*
 * The session engine: creation, action dispatch, completion and abort
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

#include "session.h"

#include <atomic>
#include <new>
#include <stdlib.h>
#include <string.h>

namespace ws {

status session::create(const session_config &config, session **out)
{
    if (config.receive_buffer_size < MIN_RECEIVE_BUFFER || config.receive_buffer_size > MAX_BUFFER
            || config.send_buffer_size < MIN_SEND_BUFFER || config.send_buffer_size > MAX_BUFFER)
        return status::invalid_argument;
    size_t needed = arena_size(config.receive_buffer_size, config.send_buffer_size);
    if (config.allocated_buffer && config.allocated_size < needed)
        return status::invalid_argument;

    /* One allocation: the object, then its data areas unless the caller gave them. */
    size_t object_size = (sizeof(session) + 63) & ~size_t(63);
    size_t total = object_size + (config.allocated_buffer ? 0 : needed);
    void *memory = malloc(total);
    if (!memory)
        return status::out_of_memory;
    session *s = new (memory) session();
    uint8_t *arena = config.allocated_buffer ? config.allocated_buffer
                                             : static_cast<uint8_t *>(memory) + object_size;
    status result = s->setup(config, arena);
    if (result != status::ok)
    {
        s->~session();
        free(memory);
        return result;
    }
    s->arena_owned_ = !config.allocated_buffer;
    *out = s;
    return status::ok;
}

status session::setup(const session_config &config, uint8_t *arena)
{
    role_ = config.role;
    phase_ = phase::created;
    aborted_ = false;
    disable_masking_ = config.disable_masking;
    disable_utf8_ = config.disable_utf8;
    arena_ = arena;
    receive_area_ = arena;
    receive_size_ = config.receive_buffer_size;
    send_area_ = arena + receive_size_;
    send_size_ = config.send_buffer_size;
    control_area_ = send_area_ + send_size_;
    wire_ = wire_owner::none;
    random_.reset();
    next_token_ = 0;
    tokens_left_ = 0;
    client_key_[0] = 0;
    handshake_block_ = nullptr;
    offered_subprotocols_ = 0;
    subprotocol_list_ = nullptr;

    receive_action_ = outstanding();
    receive_pending_ = false;
    receive_cancelled_ = false;
    receive_context_ = nullptr;
    receive_user_buffer_ = nullptr;
    receive_user_length_ = 0;
    rx_begin_ = rx_end_ = 0;
    decoder_.reset(role_ == role::client ? mask_policy::require_unmasked
                   : disable_masking_   ? mask_policy::any
                                        : mask_policy::require_masked);
    header_done_ = false;
    frame_ = frame_header();
    payload_left_ = 0;
    unmask_phase_ = 0;
    in_message_ = false;
    message_text_ = false;
    close_received_ = false;
    utf8_.reset();
    receive_error_ = status::ok;
    pong_pending_ = false;
    random_ok_ = true;
    pong_length_ = 0;

    send_action_ = outstanding();
    send_head_ = send_count_ = 0;
    sending_fragments_ = false;
    fragments_text_ = false;
    close_sent_ = false;

    /* Draw once now, so a broken system RNG fails the create, not a send. */
    uint8_t probe[4];
    return random_.bytes(probe, sizeof(probe)) ? status::ok : status::out_of_memory;
}

session::~session()
{
    free_handshake_headers();
}

void session::destroy(void *object)
{
    session *s = static_cast<session *>(object);
    s->~session();
    free(s);
}

namespace {

/* One sequence for every handle, so a context from another handle never
 * matches (two handles in the same state would otherwise hand out the same
 * values).  A session takes the values a block at a time: one atomic
 * operation per block, not per action. */
std::atomic<uintptr_t> context_sequence{1};
constexpr uint32_t TOKEN_BLOCK = 256;

} /* namespace */

/* The next non-zero token, from a new block when this one is used up or
 * the sequence wrapped to 0; make_context counts it as taken. */
WS_EXPORT_CALLEE uintptr_t session::next_token_block()
{
    for (;;)
    {
        if (!tokens_left_)
        {
            next_token_ = context_sequence.fetch_add(TOKEN_BLOCK, std::memory_order_relaxed);
            tokens_left_ = TOKEN_BLOCK;
        }
        uintptr_t token = next_token_ & TOKEN_MASK;
        if (token)
            return token;
        next_token_++, tokens_left_--;  /* GCOVR_EXCL_LINE: only when the sequence wraps to 0 (2^62 actions) */
    }
}

WS_EXPORT_CALLEE status session::get_action(unsigned queues, uint32_t capacity, action *out)
{
    out->type = action_type::none;
    out->buffer = buffer_type::none;
    out->buffer_count = 0;
    out->application_context = nullptr;
    out->action_context = nullptr;
    if (!is_open())
        return status::invalid_operation;

    if ((queues & QUEUE_SEND) && next_send_action(capacity, out))
        return status::ok;
    if (queues & QUEUE_RECEIVE)
        return next_receive_action(capacity, out);
    return status::ok;
}

void session::abort()
{
    /* Before the handshake is done there is nothing to abort (documented no-op). */
    if (phase_ == phase::open || (phase_ == phase::handshake && role_ == role::server))
        aborted_ = true;
}

} /* namespace ws */
