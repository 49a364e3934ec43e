/*
 * Conformance tests for websocket.dll
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
 * Wine-style: the expectations are what Windows does; checks this
 * implementation does not pass yet are marked todo_wine.  Only the public
 * header is used, so the file builds for Windows, for Wine and natively.
 */

#include <windows.h>
#include "websocket.h"

#include "wine/test.h"

static void test_global_properties(void)
{
    ULONG value, versions[4], size;
    HRESULT hr;

    value = 0xdeadbeef;
    size = sizeof(value);
    hr = WebSocketGetGlobalProperty(WEB_SOCKET_KEEPALIVE_INTERVAL_PROPERTY_TYPE, &value, &size);
    todo_wine ok(hr == S_OK, "got %#x\n", (unsigned)hr);
    todo_wine ok(value >= 15000 && value != 0xdeadbeef, "got keep-alive interval %lu\n",
                 (unsigned long)value);
    ok(size == sizeof(ULONG), "got size %lu\n", (unsigned long)size);

    memset(versions, 0xcc, sizeof(versions));
    size = sizeof(versions);
    hr = WebSocketGetGlobalProperty(WEB_SOCKET_SUPPORTED_VERSIONS_PROPERTY_TYPE, versions, &size);
    todo_wine ok(hr == S_OK, "got %#x\n", (unsigned)hr);
    todo_wine ok(versions[0] == 13, "got version %lu\n", (unsigned long)versions[0]);
}

static void test_create_handles(void)
{
    WEB_SOCKET_HANDLE handle;
    HRESULT hr;

    handle = NULL;
    hr = WebSocketCreateClientHandle(NULL, 0, &handle);
    todo_wine ok(hr == S_OK, "got %#x\n", (unsigned)hr);
    todo_wine ok(handle != NULL, "got NULL handle\n");
    WebSocketDeleteHandle(handle);

    handle = NULL;
    hr = WebSocketCreateServerHandle(NULL, 0, &handle);
    todo_wine ok(hr == S_OK, "got %#x\n", (unsigned)hr);
    todo_wine ok(handle != NULL, "got NULL handle\n");
    WebSocketDeleteHandle(handle);

    /* The VOID functions accept a NULL handle. */
    WebSocketAbortHandle(NULL);
    WebSocketDeleteHandle(NULL);
    WebSocketCompleteAction(NULL, NULL, 0);
}

START_TEST(websocket)
{
    test_global_properties();
    test_create_handles();
}
