#pragma once
// Pinyin initials of Chinese characters, for finding a place by the first letters of its name
// (张家村 → ZJC). The readings come from the Unihan database that Debian's unicode-data package
// installs (/usr/share/unicode/Unihan_Readings.txt.bz2): every reading today's dictionaries give a
// character there (kMandarin, kTGHZ2013, kXHC1983, kHanyuPinlu), so 长葛 is found by CG and by ZG;
// kHanyuPinyin only for characters none of those has (it also lists archaic readings: 桃 zhào).
//
//   PinyinInitials::load()  ──▶ letters('张') = {z}     letters('长') = {c, z}
//   initials_prefix(name, "ZJ", initials)  ──▶ true for 张家村
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>

namespace onemap::data {

inline const std::filesystem::path k_unihan_readings = "/usr/share/unicode/Unihan_Readings.txt.bz2";

class PinyinInitials {
public:
    // Reads the Unihan readings (bzip2, as Debian ships them). Throws std::runtime_error naming the
    // file and the package when it is missing or damaged.
    static PinyinInitials load(const std::filesystem::path& path = k_unihan_readings);
    // The same, read once per process and shared (a few tenths of a second the first time).
    static const PinyinInitials& shared();

    // The initials a character may have, as a bit set: bit 0 = 'a' … bit 25 = 'z'. An ASCII letter or
    // digit stands for itself (letters only get bits); 0 for anything without a reading.
    std::uint32_t letters(char32_t c) const;
    std::size_t size() const { return m_letters.size(); }  // characters with a reading
    // The initial of the character's usual reading (kMandarin's), upper case; 0 for none.
    char first(char32_t c) const;

private:
    std::unordered_map<char32_t, std::uint32_t> m_letters;
    std::unordered_map<char32_t, char> m_first;
};

// Whether the first letters of `name`'s characters begin with `query` (A–Z, any case; other
// characters of the query are not letters and never match). 张家村村民委员会 matches ZJC and ZJ.
bool initials_prefix(std::string_view name, std::string_view query, const PinyinInitials& initials);

// Each character's first initial (the most common reading's), upper case: 张家村 → "ZJC".
std::string initials_of(std::string_view name, const PinyinInitials& initials);

}  // namespace onemap::data
