/*
 * wsecho: the echo server: many connections at once, limits, statistics, shutdown
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

#include "server.h"

#include <stdio.h>
#include <atomic>
#include <string>
#include <vector>

#include "http.h"
#include "log.h"
#include "platform.h"

namespace wsecho {

/* After a stop request: how long peers have to answer our 1001 close, and
 * then how long aborted connections have to end. */
constexpr unsigned CLOSE_GRACE_MS = 3000;
constexpr unsigned ABORT_GRACE_MS = 5000;
/* Sends to a peer during shutdown wait no longer than this. */
constexpr unsigned SHUTDOWN_SEND_TIMEOUT_MS = 1000;
/* RFC 6455 7.4.1: the endpoint is going away. */
constexpr uint16_t CLOSE_GOING_AWAY = 1001;

/* How a connection ended. */
enum class ending { clean, abnormal, refused };

struct server_state;

/* One per connection thread, on the server's list while the thread runs. */
struct live_connection
{
    server_state *server;
    socket_t socket;
    std::string peer;
    unsigned id;
    connection *c = nullptr;  /* under the server's lock: set while it exists */
    bool upgraded = false;    /* under the lock: c has a handle, so it may be closed */
    unsigned holds = 0;       /* under the lock: the stopping thread uses c */
    live_connection *next = nullptr;
};

struct server_state
{
    const server_options *options;
    lock *lock_;
    condition *changed;       /* a connection ended, or a hold was let go */
    live_connection *live = nullptr;
    unsigned long live_count = 0;
    /* Counters, under the lock. */
    unsigned long accepted = 0, rejected = 0, upgraded = 0, ended_cleanly = 0, ended_abnormally = 0,
                  handshakes_refused = 0, stats_served = 0;
    std::atomic<bool> stopping{ false };
    std::string wake_host;    /* where to connect to wake the accept loop */
    uint16_t port = 0;
};

static server_state *the_server;

/* On the stop-request thread: the accept loop wakes up to a connection of
 * our own, sees `stopping` and leaves.  A connection works on every platform
 * alike, where waking a blocked accept() otherwise differs. */
static void stop_requested()
{
    server_state *s = the_server;
    note("stop requested: closing every connection with 1001");
    s->stopping = true;
    std::string error;
    socket_t wake = net_connect(s->wake_host.c_str(), s->port, &error);
    if (wake == NO_SOCKET)
        note("cannot wake the accept loop: %s", error.c_str());
    net_close(wake);
}

static std::string stats_json(server_state *s)
{
    handle_counts handles = handle_counts_now();
    unsigned long long rss = process_rss(), heap = heap_in_use();
    char text[512];
    lock_acquire(s->lock_);
    snprintf(text, sizeof(text),
             "{\"connections\": %lu, \"accepted\": %lu, \"rejected\": %lu, \"upgraded\": %lu, "
             "\"ended_cleanly\": %lu, \"ended_abnormally\": %lu, \"handshakes_refused\": %lu, "
             "\"stats_served\": %lu, "
             "\"handles_created\": %llu, \"handles_deleted\": %llu, \"rss\": %llu, \"heap_in_use\": %llu}\n",
             s->live_count, s->accepted, s->rejected, s->upgraded, s->ended_cleanly,
             s->ended_abnormally, s->handshakes_refused, s->stats_served, static_cast<unsigned long long>(handles.created),
             static_cast<unsigned long long>(handles.deleted),
             rss, heap);
    s->stats_served++;
    lock_release(s->lock_);
    return text;
}

static bool is_stats_request(const http_head &head)
{
    std::string method, target, version;
    return http_parse_request_line(head.start_line, &method, &target, &version) && method == "GET"
        && target == STATS_PATH && http_list(head, "Upgrade").empty();
}

static void send_stats(server_state *s, connection &c)
{
    std::string body = stats_json(s);
    std::string text = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                     + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    net_send_all(c.socket(), text.data(), text.size(), nullptr);
    c.finish(true, FINISH_WAIT_MS);
}

/* The life of one connection. */
static ending serve(live_connection *lc, connection &c)
{
    server_state *s = lc->server;
    const server_options &o = *s->options;
    http_head head;
    if (c.read_request(o.handshake_timeout_ms, &head) != request_result::ok)
        return ending::refused;
    if (is_stats_request(head))
    {
        send_stats(s, c);
        return ending::clean;
    }
    std::string selected;
    if (!c.accept_upgrade(head, o.subprotocols, o.sizes, &selected))
    {
        note("connection from %s refused", lc->peer.c_str());
        return ending::refused;
    }
    note("upgraded (subprotocol: %s)", selected.empty() ? "none" : selected.c_str());
    lock_acquire(s->lock_);
    lc->upgraded = true;
    s->upgraded++;
    bool stopping = s->stopping;
    lock_release(s->lock_);
    if (stopping)  /* the stop began before we could be asked to close */
        c.request_close(CLOSE_GOING_AWAY, "server shutting down");
    return echo_session(c, true, o.echo) ? ending::clean : ending::abnormal;
}

static void connection_thread(void *param)
{
    live_connection *lc = static_cast<live_connection *>(param);
    server_state *s = lc->server;
    log_set_connection(lc->id);
    ending how;
    {
        connection c(lc->socket);
        lock_acquire(s->lock_);
        lc->c = &c;
        lock_release(s->lock_);

        how = serve(lc, c);

        lock_acquire(s->lock_);
        while (lc->holds)
            condition_wait(s->changed, s->lock_, 0);
        lc->c = nullptr;
        lock_release(s->lock_);
    }  /* the handle is deleted and the socket closed here */
    if (how != ending::refused)
        note("connection from %s ended%s", lc->peer.c_str(), how == ending::clean ? " cleanly" : " abnormally");

    lock_acquire(s->lock_);
    for (live_connection **p = &s->live; *p; p = &(*p)->next)
        if (*p == lc)
        {
            *p = lc->next;
            break;
        }
    s->live_count--;
    if (!s->live_count)
        heap_trim();  /* idle: what the connections used goes back */
    if (how == ending::clean)
        s->ended_cleanly++;
    else if (how == ending::abnormal)
        s->ended_abnormally++;
    else
        s->handshakes_refused++;
    condition_wake_all(s->changed);
    lock_release(s->lock_);
    delete lc;
}

/* Beyond --max-connections: a short answer and the end, from the accept loop. */
static void reject(socket_t client)
{
    http_send_error(client, 503, "Service Unavailable", { { "Retry-After", "1" } });
    net_shutdown_send(client);
    net_close(client);
}

/* Wait until no connection is left or ms passed; under the lock. */
static bool wait_for_none(server_state *s, unsigned ms)
{
    uint64_t until = clock_ms() + ms;
    while (s->live_count)
    {
        uint64_t now = clock_ms();
        if (ms && now >= until)
            return false;
        condition_wait(s->changed, s->lock_, ms ? unsigned(until - now) : 0);
    }
    return true;
}

/* Apply fn to every live connection outside the lock (a close may wait on
 * the network), holding each so its thread does not destroy it meanwhile. */
template <typename F>
static void for_each_live(server_state *s, F fn)
{
    std::vector<live_connection *> held;
    lock_acquire(s->lock_);
    for (live_connection *lc = s->live; lc; lc = lc->next)
        if (lc->c)
        {
            lc->holds++;
            held.push_back(lc);
        }
    lock_release(s->lock_);
    for (live_connection *lc : held)
        fn(lc);
    lock_acquire(s->lock_);
    for (live_connection *lc : held)
        lc->holds--;
    condition_wake_all(s->changed);
    lock_release(s->lock_);
}

static void shut_down(server_state *s)
{
    /* Ask every peer to close; sends that cannot go out soon fail. */
    for_each_live(s, [](live_connection *lc) {
        net_set_send_timeout(lc->socket, SHUTDOWN_SEND_TIMEOUT_MS);
        bool upgraded;
        lock_acquire(lc->server->lock_);
        upgraded = lc->upgraded;
        lock_release(lc->server->lock_);
        log_set_connection(lc->id);
        if (upgraded)
            lc->c->request_close(CLOSE_GOING_AWAY, "server shutting down");
        else
            net_shutdown(lc->socket);  /* still in the HTTP handshake */
        log_set_connection(0);
    });
    lock_acquire(s->lock_);
    bool all_closed = wait_for_none(s, CLOSE_GRACE_MS);
    unsigned long left = s->live_count;
    lock_release(s->lock_);
    if (!all_closed)
    {
        note("%lu connections did not close within %u s: aborting them", left, CLOSE_GRACE_MS / 1000);
        for_each_live(s, [](live_connection *lc) {
            log_set_connection(lc->id);
            lc->c->abort();
            log_set_connection(0);
        });
        lock_acquire(s->lock_);
        if (!wait_for_none(s, ABORT_GRACE_MS))
            note("%lu connections did not end", s->live_count);
        lock_release(s->lock_);
    }
}

int run_server(const server_options &o)
{
    /* Static: the stop-request thread may look at it until the process ends. */
    static server_state state;
    server_state *s = &state;
    s->options = &o;
    s->lock_ = lock_create();
    s->changed = condition_create();
    std::string error;
    socket_t listener = net_listen(o.host.c_str(), o.port, &s->port, &error);
    if (listener == NO_SOCKET)
    {
        note("cannot listen on %s:%u: %s", o.host.c_str(), unsigned(o.port), error.c_str());
        return 1;
    }
    heap_setup_for_server();
    s->wake_host = o.host == "0.0.0.0" ? "127.0.0.1" : o.host == "::" ? "::1" : o.host;
    the_server = s;
    if (!on_stop_request(stop_requested))
        note("cannot catch stop requests");
    note("listening on %s:%u", o.host.c_str(), unsigned(s->port));

    unsigned id = 0;
    bool accept_failed = false;
    while (!s->stopping && (!o.connections || id < o.connections))
    {
        std::string peer;
        socket_t client = net_accept(listener, &peer, &error);
        if (s->stopping)
        {
            net_close(client);
            break;
        }
        if (client == NO_SOCKET)
        {
            /* Out of descriptors, say: wait for connections to end. */
            note("%s", error.c_str());
            accept_failed = true;
            lock_acquire(s->lock_);
            condition_wait(s->changed, s->lock_, 100);
            lock_release(s->lock_);
            continue;
        }
        lock_acquire(s->lock_);
        bool full = s->live_count >= o.max_connections;
        if (full)
            s->rejected++;
        lock_release(s->lock_);
        if (full)
        {
            trace("connection from %s refused: %lu connections open", peer.c_str(), o.max_connections);
            reject(client);
            continue;
        }
        live_connection *lc = new live_connection;
        lc->server = s;
        lc->socket = client;
        lc->peer = peer;
        lc->id = ++id;
        note("#%u connection from %s", lc->id, peer.c_str());
        lock_acquire(s->lock_);
        lc->next = s->live;
        s->live = lc;
        s->live_count++;
        s->accepted++;
        lock_release(s->lock_);
        if (!thread_start_detached(connection_thread, lc))
        {
            note("cannot start a thread for the connection from %s", peer.c_str());
            lock_acquire(s->lock_);
            s->live = lc->next;
            s->live_count--;
            s->accepted--;
            s->rejected++;
            lock_release(s->lock_);
            reject(client);
            delete lc;
        }
    }

    int status;
    if (s->stopping)
    {
        shut_down(s);
        status = 0;
    }
    else
    {
        lock_acquire(s->lock_);
        wait_for_none(s, 0);
        status = !accept_failed && !s->ended_abnormally ? 0 : 1;
        lock_release(s->lock_);
    }
    net_close(listener);
    note("connections served: %lu (%lu closed cleanly), refused: %lu", s->accepted, s->ended_cleanly, s->rejected);
    if (!s->live_count)
    {
        condition_destroy(s->changed);
        lock_destroy(s->lock_);
    }
    return status;
}

} /* namespace wsecho */
