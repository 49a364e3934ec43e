/*
 * Fuzz target: two handles of this DLL talking to each other, a client and a
 * server, through a network the harness plays.  The input chooses an
 * interleaving of Send, Receive, GetAction (any queue, any capacity),
 * CompleteAction (the whole offer, part of it, nothing, more than offered,
 * or a made-up context), Abort and Delete, on either end.  Then a fair
 * driver runs both ends until neither has anything left to do.
 *
 * Invariants:
 * - while a direction is intact (no short write or cancelled read on it, no
 *   Abort or Delete of either end), what the sender's Sends were accepted
 *   with arrives at the receiver byte-identical and in order: the same
 *   message boundaries and text/binary kinds, pongs for pings, the close
 *   status and reason; and the receiver reports no protocol error;
 * - nothing hangs: the fair driver reaches a state where both ends are idle
 *   within a bounded number of calls, and by then every intact direction has
 *   delivered everything that was sent on it;
 * - every buffer handed out lies inside the handle's allocated buffer (an
 *   exact-size heap block, so ASan sees any step outside), the caller's send
 *   payload or the caller's receive buffer; counts never exceed the capacity
 *   and the entries past them are never written; at most one action per
 *   queue is outstanding; an aborted end hands out no network action; a
 *   deleted handle is refused.
 *
 * Input: [client sizes][server sizes][flags] then operations, each
 * [op][arguments...]: bit 0 of op picks the end.
 *
 * Copyright 2026 The websocket.dll authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"

namespace {

using fuzz::inside;
using fuzz::reader;

/* Payload sources: stable for the whole input, as the API requires of a
 * buffer being sent.  Text comes from the ASCII copy (always valid UTF-8). */
constexpr size_t SOURCE_SIZE = 8192;
uint8_t binary_source[SOURCE_SIZE], text_source[SOURCE_SIZE];

/* What one end's Sends put on the wire, in order. */
enum record_kind : uint8_t { REC_TEXT, REC_BINARY, REC_CLOSE };

struct record
{
    record_kind kind;       /* for data: the kind of the message's first frame */
    bool ends_message;
    const uint8_t *data;
    uint32_t length;
    uint16_t status;        /* close */
};

constexpr size_t MAX_RECORDS = 2100;

struct direction
{
    bool intact;
    record records[MAX_RECORDS];
    size_t count;
    size_t at, offset;      /* the receiver's position */
    bool in_message;        /* the sender's: a message begun and not ended */
    record_kind message_kind;
    bool close_sent, close_seen;
    unsigned pongs_sent;    /* unsolicited pongs by the sender */
    unsigned pings_sent;    /* by the receiver: answered in this direction */
    unsigned pongs_seen;    /* indicated by the receiver */
};

struct pending
{
    PVOID context;
    WEB_SOCKET_ACTION action;
    WEB_SOCKET_BUFFER buffers[2];
    ULONG count;
};

constexpr size_t INBOX_SIZE = 1 << 18;

struct end
{
    WEB_SOCKET_HANDLE handle;
    bool live, aborted;
    uint8_t *area;
    size_t area_size;
    ULONG receive_size, send_size;
    uint8_t inbox[INBOX_SIZE];  /* bytes on their way to this end */
    size_t inbox_len;
    uint8_t user_buffer[512];
    bool receiving;             /* a Receive waits for its indication */
    pending held[2];            /* actions got and not completed yet */
};

end ends[2];
direction directions[2];        /* [0]: client to server, [1]: server to client */

/* The direction an end sends on, and the one it receives on. */
direction &outgoing(int who) { return directions[who]; }
direction &incoming(int who) { return directions[!who]; }

void break_both(int who)
{
    outgoing(who).intact = false;
    incoming(who).intact = false;
}

void check_buffer(const end &e, const uint8_t *p, ULONG len)
{
    if (!p)
    {
        check(len == 0);
        return;
    }
    check(inside(p, len, e.area, e.area_size) || inside(p, len, binary_source, SOURCE_SIZE)
          || inside(p, len, text_source, SOURCE_SIZE) || inside(p, len, e.user_buffer, sizeof(e.user_buffer)));
}

void add_record(direction &d, const record &r)
{
    if (d.count == MAX_RECORDS)
    {
        d.intact = false;
        return;
    }
    d.records[d.count++] = r;
}

/* Skip what the receiver has wholly consumed inside the current message. */
void settle(direction &d)
{
    while (d.at < d.count && d.records[d.at].kind != REC_CLOSE && !d.records[d.at].ends_message
           && d.offset == d.records[d.at].length)
    {
        d.at++;
        d.offset = 0;
    }
}

/* A data indication: its bytes are the next ones sent, of the message's kind,
 * and a final one ends exactly where the message ended. */
void expect_data(direction &d, bool text, bool final, const uint8_t *p, ULONG len)
{
    settle(d);
    check(d.at < d.count && d.records[d.at].kind != REC_CLOSE);
    check((d.records[d.at].kind == REC_TEXT) == text);
    while (len)
    {
        settle(d);
        check(d.at < d.count && d.records[d.at].kind != REC_CLOSE);
        const record &r = d.records[d.at];
        ULONG take = r.length - d.offset < len ? ULONG(r.length - d.offset) : len;
        check(take > 0);
        check(!memcmp(p, r.data + d.offset, take));
        d.offset += take;
        p += take;
        len -= take;
    }
    settle(d);
    if (final)
    {
        check(d.at < d.count && d.records[d.at].ends_message && d.offset == d.records[d.at].length);
        d.at++;
        d.offset = 0;
    }
}

void expect_close(direction &d, USHORT status, const uint8_t *reason, ULONG length)
{
    /* Everything before the close was indicated: at most the current record's
     * end was reached without its final indication (a message cut by the close). */
    while (d.at < d.count && d.records[d.at].kind != REC_CLOSE && d.offset == d.records[d.at].length)
    {
        d.at++;
        d.offset = 0;
    }
    check(d.at < d.count && d.records[d.at].kind == REC_CLOSE);
    const record &r = d.records[d.at];
    check(status == r.status && length == r.length);
    check(!length || !memcmp(reason, r.data, length));
    d.close_seen = true;
    d.at++;
}

/* ---- Creating and connecting the two ends ---- */

bool make(end &e, bool server, uint8_t sizes, bool no_masking)
{
    static const ULONG receive_sizes[] = { 256, 300, 1024, 4096 };
    static const ULONG send_sizes[] = { 16, 17, 256, 4096 };
    e.receive_size = receive_sizes[sizes & 3];
    e.send_size = send_sizes[(sizes >> 2) & 3];
    e.area_size = e.receive_size + e.send_size + 144 + ((sizes >> 4) & 3);
    e.area = static_cast<uint8_t *>(malloc(e.area_size));
    e.inbox_len = 0;
    e.live = true;
    e.aborted = false;
    e.receiving = false;
    memset(e.held, 0, sizeof(e.held));
    PVOID area = e.area;
    BOOL disable = TRUE;
    WEB_SOCKET_PROPERTY properties[4] = {
        { WEB_SOCKET_RECEIVE_BUFFER_SIZE_PROPERTY_TYPE, &e.receive_size, sizeof(ULONG) },
        { WEB_SOCKET_SEND_BUFFER_SIZE_PROPERTY_TYPE, &e.send_size, sizeof(ULONG) },
        { WEB_SOCKET_ALLOCATED_BUFFER_PROPERTY_TYPE, &area, ULONG(e.area_size) },
        { WEB_SOCKET_DISABLE_MASKING_PROPERTY_TYPE, &disable, sizeof(BOOL) },
    };
    HRESULT hr = server ? WebSocketCreateServerHandle(properties, no_masking ? 4 : 3, &e.handle)
                        : WebSocketCreateClientHandle(properties, no_masking ? 4 : 3, &e.handle);
    return hr == S_OK;
}

/* ---- The network ---- */

void push(int to, const uint8_t *p, size_t len)
{
    end &e = ends[to];
    if (len > INBOX_SIZE - e.inbox_len)
    {
        len = INBOX_SIZE - e.inbox_len;
        incoming(to).intact = false;
    }
    memcpy(e.inbox + e.inbox_len, p, len);
    e.inbox_len += len;
}

enum how { FULL, SHORT, NOTHING, MORE };

/* Completes a held action; `amount` is the byte count for SHORT. */
void complete(int who, int slot, how mode, ULONG amount)
{
    end &e = ends[who];
    pending &p = e.held[slot];
    if (!p.context)
        return;
    ULONG offered = 0;
    for (ULONG i = 0; i < p.count; i++)
        offered += p.buffers[i].Data.ulBufferLength;
    ULONG bytes = 0;
    if (p.action == WEB_SOCKET_SEND_TO_NETWORK_ACTION)
    {
        bytes = mode == FULL ? offered : mode == SHORT ? (amount < offered ? amount : offered)
              : mode == NOTHING ? 0 : offered + 1 + amount;
        ULONG left = bytes < offered ? bytes : offered;
        if (left < offered)
            outgoing(who).intact = false;   /* a short write: the rest never goes */
        for (ULONG i = 0; i < p.count && left; i++)
        {
            ULONG n = p.buffers[i].Data.ulBufferLength < left ? p.buffers[i].Data.ulBufferLength : left;
            if (ends[!who].live)
                push(!who, p.buffers[i].Data.pbBuffer, n);
            left -= n;
        }
    }
    else if (p.action == WEB_SOCKET_RECEIVE_FROM_NETWORK_ACTION)
    {
        ULONG n = offered < e.inbox_len ? offered : ULONG(e.inbox_len);
        if (mode == SHORT && amount < n)
            n = amount;
        if (mode == NOTHING || n == 0)
        {
            /* Read 0: the connection ended, as far as this end knows. */
            incoming(who).intact = false;
            n = 0;
        }
        memcpy(p.buffers[0].Data.pbBuffer, e.inbox, n);
        memmove(e.inbox, e.inbox + n, e.inbox_len - n);
        e.inbox_len -= n;
        bytes = n;
        if (mode == MORE && n < offered)
        {
            /* Bytes claimed that were never read: whatever the buffer held. */
            incoming(who).intact = false;
            bytes = n + 1 + amount;
        }
    }
    else
        bytes = mode == FULL ? 0 : amount;  /* indications ignore the count */
    PVOID context = p.context;
    memset(&p, 0, sizeof(p));
    WebSocketCompleteAction(e.handle, context, bytes);
}

/* An indication of a received message, pong or close, checked against what
 * the other end sent while the direction is intact. */
void received(int who, WEB_SOCKET_BUFFER_TYPE type, const WEB_SOCKET_BUFFER *buffers, ULONG count)
{
    direction &d = incoming(who);
    end &e = ends[who];
    e.receiving = false;
    check(count <= 1);
    const uint8_t *data = count ? buffers[0].Data.pbBuffer : nullptr;
    ULONG length = count ? buffers[0].Data.ulBufferLength : 0;
    if (type == WEB_SOCKET_CLOSE_BUFFER_TYPE && count)
        check_buffer(e, buffers[0].CloseStatus.pbReason, buffers[0].CloseStatus.ulReasonLength);
    else if (count)
        check_buffer(e, data, length);
    if (!d.intact)
        return;
    switch (type)
    {
    case WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE:
    case WEB_SOCKET_UTF8_FRAGMENT_BUFFER_TYPE:
    case WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE:
    case WEB_SOCKET_BINARY_FRAGMENT_BUFFER_TYPE:
        check(count == 1);
        expect_data(d, type == WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE || type == WEB_SOCKET_UTF8_FRAGMENT_BUFFER_TYPE,
                    type == WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE || type == WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE,
                    data, length);
        break;
    case WEB_SOCKET_CLOSE_BUFFER_TYPE:
        check(count == 1);
        expect_close(d, buffers[0].CloseStatus.usStatus, buffers[0].CloseStatus.pbReason,
                     buffers[0].CloseStatus.ulReasonLength);
        break;
    case WEB_SOCKET_PING_PONG_BUFFER_TYPE:
        /* Pings and pongs carry nothing here (the API sends them empty);
         * on a broken way out, the peer may have read any ping from the debris. */
        if (!outgoing(who).intact)
            break;
        check(length == 0);
        d.pongs_seen++;
        check(d.pongs_seen <= d.pongs_sent + d.pings_sent);
        break;
    default:
        check(false);
    }
}

/* GetAction on one end; the action is held, or completed as `mode` says. */
bool get_action(int who, WEB_SOCKET_ACTION_QUEUE queue, ULONG capacity, bool hold, how mode, ULONG amount)
{
    end &e = ends[who];
    WEB_SOCKET_BUFFER buffers[5];
    memset(buffers, 0xcc, sizeof(buffers));
    ULONG count = capacity;
    WEB_SOCKET_ACTION action = WEB_SOCKET_ACTION(0x55);
    WEB_SOCKET_BUFFER_TYPE type = WEB_SOCKET_BUFFER_TYPE(0);
    PVOID application = PVOID(1), context = PVOID(1);
    HRESULT hr = WebSocketGetAction(e.handle, queue, buffers, &count, &action, &type, &application, &context);
    if (hr != S_OK)
    {
        /* Only the receive queue fails, and only on what the peer sent.  A
         * receiving handle refuses any frame after a close, while a sending
         * one may still send pings and pongs after its close (documented):
         * the one error an intact way in may see. */
        check(hr == E_INVALID_PROTOCOL_FORMAT || hr == E_INVALID_PROTOCOL_OPERATION);
        check(queue != WEB_SOCKET_SEND_ACTION_QUEUE);
        check(!incoming(who).intact || (incoming(who).close_seen && hr == E_INVALID_PROTOCOL_OPERATION));
        return false;
    }
    check(count <= capacity);
    uint8_t canary[sizeof(WEB_SOCKET_BUFFER)];
    memset(canary, 0xcc, sizeof(canary));
    for (ULONG i = capacity; i < 5; i++)
        check(!memcmp(&buffers[i], canary, sizeof(canary)));
    if (action == WEB_SOCKET_NO_ACTION)
    {
        check(context == nullptr && application == nullptr);
        return false;
    }
    check(context != nullptr);
    check(!e.held[0].context || e.held[0].context != context);
    check(!e.held[1].context || e.held[1].context != context);
    switch (action)
    {
    case WEB_SOCKET_SEND_TO_NETWORK_ACTION:
    case WEB_SOCKET_RECEIVE_FROM_NETWORK_ACTION:
        check(!e.aborted);
        check(count >= 1 && count <= 2);
        for (ULONG i = 0; i < count; i++)
        {
            check(buffers[i].Data.pbBuffer != nullptr);
            check_buffer(e, buffers[i].Data.pbBuffer, buffers[i].Data.ulBufferLength);
        }
        if (action == WEB_SOCKET_RECEIVE_FROM_NETWORK_ACTION)
            check(count == 1 && buffers[0].Data.ulBufferLength > 0
                  && buffers[0].Data.ulBufferLength <= e.receive_size);
        break;
    case WEB_SOCKET_INDICATE_SEND_COMPLETE_ACTION:
        break;
    case WEB_SOCKET_INDICATE_RECEIVE_COMPLETE_ACTION:
        received(who, type, buffers, count);
        break;
    default:
        check(false);
    }
    /* One outstanding action per queue: never a third. */
    int slot = !e.held[0].context ? 0 : !e.held[1].context ? 1 : -1;
    check(slot >= 0);
    pending &p = e.held[slot];
    p.context = context;
    p.action = action;
    p.count = action == WEB_SOCKET_SEND_TO_NETWORK_ACTION || action == WEB_SOCKET_RECEIVE_FROM_NETWORK_ACTION
              ? count : 0;
    memcpy(p.buffers, buffers, sizeof(p.buffers[0]) * p.count);
    if (!hold)
        complete(who, slot, mode, amount);
    return true;
}

void send(int who, reader &in, unsigned step)
{
    end &e = ends[who];
    direction &d = outgoing(who);
    uint8_t t = in.byte();
    uint16_t length = in.word() % 2049;
    uint16_t offset = in.word() % (SOURCE_SIZE - 2048);
    static const WEB_SOCKET_BUFFER_TYPE types[] = {
        WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE, WEB_SOCKET_UTF8_FRAGMENT_BUFFER_TYPE,
        WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, WEB_SOCKET_BINARY_FRAGMENT_BUFFER_TYPE,
        WEB_SOCKET_CLOSE_BUFFER_TYPE, WEB_SOCKET_PING_PONG_BUFFER_TYPE,
        WEB_SOCKET_UNSOLICITED_PONG_BUFFER_TYPE, WEB_SOCKET_CLOSE_BUFFER_TYPE,
    };
    WEB_SOCKET_BUFFER_TYPE type = types[t & 7];
    bool text = type == WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE || type == WEB_SOCKET_UTF8_FRAGMENT_BUFFER_TYPE;
    const uint8_t *data = (text ? text_source : binary_source) + offset;
    WEB_SOCKET_BUFFER buffer;
    WEB_SOCKET_BUFFER *argument = &buffer;
    if (type == WEB_SOCKET_CLOSE_BUFFER_TYPE)
    {
        static const USHORT statuses[] = { 1000, 1001, 1005, 3000, 4999, 1006, 999 };
        buffer.CloseStatus.pbReason = text_source + offset;
        buffer.CloseStatus.ulReasonLength = (t >> 3) & 1 ? length % 124 : 0;
        buffer.CloseStatus.usStatus = statuses[(t >> 4) % 7];
        if (t & 0x80)
            argument = nullptr;
    }
    else if (type == WEB_SOCKET_PING_PONG_BUFFER_TYPE || type == WEB_SOCKET_UNSOLICITED_PONG_BUFFER_TYPE)
        argument = nullptr;
    else
    {
        buffer.Data.pbBuffer = const_cast<uint8_t *>(data);
        buffer.Data.ulBufferLength = length;
    }
    HRESULT hr = WebSocketSend(e.handle, type, argument, PVOID(uintptr_t(0x1000 + step)));
    if (hr != S_OK)
        return;
    check(!e.aborted);
    switch (type)
    {
    case WEB_SOCKET_CLOSE_BUFFER_TYPE:
    {
        record r = { REC_CLOSE, true, nullptr, 0, 1005 };
        if (argument && !(buffer.CloseStatus.usStatus == 1005 && !buffer.CloseStatus.ulReasonLength))
        {
            r.data = buffer.CloseStatus.pbReason;
            r.length = buffer.CloseStatus.ulReasonLength;
            r.status = buffer.CloseStatus.usStatus;
        }
        check(!d.close_sent);
        d.close_sent = true;
        add_record(d, r);
        break;
    }
    case WEB_SOCKET_PING_PONG_BUFFER_TYPE:
        incoming(who).pings_sent++;
        break;
    case WEB_SOCKET_UNSOLICITED_PONG_BUFFER_TYPE:
        d.pongs_sent++;
        break;
    default:
    {
        check(!d.close_sent);
        bool final = type == WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE || type == WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE;
        if (!d.in_message)
            d.message_kind = text ? REC_TEXT : REC_BINARY;
        /* A message is one kind from its first frame to its last (the DLL refuses a change). */
        check(d.message_kind == (text ? REC_TEXT : REC_BINARY));
        d.in_message = !final;
        record r = { d.message_kind, final, data, length, 0 };
        add_record(d, r);
    }
    }
}

void receive(int who, reader &in, unsigned step)
{
    end &e = ends[who];
    uint8_t t = in.byte();
    WEB_SOCKET_BUFFER buffer;
    buffer.Data.pbBuffer = e.user_buffer;
    buffer.Data.ulBufferLength = 1 + t % sizeof(e.user_buffer);
    HRESULT hr = WebSocketReceive(e.handle, (t & 1) ? &buffer : nullptr, PVOID(uintptr_t(0x2000 + step)));
    if (hr == S_OK)
    {
        check(!e.receiving && !e.aborted);
        e.receiving = true;
    }
}

void destroy(int who)
{
    end &e = ends[who];
    WEB_SOCKET_HANDLE stale = e.handle;
    WebSocketDeleteHandle(e.handle);
    e.live = false;
    free(e.area);
    e.area = nullptr;
    break_both(who);
    /* The handle is refused from now on, and a second Delete is harmless. */
    WEB_SOCKET_BUFFER buffer = {};
    check(WebSocketSend(stale, WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE, &buffer, nullptr) == E_HANDLE);
    check(WebSocketReceive(stale, nullptr, nullptr) == E_HANDLE);
    WebSocketDeleteHandle(stale);
}

/* Both ends run fairly until neither can do anything more. */
void drain()
{
    constexpr int MAX_ROUNDS = 20000;
    int round;
    for (round = 0; round < MAX_ROUNDS; round++)
    {
        bool progress = false;
        for (int who = 0; who < 2; who++)
        {
            end &e = ends[who];
            if (!e.live)
                continue;
            /* Held actions first; a read waits until there is something to read. */
            for (int slot = 0; slot < 2; slot++)
            {
                pending &p = e.held[slot];
                if (!p.context)
                    continue;
                if (p.action == WEB_SOCKET_RECEIVE_FROM_NETWORK_ACTION && !e.inbox_len)
                    continue;
                complete(who, slot, FULL, 0);
                progress = true;
            }
            if (!e.receiving && !e.aborted && !incoming(who).close_seen
                    && WebSocketReceive(e.handle, nullptr, nullptr) == S_OK)
                e.receiving = true;
            int free_slot = !e.held[0].context || !e.held[1].context;
            if (free_slot && get_action(who, WEB_SOCKET_ALL_ACTION_QUEUE, 2, true, FULL, 0))
            {
                progress = true;
                int slot = e.held[1].context ? 1 : 0;
                if (e.held[slot].action != WEB_SOCKET_RECEIVE_FROM_NETWORK_ACTION || e.inbox_len)
                    complete(who, slot, FULL, 0);
            }
        }
        if (!progress)
            break;
    }
    check(round < MAX_ROUNDS);
}

} /* namespace */

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    reader in = { data, size, 0 };
    for (size_t i = 0; i < SOURCE_SIZE; i++)
    {
        binary_source[i] = uint8_t(i * 131 + (i >> 8));
        text_source[i] = uint8_t(' ' + i % 95);
    }
    uint8_t client_sizes = in.byte(), server_sizes = in.byte(), flags = in.byte();
    /* Unmasked client frames only to a server that allows them. */
    bool no_masking = flags & 1;
    memset(directions, 0, sizeof(directions));
    directions[0].intact = directions[1].intact = true;
    check(make(ends[0], false, client_sizes, no_masking));
    check(make(ends[1], true, server_sizes, no_masking));
    check(fuzz::connect(ends[0].handle, ends[1].handle));

    unsigned step = 0;
    while (!in.empty() && step++ < 3000)
    {
        uint8_t op = in.byte();
        int who = op & 1;
        end &e = ends[who];
        if (!e.live)
            continue;
        switch ((op >> 1) % 8)
        {
        case 0:
            send(who, in, step);
            break;
        case 1:
            receive(who, in, step);
            break;
        case 2:
        case 3:
        {
            uint8_t b = in.byte();
            WEB_SOCKET_ACTION_QUEUE queue = WEB_SOCKET_ACTION_QUEUE(1 + b % 3);
            ULONG capacity = 1 + (b >> 2) % 4;
            /* With both queues' actions held, nothing more may come out. */
            if (e.held[0].context && e.held[1].context && (b & 0x80))
                complete(who, (b >> 6) & 1, FULL, 0);
            get_action(who, queue, capacity, (b >> 4) & 1, how((b >> 5) & 3), in.word());
            break;
        }
        case 4:
        {
            uint8_t b = in.byte();
            complete(who, b & 1, how((b >> 1) & 3), in.word());
            break;
        }
        case 5:
            /* A context made up, or the other end's: ignored. */
            WebSocketCompleteAction(e.handle, (op & 0x80) ? ends[!who].held[0].context
                                                          : PVOID(uintptr_t(in.word())), in.word());
            break;
        case 6:
            WebSocketAbortHandle(e.handle);
            e.aborted = true;
            break_both(who);
            break;
        case 7:
            if (op & 0x80)
                destroy(who);
            break;
        }
    }

    drain();
    /* Quiet: every intact direction delivered all it carried. */
    for (int i = 0; i < 2; i++)
    {
        direction &d = directions[i];
        if (!d.intact)
            continue;
        if (d.close_seen || !d.close_sent)
        {
            settle(d);
            check(d.at == d.count || (d.at + 1 == d.count && d.records[d.at].kind != REC_CLOSE
                                      && !d.records[d.at].ends_message && d.offset == d.records[d.at].length));
        }
        check(!d.close_sent || d.close_seen);
        /* A ping's pong comes back only if both ways work and no close ended them. */
        if (directions[0].intact && directions[1].intact && !directions[0].close_sent && !directions[1].close_sent)
            check(d.pongs_seen == d.pongs_sent + d.pings_sent);
    }
    for (int who = 0; who < 2; who++)
        if (ends[who].live)
        {
            WebSocketDeleteHandle(ends[who].handle);
            free(ends[who].area);
        }
    return 0;
}
