/*
 * API benchmark: what the driver and the peers share
 *
 * Copyright 2026 The websocket.dll authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef WEBSOCKET_BENCH_COMMON_H
#define WEBSOCKET_BENCH_COMMON_H

#include <stddef.h>
#include <stdint.h>

namespace bench {

/* One message set: count payloads of size bytes, payload m at src + m * size. */
struct message_set
{
    const uint8_t *src;
    uint8_t *dst;     /* where a receiver puts what it gets, same layout */
    size_t size, count;
    bool text;
};

/* A peer: prepare() once per message set (may fail: returns false), then
 * c2s() sends every message of the set from a client endpoint to a server
 * endpoint through memory and receives it there; returns the payload bytes
 * received (0 on error). */
struct peer
{
    const char *name;
    bool text_checked;   /* validates UTF-8 of text messages */
    bool (*prepare)(const message_set &set);
    size_t (*c2s)(const message_set &set);
    void (*release)();
};

/* The peers built in (peers.cpp); count may be 0. */
size_t peers(const peer **list);

} /* namespace bench */

#endif /* WEBSOCKET_BENCH_COMMON_H */
