/*
 * API benchmark: the peers found at build time (none here: see peers_*.cpp)
 *
 * Copyright 2026 The websocket.dll authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "bench_common.h"

namespace bench {

#ifdef BENCH_HAVE_WSLAY
extern const peer wslay_peer;
#endif
#ifdef BENCH_HAVE_BEAST
extern const peer beast_peer;
#endif

size_t peers(const peer **list)
{
    /* Filled at the call, not at static initialisation: the peers live in
     * other translation units. */
    static peer found[3];
    size_t count = 0;
#ifdef BENCH_HAVE_WSLAY
    found[count++] = wslay_peer;
#endif
#ifdef BENCH_HAVE_BEAST
    found[count++] = beast_peer;
#endif
    *list = found;
    return count;
}

} /* namespace bench */
