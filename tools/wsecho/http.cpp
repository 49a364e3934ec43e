/*
 * wsecho: the HTTP/1.1 upgrade messages, read from and written to a socket
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

#include "http.h"

#include <string.h>

namespace wsecho {

/* Enough for any browser's upgrade request; more is refused. */
constexpr size_t MAX_HEAD = 16384;

static bool is_token_char(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c && strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

static std::string trim(const std::string &text)
{
    size_t begin = 0, end = text.size();
    while (begin < end && (text[begin] == ' ' || text[begin] == '\t'))
        begin++;
    while (end > begin && (text[end - 1] == ' ' || text[end - 1] == '\t'))
        end--;
    return text.substr(begin, end - begin);
}

static bool parse_head(const std::string &text, http_head *head)
{
    /* text ends with the CRLF of the last field (or of the start line). */
    size_t pos = text.find("\r\n");
    head->start_line = text.substr(0, pos);
    head->fields.clear();
    if (head->start_line.empty())
        return false;
    pos += 2;
    while (pos < text.size())
    {
        size_t end = text.find("\r\n", pos);
        std::string line = text.substr(pos, end - pos);
        pos = end + 2;
        /* obs-fold (a line starting with white space) may be refused (RFC 7230 §3.2.4). */
        size_t colon = line.find(':');
        if (colon == std::string::npos || colon == 0)
            return false;
        for (size_t i = 0; i < colon; i++)
            if (!is_token_char(line[i]))
                return false;
        std::string value = trim(line.substr(colon + 1));
        for (char c : value)
            if ((c >= 0 && c < ' ' && c != '\t') || c == 0x7f)
                return false;
        head->fields.push_back({ line.substr(0, colon), value });
    }
    return true;
}

static http_read_result read_head(socket_t s, http_head *head, std::string *rest, std::string *error,
        uint64_t deadline)
{
    std::string data;
    char chunk[4096];
    for (;;)
    {
        if (deadline)
        {
            /* Each read may wait only for what is left of the whole time. */
            uint64_t now = clock_ms();
            if (now >= deadline)
            {
                *error = "no complete HTTP head in time";
                return http_read_result::network_error;
            }
            net_set_receive_timeout(s, unsigned(deadline - now));
        }
        long n = net_recv(s, chunk, sizeof(chunk));
        if (n < 0)
        {
            *error = deadline && clock_ms() >= deadline ? "no complete HTTP head in time" : "recv: " + net_error();
            return http_read_result::network_error;
        }
        if (n == 0)
        {
            *error = data.empty() ? "connection closed" : "connection closed inside the HTTP head";
            return data.empty() ? http_read_result::closed : http_read_result::malformed;
        }
        size_t search_from = data.size() < 3 ? 0 : data.size() - 3;
        data.append(chunk, size_t(n));
        size_t end = data.find("\r\n\r\n", search_from);
        if (end != std::string::npos)
        {
            *rest = data.substr(end + 4);
            if (!parse_head(data.substr(0, end + 2), head))
            {
                *error = "malformed HTTP head";
                return http_read_result::malformed;
            }
            return http_read_result::ok;
        }
        if (data.size() > MAX_HEAD)
        {
            *error = "HTTP head larger than 16 KiB";
            return http_read_result::too_large;
        }
    }
}

http_read_result http_read_head(socket_t s, http_head *head, std::string *rest, std::string *error,
        unsigned timeout_ms)
{
    http_read_result result = read_head(s, head, rest, error, timeout_ms ? clock_ms() + timeout_ms : 0);
    if (timeout_ms)
        net_set_receive_timeout(s, 0);
    return result;
}

bool http_parse_request_line(const std::string &line, std::string *method, std::string *target,
        std::string *version)
{
    size_t first = line.find(' ');
    if (first == std::string::npos)
        return false;
    size_t second = line.find(' ', first + 1);
    if (second == std::string::npos || line.find(' ', second + 1) != std::string::npos)
        return false;
    *method = line.substr(0, first);
    *target = line.substr(first + 1, second - first - 1);
    *version = line.substr(second + 1);
    if (method->empty() || target->empty() || version->compare(0, 5, "HTTP/") != 0)
        return false;
    for (char c : *method)
        if (!is_token_char(c))
            return false;
    return true;
}

bool http_parse_status_line(const std::string &line, int *code)
{
    /* HTTP-version SP 3DIGIT SP reason-phrase */
    if (line.compare(0, 5, "HTTP/") != 0)
        return false;
    size_t space = line.find(' ');
    if (space == std::string::npos || line.size() < space + 4)
        return false;
    int value = 0;
    for (size_t i = space + 1; i < space + 4; i++)
    {
        if (line[i] < '0' || line[i] > '9')
            return false;
        value = value * 10 + (line[i] - '0');
    }
    if (line.size() > space + 4 && line[space + 4] != ' ')
        return false;
    *code = value;
    return true;
}

bool http_same_name(const std::string &a, const char *b)
{
    size_t length = strlen(b);
    if (a.size() != length)
        return false;
    for (size_t i = 0; i < length; i++)
    {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = char(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = char(y - 'A' + 'a');
        if (x != y)
            return false;
    }
    return true;
}

std::vector<std::string> http_list(const http_head &head, const char *name)
{
    std::vector<std::string> items;
    for (const http_field &field : head.fields)
    {
        if (!http_same_name(field.name, name))
            continue;
        size_t pos = 0;
        while (pos <= field.value.size())
        {
            size_t comma = field.value.find(',', pos);
            if (comma == std::string::npos)
                comma = field.value.size();
            std::string item = trim(field.value.substr(pos, comma - pos));
            if (!item.empty())
                items.push_back(item);
            pos = comma + 1;
        }
    }
    return items;
}

bool net_send_all(socket_t s, const void *data, size_t length, size_t *sent)
{
    net_piece piece = { data, length };
    return net_send_all_pieces(s, &piece, 1, sent);
}

bool net_send_all_pieces(socket_t s, const net_piece *pieces, size_t count, size_t *sent)
{
    net_piece left[8];
    size_t pending = 0, total = 0, done = 0;
    for (size_t i = 0; i < count && i < 8; i++)
        if (pieces[i].length)
        {
            left[pending++] = pieces[i];
            total += pieces[i].length;
        }
    size_t first = 0;
    while (done < total)
    {
        long n = net_send_pieces(s, left + first, pending - first);
        if (n <= 0)
            break;
        done += size_t(n);
        /* A partial send: drop what went, resume inside the piece it ended in. */
        for (size_t moved = size_t(n); moved && first < pending; )
        {
            size_t step = moved < left[first].length ? moved : left[first].length;
            left[first].data = static_cast<const uint8_t *>(left[first].data) + step;
            left[first].length -= step;
            moved -= step;
            if (!left[first].length)
                first++;
        }
    }
    if (sent)
        *sent = done;
    return done == total;
}

void http_send_error(socket_t s, int code, const char *reason, const std::vector<http_field> &extra)
{
    std::string body = std::to_string(code) + " " + reason + "\n";
    std::string text = "HTTP/1.1 " + std::to_string(code) + " " + reason + "\r\n";
    for (const http_field &field : extra)
        text += field.name + ": " + field.value + "\r\n";
    text += "Content-Type: text/plain\r\nContent-Length: " + std::to_string(body.size())
          + "\r\nConnection: close\r\n\r\n" + body;
    net_send_all(s, text.data(), text.size(), nullptr);
}

} /* namespace wsecho */
