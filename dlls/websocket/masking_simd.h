/*
 * Masking kernels: the shape every instruction set shares (internal)
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

/* Included only by masking.cpp and masking_<isa>.cpp.  Everything here has
 * internal linkage, so each file gets its own copy compiled for its own
 * instruction set and none can be picked up by code built for a lesser one. */

#ifndef WEBSOCKET_MASKING_SIMD_H
#define WEBSOCKET_MASKING_SIMD_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The small-size paths are a few instructions; a call (and, in the AVX-512
 * file, the stack realignment GCC adds around it) would cost more. */
#if defined(__GNUC__)
#define WS_MASK_INLINE inline __attribute__((always_inline))
#else
#define WS_MASK_INLINE inline
#endif

namespace ws {
namespace {

/* The key as it sits in memory from byte `shift` on: byte i of the word is
 * key byte (shift + i) % 4. */
inline uint32_t mask_rotate(uint32_t word, size_t shift)
{
    unsigned bits = (unsigned)(shift & 3) * 8;
    if (!bits)
        return word;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return (word << bits) | (word >> (32 - bits));
#else
    return (word >> bits) | (word << (32 - bits));
#endif
}

inline uint32_t mask_key_word(const uint8_t *key, size_t phase)
{
    uint32_t word;
    memcpy(&word, key, 4);
    return mask_rotate(word, phase);
}

/* Scalar "vectors" for the smallest sizes and the portable kernel.  memcpy
 * keeps unaligned access legal; compilers turn it into one move. */
struct vec_u32
{
    typedef uint32_t type;
    static constexpr size_t width = 4;
    static type loadu(const uint8_t *p) { type v; memcpy(&v, p, sizeof(v)); return v; }
    static type load(const uint8_t *p) { return loadu(p); }
    static void storeu(uint8_t *p, type v) { memcpy(p, &v, sizeof(v)); }
    static void store(uint8_t *p, type v) { storeu(p, v); }
    static type splat(uint32_t k) { return k; }
    static type xor_(type a, type b) { return a ^ b; }
};

struct vec_u64
{
    typedef uint64_t type;
    static constexpr size_t width = 8;
    static type loadu(const uint8_t *p) { type v; memcpy(&v, p, sizeof(v)); return v; }
    static type load(const uint8_t *p) { return loadu(p); }
    static void storeu(uint8_t *p, type v) { memcpy(p, &v, sizeof(v)); }
    static void store(uint8_t *p, type v) { storeu(p, v); }
    static type splat(uint32_t k) { return (uint64_t)k << 32 | k; }
    static type xor_(type a, type b) { return a ^ b; }
};

/* width <= len <= 2 * width: two overlapping vectors, both loaded before
 * either is stored, so it is also right in place (dst == src). */
template <class V>
WS_MASK_INLINE void mask_pair(uint8_t *dst, const uint8_t *src, size_t len, uint32_t key)
{
    constexpr size_t W = V::width;
    typename V::type a = V::loadu(src);
    typename V::type b = V::loadu(src + len - W);
    V::storeu(dst, V::xor_(a, V::splat(key)));
    V::storeu(dst + len - W, V::xor_(b, V::splat(mask_rotate(key, len - W))));
}

/* len < 16, in place or not. */
WS_MASK_INLINE void mask_small(uint8_t *dst, const uint8_t *src, size_t len, uint32_t key)
{
    if (len >= 8)
        mask_pair<vec_u64>(dst, src, len, key);
    else if (len >= 4)
        mask_pair<vec_u32>(dst, src, len, key);
    else
    {
        uint8_t k[4];
        memcpy(k, &key, 4);
        for (size_t i = 0; i < len; i++)
            dst[i] = src[i] ^ k[i];
    }
}

/* len > 2 * width.  One unaligned vector, then aligned stores (a store that
 * splits a cache line costs most), then one unaligned vector ending at len;
 * the overlaps are written twice with the same bytes. */
template <class V>
inline void mask_copy_large(uint8_t *dst, const uint8_t *src, size_t len, uint32_t key)
{
    constexpr size_t W = V::width;
    typedef typename V::type vec;

    V::storeu(dst, V::xor_(V::loadu(src), V::splat(key)));
    size_t i = W - ((uintptr_t)dst & (W - 1));
    vec k = V::splat(mask_rotate(key, i));
    for (; i + 4 * W <= len; i += 4 * W)
    {
        vec a = V::loadu(src + i);
        vec b = V::loadu(src + i + W);
        vec c = V::loadu(src + i + 2 * W);
        vec d = V::loadu(src + i + 3 * W);
        V::store(dst + i, V::xor_(a, k));
        V::store(dst + i + W, V::xor_(b, k));
        V::store(dst + i + 2 * W, V::xor_(c, k));
        V::store(dst + i + 3 * W, V::xor_(d, k));
    }
    for (; i + W <= len; i += W)
        V::store(dst + i, V::xor_(V::loadu(src + i), k));
    if (i < len)
        V::storeu(dst + len - W, V::xor_(V::loadu(src + len - W), V::splat(mask_rotate(key, len - W))));
}

/* The same in place.  Overlapping vectors must XOR original bytes only, so
 * the last vector and the first aligned one are loaded before anything
 * overlapping them is stored. */
template <class V>
inline void mask_in_place_large(uint8_t *data, size_t len, uint32_t key)
{
    constexpr size_t W = V::width;
    typedef typename V::type vec;

    vec tail = V::loadu(data + len - W);
    size_t i = W - ((uintptr_t)data & (W - 1));
    vec k = V::splat(mask_rotate(key, i));
    if (i != W)
    {
        vec head = V::loadu(data);
        vec first = V::load(data + i);
        V::storeu(data, V::xor_(head, V::splat(key)));
        V::store(data + i, V::xor_(first, k));
        i += W;
    }
    else
        i = 0;
    for (; i + 4 * W <= len; i += 4 * W)
    {
        vec a = V::load(data + i);
        vec b = V::load(data + i + W);
        vec c = V::load(data + i + 2 * W);
        vec d = V::load(data + i + 3 * W);
        V::store(data + i, V::xor_(a, k));
        V::store(data + i + W, V::xor_(b, k));
        V::store(data + i + 2 * W, V::xor_(c, k));
        V::store(data + i + 3 * W, V::xor_(d, k));
    }
    for (; i + W <= len; i += W)
        V::store(data + i, V::xor_(V::load(data + i), k));
    if (i < len)
        V::storeu(data + len - W, V::xor_(tail, V::splat(mask_rotate(key, len - W))));
}

} /* namespace */
} /* namespace ws */

#endif /* WEBSOCKET_MASKING_SIMD_H */
