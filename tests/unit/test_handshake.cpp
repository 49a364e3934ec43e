/*
 * Unit tests: opening handshake headers
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

#include "cmocka_cxx.h"

#include <string.h>

#include "chacha20.h"
#include "entropy.h"
#include "handshake.h"

using ws::client_offer;
using ws::client_response;
using ws::handshake_result;
using ws::header_view;
using ws::server_request;
using ws::text_view;

namespace {

header_view H(const char *name, const char *value)
{
    return header_view{ name, name ? strlen(name) : 0, value, value ? strlen(value) : 0 };
}

text_view T(const char *s)
{
    return text_view{ s, s ? strlen(s) : 0 };
}

bool equals(text_view t, const char *s)
{
    return t.len == strlen(s) && memcmp(t.data, s, t.len) == 0;
}

#define N(array) (sizeof(array) / sizeof((array)[0]))

const char zero_key[] = "AAAAAAAAAAAAAAAAAAAAAA==";
const char rfc_key[] = "dGhlIHNhbXBsZSBub25jZQ==";
const char rfc_accept[] = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

handshake_result server_check(const header_view *headers, size_t count)
{
    server_request req;
    return ws::validate_server_request(headers, count, &req);
}

void assert_result(handshake_result got, handshake_result want)
{
    if (got != want)
        fail_msg("got %s, want %s", ws::handshake_result_name(got), ws::handshake_result_name(want));
}

/* A client offer around rfc_key with the given lists. */
client_offer offer_with(const text_view *protocols, size_t nprotocols, const text_view *extensions, size_t nextensions)
{
    client_offer offer;
    offer.key = rfc_key;
    offer.key_len = strlen(rfc_key);
    offer.subprotocols = protocols;
    offer.subprotocol_count = nprotocols;
    offer.extensions = extensions;
    offer.extension_count = nextensions;
    return offer;
}

handshake_result client_check(const header_view *headers, size_t count, const client_offer &offer,
                              client_response *out = nullptr)
{
    client_response dummy;
    size_t selected[8];
    return ws::validate_client_response(headers, count, offer, out ? out : &dummy, selected, N(selected));
}

size_t fixed_calls;
bool fixed_source(void *buf, size_t len)
{
    fixed_calls++;
    memset(buf, 0, len);
    return true;
}

bool failing_source(void *, size_t)
{
    return false;
}

} /* namespace */

/* --- Keys ---------------------------------------------------------------- */

static void test_accept_rfc_example(void **)
{
    char accept[ws::ACCEPT_LENGTH + 1] = {};
    ws::compute_accept(rfc_key, strlen(rfc_key), accept);
    assert_string_equal(accept, rfc_accept);

    /* .NET's fixed key: the value its managed code computes itself. */
    ws::compute_accept(zero_key, strlen(zero_key), accept);
    assert_string_equal(accept, "ICX+Yqv66kxgM0FcWaLWlFLwTAI=");
}

static void test_client_key(void **)
{
    const uint8_t zeros[ws::KEY_NONCE_SIZE] = {};
    char key[ws::CLIENT_KEY_LENGTH + 1] = {};
    ws::make_client_key(zeros, key);
    assert_string_equal(key, zero_key);

    /* The pool feeds the key: with a zero seed, the first 16 bytes of the
     * zero key's ChaCha20 keystream; one seed. */
    ws::random_pool pool;
    pool.reset(fixed_source);
    fixed_calls = 0;
    memset(key, 'x', ws::CLIENT_KEY_LENGTH);
    assert_true(ws::generate_client_key(pool, key));
    const uint32_t zero_words[8] = {}, zero_nonce[3] = {};
    uint8_t block[64];
    ws::chacha20_block(zero_words, 0, zero_nonce, block);
    char expect[ws::CLIENT_KEY_LENGTH + 1] = {};
    ws::make_client_key(block, expect);
    assert_string_equal(key, expect);
    assert_int_equal(fixed_calls, 1);

    /* From the system: 24 characters, valid, different each time. */
    char key2[ws::CLIENT_KEY_LENGTH + 1] = {};
    pool.reset();
    assert_true(ws::generate_client_key(pool, key));
    assert_true(ws::generate_client_key(pool, key2));
    assert_int_equal(strlen(key), ws::CLIENT_KEY_LENGTH);
    assert_true(ws::is_valid_key(key, strlen(key)));
    assert_true(ws::is_valid_key(key2, strlen(key2)));
    assert_string_not_equal(key, key2);

    /* No randomness, no key. */
    pool.reset(failing_source);
    assert_false(ws::generate_client_key(pool, key));
}

static void test_key_validity(void **)
{
    assert_true(ws::is_valid_key(zero_key, strlen(zero_key)));
    assert_true(ws::is_valid_key(rfc_key, strlen(rfc_key)));
    assert_true(ws::is_valid_key(" \tdGhlIHNhbXBsZSBub25jZQ== \t", 28));

    static const char *bad[] = {
        "",
        "   ",
        "AAAAAAAAAAAAAAAAAAAA",          /* 15 bytes */
        "AAAAAAAAAAAAAAAAAAAAAAA=",      /* 17 bytes */
        "AAAAAAAAAAAAAAAAAAAAAAAA",      /* 18 bytes */
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAA",  /* 21 bytes */
        "AAAAAAAAAAAAAAAAAAAAAA=",       /* bad length */
        "AAAAAAAAAAAAAAAAAAAAAB==",      /* non-canonical */
        "AAAAAAAAAAAA AAAAAAAAAA==",     /* space inside */
        "AAAAAAAAAAAAAAAAAAAAA-==",
        "dGhlIHNhbXBsZSBub25jZQ",        /* padding missing */
    };
    for (const char *k : bad)
        assert_false(ws::is_valid_key(k, strlen(k)));
    assert_false(ws::is_valid_key(nullptr, 24));
}

static void test_version(void **)
{
    assert_true(ws::is_version_13("13", 2));
    assert_true(ws::is_version_13(" 13\t", 4));
    static const char *bad[] = { "", "1", "8", "12", "14", "013", "13.0", "13,8", "13, 8", "1 3", "+13" };
    for (const char *v : bad)
        assert_false(ws::is_version_13(v, strlen(v)));
    assert_false(ws::is_version_13(nullptr, 2));
    /* Counted: "13" followed by more bytes is not 13. */
    assert_false(ws::is_version_13("135", 3));
    assert_true(ws::is_version_13("135", 2));
}

/* --- Text helpers -------------------------------------------------------- */

static void test_text_helpers(void **)
{
    assert_true(ws::ascii_iequals("Sec-WebSocket-Key", 17, "sec-websocket-key", 17));
    assert_false(ws::ascii_iequals("Sec-WebSocket-Key", 17, "sec-websocket-keY2", 18));
    assert_false(ws::ascii_iequals("a", 1, "b", 1));
    assert_true(ws::ascii_iequals(nullptr, 0, "", 0));
    assert_true(ws::ascii_iequals(nullptr, 5, "", 0));   /* NULL reads as empty */
    /* Only ASCII letters fold: 0xC0 and 0xE0 stay different. */
    assert_false(ws::ascii_iequals("\xc0", 1, "\xe0", 1));
    assert_false(ws::ascii_iequals("@", 1, "`", 1));

    assert_true(ws::header_name_is(H("UPGRADE", "x"), "Upgrade"));
    assert_false(ws::header_name_is(H("Upgrade2", "x"), "Upgrade"));
    assert_false(ws::header_name_is(header_view{ nullptr, 7, nullptr, 0 }, "Upgrade"));

    assert_true(ws::is_http_token("Sec-WebSocket-Key", 17));
    assert_true(ws::is_http_token("!#$%&'*+-.^_`|~09azAZ", 21));
    assert_false(ws::is_http_token("", 0));
    assert_false(ws::is_http_token(nullptr, 3));
    static const char *not_tokens[] = { "Host:", "a b", "a\tb", "a,b", "a;b", "\"a\"", "a/b", "a=b",
                                        "a(b)", "a\x7f", "a\x01", "a\x80", "a@b", "a[b]", "a{b}", "a\\b" };
    for (const char *s : not_tokens)
        assert_false(ws::is_http_token(s, strlen(s)));
    assert_false(ws::is_http_token("a\0b", 3));

    assert_true(ws::is_header_value_safe("permessage-deflate; x=\"1\"\t", 26));
    assert_true(ws::is_header_value_safe(nullptr, 0));
    assert_true(ws::is_header_value_safe("caf\xc3\xa9", 5));   /* obs-text */
    assert_false(ws::is_header_value_safe("a\r\nX: y", 7));
    assert_false(ws::is_header_value_safe("a\nb", 3));
    assert_false(ws::is_header_value_safe("a\0b", 3));
    assert_false(ws::is_header_value_safe("a\x7f", 2));

    text_view t = ws::trim_ows(" \t x y \t ", 9);
    assert_true(equals(t, "x y"));
    t = ws::trim_ows("   ", 3);
    assert_int_equal(t.len, 0);
    t = ws::trim_ows(nullptr, 4);
    assert_null(t.data);
    assert_int_equal(t.len, 0);
}

static void test_list_reader(void **)
{
    struct { const char *list; const char *items[4]; } cases[] = {
        { "keep-alive, Upgrade", { "keep-alive", "Upgrade" } },
        { "Upgrade,HTTP2-Settings", { "Upgrade", "HTTP2-Settings" } },
        { "upgrade", { "upgrade" } },
        { "", { } },
        { " , ,, ", { } },
        { ",a, ,b,", { "a", "b" } },
        { "\ta\t,\tb c\t", { "a", "b c" } },
        { "x; q=\"1,2\", y", { "x; q=\"1,2\"", "y" } },
        { "x; q=\"a\\\",b\", y", { "x; q=\"a\\\",b\"", "y" } },
        { "x; q=\"open, y", { "x; q=\"open, y" } },   /* unterminated quote runs to the end */
    };
    for (auto &c : cases)
    {
        ws::list_reader reader;
        text_view item;
        size_t n = 0;
        reader.init(c.list, strlen(c.list));
        while (reader.next(&item))
        {
            assert_true(n < 4 && c.items[n]);
            assert_true(equals(item, c.items[n]));
            n++;
        }
        assert_true(n == 4 || !c.items[n]);
        /* Exhausted stays exhausted. */
        assert_false(reader.next(&item));
    }

    ws::list_reader reader;
    text_view item;
    reader.init(nullptr, 10);
    assert_false(reader.next(&item));
}

static void test_list_contains_token(void **)
{
    assert_true(ws::list_contains_token("keep-alive, Upgrade", 19, "upgrade"));
    assert_true(ws::list_contains_token("Upgrade,HTTP2-Settings", 22, "Upgrade"));
    assert_true(ws::list_contains_token("upgrade", 7, "Upgrade"));
    assert_true(ws::list_contains_token("UPGRADE", 7, "upgrade"));
    assert_true(ws::list_contains_token("h2c, WebSocket", 14, "websocket"));
    assert_false(ws::list_contains_token("Upgradex", 8, "Upgrade"));
    assert_false(ws::list_contains_token("keep-alive", 10, "Upgrade"));
    assert_false(ws::list_contains_token("Up grade", 8, "Upgrade"));
    assert_false(ws::list_contains_token("websocket/13", 12, "websocket"));
    assert_false(ws::list_contains_token("\"Upgrade\"", 9, "Upgrade"));
    assert_false(ws::list_contains_token(nullptr, 7, "Upgrade"));
    assert_false(ws::list_contains_token("", 0, "Upgrade"));
    /* Counted: the token must lie within the length. */
    assert_false(ws::list_contains_token("keep-alive, Upgrade", 12, "Upgrade"));
}

static void test_extension_name(void **)
{
    assert_true(equals(ws::extension_name(T("permessage-deflate; client_max_window_bits")), "permessage-deflate"));
    assert_true(equals(ws::extension_name(T("foo")), "foo"));
    assert_true(equals(ws::extension_name(T(" foo ;a=1;b")), "foo"));
    assert_int_equal(ws::extension_name(T("; a=1")).len, 0);
    assert_int_equal(ws::extension_name(text_view{ nullptr, 3 }).len, 0);
}

static void test_header_list_reader(void **)
{
    const header_view headers[] = {
        H("Sec-WebSocket-Protocol", "chat, superchat"),
        H("Host", "example.com"),
        H("sec-websocket-protocol", ""),
        H("SEC-WEBSOCKET-PROTOCOL", " v2.json ,"),
        header_view{ "Sec-WebSocket-Protocol", 22, nullptr, 9 },
        H("Sec-WebSocket-Protocolx", "nope"),
    };
    const char *expect[] = { "chat", "superchat", "v2.json" };
    ws::header_list_reader reader;
    text_view item;
    size_t n = 0;
    reader.init(headers, N(headers), "Sec-WebSocket-Protocol");
    while (reader.next(&item))
    {
        assert_true(n < N(expect));
        assert_true(equals(item, expect[n]));
        n++;
    }
    assert_int_equal(n, N(expect));
    assert_false(reader.next(&item));

    reader.init(nullptr, 5, "Sec-WebSocket-Protocol");
    assert_false(reader.next(&item));
}

/* --- Server side --------------------------------------------------------- */

static void test_server_dotnet_request(void **)
{
    /* What .NET's HttpListener passes: empty (non-NULL) Host, the zero key. */
    const header_view headers[] = {
        H("Connection", "Upgrade"),
        H("Upgrade", "websocket"),
        header_view{ "Host", 4, "", 0 },
        H("Sec-WebSocket-Version", "13"),
        H("Sec-WebSocket-Key", zero_key),
    };
    server_request req;
    memset(&req, 0, sizeof(req));
    assert_result(ws::validate_server_request(headers, N(headers), &req), handshake_result::ok);
    assert_true(equals(req.key, zero_key));
    assert_ptr_equal(req.headers, headers);
    assert_int_equal(req.header_count, N(headers));

    /* Nothing offered. */
    ws::header_list_reader reader;
    text_view item;
    ws::request_subprotocols(req, &reader);
    assert_false(reader.next(&item));
    ws::request_extensions(req, &reader);
    assert_false(reader.next(&item));
    assert_result(ws::check_server_selection(req, text_view{ nullptr, 0 }, nullptr, 0), handshake_result::ok);
    /* Marlin's old "" subprotocol means none as well. */
    assert_result(ws::check_server_selection(req, T(""), nullptr, 0), handshake_result::ok);
}

static void test_server_messy_request(void **)
{
    /* A browser request as Marlin/mORMot/IIS forward it: odd case, lists,
     * unrelated headers, no Host at all, whitespace around values. */
    const header_view headers[] = {
        H("cache-control", "no-cache"),
        H("connection", "keep-alive, Upgrade"),
        H("upgrade", "WebSocket"),
        H("origin", "http://example.com"),
        H("user-agent", "Mozilla/5.0 (X11; Linux x86_64)"),
        H("Cookie", "a=b; c=d"),
        H("sec-websocket-version", " 13 "),
        H("sec-websocket-key", "  dGhlIHNhbXBsZSBub25jZQ==\t"),
        H("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits"),
        H("Sec-WebSocket-Protocol", "chat, superchat"),
        H("Sec-WebSocket-Protocol", "v2.json"),
        H("Sec-WebSocket-Extensions", "x-webkit-deflate-frame"),
    };
    server_request req;
    assert_result(ws::validate_server_request(headers, N(headers), &req), handshake_result::ok);
    assert_true(equals(req.key, rfc_key));   /* trimmed */

    /* The accept value from the trimmed key is the RFC's. */
    char accept[ws::ACCEPT_LENGTH + 1] = {};
    ws::compute_accept(req.key.data, req.key.len, accept);
    assert_string_equal(accept, rfc_accept);

    /* Offers combine across lines. */
    assert_true(ws::request_offers_subprotocol(req, "chat", 4));
    assert_true(ws::request_offers_subprotocol(req, "superchat", 9));
    assert_true(ws::request_offers_subprotocol(req, "v2.json", 7));
    assert_false(ws::request_offers_subprotocol(req, "Chat", 4));   /* exact case */
    assert_false(ws::request_offers_subprotocol(req, "super", 5));
    assert_true(ws::request_offers_extension(req, "permessage-deflate", 18));
    assert_true(ws::request_offers_extension(req, "PerMessage-Deflate", 18));
    assert_true(ws::request_offers_extension(req, "x-webkit-deflate-frame", 22));
    assert_false(ws::request_offers_extension(req, "client_max_window_bits", 22));

    size_t n = 0;
    ws::header_list_reader reader;
    text_view item;
    ws::request_subprotocols(req, &reader);
    while (reader.next(&item))
        n++;
    assert_int_equal(n, 3);

    /* Selections checked against the offer. */
    const text_view ext_ok[] = { T("permessage-deflate; server_no_context_takeover") };
    const text_view ext_unknown[] = { T("permessage-deflate"), T("foo") };
    const text_view ext_bad[] = { T("x\r\nEvil: 1") };
    const text_view ext_empty[] = { T(" ") };
    const text_view ext_noname[] = { T("; a=1") };
    assert_result(ws::check_server_selection(req, T("superchat"), ext_ok, 1), handshake_result::ok);
    assert_result(ws::check_server_selection(req, T("other"), nullptr, 0), handshake_result::subprotocol_not_offered);
    assert_result(ws::check_server_selection(req, T("chat, superchat"), nullptr, 0), handshake_result::bad_subprotocol);
    assert_result(ws::check_server_selection(req, T("chat\r\n"), nullptr, 0), handshake_result::bad_subprotocol);
    assert_result(ws::check_server_selection(req, T(""), ext_unknown, 2), handshake_result::extension_not_offered);
    assert_result(ws::check_server_selection(req, T(""), ext_bad, 1), handshake_result::bad_extensions);
    assert_result(ws::check_server_selection(req, T(""), ext_empty, 1), handshake_result::bad_extensions);
    assert_result(ws::check_server_selection(req, T(""), ext_noname, 1), handshake_result::bad_extensions);
    /* A NULL extension array counts as none. */
    assert_result(ws::check_server_selection(req, T(""), nullptr, 3), handshake_result::ok);
}

static void test_server_other_accepted_shapes(void **)
{
    /* NULL Host value, Upgrade as a list, Connection as a list with Upgrade last,
     * repeated identical key and version (hosts merging header sources). */
    const header_view headers[] = {
        header_view{ "Host", 4, nullptr, 0 },
        H("Upgrade", "h2c, websocket"),
        H("Connection", "keep-alive"),
        H("Connection", "Upgrade,HTTP2-Settings"),
        H("Sec-WebSocket-Version", "13"),
        H("Sec-WebSocket-Version", "13 "),
        H("Sec-WebSocket-Key", zero_key),
        H("Sec-WebSocket-Key", zero_key),
    };
    assert_result(server_check(headers, N(headers)), handshake_result::ok);

    /* out may be NULL. */
    assert_result(ws::validate_server_request(headers, N(headers), nullptr), handshake_result::ok);
}

static void test_server_failures(void **)
{
    const header_view good[] = {
        H("Upgrade", "websocket"),
        H("Connection", "Upgrade"),
        H("Sec-WebSocket-Version", "13"),
        H("Sec-WebSocket-Key", zero_key),
    };
    assert_result(server_check(good, N(good)), handshake_result::ok);

    struct { header_view replace; size_t index; handshake_result want; } cases[] = {
        { H("Upgrade", "h2c"), 0, handshake_result::bad_upgrade },
        { H("Upgrade", ""), 0, handshake_result::bad_upgrade },
        { H("Upgrade", "websockets"), 0, handshake_result::bad_upgrade },
        { H("X-Upgrade", "websocket"), 0, handshake_result::bad_upgrade },
        { H("Connection", "keep-alive"), 1, handshake_result::bad_connection },
        { H("Connection", "close"), 1, handshake_result::bad_connection },
        { H("X-Other", "Upgrade"), 1, handshake_result::bad_connection },
        { H("X-Other", "13"), 2, handshake_result::missing_version },
        { H("Sec-WebSocket-Version", "8"), 2, handshake_result::unsupported_version },
        { H("Sec-WebSocket-Version", "13, 8"), 2, handshake_result::unsupported_version },
        { H("Sec-WebSocket-Version", ""), 2, handshake_result::unsupported_version },
        { H("X-Other", zero_key), 3, handshake_result::missing_key },
        { H("Sec-WebSocket-Key", ""), 3, handshake_result::bad_key },
        { H("Sec-WebSocket-Key", "AAAAAAAAAAAAAAAAAAAA"), 3, handshake_result::bad_key },
        { H("Sec-WebSocket-Key", "not base64 at all!!!!!!!"), 3, handshake_result::bad_key },
        { H("Sec-WebSocket-Key", "AAAAAAAAAAAAAAAAAAAAAAAA"), 3, handshake_result::bad_key },
        { H("Bad:Name", "x"), 0, handshake_result::bad_header_name },
        { H(" Upgrade", "websocket"), 0, handshake_result::bad_header_name },
        { H("Upgrade ", "websocket"), 0, handshake_result::bad_header_name },
        { H("", "x"), 0, handshake_result::bad_header_name },
        { header_view{ nullptr, 7, "websocket", 9 }, 0, handshake_result::bad_header_name },
    };
    for (auto &c : cases)
    {
        header_view headers[N(good)];
        memcpy(headers, good, sizeof(good));
        headers[c.index] = c.replace;
        server_request req;
        memset(&req, 0x5a, sizeof(req));
        assert_result(ws::validate_server_request(headers, N(headers), &req), c.want);
        /* Untouched on failure. */
        assert_int_equal(((unsigned char *)&req)[0], 0x5a);
    }

    /* Repeats with different values. */
    const header_view two_keys[] = {
        H("Upgrade", "websocket"), H("Connection", "Upgrade"), H("Sec-WebSocket-Version", "13"),
        H("Sec-WebSocket-Key", zero_key), H("Sec-WebSocket-Key", rfc_key),
    };
    assert_result(server_check(two_keys, N(two_keys)), handshake_result::duplicate_key);
    const header_view two_versions[] = {
        H("Upgrade", "websocket"), H("Connection", "Upgrade"), H("Sec-WebSocket-Version", "13"),
        H("Sec-WebSocket-Version", "8"), H("Sec-WebSocket-Key", zero_key),
    };
    assert_result(server_check(two_versions, N(two_versions)), handshake_result::duplicate_version);

    /* Nothing at all: the first rule reports. */
    assert_result(server_check(nullptr, 0), handshake_result::bad_upgrade);
    assert_result(server_check(nullptr, 4), handshake_result::bad_upgrade);

    /* Order: Upgrade, Connection, Version, Key. */
    const header_view only_upgrade[] = { H("Upgrade", "websocket"), H("Sec-WebSocket-Key", "bad") };
    assert_result(server_check(only_upgrade, N(only_upgrade)), handshake_result::bad_connection);
    const header_view no_version_bad_key[] = { H("Upgrade", "websocket"), H("Connection", "upgrade"),
                                               H("Sec-WebSocket-Key", "bad") };
    assert_result(server_check(no_version_bad_key, N(no_version_bad_key)), handshake_result::missing_version);
}

/* --- Client side --------------------------------------------------------- */

static void test_client_dotnet_response(void **)
{
    /* What .NET's ClientWebSocket passes to EndClientHandshake. */
    const header_view headers[] = {
        H("Connection", "Upgrade"),
        H("Upgrade", "websocket"),
        H("Sec-WebSocket-Accept", rfc_accept),
    };
    client_offer offer = offer_with(nullptr, 0, nullptr, 0);
    client_response resp;
    memset(&resp, 0x5a, sizeof(resp));
    assert_result(client_check(headers, N(headers), offer, &resp), handshake_result::ok);
    assert_false(resp.has_subprotocol);
    assert_int_equal(resp.extension_count, 0);

    /* Output pointers may be NULL. */
    assert_result(ws::validate_client_response(headers, N(headers), offer, nullptr, nullptr, 5), handshake_result::ok);
}

static void test_client_messy_response(void **)
{
    const text_view protocols[] = { T("chat"), T("superchat"), T("v2.json") };
    const text_view extensions[] = { T("permessage-deflate; client_max_window_bits"), T("x-foo") };
    const header_view headers[] = {
        H("server", "nginx"),
        H("date", "Thu, 01 Jan 2026 00:00:00 GMT"),
        H("connection", "keep-alive, upgrade"),
        H("upgrade", "WEBSOCKET"),
        H("sec-websocket-accept", "  s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\t"),
        H("sec-websocket-protocol", " superchat "),
        H("sec-websocket-extensions", "x-foo"),
        H("Sec-WebSocket-Extensions", "permessage-deflate; server_no_context_takeover"),
        H("Sec-WebSocket-Version", "13"),
    };
    client_offer offer = offer_with(protocols, N(protocols), extensions, N(extensions));
    client_response resp;
    size_t selected[4] = { 99, 99, 99, 99 };
    assert_result(ws::validate_client_response(headers, N(headers), offer, &resp, selected, 4), handshake_result::ok);
    assert_true(resp.has_subprotocol);
    assert_int_equal(resp.subprotocol_index, 1);
    assert_int_equal(resp.extension_count, 2);
    assert_int_equal(selected[0], 1);
    assert_int_equal(selected[1], 0);
    assert_int_equal(selected[2], 99);

    /* Capacity smaller than the selection: the count is still complete. */
    size_t one[1] = { 99 };
    assert_result(ws::validate_client_response(headers, N(headers), offer, &resp, one, 1), handshake_result::ok);
    assert_int_equal(one[0], 1);
    assert_int_equal(resp.extension_count, 2);

    /* An identical repeat of Accept / Protocol is tolerated; an empty
     * Protocol selects nothing. */
    const header_view repeats[] = {
        H("Connection", "Upgrade"), H("Upgrade", "websocket"),
        H("Sec-WebSocket-Accept", rfc_accept), H("Sec-WebSocket-Accept", rfc_accept),
        H("Sec-WebSocket-Protocol", "v2.json"), H("Sec-WebSocket-Protocol", "v2.json "),
        H("Sec-WebSocket-Protocol", ""),
    };
    assert_result(client_check(repeats, N(repeats), offer, &resp), handshake_result::ok);
    assert_int_equal(resp.subprotocol_index, 2);
    const header_view empty_protocol[] = {
        H("Connection", "Upgrade"), H("Upgrade", "websocket"), H("Sec-WebSocket-Accept", rfc_accept),
        H("Sec-WebSocket-Protocol", " "),
    };
    assert_result(client_check(empty_protocol, N(empty_protocol), offer, &resp), handshake_result::ok);
    assert_false(resp.has_subprotocol);

    /* The first offer of a repeated protocol name is the one reported. */
    const text_view twice[] = { T("a"), T("b"), T("b") };
    const header_view pick_b[] = {
        H("Connection", "Upgrade"), H("Upgrade", "websocket"), H("Sec-WebSocket-Accept", rfc_accept),
        H("Sec-WebSocket-Protocol", "b"),
    };
    client_offer offer2 = offer_with(twice, 3, nullptr, 0);
    assert_result(client_check(pick_b, N(pick_b), offer2, &resp), handshake_result::ok);
    assert_int_equal(resp.subprotocol_index, 1);
}

static void test_client_failures(void **)
{
    const text_view protocols[] = { T("chat"), T("superchat") };
    const text_view extensions[] = { T("x-foo") };
    client_offer offer = offer_with(protocols, N(protocols), extensions, N(extensions));
    client_offer bare = offer_with(nullptr, 0, nullptr, 0);

    struct { header_view extra[3]; size_t nextra; bool use_bare; handshake_result want; } cases[] = {
        { { H("Sec-WebSocket-Protocol", "other") }, 1, false, handshake_result::subprotocol_not_offered },
        { { H("Sec-WebSocket-Protocol", "Chat") }, 1, false, handshake_result::subprotocol_not_offered },
        { { H("Sec-WebSocket-Protocol", "chat") }, 1, true, handshake_result::subprotocol_not_offered },
        { { H("Sec-WebSocket-Protocol", "chat, superchat") }, 1, false, handshake_result::bad_subprotocol },
        { { H("Sec-WebSocket-Protocol", "chat"), H("Sec-WebSocket-Protocol", "superchat") }, 2, false,
          handshake_result::duplicate_subprotocol },
        { { H("Sec-WebSocket-Extensions", "permessage-deflate") }, 1, true, handshake_result::extension_not_offered },
        { { H("Sec-WebSocket-Extensions", "x-bar") }, 1, false, handshake_result::extension_not_offered },
        { { H("Sec-WebSocket-Extensions", "x-foo, x-foo") }, 1, false, handshake_result::bad_extensions },
        { { H("Sec-WebSocket-Extensions", "x-foo"), H("Sec-WebSocket-Extensions", "X-FOO; a") }, 2, false,
          handshake_result::bad_extensions },
        { { H("Sec-WebSocket-Extensions", "; a=1") }, 1, false, handshake_result::bad_extensions },
        { { H("Sec-WebSocket-Extensions", "x foo") }, 1, false, handshake_result::bad_extensions },
        { { H("Sec-WebSocket-Extensions", "x-foo; a=\"\x01\"") }, 1, false, handshake_result::bad_extensions },
        { { H("Sec-WebSocket-Accept", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=") }, 1, false, handshake_result::duplicate_accept },
        { { H("Bad:Name", "x") }, 1, false, handshake_result::bad_header_name },
        { { header_view{ nullptr, 3, "x", 1 } }, 1, false, handshake_result::bad_header_name },
    };
    for (auto &c : cases)
    {
        header_view headers[6] = {
            H("Connection", "Upgrade"), H("Upgrade", "websocket"), H("Sec-WebSocket-Accept", rfc_accept),
        };
        for (size_t i = 0; i < c.nextra; i++)
            headers[3 + i] = c.extra[i];
        client_response resp;
        size_t selected[2] = { 77, 77 };
        memset(&resp, 0x5a, sizeof(resp));
        assert_result(ws::validate_client_response(headers, 3 + c.nextra, c.use_bare ? bare : offer, &resp,
                                                    selected, 2), c.want);
        /* Nothing written on failure. */
        assert_int_equal(((unsigned char *)&resp)[0], 0x5a);
        assert_int_equal(selected[0], 77);
    }

    /* Upgrade, Connection and Accept problems, in that order. */
    const header_view no_upgrade[] = { H("Connection", "Upgrade"), H("Sec-WebSocket-Accept", rfc_accept) };
    assert_result(client_check(no_upgrade, N(no_upgrade), offer), handshake_result::bad_upgrade);
    const header_view wrong_upgrade[] = { H("Upgrade", "h2c"), H("Connection", "Upgrade"),
                                          H("Sec-WebSocket-Accept", rfc_accept) };
    assert_result(client_check(wrong_upgrade, N(wrong_upgrade), offer), handshake_result::bad_upgrade);
    const header_view no_connection[] = { H("Upgrade", "websocket"), H("Sec-WebSocket-Accept", "x") };
    assert_result(client_check(no_connection, N(no_connection), offer), handshake_result::bad_connection);
    const header_view no_accept[] = { H("Upgrade", "websocket"), H("Connection", "Upgrade"),
                                      H("Sec-WebSocket-Protocol", "other") };
    assert_result(client_check(no_accept, N(no_accept), offer), handshake_result::missing_accept);
    const header_view wrong_accept[] = { H("Upgrade", "websocket"), H("Connection", "Upgrade"),
                                         H("Sec-WebSocket-Accept", "ICX+Yqv66kxgM0FcWaLWlFLwTAI=") };
    assert_result(client_check(wrong_accept, N(wrong_accept), offer), handshake_result::bad_accept);
    const header_view lower_accept[] = { H("Upgrade", "websocket"), H("Connection", "Upgrade"),
                                         H("Sec-WebSocket-Accept", "S3PPLMBITXAQ9KYGZZHZRBK+XOO=") };
    assert_result(client_check(lower_accept, N(lower_accept), offer), handshake_result::bad_accept);
    const header_view short_accept[] = { H("Upgrade", "websocket"), H("Connection", "Upgrade"),
                                         H("Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo") };
    assert_result(client_check(short_accept, N(short_accept), offer), handshake_result::bad_accept);
    const header_view empty_accept[] = { H("Upgrade", "websocket"), H("Connection", "Upgrade"),
                                         H("Sec-WebSocket-Accept", "") };
    assert_result(client_check(empty_accept, N(empty_accept), offer), handshake_result::bad_accept);
    /* The accept for another key (the zero key) is wrong for ours. */
    client_offer zero = bare;
    zero.key = zero_key;
    zero.key_len = strlen(zero_key);
    const header_view rfc_headers[] = { H("Upgrade", "websocket"), H("Connection", "Upgrade"),
                                        H("Sec-WebSocket-Accept", rfc_accept) };
    assert_result(client_check(rfc_headers, N(rfc_headers), zero), handshake_result::bad_accept);
    assert_result(client_check(nullptr, 3, offer), handshake_result::bad_upgrade);

    /* Extensions are checked before the subprotocol (RFC 6455 section 4.1 order). */
    const header_view both_bad[] = {
        H("Upgrade", "websocket"), H("Connection", "Upgrade"), H("Sec-WebSocket-Accept", rfc_accept),
        H("Sec-WebSocket-Protocol", "other"), H("Sec-WebSocket-Extensions", "x-bar"),
    };
    assert_result(client_check(both_bad, N(both_bad), offer), handshake_result::extension_not_offered);
}

static void test_result_mapping(void **)
{
    struct { handshake_result r; ws::status s; const char *name; } cases[] = {
        { handshake_result::ok, ws::status::ok, "ok" },
        { handshake_result::bad_header_name, ws::status::invalid_format, "bad_header_name" },
        { handshake_result::bad_upgrade, ws::status::invalid_format, "bad_upgrade" },
        { handshake_result::bad_connection, ws::status::invalid_format, "bad_connection" },
        { handshake_result::missing_version, ws::status::version_not_supported, "missing_version" },
        { handshake_result::unsupported_version, ws::status::version_not_supported, "unsupported_version" },
        { handshake_result::duplicate_version, ws::status::invalid_format, "duplicate_version" },
        { handshake_result::missing_key, ws::status::invalid_format, "missing_key" },
        { handshake_result::bad_key, ws::status::invalid_format, "bad_key" },
        { handshake_result::duplicate_key, ws::status::invalid_format, "duplicate_key" },
        { handshake_result::missing_accept, ws::status::invalid_format, "missing_accept" },
        { handshake_result::bad_accept, ws::status::invalid_format, "bad_accept" },
        { handshake_result::duplicate_accept, ws::status::invalid_format, "duplicate_accept" },
        { handshake_result::bad_subprotocol, ws::status::invalid_format, "bad_subprotocol" },
        { handshake_result::duplicate_subprotocol, ws::status::invalid_format, "duplicate_subprotocol" },
        { handshake_result::subprotocol_not_offered, ws::status::subprotocol_not_supported, "subprotocol_not_offered" },
        { handshake_result::bad_extensions, ws::status::invalid_format, "bad_extensions" },
        { handshake_result::extension_not_offered, ws::status::extensions_not_supported, "extension_not_offered" },
    };
    /* Every enumerator is listed once. */
    assert_int_equal(N(cases), (size_t)handshake_result::extension_not_offered + 1);
    for (size_t i = 0; i < N(cases); i++)
    {
        assert_int_equal((int)cases[i].r, (int)i);
        assert_int_equal((int)ws::handshake_status(cases[i].r), (int)cases[i].s);
        assert_string_equal(ws::handshake_result_name(cases[i].r), cases[i].name);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accept_rfc_example),
        cmocka_unit_test(test_client_key),
        cmocka_unit_test(test_key_validity),
        cmocka_unit_test(test_version),
        cmocka_unit_test(test_text_helpers),
        cmocka_unit_test(test_list_reader),
        cmocka_unit_test(test_list_contains_token),
        cmocka_unit_test(test_extension_name),
        cmocka_unit_test(test_header_list_reader),
        cmocka_unit_test(test_server_dotnet_request),
        cmocka_unit_test(test_server_messy_request),
        cmocka_unit_test(test_server_other_accepted_shapes),
        cmocka_unit_test(test_server_failures),
        cmocka_unit_test(test_client_dotnet_response),
        cmocka_unit_test(test_client_messy_response),
        cmocka_unit_test(test_client_failures),
        cmocka_unit_test(test_result_mapping),
    };
    return cmocka_run_group_tests_name("handshake", tests, nullptr, nullptr);
}
