/*
 * Unit tests: the platform seam when the system calls misbehave
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
 * Linked with --wrap for getrandom, open64, read and write, so each can be
 * made to fail, be interrupted or come back short: a kernel without
 * getrandom() (the /dev/urandom fallback), a sandbox that forbids it, a
 * closed standard error.
 */

#include "cmocka_cxx.h"

#include <errno.h>
#include <fcntl.h>
#include <initializer_list>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <wchar.h>
#include <unistd.h>

#include "debug.h"
#include "entropy.h"

extern "C" {
ssize_t __real_getrandom(void *buf, size_t len, unsigned flags);
int __real_open64(const char *path, int flags, ...);
ssize_t __real_read(int fd, void *buf, size_t len);
ssize_t __real_write(int fd, const void *buf, size_t len);
}

namespace {

/* Scripts: each entry is one call's fate, then the real call takes over.
 * 0 = real call; -E = fail with errno E; n > 0 = at most n bytes. */
struct script
{
    int steps[8];
    int count, at;
    int next()
    {
        return at < count ? steps[at++] : 0;
    }
};

script getrandom_script, open_script, read_script, write_script;
int writes;

void set(script &s, std::initializer_list<int> steps)
{
    s.count = 0;
    s.at = 0;
    for (int step : steps)
        s.steps[s.count++] = step;
}

bool all_zero(const unsigned char *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (p[i])
            return false;
    return true;
}

} /* namespace */

extern "C" ssize_t __wrap_getrandom(void *buf, size_t len, unsigned flags)
{
    int step = getrandom_script.next();
    if (step < 0)
    {
        errno = -step;
        return -1;
    }
    if (step == 1000)
        return 0;
    return __real_getrandom(buf, step && size_t(step) < len ? size_t(step) : len, flags);
}

extern "C" int __wrap_open64(const char *path, int flags, ...)
{
    int step = open_script.next();
    if (step < 0)
    {
        errno = -step;
        return -1;
    }
    return __real_open64(path, flags);
}

extern "C" ssize_t __wrap_read(int fd, void *buf, size_t len)
{
    int step = read_script.next();
    if (step < 0)
    {
        errno = -step;
        return -1;
    }
    if (step == 1000)
        return 0;
    return __real_read(fd, buf, step && size_t(step) < len ? size_t(step) : len);
}

extern "C" ssize_t __wrap_write(int fd, const void *buf, size_t len)
{
    int step = write_script.next();
    writes++;
    if (step < 0)
    {
        errno = -step;
        return -1;
    }
    if (step == 1000)
        return 0;
    return __real_write(fd, buf, step && size_t(step) < len ? size_t(step) : len);
}

/* getrandom() interrupted, or short: it is called again until done. */
static void test_getrandom_interrupted_and_short(void **)
{
    unsigned char buf[64] = {};
    set(getrandom_script, { -EINTR, 10, -EINTR, 20 });
    assert_true(ws::system_random(buf, sizeof(buf)));
    assert_int_equal(getrandom_script.at, 4);
    assert_false(all_zero(buf + 48, 16));
}

/* Any other error, or nothing read, is a failure, never a weak value. */
static void test_getrandom_fails(void **)
{
    unsigned char buf[16];
    set(getrandom_script, { -EIO });
    assert_false(ws::system_random(buf, sizeof(buf)));
    set(getrandom_script, { 1000 });
    assert_false(ws::system_random(buf, sizeof(buf)));
}

/* No getrandom() (ENOSYS) or forbidden (EPERM): the same CSPRNG through
 * /dev/urandom, its open and reads interrupted or short on the way. */
static void test_urandom_fallback(void **)
{
    unsigned char buf[64] = {};
    set(getrandom_script, { -ENOSYS });
    set(open_script, { -EINTR });
    set(read_script, { -EINTR, 7, 9 });
    assert_true(ws::system_random(buf, sizeof(buf)));
    assert_int_equal(open_script.at, 1);
    assert_int_equal(read_script.at, 3);
    assert_false(all_zero(buf + 32, 32));

    memset(buf, 0, sizeof(buf));
    set(getrandom_script, { -EPERM });
    set(open_script, {});
    set(read_script, {});
    assert_true(ws::system_random(buf, sizeof(buf)));
    assert_false(all_zero(buf + 32, 32));
}

/* The fallback fails when /dev/urandom cannot be opened or read. */
static void test_urandom_fallback_fails(void **)
{
    unsigned char buf[16];
    set(getrandom_script, { -ENOSYS });
    set(open_script, { -ENOENT });
    assert_false(ws::system_random(buf, sizeof(buf)));
    set(getrandom_script, { -ENOSYS });
    set(open_script, {});
    set(read_script, { -EIO });
    assert_false(ws::system_random(buf, sizeof(buf)));
    set(getrandom_script, { -ENOSYS });
    set(read_script, { 1000 });
    assert_false(ws::system_random(buf, sizeof(buf)));
}

/* A trace line is one write, continued after an interruption or a short
 * write, and given up when standard error refuses it. */
static void test_debug_write(void **)
{
    set(write_script, { -EINTR, 5 });
    writes = 0;
    ws::debug_printf(ws::DEBUG_TRACE, "test", "%s\n", "interrupted and short");
    assert_int_equal(writes, 3);
    set(write_script, { -EBADF });
    writes = 0;
    ws::debug_printf(ws::DEBUG_TRACE, "test", "%s\n", "refused");
    assert_int_equal(writes, 1);
    set(write_script, { 1000 });
    writes = 0;
    ws::debug_printf(ws::DEBUG_TRACE, "test", "%s\n", "nothing written");
    assert_int_equal(writes, 1);
}

/* A line longer than the line buffer ends in "..."; a format the C library
 * cannot convert (a lone surrogate in the C locale) still writes the prefix. */
static void test_debug_long_and_unconvertible(void **)
{
    static char longer[2000];
    memset(longer, 'x', sizeof(longer) - 1);
    set(write_script, {});
    writes = 0;
    ws::debug_printf(ws::DEBUG_TRACE, "test", "%s\n", longer);
    ws::debug_printf(ws::DEBUG_TRACE, "test", "%lc\n", (wint_t)0xd800);
    assert_int_equal(writes, 2);
}

/* WINEDEBUG items naming a program apply to that program only; a class
 * before the sign limits the item to it; an unknown class is ignored. */
static void test_winedebug_items(void **)
{
    const unsigned defaults = (1u << ws::DEBUG_FIXME) | (1u << ws::DEBUG_ERR);
    setenv("WINEDEBUG", "someone-else:+websocket", 1);
    assert_int_equal(ws::debug_flags_compute(), defaults);
    setenv("WINEDEBUG", "unit_system_calls:trace+websocket", 1);
    assert_int_equal(ws::debug_flags_compute(), defaults | (1u << ws::DEBUG_TRACE));
    setenv("WINEDEBUG", "err-websocket", 1);
    assert_int_equal(ws::debug_flags_compute(), 1u << ws::DEBUG_FIXME);
    setenv("WINEDEBUG", "loud+websocket", 1);
    assert_int_equal(ws::debug_flags_compute(), defaults);
    unsetenv("WINEDEBUG");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_getrandom_interrupted_and_short),
        cmocka_unit_test(test_getrandom_fails),
        cmocka_unit_test(test_urandom_fallback),
        cmocka_unit_test(test_urandom_fallback_fails),
        cmocka_unit_test(test_debug_write),
        cmocka_unit_test(test_debug_long_and_unconvertible),
        cmocka_unit_test(test_winedebug_items),
    };
    return cmocka_run_group_tests_name("system calls", tests, nullptr, nullptr);
}
