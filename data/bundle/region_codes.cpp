#include "region_codes.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace onemap::data {

std::size_t code_length(Level level) {
    switch (level) {
        case Level::Province: return 2;
        case Level::City: return 4;
        case Level::County: return 6;
        case Level::Township: return 9;
        case Level::Village: return 12;
    }
    return 0;
}

std::string ascii_digits(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        // U+FF01…U+FF5E (full-width ASCII) are EF BC 81…EF BD 9E in UTF-8; U+3000 is the ideographic space.
        if (c == 0xEF && i + 2 < s.size()) {
            const auto c1 = static_cast<unsigned char>(s[i + 1]), c2 = static_cast<unsigned char>(s[i + 2]);
            unsigned cp = 0;
            if (c1 == 0xBC && c2 >= 0x81 && c2 <= 0xBF) cp = 0xFF00 + (c2 - 0x80);
            if (c1 == 0xBD && c2 >= 0x80 && c2 <= 0x9E) cp = 0xFF40 + (c2 - 0x80);
            if (cp) {
                out.push_back(static_cast<char>(cp - 0xFF00 + 0x20));
                i += 3;
                continue;
            }
        }
        if (c == 0xE3 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 && static_cast<unsigned char>(s[i + 2]) == 0x80) {
            out.push_back(' ');
            i += 3;
            continue;
        }
        out.push_back(s[i]);
        ++i;
    }
    const auto b = out.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return {};
    const auto e = out.find_last_not_of(" \t\r\n");
    return out.substr(b, e - b + 1);
}

namespace {
bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}
bool all_zero(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c == '0'; });
}
}  // namespace

std::optional<std::string> normalise_code(std::string_view raw, Level level) {
    std::string s = ascii_digits(raw);
    if (s.empty()) return std::nullopt;
    if (!all_digits(s)) {  // stored as a number: "410102.0", "4.10102001e+11"
        if (s.size() > 32) return std::nullopt;
        char* end = nullptr;
        const double v = std::strtod(s.c_str(), &end);
        if (end != s.c_str() + s.size() || !std::isfinite(v) || v <= 0 || v >= 1e15 || std::floor(v) != v) return std::nullopt;
        char buf[32];
        const auto r = std::to_chars(buf, buf + sizeof buf, static_cast<long long>(v));
        s.assign(buf, r.ptr);
    }
    const std::size_t want = code_length(level);
    if (level == Level::City && s.size() >= 6 && s.substr(2, 2) == "90") {  // 419001: a city-level unit with a county-length code
        if (!all_zero(s.substr(6))) return std::nullopt;
        return s.substr(0, 6);
    }
    if (s.size() < want) return std::nullopt;
    if (!all_zero(s.substr(want))) return std::nullopt;
    s.resize(want);
    return s;
}

std::optional<Level> level_of_code(std::string_view code) {
    if (!all_digits(code)) return std::nullopt;
    switch (code.size()) {
        case 2: return Level::Province;
        case 4: return Level::City;
        case 6: return code.substr(2, 2) == "90" ? Level::City : Level::County;
        case 9: return Level::Township;
        case 12: return Level::Village;
        default: return std::nullopt;
    }
}

std::string derived_parent(std::string_view code, Level level) {
    switch (level) {
        case Level::Province: return {};
        case Level::City: return std::string(code.substr(0, 2));
        case Level::County: return std::string(code.substr(0, std::min<std::size_t>(4, code.size())));
        case Level::Township: return std::string(code.substr(0, std::min<std::size_t>(6, code.size())));
        case Level::Village: return std::string(code.substr(0, std::min<std::size_t>(9, code.size())));
    }
    return {};
}

}  // namespace onemap::data
