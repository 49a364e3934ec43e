/*
 * The per-handle lock, natively and as a PE program under Wine: the sleeping
 * half differs (a futex, WaitOnAddress), so both run it
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

#include <atomic>

#include "lock.h"
#include "wine/test.h"

#ifndef _WIN32
#include <pthread.h>
#include <sched.h>
#endif

/* Threads and sleeps: Windows ones on PE, POSIX ones natively. */
#ifdef _WIN32
typedef HANDLE test_thread;
typedef DWORD(WINAPI *thread_proc)(void *);
#define THREAD_PROC(name) DWORD WINAPI name(void *arg)
#define THREAD_RETURN return 0
static bool start_thread(test_thread *t, thread_proc proc, void *arg)
{
    *t = CreateThread(NULL, 0, proc, arg, 0, NULL);
    return *t != NULL;
}
static void join_thread(test_thread t)
{
    WaitForSingleObject(t, INFINITE);
    CloseHandle(t);
}
static void sleep_ms(unsigned ms) { Sleep(ms); }
static void yield_thread() { Sleep(0); }
#else
typedef pthread_t test_thread;
typedef void *(*thread_proc)(void *);
#define THREAD_PROC(name) void *name(void *arg)
#define THREAD_RETURN return nullptr
static bool start_thread(test_thread *t, thread_proc proc, void *arg)
{
    return !pthread_create(t, nullptr, proc, arg);
}
static void join_thread(test_thread t) { pthread_join(t, nullptr); }
static void sleep_ms(unsigned ms) { usleep(ms * 1000); }
static void yield_thread() { sched_yield(); }
#endif

/* Waits up to five seconds for flag: a lost wake-up fails instead of hanging. */
static bool wait_for(const std::atomic<bool> &flag)
{
    for (int i = 0; i < 5000 && !flag.load(); i++)
        sleep_ms(1);
    return flag.load();
}

static ws::mutex first_lock;
static std::atomic<bool> first_taken;

static THREAD_PROC(take_first_lock)
{
    (void)arg;
    first_lock.lock();
    first_taken = true;
    first_lock.unlock();
    THREAD_RETURN;
}

/* Runs first: natively the lock is taken while the process has one thread
 * (no atomic instructions), then a second thread must sleep on it and be woken. */
static void test_held_across_first_thread()
{
    test_thread thread;
    first_lock.lock();
    bool started = start_thread(&thread, take_first_lock, nullptr);
    ok(started, "cannot start a thread\n");
    if (!started)
    {
        first_lock.unlock();
        return;
    }
    sleep_ms(50);   /* long enough to go to sleep on the word */
    ok(!first_taken.load(), "the lock was taken while held\n");
    first_lock.unlock();
    bool woken = wait_for(first_taken);
    ok(woken, "the sleeper was not woken\n");
    if (woken)   /* a thread stuck asleep is left to the process's exit */
        join_thread(thread);
}

struct sleeper
{
    ws::mutex *lock;
    std::atomic<bool> started{false}, done{false};
};

static THREAD_PROC(sleep_on_lock)
{
    sleeper *s = static_cast<sleeper *>(arg);
    s->started = true;
    s->lock->lock();
    s->done = true;
    s->lock->unlock();
    THREAD_RETURN;
}

static void test_sleepers_are_woken()
{
    /* Three threads asleep on one held lock: each release wakes the next. */
    ws::mutex lock;
    sleeper s[3];
    test_thread threads[3];
    int started = 0;
    lock.lock();
    for (int i = 0; i < 3; i++)
    {
        s[i].lock = &lock;
        if (!start_thread(&threads[i], sleep_on_lock, &s[i]))
            break;
        started++;
    }
    ok(started == 3, "started %d threads\n", started);
    for (int i = 0; i < started; i++)
        ok(wait_for(s[i].started), "thread %d did not start\n", i);
    sleep_ms(50);
    for (int i = 0; i < started; i++)
        ok(!s[i].done.load(), "thread %d took the lock while held\n", i);
    lock.unlock();
    bool all_woken = true;
    for (int i = 0; i < started; i++)
    {
        bool woken = wait_for(s[i].done);
        ok(woken, "thread %d was not woken\n", i);
        all_woken = all_woken && woken;
    }
    if (all_woken)
        for (int i = 0; i < started; i++)
            join_thread(threads[i]);
}

static const long rounds = 200000;
static ws::mutex counter_lock;
static long counter;   /* plain: only the lock keeps the increments whole (and TSan checks it) */

static THREAD_PROC(count_up)
{
    (void)arg;
    for (long i = 0; i < rounds; i++)
    {
        counter_lock.lock();
        long seen = counter;
        if (i % 1024 == 0)
            yield_thread();   /* hold it a while now and then, so others sleep on it */
        counter = seen + 1;
        counter_lock.unlock();
    }
    THREAD_RETURN;
}

static void test_exclusion()
{
    test_thread threads[4];
    int started = 0;
    counter = 0;
    for (int i = 0; i < 4 && start_thread(&threads[i], count_up, nullptr); i++)
        started++;
    ok(started == 4, "started %d threads\n", started);
    for (int i = 0; i < started; i++)
        join_thread(threads[i]);
    ok(counter == started * rounds, "counted %ld, expected %ld\n", counter, started * rounds);
}

START_TEST(lock)
{
    test_held_across_first_thread();
    test_sleepers_are_woken();
    test_exclusion();
}
