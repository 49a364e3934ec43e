/*
 * Base64 (RFC 4648) for the opening handshake
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

#ifndef WEBSOCKET_BASE64_H
#define WEBSOCKET_BASE64_H

#include <stddef.h>
#include <stdint.h>

namespace ws {

/* RFC 4648 section 4 base64 (standard alphabet, '=' padding). */

constexpr size_t base64_encoded_size(size_t len)
{
    return (len + 2) / 3 * 4;
}

/* Largest decoded size of len characters (exact size depends on padding). */
constexpr size_t base64_decoded_max(size_t len)
{
    return len / 4 * 3;
}

/* Writes base64_encoded_size(len) characters, no NUL; returns the count. */
size_t base64_encode(const uint8_t *data, size_t len, char *out);

/*
 * Strict decode: the length must be a multiple of 4, every character from the
 * alphabet (no whitespace, no URL-safe '-'/'_'), '=' only as the last one or
 * two characters, and the bits that padding leaves over must be zero (RFC 4648
 * section 3.5 canonical form), so each byte string has exactly one accepted spelling.
 * Returns false on any violation or when the result would exceed out_cap;
 * *out_len gets the decoded size on success.
 */
bool base64_decode(const char *text, size_t len, uint8_t *out, size_t out_cap, size_t *out_len);

} /* namespace ws */

#endif /* WEBSOCKET_BASE64_H */
