/*
 * Unit tests: the handle table
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

#include "cmocka_cxx.h"

#include <pthread.h>
#include <atomic>

#include "handle_table.h"

namespace {

int destroyed;

void count_destroy(void *object)
{
    (void)object;
    destroyed++;
}

} /* namespace */

static void test_insert_acquire_close(void **)
{
    int object;
    destroyed = 0;
    uintptr_t handle = ws::handle_insert(&object, count_destroy);
    assert_true(handle != 0);
    assert_ptr_equal(ws::handle_acquire(handle), &object);
    ws::handle_release(handle);
    assert_true(ws::handle_close(handle));
    assert_int_equal(destroyed, 1);
    /* Deleted: refused, and closing again is harmless. */
    assert_null(ws::handle_acquire(handle));
    assert_false(ws::handle_close(handle));
    assert_int_equal(destroyed, 1);
}

static void test_garbage_handles(void **)
{
    int object;
    uintptr_t handle = ws::handle_insert(&object, count_destroy);
    assert_null(ws::handle_acquire(0));
    assert_null(ws::handle_acquire(handle + 1));
    assert_null(ws::handle_acquire(handle ^ (uintptr_t(1) << (sizeof(uintptr_t) * 4))));
    assert_null(ws::handle_acquire(uintptr_t(&object)));
    assert_null(ws::handle_acquire(~uintptr_t(0)));
    assert_false(ws::handle_close(12345));
    assert_true(ws::handle_close(handle));
}

static void test_recycled_slot_refuses_old_handle(void **)
{
    int a, b;
    uintptr_t first = ws::handle_insert(&a, count_destroy);
    assert_true(ws::handle_close(first));
    uintptr_t second = ws::handle_insert(&b, count_destroy);
    assert_true(second != first);
    assert_null(ws::handle_acquire(first));
    assert_ptr_equal(ws::handle_acquire(second), &b);
    ws::handle_release(second);
    assert_true(ws::handle_close(second));
}

static void test_close_waits_for_references(void **)
{
    int object;
    destroyed = 0;
    uintptr_t handle = ws::handle_insert(&object, count_destroy);
    assert_ptr_equal(ws::handle_acquire(handle), &object);
    assert_true(ws::handle_close(handle));
    /* Closed, so new calls are refused, but the call in flight still owns it. */
    assert_null(ws::handle_acquire(handle));
    assert_int_equal(destroyed, 0);
    ws::handle_release(handle);
    assert_int_equal(destroyed, 1);
}

static void test_many_handles(void **)
{
    static uintptr_t handles[3000];
    static int objects[3000];
    destroyed = 0;
    for (int i = 0; i < 3000; i++)
    {
        handles[i] = ws::handle_insert(&objects[i], count_destroy);
        assert_true(handles[i] != 0);
    }
    for (int i = 0; i < 3000; i++)
        assert_ptr_equal(ws::handle_acquire(handles[i]), &objects[i]), ws::handle_release(handles[i]);
    for (int i = 0; i < 3000; i++)
        assert_true(ws::handle_close(handles[i]));
    assert_int_equal(destroyed, 3000);
}

namespace {

std::atomic<int> racing_destroyed;
std::atomic<bool> stop;

void racing_destroy(void *)
{
    racing_destroyed++;
}

void *hammer(void *arg)
{
    uintptr_t handle = *static_cast<uintptr_t *>(arg);
    while (!stop.load())
        if (ws::handle_acquire(handle))
            ws::handle_release(handle);
    return nullptr;
}

} /* namespace */

static void test_close_races_acquire(void **)
{
    /* Acquire/release on other threads while handles are closed: each object
     * is destroyed exactly once. */
    for (int round = 0; round < 200; round++)
    {
        int object;
        uintptr_t handle = ws::handle_insert(&object, racing_destroy);
        pthread_t threads[2];
        stop = false;
        for (auto &t : threads)
            pthread_create(&t, nullptr, hammer, &handle);
        assert_true(ws::handle_close(handle));
        stop = true;
        for (auto &t : threads)
            pthread_join(t, nullptr);
        assert_int_equal(racing_destroyed.load(), round + 1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_insert_acquire_close),
        cmocka_unit_test(test_garbage_handles),
        cmocka_unit_test(test_recycled_slot_refuses_old_handle),
        cmocka_unit_test(test_close_waits_for_references),
        cmocka_unit_test(test_many_handles),
        cmocka_unit_test(test_close_races_acquire),
    };
    return cmocka_run_group_tests_name("handle_table", tests, nullptr, nullptr);
}
