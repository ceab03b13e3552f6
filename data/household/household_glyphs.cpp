#include "data/household/household_glyphs.hpp"

#include "data/bundle/derived_meta.hpp"
#include "data/bundle/sql_statement.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <iterator>
#include <optional>
#include <vector>

namespace onemap::data {

namespace {

// The card's text columns. The household card (HouseholdLookup::read_card) shows a household's masked
// head name, type and cadre's name, its benefits' programs (this year's; every year's is scanned, a
// superset) and its measures' families and descriptions; the rest is digits, dates and UI strings.
struct GlyphSource {
    std::string_view sql;
    int columns;
};
constexpr GlyphSource k_glyph_sources[] = {
    {"SELECT head_name_masked, household_type, contact_name FROM households", 3},
    {"SELECT program FROM benefits", 1},
    {"SELECT family, description FROM measures", 2},
};

// The stored set is dropped by whichever program inserts, deletes or changes a card column of a row
// (data/bundle/derived_meta.hpp), so household_card_glyphs() scans again until store_household_card_glyphs()
// (import, publish, demo, prepare) stores it anew. One row costs one primary-key delete on meta (some
// 0.4 µs).
constexpr DerivedMetaTrigger k_glyph_triggers[] = {
    {"households_glyphs_insert", "AFTER INSERT ON households"},
    {"households_glyphs_update", "AFTER UPDATE OF head_name_masked, household_type, contact_name ON households"},
    {"households_glyphs_delete", "AFTER DELETE ON households"},
    {"benefits_glyphs_insert", "AFTER INSERT ON benefits"},
    {"benefits_glyphs_update", "AFTER UPDATE OF program ON benefits"},
    {"benefits_glyphs_delete", "AFTER DELETE ON benefits"},
    {"measures_glyphs_insert", "AFTER INSERT ON measures"},
    {"measures_glyphs_update", "AFTER UPDATE OF family, description ON measures"},
    {"measures_glyphs_delete", "AFTER DELETE ON measures"},
};
constexpr DerivedMeta k_glyph_meta{"household_card_glyphs", k_glyph_triggers};

// The code points seen, one bit each over all of Unicode (136 KiB): a character costs a bit test,
// whichever row it comes from, and no string is kept.
class CodePointSet {
public:
    // Well-formed UTF-8 sequences are added; a stray or truncated byte is skipped.
    void add(std::string_view text) {
        const auto* p = reinterpret_cast<const unsigned char*>(text.data());
        const auto* const end = p + text.size();
        while (p < end) {
            const unsigned c = *p;
            if (c < 0x80) {
                set(c);
                ++p;
                continue;
            }
            const int n = (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
            if (n == 0 || end - p < n) {
                ++p;
                continue;
            }
            char32_t cp = c & (0x7Fu >> n);
            bool ok = true;
            for (int k = 1; k < n; ++k) {
                ok = ok && (p[k] & 0xC0) == 0x80;
                cp = (cp << 6) | (p[k] & 0x3F);
            }
            constexpr char32_t k_min[] = {0, 0, 0x80, 0x800, 0x10000};  // shortest form only
            if (!ok || cp < k_min[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
                ++p;
                continue;
            }
            set(cp);
            p += n;
        }
    }
    // Every code point, ascending, as UTF-8.
    std::string utf8() const {
        std::string out;
        for (std::size_t w = 0; w < m_bits.size(); ++w) {
            for (std::uint64_t bits = m_bits[w]; bits;) {
                const int b = std::countr_zero(bits);
                bits &= bits - 1;
                append_utf8(out, static_cast<char32_t>(w * 64 + static_cast<std::size_t>(b)));
            }
        }
        return out;
    }

private:
    void set(char32_t cp) { m_bits[cp >> 6] |= std::uint64_t{1} << (cp & 63); }
    static void append_utf8(std::string& out, char32_t cp) {
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }
    std::vector<std::uint64_t> m_bits = std::vector<std::uint64_t>(0x110000 / 64);
};

}  // namespace

bool household_card_glyphs_stored(const Bundle& bundle) { return read_derived_meta(bundle, k_glyph_meta).has_value(); }

std::string scan_household_card_glyphs(const Bundle& bundle) {
    CodePointSet set;
    // Every table here is part of schema v1, so a bundle that opened has them. One pass over each,
    // every row's text straight into the bit set: no DISTINCT (a temporary B-tree per column), no strings.
    for (const auto& source : k_glyph_sources) {
        sql::Statement st(bundle, source.sql);
        while (st.step()) {
            for (int c = 0; c < source.columns; ++c) set.add(st.col_view(c));
        }
    }
    return set.utf8();
}

std::string household_card_glyphs(const Bundle& bundle) {
    if (auto stored = read_derived_meta(bundle, k_glyph_meta)) return std::move(*stored);
    return scan_household_card_glyphs(bundle);
}

std::size_t store_household_card_glyphs(Bundle& bundle) {
    guard_derived_meta(bundle, k_glyph_meta);
    const std::string glyphs = scan_household_card_glyphs(bundle);
    bundle.set_meta(k_glyph_meta.key, glyphs);
    return static_cast<std::size_t>(std::count_if(glyphs.begin(), glyphs.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

}  // namespace onemap::data
