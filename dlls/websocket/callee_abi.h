/*
 * The calling convention of functions the exported layer calls off its fast path
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

#ifndef WEBSOCKET_CALLEE_ABI_H
#define WEBSOCKET_CALLEE_ABI_H

/*
 * On x86-64 Linux the exported functions are WINAPI (the Microsoft calling
 * convention), for which xmm6-xmm15, rsi and rdi belong to the caller.  An
 * exported function that calls a System V function must save all twelve in
 * its prologue, ten 16-byte stores and ten loads a call, whether or not the
 * call is taken.  Functions that an export calls only off its fast path (a
 * contended lock, tracing) are declared with the Microsoft convention too, so
 * an export whose fast path is otherwise inline saves nothing.  Elsewhere
 * every function already has the same convention as the exports.
 */
#if defined(__x86_64__) && !defined(_WIN32)
#define WS_EXPORT_CALLEE __attribute__((ms_abi))
#else
#define WS_EXPORT_CALLEE
#endif

#endif /* WEBSOCKET_CALLEE_ABI_H */
