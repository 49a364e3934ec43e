/*
 * Helpers both benchmarks share: random payloads and timing
 *
 * Copyright 2026 The websocket.dll authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef WEBSOCKET_BENCH_UTIL_H
#define WEBSOCKET_BENCH_UTIL_H

#include <algorithm>
#include <chrono>
#include <stddef.h>
#include <stdint.h>

namespace bench {

struct rng
{
    uint64_t s;
    explicit rng(uint64_t seed) : s(seed | 1) {}
    uint64_t next()
    {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        return s * 0x2545f4914f6cdd1dull;
    }
    uint32_t below(uint32_t n) { return (uint32_t)((next() >> 32) % n); }
};

/* Keeps the compiler from dropping or merging passes. */
inline void clobber()
{
    __asm__ __volatile__("" ::: "memory");
}

inline double now()
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

/* Seconds per pass: the median of reps repetitions, each repeating the pass
 * for at least min_time. */
template <class Pass>
inline double time_pass(Pass &&pass, double min_time, int reps)
{
    double t0 = now();
    pass();
    clobber();
    double one = now() - t0;
    long passes = one > 0 ? (long)(min_time / one) + 1 : 1000;
    double results[64];
    reps = std::min(reps, 64);
    for (int r = 0; r < reps; r++)
    {
        t0 = now();
        for (long i = 0; i < passes; i++)
        {
            pass();
            clobber();
        }
        results[r] = (now() - t0) / passes;
    }
    std::sort(results, results + reps);
    return results[reps / 2];
}

/* Characters for the mixed text: Latin, Greek, CJK, emoji. */
inline size_t encode(uint32_t cp, uint8_t *out)
{
    if (cp < 0x80)
    {
        out[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800)
    {
        out[0] = (uint8_t)(0xc0 | cp >> 6);
        out[1] = (uint8_t)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000)
    {
        out[0] = (uint8_t)(0xe0 | cp >> 12);
        out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (uint8_t)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (uint8_t)(0xf0 | cp >> 18);
    out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (uint8_t)(0x80 | (cp & 0x3f));
    return 4;
}

/* By count: 40% ASCII, 25% Latin/Greek (2 bytes), 25% CJK (3), 10% emoji (4);
 * whole characters only, ASCII padding at the end. */
inline void mixed_text(rng &r, uint8_t *out, size_t len)
{
    size_t n = 0;
    while (len - n >= 4)
    {
        uint32_t pick = r.below(100), cp;
        if (pick < 40)
            cp = 0x20 + r.below(0x5f);
        else if (pick < 52)
            cp = 0xc0 + r.below(0x250 - 0xc0);
        else if (pick < 65)
            cp = 0x391 + r.below(0x3c9 - 0x391);
        else if (pick < 90)
            cp = 0x4e00 + r.below(0x9fff - 0x4e00);
        else
            cp = 0x1f300 + r.below(0x1faff - 0x1f300);
        n += encode(cp, out + n);
    }
    while (n < len)
        out[n++] = 'x';
}

inline void ascii_text(rng &r, uint8_t *out, size_t len)
{
    for (size_t i = 0; i < len; i++)
        out[i] = (uint8_t)(0x20 + r.below(0x5f));
}

} /* namespace bench */

#endif /* WEBSOCKET_BENCH_UTIL_H */
