/*
 * Proof that a Windows program loads this project's websocket.dll, not Wine's
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

#include <windows.h>
#include "websocket.h"

#include "wine/test.h"

static void dir_of(char *path)
{
    char *slash = strrchr(path, '\\');
    if (slash)
        *slash = 0;
}

static void test_module_path(void)
{
    char dll_path[MAX_PATH], exe_path[MAX_PATH];
    HMODULE module = GetModuleHandleA("websocket.dll");
    DWORD len;

    ok(module != NULL, "websocket.dll is not loaded\n");
    if (!module)
        return;

    len = GetModuleFileNameA(module, dll_path, sizeof(dll_path));
    ok(len > 0 && len < sizeof(dll_path), "GetModuleFileNameA failed: %lu\n", GetLastError());
    len = GetModuleFileNameA(NULL, exe_path, sizeof(exe_path));
    ok(len > 0 && len < sizeof(exe_path), "GetModuleFileNameA failed: %lu\n", GetLastError());
    trace("websocket.dll loaded from %s\n", dll_path);

    /* Ours sits next to the test program; Wine's lives in system32. */
    dir_of(dll_path);
    dir_of(exe_path);
    ok(!lstrcmpiA(dll_path, exe_path), "websocket.dll loaded from %s, not from %s\n",
       dll_path, exe_path);

    /* Wine marks its own modules right after the DOS header; ours is a plain PE. */
    ok(memcmp((const char *)module + 0x40, "Wine builtin DLL", 17) != 0,
       "the loaded websocket.dll is Wine's builtin module\n");
}

static void test_exports_callable(void)
{
    ULONG value = 0xdeadbeef, size = sizeof(value);
    HRESULT hr;

    /* Wine's stub DLL aborts the process on any call; this one must return. */
    hr = WebSocketGetGlobalProperty(WEB_SOCKET_KEEPALIVE_INTERVAL_PROPERTY_TYPE, &value, &size);
    ok(hr == S_OK || hr == E_NOTIMPL, "got %#x\n", (unsigned)hr);
}

START_TEST(loaded_dll)
{
    test_module_path();
    test_exports_callable();
}
