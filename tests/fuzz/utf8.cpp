/*
 * Fuzz target: every UTF-8 kernel (ws::utf8_kernels()) against the scalar
 * one, on the input whole and split at arbitrary points, through both the
 * raw kernel interface and utf8_validator, plain and masked (feed_masked,
 * into a second buffer or in place).
 *
 * Input: [split seed][bytes...].
 *
 * Copyright 2026 The websocket.dll authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utf8_validator.h"

namespace {

void check(bool condition)
{
    if (!condition)
        abort();
}

struct verdict
{
    ws::utf8_result result;     /* after finish() */
    ws::utf8_result status;     /* before finish() */
    size_t error_at;            /* absolute offset of the error, or SIZE_MAX */
};

/* How validate() feeds: as it is, or masked and unmasked by feed_masked
 * into a second buffer or in place (every byte must come out unmasked). */
enum class feed_mode { plain, masked_copy, masked_in_place };
const uint8_t fuzz_key[4] = { 0x5a, 0xc3, 0x01, 0xfe };

verdict validate(const ws::utf8_kernel &kernel, const uint8_t *data, size_t size, uint32_t seed,
                 feed_mode mode = feed_mode::plain)
{
    uint8_t *masked = nullptr, *unmasked = nullptr;
    if (mode != feed_mode::plain)
    {
        masked = (uint8_t *)malloc(size ? size : 1);
        unmasked = (uint8_t *)malloc(size ? size : 1);
        check(masked && unmasked);
        for (size_t i = 0; i < size; i++)
            masked[i] = uint8_t(data[i] ^ fuzz_key[i % 4]);
    }
    ws::utf8_validator v;
    v.reset();
    verdict out = { ws::utf8_result::valid, ws::utf8_result::valid, SIZE_MAX };
    size_t pos = 0;
    uint32_t rng = seed;
    do
    {
        size_t n = size - pos;
        if (seed)
        {
            rng = rng * 1103515245u + 12345u;
            size_t limit = (rng >> 16) % 80;
            if (limit < n)
                n = limit;
        }
        size_t offset = SIZE_MAX;
        ws::utf8_result r;
        if (mode == feed_mode::plain)
            r = v.feed(kernel, data + pos, n, &offset);
        else
        {
            uint8_t *dst = mode == feed_mode::masked_copy ? unmasked + pos : masked + pos;
            r = v.feed_masked(kernel, dst, masked + pos, n, fuzz_key, pos, &offset);
            check(!n || !memcmp(dst, data + pos, n));
        }
        if (r == ws::utf8_result::invalid)
        {
            if (out.error_at == SIZE_MAX)
            {
                check(offset < n || (n == 0 && offset == 0));
                out.error_at = pos + offset;
            }
            else
                check(offset == 0);
        }
        else
            check(out.error_at == SIZE_MAX);
        check(r == v.status());
        pos += n;
    } while (pos < size);
    free(masked);
    free(unmasked);
    out.status = v.status();
    out.result = v.finish();
    if (out.status == ws::utf8_result::invalid)
        check(out.result == ws::utf8_result::invalid);
    return out;
}

} /* namespace */

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint32_t seed = data[0] | 1u;
    data++;
    size--;

    const ws::utf8_kernel *kernels;
    size_t count = ws::utf8_kernels(&kernels);
    check(count >= 1);
    const ws::utf8_kernel &scalar = kernels[0];

    /* Raw kernel interface: index of the first bad byte and the final state. */
    uint32_t scalar_state = 0;
    size_t scalar_index = scalar.validate(&scalar_state, data, size);
    check(scalar_index <= size);

    verdict reference = validate(scalar, data, size, 0);
    for (size_t k = 0; k < count; k++)
    {
        uint32_t state = 0;
        size_t index = kernels[k].validate(&state, data, size);
        check(index == scalar_index);
        check(state == scalar_state);

        verdict w = validate(kernels[k], data, size, 0);
        verdict s = validate(kernels[k], data, size, seed);
        check(w.result == reference.result && w.status == reference.status);
        check(w.error_at == reference.error_at);
        check(s.result == reference.result && s.status == reference.status);
        check(s.error_at == reference.error_at);

        feed_mode mode = seed & 2 ? feed_mode::masked_in_place : feed_mode::masked_copy;
        verdict m = validate(kernels[k], data, size, seed, mode);
        check(m.result == reference.result && m.status == reference.status);
        check(m.error_at == reference.error_at);
    }
    return 0;
}
