/*
 * wsecho: a WebSocket echo server and client on websocket.dll
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

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <string>
#include <vector>

#include "connection.h"
#include "echo.h"
#include "log.h"
#include "platform.h"
#include "server.h"

using namespace wsecho;

static const char usage[] =
    "usage:\n"
    "  wsecho server --port N [--host ADDRESS] [--subprotocol P]... [--connections N]\n"
    "                [--max-connections N] [--handshake-timeout S] [--close-after N] [options]\n"
    "  wsecho client ws://HOST[:PORT][/PATH] [--subprotocol P]... [--echo [--connections N]]\n"
    "                [options]\n"
    "\n"
    "server: serves many connections at once and echoes every message back with\n"
    "        its type; answers a close with the same status and reason.\n"
    "        --port 0 takes any free port; the port is printed on standard error.\n"
    "        SIGINT or SIGTERM (Ctrl-C): stop accepting, close every connection\n"
    "        with 1001, exit 0.  GET " "/.wsecho/stats" " answers the server's counters.\n"
    "        --connections N   exit after N connections (status 0 if all closed cleanly)\n"
    "        --max-connections N  connections open at once (default 1024); more get 503\n"
    "        --handshake-timeout S  drop a client whose upgrade request is not complete\n"
    "                          S seconds after it connected (default 10)\n"
    "        --close-after N   start the close handshake after echoing N messages\n"
    "client: sends each line of standard input as a text message, prints each message\n"
    "        received on its own line, closes at the end of input; status 0 after a\n"
    "        clean close handshake.\n"
    "        --echo            send nothing of its own: echo every message back until\n"
    "                          the server closes\n"
    "        --connections N   with --echo: connect N times, one after the other\n"
    "                          (status 0 if all closed cleanly)\n"
    "options:\n"
    "  --subprotocol P       offer (client) or accept (server) P; may be repeated\n"
    "  --close-status N      status of the close we start (default 1000; 1005: no status)\n"
    "  --close-reason TEXT   reason of the close we start (default none)\n"
    "  --max-message BYTES   largest message accepted (default 67108864)\n"
    "  --receive-buffer N    WEB_SOCKET_RECEIVE_BUFFER_SIZE_PROPERTY_TYPE (default: the DLL's)\n"
    "  --send-buffer N       WEB_SOCKET_SEND_BUFFER_SIZE_PROPERTY_TYPE (default: the DLL's)\n"
    "  --verbose             print every API call and action on standard error\n";

struct settings
{
    bool server = false;
    std::string url;
    std::string host = "127.0.0.1";
    long port = -1;
    std::vector<std::string> subprotocols;
    bool echo = false;
    unsigned long connections = 0;
    unsigned long close_after = 0;
    uint16_t close_status = 1000;
    std::string close_reason;
    size_t max_message = 64u << 20;
    buffer_sizes sizes;
    unsigned long max_connections = 1024;
    unsigned long handshake_timeout = 10;
};

[[noreturn]] static void usage_error(const char *format, const char *arg)
{
    fprintf(stderr, "wsecho: ");
    fprintf(stderr, format, arg);
    fprintf(stderr, "\n\n%s", usage);
    process_exit(2);
}

static unsigned long number(const char *option, const char *text, unsigned long max)
{
    char *end = nullptr;
    unsigned long value = strtoul(text, &end, 10);
    if (!*text || *end || value > max || text[0] == '-')
        usage_error("bad number for %s", option);
    return value;
}

static void parse_arguments(int argc, char **argv, settings *s)
{
    if (argc < 2)
        usage_error("%s", "no mode given");
    std::string mode = argv[1];
    if (mode == "--help" || mode == "-h")
    {
        fputs(usage, stdout);
        process_exit(0);
    }
    if (mode != "server" && mode != "client")
        usage_error("unknown mode %s", argv[1]);
    s->server = mode == "server";
    for (int i = 2; i < argc; i++)
    {
        std::string arg = argv[i];
        auto value = [&]() -> const char * {
            if (i + 1 >= argc)
                usage_error("%s needs a value", argv[i]);
            return argv[++i];
        };
        if (arg == "--verbose" || arg == "-v")
            log_set_verbose(true);
        else if (arg == "--subprotocol")
            s->subprotocols.push_back(value());
        else if (arg == "--close-status")
            s->close_status = uint16_t(number("--close-status", value(), 4999));
        else if (arg == "--close-reason")
            s->close_reason = value();
        else if (arg == "--max-message")
            s->max_message = number("--max-message", value(), 0xffffffffu);
        else if (arg == "--receive-buffer")
            s->sizes.receive = uint32_t(number("--receive-buffer", value(), 0xffffffffu));
        else if (arg == "--send-buffer")
            s->sizes.send = uint32_t(number("--send-buffer", value(), 0xffffffffu));
        else if (s->server && arg == "--port")
            s->port = long(number("--port", value(), 65535));
        else if (s->server && arg == "--host")
            s->host = value();
        else if (arg == "--connections")
            s->connections = number("--connections", value(), 0xffffffffu);
        else if (s->server && arg == "--max-connections")
            s->max_connections = number("--max-connections", value(), 0xffffffffu);
        else if (s->server && arg == "--handshake-timeout")
            s->handshake_timeout = number("--handshake-timeout", value(), 86400);
        else if (s->server && arg == "--close-after")
            s->close_after = number("--close-after", value(), 0xffffffffu);
        else if (!s->server && arg == "--echo")
            s->echo = true;
        else if (!s->server && s->url.empty() && arg.compare(0, 2, "--") != 0)
            s->url = arg;
        else if (arg == "--help" || arg == "-h")
        {
            fputs(usage, stdout);
            process_exit(0);
        }
        else
            usage_error("unknown argument %s", argv[i]);
    }
    if (s->server && s->port < 0)
        usage_error("%s", "server needs --port N");
    if (!s->server && s->url.empty())
        usage_error("%s", "client needs a ws:// URL");
    if (!s->server && s->connections && !s->echo)
        usage_error("%s", "--connections needs --echo");
}

static void print_message(const message &m)
{
    if (!m.data.empty())
        fwrite(m.data.data(), 1, m.data.size(), stdout);
    fputc('\n', stdout);
    fflush(stdout);
}

/* The client that sends standard input: a sender thread and this receiver. */
struct line_client
{
    connection *c;
    const settings *s;
    lock *send_lock;
    bool close_sent;   /* under send_lock */
    bool input_ended;  /* under send_lock: the sender is done and returns */
};

static echo_options echo_settings(const settings &s)
{
    echo_options o;
    o.max_message = s.max_message;
    o.close_after = s.close_after;
    o.close_status = s.close_status;
    o.close_reason = s.close_reason;
    return o;
}

static int serve(const settings &s)
{
    server_options o;
    o.host = s.host;
    o.port = uint16_t(s.port);
    o.subprotocols = s.subprotocols;
    o.sizes = s.sizes;
    o.echo = echo_settings(s);
    o.connections = s.connections;
    o.max_connections = s.max_connections ? s.max_connections : 1;
    o.handshake_timeout_ms = unsigned(s.handshake_timeout * 1000);
    return run_server(o);
}

static bool read_line(std::string *line)
{
    line->clear();
    int ch;
    while ((ch = getc(stdin)) != EOF)
    {
        if (ch == '\n')
            break;
        line->push_back(char(ch));
    }
    if (ch == EOF && line->empty())
        return false;
    if (!line->empty() && line->back() == '\r')
        line->pop_back();
    return true;
}

static void send_lines(void *param)
{
    line_client *lc = static_cast<line_client *>(param);
    std::string line;
    /* The connection is used only under send_lock: once close_sent is set
     * by the other thread this one leaves it alone. */
    while (read_line(&line))
    {
        lock_acquire(lc->send_lock);
        bool stop = lc->close_sent;
        if (!stop && !lc->c->send_message(true, reinterpret_cast<const uint8_t *>(line.data()), line.size()))
        {
            lc->c->abort();  /* wakes the receiving thread */
            stop = true;
        }
        if (stop)
            lc->input_ended = true;
        lock_release(lc->send_lock);
        if (stop)
            return;
    }
    lock_acquire(lc->send_lock);
    lc->input_ended = true;
    if (!lc->close_sent)
    {
        lc->close_sent = true;
        note("end of input, sending close: %u \"%s\"", unsigned(lc->s->close_status),
             lc->s->close_reason.c_str());
        if (!lc->c->send_close(lc->s->close_status, lc->s->close_reason))
            lc->c->abort();
    }
    lock_release(lc->send_lock);
}

static bool receive_lines(connection &c, line_client &lc);

static bool line_session(connection &c, const settings &s)
{
    line_client *lc = new line_client{ &c, &s, lock_create(), false, false };
    thread *sender = thread_start(send_lines, lc);
    if (!sender)
    {
        note("cannot start the sending thread");
        lock_destroy(lc->send_lock);
        delete lc;
        return false;
    }
    bool clean = receive_lines(c, *lc);
    /* A sender that reached the end of its input is joined and its state
     * freed, so the process ends with one thread.  One still blocked reading
     * standard input (the server closed first) keeps using lc until the
     * process exits, so both are left to the exit. */
    lock_acquire(lc->send_lock);
    bool ended = lc->input_ended;
    lock_release(lc->send_lock);
    if (ended)
    {
        thread_join(sender);
        lock_destroy(lc->send_lock);
        delete lc;
    }
    return clean;
}

/* Print what arrives until the close handshake is over. */
static bool receive_lines(connection &c, line_client &lc)
{
    const settings &s = *lc.s;
    for (;;)
    {
        message m;
        c.receive_message(&m, s.max_message);
        if (m.kind == message_kind::text || m.kind == message_kind::binary)
        {
            print_message(m);
            continue;
        }
        if (m.kind == message_kind::close && m.close_status != 1006)
        {
            note("close received: %u \"%s\"", unsigned(m.close_status), m.close_reason.c_str());
            bool ok = true;
            lock_acquire(lc.send_lock);
            if (!lc.close_sent)
            {
                lc.close_sent = true;
                ok = c.send_close(m.close_status, m.close_reason);
                if (ok)
                    note("close sent: %u \"%s\"", unsigned(m.close_status), m.close_reason.c_str());
            }
            lock_release(lc.send_lock);
            return ok;
        }
        if (m.kind == message_kind::close)
            note("the connection ended without a close frame");
        bool tell_peer = m.fail_status != 0;
        if (!tell_peer)
            c.abort();  /* first: it wakes a sender blocked on the socket */
        lock_acquire(lc.send_lock);
        if (tell_peer && !lc.close_sent)
        {
            note("closing with %u", unsigned(m.fail_status));
            c.send_close(m.fail_status, m.too_big ? "message too big" : "protocol error");
        }
        lc.close_sent = true;  /* the sender stops using the connection */
        c.abort();
        lock_release(lc.send_lock);
        return false;
    }
}

static int run_client(const settings &s)
{
    ws_url url;
    std::string error;
    if (!parse_ws_url(s.url, &url, &error))
    {
        note("%s", error.c_str());
        return 2;
    }
    bool all_clean = true;
    unsigned long count = s.connections ? s.connections : 1;
    for (unsigned long i = 0; i < count; i++)
    {
        socket_t sock = net_connect(url.host.c_str(), url.port, &error);
        if (sock == NO_SOCKET)
        {
            note("cannot connect to %s:%u: %s", url.host.c_str(), unsigned(url.port), error.c_str());
            return 1;
        }
        connection c(sock);
        std::string selected;
        if (!c.client_handshake(url, s.subprotocols, s.sizes, &selected))
        {
            all_clean = false;
            continue;
        }
        note("connected to %s (subprotocol: %s)", s.url.c_str(), selected.empty() ? "none" : selected.c_str());
        bool clean = s.echo ? echo_session(c, false, echo_settings(s)) : line_session(c, s);
        all_clean = all_clean && clean;
    }
    return all_clean ? 0 : 1;
}

int main(int argc, char **argv)
{
    std::string error;
    log_init();
    stdio_binary();
    if (!platform_init(&error))
    {
        note("%s", error.c_str());
        return 1;
    }
    settings s;
    parse_arguments(argc, argv, &s);
    int status = s.server ? serve(s) : run_client(s);
    /* The stdin thread may still be blocked in a read. */
    process_exit(status);
}
