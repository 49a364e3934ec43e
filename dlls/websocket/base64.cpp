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

#include "base64.h"

namespace ws {

namespace {

const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* 0..63, or -1 for anything outside the alphabet ('=' included). */
int sextet(char ch)
{
    unsigned char c = (unsigned char)ch;
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

} /* namespace */

size_t base64_encode(const uint8_t *data, size_t len, char *out)
{
    size_t n = 0;

    for (; len >= 3; data += 3, len -= 3)
    {
        uint32_t v = ((uint32_t)data[0] << 16) | ((uint32_t)data[1] << 8) | data[2];
        out[n++] = alphabet[v >> 18];
        out[n++] = alphabet[(v >> 12) & 63];
        out[n++] = alphabet[(v >> 6) & 63];
        out[n++] = alphabet[v & 63];
    }
    if (len)
    {
        uint32_t v = (uint32_t)data[0] << 16;
        if (len == 2)
            v |= (uint32_t)data[1] << 8;
        out[n++] = alphabet[v >> 18];
        out[n++] = alphabet[(v >> 12) & 63];
        out[n++] = len == 2 ? alphabet[(v >> 6) & 63] : '=';
        out[n++] = '=';
    }
    return n;
}

bool base64_decode(const char *text, size_t len, uint8_t *out, size_t out_cap, size_t *out_len)
{
    size_t n = 0;

    if (len % 4)
        return false;

    for (size_t i = 0; i < len; i += 4)
    {
        bool last = i + 4 == len;
        int s[4];
        size_t bytes = 3;

        /* Padding is only legal in the last quantum: "xx==" or "xxx=". */
        if (last && text[i + 3] == '=')
            bytes = text[i + 2] == '=' ? 1 : 2;
        for (size_t k = 0; k < 4; k++)
        {
            s[k] = k <= bytes ? sextet(text[i + k]) : 0;
            if (s[k] < 0)
                return false;
        }
        uint32_t v = ((uint32_t)s[0] << 18) | ((uint32_t)s[1] << 12) | ((uint32_t)s[2] << 6) | (uint32_t)s[3];
        /* Leftover bits under the padding must be zero (canonical form). */
        if ((bytes == 1 && (v & 0xffff)) || (bytes == 2 && (v & 0xff)))
            return false;
        if (out_cap - n < bytes)
            return false;
        out[n++] = (uint8_t)(v >> 16);
        if (bytes > 1)
            out[n++] = (uint8_t)(v >> 8);
        if (bytes > 2)
            out[n++] = (uint8_t)v;
    }
    *out_len = n;
    return true;
}

} /* namespace ws */
