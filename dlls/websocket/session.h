/*
 * The session engine: one object per handle
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

#ifndef WEBSOCKET_SESSION_H
#define WEBSOCKET_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "entropy.h"
#include "frame_codec.h"
#include "handshake.h"
#include "callee_abi.h"
#include "status.h"
#include "utf8_validator.h"

namespace ws {

enum class role : uint8_t { client, server };

/* The API's buffer types in the API's order: API value = 0x80000000 + this. */
enum class buffer_type : uint8_t
{
    utf8_message,
    utf8_fragment,
    binary_message,
    binary_fragment,
    close,
    ping_pong,
    unsolicited_pong,
    none = 0xff,
};

/* The API's actions, same values. */
enum class action_type : uint8_t
{
    none = 0,
    send_to_network = 1,
    indicate_send_complete = 2,
    receive_from_network = 3,
    indicate_receive_complete = 4,
};

enum : unsigned { QUEUE_SEND = 1, QUEUE_RECEIVE = 2, QUEUE_ALL = 3 };

/* Data or close view of one buffer (the API's union, flattened). */
struct data_buffer
{
    uint8_t *data;
    uint32_t length;
    uint16_t close_status;
};

struct action
{
    action_type type;
    buffer_type buffer;
    uint32_t buffer_count;
    data_buffer buffers[2];
    void *application_context;
    void *action_context;
};

/* Same layout as WEB_SOCKET_HTTP_HEADER (the API layer checks it at compile time). */
struct http_header
{
    char *name;
    uint32_t name_length;
    char *value;
    uint32_t value_length;
};

struct session_config
{
    ws::role role;
    uint32_t receive_buffer_size;
    uint32_t send_buffer_size;
    bool disable_masking;
    bool disable_utf8;
    uint8_t *allocated_buffer;  /* caller's memory for all data areas, or NULL */
    size_t allocated_size;
};

constexpr uint32_t MIN_RECEIVE_BUFFER = 256;
constexpr uint32_t MIN_SEND_BUFFER = 16;
constexpr uint32_t MAX_BUFFER = 65536;
constexpr uint32_t DEFAULT_BUFFER = 4096;
constexpr uint32_t DEFAULT_SERVER_SEND_BUFFER = 16;
/* Room for one whole control frame (14-byte header + 125 bytes) beside the
 * receive and send areas: what .NET allocates (RBS + SBS + 144). */
constexpr uint32_t CONTROL_AREA = 144;
constexpr size_t arena_size(uint32_t receive, uint32_t send)
{
    return size_t(receive) + send + CONTROL_AREA;
}

constexpr unsigned SEND_QUEUE_DEPTH = 4;

/* Action context tokens fit beside the queue bits in a pointer: 30 bits on
 * 32-bit builds. */
constexpr uintptr_t TOKEN_MASK = (UINTPTR_MAX >> 2) < UINT32_MAX ? (UINTPTR_MAX >> 2) : UINT32_MAX;

class session
{
public:
    static status create(const session_config &config, session **out);
    static void destroy(void *object);

    ws::role role() const { return role_; }

    /* Handshake (session_handshake.cpp).  Header arrays stay valid until the
     * next begin or the session is destroyed. */
    status begin_client_handshake(const char *const *subprotocols, uint32_t subprotocol_count,
            const char *const *extensions, uint32_t extension_count,
            const http_header *initial, uint32_t initial_count,
            http_header **additional, uint32_t *additional_count);
    status end_client_handshake(const http_header *response, uint32_t response_count,
            bool *has_subprotocol, uint32_t *subprotocol_index);
    status begin_server_handshake(const char *subprotocol,
            const char *const *extensions, uint32_t extension_count,
            const http_header *request, uint32_t request_count,
            http_header **response, uint32_t *response_count);
    status end_server_handshake();

    /* Data session (session_send.cpp, session_receive.cpp, session.cpp). */
    /* The exported functions' convention (callee_abi.h) down the data path:
     * only what calls a System V function (libc, a SIMD kernel) saves registers. */
    WS_EXPORT_CALLEE status send(buffer_type type, const data_buffer *buffer, void *context);
    WS_EXPORT_CALLEE status receive(const data_buffer *buffer, void *context);
    WS_EXPORT_CALLEE status get_action(unsigned queues, uint32_t capacity, action *out);
    void complete_action(void *action_context, uint32_t bytes);
    void abort();

private:
    enum class phase : uint8_t { created, handshake, open };
    enum class wire_owner : uint8_t { none, send_frame, pong };

    struct send_op
    {
        buffer_type type;
        bool done;              /* every byte handed out and completed, or cancelled */
        bool started;           /* the first piece was handed out */
        uint8_t opcode;
        bool fin;
        uint8_t prefix[2];      /* close status, big-endian */
        uint8_t prefix_length;
        const uint8_t *payload; /* the caller's bytes */
        uint32_t length;
        uint64_t handed_out;    /* frame bytes (header + prefix + payload) handed out */
        uint32_t header_length;
        uint8_t header[MAX_FRAME_HEADER];
        uint8_t mask_phase;
        data_buffer original;   /* returned with INDICATE_SEND_COMPLETE */
        void *context;
    };

    struct outstanding
    {
        action_type type;       /* none when the queue is free */
        uint32_t token;
        uint32_t offered;       /* bytes offered to the application */
    };

    session() = default;
    ~session();
    status setup(const session_config &config, uint8_t *arena);

    /* session.cpp */
    /* Never NULL, never a pointer: the queue in the low bits, a token of
     * the process-wide sequence above (session.cpp). */
    void *make_context(unsigned queue, outstanding &slot, action_type type, uint32_t offered)
    {
        uintptr_t token = tokens_left_ ? next_token_ & TOKEN_MASK : 0;
        if (!token)
            token = next_token_block();
        next_token_++;
        tokens_left_--;
        slot.type = type;
        slot.token = uint32_t(token);
        slot.offered = offered;
        return reinterpret_cast<void *>((token << 2) | queue);
    }
    WS_EXPORT_CALLEE uintptr_t next_token_block();
    bool is_open()
    {
        /* A server's first data call ends the handshake implicitly (after an
         * Abort too, so the drain works; an explicit End then fails). */
        if (phase_ == phase::handshake && role_ == role::server)
            phase_ = phase::open;
        return phase_ == phase::open;
    }

    /* session_send.cpp */
    WS_EXPORT_CALLEE bool next_send_action(uint32_t capacity, action *out);
    void complete_send(uint32_t bytes);
    WS_EXPORT_CALLEE void send_piece(send_op &op, uint32_t capacity, action *out);

    /* session_receive.cpp */
    WS_EXPORT_CALLEE status next_receive_action(uint32_t capacity, action *out);
    void complete_receive(uint32_t bytes);
    WS_EXPORT_CALLEE status parse(action *out, bool *produced);
    WS_EXPORT_CALLEE status take_control_frame(action *out, bool *produced);
    WS_EXPORT_CALLEE status take_data(action *out, bool *produced);
    WS_EXPORT_CALLEE void indicate(action *out, buffer_type type, uint8_t *data, uint32_t length, uint16_t status);
    WS_EXPORT_CALLEE void queue_pong(const uint8_t *payload, uint32_t length);
    WS_EXPORT_CALLEE void hand_out_pong(action *out);
    WS_EXPORT_CALLEE void fail(status error);

    /* session_handshake.cpp */
    void free_handshake_headers();

    ws::role role_;
    phase phase_;
    bool aborted_;
    bool disable_masking_;
    bool disable_utf8_;
    bool arena_owned_;
    uint8_t *arena_;
    uint8_t *receive_area_;
    uint32_t receive_size_;
    uint8_t *send_area_;
    uint32_t send_size_;
    uint8_t *control_area_;
    wire_owner wire_;
    random_pool random_;
    uintptr_t next_token_;      /* action contexts: a block of the process-wide sequence */
    uint32_t tokens_left_;

    /* Handshake. */
    char client_key_[25];
    char *handshake_block_;     /* headers returned by the last begin */
    uint32_t offered_subprotocols_;
    text_view *subprotocol_list_; /* the client's offer, kept for end */

    /* Receive side. */
    outstanding receive_action_;
    bool receive_pending_;
    bool receive_cancelled_;
    void *receive_context_;
    uint8_t *receive_user_buffer_;
    uint32_t receive_user_length_;
    uint32_t rx_begin_;
    uint32_t rx_end_;
    frame_decoder decoder_;
    bool header_done_;
    frame_header frame_;
    uint64_t payload_left_;
    uint8_t unmask_phase_;
    bool in_message_;
    bool message_text_;
    bool close_received_;
    utf8_validator utf8_;
    status receive_error_;
    bool pong_pending_;
    bool random_ok_;
    uint32_t pong_length_;

    /* Send side. */
    outstanding send_action_;
    send_op send_queue_[SEND_QUEUE_DEPTH];
    unsigned send_head_;
    unsigned send_count_;
    bool sending_fragments_;
    bool fragments_text_;
    bool close_sent_;
};

/* Completions are inline: CompleteAction is four of a message's ten calls,
 * and with nothing to call it runs without saving registers (callee_abi.h). */

inline void session::complete_action(void *action_context, uint32_t bytes)
{
    uintptr_t value = reinterpret_cast<uintptr_t>(action_context);
    unsigned queue = value & 3;
    uint32_t token = uint32_t(value >> 2);
    /* NULL, NO_ACTION's NULL, stale or foreign contexts match nothing. */
    if (queue == QUEUE_SEND && send_action_.type != action_type::none && send_action_.token == token)
        complete_send(bytes);
    else if (queue == QUEUE_RECEIVE && receive_action_.type != action_type::none
             && receive_action_.token == token)
        complete_receive(bytes);
}

inline void session::complete_send(uint32_t bytes)
{
    action_type type = send_action_.type;
    uint32_t offered = send_action_.offered;
    send_action_.type = action_type::none;
    if (type != action_type::send_to_network || !send_count_)
        return;

    send_op &op = send_queue_[send_head_];
    uint64_t total = uint64_t(op.header_length) + op.prefix_length + op.length;
    op.handed_out += offered;
    /* A short count cancels the rest of this send (documented). */
    if (bytes < offered || op.handed_out >= total)
    {
        op.done = true;
        wire_ = wire_owner::none;
    }
}

inline void session::complete_receive(uint32_t bytes)
{
    action_type type = receive_action_.type;
    uint32_t offered = receive_action_.offered;
    receive_action_.type = action_type::none;
    if (type == action_type::receive_from_network)
    {
        /* 0 cancels the receive (documented); never trust a count past the offer. */
        if (!bytes)
            receive_cancelled_ = true;
        else
            rx_end_ += bytes < offered ? bytes : offered;
    }
    else if (type == action_type::send_to_network)
    {
        /* The pong went out, or the application chose not to send it. */
        pong_pending_ = false;
        wire_ = wire_owner::none;
    }
}

} /* namespace ws */

#endif /* WEBSOCKET_SESSION_H */
