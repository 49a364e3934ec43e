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
#include <unistd.h>
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

static void test_insert_lock_close(void **)
{
    ws::handle_held held = {};
    int object;
    destroyed = 0;
    uintptr_t handle = ws::handle_insert(&object, count_destroy);
    assert_true(handle != 0);
    assert_ptr_equal(ws::handle_lock(handle, &held), &object);
    ws::handle_unlock(held);
    /* The lock is released: it can be taken again. */
    assert_ptr_equal(ws::handle_lock(handle, &held), &object);
    ws::handle_unlock(held);
    assert_true(ws::handle_close(handle));
    assert_int_equal(destroyed, 1);
    /* Deleted: refused, and closing again is harmless. */
    assert_null(ws::handle_lock(handle, &held));
    assert_false(ws::handle_close(handle));
    assert_int_equal(destroyed, 1);
}

static void test_garbage_handles(void **)
{
    ws::handle_held held = {};
    int object;
    uintptr_t handle = ws::handle_insert(&object, count_destroy);
    assert_null(ws::handle_lock(0, &held));
    assert_null(ws::handle_lock(handle + 1, &held));
    assert_null(ws::handle_lock(handle ^ (uintptr_t(1) << (sizeof(uintptr_t) * 4)), &held));
    assert_null(ws::handle_lock(uintptr_t(&object), &held));
    assert_null(ws::handle_lock(~uintptr_t(0), &held));
    assert_false(ws::handle_close(12345));
    assert_false(ws::handle_close(0));
    /* A refused handle leaves no lock held. */
    assert_ptr_equal(ws::handle_lock(handle, &held), &object);
    ws::handle_unlock(held);
    assert_true(ws::handle_close(handle));
}

static void test_recycled_slot_refuses_old_handle(void **)
{
    ws::handle_held held = {};
    int a, b;
    uintptr_t first = ws::handle_insert(&a, count_destroy);
    assert_true(ws::handle_close(first));
    uintptr_t second = ws::handle_insert(&b, count_destroy);
    assert_true(second != first);
    assert_null(ws::handle_lock(first, &held));
    assert_false(ws::handle_close(first));
    assert_ptr_equal(ws::handle_lock(second, &held), &b);
    ws::handle_unlock(held);
    assert_true(ws::handle_close(second));
}

namespace {

struct held_call
{
    uintptr_t handle;
    ws::handle_held held = {};
    std::atomic<bool> locked{false}, returned{false};
};

std::atomic<bool> destroyed_after_return;
std::atomic<int> closing_destroyed;

void check_destroy(void *object)
{
    destroyed_after_return = static_cast<held_call *>(object)->returned.load();
    closing_destroyed++;
}

void *long_call(void *arg)
{
    held_call *call = static_cast<held_call *>(arg);
    assert_ptr_equal(ws::handle_lock(call->handle, &call->held), call);
    call->locked = true;
    usleep(50000);
    call->returned = true;
    ws::handle_unlock(call->held);
    return nullptr;
}

} /* namespace */

static void test_close_waits_for_the_call(void **)
{
    ws::handle_held held = {};
    /* A Delete racing a call: the object goes only once the call returns. */
    held_call call;
    closing_destroyed = 0;
    call.handle = ws::handle_insert(&call, check_destroy);
    pthread_t thread;
    pthread_create(&thread, nullptr, long_call, &call);
    while (!call.locked)
        usleep(100);
    assert_true(ws::handle_close(call.handle));
    assert_int_equal(closing_destroyed.load(), 1);
    assert_true(destroyed_after_return.load());
    assert_null(ws::handle_lock(call.handle, &held));
    pthread_join(thread, nullptr);
}

static void test_many_handles(void **)
{
    ws::handle_held held = {};
    static uintptr_t handles[3000];
    static int objects[3000];
    destroyed = 0;
    for (int i = 0; i < 3000; i++)
    {
        handles[i] = ws::handle_insert(&objects[i], count_destroy);
        assert_true(handles[i] != 0);
    }
    for (int i = 0; i < 3000; i++)
        assert_ptr_equal(ws::handle_lock(handles[i], &held), &objects[i]), ws::handle_unlock(held);
    for (int i = 0; i < 3000; i++)
        assert_true(ws::handle_close(handles[i]));
    assert_int_equal(destroyed, 3000);
}

namespace {

struct racing_object
{
    std::atomic<bool> alive{true};
    long counter = 0;   /* changed only under the handle's lock: TSan checks it */
};

std::atomic<int> racing_destroyed;
std::atomic<bool> stop, used_after_destroy;

void racing_destroy(void *object)
{
    static_cast<racing_object *>(object)->alive = false;
    racing_destroyed++;
}

void *hammer(void *arg)
{
    uintptr_t handle = *static_cast<uintptr_t *>(arg);
    ws::handle_held held = {};
    while (!stop.load())
    {
        racing_object *o = static_cast<racing_object *>(ws::handle_lock(handle, &held));
        if (!o)
            continue;
        if (!o->alive)
            used_after_destroy = true;
        o->counter++;
        ws::handle_unlock(held);
    }
    return nullptr;
}

} /* namespace */

static void test_close_races_calls(void **)
{
    /* Calls on other threads while handles are closed: each object is
     * destroyed exactly once, and never handed out after. */
    used_after_destroy = false;
    for (int round = 0; round < 200; round++)
    {
        racing_object object;
        uintptr_t handle = ws::handle_insert(&object, racing_destroy);
        pthread_t threads[2];
        stop = false;
        for (auto &t : threads)
            pthread_create(&t, nullptr, hammer, &handle);
        usleep(round % 4 * 100);
        assert_true(ws::handle_close(handle));
        stop = true;
        for (auto &t : threads)
            pthread_join(t, nullptr);
        assert_int_equal(racing_destroyed.load(), round + 1);
    }
    assert_false(used_after_destroy.load());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_insert_lock_close),
        cmocka_unit_test(test_garbage_handles),
        cmocka_unit_test(test_recycled_slot_refuses_old_handle),
        cmocka_unit_test(test_close_waits_for_the_call),
        cmocka_unit_test(test_many_handles),
        cmocka_unit_test(test_close_races_calls),
    };
    return cmocka_run_group_tests_name("handle_table", tests, nullptr, nullptr);
}
