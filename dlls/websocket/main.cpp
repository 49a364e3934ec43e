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
 * handle, call the engine, map its status to an HRESULT.  No protocol logic.
 */

#include "websocket.h"

#include "debug.h"
#include "hresult.h"

/***********************************************************************
 *          WebSocketCreateClientHandle (websocket.@)
 */
extern "C" HRESULT WINAPI WebSocketCreateClientHandle(const PWEB_SOCKET_PROPERTY properties,
        ULONG count, WEB_SOCKET_HANDLE *handle)
{
    TRACE("%p, %u, %p\n", properties, unsigned(count), handle);
    FIXME("stub\n");
    return E_NOTIMPL;
}

/***********************************************************************
 *          WebSocketCreateServerHandle (websocket.@)
 */
extern "C" HRESULT WINAPI WebSocketCreateServerHandle(const PWEB_SOCKET_PROPERTY properties,
        ULONG count, WEB_SOCKET_HANDLE *handle)
{
    TRACE("%p, %u, %p\n", properties, unsigned(count), handle);
    FIXME("stub\n");
    return E_NOTIMPL;
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
    FIXME("stub\n");
    return E_NOTIMPL;
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
    FIXME("stub\n");
    return E_NOTIMPL;
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
    FIXME("stub\n");
    return E_NOTIMPL;
}

/***********************************************************************
 *          WebSocketEndServerHandshake (websocket.@)
 */
extern "C" HRESULT WINAPI WebSocketEndServerHandshake(WEB_SOCKET_HANDLE handle)
{
    TRACE("%p\n", handle);
    FIXME("stub\n");
    return E_NOTIMPL;
}

/***********************************************************************
 *          WebSocketSend (websocket.@)
 */
extern "C" HRESULT WINAPI WebSocketSend(WEB_SOCKET_HANDLE handle, WEB_SOCKET_BUFFER_TYPE type,
        WEB_SOCKET_BUFFER *buffer, PVOID context)
{
    TRACE("%p, %#x, %p, %p\n", handle, unsigned(type), buffer, context);
    FIXME("stub\n");
    return E_NOTIMPL;
}

/***********************************************************************
 *          WebSocketReceive (websocket.@)
 */
extern "C" HRESULT WINAPI WebSocketReceive(WEB_SOCKET_HANDLE handle, WEB_SOCKET_BUFFER *buffer,
        PVOID context)
{
    TRACE("%p, %p, %p\n", handle, buffer, context);
    FIXME("stub\n");
    return E_NOTIMPL;
}

/***********************************************************************
 *          WebSocketGetAction (websocket.@)
 */
extern "C" HRESULT WINAPI WebSocketGetAction(WEB_SOCKET_HANDLE handle, WEB_SOCKET_ACTION_QUEUE queue,
        WEB_SOCKET_BUFFER *buffers, ULONG *buffer_count, WEB_SOCKET_ACTION *action,
        WEB_SOCKET_BUFFER_TYPE *buffer_type, PVOID *application_context, PVOID *action_context)
{
    TRACE("%p, %u, %p, %p, %p, %p, %p, %p\n", handle, unsigned(queue), buffers, buffer_count,
            action, buffer_type, application_context, action_context);
    FIXME("stub\n");
    return E_NOTIMPL;
}

/***********************************************************************
 *          WebSocketCompleteAction (websocket.@)
 */
extern "C" VOID WINAPI WebSocketCompleteAction(WEB_SOCKET_HANDLE handle, PVOID action_context,
        ULONG bytes_transferred)
{
    TRACE("%p, %p, %u\n", handle, action_context, unsigned(bytes_transferred));
    FIXME("stub\n");
}

/***********************************************************************
 *          WebSocketAbortHandle (websocket.@)
 */
extern "C" VOID WINAPI WebSocketAbortHandle(WEB_SOCKET_HANDLE handle)
{
    TRACE("%p\n", handle);
    FIXME("stub\n");
}

/***********************************************************************
 *          WebSocketDeleteHandle (websocket.@)
 */
extern "C" VOID WINAPI WebSocketDeleteHandle(WEB_SOCKET_HANDLE handle)
{
    TRACE("%p\n", handle);
    FIXME("stub\n");
}

/***********************************************************************
 *          WebSocketGetGlobalProperty (websocket.@)
 */
extern "C" HRESULT WINAPI WebSocketGetGlobalProperty(WEB_SOCKET_PROPERTY_TYPE type, PVOID value,
        ULONG *size)
{
    TRACE("%u, %p, %p\n", unsigned(type), value, size);
    FIXME("stub\n");
    return E_NOTIMPL;
}
