/*
 * The session engine: the opening handshake
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

/*
 * Header arrays handed to the application live in one block per handle,
 * allocated by each Begin (not a send or receive path) and freed by the next
 * Begin or by Delete, so they stay valid after End as IIS modules expect.
 * Every string in it is NUL-terminated and its length exact.
 */

#include "session.h"

#include <stdlib.h>
#include <string.h>

#include "handshake.h"

namespace ws {

namespace {

constexpr char header_names[][23] = {
    "Connection", "Upgrade", "Sec-WebSocket-Key", "Sec-WebSocket-Version",
    "Sec-WebSocket-Protocol", "Sec-WebSocket-Accept",
};
enum { NAME_CONNECTION, NAME_UPGRADE, NAME_KEY, NAME_VERSION, NAME_PROTOCOL, NAME_ACCEPT };

/* Headers the engine writes: name from the table, value counted. */
struct header_spec
{
    int name;
    const char *value;
    size_t value_length;
};

/* Lays out [http_header array][text_view array][strings] in one allocation. */
char *build_block(const header_spec *specs, uint32_t count, const text_view *lists, uint32_t list_count,
                  http_header **headers_out, text_view **lists_out)
{
    size_t size = count * sizeof(http_header) + list_count * sizeof(text_view);
    for (uint32_t i = 0; i < count; i++)
        size += strlen(header_names[specs[i].name]) + 1 + specs[i].value_length + 1;
    for (uint32_t i = 0; i < list_count; i++)
        size += lists[i].len + 1;
    char *block = static_cast<char *>(malloc(size));
    if (!block)
        return nullptr;

    http_header *headers = reinterpret_cast<http_header *>(block);
    text_view *views = reinterpret_cast<text_view *>(block + count * sizeof(http_header));
    char *text = block + count * sizeof(http_header) + list_count * sizeof(text_view);
    auto put = [&text](const char *s, size_t n) {
        char *start = text;
        memcpy(text, s, n);
        text[n] = 0;
        text += n + 1;
        return start;
    };
    for (uint32_t i = 0; i < count; i++)
    {
        const char *name = header_names[specs[i].name];
        headers[i].name_length = uint32_t(strlen(name));
        headers[i].name = put(name, headers[i].name_length);
        headers[i].value_length = uint32_t(specs[i].value_length);
        headers[i].value = put(specs[i].value, specs[i].value_length);
    }
    for (uint32_t i = 0; i < list_count; i++)
        views[i] = { put(lists[i].data, lists[i].len), lists[i].len };
    *headers_out = headers;
    *lists_out = views;
    return block;
}

/* The caller's headers as the validators read them; NULL when out of memory. */
header_view *view_headers(const http_header *headers, uint32_t count)
{
    header_view *views = static_cast<header_view *>(malloc((count ? count : 1) * sizeof(header_view)));
    if (!views)
        return nullptr;
    for (uint32_t i = 0; i < count; i++)
        views[i] = { headers[i].name, headers[i].name_length, headers[i].value, headers[i].value_length };
    return views;
}

/* No HTTP stack hands over a longer name or value (HTTP.sys caps a field at
 * 65534 bytes): a longer length is a caller's mistake, and taking it would
 * read past the caller's string. */
constexpr uint32_t MAX_HEADER_FIELD = 65536;

bool headers_readable(const http_header *headers, uint32_t count)
{
    if (count && !headers)
        return false;
    for (uint32_t i = 0; i < count; i++)
        if ((!headers[i].name && headers[i].name_length) || (!headers[i].value && headers[i].value_length)
                || headers[i].name_length > MAX_HEADER_FIELD || headers[i].value_length > MAX_HEADER_FIELD)
            return false;
    return true;
}

} /* namespace */

void session::free_handshake_headers()
{
    free(handshake_block_);
    handshake_block_ = nullptr;
    offered_subprotocols_ = 0;
    subprotocol_list_ = nullptr;
}

status session::begin_client_handshake(const char *const *subprotocols, uint32_t subprotocol_count,
        const char *const *extensions, uint32_t extension_count,
        const http_header *initial, uint32_t initial_count,
        http_header **additional, uint32_t *additional_count)
{
    if (role_ != role::client || phase_ == phase::open)
        return status::invalid_operation;
    if ((subprotocol_count && !subprotocols) || (extension_count && !extensions)
            || !headers_readable(initial, initial_count))
        return status::invalid_argument;

    /* The offer: subprotocols must be tokens.  Extensions are accepted and
     * never offered: nothing here can process RSV bits. */
    size_t list_length = 0;
    text_view *offer = static_cast<text_view *>(malloc((subprotocol_count ? subprotocol_count : 1)
                                                       * sizeof(text_view)));
    if (!offer)
        return status::out_of_memory;
    for (uint32_t i = 0; i < subprotocol_count; i++)
    {
        size_t len = subprotocols[i] ? strlen(subprotocols[i]) : 0;
        if (!is_http_token(subprotocols[i], len))
        {
            free(offer);
            return status::invalid_argument;
        }
        offer[i] = { subprotocols[i], len };
        list_length += len + 2;
    }
    for (uint32_t i = 0; i < extension_count; i++)
        if (!extensions[i] || !is_header_value_safe(extensions[i], strlen(extensions[i])))
        {
            free(offer);
            return status::invalid_argument;
        }

    char key[CLIENT_KEY_LENGTH];
    char *protocols = static_cast<char *>(malloc(list_length + 1));
    if (!protocols || !generate_client_key(random_, key))
    {
        free(protocols);
        free(offer);
        return status::out_of_memory;
    }
    size_t used = 0;
    for (uint32_t i = 0; i < subprotocol_count; i++)
    {
        if (i)
            memcpy(protocols + used, ", ", 2), used += 2;
        memcpy(protocols + used, offer[i].data, offer[i].len);
        used += offer[i].len;
    }

    header_spec specs[] = {
        { NAME_CONNECTION, "Upgrade", 7 },
        { NAME_UPGRADE, "websocket", 9 },
        { NAME_KEY, key, CLIENT_KEY_LENGTH },
        { NAME_VERSION, "13", 2 },
        { NAME_PROTOCOL, protocols, used },
    };
    uint32_t count = subprotocol_count ? 5 : 4;
    http_header *headers;
    text_view *kept;
    char *block = build_block(specs, count, offer, subprotocol_count, &headers, &kept);
    free(protocols);
    free(offer);
    if (!block)
        return status::out_of_memory;

    free_handshake_headers();
    handshake_block_ = block;
    subprotocol_list_ = kept;
    offered_subprotocols_ = subprotocol_count;
    memcpy(client_key_, key, CLIENT_KEY_LENGTH);
    client_key_[CLIENT_KEY_LENGTH] = 0;
    phase_ = phase::handshake;
    *additional = headers;
    *additional_count = count;
    return status::ok;
}

status session::end_client_handshake(const http_header *response, uint32_t response_count,
        bool *has_subprotocol, uint32_t *subprotocol_index)
{
    if (role_ != role::client || phase_ != phase::handshake)
        return status::invalid_operation;
    if (!headers_readable(response, response_count))
        return status::invalid_argument;
    header_view *views = view_headers(response, response_count);
    if (!views)
        return status::out_of_memory;

    client_offer offer = client_offer();
    offer.key = client_key_;
    offer.key_len = CLIENT_KEY_LENGTH;
    offer.subprotocols = subprotocol_list_;
    offer.subprotocol_count = offered_subprotocols_;
    client_response result = client_response();
    handshake_result checked = validate_client_response(views, response_count, offer, &result, nullptr, 0);
    free(views);
    if (checked != handshake_result::ok)
        return handshake_status(checked);
    /* Offering subprotocols and getting none back fails (documented). */
    if (offered_subprotocols_ && !result.has_subprotocol)
        return status::subprotocol_not_supported;

    *has_subprotocol = result.has_subprotocol;
    *subprotocol_index = uint32_t(result.subprotocol_index);
    phase_ = phase::open;
    return status::ok;
}

status session::begin_server_handshake(const char *subprotocol,
        const char *const *extensions, uint32_t extension_count,
        const http_header *request, uint32_t request_count,
        http_header **response, uint32_t *response_count)
{
    if (role_ != role::server || phase_ == phase::open)
        return status::invalid_operation;
    if ((extension_count && !extensions) || !headers_readable(request, request_count))
        return status::invalid_argument;
    for (uint32_t i = 0; i < extension_count; i++)
        if (!extensions[i])
            return status::invalid_argument;
    size_t subprotocol_length = subprotocol ? strlen(subprotocol) : 0;
    if (subprotocol_length && !is_http_token(subprotocol, subprotocol_length))
        return status::invalid_argument;

    header_view *views = view_headers(request, request_count);
    if (!views)
        return status::out_of_memory;
    server_request checked_request;
    handshake_result checked = validate_server_request(views, request_count, &checked_request);
    char accept[ACCEPT_LENGTH];
    if (checked == handshake_result::ok)
        compute_accept(checked_request.key.data, checked_request.key.len, accept);
    free(views);
    if (checked != handshake_result::ok)
        return handshake_status(checked);

    /* Selected extensions are accepted and not answered: none is ever negotiated. */
    header_spec specs[] = {
        { NAME_CONNECTION, "Upgrade", 7 },
        { NAME_UPGRADE, "websocket", 9 },
        { NAME_ACCEPT, accept, ACCEPT_LENGTH },
        { NAME_PROTOCOL, subprotocol, subprotocol_length },
    };
    uint32_t count = subprotocol_length ? 4 : 3;
    http_header *headers;
    text_view *unused;
    char *block = build_block(specs, count, nullptr, 0, &headers, &unused);
    if (!block)
        return status::out_of_memory;

    free_handshake_headers();
    handshake_block_ = block;
    phase_ = phase::handshake;
    *response = headers;
    *response_count = count;
    return status::ok;
}

status session::end_server_handshake()
{
    if (role_ != role::server || phase_ == phase::created || aborted_)
        return status::invalid_operation;
    phase_ = phase::open;
    return status::ok;
}

} /* namespace ws */
