/*
 * Mapping of engine status codes to HRESULTs
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

#include "hresult.h"

WS_EXPORT_CALLEE HRESULT hresult_from_status(ws::status status)
{
    switch (status)
    {
    case ws::status::ok:                        return S_OK;
    case ws::status::invalid_argument:          return E_INVALIDARG;
    case ws::status::invalid_operation:         return E_INVALID_PROTOCOL_OPERATION;
    case ws::status::invalid_format:            return E_INVALID_PROTOCOL_FORMAT;
    case ws::status::extensions_not_supported:  return E_PROTOCOL_EXTENSIONS_NOT_SUPPORTED;
    case ws::status::subprotocol_not_supported: return E_SUBPROTOCOL_NOT_SUPPORTED;
    case ws::status::version_not_supported:     return E_PROTOCOL_VERSION_NOT_SUPPORTED;
    case ws::status::out_of_memory:             return E_OUTOFMEMORY;
    case ws::status::insufficient_buffer:       return HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER);
    }
    return E_FAIL;
}
