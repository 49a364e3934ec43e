/*
 * Entropy: system CSPRNG and per-handle random pool
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

#include "entropy.h"

#include "chacha20.h"

#include <string.h>

#ifdef _WIN32
#include <windows.h>
#include <bcrypt.h>
#else
#include <errno.h>
#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>
#endif

namespace ws {

#ifdef _WIN32

bool system_random(void *buf, size_t len)
{
    UCHAR *p = static_cast<UCHAR *>(buf);

    /* BCryptGenRandom takes a ULONG count: go in pieces on 64-bit. */
    while (len)
    {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!BCRYPT_SUCCESS(BCryptGenRandom(nullptr, p, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG)))
            return false;
        p += chunk;
        len -= chunk;
    }
    return true;
}

#else

namespace {

/* Only for kernels or sandboxes without getrandom(): the same kernel CSPRNG. */
bool urandom_fallback(unsigned char *p, size_t len)
{
    int fd;
    do
        fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return false;
    while (len)
    {
        ssize_t got = read(fd, p, len);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
        {
            close(fd);
            return false;
        }
        p += got;
        len -= (size_t)got;
    }
    close(fd);
    return true;
}

} /* namespace */

bool system_random(void *buf, size_t len)
{
    unsigned char *p = static_cast<unsigned char *>(buf);

    while (len)
    {
        /* Flags 0: block only until the pool is first seeded at boot.  Large
         * requests may come back short or be interrupted: keep going. */
        ssize_t got = getrandom(p, len, 0);
        if (got < 0)
        {
            if (errno == EINTR)
                continue;
            if (errno == ENOSYS || errno == EPERM)
                return urandom_fallback(p, len);
            return false;
        }
        if (got == 0)
            return false;   /* cannot happen for len > 0; never spin on it */
        p += got;
        len -= (size_t)got;
    }
    return true;
}

#endif

void random_pool::reset(random_source source)
{
    source_ = source;
    block_ = 0;
    until_reseed_ = 0;
    pos_ = RANDOM_POOL_SIZE;
}

WS_EXPORT_CALLEE bool random_pool::bytes(void *out, size_t len)
{
    static_assert(RANDOM_RESEED_BYTES % RANDOM_POOL_SIZE == 0, "a seed ends with a block");
    unsigned char *p = static_cast<unsigned char *>(out);

    while (len)
    {
        if (pos_ == RANDOM_POOL_SIZE)
        {
            if (!until_reseed_)
            {
                if (!source_(key_, sizeof(key_)))
                    return false;   /* pos_ stays at the end: nothing stale is handed out */
                block_ = 0;
                until_reseed_ = RANDOM_RESEED_BYTES;
            }
            const uint32_t nonce[3] = { uint32_t(block_ >> 32), 0, 0 };
            chacha20_block(key_, uint32_t(block_), nonce, buf_);
            block_++;
            until_reseed_ -= RANDOM_POOL_SIZE;
            pos_ = 0;
        }
        size_t take = RANDOM_POOL_SIZE - pos_;
        if (take > len)
            take = len;
        memcpy(p, buf_ + pos_, take);
        pos_ += take;
        p += take;
        len -= take;
    }
    return true;
}

} /* namespace ws */
