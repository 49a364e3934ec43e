/*
 * Debug channel 'websocket': Wine-style TRACE/WARN/FIXME/ERR
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

#ifndef WEBSOCKET_DEBUG_H
#define WEBSOCKET_DEBUG_H

/*
 * WINEDEBUG=+websocket turns the messages on, in Wine's format
 * ("tid:class:websocket:function message").  Under Wine the PE build hands
 * them to Wine's own debug output; elsewhere the variable is parsed here.
 * A disabled class costs one load and a branch.
 */

#include <atomic>

#include "callee_abi.h"

namespace ws {

enum debug_class
{
    DEBUG_FIXME = 0,
    DEBUG_ERR   = 1,
    DEBUG_WARN  = 2,
    DEBUG_TRACE = 3
};

/* Bit (1 << class) is set when that class is on; computed once.  The
 * cached value is read inline: every exported call checks it twice. */
/* Not yet computed: a bit above every class, so no computed value equals it. */
constexpr unsigned debug_flags_unset = 0x100;
extern std::atomic<unsigned> debug_cached_flags;
WS_EXPORT_CALLEE unsigned debug_flags_compute();

inline unsigned debug_flags()
{
    unsigned flags = debug_cached_flags.load(std::memory_order_relaxed);
    return flags != debug_flags_unset ? flags : debug_flags_compute();
}

void debug_printf(debug_class cls, const char *function, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* A quoted, escaped copy of a string for one message: use .text inside the TRACE call. */
struct debug_string
{
    char text[160];
};

/* At most len bytes of s (len < 0: up to the NUL); NULL prints as (null). */
debug_string debugstr_an(const char *s, long len);

inline bool debug_on(debug_class cls)
{
    return (debug_flags() >> cls) & 1;
}

} /* namespace ws */

/* The printing is a lambda of its own, cold and with the exported functions'
 * convention (callee_abi.h): a call that traces nothing pays nothing for it. */
#define WS_DEBUG_(cls, ...) \
    do { \
        if (ws::debug_on(cls)) \
        { \
            const char *ws_function_ = __func__; \
            [&]() __attribute__((noinline, cold)) WS_EXPORT_CALLEE { \
                ws::debug_printf(cls, ws_function_, __VA_ARGS__); \
            }(); \
        } \
    } while (0)
#define TRACE(...) WS_DEBUG_(ws::DEBUG_TRACE, __VA_ARGS__)
#define WARN(...)  WS_DEBUG_(ws::DEBUG_WARN, __VA_ARGS__)
#define FIXME(...) WS_DEBUG_(ws::DEBUG_FIXME, __VA_ARGS__)
#define ERR(...)   WS_DEBUG_(ws::DEBUG_ERR, __VA_ARGS__)
#define TRACE_ON() ws::debug_on(ws::DEBUG_TRACE)

#endif /* WEBSOCKET_DEBUG_H */
