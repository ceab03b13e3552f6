#include "text.hpp"

#include <fontconfig/fontconfig.h>
#include <ft2build.h>
#include FT_FREETYPE_H

#include <algorithm>
#include <cmath>
#include <vector>
#include <stdexcept>

namespace onemap::render {

std::pair<std::filesystem::path, int> find_font(const std::string& pattern) {
    std::pair<std::filesystem::path, int> out{{}, 0};
    FcConfig* config = FcInitLoadConfigAndFonts();
    if (!config) return out;
    FcPattern* pat = FcNameParse(reinterpret_cast<const FcChar8*>(pattern.c_str()));
    FcConfigSubstitute(config, pat, FcMatchPattern);
    FcDefaultSubstitute(pat);
    FcResult result = FcResultNoMatch;
    if (FcPattern* match = FcFontMatch(config, pat, &result)) {
        FcChar8* file = nullptr;
        int index = 0;
        if (FcPatternGetString(match, FC_FILE, 0, &file) == FcResultMatch) out.first = reinterpret_cast<const char*>(file);
        if (FcPatternGetInteger(match, FC_INDEX, 0, &index) == FcResultMatch) out.second = index;
        FcPatternDestroy(match);
    }
    FcPatternDestroy(pat);
    FcConfigDestroy(config);
    return out;
}

struct GlyphAtlas::FreeTypeState {
    FT_Library library = nullptr;
    FT_Face face = nullptr;
    int current_px = 0;
};

GlyphAtlas::GlyphAtlas(const std::filesystem::path& font, int face_index)
    : m_ft(std::make_unique<FreeTypeState>()), m_pixels(static_cast<std::size_t>(k_size) * k_size * 2, 0) {
    if (FT_Init_FreeType(&m_ft->library)) throw std::runtime_error("FreeType does not start");
    if (FT_New_Face(m_ft->library, font.c_str(), face_index, &m_ft->face))
        throw std::runtime_error("font " + font.string() + " cannot be opened by FreeType");
    for (int y = 0; y < 4; ++y)
        for (int x = 0; x < 4; ++x) {
            m_pixels[(y * k_size + x) * 2] = 255;
            m_pixels[(y * k_size + x) * 2 + 1] = 255;
        }
}

GlyphAtlas::~GlyphAtlas() {
    if (m_ft->face) FT_Done_Face(m_ft->face);
    if (m_ft->library) FT_Done_FreeType(m_ft->library);
}

const GlyphAtlas::Glyph& GlyphAtlas::glyph(char32_t code, int px) {
    const std::uint64_t key = (std::uint64_t(code) << 16) | static_cast<std::uint64_t>(px);
    if (auto it = m_glyphs.find(key); it != m_glyphs.end()) return it->second;
    Glyph g;
    FT_Face face = m_ft->face;
    if (m_ft->current_px != px) {
        FT_Set_Pixel_Sizes(face, 0, static_cast<FT_UInt>(px));
        m_ft->current_px = px;
    }
    if (FT_Load_Char(face, code, FT_LOAD_RENDER) == 0) {
        const FT_Bitmap& bm = face->glyph->bitmap;
        const int pad = k_halo + 1;
        const int w = static_cast<int>(bm.width) + 2 * pad, h = static_cast<int>(bm.rows) + 2 * pad;
        if (m_pen_x + w + 1 > k_size) {
            m_pen_x = 4;
            m_pen_y += m_row_h + 1;
            m_row_h = 0;
        }
        if (m_pen_y + h + 1 > k_size) m_full = true;  // drawn without its glyph until reset()
        if (m_pen_y + h + 1 <= k_size) {
            g.x = m_pen_x;
            g.y = m_pen_y;
            g.w = w;
            g.h = h;
            g.left = face->glyph->bitmap_left - pad;
            g.top = face->glyph->bitmap_top + pad;
            // coverage
            for (unsigned r = 0; r < bm.rows; ++r)
                for (unsigned c = 0; c < bm.width; ++c)
                    m_pixels[((g.y + pad + r) * k_size + g.x + pad + c) * 2] = bm.buffer[r * bm.pitch + c];
            // halo: max of coverage over a disc, soft edge — the disc's weights worked out once, and
            // only the offsets inside it visited (a CJK name's glyphs are hundreds at a time)
            struct Tap {
                int dx, dy;
                float fall;
            };
            static const std::vector<Tap> disc = [] {
                std::vector<Tap> taps;
                for (int dy = -(k_halo + 1); dy <= k_halo + 1; ++dy)
                    for (int dx = -(k_halo + 1); dx <= k_halo + 1; ++dx) {
                        const float dist = std::sqrt(static_cast<float>(dx * dx + dy * dy));
                        const float fall = std::clamp(k_halo + 0.5f - dist, 0.0f, 1.0f);
                        if (fall > 0) taps.push_back({dx, dy, fall});
                    }
                return taps;
            }();
            for (int y = 0; y < h; ++y)
                for (int x = 0; x < w; ++x) {
                    float best = 0;
                    for (const Tap& t : disc) {
                        const int sx = x + t.dx, sy = y + t.dy;
                        if (sx < 0 || sy < 0 || sx >= w || sy >= h) continue;
                        if (const std::uint8_t c = m_pixels[((g.y + sy) * k_size + g.x + sx) * 2]) best = std::max(best, t.fall * c / 255.0f);
                    }
                    m_pixels[((g.y + y) * k_size + g.x + x) * 2 + 1] = static_cast<std::uint8_t>(std::lround(best * 255));
                }
            m_pen_x += w + 1;
            m_row_h = std::max(m_row_h, h);
            m_dirty = true;
        }
        g.advance = static_cast<float>(face->glyph->advance.x) / 64.0f;
    }
    return m_glyphs.emplace(key, g).first->second;
}

void GlyphAtlas::reset() {
    m_glyphs.clear();
    std::fill(m_pixels.begin(), m_pixels.end(), std::uint8_t{0});
    m_pen_x = m_pen_y = 4;
    m_row_h = 0;
    m_full = false;
    m_dirty = true;
    ++m_resets;
}

std::u32string decode_utf8(std::string_view s) {
    std::u32string out;
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        int n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
        char32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
        for (int k = 1; k < n && i + k < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
        out.push_back(cp);
        i += static_cast<std::size_t>(n);
    }
    return out;
}

float GlyphAtlas::measure(std::string_view utf8, int px) {
    float w = 0;
    for (char32_t c : decode_utf8(utf8)) w += glyph(c, px).advance;
    return w;
}

void add_rect(std::vector<OverlayVertex>& out, float x, float y, float w, float h, Rgba color) {
    const float u = 2.0f / GlyphAtlas::k_size;
    const Rgba none{0, 0, 0, 0};
    const OverlayVertex a{x, y, u, u, color, none}, b{x + w, y, u, u, color, none}, c{x, y + h, u, u, color, none},
        d{x + w, y + h, u, u, color, none};
    out.insert(out.end(), {a, b, c, b, d, c});
}

void add_text(std::vector<OverlayVertex>& out, GlyphAtlas& atlas, std::string_view utf8, float x, float y, int px,
              Rgba color, Rgba halo, TextAlign align) {
    if (align == TextAlign::Centre) {
        x -= std::round(atlas.measure(utf8, px) / 2);
        y += std::round(px * 0.38f);  // centre of the ideographic box → baseline
    }
    float pen = std::round(x);
    y = std::round(y);
    const float inv = 1.0f / GlyphAtlas::k_size;
    for (char32_t c : decode_utf8(utf8)) {
        const auto& g = atlas.glyph(c, px);
        if (g.w > 0) {
            const float x0 = pen + g.left, y0 = y - g.top, x1 = x0 + g.w, y1 = y0 + g.h;
            const float u0 = g.x * inv, v0 = g.y * inv, u1 = (g.x + g.w) * inv, v1 = (g.y + g.h) * inv;
            const OverlayVertex a{x0, y0, u0, v0, color, halo}, b{x1, y0, u1, v0, color, halo},
                cc{x0, y1, u0, v1, color, halo}, d{x1, y1, u1, v1, color, halo};
            out.insert(out.end(), {a, b, cc, b, d, cc});
        }
        pen += std::round(g.advance);
    }
}

}  // namespace onemap::render
