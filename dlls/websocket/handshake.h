/*
 * Opening handshake headers (RFC 6455 section 4)
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

#ifndef WEBSOCKET_HANDSHAKE_H
#define WEBSOCKET_HANDSHAKE_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

namespace ws {

struct random_pool;

/* A counted string: not NUL-terminated, may be {NULL, 0}. */
struct text_view
{
    const char *data;
    size_t len;
};

/* One HTTP header as the caller gave it.  A NULL pointer reads as empty
 * whatever its length, so no helper here dereferences one. */
struct header_view
{
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
};

/* --- Keys ---------------------------------------------------------------- */

constexpr size_t KEY_NONCE_SIZE = 16;     /* section 4.1: 16 random bytes */
constexpr size_t CLIENT_KEY_LENGTH = 24;  /* their base64 */
constexpr size_t ACCEPT_LENGTH = 28;      /* base64 of a SHA-1 digest */

/* base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")), no NUL.  The
 * key is used exactly as given: trim it first if it came from a header. */
void compute_accept(const char *key, size_t key_len, char out[ACCEPT_LENGTH]);

/* base64 of the nonce, no NUL. */
void make_client_key(const uint8_t nonce[KEY_NONCE_SIZE], char out[CLIENT_KEY_LENGTH]);

/* A fresh key from the pool; false if the system gave no randomness. */
bool generate_client_key(random_pool &pool, char out[CLIENT_KEY_LENGTH]);

/* A Sec-WebSocket-Key value (surrounding whitespace ignored) that is strict
 * base64 of exactly 16 bytes. */
bool is_valid_key(const char *value, size_t len);

/* A Sec-WebSocket-Version value that is exactly "13" (whitespace ignored). */
bool is_version_13(const char *value, size_t len);

/* --- Header text helpers ------------------------------------------------- */

/* ASCII case-insensitive equality of two counted strings. */
bool ascii_iequals(const char *a, size_t a_len, const char *b, size_t b_len);

/* Case-insensitive comparison of a header's name with a NUL-terminated name. */
bool header_name_is(const header_view &h, const char *name);

/* RFC 7230 token: one or more tchars (so never ':', space or a CTL). */
bool is_http_token(const char *s, size_t len);

/* Fit to send as a header value: no CR, LF, NUL or other CTL but HTAB. */
bool is_header_value_safe(const char *s, size_t len);

/* Strip leading and trailing SP/HTAB (HTTP's OWS). */
text_view trim_ows(const char *s, size_t len);

/*
 * Elements of an HTTP comma-separated list (RFC 7230 section 7 "#rule"): elements
 * are trimmed of OWS, empty ones are skipped ("a, ,b" is two elements), and
 * commas inside a quoted-string (extension parameters) do not split.
 */
struct list_reader
{
    void init(const char *s, size_t len);
    bool next(text_view *item);

    const char *pos_;
    const char *end_;
};

/* Whether the list holds an element equal to token, ASCII case-insensitive. */
bool list_contains_token(const char *s, size_t len, const char *token);

/* An extension element's name: the part before the first ';', trimmed
 * ("permessage-deflate; client_max_window_bits" -> "permessage-deflate"). */
text_view extension_name(text_view extension);

/*
 * The elements of every header called name, in order, as one list: the way
 * RFC 6455 sections 11.3.2 and 11.3.4 says repeated Sec-WebSocket-Protocol /
 * Sec-WebSocket-Extensions request headers combine.
 */
struct header_list_reader
{
    void init(const header_view *headers, size_t count, const char *name);
    bool next(text_view *item);

    const header_view *headers_;
    size_t count_;
    size_t index_;        /* next header to look at */
    const char *name_;
    list_reader list_;
    bool in_list_;
};

/* --- Validation results -------------------------------------------------- */

enum class handshake_result : uint8_t
{
    ok,
    bad_header_name,          /* empty name, or not an HTTP token (e.g. holds ':') */
    bad_upgrade,              /* no Upgrade header with the token "websocket" */
    bad_connection,           /* no Connection header with the token "Upgrade" */
    missing_version,          /* request without Sec-WebSocket-Version */
    unsupported_version,      /* Sec-WebSocket-Version other than exactly 13 */
    duplicate_version,        /* repeated with different values */
    missing_key,
    bad_key,                  /* not base64 of 16 bytes */
    duplicate_key,            /* repeated with different values */
    missing_accept,
    bad_accept,               /* not the value our key calls for */
    duplicate_accept,         /* repeated with different values */
    bad_subprotocol,          /* response's value is not one token */
    duplicate_subprotocol,    /* response repeats it with different values */
    subprotocol_not_offered,  /* selected protocol was not offered */
    bad_extensions,           /* malformed extension element, or one selected twice */
    extension_not_offered,    /* selected extension was not offered */
};

/* The engine status each result maps to: versions -> version_not_supported,
 * *_not_offered -> subprotocol/extensions_not_supported, the rest
 * invalid_format. */
status handshake_status(handshake_result result);

/* A short name for traces ("bad_key"). */
const char *handshake_result_name(handshake_result result);

/* --- Server side: the client's request ----------------------------------- */

/*
 * What a valid request offered.  Views point into the caller's headers,
 * which must outlive this.
 */
struct server_request
{
    text_view key;                    /* trimmed Sec-WebSocket-Key */
    const header_view *headers;       /* the request, to read the offers from */
    size_t header_count;
};

/*
 * Checks a request the way RFC 6455 section 4.2.1 reads it: Upgrade contains
 * "websocket", Connection contains "Upgrade" (token lists, any case, any
 * number of header lines), Sec-WebSocket-Version is 13, Sec-WebSocket-Key is
 * base64 of 16 bytes.  Host is not looked at (may be empty or absent);
 * unrelated headers are ignored, but every name must be a token.
 * Key and Version MUST NOT repeat (sections 11.3.1, 11.3.5); a repeat with the same
 * value is tolerated (hosts that merge header sources), a different one is
 * duplicate_key / duplicate_version.  Protocol and Extensions may repeat and
 * combine; the offers are not syntax-checked here, only used to check a
 * selection.  Checks run in this order: names, Upgrade, Connection, Version,
 * Key.  *out is filled only on ok.
 */
handshake_result validate_server_request(const header_view *headers, size_t count, server_request *out);

/* Offered subprotocols / extensions of a validated request (combined lists). */
void request_subprotocols(const server_request &request, header_list_reader *reader);
void request_extensions(const server_request &request, header_list_reader *reader);

/* Whether the client offered this subprotocol (exact match, as browsers compare). */
bool request_offers_subprotocol(const server_request &request, const char *name, size_t len);

/* Whether the client offered an extension with this name (case-insensitive). */
bool request_offers_extension(const server_request &request, const char *name, size_t len);

/*
 * Optional check of the server application's choice against the offer: an
 * empty subprotocol means none; a non-empty one must be a token
 * (bad_subprotocol) that was offered (subprotocol_not_offered); each
 * extension must be a header-safe element (bad_extensions) whose name was
 * offered (extension_not_offered).
 */
handshake_result check_server_selection(const server_request &request, text_view subprotocol,
                                        const text_view *extensions, size_t extension_count);

/* --- Client side: the server's response ---------------------------------- */

/* What we sent in our request. */
struct client_offer
{
    const char *key;                  /* our Sec-WebSocket-Key as sent */
    size_t key_len;
    const text_view *subprotocols;    /* in the order offered */
    size_t subprotocol_count;
    const text_view *extensions;      /* full elements; matched by name */
    size_t extension_count;
};

struct client_response
{
    bool has_subprotocol;
    size_t subprotocol_index;         /* into offer.subprotocols when has_subprotocol */
    size_t extension_count;           /* extensions the server selected */
};

/*
 * Checks a response per RFC 6455 section 4.1: Upgrade/Connection tokens, then
 * Sec-WebSocket-Accept equal to the value for offer.key (surrounding
 * whitespace ignored; exact case), then Sec-WebSocket-Extensions (every
 * element's name must be one we offered, each at most once; the index of the
 * first offer with that name goes to selected_extensions[i] for
 * i < extension_capacity, and out->extension_count gets the full number),
 * then Sec-WebSocket-Protocol (if present and non-empty it must be a single
 * token equal to one offered entry, exact case; its index is reported).
 * Accept and Protocol may repeat only with the same value.  Offering
 * nothing means any selected extension is extension_not_offered.
 * *out and selected_extensions are written only on ok; selected_extensions
 * may be NULL (capacity then counts as 0).
 */
handshake_result validate_client_response(const header_view *headers, size_t count,
                                          const client_offer &offer, client_response *out,
                                          size_t *selected_extensions, size_t extension_capacity);

} /* namespace ws */

#endif /* WEBSOCKET_HANDSHAKE_H */
