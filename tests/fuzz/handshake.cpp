/*
 * Fuzz target: the handshakes through the exported API with arbitrary headers.
 *
 * Input: [mode][header lines...], each line "name:value" ending in '\n'
 * (a line without ':' is a name with an empty value; NUL bytes stay in).
 *   mode bit 0: 0 = server (WebSocketBeginServerHandshake on the request
 *               headers, then EndServerHandshake); 1 = client
 *               (BeginClientHandshake, then WebSocketEndClientHandshake on the
 *               response headers)
 *   mode bit 1: client: append a correct Sec-WebSocket-Accept for the key the
 *               DLL generated, so the fuzzer gets past the accept check
 *   mode bit 2: offer / select subprotocols
 *   mode bit 3: server: select an extension
 *
 * Copyright 2026 The websocket.dll authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "handshake.h"

namespace {

constexpr size_t MAX_HEADERS = 64;

/* Touch every byte the DLL hands back so ASan sees a bad pointer. */
unsigned touch_headers(const WEB_SOCKET_HTTP_HEADER *headers, ULONG count)
{
    unsigned sum = 0;
    check(count <= 16);
    check(headers != nullptr || count == 0);
    for (ULONG i = 0; i < count; i++)
    {
        check(headers[i].pcName && headers[i].pcValue);
        check(headers[i].ulNameLength > 0 && headers[i].ulNameLength < 256);
        check(headers[i].ulValueLength < 4096);
        for (ULONG j = 0; j < headers[i].ulNameLength; j++)
            sum += (unsigned char)headers[i].pcName[j];
        for (ULONG j = 0; j < headers[i].ulValueLength; j++)
            sum += (unsigned char)headers[i].pcValue[j];
        check(headers[i].pcName[headers[i].ulNameLength] == 0);
        check(headers[i].pcValue[headers[i].ulValueLength] == 0);
    }
    return sum;
}

const char *find(const WEB_SOCKET_HTTP_HEADER *headers, ULONG count, const char *name, ULONG *len)
{
    for (ULONG i = 0; i < count; i++)
        if (fuzz::named(headers[i], name))
        {
            *len = headers[i].ulValueLength;
            return headers[i].pcValue;
        }
    return nullptr;
}

} /* namespace */

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 16384)
        return 0;
    unsigned mode = data[0];
    size_t text_len = size - 1;
    char *text = fuzz::exact_copy(data + 1, text_len);

    WEB_SOCKET_HTTP_HEADER headers[MAX_HEADERS + 1];
    ULONG count = fuzz::header_lines(text, text_len, headers, MAX_HEADERS);

    static const char *protocols[] = { "chat", "superchat", "x" };
    static const char *extensions[] = { "permessage-deflate" };
    WEB_SOCKET_HANDLE h = nullptr;
    HRESULT hr;
    char accept[ws::ACCEPT_LENGTH + 1];

    if (!(mode & 1))
    {
        check(WebSocketCreateServerHandle(nullptr, 0, &h) == S_OK);
        PWEB_SOCKET_HTTP_HEADER response = nullptr;
        ULONG response_count = 0;
        hr = WebSocketBeginServerHandshake(h, (mode & 4) ? protocols[(mode >> 4) % 3] : nullptr,
                (mode & 8) ? (PCSTR *)extensions : nullptr, (mode & 8) ? 1 : 0,
                headers, count, &response, &response_count);
        if (hr == S_OK)
        {
            touch_headers(response, response_count);
            check(WebSocketEndServerHandshake(h) == S_OK);
        }
        else
            check(FAILED(hr));
    }
    else
    {
        check(WebSocketCreateClientHandle(nullptr, 0, &h) == S_OK);
        PWEB_SOCKET_HTTP_HEADER additional = nullptr;
        ULONG additional_count = 0;
        hr = WebSocketBeginClientHandshake(h, (mode & 4) ? (PCSTR *)protocols : nullptr,
                (mode & 4) ? 3 : 0, nullptr, 0, nullptr, 0, &additional, &additional_count);
        check(hr == S_OK);
        touch_headers(additional, additional_count);
        if ((mode & 2) && count < MAX_HEADERS + 1)
        {
            ULONG key_len = 0;
            const char *key = find(additional, additional_count, "Sec-WebSocket-Key", &key_len);
            check(key != nullptr);
            ws::compute_accept(key, key_len, accept);
            accept[ws::ACCEPT_LENGTH] = 0;
            headers[count].pcName = (PCHAR)"Sec-WebSocket-Accept";
            headers[count].ulNameLength = 20;
            headers[count].pcValue = accept;
            headers[count].ulValueLength = ws::ACCEPT_LENGTH;
            count++;
        }
        ULONG selected_extensions[8];
        ULONG selected_extension_count = 8;
        ULONG selected_protocol = 0xdeadbeef;
        hr = WebSocketEndClientHandshake(h, headers, count, selected_extensions,
                &selected_extension_count, &selected_protocol);
        if (hr == S_OK)
        {
            check(selected_extension_count == 0);
            check(selected_protocol == 0xdeadbeef || selected_protocol < 3);
        }
        else
            check(FAILED(hr));
    }
    WebSocketDeleteHandle(h);
    free(text);
    return 0;
}
