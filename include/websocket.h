/*
 * WebSocket Protocol Component API (websocket.dll)
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

#ifndef __WINE_WEBSOCKET_H
#define __WINE_WEBSOCKET_H

#include <windef.h>
#include <winerror.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The SDK declares the handle with DECLARE_HANDLE: an opaque pointer type of its own. */
DECLARE_HANDLE(WEB_SOCKET_HANDLE);

#define WEB_SOCKET_MAX_CLOSE_REASON_LENGTH 123

/* Facility 886 codes from the SDK's winerror.h; older winerror.h copies lack them. */
#ifndef FACILITY_WEB_SOCKET
#define FACILITY_WEB_SOCKET 886
#endif
#ifndef E_INVALID_PROTOCOL_OPERATION
#define E_INVALID_PROTOCOL_OPERATION        ((HRESULT)0x83760001)
#endif
#ifndef E_INVALID_PROTOCOL_FORMAT
#define E_INVALID_PROTOCOL_FORMAT           ((HRESULT)0x83760002)
#endif
#ifndef E_PROTOCOL_EXTENSIONS_NOT_SUPPORTED
#define E_PROTOCOL_EXTENSIONS_NOT_SUPPORTED ((HRESULT)0x83760003)
#endif
#ifndef E_SUBPROTOCOL_NOT_SUPPORTED
#define E_SUBPROTOCOL_NOT_SUPPORTED         ((HRESULT)0x83760004)
#endif
#ifndef E_PROTOCOL_VERSION_NOT_SUPPORTED
#define E_PROTOCOL_VERSION_NOT_SUPPORTED    ((HRESULT)0x83760005)
#endif

typedef enum _WEB_SOCKET_CLOSE_STATUS
{
    WEB_SOCKET_SUCCESS_CLOSE_STATUS                = 1000,
    WEB_SOCKET_ENDPOINT_UNAVAILABLE_CLOSE_STATUS   = 1001,
    WEB_SOCKET_PROTOCOL_ERROR_CLOSE_STATUS         = 1002,
    WEB_SOCKET_INVALID_DATA_TYPE_CLOSE_STATUS      = 1003,
    WEB_SOCKET_EMPTY_CLOSE_STATUS                  = 1005,
    WEB_SOCKET_ABORTED_CLOSE_STATUS                = 1006,
    WEB_SOCKET_INVALID_PAYLOAD_CLOSE_STATUS        = 1007,
    WEB_SOCKET_POLICY_VIOLATION_CLOSE_STATUS       = 1008,
    WEB_SOCKET_MESSAGE_TOO_BIG_CLOSE_STATUS        = 1009,
    WEB_SOCKET_UNSUPPORTED_EXTENSIONS_CLOSE_STATUS = 1010,
    WEB_SOCKET_SERVER_ERROR_CLOSE_STATUS           = 1011,
    WEB_SOCKET_SECURE_HANDSHAKE_ERROR_CLOSE_STATUS = 1015
} WEB_SOCKET_CLOSE_STATUS;

typedef enum _WEB_SOCKET_PROPERTY_TYPE
{
    WEB_SOCKET_RECEIVE_BUFFER_SIZE_PROPERTY_TYPE       = 0,
    WEB_SOCKET_SEND_BUFFER_SIZE_PROPERTY_TYPE          = 1,
    WEB_SOCKET_DISABLE_MASKING_PROPERTY_TYPE           = 2,
    WEB_SOCKET_ALLOCATED_BUFFER_PROPERTY_TYPE          = 3,
    WEB_SOCKET_DISABLE_UTF8_VERIFICATION_PROPERTY_TYPE = 4,
    WEB_SOCKET_KEEPALIVE_INTERVAL_PROPERTY_TYPE        = 5,
    WEB_SOCKET_SUPPORTED_VERSIONS_PROPERTY_TYPE        = 6
} WEB_SOCKET_PROPERTY_TYPE;

typedef enum _WEB_SOCKET_ACTION_QUEUE
{
    WEB_SOCKET_SEND_ACTION_QUEUE    = 0x1,
    WEB_SOCKET_RECEIVE_ACTION_QUEUE = 0x2,
    WEB_SOCKET_ALL_ACTION_QUEUE     = WEB_SOCKET_SEND_ACTION_QUEUE | WEB_SOCKET_RECEIVE_ACTION_QUEUE
} WEB_SOCKET_ACTION_QUEUE;

/* The values have the top bit set, as in the SDK: the enum is a 32-bit unsigned type. */
typedef enum _WEB_SOCKET_BUFFER_TYPE
{
    WEB_SOCKET_UTF8_MESSAGE_BUFFER_TYPE     = 0x80000000,
    WEB_SOCKET_UTF8_FRAGMENT_BUFFER_TYPE    = 0x80000001,
    WEB_SOCKET_BINARY_MESSAGE_BUFFER_TYPE   = 0x80000002,
    WEB_SOCKET_BINARY_FRAGMENT_BUFFER_TYPE  = 0x80000003,
    WEB_SOCKET_CLOSE_BUFFER_TYPE            = 0x80000004,
    WEB_SOCKET_PING_PONG_BUFFER_TYPE        = 0x80000005,
    WEB_SOCKET_UNSOLICITED_PONG_BUFFER_TYPE = 0x80000006
} WEB_SOCKET_BUFFER_TYPE;

typedef enum _WEB_SOCKET_ACTION
{
    WEB_SOCKET_NO_ACTION                        = 0,
    WEB_SOCKET_SEND_TO_NETWORK_ACTION           = 1,
    WEB_SOCKET_INDICATE_SEND_COMPLETE_ACTION    = 2,
    WEB_SOCKET_RECEIVE_FROM_NETWORK_ACTION      = 3,
    WEB_SOCKET_INDICATE_RECEIVE_COMPLETE_ACTION = 4
} WEB_SOCKET_ACTION;

typedef struct _WEB_SOCKET_PROPERTY
{
    WEB_SOCKET_PROPERTY_TYPE Type;
    PVOID pvValue;
    ULONG ulValueSize;
} WEB_SOCKET_PROPERTY, *PWEB_SOCKET_PROPERTY;

typedef struct _WEB_SOCKET_HTTP_HEADER
{
    PCHAR pcName;
    ULONG ulNameLength;
    PCHAR pcValue;
    ULONG ulValueLength;
} WEB_SOCKET_HTTP_HEADER, *PWEB_SOCKET_HTTP_HEADER;

typedef union _WEB_SOCKET_BUFFER
{
    struct
    {
        PBYTE pbBuffer;
        ULONG ulBufferLength;
    } Data;
    struct
    {
        PBYTE pbReason;
        ULONG ulReasonLength;
        USHORT usStatus;
    } CloseStatus;
} WEB_SOCKET_BUFFER, *PWEB_SOCKET_BUFFER;

HRESULT WINAPI WebSocketCreateClientHandle(const PWEB_SOCKET_PROPERTY pProperties,
        ULONG ulPropertyCount, WEB_SOCKET_HANDLE *phWebSocket);

HRESULT WINAPI WebSocketBeginClientHandshake(WEB_SOCKET_HANDLE hWebSocket,
        PCSTR *pszSubprotocols, ULONG ulSubprotocolCount,
        PCSTR *pszExtensions, ULONG ulExtensionCount,
        const PWEB_SOCKET_HTTP_HEADER pInitialHeaders, ULONG ulInitialHeaderCount,
        PWEB_SOCKET_HTTP_HEADER *pAdditionalHeaders, ULONG *pulAdditionalHeaderCount);

HRESULT WINAPI WebSocketEndClientHandshake(WEB_SOCKET_HANDLE hWebSocket,
        const PWEB_SOCKET_HTTP_HEADER pResponseHeaders, ULONG ulReponseHeaderCount,
        ULONG *pulSelectedExtensions, ULONG *pulSelectedExtensionCount,
        ULONG *pulSelectedSubprotocol);

HRESULT WINAPI WebSocketCreateServerHandle(const PWEB_SOCKET_PROPERTY pProperties,
        ULONG ulPropertyCount, WEB_SOCKET_HANDLE *phWebSocket);

HRESULT WINAPI WebSocketBeginServerHandshake(WEB_SOCKET_HANDLE hWebSocket,
        PCSTR pszSubprotocolSelected,
        PCSTR *pszExtensionSelected, ULONG ulExtensionSelectedCount,
        const PWEB_SOCKET_HTTP_HEADER pRequestHeaders, ULONG ulRequestHeaderCount,
        PWEB_SOCKET_HTTP_HEADER *pResponseHeaders, ULONG *pulResponseHeaderCount);

HRESULT WINAPI WebSocketEndServerHandshake(WEB_SOCKET_HANDLE hWebSocket);

HRESULT WINAPI WebSocketSend(WEB_SOCKET_HANDLE hWebSocket, WEB_SOCKET_BUFFER_TYPE BufferType,
        WEB_SOCKET_BUFFER *pBuffer, PVOID Context);

HRESULT WINAPI WebSocketReceive(WEB_SOCKET_HANDLE hWebSocket, WEB_SOCKET_BUFFER *pBuffer,
        PVOID pvContext);

HRESULT WINAPI WebSocketGetAction(WEB_SOCKET_HANDLE hWebSocket,
        WEB_SOCKET_ACTION_QUEUE eActionQueue,
        WEB_SOCKET_BUFFER *pDataBuffers, ULONG *pulDataBufferCount,
        WEB_SOCKET_ACTION *pAction, WEB_SOCKET_BUFFER_TYPE *pBufferType,
        PVOID *pvApplicationContext, PVOID *pvActionContext);

VOID WINAPI WebSocketCompleteAction(WEB_SOCKET_HANDLE hWebSocket, PVOID pvActionContext,
        ULONG ulBytesTransferred);

VOID WINAPI WebSocketAbortHandle(WEB_SOCKET_HANDLE hWebSocket);

VOID WINAPI WebSocketDeleteHandle(WEB_SOCKET_HANDLE hWebSocket);

HRESULT WINAPI WebSocketGetGlobalProperty(WEB_SOCKET_PROPERTY_TYPE eType, PVOID pvValue,
        ULONG *ulSize);

#ifdef __cplusplus
}
#endif

#endif /* __WINE_WEBSOCKET_H */
