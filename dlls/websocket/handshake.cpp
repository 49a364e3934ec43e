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

#include "handshake.h"

#include <string.h>

#include "base64.h"
#include "entropy.h"
#include "sha1.h"

namespace ws {

namespace {

const char accept_guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

inline char ascii_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c + ('a' - 'A')) : c;
}

inline bool is_ows(char c)
{
    return c == ' ' || c == '\t';
}

bool is_tchar(char ch)
{
    unsigned char c = (unsigned char)ch;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c && strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

/* NULL reads as empty whatever the length, so callers' NULLs never get dereferenced. */
inline text_view name_of(const header_view &h)
{
    return text_view{ h.name, h.name ? h.name_len : 0 };
}

inline text_view trimmed_value(const header_view &h)
{
    return trim_ows(h.value, h.value ? h.value_len : 0);
}

inline bool same_text(text_view a, text_view b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.data, b.data, a.len) == 0);
}

bool header_contains_token(const header_view &h, const char *token)
{
    return list_contains_token(h.value, h.value ? h.value_len : 0, token);
}

/* Every name must be a token: a ':' or a space in one means the caller
 * split a header line wrongly, and such a name never matches anyway. */
bool names_are_tokens(const header_view *headers, size_t count)
{
    for (size_t i = 0; i < count; i++)
    {
        text_view name = name_of(headers[i]);
        if (!is_http_token(name.data, name.len))
            return false;
    }
    return true;
}

/* A header that may appear once: remember the first value, note a different
 * second one.  Returns false on a conflicting repeat. */
struct single_value
{
    text_view value;
    bool present;
    bool conflict;

    void add(text_view v)
    {
        if (!present)
        {
            value = v;
            present = true;
        }
        else if (!same_text(value, v))
            conflict = true;
    }
};

} /* namespace */

/* --- Keys ---------------------------------------------------------------- */

void compute_accept(const char *key, size_t key_len, char out[ACCEPT_LENGTH])
{
    uint8_t digest[SHA1_DIGEST_SIZE];
    sha1_context ctx;

    ctx.init();
    if (key)
        ctx.update(key, key_len);
    ctx.update(accept_guid, sizeof(accept_guid) - 1);
    ctx.finish(digest);
    base64_encode(digest, sizeof(digest), out);
}

void make_client_key(const uint8_t nonce[KEY_NONCE_SIZE], char out[CLIENT_KEY_LENGTH])
{
    base64_encode(nonce, KEY_NONCE_SIZE, out);
}

bool generate_client_key(random_pool &pool, char out[CLIENT_KEY_LENGTH])
{
    uint8_t nonce[KEY_NONCE_SIZE];

    if (!pool.bytes(nonce, sizeof(nonce)))
        return false;
    make_client_key(nonce, out);
    return true;
}

bool is_valid_key(const char *value, size_t len)
{
    /* 24 characters decode to at most 18 bytes; anything longer overflows
     * this buffer and fails, so only exactly 16 gets through. */
    uint8_t decoded[base64_decoded_max(CLIENT_KEY_LENGTH)];
    size_t decoded_len;
    text_view key = trim_ows(value, value ? len : 0);

    return key.len == CLIENT_KEY_LENGTH
        && base64_decode(key.data, key.len, decoded, sizeof(decoded), &decoded_len)
        && decoded_len == KEY_NONCE_SIZE;
}

bool is_version_13(const char *value, size_t len)
{
    text_view v = trim_ows(value, value ? len : 0);
    return v.len == 2 && v.data[0] == '1' && v.data[1] == '3';
}

/* --- Header text helpers ------------------------------------------------- */

bool ascii_iequals(const char *a, size_t a_len, const char *b, size_t b_len)
{
    if (!a) a_len = 0;
    if (!b) b_len = 0;
    if (a_len != b_len)
        return false;
    for (size_t i = 0; i < a_len; i++)
        if (ascii_lower(a[i]) != ascii_lower(b[i]))
            return false;
    return true;
}

bool header_name_is(const header_view &h, const char *name)
{
    text_view n = name_of(h);
    return ascii_iequals(n.data, n.len, name, strlen(name));
}

bool is_http_token(const char *s, size_t len)
{
    if (!s || !len)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!is_tchar(s[i]))
            return false;
    return true;
}

bool is_header_value_safe(const char *s, size_t len)
{
    if (!s)
        return true;
    for (size_t i = 0; i < len; i++)
    {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return false;
    }
    return true;
}

text_view trim_ows(const char *s, size_t len)
{
    if (!s)
        return text_view{ nullptr, 0 };
    while (len && is_ows(s[0]))
    {
        s++;
        len--;
    }
    while (len && is_ows(s[len - 1]))
        len--;
    return text_view{ s, len };
}

void list_reader::init(const char *s, size_t len)
{
    pos_ = s;
    end_ = s ? s + len : s;
}

bool list_reader::next(text_view *item)
{
    while (pos_ < end_)
    {
        const char *start = pos_;
        bool quoted = false;

        for (; pos_ < end_; pos_++)
        {
            char c = *pos_;
            if (quoted)
            {
                if (c == '\\' && pos_ + 1 < end_)
                    pos_++;          /* quoted-pair: the next byte is literal */
                else if (c == '"')
                    quoted = false;
            }
            else if (c == '"')
                quoted = true;
            else if (c == ',')
                break;
        }
        text_view element = trim_ows(start, (size_t)(pos_ - start));
        if (pos_ < end_)
            pos_++;                  /* past the comma */
        if (element.len)
        {
            *item = element;
            return true;
        }
    }
    return false;
}

bool list_contains_token(const char *s, size_t len, const char *token)
{
    list_reader reader;
    text_view item;
    size_t token_len = strlen(token);

    reader.init(s, s ? len : 0);
    while (reader.next(&item))
        if (ascii_iequals(item.data, item.len, token, token_len))
            return true;
    return false;
}

text_view extension_name(text_view extension)
{
    size_t len = 0;
    if (!extension.data)
        return text_view{ nullptr, 0 };
    while (len < extension.len && extension.data[len] != ';')
        len++;
    return trim_ows(extension.data, len);
}

void header_list_reader::init(const header_view *headers, size_t count, const char *name)
{
    headers_ = headers;
    count_ = headers ? count : 0;
    index_ = 0;
    name_ = name;
    in_list_ = false;
}

bool header_list_reader::next(text_view *item)
{
    for (;;)
    {
        if (in_list_)
        {
            if (list_.next(item))
                return true;
            in_list_ = false;
        }
        while (index_ < count_ && !header_name_is(headers_[index_], name_))
            index_++;
        if (index_ >= count_)
            return false;
        const header_view &h = headers_[index_++];
        list_.init(h.value, h.value ? h.value_len : 0);
        in_list_ = true;
    }
}

/* --- Results ------------------------------------------------------------- */

status handshake_status(handshake_result result)
{
    switch (result)
    {
    case handshake_result::ok:
        return status::ok;
    case handshake_result::missing_version:
    case handshake_result::unsupported_version:
        return status::version_not_supported;
    case handshake_result::subprotocol_not_offered:
        return status::subprotocol_not_supported;
    case handshake_result::extension_not_offered:
        return status::extensions_not_supported;
    case handshake_result::bad_header_name:
    case handshake_result::bad_upgrade:
    case handshake_result::bad_connection:
    case handshake_result::duplicate_version:
    case handshake_result::missing_key:
    case handshake_result::bad_key:
    case handshake_result::duplicate_key:
    case handshake_result::missing_accept:
    case handshake_result::bad_accept:
    case handshake_result::duplicate_accept:
    case handshake_result::bad_subprotocol:
    case handshake_result::duplicate_subprotocol:
    case handshake_result::bad_extensions:
        return status::invalid_format;
    }
    return status::invalid_format;
}

const char *handshake_result_name(handshake_result result)
{
    switch (result)
    {
    case handshake_result::ok:                      return "ok";
    case handshake_result::bad_header_name:         return "bad_header_name";
    case handshake_result::bad_upgrade:             return "bad_upgrade";
    case handshake_result::bad_connection:          return "bad_connection";
    case handshake_result::missing_version:         return "missing_version";
    case handshake_result::unsupported_version:     return "unsupported_version";
    case handshake_result::duplicate_version:       return "duplicate_version";
    case handshake_result::missing_key:             return "missing_key";
    case handshake_result::bad_key:                 return "bad_key";
    case handshake_result::duplicate_key:           return "duplicate_key";
    case handshake_result::missing_accept:          return "missing_accept";
    case handshake_result::bad_accept:              return "bad_accept";
    case handshake_result::duplicate_accept:        return "duplicate_accept";
    case handshake_result::bad_subprotocol:         return "bad_subprotocol";
    case handshake_result::duplicate_subprotocol:   return "duplicate_subprotocol";
    case handshake_result::subprotocol_not_offered: return "subprotocol_not_offered";
    case handshake_result::bad_extensions:          return "bad_extensions";
    case handshake_result::extension_not_offered:   return "extension_not_offered";
    }
    return "?";
}

/* What both sides check first, in this order: every name a token, an Upgrade
 * header with "websocket", a Connection header with "Upgrade". */
static handshake_result check_upgrade_headers(const header_view *headers, size_t count)
{
    bool upgrade = false, connection = false;
    if (!names_are_tokens(headers, count))
        return handshake_result::bad_header_name;
    for (size_t i = 0; i < count; i++)
    {
        const header_view &h = headers[i];
        if (header_name_is(h, "Upgrade"))
            upgrade = upgrade || header_contains_token(h, "websocket");
        else if (header_name_is(h, "Connection"))
            connection = connection || header_contains_token(h, "Upgrade");
    }
    if (!upgrade)
        return handshake_result::bad_upgrade;
    if (!connection)
        return handshake_result::bad_connection;
    return handshake_result::ok;
}

/* --- Server side --------------------------------------------------------- */

handshake_result validate_server_request(const header_view *headers, size_t count, server_request *out)
{
    single_value version = {}, key = {};

    if (!headers)
        count = 0;
    handshake_result upgrade = check_upgrade_headers(headers, count);
    if (upgrade != handshake_result::ok)
        return upgrade;

    for (size_t i = 0; i < count; i++)
    {
        const header_view &h = headers[i];
        if (header_name_is(h, "Sec-WebSocket-Version"))
            version.add(trimmed_value(h));
        else if (header_name_is(h, "Sec-WebSocket-Key"))
            key.add(trimmed_value(h));
    }

    if (version.conflict)
        return handshake_result::duplicate_version;
    if (!version.present)
        return handshake_result::missing_version;
    if (!is_version_13(version.value.data, version.value.len))
        return handshake_result::unsupported_version;
    if (key.conflict)
        return handshake_result::duplicate_key;
    if (!key.present)
        return handshake_result::missing_key;
    if (!is_valid_key(key.value.data, key.value.len))
        return handshake_result::bad_key;

    if (out)
    {
        out->key = key.value;
        out->headers = headers;
        out->header_count = count;
    }
    return handshake_result::ok;
}

void request_subprotocols(const server_request &request, header_list_reader *reader)
{
    reader->init(request.headers, request.header_count, "Sec-WebSocket-Protocol");
}

void request_extensions(const server_request &request, header_list_reader *reader)
{
    reader->init(request.headers, request.header_count, "Sec-WebSocket-Extensions");
}

bool request_offers_subprotocol(const server_request &request, const char *name, size_t len)
{
    header_list_reader reader;
    text_view item;
    text_view wanted = text_view{ name, name ? len : 0 };

    request_subprotocols(request, &reader);
    while (reader.next(&item))
        if (same_text(item, wanted))
            return true;
    return false;
}

bool request_offers_extension(const server_request &request, const char *name, size_t len)
{
    header_list_reader reader;
    text_view item;

    request_extensions(request, &reader);
    while (reader.next(&item))
    {
        text_view offered = extension_name(item);
        if (ascii_iequals(offered.data, offered.len, name, len))
            return true;
    }
    return false;
}

handshake_result check_server_selection(const server_request &request, text_view subprotocol,
                                        const text_view *extensions, size_t extension_count)
{
    if (subprotocol.data && subprotocol.len)
    {
        if (!is_http_token(subprotocol.data, subprotocol.len))
            return handshake_result::bad_subprotocol;
        if (!request_offers_subprotocol(request, subprotocol.data, subprotocol.len))
            return handshake_result::subprotocol_not_offered;
    }
    if (!extensions)
        extension_count = 0;
    for (size_t i = 0; i < extension_count; i++)
    {
        text_view element = trim_ows(extensions[i].data, extensions[i].data ? extensions[i].len : 0);
        if (!element.len || !is_header_value_safe(element.data, element.len))
            return handshake_result::bad_extensions;
        text_view name = extension_name(element);
        if (!is_http_token(name.data, name.len))
            return handshake_result::bad_extensions;
        if (!request_offers_extension(request, name.data, name.len))
            return handshake_result::extension_not_offered;
    }
    return handshake_result::ok;
}

/* --- Client side --------------------------------------------------------- */

namespace {

/* Index of the first offered extension called name, or count if none. */
size_t find_offered_extension(const client_offer &offer, text_view name)
{
    size_t count = offer.extensions ? offer.extension_count : 0;
    for (size_t i = 0; i < count; i++)
    {
        text_view offered = extension_name(trim_ows(offer.extensions[i].data,
                                                    offer.extensions[i].data ? offer.extensions[i].len : 0));
        if (offered.len && ascii_iequals(offered.data, offered.len, name.data, name.len))
            return i;
    }
    return count;
}

/* Whether one of the first `before` selected elements has this name. */
bool selected_earlier(const header_view *headers, size_t count, size_t before, text_view name)
{
    header_list_reader reader;
    text_view item;

    reader.init(headers, count, "Sec-WebSocket-Extensions");
    for (size_t k = 0; k < before && reader.next(&item); k++)
    {
        text_view earlier = extension_name(item);
        if (ascii_iequals(earlier.data, earlier.len, name.data, name.len))
            return true;
    }
    return false;
}

} /* namespace */

handshake_result validate_client_response(const header_view *headers, size_t count,
                                          const client_offer &offer, client_response *out,
                                          size_t *selected_extensions, size_t extension_capacity)
{
    single_value accept = {}, protocol = {};
    client_response result = {};

    if (!headers)
        count = 0;
    if (!selected_extensions)
        extension_capacity = 0;
    handshake_result upgrade = check_upgrade_headers(headers, count);
    if (upgrade != handshake_result::ok)
        return upgrade;

    for (size_t i = 0; i < count; i++)
    {
        const header_view &h = headers[i];
        if (header_name_is(h, "Sec-WebSocket-Accept"))
            accept.add(trimmed_value(h));
        else if (header_name_is(h, "Sec-WebSocket-Protocol"))
        {
            /* An empty value selects nothing: treat it like an absent header. */
            text_view v = trimmed_value(h);
            if (v.len)
                protocol.add(v);
        }
    }

    if (accept.conflict)
        return handshake_result::duplicate_accept;
    if (!accept.present)
        return handshake_result::missing_accept;
    char expected[ACCEPT_LENGTH];
    text_view key = trim_ows(offer.key, offer.key ? offer.key_len : 0);
    compute_accept(key.data, key.len, expected);
    if (accept.value.len != ACCEPT_LENGTH || memcmp(accept.value.data, expected, ACCEPT_LENGTH))
        return handshake_result::bad_accept;

    /* Extensions: each element named after something we offered, once. */
    header_list_reader reader;
    text_view item;
    size_t selected = 0;
    reader.init(headers, count, "Sec-WebSocket-Extensions");
    while (reader.next(&item))
    {
        text_view name = extension_name(item);
        if (!is_http_token(name.data, name.len) || !is_header_value_safe(item.data, item.len))
            return handshake_result::bad_extensions;
        size_t index = find_offered_extension(offer, name);
        if (index == (offer.extensions ? offer.extension_count : 0))
            return handshake_result::extension_not_offered;
        if (selected_earlier(headers, count, selected, name))
            return handshake_result::bad_extensions;
        selected++;
    }
    result.extension_count = selected;

    if (protocol.conflict)
        return handshake_result::duplicate_subprotocol;
    if (protocol.present)
    {
        size_t offered = offer.subprotocols ? offer.subprotocol_count : 0;
        size_t i;
        if (!is_http_token(protocol.value.data, protocol.value.len))
            return handshake_result::bad_subprotocol;
        for (i = 0; i < offered; i++)
        {
            text_view candidate = trim_ows(offer.subprotocols[i].data,
                                           offer.subprotocols[i].data ? offer.subprotocols[i].len : 0);
            if (same_text(candidate, protocol.value))
                break;
        }
        if (i == offered)
            return handshake_result::subprotocol_not_offered;
        result.has_subprotocol = true;
        result.subprotocol_index = i;
    }

    /* Only now, with nothing left to fail, report the extensions' indices. */
    reader.init(headers, count, "Sec-WebSocket-Extensions");
    for (size_t k = 0; k < extension_capacity && reader.next(&item); k++)
        selected_extensions[k] = find_offered_extension(offer, extension_name(item));

    if (out)
        *out = result;
    return handshake_result::ok;
}

} /* namespace ws */
