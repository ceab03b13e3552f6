#pragma once
// Text for the map: a CJK font found through fontconfig, glyphs rasterised with FreeType on demand
// into one atlas (only the glyphs the names need, at the sizes drawn, so text is crisp at any
// zoom), and screen-space quads for labels, legend and marks.
//
//   atlas texel: r = glyph coverage, g = coverage dilated by the halo radius (the halo)
//   texels (0..3, 0..3) are white: solid rectangles sample them, so text and boxes share one draw.
#include "render/color.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace onemap::render {

struct OverlayVertex {
    float x, y, u, v;
    Rgba color, halo;
};

// Path and face index of the font fontconfig picks for `pattern` (":lang=zh-cn"); empty when none.
std::pair<std::filesystem::path, int> find_font(const std::string& pattern = ":lang=zh-cn");

class GlyphAtlas {
public:
    static constexpr int k_size = 1024;
    static constexpr int k_halo = 2;  // pixels
    // Throws std::runtime_error naming the font when FreeType cannot open it.
    explicit GlyphAtlas(const std::filesystem::path& font, int face_index = 0);
    ~GlyphAtlas();
    GlyphAtlas(const GlyphAtlas&) = delete;
    GlyphAtlas& operator=(const GlyphAtlas&) = delete;

    struct Glyph {
        int x = 0, y = 0, w = 0, h = 0;  // atlas rectangle (halo padding included)
        int left = 0, top = 0;           // bitmap offset from the pen (FreeType bearings, minus padding)
        float advance = 0;
    };
    const Glyph& glyph(char32_t code, int px);  // rasterised on first use
    float measure(std::string_view utf8, int px);
    int line_height(int px) const { return px + px / 4; }

    const std::vector<std::uint8_t>& pixels() const { return m_pixels; }  // RG8, k_size²
    bool dirty() const { return m_dirty; }
    void clear_dirty() { m_dirty = false; }
    std::size_t glyph_count() const { return m_glyphs.size(); }
    // A glyph did not fit (the atlas holds about 1,500 CJK glyphs at 18 px; a province's village
    // names have more characters than that). reset() empties it: the glyphs drawn next are rasterised
    // again. The renderer resets a full atlas between frames (a screen of names always fits), so a
    // screen that runs for weeks never goes on drawing names without glyphs.
    bool full() const { return m_full; }
    void reset();
    std::uint64_t resets() const { return m_resets; }
private:
    struct FreeTypeState;
    std::unique_ptr<FreeTypeState> m_ft;
    std::unordered_map<std::uint64_t, Glyph> m_glyphs;
    std::vector<std::uint8_t> m_pixels;
    int m_pen_x = 4, m_pen_y = 4, m_row_h = 0;
    bool m_dirty = true, m_full = false;
    std::uint64_t m_resets = 0;
};

std::u32string decode_utf8(std::string_view s);

enum class TextAlign { Left, Centre };

// Quads for the glyphs of `utf8` at pixel size `px`; (x, y) is the baseline start (Left) or the
// centre of the text box (Centre).
void add_text(std::vector<OverlayVertex>& out, GlyphAtlas& atlas, std::string_view utf8, float x, float y, int px,
              Rgba color, Rgba halo, TextAlign align = TextAlign::Left);
void add_rect(std::vector<OverlayVertex>& out, float x, float y, float w, float h, Rgba color);

}  // namespace onemap::render
