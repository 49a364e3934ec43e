/*
 * Kernel benchmark: masking and UTF-8 validation against memcpy
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

/* Not a test: prints throughput, never asserts it.
 *
 *   kernel_bench [--quick] [--reps N]
 *
 * Every cell processes about 256 KiB of payload per pass (16384 x 16 B,
 * 256 x 1 KiB, 4 x 64 KiB, 1 x 1 MiB), each payload at the offset it has in
 * a stream of frames (after a 6-, 8- or 14-byte header), and prints GB/s and
 * the ratio to memcpy of the same payloads in the same run.  A cell is the
 * median of N repetitions (default 5) of at least 20 ms (4 ms with --quick).
 * WS_SIMD=scalar|sse2|sse4|avx2|avx512 caps the kernels listed. */

#include <algorithm>
#include <chrono>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "cpu_features.h"
#include "masking.h"
#include "utf8_validator.h"

using namespace bench;

namespace {

const size_t sizes[] = { 16, 1024, 65536, 1048576 };
const char *const size_names[] = { "16 B", "1 KiB", "64 KiB", "1 MiB" };
constexpr int size_count = 4;
constexpr size_t pass_bytes = 256 * 1024;
constexpr size_t area_bytes = 2 * 1024 * 1024;

struct layout
{
    size_t size, count, stride, header;
};

layout layout_for(size_t size)
{
    layout l;
    l.size = size;
    l.count = size >= pass_bytes ? 1 : pass_bytes / size;
    /* Masked frame header: 2 + 4, 2 + 2 + 4 or 2 + 8 + 4 bytes. */
    l.header = size <= 125 ? 6 : size <= 65535 ? 8 : 14;
    l.stride = l.header + size;
    return l;
}

struct row
{
    char name[48];
    double gbps[size_count];
    double ns16;
};

row rows[64];
int row_count;

row &row_named(const char *a, const char *b)
{
    for (int i = 0; i < row_count; i++)
    {
        char name[48];
        snprintf(name, sizeof(name), "%s%s", a, b);
        if (!strcmp(rows[i].name, name))
            return rows[i];
    }
    row &r = rows[row_count++];
    snprintf(r.name, sizeof(r.name), "%s%s", a, b);
    return r;
}

} /* namespace */

int main(int argc, char **argv)
{
    bool quick = false;
    int reps = 5;
    for (int i = 1; i < argc; i++)
    {
        if (!strcmp(argv[i], "--quick"))
            quick = true;
        else if (!strcmp(argv[i], "--reps") && i + 1 < argc)
            reps = std::max(1, atoi(argv[++i]));
        else
        {
            fprintf(stderr, "usage: %s [--quick] [--reps N]\n", argv[0]);
            return 2;
        }
    }
    double min_time = quick ? 0.004 : 0.02;

    uint8_t *src = (uint8_t *)malloc(area_bytes);
    uint8_t *dst = (uint8_t *)malloc(area_bytes);
    uint8_t *ascii = (uint8_t *)malloc(area_bytes);
    uint8_t *mixed = (uint8_t *)malloc(area_bytes);
    uint8_t *masked = (uint8_t *)malloc(area_bytes);
    if (!src || !dst || !ascii || !mixed || !masked)
    {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    rng r(42);
    for (size_t i = 0; i < area_bytes; i++)
        src[i] = (uint8_t)r.next();
    memset(dst, 0, area_bytes);
    static const uint8_t key[4] = { 0x37, 0xfa, 0x21, 0x3d };

    const ws::mask_kernel *mk;
    size_t mask_count = ws::mask_kernels(&mk);
    const ws::utf8_kernel *uk;
    size_t utf8_count = ws::utf8_kernels(&uk);

    volatile size_t sink = 0;
    bool all_valid = true;

    for (int si = 0; si < size_count; si++)
    {
        layout l = layout_for(sizes[si]);
        double bytes = (double)l.size * l.count;
        for (size_t m = 0; m < l.count; m++)
        {
            ascii_text(r, ascii + m * l.stride + l.header, l.size);
            mixed_text(r, mixed + m * l.stride + l.header, l.size);
        }
        auto record = [&](row &rw, double seconds) {
            rw.gbps[si] = bytes / seconds / 1e9;
            if (si == 0)
                rw.ns16 = seconds / l.count * 1e9;
        };

        record(row_named("memcpy", ""), time_pass([&] {
            for (size_t m = 0; m < l.count; m++)
            {
                size_t off = m * l.stride + l.header;
                memcpy(dst + off, src + off, l.size);
            }
        }, min_time, reps));

        for (size_t k = 0; k < mask_count; k++)
        {
            const ws::mask_kernel &kern = mk[k];
            record(row_named("mask_copy ", kern.name), time_pass([&] {
                for (size_t m = 0; m < l.count; m++)
                {
                    size_t off = m * l.stride + l.header;
                    kern.copy(dst + off, src + off, l.size, key, 0);
                }
            }, min_time, reps));
        }
        for (size_t k = 0; k < mask_count; k++)
        {
            const ws::mask_kernel &kern = mk[k];
            record(row_named("mask_in_place ", kern.name), time_pass([&] {
                for (size_t m = 0; m < l.count; m++)
                {
                    size_t off = m * l.stride + l.header;
                    kern.in_place(src + off, l.size, key, 0);
                }
            }, min_time, reps));
        }
        for (int text = 0; text < 2; text++)
        {
            const uint8_t *buf = text ? mixed : ascii;
            for (size_t k = 0; k < utf8_count; k++)
            {
                const ws::utf8_kernel &kern = uk[k];
                record(row_named(text ? "utf8 mixed " : "utf8 ascii ", kern.name), time_pass([&] {
                    size_t valid = 0;
                    for (size_t m = 0; m < l.count; m++)
                    {
                        ws::utf8_validator v;
                        v.reset();
                        v.feed(kern, buf + m * l.stride + l.header, l.size);
                        valid += v.finish() == ws::utf8_result::valid;
                    }
                    if (valid != l.count)
                        all_valid = false;
                    sink = sink + valid;
                }, min_time, reps));
            }
        }
        /* Masked mixed text unmasked into dst and validated in one pass
         * (feed_masked), as the engine receives text. */
        for (size_t m = 0; m < l.count; m++)
        {
            size_t off = m * l.stride + l.header;
            ws::mask_copy(masked + off, mixed + off, l.size, key, 0);
        }
        for (size_t k = 0; k < utf8_count; k++)
        {
            const ws::utf8_kernel &kern = uk[k];
            record(row_named("unmask+utf8 mixed ", kern.name), time_pass([&] {
                size_t valid = 0;
                for (size_t m = 0; m < l.count; m++)
                {
                    size_t off = m * l.stride + l.header;
                    ws::utf8_validator v;
                    v.reset();
                    v.feed_masked(kern, dst + off, masked + off, l.size, key, 0);
                    valid += v.finish() == ws::utf8_result::valid;
                }
                if (valid != l.count)
                    all_valid = false;
                sink = sink + valid;
            }, min_time, reps));
        }
    }

    printf("kernel_bench: level %s; active kernels: mask %s, utf8 %s; median of %d x >= %.0f ms\n",
           ws::simd_level_name(ws::cpu_simd_level()), ws::mask_active_kernel()->name,
           ws::utf8_active_kernel()->name, reps, min_time * 1000);
    printf("GB/s (ratio to memcpy of the same payloads); 16 B also in ns per call\n\n");
    printf("%-24s", "");
    printf("  %-20s", "16 B");
    for (int si = 1; si < size_count; si++)
        printf("  %-14s", size_names[si]);
    printf("\n");
    const row &base = rows[0];
    for (int i = 0; i < row_count; i++)
    {
        const row &rw = rows[i];
        printf("%-24s", rw.name);
        for (int si = 0; si < size_count; si++)
        {
            char cell[40];
            snprintf(cell, sizeof(cell), "%6.1f %5.2fx", rw.gbps[si], rw.gbps[si] / base.gbps[si]);
            if (si == 0)
                printf("  %s %4.1fns", cell, rw.ns16);
            else
                printf("  %-14s", cell);
        }
        printf("\n");
    }
    if (!all_valid)
        printf("\nerror: a validator rejected valid text\n");
    free(src);
    free(dst);
    free(ascii);
    free(mixed);
    free(masked);
    return all_valid ? 0 : 1;
}
