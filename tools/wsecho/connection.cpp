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

#include "connection.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "websocket.h"

#include "http.h"
#include "log.h"

namespace wsecho {

/* A queue that returns NO_ACTION before its operation finished is waiting for
 * the other thread (a frame on the wire must end before a pong may start):
 * it sleeps until an action is completed, for at most this long in all. */
constexpr unsigned WAIT_LIMIT_MS = 60000;

constexpr unsigned CLIENT_RESPONSE_TIMEOUT_MS = 30000;

constexpr size_t KEPT_BUFFER_BYTES = 256 * 1024;

/* Reading ahead: one recv() of up to this much serves many of the DLL's
 * RECEIVE_FROM_NETWORK actions.  The buffer starts at the first size and
 * doubles, up to the second, each time a read fills it: a peer that streams
 * large messages is read in fewer calls (under Wine, wsecho.exe echoes 64 KiB
 * messages about a third faster with 256 KiB reads than with 64 KiB), while a
 * connection of small messages keeps the small buffer. */
constexpr size_t READ_AHEAD_BYTES = 65536;
constexpr size_t READ_AHEAD_MAX_BYTES = 256 * 1024;
/* Coalescing: frames up to DEFER_MAX_BYTES (64 KiB of payload with the
 * largest header) wait in the outbox (at most OUTBOX_BYTES) for one send;
 * bigger ones go at once, with the outbox, in one gathering send. */
constexpr size_t DEFER_MAX_BYTES = 65536 + 14;
constexpr size_t OUTBOX_BYTES = 256 * 1024;

static std::atomic<uint64_t> handles_created{ 0 };
static std::atomic<uint64_t> handles_deleted{ 0 };

handle_counts handle_counts_now()
{
    /* Deleted first: a handle created in between cannot make the open count
     * look negative. */
    uint64_t deleted = handles_deleted.load();
    return { handles_created.load(), deleted };
}

static WEB_SOCKET_HANDLE as_handle(void *handle)
{
    return static_cast<WEB_SOCKET_HANDLE>(handle);
}

/* ---- names for the trace ---- */

static const char *action_name(WEB_SOCKET_ACTION action)
{
    switch (action)
    {
    case WEB_SOCKET_NO_ACTION: return "NO_ACTION";
    case WEB_SOCKET_SEND_TO_NETWORK_ACTION: return "SEND_TO_NETWORK";
    case WEB_SOCKET_INDICATE_SEND_COMPLETE_ACTION: return "INDICATE_SEND_COMPLETE";
    case WEB_SOCKET_RECEIVE_FROM_NETWORK_ACTION: return "RECEIVE_FROM_NETWORK";
    case WEB_SOCKET_INDICATE_RECEIVE_COMPLETE_ACTION: return "INDICATE_RECEIVE_COMPLETE";
    }
    return "unknown action";
}

static const char *type_name(uint32_t type)
{
    switch (type)
    {
    case WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE: return "UTF8_MESSAGE";
    case WEB_SOCKET_UTF8_FRAGMENT_BUFFER_TYPE: return "UTF8_FRAGMENT";
    case WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE: return "BINARY_MESSAGE";
    case WEB_SOCKET_BINARY_FRAGMENT_BUFFER_TYPE: return "BINARY_FRAGMENT";
    case WEB_SOCKET_CLOSE_BUFFER_TYPE: return "CLOSE";
    case WEB_SOCKET_PING_PONG_BUFFER_TYPE: return "PING_PONG";
    case WEB_SOCKET_UNSOLICITED_PONG_BUFFER_TYPE: return "UNSOLICITED_PONG";
    }
    return "-";
}

static void trace_action(const char *queue, WEB_SOCKET_ACTION action, uint32_t type,
        const WEB_SOCKET_BUFFER *buffers, ULONG count)
{
    if (!log_verbose())
        return;
    if (action == WEB_SOCKET_NO_ACTION)
    {
        trace("WebSocketGetAction(%s) -> NO_ACTION", queue);
        return;
    }
    if (action == WEB_SOCKET_INDICATE_RECEIVE_COMPLETE_ACTION && type == WEB_SOCKET_CLOSE_BUFFER_TYPE)
    {
        trace("WebSocketGetAction(%s) -> %s CLOSE, status %u, reason of %lu bytes", queue,
              action_name(action), unsigned(buffers[0].CloseStatus.usStatus),
              static_cast<unsigned long>(buffers[0].CloseStatus.ulReasonLength));
        return;
    }
    char sizes[64] = "";
    if (count >= 1)
        snprintf(sizes, sizeof(sizes), count >= 2 ? "%lu + %lu bytes" : "%lu bytes",
                 static_cast<unsigned long>(buffers[0].Data.ulBufferLength),
                 static_cast<unsigned long>(count >= 2 ? buffers[1].Data.ulBufferLength : 0));
    bool typed = action != WEB_SOCKET_RECEIVE_FROM_NETWORK_ACTION;
    trace("WebSocketGetAction(%s) -> %s%s%s, %lu buffer%s%s%s%s", queue, action_name(action),
          typed ? " " : "", typed ? type_name(type) : "", static_cast<unsigned long>(count),
          count == 1 ? "" : "s", count ? " (" : "", sizes, count ? ")" : "");
}

static void trace_head(const char *direction, const std::string &text)
{
    if (!log_verbose())
        return;
    size_t pos = 0;
    while (pos < text.size())
    {
        size_t end = text.find("\r\n", pos);
        if (end == std::string::npos || end == pos)
            break;
        trace("%s %s", direction, text.substr(pos, end - pos).c_str());
        pos = end + 2;
    }
}

static std::string head_text(const http_head &head)
{
    std::string text = head.start_line + "\r\n";
    for (const http_field &field : head.fields)
        text += field.name + ": " + field.value + "\r\n";
    return text;
}

static std::vector<WEB_SOCKET_HTTP_HEADER> api_headers(const http_head &head)
{
    std::vector<WEB_SOCKET_HTTP_HEADER> headers;
    for (const http_field &field : head.fields)
    {
        WEB_SOCKET_HTTP_HEADER header;
        header.pcName = const_cast<PCHAR>(field.name.data());
        header.ulNameLength = ULONG(field.name.size());
        header.pcValue = const_cast<PCHAR>(field.value.data());
        header.ulValueLength = ULONG(field.value.size());
        headers.push_back(header);
    }
    return headers;
}

static std::string header_line(const WEB_SOCKET_HTTP_HEADER &header)
{
    return std::string(header.pcName, header.ulNameLength) + ": "
         + std::string(header.pcValue, header.ulValueLength) + "\r\n";
}

/* ---- URL ---- */

bool parse_ws_url(const std::string &text, ws_url *url, std::string *error)
{
    std::string rest;
    if (text.compare(0, 5, "ws://") == 0)
        rest = text.substr(5);
    else if (text.compare(0, 6, "wss://") == 0)
    {
        *error = "wss:// (TLS) is not supported: use ws://";
        return false;
    }
    else
    {
        *error = "the URL must start with ws://";
        return false;
    }
    size_t slash = rest.find_first_of("/?#");
    std::string authority = rest.substr(0, slash);
    url->target = slash == std::string::npos ? "/" : rest.substr(slash);
    size_t hash = url->target.find('#');
    if (hash != std::string::npos)
        url->target.erase(hash);
    if (url->target.empty() || url->target[0] != '/')
        url->target = "/" + url->target;
    if (authority.find('@') != std::string::npos)
    {
        *error = "user information in the URL is not supported";
        return false;
    }
    std::string port;
    if (!authority.empty() && authority[0] == '[')
    {
        size_t close = authority.find(']');
        if (close == std::string::npos)
        {
            *error = "unterminated [IPv6 address] in the URL";
            return false;
        }
        url->host = authority.substr(1, close - 1);
        if (close + 1 < authority.size())
        {
            if (authority[close + 1] != ':')
            {
                *error = "bad port in the URL";
                return false;
            }
            port = authority.substr(close + 2);
        }
    }
    else
    {
        size_t colon = authority.rfind(':');
        url->host = authority.substr(0, colon);
        if (colon != std::string::npos)
            port = authority.substr(colon + 1);
    }
    if (url->host.empty())
    {
        *error = "no host in the URL";
        return false;
    }
    url->port = 80;
    if (!port.empty())
    {
        char *end = nullptr;
        unsigned long value = strtoul(port.c_str(), &end, 10);
        if (*end || !value || value > 65535)
        {
            *error = "bad port in the URL";
            return false;
        }
        url->port = uint16_t(value);
    }
    url->host_field = authority;
    return true;
}

/* ---- the connection ---- */

connection::connection(socket_t s, std::string pending)
    : socket_(s), pending_(std::move(pending)), out_lock_(lock_create()), send_lock_(lock_create()),
      progress_lock_(lock_create()), progress_changed_(condition_create())
{
}

connection::~connection()
{
    if (handle_)
    {
        trace("WebSocketDeleteHandle");
        WebSocketDeleteHandle(as_handle(handle_));
        handles_deleted++;
    }
    net_close(socket_);
    condition_destroy(progress_changed_);
    lock_destroy(progress_lock_);
    lock_destroy(send_lock_);
    lock_destroy(out_lock_);
}

bool connection::create_handle(bool server, const buffer_sizes &sizes)
{
    WEB_SOCKET_PROPERTY properties[2];
    ULONG count = 0;
    ULONG receive = sizes.receive, send = sizes.send;
    if (receive)
        properties[count++] = { WEB_SOCKET_RECEIVE_BUFFER_SIZE_PROPERTY_TYPE, &receive, sizeof(receive) };
    if (send)
        properties[count++] = { WEB_SOCKET_SEND_BUFFER_SIZE_PROPERTY_TYPE, &send, sizeof(send) };
    WEB_SOCKET_HANDLE handle = nullptr;
    const char *function = server ? "WebSocketCreateServerHandle" : "WebSocketCreateClientHandle";
    HRESULT hr = server ? WebSocketCreateServerHandle(count ? properties : nullptr, count, &handle)
                        : WebSocketCreateClientHandle(count ? properties : nullptr, count, &handle);
    trace("%s(%lu properties) -> 0x%08X", function, static_cast<unsigned long>(count), unsigned(hr));
    if (FAILED(hr))
    {
        report_failure(function, uint32_t(hr));
        return false;
    }
    handle_ = handle;
    handles_created++;
    return true;
}

bool connection::client_handshake(const ws_url &url, const std::vector<std::string> &subprotocols,
        const buffer_sizes &sizes, std::string *selected)
{
    if (!create_handle(false, sizes))
        return false;

    std::vector<PCSTR> offers;
    for (const std::string &name : subprotocols)
        offers.push_back(name.c_str());
    static const char host_name[] = "Host";
    WEB_SOCKET_HTTP_HEADER host = { const_cast<PCHAR>(host_name), ULONG(sizeof(host_name) - 1),
                                    const_cast<PCHAR>(url.host_field.data()),
                                    ULONG(url.host_field.size()) };
    PWEB_SOCKET_HTTP_HEADER additional = nullptr;
    ULONG additional_count = 0;
    HRESULT hr = WebSocketBeginClientHandshake(as_handle(handle_),
            offers.empty() ? nullptr : offers.data(), ULONG(offers.size()), nullptr, 0,
            &host, 1, &additional, &additional_count);
    trace("WebSocketBeginClientHandshake(%lu subprotocols, Host) -> 0x%08X, %lu headers",
          static_cast<unsigned long>(offers.size()), unsigned(hr),
          static_cast<unsigned long>(additional_count));
    if (FAILED(hr))
    {
        report_failure("WebSocketBeginClientHandshake", uint32_t(hr));
        return false;
    }

    /* Our own headers first, unless the DLL returns one of the same name: its
     * value replaces ours (BeginClientHandshake's documented rule). */
    std::string request = "GET " + url.target + " HTTP/1.1\r\n";
    bool host_replaced = false;
    for (ULONG i = 0; i < additional_count; i++)
        if (http_same_name(std::string(additional[i].pcName, additional[i].ulNameLength), "Host"))
            host_replaced = true;
    if (!host_replaced)
        request += header_line(host);
    for (ULONG i = 0; i < additional_count; i++)
        request += header_line(additional[i]);
    request += "User-Agent: wsecho\r\n\r\n";
    trace_head(">", request);
    if (!net_send_all(socket_, request.data(), request.size(), nullptr))
    {
        note("sending the HTTP request failed: %s", net_error().c_str());
        return false;
    }

    http_head head;
    std::string error;
    /* A server that accepted but does not answer must not hold the client. */
    http_read_result result = http_read_head(socket_, &head, &pending_, &error, CLIENT_RESPONSE_TIMEOUT_MS);
    if (result != http_read_result::ok)
    {
        note("reading the HTTP response failed: %s", error.c_str());
        return false;
    }
    trace_head("<", head_text(head));
    int code = 0;
    if (!http_parse_status_line(head.start_line, &code))
    {
        note("malformed HTTP status line: \"%s\"", head.start_line.c_str());
        return false;
    }
    if (code != 101)
    {
        note("the server refused the upgrade: \"%s\"", head.start_line.c_str());
        return false;
    }

    std::vector<WEB_SOCKET_HTTP_HEADER> headers = api_headers(head);
    ULONG chosen = ULONG(-1);
    hr = WebSocketEndClientHandshake(as_handle(handle_), headers.data(), ULONG(headers.size()),
            nullptr, nullptr, &chosen);
    trace("WebSocketEndClientHandshake(%lu headers) -> 0x%08X", static_cast<unsigned long>(headers.size()),
          unsigned(hr));
    if (FAILED(hr))
    {
        report_failure("WebSocketEndClientHandshake", uint32_t(hr));
        return false;
    }
    *selected = chosen < subprotocols.size() ? subprotocols[chosen] : std::string();
    return true;
}

request_result connection::read_request(unsigned timeout_ms, http_head *head)
{
    std::string error;
    http_read_result result = http_read_head(socket_, head, &pending_, &error, timeout_ms);
    if (result == http_read_result::network_error || result == http_read_result::closed)
    {
        note("no request: %s", error.c_str());
        return request_result::gone;
    }
    if (result != http_read_result::ok)
    {
        note("bad request: %s", error.c_str());
        http_send_error(socket_, 400, "Bad Request", {});
        return request_result::refused;
    }
    trace_head("<", head_text(*head));
    return request_result::ok;
}

bool connection::accept_upgrade(const http_head &head, const std::vector<std::string> &supported,
        const buffer_sizes &sizes, std::string *selected)
{
    std::string method, target, version;
    if (!http_parse_request_line(head.start_line, &method, &target, &version)
            || method != "GET" || version != "HTTP/1.1")
    {
        note("bad request: \"%s\" (a WebSocket upgrade is GET ... HTTP/1.1)", head.start_line.c_str());
        http_send_error(socket_, 400, "Bad Request", {});
        return false;
    }

    /* The client's order is its preference; take the first one we speak. */
    selected->clear();
    for (const std::string &offer : http_list(head, "Sec-WebSocket-Protocol"))
    {
        for (const std::string &name : supported)
            if (offer == name)
                *selected = name;
        if (!selected->empty())
            break;
    }

    if (!create_handle(true, sizes))
    {
        http_send_error(socket_, 500, "Internal Server Error", {});
        return false;
    }
    std::vector<WEB_SOCKET_HTTP_HEADER> headers = api_headers(head);
    PWEB_SOCKET_HTTP_HEADER response = nullptr;
    ULONG response_count = 0;
    HRESULT hr = WebSocketBeginServerHandshake(as_handle(handle_),
            selected->empty() ? nullptr : selected->c_str(), nullptr, 0,
            headers.data(), ULONG(headers.size()), &response, &response_count);
    trace("WebSocketBeginServerHandshake(subprotocol %s, %lu headers) -> 0x%08X, %lu headers",
          selected->empty() ? "none" : selected->c_str(), static_cast<unsigned long>(headers.size()),
          unsigned(hr), static_cast<unsigned long>(response_count));
    if (FAILED(hr))
    {
        report_failure("WebSocketBeginServerHandshake", uint32_t(hr));
        if (uint32_t(hr) == uint32_t(E_PROTOCOL_VERSION_NOT_SUPPORTED))
            http_send_error(socket_, 426, "Upgrade Required", { { "Sec-WebSocket-Version", "13" } });
        else
            http_send_error(socket_, 400, "Bad Request", {});
        return false;
    }

    std::string text = "HTTP/1.1 101 Switching Protocols\r\n";
    for (ULONG i = 0; i < response_count; i++)
        text += header_line(response[i]);
    text += "\r\n";
    trace_head(">", text);
    if (!net_send_all(socket_, text.data(), text.size(), nullptr))
    {
        note("sending the HTTP response failed: %s", net_error().c_str());
        return false;
    }

    hr = WebSocketEndServerHandshake(as_handle(handle_));
    trace("WebSocketEndServerHandshake -> 0x%08X", unsigned(hr));
    if (FAILED(hr))
    {
        report_failure("WebSocketEndServerHandshake", uint32_t(hr));
        return false;
    }
    return true;
}

/* ---- network I/O for the actions ---- */

uint32_t connection::fill(uint8_t *buffer, uint32_t length)
{
    /* What came with the HTTP head goes first, as if read now; then what a
     * read ahead brought. */
    if (pending_used_ < pending_.size())
    {
        size_t n = pending_.size() - pending_used_;
        if (n > length)
            n = length;
        memcpy(buffer, pending_.data() + pending_used_, n);
        pending_used_ += n;
        trace("%lu bytes read with the HTTP head", static_cast<unsigned long>(n));
        return uint32_t(n);
    }
    if (inbox_used_ < inbox_end_)
    {
        size_t n = inbox_end_ - inbox_used_;
        if (n > length)
            n = length;
        memcpy(buffer, inbox_.data() + inbox_used_, n);
        inbox_used_ += n;
        return uint32_t(n);
    }
    /* About to wait for the peer: what we owe it goes first. */
    flush();
    if (broken_)
        return 0;
    /* Once a read filled the DLL's buffer, more than it holds is coming:
     * read into our own larger one, one call for many of the DLL's. */
    bool ahead = read_ahead_ && length < READ_AHEAD_BYTES;
    if (ahead && inbox_.empty())
        inbox_.resize(READ_AHEAD_BYTES);
    else if (ahead && inbox_end_ == inbox_.size() && inbox_.size() < READ_AHEAD_MAX_BYTES)
        inbox_.resize(inbox_.size() * 2);  /* the last read filled it: more is coming */
    long n = ahead ? net_recv(socket_, inbox_.data(), inbox_.size()) : net_recv(socket_, buffer, length);
    if (n < 0)
    {
        note("recv failed: %s", net_error().c_str());
        return 0;
    }
    trace(n ? "recv: %ld bytes" : "recv: end of stream (%ld bytes)", n);
    if (!ahead)
    {
        read_ahead_ = read_ahead_ || uint32_t(n) == length;
        return uint32_t(n);
    }
    inbox_used_ = 0;
    inbox_end_ = size_t(n);
    return n ? fill(buffer, length) : 0;
}

uint32_t connection::transmit(const void *buffer_array, uint32_t count, bool defer)
{
    const WEB_SOCKET_BUFFER *buffers = static_cast<const WEB_SOCKET_BUFFER *>(buffer_array);
    net_piece pieces[3];
    size_t n = 0, total = 0;
    lock_acquire(out_lock_);
    size_t queued = outbox_.size();
    if (queued)
        pieces[n++] = { outbox_.data(), queued };
    for (uint32_t i = 0; i < count && i < 2; i++)
    {
        pieces[n++] = { buffers[i].Data.pbBuffer, buffers[i].Data.ulBufferLength };
        total += buffers[i].Data.ulBufferLength;
    }
    uint32_t done = 0;
    if (broken_)
        done = 0;
    else if (defer && total <= DEFER_MAX_BYTES && queued + total <= OUTBOX_BYTES)
    {
        /* Small and more input at hand: it goes with what follows, in one
         * send when the receive side next waits (fill) or the box is full. */
        for (size_t i = queued ? 1 : 0; i < n; i++)
        {
            const uint8_t *data = static_cast<const uint8_t *>(pieces[i].data);
            outbox_.insert(outbox_.end(), data, data + pieces[i].length);
        }
        done = uint32_t(total);
    }
    else
    {
        size_t sent = 0;
        bool ok = net_send_all_pieces(socket_, pieces, n, &sent);
        outbox_.clear();
        done = sent > queued ? uint32_t(sent - queued) : 0;
        if (!ok)
        {
            note("send failed: %s", net_error().c_str());
            broken_ = true;
        }
        trace("send: %lu bytes", static_cast<unsigned long>(sent));
    }
    lock_release(out_lock_);
    return done;
}

void connection::flush()
{
    lock_acquire(out_lock_);
    if (!outbox_.empty() && !broken_)
    {
        if (!net_send_all(socket_, outbox_.data(), outbox_.size(), nullptr))
        {
            note("send failed: %s", net_error().c_str());
            broken_ = true;
        }
        trace("send: %lu bytes", static_cast<unsigned long>(outbox_.size()));
    }
    outbox_.clear();
    lock_release(out_lock_);
}

void connection::stop_io()
{
    if (handle_)
    {
        trace("WebSocketAbortHandle");
        WebSocketAbortHandle(as_handle(handle_));
    }
    broken_ = true;
    completed_action();  /* a queue waiting for the other looks again */
}

void connection::abort()
{
    stop_io();
    net_shutdown(socket_);
}

void connection::finish(bool fin_first, unsigned wait_ms)
{
    flush();  /* echoes sent before a failure still go, ahead of our FIN */
    stop_io();
    if (fin_first)
        net_shutdown_send(socket_);
    net_set_receive_timeout(socket_, wait_ms);
    uint8_t sink[4096];
    long n = -1;
    /* Bounded: a peer that keeps sending is cut off after 256 reads. */
    for (int reads = 0; reads < 256 && (n = net_recv(socket_, sink, sizeof(sink))) > 0; reads++)
        trace("after the close: %ld bytes dropped", n);
    trace(n == 0 ? "the peer ended the connection" : "no end from the peer in time");
}

/* ---- receiving ---- */

/* One action fetched from a queue. */
struct next_action
{
    WEB_SOCKET_BUFFER buffers[2];
    ULONG count;
    WEB_SOCKET_ACTION action;
    WEB_SOCKET_BUFFER_TYPE type;
    PVOID context;
    HRESULT error;  /* of a failed GetAction */
};

enum fetch_result { FETCHED_ACTION, FETCHED_DONE, GET_ACTION_FAILED, STALLED };

/* Called after every CompleteAction.  The lock is taken only when a thread
 * waits: with seq_cst on both counters, either the waiter sees the new
 * progress before it sleeps or this sees the waiter and wakes it under the
 * lock it sleeps with, so no wake-up is lost. */
void connection::completed_action()
{
    progress_++;
    if (progress_waiters_.load() == 0)
        return;
    lock_acquire(progress_lock_);
    condition_wake_all(progress_changed_);
    lock_release(progress_lock_);
}

/* The queue's next action.  NO_ACTION ends the operation once it is done;
 * before that the other queue holds the wire (a pong, or a frame in pieces),
 * so sleep until that queue completes an action and ask again. */
int connection::fetch_action(int queue_value, bool done, next_action *out)
{
    WEB_SOCKET_ACTION_QUEUE queue = WEB_SOCKET_ACTION_QUEUE(queue_value);
    const char *name = queue == WEB_SOCKET_SEND_ACTION_QUEUE ? "send" : "receive";
    uint64_t give_up = 0;
    for (;;)
    {
        uint64_t seen = progress_.load();
        memset(out->buffers, 0, sizeof(out->buffers));
        out->count = 2;
        out->action = WEB_SOCKET_NO_ACTION;
        out->type = WEB_SOCKET_BUFFER_TYPE(0);
        out->context = nullptr;
        PVOID application_context = nullptr;
        HRESULT hr = WebSocketGetAction(as_handle(handle_), queue, out->buffers, &out->count, &out->action,
                                        &out->type, &application_context, &out->context);
        if (FAILED(hr))
        {
            report_failure("WebSocketGetAction", uint32_t(hr));
            out->error = hr;
            return GET_ACTION_FAILED;
        }
        if (out->action != WEB_SOCKET_NO_ACTION)
        {
            trace_action(name, out->action, out->type, out->buffers, out->count);
            return FETCHED_ACTION;
        }
        if (done)
        {
            trace("WebSocketGetAction(%s) -> NO_ACTION: the %s is done", name, name);
            return FETCHED_DONE;
        }
        uint64_t now = clock_ms();
        if (!give_up)
        {
            trace("WebSocketGetAction(%s) -> NO_ACTION: waiting for the other queue", name);
            give_up = now + WAIT_LIMIT_MS;
        }
        if (now >= give_up)
        {
            note("the %s queue made no progress for %u s", name, WAIT_LIMIT_MS / 1000);
            return STALLED;
        }
        progress_waiters_++;
        lock_acquire(progress_lock_);
        if (progress_.load() == seen && !broken_)
            condition_wait(progress_changed_, progress_lock_, unsigned(give_up - now));
        lock_release(progress_lock_);
        progress_waiters_--;
    }
}

bool connection::receive_once(message *out, size_t max_size, uint32_t *type)
{
    HRESULT hr = WebSocketReceive(as_handle(handle_), nullptr, nullptr);
    trace("WebSocketReceive -> 0x%08X", unsigned(hr));
    if (FAILED(hr))
    {
        report_failure("WebSocketReceive", uint32_t(hr));
        return false;
    }
    bool indicated = false;
    for (;;)
    {
        next_action next;
        int fetched = fetch_action(WEB_SOCKET_RECEIVE_ACTION_QUEUE, indicated, &next);
        if (fetched == GET_ACTION_FAILED)
        {
            out->protocol_error = true;
            if (next.error == E_INVALID_PROTOCOL_OPERATION)
                out->fail_status = WEB_SOCKET_PROTOCOL_ERROR_CLOSE_STATUS;
        }
        if (fetched != FETCHED_ACTION)
            return fetched == FETCHED_DONE;
        WEB_SOCKET_BUFFER *buffers = next.buffers;
        ULONG count = next.count;
        WEB_SOCKET_ACTION action = next.action;
        WEB_SOCKET_BUFFER_TYPE buffer_type = next.type;
        PVOID action_context = next.context;
        ULONG bytes = 0;
        switch (action)
        {
        case WEB_SOCKET_RECEIVE_FROM_NETWORK_ACTION:
            /* Whatever one read brings; 0 (end of stream) cancels the receive. */
            bytes = fill(buffers[0].Data.pbBuffer, buffers[0].Data.ulBufferLength);
            break;
        case WEB_SOCKET_SEND_TO_NETWORK_ACTION:
            /* The DLL's pong for a ping it received. */
            bytes = transmit(buffers, count, coalesce_);
            break;
        case WEB_SOCKET_INDICATE_RECEIVE_COMPLETE_ACTION:
            indicated = true;
            *type = buffer_type;
            if (buffer_type == WEB_SOCKET_CLOSE_BUFFER_TYPE)
            {
                out->close_status = buffers[0].CloseStatus.usStatus;
                out->close_reason.assign(reinterpret_cast<const char *>(buffers[0].CloseStatus.pbReason),
                                         buffers[0].CloseStatus.pbReason ? buffers[0].CloseStatus.ulReasonLength : 0);
            }
            else if (buffer_type != WEB_SOCKET_PING_PONG_BUFFER_TYPE
                     && buffer_type != WEB_SOCKET_UNSOLICITED_PONG_BUFFER_TYPE && count >= 1)
            {
                /* The data lives in the DLL's receive area until CompleteAction: copy it now. */
                const uint8_t *data = buffers[0].Data.pbBuffer;
                size_t length = buffers[0].Data.ulBufferLength;
                if (out->data.size() + length > max_size)
                    out->too_big = true;
                else if (length)
                    out->data.insert(out->data.end(), data, data + length);
            }
            break;
        default:
            break;
        }
        trace("WebSocketCompleteAction(%lu)", static_cast<unsigned long>(bytes));
        WebSocketCompleteAction(as_handle(handle_), action_context, bytes);
        completed_action();
    }
}

void connection::receive_message(message *out, size_t max_size)
{
    /* A small message's buffer serves the next one; a big one's goes back. */
    std::vector<uint8_t> data;
    if (out->data.capacity() <= KEPT_BUFFER_BYTES)
        data.swap(out->data);
    data.clear();
    *out = message();
    out->data.swap(data);
    for (;;)
    {
        uint32_t type = 0;
        if (!receive_once(out, max_size, &type))
        {
            out->kind = message_kind::failed;
            return;
        }
        switch (type)
        {
        case WEB_SOCKET_UTF8_FRAGMENT_BUFFER_TYPE:
        case WEB_SOCKET_BINARY_FRAGMENT_BUFFER_TYPE:
            break;  /* more of the same message follows */
        case WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE:
        case WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE:
            out->kind = type == WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE ? message_kind::text : message_kind::binary;
            if (out->too_big)
            {
                note("message over %lu bytes", static_cast<unsigned long>(max_size));
                out->fail_status = WEB_SOCKET_MESSAGE_TOO_BIG_CLOSE_STATUS;
                out->kind = message_kind::failed;
            }
            return;
        case WEB_SOCKET_CLOSE_BUFFER_TYPE:
            out->kind = message_kind::close;
            out->data.clear();
            return;
        case WEB_SOCKET_PING_PONG_BUFFER_TYPE:
            trace("pong received");
            break;
        case WEB_SOCKET_UNSOLICITED_PONG_BUFFER_TYPE:
            trace("unsolicited pong received");
            break;
        default:
            note("unexpected buffer type 0x%08X", unsigned(type));
            out->kind = message_kind::failed;
            return;
        }
    }
}

/* ---- sending ---- */

bool connection::run_send(uint32_t type, void *buffer, bool defer)
{
    HRESULT hr = WebSocketSend(as_handle(handle_), WEB_SOCKET_BUFFER_TYPE(type),
                               static_cast<WEB_SOCKET_BUFFER *>(buffer), nullptr);
    trace("WebSocketSend(%s) -> 0x%08X", type_name(type), unsigned(hr));
    if (FAILED(hr))
    {
        report_failure("WebSocketSend", uint32_t(hr));
        return false;
    }
    bool completed = false;
    for (;;)
    {
        next_action next;
        int fetched = fetch_action(WEB_SOCKET_SEND_ACTION_QUEUE, completed, &next);
        if (fetched != FETCHED_ACTION)
            return fetched == FETCHED_DONE && !broken_;
        ULONG bytes = 0;
        if (next.action == WEB_SOCKET_SEND_TO_NETWORK_ACTION)
            bytes = transmit(next.buffers, next.count, defer);  /* fewer than offered cancels the send */
        else if (next.action == WEB_SOCKET_INDICATE_SEND_COMPLETE_ACTION)
            completed = true;
        trace("WebSocketCompleteAction(%lu)", static_cast<unsigned long>(bytes));
        WebSocketCompleteAction(as_handle(handle_), next.context, bytes);
        completed_action();
    }
}
bool connection::send_message(bool text, const uint8_t *data, size_t length)
{
    static BYTE empty;
    if (length > 0xffffffffu)
    {
        note("message too large for one WebSocketSend");
        return false;
    }
    WEB_SOCKET_BUFFER buffer;
    buffer.Data.pbBuffer = data ? const_cast<PBYTE>(data) : &empty;
    buffer.Data.ulBufferLength = ULONG(length);
    lock_acquire(send_lock_);
    bool ok = close_sent_ || run_send(text ? WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE : WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE,
                                      &buffer, coalesce_);
    lock_release(send_lock_);
    /* request_close found this send under way: its close goes now. */
    if (close_requested_ && !close_sent_)
    {
        lock_acquire(send_lock_);
        send_requested_close_locked();
        lock_release(send_lock_);
    }
    return ok;
}

bool connection::send_close_locked(uint16_t status, const std::string &reason)
{
    if (close_sent_)
        return true;
    close_sent_ = true;
    if (status == WEB_SOCKET_EMPTY_CLOSE_STATUS)
        return run_send(WEB_SOCKET_CLOSE_BUFFER_TYPE, nullptr, false);
    WEB_SOCKET_BUFFER buffer;
    buffer.CloseStatus.pbReason = reason.empty() ? nullptr : reinterpret_cast<PBYTE>(const_cast<char *>(reason.data()));
    buffer.CloseStatus.ulReasonLength = ULONG(reason.size());
    buffer.CloseStatus.usStatus = status;
    return run_send(WEB_SOCKET_CLOSE_BUFFER_TYPE, &buffer, false);
}

bool connection::send_close(uint16_t status, const std::string &reason)
{
    lock_acquire(send_lock_);
    bool ok = send_close_locked(status, reason);
    lock_release(send_lock_);
    return ok;
}

void connection::send_requested_close_locked()
{
    if (close_sent_ || broken_)
        return;
    note("sending close: %u \"%s\"", unsigned(requested_status_), requested_reason_.c_str());
    if (!send_close_locked(requested_status_, requested_reason_))
        abort();
}

void connection::request_close(uint16_t status, const std::string &reason)
{
    requested_status_ = status;
    requested_reason_ = reason;
    /* Set before looking at the lock: a sender holding it looks at the flag
     * after it lets go (send_message), so one of the two sends the close. */
    close_requested_ = true;
    if (!lock_try_acquire(send_lock_))
        return;
    send_requested_close_locked();
    lock_release(send_lock_);
}

} /* namespace wsecho */
