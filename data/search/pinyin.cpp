#include "data/search/pinyin.hpp"

#include <bzlib.h>

#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <stdexcept>
#include <vector>

namespace onemap::data {

namespace {

// UTF-8 → code points; a broken sequence yields U+FFFD and moves on one byte.
template <class F>
void for_each_code_point(std::string_view s, F&& f) {
    for (std::size_t i = 0; i < s.size();) {
        const auto b = static_cast<unsigned char>(s[i]);
        char32_t c = 0xFFFD;
        std::size_t n = 1;
        if (b < 0x80) c = b;
        else if ((b >> 5) == 0x6 && i + 1 < s.size()) c = ((b & 0x1F) << 6) | (s[i + 1] & 0x3F), n = 2;
        else if ((b >> 4) == 0xE && i + 2 < s.size()) c = ((b & 0x0F) << 12) | ((s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F), n = 3;
        else if ((b >> 3) == 0x1E && i + 3 < s.size())
            c = ((b & 0x07) << 18) | ((s[i + 1] & 0x3F) << 12) | ((s[i + 2] & 0x3F) << 6) | (s[i + 3] & 0x3F), n = 4;
        f(c);
        i += n;
    }
}

// The base letter of a reading's first character: readings are lower-case pinyin whose first letter
// may carry a tone mark (ā, é, ǒ …) — those are vowels a, e, i, o, u, ü(→ v is never first) — or m̄/ń.
int initial_bit(char32_t c) {
    if (c >= 'a' && c <= 'z') return static_cast<int>(c - 'a');
    if (c >= 'A' && c <= 'Z') return static_cast<int>(c - 'A');
    switch (c) {
        case U'ā': case U'á': case U'ǎ': case U'à': return 'a' - 'a';
        case U'ē': case U'é': case U'ě': case U'è': case U'ê': return 'e' - 'a';
        case U'ī': case U'í': case U'ǐ': case U'ì': return 'i' - 'a';
        case U'ō': case U'ó': case U'ǒ': case U'ò': return 'o' - 'a';
        case U'ū': case U'ú': case U'ǔ': case U'ù': return 'u' - 'a';
        case U'ń': case U'ň': case U'ǹ': return 'n' - 'a';
        case U'ḿ': return 'm' - 'a';
        default: return -1;
    }
}

std::string read_bz2(const std::filesystem::path& path) {
    std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!f) {
        throw std::runtime_error(fmt::format("{}: cannot read the Unihan readings (install Debian's unicode-data package: "
                                             "sudo apt-get install unicode-data)", path.string()));
    }
    int err = BZ_OK;
    BZFILE* bz = BZ2_bzReadOpen(&err, f.get(), 0, 0, nullptr, 0);
    if (err != BZ_OK) throw std::runtime_error(fmt::format("{}: not a bzip2 file", path.string()));
    std::string out;
    std::vector<char> buf(1 << 16);
    while (err == BZ_OK) {
        const int n = BZ2_bzRead(&err, bz, buf.data(), static_cast<int>(buf.size()));
        if (err != BZ_OK && err != BZ_STREAM_END) break;
        out.append(buf.data(), static_cast<std::size_t>(n));
    }
    BZ2_bzReadClose(nullptr, bz);
    if (err != BZ_STREAM_END) throw std::runtime_error(fmt::format("{}: damaged or cut short (bzip2 error {})", path.string(), err));
    return out;
}

// Readings of today's dictionaries; kHanyuPinyin (汉语大字典) also lists archaic ones (桃 zhào), so
// it counts only for a character none of these has.
bool modern_field(std::string_view f) { return f == "kMandarin" || f == "kTGHZ2013" || f == "kXHC1983" || f == "kHanyuPinlu"; }

}  // namespace

PinyinInitials PinyinInitials::load(const std::filesystem::path& path) {
    const std::string text = read_bz2(path);
    PinyinInitials out;
    std::unordered_map<char32_t, std::uint32_t> archaic;  // kHanyuPinyin's, for characters without a modern reading
    // Lines: U+5F20<TAB>kMandarin<TAB>zhāng. Values hold readings after ':' (kTGHZ2013 "038.110:cháng
    // 466.110:zhǎng", kHanyuPinyin "20930.150:jiā,jià") or before '(' (kHanyuPinlu "zhǎng(1879)").
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        const std::string_view line(text.data() + pos, end - pos);
        pos = end + 1;
        if (!line.starts_with("U+")) continue;
        const std::size_t t1 = line.find('\t'), t2 = t1 == std::string_view::npos ? t1 : line.find('\t', t1 + 1);
        if (t2 == std::string_view::npos) continue;
        const std::string_view field = line.substr(t1 + 1, t2 - t1 - 1);
        const bool modern = modern_field(field);
        if (!modern && field != "kHanyuPinyin") continue;
        const char32_t cp = static_cast<char32_t>(std::strtoul(std::string(line.substr(2, t1 - 2)).c_str(), nullptr, 16));
        const std::string_view value = line.substr(t2 + 1);
        std::uint32_t bits = 0;
        bool at_start = true;  // at the start of a reading
        for_each_code_point(value, [&](char32_t c) {
            if (c == ' ' || c == ',' || c == ':' || c == ')') {
                at_start = true;
                return;
            }
            if (!at_start) return;
            const int b = initial_bit(c);
            if (b >= 0) bits |= 1u << b;
            at_start = false;  // digits of a "038.110:" index are skipped the same way: not a letter
        });
        if (bits) (modern ? out.m_letters : archaic)[cp] |= bits;
        if (bits && field == "kMandarin") {
            for (int b = 0; b < 26; ++b) {
                if (bits & (1u << b)) {
                    out.m_first[cp] = static_cast<char>('A' + b);
                    break;
                }
            }
        }
    }
    for (const auto& [cp, bits] : archaic) out.m_letters.try_emplace(cp, bits);
    if (out.m_letters.size() < 1000) {
        throw std::runtime_error(fmt::format("{}: only {} characters with a reading (expected tens of thousands)", path.string(), out.m_letters.size()));
    }
    return out;
}

const PinyinInitials& PinyinInitials::shared() {
    static const PinyinInitials s = load();
    return s;
}

std::uint32_t PinyinInitials::letters(char32_t c) const {
    if (c >= 'a' && c <= 'z') return 1u << (c - 'a');
    if (c >= 'A' && c <= 'Z') return 1u << (c - 'A');
    const auto it = m_letters.find(c);
    return it == m_letters.end() ? 0 : it->second;
}

char PinyinInitials::first(char32_t c) const {
    if (c >= 'a' && c <= 'z') return static_cast<char>(c - 'a' + 'A');
    if (c >= 'A' && c <= 'Z') return static_cast<char>(c);
    if (const auto it = m_first.find(c); it != m_first.end()) return it->second;
    const std::uint32_t bits = letters(c);
    for (int b = 0; b < 26; ++b) {
        if (bits & (1u << b)) return static_cast<char>('A' + b);
    }
    return 0;
}

bool initials_prefix(std::string_view name, std::string_view query, const PinyinInitials& initials) {
    if (query.empty()) return false;
    std::size_t i = 0;
    bool ok = true;
    for_each_code_point(name, [&](char32_t c) {
        if (!ok || i >= query.size()) return;
        const char q = query[i];
        const int bit = q >= 'a' && q <= 'z' ? q - 'a' : q >= 'A' && q <= 'Z' ? q - 'A' : -1;
        if (bit < 0 || !(initials.letters(c) & (1u << bit))) ok = false;
        ++i;
    });
    return ok && i == query.size();
}

std::string initials_of(std::string_view name, const PinyinInitials& initials) {
    std::string out;
    for_each_code_point(name, [&](char32_t c) {
        if (const char f = initials.first(c)) out += f;
    });
    return out;
}

}  // namespace onemap::data
