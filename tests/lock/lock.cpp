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
#include <stdint.h>

#include "handle_table.h"
#include "lock.h"
#include "thread_owner.h"
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

/* ---- The handle's lock: biased to the creating thread (biased_lock.h) ---- */

static std::atomic<int> destroyed;
static void count_destroy(void *) { destroyed++; }

static bool biased_to_me(uintptr_t handle)
{
    ws::handle_slot *s = ws::handle_layout::slot_of(handle);
    return s && s->lock.biased_to_caller();
}

/* Another thread's call on the handle: takes it, notes how, holds it a while. */
struct other_call
{
    uintptr_t handle = 0;
    std::atomic<bool> started{false}, taken{false}, done{false};
    bool was_biased = false;
    void *object = nullptr;
};

static THREAD_PROC(call_from_other_thread)
{
    other_call *c = static_cast<other_call *>(arg);
    c->started = true;
    ws::handle_held held = {};
    c->object = ws::handle_lock(c->handle, &held);
    if (c->object)
    {
        c->was_biased = held.biased != nullptr;
        c->taken = true;
        ws::handle_unlock(held);
    }
    c->done = true;
    THREAD_RETURN;
}

static bool run_other(other_call *c, test_thread *thread)
{
    bool started = start_thread(thread, call_from_other_thread, c);
    ok(started, "cannot start a thread\n");
    return started;
}

/* One call on handle from another thread, waited for. */
static bool call_once_elsewhere(uintptr_t handle, other_call *c)
{
    test_thread thread;
    c->handle = handle;
    if (!run_other(c, &thread))
        return false;
    join_thread(thread);
    return true;
}

/* Uncontended: the creating thread takes and releases its handle's lock
 * through the bias, with no atomic instruction. */
static void test_bias_uncontended()
{
    int object;
    uintptr_t handle = ws::handle_insert(&object, count_destroy);
    ok(handle != 0, "insert failed\n");
    ok(biased_to_me(handle), "a new handle is not biased to its creator\n");
    for (int i = 0; i < 3; i++)
    {
        ws::handle_held held = {};
        ok(ws::handle_lock(handle, &held) == &object, "lock %d failed\n", i);
        ok(held.biased != nullptr, "lock %d not taken through the bias\n", i);
        ok(held.biased && held.biased->inside.load() == held.slot, "the record does not say it is inside\n");
        ws::handle_unlock(held);
        ok(held.biased && held.biased->inside.load() == nullptr, "the record still says it is inside\n");
    }
    ok(ws::thread_owners_in_use() >= 1, "no thread record in use\n");
    destroyed = 0;
    ok(ws::handle_close(handle), "close failed\n");
    ok(destroyed == 1, "destroyed %d times\n", destroyed.load());
}

/* Revoked: the first call from another thread ends the bias for good; both
 * threads then take the word. */
static void test_bias_revoked()
{
    int object;
    uintptr_t handle = ws::handle_insert(&object, count_destroy);
    other_call c;
    if (!call_once_elsewhere(handle, &c))
        return;
    ok(c.object == &object, "the other thread was refused\n");
    ok(!c.was_biased, "the other thread took the creator's bias\n");
    ok(!biased_to_me(handle), "the bias survived another thread's call\n");
    ws::handle_held held = {};
    ok(ws::handle_lock(handle, &held) == &object, "lock failed after revocation\n");
    ok(held.biased == nullptr, "the creator still takes the lock through the bias\n");
    ws::handle_unlock(held);
    ok(ws::handle_close(handle), "close failed\n");
}

/* Contended: the owner is inside through the bias when another thread
 * comes; it must wait for the owner to leave (the revocation waits for it). */
static void test_bias_contended()
{
    int object;
    uintptr_t handle = ws::handle_insert(&object, count_destroy);
    ws::handle_held held = {};
    ok(ws::handle_lock(handle, &held) == &object && held.biased, "not taken through the bias\n");
    other_call c;
    c.handle = handle;
    test_thread thread;
    if (!run_other(&c, &thread))
    {
        ws::handle_unlock(held);
        return;
    }
    ok(wait_for(c.started), "the other thread did not start\n");
    sleep_ms(50);
    ok(!c.taken.load(), "the other thread got in while the owner was inside\n");
    ws::handle_unlock(held);
    ok(wait_for(c.done), "the other thread never got the lock\n");
    join_thread(thread);
    ok(c.taken.load() && !c.was_biased, "the other thread did not take the word\n");
    ok(ws::handle_close(handle), "close failed\n");
}

struct closer
{
    uintptr_t handle;
    std::atomic<bool> started{false}, done{false};
    bool closed = false;
};

static THREAD_PROC(close_from_other_thread)
{
    closer *c = static_cast<closer *>(arg);
    c->started = true;
    c->closed = ws::handle_close(c->handle);
    c->done = true;
    THREAD_RETURN;
}

/* Delete from another thread while the owner is inside, through the bias
 * (uncontended until then) or through the word (after a revocation): the
 * delete waits for the call to return, then destroys the object once, and
 * the handle is refused from then on. */
static void delete_while_inside(bool revoke_first)
{
    int object;
    uintptr_t handle = ws::handle_insert(&object, count_destroy);
    other_call first;
    if (revoke_first && !call_once_elsewhere(handle, &first))
        return;
    ws::handle_held held = {};
    ok(ws::handle_lock(handle, &held) == &object, "lock failed\n");
    ok((held.biased != nullptr) == !revoke_first, "taken the wrong way (revoked %d)\n", revoke_first);
    destroyed = 0;
    closer c;
    c.handle = handle;
    test_thread thread;
    if (!start_thread(&thread, close_from_other_thread, &c))
    {
        ws::handle_unlock(held);
        ok(0, "cannot start a thread\n");
        return;
    }
    ok(wait_for(c.started), "the closing thread did not start\n");
    sleep_ms(50);
    ok(!c.done.load() && destroyed == 0, "destroyed while a call was inside (revoked %d)\n", revoke_first);
    ws::handle_unlock(held);
    ok(wait_for(c.done), "the delete never finished\n");
    join_thread(thread);
    ok(c.closed && destroyed == 1, "closed %d, destroyed %d times\n", c.closed, destroyed.load());
    ok(!ws::handle_lock(handle, &held), "a deleted handle was taken\n");
    ok(!ws::handle_close(handle), "a deleted handle was closed again\n");
}

static void test_bias_delete_during_call()
{
    delete_while_inside(false);
    delete_while_inside(true);
}

/* Delete by the owner through its bias: the slot is left unbiased, so the
 * next handle in it is biased to whichever thread creates it. */
static THREAD_PROC(insert_from_other_thread)
{
    other_call *c = static_cast<other_call *>(arg);
    static int object;
    c->handle = ws::handle_insert(&object, count_destroy);
    c->was_biased = biased_to_me(c->handle);
    ws::handle_held held = {};
    c->object = ws::handle_lock(c->handle, &held);
    c->taken = c->object && held.biased;
    if (c->object)
        ws::handle_unlock(held);
    ok(ws::handle_close(c->handle), "close failed\n");
    c->done = true;
    THREAD_RETURN;
}

static void test_bias_moves_with_the_slot()
{
    int object;
    uintptr_t handle = ws::handle_insert(&object, count_destroy);
    ws::handle_slot *slot = ws::handle_layout::slot_of(handle);
    ok(biased_to_me(handle), "not biased to its creator\n");
    ok(ws::handle_close(handle), "close failed\n");
    ok(!slot->lock.biased_to_caller(), "a free slot is still biased\n");
    other_call c;
    test_thread thread;
    if (!start_thread(&thread, insert_from_other_thread, &c))
    {
        ok(0, "cannot start a thread\n");
        return;
    }
    join_thread(thread);
    ok(ws::handle_layout::slot_of(c.handle) == slot, "the slot was not reused\n");
    ok(c.was_biased && c.taken.load(), "the reused slot is not biased to its new creator\n");
    ws::handle_held held = {};
    ok(!ws::handle_lock(handle, &held), "the old handle names the reused slot\n");
}

/* Many threads on handles biased to their creator and on each other's:
 * every increment under the lock survives, whichever way it was taken. */
static const int shared_handles = 4;
static uintptr_t shared[shared_handles];
static long shared_counts[shared_handles];   /* plain: only the handles' locks guard them */

static THREAD_PROC(count_on_handles)
{
    long id = (long)(intptr_t)arg;
    for (long i = 0; i < rounds / 4; i++)
    {
        int which = int((id + i) % shared_handles);
        ws::handle_held held = {};
        if (!ws::handle_lock(shared[which], &held))
            continue;
        long seen = shared_counts[which];
        if (i % 4096 == 0)
            yield_thread();
        shared_counts[which] = seen + 1;
        ws::handle_unlock(held);
    }
    THREAD_RETURN;
}

static void test_bias_exclusion()
{
    static int objects[shared_handles];
    for (int i = 0; i < shared_handles; i++)
    {
        shared[i] = ws::handle_insert(&objects[i], count_destroy);
        shared_counts[i] = 0;
    }
    test_thread threads[4];
    int started = 0;
    for (int i = 0; i < 4 && start_thread(&threads[i], count_on_handles, (void *)(intptr_t)i); i++)
        started++;
    ok(started == 4, "started %d threads\n", started);
    count_on_handles((void *)(intptr_t)4);   /* the creator too, through its bias until revoked */
    for (int i = 0; i < started; i++)
        join_thread(threads[i]);
    long total = 0;
    for (int i = 0; i < shared_handles; i++)
    {
        total += shared_counts[i];
        ws::handle_close(shared[i]);
    }
    ok(total == (started + 1) * (rounds / 4), "counted %ld, expected %ld\n", total, (started + 1) * (rounds / 4));
}

/* A thread's record goes back when the thread ends: threads that each make
 * a handle, one after another, hold no more records than one thread. */
static THREAD_PROC(make_one_handle)
{
    (void)arg;
    static int object;
    uintptr_t handle = ws::handle_insert(&object, count_destroy);
    ws::handle_close(handle);
    THREAD_RETURN;
}

static void test_records_reused()
{
    size_t before = ws::thread_owners_in_use();
    for (int i = 0; i < 50; i++)
    {
        test_thread thread;
        if (!start_thread(&thread, make_one_handle, nullptr))
        {
            ok(0, "cannot start a thread\n");
            return;
        }
        join_thread(thread);
    }
    ok(ws::thread_owners_in_use() == before, "records in use went from %u to %u\n", unsigned(before),
       unsigned(ws::thread_owners_in_use()));
}

START_TEST(lock)
{
    test_held_across_first_thread();
    test_sleepers_are_woken();
    test_exclusion();
    test_bias_uncontended();
    test_bias_revoked();
    test_bias_contended();
    test_bias_delete_during_call();
    test_bias_moves_with_the_slot();
    test_bias_exclusion();
    test_records_reused();
}
