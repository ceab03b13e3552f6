#include "kiosk/session/kiosk_look.hpp"

#include <algorithm>
#include <cmath>

namespace onemap::app {

double panel_px_per_mm(int width_px, int height_px, double diagonal_in, int reported_mm_w, int reported_mm_h) {
    const double w = std::max(1, width_px), h = std::max(1, height_px);
    if (diagonal_in > 0) return std::hypot(w, h) / (diagonal_in * 25.4);
    if (reported_mm_h >= 100 && reported_mm_w >= 100) return std::min(w / reported_mm_w, h / reported_mm_h);
    return std::hypot(w, h) / (21.5 * 25.4);
}

KioskSizes kiosk_sizes(double px_per_mm, bool large) {
    KioskSizes s;
    const auto px = [px_per_mm](double mm) { return static_cast<float>(std::ceil(mm * px_per_mm)); };
    s.body_px = px(large ? k_large_body_mm : k_body_mm);
    s.heading_px = px(large ? k_large_heading_mm : k_heading_mm);
    s.huge_px = px(large ? k_large_huge_mm : k_huge_mm);
    s.target_px = px(k_target_mm);
    s.gap_px = px(k_gap_mm);
    return s;
}

double relative_luminance(Rgb c) {
    const auto lin = [](float v) { return v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
}

double contrast_ratio(Rgb a, Rgb b) {
    const double la = relative_luminance(a), lb = relative_luminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

namespace {
constexpr Rgb hex(unsigned v) { return {((v >> 16) & 0xFF) / 255.0f, ((v >> 8) & 0xFF) / 255.0f, (v & 0xFF) / 255.0f}; }
}  // namespace

KioskPalette kiosk_palette(bool high_contrast) {
    KioskPalette p;
    if (!high_contrast) {
        // Deep blue panels, white text; buttons in a lighter blue; the screen one is on in a warm
        // yellow with near-black text (white on yellow was 1.7 : 1).
        p.background = hex(0x0B2545);
        p.text = hex(0xFFFFFF);
        p.label = hex(0xFFD166);
        p.good = hex(0x7BE495);
        p.warning = hex(0xFFB27A);
        p.disabled_button = hex(0x2A3B52);
        p.disabled_text = hex(0xB8C4D4);
        p.button = hex(0x1D5FA8);
        p.button_text = hex(0xFFFFFF);
        p.button_selected = hex(0xFFD166);
        p.button_selected_text = hex(0x1A1A1A);
        p.button_pressed = hex(0xFFFFFF);
        p.button_pressed_text = hex(0x0B2545);
        p.end_button = hex(0xB3261E);
        p.end_button_text = hex(0xFFFFFF);
        p.border = hex(0x8FB3DE);
    } else {
        // Black and white, yellow for what is chosen: the largest differences a panel can show.
        p.background = hex(0x000000);
        p.text = hex(0xFFFFFF);
        p.label = hex(0xFFFF00);
        p.good = hex(0x00FF66);
        p.warning = hex(0xFFCC00);
        p.disabled_button = hex(0x000000);
        p.disabled_text = hex(0xBBBBBB);
        p.button = hex(0x000000);
        p.button_text = hex(0xFFFFFF);
        p.button_selected = hex(0xFFFF00);
        p.button_selected_text = hex(0x000000);
        p.button_pressed = hex(0xFFFFFF);
        p.button_pressed_text = hex(0x000000);
        p.end_button = hex(0xFFFFFF);
        p.end_button_text = hex(0x000000);
        p.border = hex(0xFFFFFF);
    }
    return p;
}

std::vector<TextPair> text_pairs(const KioskPalette& p) {
    return {
        {"text on panel", p.text, p.background},
        {"label on panel", p.label, p.background},
        {"good on panel", p.good, p.background},
        {"warning on panel", p.warning, p.background},
        {"button", p.button_text, p.button},
        {"selected button", p.button_selected_text, p.button_selected},
        {"pressed button", p.button_pressed_text, p.button_pressed},
        {"end button", p.end_button_text, p.end_button},
        {"disabled key", p.disabled_text, p.disabled_button},
    };
}

}  // namespace onemap::app
