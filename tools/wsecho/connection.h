/*
 * wsecho: one WebSocket connection driven through websocket.dll
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

/* The only code of wsecho that calls the API.  It does what a real program
 * does: the HTTP upgrade written from the headers the DLL returns, then
 * WebSocketGetAction loops in which every network action is carried out on the
 * socket and completed with the bytes moved.  The receive queue (which also
 * hands out the DLL's answers to pings) and the send queue may be driven from
 * two threads at once; sends must be serialised by the caller. */

#ifndef WSECHO_CONNECTION_H
#define WSECHO_CONNECTION_H

#include <stdint.h>
#include <atomic>
#include <string>
#include <vector>

#include "http.h"
#include "platform.h"

namespace wsecho {

struct buffer_sizes
{
    uint32_t receive = 0;   /* 0: the DLL's default */
    uint32_t send = 0;
};

struct ws_url
{
    std::string host;       /* without brackets */
    uint16_t port = 80;
    std::string host_field; /* the Host header: host[:port] as written in the URL */
    std::string target;     /* path and query, at least "/" */
};

bool parse_ws_url(const std::string &text, ws_url *url, std::string *error);

enum class message_kind { text, binary, close, failed };

struct message
{
    message_kind kind = message_kind::failed;
    std::vector<uint8_t> data;
    uint16_t close_status = 0;
    std::string close_reason;
    bool protocol_error = false; /* the peer broke the protocol (GetAction failed) */
    bool too_big = false;        /* over the size limit given to receive_message */
    /* The status to fail the connection with, 0 for none: 1009 for too_big;
     * 1002 when GetAction says E_INVALID_PROTOCOL_OPERATION (frames out of
     * order); none for E_INVALID_PROTOCOL_FORMAT, which the DLL returns for
     * malformed frames (1002) and invalid UTF-8 (1007) alike: with no way to
     * tell which, sending none is right (RFC 6455 7.1.7) where a guess may
     * be wrong. */
    uint16_t fail_status = 0;
};

/* Handles this process created and deleted so far: a server that works
 * deletes every handle it creates. */
struct handle_counts
{
    uint64_t created;
    uint64_t deleted;
};
handle_counts handle_counts_now();

enum class request_result { ok, gone, refused };

class connection
{
public:
    connection(socket_t s, std::string pending = std::string());
    ~connection();
    connection(const connection &) = delete;
    connection &operator=(const connection &) = delete;

    /* Client: request the upgrade of url offering subprotocols; *selected gets
     * the one the server chose ("" for none). */
    bool client_handshake(const ws_url &url, const std::vector<std::string> &subprotocols,
            const buffer_sizes &sizes, std::string *selected);

    /* Server, first half: read the client's HTTP request, all of it within
     * timeout_ms (a peer that trickles it is dropped all the same).  gone: the
     * peer left or was too slow; refused: a bad request, answered 400. */
    request_result read_request(unsigned timeout_ms, http_head *head);
    /* Server, second half: answer the upgrade request: 101, or 400/426 for a
     * request the DLL refuses (false, the connection is done).  The
     * subprotocol chosen is the first the client offers that is in supported. */
    bool accept_upgrade(const http_head &head, const std::vector<std::string> &supported,
            const buffer_sizes &sizes, std::string *selected);

    /* One whole message (fragments reassembled), a close, or a failure.  Pings
     * are answered and pongs skipped on the way. */
    void receive_message(message *out, size_t max_size);

    /* Coalescing (off by default): while the thread that receives also
     * sends, as an echo does, small frames it sends wait to go out together
     * until it next waits for the peer; closes and other threads' sends go at
     * once.  Under Wine, where each socket call is a round trip to wineserver,
     * pipelined small messages then cost one send() a batch. */
    void set_coalescing(bool on) { coalesce_ = on; }

    /* Sends are serialised here, so any thread may send.  Once our close is
     * sent, messages are dropped (true: the peer reads no more data). */
    bool send_message(bool text, const uint8_t *data, size_t length);
    /* status 1005: a close frame without a body.  Only the first close is
     * sent; a later one returns true and sends nothing. */
    bool send_close(uint16_t status, const std::string &reason);
    bool close_sent() const { return close_sent_; }
    /* From another thread: send a close now if no send is under way, or else
     * as soon as the one under way ends.  Never waits for the peer. */
    void request_close(uint16_t status, const std::string &reason);

    /* Stop: the DLL is told to abort and the socket is shut, so a thread
     * blocked in a receive or a send wakes up.  Any thread may call it. */
    void abort();

    /* End TCP gracefully once the WebSocket is done: with fin_first our FIN
     * goes out at once (a server after the closing handshake, RFC 6455 7.1.1,
     * and either side failing the connection), without it a client waits for
     * the server's.  Either way what the peer still sends is read and dropped
     * until its FIN or wait_ms, so closing never turns unread bytes into a
     * reset that could destroy the close frame on its way. */
    void finish(bool fin_first, unsigned wait_ms);

    socket_t socket() const { return socket_; }

private:
    bool create_handle(bool server, const buffer_sizes &sizes);
    /* The DLL is told to abort and no more socket I/O is done for it. */
    void stop_io();
    bool receive_once(message *out, size_t max_size, uint32_t *type);
    bool run_send(uint32_t type, void *buffer, bool defer);
    bool send_close_locked(uint16_t status, const std::string &reason);
    void send_requested_close_locked();
    uint32_t fill(uint8_t *buffer, uint32_t length);
    uint32_t transmit(const void *buffers, uint32_t count, bool defer);
    /* Send what waits in the outbox. */
    void flush();
    /* A queue that has nothing to hand out before its operation ended waits
     * for the other queue to complete an action; see fetch_action. */
    int fetch_action(int queue, bool done, struct next_action *out);
    void completed_action();

    socket_t socket_;
    void *handle_ = nullptr;
    std::string pending_;   /* bytes read with the HTTP head, handed out first */
    size_t pending_used_ = 0;
    std::atomic<bool> broken_{ false }; /* the socket failed: no more I/O */
    bool coalesce_ = false;

    /* Read ahead (receiving thread only): inbox_[inbox_used_, inbox_end_). */
    bool read_ahead_ = false;
    std::vector<uint8_t> inbox_;
    size_t inbox_used_ = 0, inbox_end_ = 0;

    /* Frames sent and not yet written, under out_lock_. */
    lock *out_lock_;
    std::vector<uint8_t> outbox_;

    lock *send_lock_;
    std::atomic<bool> close_sent_{ false };
    std::atomic<bool> close_requested_{ false };
    uint16_t requested_status_ = 0;   /* set before close_requested_ */
    std::string requested_reason_;

    /* Actions completed on either queue, and threads waiting for one. */
    std::atomic<uint64_t> progress_{ 0 };
    std::atomic<unsigned> progress_waiters_{ 0 };
    lock *progress_lock_;
    condition *progress_changed_;
};

} /* namespace wsecho */

#endif /* WSECHO_CONNECTION_H */
