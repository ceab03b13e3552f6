#include "text_encoding.hpp"

#include <iconv.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <map>

namespace onemap::gis {

bool is_ascii(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

bool is_valid_utf8(std::string_view s) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const auto* end = p + s.size();
    while (p < end) {
        const unsigned char c = *p;
        int n = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) { ++p; continue; }
        if ((c & 0xE0) == 0xC0) { n = 1; cp = c & 0x1F; }
        else if ((c & 0xF0) == 0xE0) { n = 2; cp = c & 0x0F; }
        else if ((c & 0xF8) == 0xF0) { n = 3; cp = c & 0x07; }
        else return false;
        if (end - p <= n) return false;
        for (int i = 1; i <= n; ++i) {
            if ((p[i] & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000)) return false;  // overlong
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        p += n + 1;
    }
    return true;
}

std::string canonical_encoding(std::string_view label) {
    std::string up;
    for (char c : label) {
        if (!std::isspace(static_cast<unsigned char>(c))) up.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    }
    if (up == "UTF-8" || up == "UTF8" || up == "65001") return "UTF-8";
    if (up == "GBK" || up == "CP936" || up == "936" || up == "GB2312" || up == "GB18030" || up == "EUC-CN" ||
        up == "ANSI936" || up == "MS936" || up == "WINDOWS-936" || up == "54936") {
        return "GB18030";
    }
    return up;
}

bool known_encoding(std::string_view encoding) {
    const std::string enc = canonical_encoding(encoding);
    if (enc == "UTF-8") return true;
    const iconv_t cd = iconv_open("UTF-8", enc.c_str());
    if (cd == reinterpret_cast<iconv_t>(-1)) return false;
    iconv_close(cd);
    return true;
}

std::optional<std::string> to_utf8(std::string_view bytes, std::string_view encoding) {
    const std::string enc = canonical_encoding(encoding);
    if (enc == "UTF-8" || is_ascii(bytes)) {
        if (!is_valid_utf8(bytes)) return std::nullopt;
        return std::string(bytes);
    }
    // One converter per encoding and thread, reset before each use (iconv_open costs more than a conversion).
    struct Converters {
        std::map<std::string, iconv_t> by_encoding;
        ~Converters() {
            for (auto& [name, cd] : by_encoding) if (cd != reinterpret_cast<iconv_t>(-1)) iconv_close(cd);
        }
    };
    thread_local Converters converters;
    auto found = converters.by_encoding.find(enc);
    if (found == converters.by_encoding.end()) found = converters.by_encoding.emplace(enc, iconv_open("UTF-8", enc.c_str())).first;
    iconv_t cd = found->second;
    if (cd == reinterpret_cast<iconv_t>(-1)) return std::nullopt;
    iconv(cd, nullptr, nullptr, nullptr, nullptr);
    std::string out(bytes.size() * 2 + 8, '\0');
    char* in = const_cast<char*>(bytes.data());
    std::size_t in_left = bytes.size();
    char* dst = out.data();
    std::size_t out_left = out.size();
    bool ok = true;
    while (in_left > 0) {
        if (iconv(cd, &in, &in_left, &dst, &out_left) == static_cast<std::size_t>(-1)) {
            if (errno == E2BIG) {
                const std::size_t used = static_cast<std::size_t>(dst - out.data());
                out.resize(out.size() * 2);
                dst = out.data() + used;
                out_left = out.size() - used;
                continue;
            }
            ok = false;  // EILSEQ or EINVAL: not valid in this encoding
            break;
        }
    }
    if (!ok) return std::nullopt;
    out.resize(static_cast<std::size_t>(dst - out.data()));
    return out;
}

std::string detect_encoding(const std::vector<std::string>& samples) {
    for (const auto& s : samples) {
        if (!is_valid_utf8(s)) return "GB18030";
    }
    return "UTF-8";
}

std::optional<std::string> encoding_from_cpg(std::string_view text) {
    std::string label(text.substr(0, text.find_first_of("\r\n")));
    while (!label.empty() && std::isspace(static_cast<unsigned char>(label.back()))) label.pop_back();
    while (!label.empty() && std::isspace(static_cast<unsigned char>(label.front()))) label.erase(label.begin());
    if (label.empty()) return std::nullopt;
    return canonical_encoding(label);
}

std::optional<std::string> encoding_from_ldid(unsigned char ldid) {
    switch (ldid) {
        case 0x4D: case 0x7A: return "GB18030";  // code page 936 (PRC, GBK)
        default: return std::nullopt;            // 0, ANSI (0x57), DOS code pages: nothing about Chinese text
    }
}

}  // namespace onemap::gis
