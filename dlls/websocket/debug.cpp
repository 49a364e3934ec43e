/*
 * Debug channel 'websocket': where messages go and which are on
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

#include "debug.h"

#include <atomic>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#ifdef _WIN32
#include <windows.h>
#else
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace ws {
namespace {

const char channel_name[] = "websocket";
const char *const class_names[] = { "fixme", "err", "warn", "trace" };
constexpr unsigned all_classes = 0xf;
constexpr unsigned default_flags = (1u << DEBUG_FIXME) | (1u << DEBUG_ERR);

#ifdef _WIN32
/* Wine's ntdll exports its debug output functions; using them keeps our lines
 * in step with the rest of Wine's (+pid, +timestamp, one stream). */
struct wine_debug_channel
{
    unsigned char flags;
    char name[15];
};
typedef unsigned char (__cdecl *wine_get_flags_fn)(wine_debug_channel *);
typedef int (__cdecl *wine_header_fn)(int, wine_debug_channel *, const char *);
typedef int (__cdecl *wine_output_fn)(const char *);

wine_debug_channel wine_channel = { 0xff, "websocket" };
wine_header_fn wine_header;
wine_output_fn wine_output;

bool use_wine_debug(unsigned *flags)
{
    HMODULE ntdll = GetModuleHandleA("ntdll.dll");
    if (!ntdll)
        return false;
    auto get_flags = reinterpret_cast<wine_get_flags_fn>(
            reinterpret_cast<void *>(GetProcAddress(ntdll, "__wine_dbg_get_channel_flags")));
    wine_header = reinterpret_cast<wine_header_fn>(
            reinterpret_cast<void *>(GetProcAddress(ntdll, "__wine_dbg_header")));
    wine_output = reinterpret_cast<wine_output_fn>(
            reinterpret_cast<void *>(GetProcAddress(ntdll, "__wine_dbg_output")));
    if (!get_flags || !wine_header || !wine_output)
        return false;
    *flags = get_flags(&wine_channel) & all_classes;
    return true;
}

void program_name(char *name, size_t size)
{
    char path[MAX_PATH];
    DWORD len = GetModuleFileNameA(nullptr, path, sizeof(path));
    if (!len || len >= sizeof(path))
        path[0] = 0;
    const char *base = path;
    for (const char *p = path; *p; p++)
        if (*p == '\\' || *p == '/')
            base = p + 1;
    snprintf(name, size, "%s", base);
}

unsigned thread_id()
{
    return GetCurrentThreadId();
}
#else
void program_name(char *name, size_t size)
{
    snprintf(name, size, "%s", program_invocation_short_name);
}

unsigned thread_id()
{
    return static_cast<unsigned>(syscall(SYS_gettid));
}
#endif

/* One WINEDEBUG item: [program:][class]+channel, [class]-channel or a bare channel. */
void apply_item(char *item, const char *program, unsigned *defaults, unsigned *mine, bool *named)
{
    char *colon = strchr(item, ':');
    if (colon)
    {
        *colon = 0;
        if (strcasecmp(item, program))
            return;
        item = colon + 1;
    }
    char *sign = item + strcspn(item, "+-");
    unsigned set = all_classes, clear = 0;
    const char *channel = item;
    if (*sign)
    {
        unsigned mask = all_classes;
        if (sign != item)
        {
            mask = 0;
            for (unsigned cls = 0; cls < 4; cls++)
                if (strlen(class_names[cls]) == size_t(sign - item)
                        && !strncmp(item, class_names[cls], sign - item))
                    mask = 1u << cls;
            if (!mask)
                return;
        }
        set = *sign == '+' ? mask : 0;
        clear = *sign == '-' ? mask : 0;
        channel = sign + 1;
    }
    if (!strcmp(channel, "all"))
        *defaults = (*defaults & ~clear) | set;
    else if (!strcmp(channel, channel_name))
    {
        if (!*named)
            *mine = *defaults;
        *named = true;
        *mine = (*mine & ~clear) | set;
    }
}

unsigned parse_winedebug(const char *env)
{
    char program[64];
    program_name(program, sizeof(program));
    unsigned defaults = default_flags, mine = 0;
    bool named = false;
    while (env && *env)
    {
        size_t len = strcspn(env, ",");
        char item[64];
        if (len < sizeof(item))
        {
            memcpy(item, env, len);
            item[len] = 0;
            apply_item(item, program, &defaults, &mine, &named);
        }
        env += len + (env[len] == ',');
    }
    return named ? mine : defaults;
}

unsigned compute_flags()
{
#ifdef _WIN32
    unsigned flags;
    if (use_wine_debug(&flags))
        return flags;
    char env[512];
    DWORD len = GetEnvironmentVariableA("WINEDEBUG", env, sizeof(env));
    return parse_winedebug(len && len < sizeof(env) ? env : nullptr);
#else
    return parse_winedebug(getenv("WINEDEBUG"));
#endif
}

} /* namespace */

std::atomic<unsigned> debug_cached_flags{debug_flags_unset};

WS_EXPORT_CALLEE unsigned debug_flags_compute()
{
    unsigned flags = compute_flags();
    debug_cached_flags.store(flags, std::memory_order_relaxed);
    return flags;
}

void debug_printf(debug_class cls, const char *function, const char *format, ...)
{
    char line[1024];
    size_t len = 0;
#ifdef _WIN32
    if (wine_header && wine_header(cls, &wine_channel, function) == -1)
        return;
    if (!wine_header)
#endif
        len = snprintf(line, sizeof(line), "%04x:%s:%s:%s ", thread_id(), class_names[cls],
                channel_name, function);

    va_list args;
    va_start(args, format);
    int n = vsnprintf(line + len, sizeof(line) - len, format, args);
    va_end(args);
    if (n < 0)
        n = 0;
    len += size_t(n);
    if (len >= sizeof(line))
        memcpy(line + sizeof(line) - 5, "...\n", 5), len = sizeof(line) - 1;

#ifdef _WIN32
    if (wine_output)
    {
        wine_output(line);
        return;
    }
    fwrite(line, 1, len, stderr);
    fflush(stderr);
#else
    /* One write per line keeps lines from two threads apart. */
    for (size_t done = 0; done < len;)
    {
        ssize_t w = write(2, line + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        done += size_t(w);
    }
#endif
}

debug_string debugstr_an(const char *s, long len)
{
    debug_string out;
    if (!s)
    {
        snprintf(out.text, sizeof(out.text), "(null)");
        return out;
    }
    char *dst = out.text;
    char *const end = out.text + sizeof(out.text);
    *dst++ = '"';
    for (long i = 0; len < 0 ? s[i] != 0 : i < len; i++)
    {
        /* Room for one escaped byte (4) and then the cut-off mark "...\0 (5). */
        if (end - dst < 9)
        {
            memcpy(dst, "\"...", 5);
            return out;
        }
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c == '"' || c == '\\')
            *dst++ = '\\', *dst++ = char(c);
        else if (c >= ' ' && c < 0x7f)
            *dst++ = char(c);
        else
            dst += snprintf(dst, 5, "\\x%02x", c);
    }
    *dst++ = '"';
    *dst = 0;
    return out;
}

} /* namespace ws */
