/*
 * wsecho: messages on standard error
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

#include "log.h"

#include <stdarg.h>
#include <stdio.h>

#include "platform.h"

namespace wsecho {

static lock *log_lock;
static bool verbose;
static thread_local unsigned connection_id;

void log_set_connection(unsigned id)
{
    connection_id = id;
}

void log_init()
{
    log_lock = lock_create();
}

void log_set_verbose(bool on)
{
    verbose = on;
}

bool log_verbose()
{
    return verbose;
}

static void write_line(const char *format, va_list args)
{
    char line[1024];
    int length = connection_id ? snprintf(line, sizeof(line), "wsecho: #%u ", connection_id)
                               : snprintf(line, sizeof(line), "wsecho: ");
    int more = vsnprintf(line + length, sizeof(line) - length - 1, format, args);
    if (more < 0)
        more = 0;
    length += more;
    if (length > int(sizeof(line)) - 2)
        length = int(sizeof(line)) - 2;
    line[length++] = '\n';
    lock_acquire(log_lock);
    fwrite(line, 1, size_t(length), stderr);
    fflush(stderr);
    lock_release(log_lock);
}

void note(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    write_line(format, args);
    va_end(args);
}

void trace(const char *format, ...)
{
    if (!verbose)
        return;
    va_list args;
    va_start(args, format);
    write_line(format, args);
    va_end(args);
}

const char *hresult_name(uint32_t hr)
{
    switch (hr)
    {
    case 0x00000000: return "S_OK";
    case 0x00000001: return "S_FALSE";
    case 0x83760001: return "E_INVALID_PROTOCOL_OPERATION";
    case 0x83760002: return "E_INVALID_PROTOCOL_FORMAT";
    case 0x83760003: return "E_PROTOCOL_EXTENSIONS_NOT_SUPPORTED";
    case 0x83760004: return "E_SUBPROTOCOL_NOT_SUPPORTED";
    case 0x83760005: return "E_PROTOCOL_VERSION_NOT_SUPPORTED";
    case 0x80070057: return "E_INVALIDARG";
    case 0x8007000E: return "E_OUTOFMEMORY";
    case 0x80070006: return "E_HANDLE";
    case 0x80004001: return "E_NOTIMPL";
    case 0x80004003: return "E_POINTER";
    case 0x80004005: return "E_FAIL";
    case 0x8000FFFF: return "E_UNEXPECTED";
    case 0x80070008: return "HRESULT_FROM_WIN32(ERROR_NOT_ENOUGH_MEMORY)";
    case 0x8007007A: return "HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER)";
    default: return "unknown HRESULT";
    }
}

void report_failure(const char *function, uint32_t hr)
{
    note("%s failed: 0x%08X (%s)", function, unsigned(hr), hresult_name(hr));
}

} /* namespace wsecho */
