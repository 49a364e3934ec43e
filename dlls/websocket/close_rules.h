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

#ifndef WEBSOCKET_CLOSE_RULES_H
#define WEBSOCKET_CLOSE_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "callee_abi.h"

namespace ws {

/* WEB_SOCKET_MAX_CLOSE_REASON_LENGTH: 125-byte control payload minus the code. */
constexpr size_t MAX_CLOSE_REASON = 123;

/* Codes with a meaning but never carried by a close frame (RFC 6455 section 7.4.1). */
constexpr uint16_t CLOSE_NO_STATUS = 1005;       /* body-less close */
constexpr uint16_t CLOSE_ABNORMAL = 1006;        /* connection dropped */
constexpr uint16_t CLOSE_TLS_HANDSHAKE = 1015;

/*
 * Where a status code stands:
 *  - valid: may appear in a close frame: 1000-1003, 1007-1014, 3000-4999.
 *    1012 (Service Restart), 1013 (Try Again Later) and 1014 (Bad Gateway)
 *    are ACCEPTED: IANA registered them in the close-code registry RFC 6455
 *    section 11.7 created, servers send them when restarting or overloaded, and
 *    Autobahn treats them as valid; failing such a close with 1002 would turn
 *    a clean shutdown into a protocol error.
 *  - local_only: 1005, 1006, 1015, which the RFC reserves for reporting and
 *    forbids on the wire.
 *  - unassigned: 1004 and 1016-2999, reserved for future RFCs / IANA.
 *  - out_of_range: 0-999 and 5000-65535.
 * Everything but "valid" is a protocol error in a received close frame.
 */
enum class close_code_class : uint8_t
{
    valid,
    local_only,
    unassigned,
    out_of_range,
};

close_code_class classify_close_code(uint16_t code);

/* True for the codes a received close frame may carry. */
inline bool close_code_valid_on_wire(uint16_t code)
{
    return classify_close_code(code) == close_code_class::valid;
}

enum class close_error : uint8_t
{
    none,
    length_one,       /* a body of exactly one byte */
    bad_code,         /* code not valid on the wire */
    reason_too_long,  /* more than MAX_CLOSE_REASON bytes of reason */
    bad_utf8,         /* reason is not valid UTF-8 */
};

/* A close body split into its parts; pointers point into the payload. */
struct close_payload
{
    bool has_code;          /* false for an empty body */
    uint16_t code;          /* CLOSE_NO_STATUS when !has_code */
    const uint8_t *reason;  /* payload + 2, or NULL for an empty body */
    size_t reason_len;
};

/* Check a received close payload (already unmasked, all of it).  On success
 * fills *out (may be NULL); on failure *out is left untouched. */
WS_EXPORT_CALLEE close_error parse_close_payload(const uint8_t *payload, size_t len, close_payload *out);

/* Check what an application asks to send: the code must be valid on the wire
 * and the reason at most MAX_CLOSE_REASON bytes.  The reason's UTF-8 is not
 * checked here (the application owns its text; see close_reason_is_utf8).
 * A body-less close (CLOSE_NO_STATUS) is the caller's decision to make before
 * calling: 1005 itself is bad_code. */
WS_EXPORT_CALLEE close_error check_close_to_send(uint16_t code, size_t reason_len);

/* Strict UTF-8 (no overlongs, surrogates or code points over U+10FFFF). */
bool close_reason_is_utf8(const uint8_t *reason, size_t len);

} /* namespace ws */

#endif /* WEBSOCKET_CLOSE_RULES_H */
