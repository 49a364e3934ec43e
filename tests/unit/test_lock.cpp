/*
 * Unit tests: the per-handle lock
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
#include <sched.h>
#include <unistd.h>
#include <atomic>

#include "lock.h"

namespace {

ws::mutex first_lock;
std::atomic<bool> first_taken;

void *take_first_lock(void *)
{
    first_lock.lock();
    first_taken = true;
    first_lock.unlock();
    return nullptr;
}

/* Waits up to five seconds for flag; a lost wake-up fails instead of hanging. */
bool wait_for(const std::atomic<bool> &flag)
{
    for (int i = 0; i < 5000 && !flag.load(); i++)
        usleep(1000);
    return flag.load();
}

} /* namespace */

/* Must run first: the lock is taken while the process has one thread (no
 * atomic instructions), then a second thread has to wait for it and be woken. */
static void test_held_across_first_thread(void **)
{
    first_lock.lock();
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, nullptr, take_first_lock, nullptr), 0);
    usleep(50000);   /* long enough to go to sleep on the word */
    assert_false(first_taken.load());
    first_lock.unlock();
    assert_true(wait_for(first_taken));
    pthread_join(thread, nullptr);
}

namespace {

struct sleeper
{
    ws::mutex *lock;
    std::atomic<bool> started{false}, done{false};
};

void *sleep_on_lock(void *arg)
{
    sleeper *s = static_cast<sleeper *>(arg);
    s->started = true;
    s->lock->lock();
    s->done = true;
    s->lock->unlock();
    return nullptr;
}

} /* namespace */

static void test_sleepers_are_woken(void **)
{
    /* Three threads asleep on one held lock: each release wakes the next. */
    ws::mutex lock;
    sleeper s[3];
    pthread_t threads[3];
    lock.lock();
    for (int i = 0; i < 3; i++)
    {
        s[i].lock = &lock;
        assert_int_equal(pthread_create(&threads[i], nullptr, sleep_on_lock, &s[i]), 0);
    }
    for (auto &one : s)
        assert_true(wait_for(one.started));
    usleep(50000);
    for (auto &one : s)
        assert_false(one.done.load());
    lock.unlock();
    for (auto &one : s)
        assert_true(wait_for(one.done));
    for (auto &t : threads)
        pthread_join(t, nullptr);
}

namespace {

constexpr long rounds = 200000;
ws::mutex counter_lock;
long counter;   /* plain: only the lock keeps the increments whole (and TSan checks it) */

void *count_up(void *)
{
    for (long i = 0; i < rounds; i++)
    {
        counter_lock.lock();
        long seen = counter;
        if (i % 1024 == 0)
            sched_yield();   /* hold it a while now and then, so others sleep on it */
        counter = seen + 1;
        counter_lock.unlock();
    }
    return nullptr;
}

} /* namespace */

static void test_exclusion(void **)
{
    pthread_t threads[4];
    counter = 0;
    for (auto &t : threads)
        assert_int_equal(pthread_create(&t, nullptr, count_up, nullptr), 0);
    for (auto &t : threads)
        pthread_join(t, nullptr);
    assert_int_equal(counter, 4 * rounds);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_held_across_first_thread),
        cmocka_unit_test(test_sleepers_are_woken),
        cmocka_unit_test(test_exclusion),
    };
    return cmocka_run_group_tests_name("lock", tests, nullptr, nullptr);
}
