/*
 * API benchmark peer: Boost.Beast's websocket::stream
 *
 * Copyright 2026 The websocket.dll authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Two websocket::stream objects over an in-memory byte stream, one per
 * direction's "socket".  The opening handshake runs once on two threads
 * (each side blocks for the other's bytes); every message after that is
 * single-threaded: the client's write() (default options: masking with its
 * own key generator, 4 KiB auto-fragmentation) fills the socket, the
 * server's read() parses, unmasks, checks UTF-8 for text and assembles the
 * message in a flat_buffer kept across messages. */

#include <condition_variable>
#include <mutex>
#include <string.h>
#include <thread>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>

#include "bench_common.h"

namespace bench {
namespace {

namespace net = boost::asio;
namespace websocket = boost::beast::websocket;
using boost::system::error_code;

struct byte_queue
{
    std::mutex lock;
    std::condition_variable filled;
    std::vector<uint8_t> data;
    size_t head = 0;
    bool blocking = true;
};

/* A synchronous stream reading one queue and writing the other. */
class memory_stream
{
public:
    using executor_type = net::io_context::executor_type;

    memory_stream(net::io_context &context, byte_queue *in, byte_queue *out)
        : context_(&context), in_(in), out_(out) {}
    executor_type get_executor() { return context_->get_executor(); }

    template <class Buffers>
    size_t read_some(const Buffers &buffers, error_code &ec)
    {
        std::unique_lock<std::mutex> hold(in_->lock, std::defer_lock);
        if (in_->blocking)
        {
            hold.lock();
            in_->filled.wait(hold, [this] { return in_->head < in_->data.size(); });
        }
        size_t total = 0;
        for (auto it = net::buffer_sequence_begin(buffers); it != net::buffer_sequence_end(buffers); ++it)
        {
            net::mutable_buffer b = *it;
            size_t n = std::min(b.size(), in_->data.size() - in_->head);
            memcpy(b.data(), in_->data.data() + in_->head, n);
            in_->head += n;
            total += n;
        }
        if (in_->head == in_->data.size())
        {
            in_->data.clear();
            in_->head = 0;
        }
        ec = total || !net::buffer_size(buffers) ? error_code() : error_code(net::error::eof);
        return total;
    }
    template <class Buffers>
    size_t read_some(const Buffers &buffers)
    {
        error_code ec;
        return read_some(buffers, ec);
    }

    template <class Buffers>
    size_t write_some(const Buffers &buffers, error_code &ec)
    {
        std::unique_lock<std::mutex> hold(out_->lock, std::defer_lock);
        if (out_->blocking)
            hold.lock();
        size_t total = 0;
        for (auto it = net::buffer_sequence_begin(buffers); it != net::buffer_sequence_end(buffers); ++it)
        {
            net::const_buffer b = *it;
            const uint8_t *p = static_cast<const uint8_t *>(b.data());
            out_->data.insert(out_->data.end(), p, p + b.size());
            total += b.size();
        }
        if (out_->blocking)
            out_->filled.notify_all();
        ec = error_code();
        return total;
    }
    template <class Buffers>
    size_t write_some(const Buffers &buffers)
    {
        error_code ec;
        return write_some(buffers, ec);
    }

private:
    net::io_context *context_;
    byte_queue *in_, *out_;
};

/* Found by argument-dependent lookup when a stream must shut its socket. */
void teardown(boost::beast::role_type, memory_stream &, error_code &ec)
{
    ec = error_code();
}

struct state
{
    net::io_context context;
    byte_queue to_server, to_client;
    websocket::stream<memory_stream> client{ memory_stream(context, &to_client, &to_server) };
    websocket::stream<memory_stream> server{ memory_stream(context, &to_server, &to_client) };
    boost::beast::flat_buffer message;
};

state *s;

bool prepare(const message_set &set)
{
    s = new state;
    error_code server_ec;
    std::thread server_side([&] { s->server.accept(server_ec); });
    error_code client_ec;
    s->client.handshake("localhost", "/", client_ec);
    server_side.join();
    if (client_ec || server_ec)
        return false;
    s->to_server.blocking = s->to_client.blocking = false;
    s->to_server.data.reserve(set.size + set.size / 256 + 64);
    s->server.read_message_max(set.size + 1);
    s->message.reserve(set.size);
    s->client.binary(!set.text);
    return true;
}

size_t c2s(const message_set &set)
{
    size_t total = 0;
    for (size_t m = 0; m < set.count; m++)
    {
        error_code ec;
        s->client.write(net::buffer(set.src + m * set.size, set.size), ec);
        if (ec)
            return 0;
        size_t n = s->server.read(s->message, ec);
        if (ec || n != set.size || s->server.got_text() != set.text)
            return 0;
        total += s->message.size();
        s->message.consume(s->message.size());
    }
    return total;
}

void release()
{
    delete s;
    s = nullptr;
}

} /* namespace */

extern const peer beast_peer = { "beast", true, prepare, c2s, release };

} /* namespace bench */
