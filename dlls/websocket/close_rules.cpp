/*
 * Close frame payload rules (RFC 6455 sections 5.5.1 and 7.4)
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

#include "close_rules.h"

namespace ws {

close_code_class classify_close_code(uint16_t code)
{
    if (code < 1000 || code >= 5000)
        return close_code_class::out_of_range;
    if (code >= 3000)
        return close_code_class::valid;   /* 3000-3999 registered, 4000-4999 private */
    if (code == CLOSE_NO_STATUS || code == CLOSE_ABNORMAL || code == CLOSE_TLS_HANDSHAKE)
        return close_code_class::local_only;
    if (code <= 1003 || (code >= 1007 && code <= 1014))
        return close_code_class::valid;
    return close_code_class::unassigned;  /* 1004, 1016-2999 */
}

/* Reasons are at most 123 bytes, so a plain scalar walk is all it takes; the
 * SIMD validator is for message payloads. */
bool close_reason_is_utf8(const uint8_t *s, size_t len)
{
    size_t i = 0;
    while (i < len)
    {
        uint8_t c = s[i];
        size_t extra;
        uint8_t lo = 0x80, hi = 0xbf;   /* allowed range of the second byte */

        if (c < 0x80)
        {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf)
            extra = 1;
        else if (c >= 0xe0 && c <= 0xef)
        {
            extra = 2;
            if (c == 0xe0) lo = 0xa0;        /* overlong */
            else if (c == 0xed) hi = 0x9f;   /* surrogates */
        }
        else if (c >= 0xf0 && c <= 0xf4)
        {
            extra = 3;
            if (c == 0xf0) lo = 0x90;        /* overlong */
            else if (c == 0xf4) hi = 0x8f;   /* over U+10FFFF */
        }
        else
            return false;                    /* continuation byte, C0/C1, F5-FF */

        if (len - i <= extra)
            return false;                    /* truncated at the end */
        if (s[i + 1] < lo || s[i + 1] > hi)
            return false;
        for (size_t k = 2; k <= extra; k++)
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
        i += extra + 1;
    }
    return true;
}

WS_EXPORT_CALLEE close_error parse_close_payload(const uint8_t *payload, size_t len, close_payload *out)
{
    close_payload result;

    if (len == 0)
    {
        result.has_code = false;
        result.code = CLOSE_NO_STATUS;
        result.reason = nullptr;
        result.reason_len = 0;
    }
    else
    {
        /* Order when several rules break: length, code, reason size, UTF-8. */
        if (len == 1)
            return close_error::length_one;
        uint16_t code = (uint16_t)((payload[0] << 8) | payload[1]);
        if (!close_code_valid_on_wire(code))
            return close_error::bad_code;
        if (len - 2 > MAX_CLOSE_REASON)
            return close_error::reason_too_long;
        if (!close_reason_is_utf8(payload + 2, len - 2))
            return close_error::bad_utf8;
        result.has_code = true;
        result.code = code;
        result.reason = payload + 2;
        result.reason_len = len - 2;
    }
    if (out)
        *out = result;
    return close_error::none;
}

WS_EXPORT_CALLEE close_error check_close_to_send(uint16_t code, size_t reason_len)
{
    if (!close_code_valid_on_wire(code))
        return close_error::bad_code;
    if (reason_len > MAX_CLOSE_REASON)
        return close_error::reason_too_long;
    return close_error::none;
}

} /* namespace ws */
