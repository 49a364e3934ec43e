/*
 * A main() for the fuzz targets without libFuzzer: runs every file named on
 * the command line (every file in a directory named) through
 * LLVMFuzzerTestOneInput once.  So any compiler builds the targets, and the
 * committed corpus and regression inputs run as ordinary tests (natively,
 * under the sanitizers, and for the coverage report).
 *
 * Copyright 2026 The websocket.dll authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

namespace {

unsigned replayed;

bool run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
    {
        fprintf(stderr, "replay: cannot open %s\n", path);
        return false;
    }
    size_t capacity = 4096, size = 0;
    uint8_t *data = static_cast<uint8_t *>(malloc(capacity));
    for (;;)
    {
        size += fread(data + size, 1, capacity - size, f);
        if (size < capacity)
            break;
        capacity *= 2;
        data = static_cast<uint8_t *>(realloc(data, capacity));
    }
    fclose(f);
    /* An exact-size copy, so a read past the input is caught (ASan, valgrind). */
    uint8_t *exact = static_cast<uint8_t *>(malloc(size ? size : 1));
    memcpy(exact, data, size);
    free(data);
    LLVMFuzzerTestOneInput(exact, size);
    free(exact);
    replayed++;
    return true;
}

int by_name(const void *a, const void *b)
{
    return strcmp(*static_cast<char *const *>(a), *static_cast<char *const *>(b));
}

bool run_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
    {
        fprintf(stderr, "replay: no such file or directory: %s\n", path);
        return false;
    }
    if (!S_ISDIR(st.st_mode))
        return run_file(path);
    DIR *dir = opendir(path);
    if (!dir)
        return false;
    /* In name order, so a failure is found at the same input every time. */
    size_t count = 0, capacity = 64;
    char **names = static_cast<char **>(malloc(capacity * sizeof(char *)));
    while (struct dirent *entry = readdir(dir))
    {
        if (entry->d_name[0] == '.')
            continue;
        if (count == capacity)
            names = static_cast<char **>(realloc(names, (capacity *= 2) * sizeof(char *)));
        size_t len = strlen(path) + strlen(entry->d_name) + 2;
        names[count] = static_cast<char *>(malloc(len));
        snprintf(names[count++], len, "%s/%s", path, entry->d_name);
    }
    closedir(dir);
    qsort(names, count, sizeof(char *), by_name);
    bool ok = true;
    for (size_t i = 0; i < count; i++)
    {
        ok = run_path(names[i]) && ok;
        free(names[i]);
    }
    free(names);
    return ok;
}

} /* namespace */

int main(int argc, char **argv)
{
    bool ok = true;
    for (int i = 1; i < argc; i++)
        ok = run_path(argv[i]) && ok;
    printf("replay: %u inputs, no findings\n", replayed);
    return ok && replayed ? 0 : 1;
}
