#pragma once
// How the kiosk looks for elderly villagers (适老化): sizes in millimetres on the panel, so a 21.5"
// 1080p kiosk and a 32" one show the same text, and two themes whose every text/background pair
// is at least 4.5 : 1 (WCAG 2.2 1.4.3, EN 301 549 §9.1.4.3). No GL here: tests check the numbers.
//
//   px_per_mm(panel) ──▶ kiosk_sizes(px_per_mm, 大字) ──▶ body / heading / huge px, target, gap
//   kiosk_palette(高对比?) ──▶ colours ──▶ text_pairs() ──▶ contrast_ratio() ≥ 4.5 each
#include <string>
#include <vector>

namespace onemap::app {

// Targets, from MIIT's 适老化 rules for apps and WCAG 2.2 (body ≥ 32 px and headings ≥ 48 px at
// 1080p on 21.5", i.e. ≥ 7.9 mm and ≥ 11.9 mm; 大字 body ≥ 44 px ≈ 10.9 mm; targets ≥ 15 mm, gaps ≥ 2 mm).
inline constexpr double k_body_mm = 8.0, k_heading_mm = 12.0, k_huge_mm = 17.0;
inline constexpr double k_large_body_mm = 11.0, k_large_heading_mm = 15.0, k_large_huge_mm = 21.0;
inline constexpr double k_target_mm = 16.0, k_gap_mm = 2.5;
inline constexpr double k_min_contrast = 4.5;

// Pixels per millimetre of the panel. The configured diagonal (inches) wins; else the monitor's
// reported size when it is plausible (≥ 100 mm high); else a 21.5" panel.
double panel_px_per_mm(int width_px, int height_px, double diagonal_in, int reported_mm_w, int reported_mm_h);

struct KioskSizes {
    float body_px = 0, heading_px = 0, huge_px = 0;  // text
    float target_px = 0, gap_px = 0;                 // touch targets: the shorter side, and between two
};
KioskSizes kiosk_sizes(double px_per_mm, bool large);

struct Rgb {
    float r = 0, g = 0, b = 0;  // 0…1, sRGB
};
double relative_luminance(Rgb c);
double contrast_ratio(Rgb a, Rgb b);  // 1 … 21

struct KioskPalette {
    Rgb background;        // panels (opaque over the map)
    Rgb text;              // body text on panels
    Rgb label;             // field labels, 怎么办 (on panels)
    Rgb good, warning;     // 已发放 / 待发放, messages (on panels)
    Rgb disabled_text;     // a key that cannot be pressed yet (on disabled_button)
    Rgb disabled_button;
    Rgb button, button_text;                    // a choice
    Rgb button_selected, button_selected_text;  // the screen one is on
    Rgb button_pressed, button_pressed_text;    // while the finger is down
    Rgb end_button, end_button_text;            // 结束
    Rgb border;
};
KioskPalette kiosk_palette(bool high_contrast);

// Every text colour with the background it is drawn on, named: what the contrast test walks.
struct TextPair {
    std::string name;
    Rgb text, background;
};
std::vector<TextPair> text_pairs(const KioskPalette& p);

}  // namespace onemap::app
