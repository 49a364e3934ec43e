/*
 * Platform seam: a record per thread for biased locks, and the process-wide
 * barrier that revokes a bias
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

#include "thread_owner.h"

#include <new>

#include "lock.h"

#ifdef _WIN32
#include <windows.h>
#include <winternl.h>
#else
#include <linux/membarrier.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace ws {

namespace {

constexpr size_t page_bytes = 4096;

/* The pool: records not in use, and how many threads ever took one. */
mutex pool_lock;
thread_owner *free_owners;       /* under pool_lock */
size_t owners_in_use;            /* under pool_lock */
bool platform_ready;             /* under pool_lock */
bool platform_failed;            /* under pool_lock */

void *allocate_page();

thread_owner *take_record()
{
    lock_guard guard(pool_lock);
    if (!free_owners)
    {
        /* A page of records at a time, from the system rather than the heap:
         * a record is never freed, and a thread's first handle should cost
         * the heap nothing more than any other handle. */
        thread_owner *page = static_cast<thread_owner *>(allocate_page());
        if (!page)  // GCOVR_EXCL_BR_LINE: a system failure (see the line below)
            return nullptr;  /* GCOVR_EXCL_LINE: the address space full */
        for (size_t i = 0; i < page_bytes / sizeof(thread_owner); i++)
        {
            new (&page[i]) thread_owner();
            page[i].next_free = free_owners;
            free_owners = &page[i];
        }
    }
    thread_owner *record = free_owners;
    free_owners = record->next_free;
    owners_in_use++;
    return record;
}

/* The thread that had it has ended (it holds no lock then). */
void give_back(thread_owner *record)
{
    lock_guard guard(pool_lock);
    record->next_free = free_owners;
    free_owners = record;
    owners_in_use--;
}

#ifdef _WIN32

/* The record is found through a TLS slot, read straight from the TEB
 * (TlsGetValue would also reset the caller's last error on every call);
 * a fiber-local slot's callback hands it back when the thread ends. */
std::atomic<DWORD> owner_tls_index{TLS_OUT_OF_INDEXES};
DWORD owner_fls_index = FLS_OUT_OF_INDEXES;   /* under pool_lock once set */
void *barrier_page;                           /* under barrier_lock */
mutex barrier_lock;

void WINAPI thread_ending(void *data)
{
    /* Also called when a fiber is deleted, maybe on another thread: only the
     * record of the thread running the callback is given back, and that
     * thread forgets it (it takes a new one when it next needs one). */
    thread_owner *record = static_cast<thread_owner *>(data);
    DWORD index = owner_tls_index.load(std::memory_order_relaxed);
    if (!record || current_thread_owner() != record)
        return;
    TlsSetValue(index, nullptr);
    give_back(record);
}

bool platform_setup()
{
    DWORD tls = TlsAlloc();
    if (tls == TLS_OUT_OF_INDEXES || tls >= 64)
        return false;
    owner_fls_index = FlsAlloc(thread_ending);
    if (owner_fls_index == FLS_OUT_OF_INDEXES)
        return false;
    barrier_page = allocate_page();
    if (!barrier_page)
        return false;
    owner_tls_index.store(tls, std::memory_order_release);
    return true;
}

void *allocate_page()
{
    return VirtualAlloc(nullptr, page_bytes, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
}

bool attach_record(thread_owner *record)
{
    if (!FlsSetValue(owner_fls_index, record))
        return false;
    if (TlsSetValue(owner_tls_index.load(std::memory_order_relaxed), record))
        return true;
    FlsSetValue(owner_fls_index, nullptr);
    return false;
}

#else

pthread_key_t owner_key;

void thread_ending(void *data)
{
    current_owner_tls = nullptr;
    give_back(static_cast<thread_owner *>(data));
}

bool platform_setup()
{
    /* Registering once makes every later expedited barrier cheap (IPIs to the
     * CPUs running this process's threads, about a microsecond). */
    if (syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0))  // GCOVR_EXCL_BR_LINE: a system failure (see the line below)
        return false;  /* GCOVR_EXCL_LINE: only on kernels before 4.14 */
    return !pthread_key_create(&owner_key, thread_ending);
}

void *allocate_page()
{
    void *page = mmap(nullptr, page_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return page == MAP_FAILED ? nullptr : page;  // GCOVR_EXCL_BR_LINE: mmap failing
}

bool attach_record(thread_owner *record)
{
    if (pthread_setspecific(owner_key, record))  // GCOVR_EXCL_BR_LINE: a system failure (see the line below)
        return false;  /* GCOVR_EXCL_LINE: only when out of memory for a key's block */
    current_owner_tls = record;
    return true;
}

#endif

} /* namespace */

#ifdef _WIN32

/* GCC 12 takes the TEB's segment-relative read for an access to address 0x30. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Warray-bounds"
thread_owner *current_thread_owner()
{
    DWORD index = owner_tls_index.load(std::memory_order_relaxed);
    if (index >= 64)
        return nullptr;
    return static_cast<thread_owner *>(NtCurrentTeb()->TlsSlots[index]);
}
#pragma GCC diagnostic pop

void process_wide_barrier()
{
    /* Windows's call is the barrier.  Wine 8's returns without doing anything, so also make
     * the system shoot down a page's translations on every CPU running this
     * process: taking away access to a page that is present and dirty
     * interrupts each of them, which orders its stores and loads. */
    FlushProcessWriteBuffers();
    lock_guard guard(barrier_lock);
    DWORD old;
    *static_cast<volatile LONG *>(barrier_page) += 1;
    VirtualProtect(barrier_page, page_bytes, PAGE_NOACCESS, &old);
    VirtualProtect(barrier_page, page_bytes, PAGE_READWRITE, &old);
}

#else

__thread thread_owner *current_owner_tls __attribute__((tls_model("initial-exec")));

void process_wide_barrier()
{
    syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
}

#endif

thread_owner *make_current_thread_owner()
{
    thread_owner *record = current_thread_owner();
    if (record)
        return record;
    {
        lock_guard guard(pool_lock);
        if (!platform_ready && !platform_failed)
        {
            platform_ready = platform_setup();
            platform_failed = !platform_ready;
        }
        if (!platform_ready)  // GCOVR_EXCL_BR_LINE: a system failure (see the line below)
            return nullptr;  /* GCOVR_EXCL_LINE: see platform_setup */
    }
    record = take_record();
    if (record && !attach_record(record))  // GCOVR_EXCL_BR_LINE: a system failure (see the line below)
    {
        give_back(record);  /* GCOVR_EXCL_LINE: see attach_record */
        record = nullptr;   /* GCOVR_EXCL_LINE */
    }
    return record;
}

size_t thread_owners_in_use()
{
    lock_guard guard(pool_lock);
    return owners_in_use;
}

} /* namespace ws */
