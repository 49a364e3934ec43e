/*
 * Conformance test framework with Wine's test.h interface (standalone, one file per test)
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

/*
 * The same macros and output as Wine's include/wine/test.h, so a test file
 * written against it reads like any Wine conformance test and could move to
 * Wine's tree unchanged.  Only the standalone form exists: START_TEST makes
 * main().  Checks may run on several threads at once.
 */

#ifndef __WINE_WINE_TEST_H
#define __WINE_WINE_TEST_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#include <windows.h>
#else
#include <unistd.h>
#endif

#if defined(__GNUC__)
#define WINETEST_PRINTF_ATTR(fmt, args) __attribute__((format(printf, fmt, args)))
#define WINETEST_UNUSED __attribute__((unused))
#else
#define WINETEST_PRINTF_ATTR(fmt, args)
#define WINETEST_UNUSED
#endif

struct winetest_location
{
    const char *file;
    int line;
    unsigned todo_level;  /* a stack of todo flags, one bit per nested todo block */
    int todo_do_loop;
    char context[8][128];
    int context_count;
};

static __thread struct winetest_location winetest_here;
static int winetest_debug = 1;
static int winetest_report_success;
static int winetest_is_wine = 1;
static long winetest_successes, winetest_failures, winetest_todos, winetest_skipped;

static WINETEST_UNUSED void winetest_add(long *counter)
{
    __atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);
}

static WINETEST_UNUSED void winetest_set_location(const char *file, int line)
{
    const char *slash = strrchr(file, '/'), *backslash = strrchr(file, '\\');
    if (backslash > slash)
        slash = backslash;
    winetest_here.file = slash ? slash + 1 : file;
    winetest_here.line = line;
}

static WINETEST_UNUSED void winetest_print_prefix(void)
{
    int i;
    printf("%s:%d: ", winetest_here.file, winetest_here.line);
    for (i = 0; i < winetest_here.context_count && i < 8; i++)
        printf("%s: ", winetest_here.context[i]);
}

static WINETEST_UNUSED int winetest_vok(int condition, const char *msg, va_list args)
{
    if (winetest_here.todo_level & 1)
    {
        if (condition)
        {
            winetest_print_prefix();
            printf("Test succeeded inside todo block: ");
            vprintf(msg, args);
            winetest_add(&winetest_failures);
            return 0;
        }
        if (winetest_debug > 0)
        {
            winetest_print_prefix();
            printf("Test marked todo: ");
            vprintf(msg, args);
        }
        winetest_add(&winetest_todos);
        return 1;
    }
    if (!condition)
    {
        winetest_print_prefix();
        printf("Test failed: ");
        vprintf(msg, args);
        fflush(stdout);
        winetest_add(&winetest_failures);
        return 0;
    }
    if (winetest_report_success)
    {
        winetest_print_prefix();
        printf("Test succeeded\n");
    }
    winetest_add(&winetest_successes);
    return 1;
}

static WINETEST_UNUSED WINETEST_PRINTF_ATTR(2, 3) int winetest_ok(int condition, const char *msg, ...)
{
    va_list args;
    int ret;
    va_start(args, msg);
    ret = winetest_vok(condition, msg, args);
    va_end(args);
    return ret;
}

static WINETEST_UNUSED WINETEST_PRINTF_ATTR(1, 2) void winetest_trace(const char *msg, ...)
{
    va_list args;
    if (winetest_debug <= 0)
        return;
    winetest_print_prefix();
    va_start(args, msg);
    vprintf(msg, args);
    va_end(args);
}

static WINETEST_UNUSED WINETEST_PRINTF_ATTR(1, 2) void winetest_skip(const char *msg, ...)
{
    va_list args;
    winetest_print_prefix();
    printf("Tests skipped: ");
    va_start(args, msg);
    vprintf(msg, args);
    va_end(args);
    winetest_add(&winetest_skipped);
}

/* Missing on some Windows: a skip there, a failure on Wine, which must have it. */
static WINETEST_UNUSED WINETEST_PRINTF_ATTR(1, 2) void winetest_win_skip(const char *msg, ...)
{
    va_list args;
    va_start(args, msg);
    if (winetest_is_wine)
        winetest_vok(0, msg, args);
    else
    {
        winetest_print_prefix();
        printf("Tests skipped: ");
        vprintf(msg, args);
        winetest_add(&winetest_skipped);
    }
    va_end(args);
}

static WINETEST_UNUSED int winetest_broken(int condition)
{
    return !winetest_is_wine && condition;
}

static WINETEST_UNUSED void winetest_start_todo(int is_todo)
{
    winetest_here.todo_level = (winetest_here.todo_level << 1) | (is_todo != 0);
    winetest_here.todo_do_loop = 1;
}

static WINETEST_UNUSED int winetest_loop_todo(void)
{
    int do_loop = winetest_here.todo_do_loop;
    winetest_here.todo_do_loop = 0;
    return do_loop;
}

static WINETEST_UNUSED void winetest_end_todo(void)
{
    winetest_here.todo_level >>= 1;
}

static WINETEST_UNUSED WINETEST_PRINTF_ATTR(1, 2) void winetest_push_context(const char *fmt, ...)
{
    va_list args;
    if (winetest_here.context_count < 8)
    {
        va_start(args, fmt);
        vsnprintf(winetest_here.context[winetest_here.context_count], 128, fmt, args);
        va_end(args);
    }
    winetest_here.context_count++;
}

static WINETEST_UNUSED void winetest_pop_context(void)
{
    if (winetest_here.context_count)
        winetest_here.context_count--;
}

static WINETEST_UNUSED unsigned winetest_pid(void)
{
#ifdef _WIN32
    return GetCurrentProcessId();
#else
    return (unsigned)getpid();
#endif
}

static WINETEST_UNUSED void winetest_init(void)
{
    const char *env;
    if ((env = getenv("WINETEST_DEBUG")))
        winetest_debug = atoi(env);
    if ((env = getenv("WINETEST_REPORT_SUCCESS")))
        winetest_report_success = atoi(env);
#ifdef _WIN32
    /* The platform is Wine when ntdll has Wine's server call. */
    winetest_is_wine = GetProcAddress(GetModuleHandleA("ntdll.dll"), "wine_server_call") != NULL;
#endif
    if ((env = getenv("WINETEST_PLATFORM")))
        winetest_is_wine = !strcmp(env, "wine");
    setvbuf(stdout, NULL, _IONBF, 0);
}

static WINETEST_UNUSED int winetest_summary(const char *name)
{
    long total = winetest_successes + winetest_failures + winetest_todos;
    if (winetest_debug > 0)
        printf("%04x:%s: %ld tests executed (%ld marked as todo, 0 as flaky, %ld %s), %ld skipped.\n",
               winetest_pid(), name, total, winetest_todos, winetest_failures,
               winetest_failures == 1 ? "failure" : "failures", winetest_skipped);
    return winetest_failures > 255 ? 255 : (int)winetest_failures;
}

#define ok_(file, line) (winetest_set_location(file, line), 0) ? (void)0 : (void)winetest_ok
#define ok ok_(__FILE__, __LINE__)
#define trace_(file, line) (winetest_set_location(file, line), 0) ? (void)0 : winetest_trace
#define trace trace_(__FILE__, __LINE__)
#define skip_(file, line) (winetest_set_location(file, line), 0) ? (void)0 : winetest_skip
#define skip skip_(__FILE__, __LINE__)
#define win_skip_(file, line) (winetest_set_location(file, line), 0) ? (void)0 : winetest_win_skip
#define win_skip win_skip_(__FILE__, __LINE__)
#define broken(x) winetest_broken(x)

#define todo_if(is_todo) for (winetest_start_todo(is_todo); winetest_loop_todo(); winetest_end_todo())
#define todo_wine_if(is_todo) todo_if((is_todo) && winetest_is_wine)
#define todo_wine todo_wine_if(1)

#define START_TEST(name) \
    static void func_##name(void); \
    int main(int argc, char **argv) \
    { \
        (void)argc; (void)argv; \
        winetest_init(); \
        func_##name(); \
        return winetest_summary(#name); \
    } \
    static void func_##name(void)

#endif /* __WINE_WINE_TEST_H */
