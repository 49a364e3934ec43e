/*
 * websocket.dll exported functions
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
 * The exported functions: trace the call, check the arguments, find the
 * handle, take its lock, call the engine, map its status to an HRESULT.
 * No protocol logic lives here.
 */

#include <stddef.h>
#include <string.h>

#include "websocket.h"

#include "debug.h"
#include "global_settings.h"
#include "handle_table.h"
#include "hresult.h"
#include "session.h"

/* The engine's header array is handed out as the API's: same layout. */
static_assert(sizeof(ws::http_header) == sizeof(WEB_SOCKET_HTTP_HEADER), "header size");
static_assert(offsetof(ws::http_header, name) == offsetof(WEB_SOCKET_HTTP_HEADER, pcName), "pcName");
static_assert(offsetof(ws::http_header, name_length) == offsetof(WEB_SOCKET_HTTP_HEADER, ulNameLength),
              "ulNameLength");
static_assert(offsetof(ws::http_header, value) == offsetof(WEB_SOCKET_HTTP_HEADER, pcValue), "pcValue");
static_assert(offsetof(ws::http_header, value_length) == offsetof(WEB_SOCKET_HTTP_HEADER, ulValueLength),
              "ulValueLength");
static_assert(sizeof(ULONG) == sizeof(uint32_t), "ULONG");

/* Every call's result goes to the trace too. */
#define RETURN(expr) \
    do { HRESULT hr_ = (expr); TRACE("returning %#x\n", unsigned(hr_)); return hr_; } while (0)

namespace {

/* A live session, its handle's lock held for the length of one call. */
class session_ref
{
public:
    /* Inline: the lock's fast path is a few instructions, less than a call. */
    __attribute__((always_inline)) explicit session_ref(WEB_SOCKET_HANDLE handle)
        : held_(),
          session_(static_cast<ws::session *>(ws::handle_lock(reinterpret_cast<uintptr_t>(handle), &held_)))
    {
    }
    __attribute__((always_inline)) ~session_ref()
    {
        if (session_)
            ws::handle_unlock(held_);
    }
    session_ref(const session_ref &) = delete;
    session_ref &operator=(const session_ref &) = delete;
    ws::session *operator->() const { return session_; }
    explicit operator bool() const { return session_ != nullptr; }

private:
    ws::handle_held held_;
    ws::session *session_;
};

/* An enum argument as the integer the caller passed: callers pass any
 * 32-bit value, and loading one outside the enum's range through the C++
 * enum type is undefined behaviour (UBSan -fsanitize=enum). */
template <class E>
ULONG integer_of(const E &value)
{
    static_assert(sizeof(E) == sizeof(ULONG), "a 32-bit enum");
    ULONG integer;
    memcpy(&integer, &value, sizeof(integer));
    return integer;
}

/* A property value of exactly sizeof(T) bytes, at any address (.NET packs
 * them): read with memcpy. */
template <class T>
bool read_value(const WEB_SOCKET_PROPERTY &property, T *out)
{
    if (property.ulValueSize != sizeof(T))
        return false;
    memcpy(out, property.pvValue, sizeof(T));
    return true;
}

HRESULT read_properties(const WEB_SOCKET_PROPERTY *properties, ULONG count, ws::session_config *config)
{
    if (count && !properties)
        return E_INVALIDARG;
    for (ULONG i = 0; i < count; i++)
    {
        const WEB_SOCKET_PROPERTY &property = properties[i];
        if (!property.pvValue)
            return E_INVALIDARG;
        ULONG type = integer_of(property.Type);  /* UBSan caught 0x80000000 here */
        switch (type)
        {
        case WEB_SOCKET_RECEIVE_BUFFER_SIZE_PROPERTY_TYPE:
        case WEB_SOCKET_SEND_BUFFER_SIZE_PROPERTY_TYPE:
        {
            ULONG size;
            if (!read_value(property, &size))
                return E_INVALIDARG;
            (type == WEB_SOCKET_RECEIVE_BUFFER_SIZE_PROPERTY_TYPE
                 ? config->receive_buffer_size : config->send_buffer_size) = size;
            break;
        }
        case WEB_SOCKET_DISABLE_MASKING_PROPERTY_TYPE:
        case WEB_SOCKET_DISABLE_UTF8_VERIFICATION_PROPERTY_TYPE:
        {
            BOOL value;
            if (!read_value(property, &value))
                return E_INVALIDARG;
            (type == WEB_SOCKET_DISABLE_MASKING_PROPERTY_TYPE
                 ? config->disable_masking : config->disable_utf8) = value != FALSE;
            break;
        }
        case WEB_SOCKET_ALLOCATED_BUFFER_PROPERTY_TYPE:
        {
            /* pvValue points at a slot holding the buffer's address; the size is the buffer's. */
            void *buffer;
            memcpy(&buffer, property.pvValue, sizeof(buffer));
            if (!buffer)
                return E_INVALIDARG;
            config->allocated_buffer = static_cast<uint8_t *>(buffer);
            config->allocated_size = property.ulValueSize;
            break;
        }
        default:
            /* Keep-alive and versions are global properties, not handle ones. */
            return E_INVALIDARG;
        }
    }
    return S_OK;
}

HRESULT create_handle(ws::role role, const WEB_SOCKET_PROPERTY *properties, ULONG count,
                      WEB_SOCKET_HANDLE *handle)
{
    if (!handle)
        return E_INVALIDARG;
    ws::session_config config = ws::session_config();
    config.role = role;
    config.receive_buffer_size = ws::DEFAULT_BUFFER;
    config.send_buffer_size = role == ws::role::client ? ws::DEFAULT_BUFFER : ws::DEFAULT_SERVER_SEND_BUFFER;
    HRESULT hr = read_properties(properties, count, &config);
    if (FAILED(hr))
        return hr;

    ws::session *session;
    ws::status status = ws::session::create(config, &session);
    if (status != ws::status::ok)
        return hresult_from_status(status);
    uintptr_t value = ws::handle_insert(session, ws::session::destroy);
    if (!value)
    {
        ws::session::destroy(session);
        return E_OUTOFMEMORY;
    }
    *handle = reinterpret_cast<WEB_SOCKET_HANDLE>(value);
    return S_OK;
}

ws::buffer_type engine_type(ULONG type)
{
    unsigned index = type - unsigned(WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE);
    return index <= unsigned(ws::buffer_type::unsolicited_pong) ? ws::buffer_type(index) : ws::buffer_type::none;
}

} /* namespace */

/***********************************************************************
 *          WebSocketCreateClientHandle (websocket.@)
 */
extern "C" HRESULT WINAPI WebSocketCreateClientHandle(const PWEB_SOCKET_PROPERTY properties,
        ULONG count, WEB_SOCKET_HANDLE *handle)
{
    TRACE("%p, %u, %p\n", properties, unsigned(count), handle);
    RETURN(create_handle(ws::role::client, properties, count, handle));
}

/***********************************************************************
 *          WebSocketCreateServerHandle (websocket.@)
 */
extern "C" HRESULT WINAPI WebSocketCreateServerHandle(const PWEB_SOCKET_PROPERTY properties,
        ULONG count, WEB_SOCKET_HANDLE *handle)
{
    TRACE("%p, %u, %p\n", properties, unsigned(count), handle);
    RETURN(create_handle(ws::role::server, properties, count, handle));
}

/***********************************************************************
 *          WebSocketBeginClientHandshake (websocket.@)
 */
extern "C" HRESULT WINAPI WebSocketBeginClientHandshake(WEB_SOCKET_HANDLE handle,
        PCSTR *subprotocols, ULONG subprotocol_count, PCSTR *extensions, ULONG extension_count,
        const PWEB_SOCKET_HTTP_HEADER initial_headers, ULONG initial_header_count,
        PWEB_SOCKET_HTTP_HEADER *additional_headers, ULONG *additional_header_count)
{
    TRACE("%p, %p, %u, %p, %u, %p, %u, %p, %p\n", handle, subprotocols, unsigned(subprotocol_count),
            extensions, unsigned(extension_count), initial_headers, unsigned(initial_header_count),
            additional_headers, additional_header_count);
    if (!additional_headers || !additional_header_count)
        RETURN(E_INVALIDARG);
    session_ref session(handle);
    if (!session)
        RETURN(E_HANDLE);
    ws::http_header *headers;
    uint32_t count;
    ws::status status = session->begin_client_handshake(subprotocols, subprotocol_count, extensions,
            extension_count, reinterpret_cast<const ws::http_header *>(initial_headers),
            initial_header_count, &headers, &count);
    if (status == ws::status::ok)
    {
        *additional_headers = reinterpret_cast<PWEB_SOCKET_HTTP_HEADER>(headers);
        *additional_header_count = count;
    }
    RETURN(hresult_from_status(status));
}

/***********************************************************************
 *          WebSocketEndClientHandshake (websocket.@)
 */
extern "C" HRESULT WINAPI WebSocketEndClientHandshake(WEB_SOCKET_HANDLE handle,
        const PWEB_SOCKET_HTTP_HEADER response_headers, ULONG response_header_count,
        ULONG *selected_extensions, ULONG *selected_extension_count, ULONG *selected_subprotocol)
{
    TRACE("%p, %p, %u, %p, %p, %p\n", handle, response_headers, unsigned(response_header_count),
            selected_extensions, selected_extension_count, selected_subprotocol);
    session_ref session(handle);
    if (!session)
        RETURN(E_HANDLE);
    bool has_subprotocol;
    uint32_t subprotocol;
    ws::status status = session->end_client_handshake(
            reinterpret_cast<const ws::http_header *>(response_headers), response_header_count,
            &has_subprotocol, &subprotocol);
    if (status == ws::status::ok)
    {
        /* No extension is ever negotiated. */
        if (selected_extension_count)
            *selected_extension_count = 0;
        if (selected_subprotocol && has_subprotocol)
            *selected_subprotocol = subprotocol;
    }
    RETURN(hresult_from_status(status));
}

/***********************************************************************
 *          WebSocketBeginServerHandshake (websocket.@)
 */
extern "C" HRESULT WINAPI WebSocketBeginServerHandshake(WEB_SOCKET_HANDLE handle,
        PCSTR subprotocol, PCSTR *extensions, ULONG extension_count,
        const PWEB_SOCKET_HTTP_HEADER request_headers, ULONG request_header_count,
        PWEB_SOCKET_HTTP_HEADER *response_headers, ULONG *response_header_count)
{
    TRACE("%p, %s, %p, %u, %p, %u, %p, %p\n", handle, ws::debugstr_an(subprotocol, -1).text,
            extensions, unsigned(extension_count), request_headers, unsigned(request_header_count),
            response_headers, response_header_count);
    if (!response_headers || !response_header_count)
        RETURN(E_INVALIDARG);
    session_ref session(handle);
    if (!session)
        RETURN(E_HANDLE);
    ws::http_header *headers;
    uint32_t count;
    ws::status status = session->begin_server_handshake(subprotocol, extensions, extension_count,
            reinterpret_cast<const ws::http_header *>(request_headers), request_header_count,
            &headers, &count);
    if (status == ws::status::ok)
    {
        *response_headers = reinterpret_cast<PWEB_SOCKET_HTTP_HEADER>(headers);
        *response_header_count = count;
    }
    RETURN(hresult_from_status(status));
}

/***********************************************************************
 *          WebSocketEndServerHandshake (websocket.@)
 */
extern "C" HRESULT WINAPI WebSocketEndServerHandshake(WEB_SOCKET_HANDLE handle)
{
    TRACE("%p\n", handle);
    session_ref session(handle);
    if (!session)
        RETURN(E_HANDLE);
    RETURN(hresult_from_status(session->end_server_handshake()));
}

/***********************************************************************
 *          WebSocketSend (websocket.@)
 */
extern "C" HRESULT WINAPI WebSocketSend(WEB_SOCKET_HANDLE handle, WEB_SOCKET_BUFFER_TYPE type,
        WEB_SOCKET_BUFFER *buffer, PVOID context)
{
    ULONG type_value = integer_of(type);
    TRACE("%p, %#x, %p, %p\n", handle, unsigned(type_value), buffer, context);
    ws::buffer_type engine = engine_type(type_value);
    if (engine == ws::buffer_type::none)
        RETURN(E_INVALIDARG);
    ws::data_buffer data;
    if (buffer && engine == ws::buffer_type::close)
        data = { buffer->CloseStatus.pbReason, buffer->CloseStatus.ulReasonLength, buffer->CloseStatus.usStatus };
    else if (buffer)
        data = { buffer->Data.pbBuffer, buffer->Data.ulBufferLength, 0 };
    session_ref session(handle);
    if (!session)
        RETURN(E_HANDLE);
    RETURN(hresult_from_status(session->send(engine, buffer ? &data : nullptr, context)));
}

/***********************************************************************
 *          WebSocketReceive (websocket.@)
 */
extern "C" HRESULT WINAPI WebSocketReceive(WEB_SOCKET_HANDLE handle, WEB_SOCKET_BUFFER *buffer,
        PVOID context)
{
    TRACE("%p, %p, %p\n", handle, buffer, context);
    ws::data_buffer data;
    if (buffer)
        data = { buffer->Data.pbBuffer, buffer->Data.ulBufferLength, 0 };
    session_ref session(handle);
    if (!session)
        RETURN(E_HANDLE);
    RETURN(hresult_from_status(session->receive(buffer ? &data : nullptr, context)));
}

/***********************************************************************
 *          WebSocketGetAction (websocket.@)
 */
extern "C" HRESULT WINAPI WebSocketGetAction(WEB_SOCKET_HANDLE handle, WEB_SOCKET_ACTION_QUEUE queue,
        WEB_SOCKET_BUFFER *buffers, ULONG *buffer_count, WEB_SOCKET_ACTION *action,
        WEB_SOCKET_BUFFER_TYPE *buffer_type, PVOID *application_context, PVOID *action_context)
{
    ULONG queues = integer_of(queue);
    TRACE("%p, %u, %p, %p, %p, %p, %p, %p\n", handle, unsigned(queues), buffers, buffer_count,
            action, buffer_type, application_context, action_context);
    if (!buffer_count || !action || !buffer_type || !action_context || !buffers || !*buffer_count
            || queues < WEB_SOCKET_SEND_ACTION_QUEUE || queues > WEB_SOCKET_ALL_ACTION_QUEUE)
        RETURN(E_INVALIDARG);
    session_ref session(handle);
    if (!session)
        RETURN(E_HANDLE);

    ws::action next;
    ws::status status = session->get_action(queues, *buffer_count, &next);
    if (status != ws::status::ok)
        RETURN(hresult_from_status(status));

    *action = WEB_SOCKET_ACTION(next.type);
    *buffer_type = next.buffer == ws::buffer_type::none
            ? WEB_SOCKET_BUFFER_TYPE(0)
            : WEB_SOCKET_BUFFER_TYPE(unsigned(WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE) + unsigned(next.buffer));
    /* NO_ACTION leaves the count as given (Marlin's ping loop relies on it). */
    if (next.type != ws::action_type::none)
        *buffer_count = next.buffer_count;
    bool close_view = next.buffer == ws::buffer_type::close
            && (next.type == ws::action_type::indicate_receive_complete
                || next.type == ws::action_type::indicate_send_complete);
    for (uint32_t i = 0; i < next.buffer_count; i++)
    {
        buffers[i].Data.pbBuffer = next.buffers[i].data;
        buffers[i].Data.ulBufferLength = next.buffers[i].length;
        if (close_view)
            buffers[i].CloseStatus.usStatus = next.buffers[i].close_status;
    }
    if (application_context)
        *application_context = next.application_context;
    *action_context = next.action_context;
    TRACE("action %u, type %#x, %u buffers, context %p\n", unsigned(next.type), unsigned(*buffer_type),
          unsigned(next.buffer_count), next.action_context);
    RETURN(S_OK);
}

/***********************************************************************
 *          WebSocketCompleteAction (websocket.@)
 *
 * The SDK declares it VOID, but mORMot reads the return register as an
 * HRESULT: the export is this function, which returns S_OK (see the spec).
 */
namespace {

/* Off the fast path, and callable without saving registers (callee_abi.h). */
__attribute__((noinline, cold)) WS_EXPORT_CALLEE void trace_complete_action(WEB_SOCKET_HANDLE handle,
        PVOID action_context, ULONG bytes_transferred)
{
    ws::debug_printf(ws::DEBUG_TRACE, "WebSocketCompleteAction", "%p, %p, %u\n", handle, action_context,
                     unsigned(bytes_transferred));
}

} /* namespace */

extern "C" HRESULT WINAPI websocket_complete_action(WEB_SOCKET_HANDLE handle, PVOID action_context,
        ULONG bytes_transferred)
{
    if (TRACE_ON())
        trace_complete_action(handle, action_context, bytes_transferred);
    session_ref session(handle);
    if (session)
        session->complete_action(action_context, bytes_transferred);
    return S_OK;
}

#ifndef _WIN32
/* On ELF the header's name is the symbol itself: a second name for the same
 * code, as the .def file makes it on PE.  A VOID function calling it would
 * leave whatever its epilogue puts in the return register (on i686 it pops
 * into eax), so a caller reading an HRESULT would see garbage. */
#ifndef __clang__
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wattribute-alias" /* the types differ on purpose */
#endif
extern "C" VOID WINAPI WebSocketCompleteAction(WEB_SOCKET_HANDLE handle, PVOID action_context,
        ULONG bytes_transferred) __attribute__((alias("websocket_complete_action")));
#ifndef __clang__
#pragma GCC diagnostic pop
#endif
#endif

/***********************************************************************
 *          WebSocketAbortHandle (websocket.@)
 */
extern "C" VOID WINAPI WebSocketAbortHandle(WEB_SOCKET_HANDLE handle)
{
    TRACE("%p\n", handle);
    session_ref session(handle);
    if (!session)
        return;
    session->abort();
}

/***********************************************************************
 *          WebSocketDeleteHandle (websocket.@)
 */
extern "C" VOID WINAPI WebSocketDeleteHandle(WEB_SOCKET_HANDLE handle)
{
    TRACE("%p\n", handle);
    /* A call still running on another thread finishes first. */
    ws::handle_close(reinterpret_cast<uintptr_t>(handle));
}

/***********************************************************************
 *          WebSocketGetGlobalProperty (websocket.@)
 */
extern "C" HRESULT WINAPI WebSocketGetGlobalProperty(WEB_SOCKET_PROPERTY_TYPE type, PVOID value,
        ULONG *size)
{
    ULONG type_value = integer_of(type);
    TRACE("%u, %p, %p\n", unsigned(type_value), value, size);
    ULONG result;
    switch (type_value)
    {
    case WEB_SOCKET_KEEPALIVE_INTERVAL_PROPERTY_TYPE:
        result = ws::keepalive_interval();
        break;
    case WEB_SOCKET_SUPPORTED_VERSIONS_PROPERTY_TYPE:
        /* An array of ULONGs with one element. */
        result = ws::WEBSOCKET_VERSION;
        break;
    default:
        RETURN(E_INVALIDARG);
    }
    if (!size)
        RETURN(E_INVALIDARG);
    if (*size < sizeof(result))
    {
        *size = sizeof(result);
        RETURN(HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER));
    }
    if (!value)
        RETURN(E_INVALIDARG);
    memcpy(value, &result, sizeof(result));
    *size = sizeof(result);
    RETURN(S_OK);
}
