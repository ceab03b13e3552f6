#pragma once
// What the application shows right now — written as JSON to --state-file after every change, so
// tests and monitoring can see the program's state without reading pixels.
#include "kiosk/session/config.hpp"

#include <filesystem>
#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace onemap::app {

struct AppState {
    Mode mode = Mode::Desk;
    std::string screen = "map";      // desk: map; kiosk: home|policy|projects|lookup|attract; wall: map
    std::string selected;            // region code, empty for none
    std::string camera_target;       // region code the camera shows
    std::string level;               // level drawn: city|county|township|village
    std::string metric;
    std::string period;
    std::string language = "zh-CN";
    bool synthetic = false;
    std::string focus;               // region whose children are shown
    std::string panel_title;         // name shown in the info panel
    std::string tour_city;           // wall: where the tour is
    std::vector<std::string> compare; // desk: regions side by side in the comparison (codes, in the order added)
    std::string spotlight;           // the region the map shows bright while the rest fades (wall tour); "" none
    std::string last_export;         // path of the last exported file
    // kiosk 查询我家: id|factor|paused|card|unavailable; characters typed (never which); the last
    // outcome (found, wrong_factor, …); a digest of the card's masked name, never the name.
    std::string lookup_step;
    int lookup_typed = 0;
    int pin_typed = 0;               // kiosk admin PIN pad: digits typed so far (never which)
    std::string lookup_outcome;
    std::string card;
    std::uint64_t bundle_inode = 0;  // which file the GUI shows (its inode): another once `onemap sync` swapped one in
    int bundle_reloads = 0;          // snapshots picked up while running (kiosk/gui/bundle_watch.hpp)
    std::string bundle_error;        // why the newest file at the bundle path is not shown (the old one stays); "" if none
    std::string value;               // the selected region's value of the metric and period, as the panel shows it ("" none)
    std::string source = "bundle";   // bundle | pg (desk/wall --pg)
    std::string scene;               // the map was read from a cache (render cache, private scene cache) or built: cache | built
    std::string source_problem;      // --pg: why the server is not reachable (redacted URL); "" when it is
    bool read_only = false;          // --pg: the connection may not change alerts (reader role)
    int data_refreshes = 0;          // --pg: changes picked up from the database while running
    std::string last_step;           // the last alert step: "#ID → status" or why it was refused
    std::vector<std::string> ticker; // wall: the alert ticker's items as shown (place, kind, risk category, ×count)
    std::vector<std::pair<std::string, std::array<double, 4>>> widgets;  // named UI rectangles: x, y, w, h (window pixels)
    std::vector<std::pair<std::string, std::array<double, 2>>> anchors;  // children of the focus on screen: x, y
    std::array<double, 4> map_area{};   // the part of the window the panels leave to the map: x, y, w, h (window pixels)
    int missing_glyphs = 0;             // characters of bundle text on screen the UI font atlas lacks (drawn as '?')
    std::array<double, 4> view_rect{};  // camera_target's box on screen while the view rests (x, y, w, h); zeros otherwise
    std::int64_t frames = 0;            // frames the window has drawn since it opened (tests count frames after an event)
    // kiosk, elderly-friendly (适老化): the theme, 大字, the screen's instruction line, the look-up's
    // display (masked), the pages, 找我的村; the window adds the sizes it drew with.
    std::string theme;                  // standard | high_contrast
    bool large_text = false;
    std::string instruction;
    std::string lookup_display;
    int page = 0, pages = 0;
    std::string find_query;
    std::vector<std::string> find_results;  // codes
    double body_px = 0, heading_px = 0;     // text sizes drawn (pixels)
    double px_per_mm = 0;                   // the panel's, as configured or reported
    double min_target_mm = 0;               // the smallest touch target on screen (its shorter side)
    double min_gap_mm = 0;                  // the smallest gap between two touch targets
    int clipped_labels = 0;                 // buttons whose label does not fit (cut at the edge)
    // wall --pg: screens online / screens that report (table screen_health), "n/m"; "" unknown
    std::string screens_online;
    // What the caches that grow with use hold (kiosk/session/config.hpp memory_budget_mib): the
    // budget, indicator layers (the session's), geometry on the GPU and resident memory (the window's).
    double budget_mib = 0, indicators_mib = 0, gpu_mib = 0, rss_mib = 0;
    int indicator_layers = 0;
    std::int64_t layers_evicted = 0, lods_evicted = 0;

    friend bool operator==(const AppState&, const AppState&) = default;
};

std::string to_json(const AppState& state);
std::string to_json_base(const AppState& state);  // without the kiosk's 适老化 fields
// Write atomically (temporary file, then rename): readers never see half a file.
void write_state_file(const std::filesystem::path& path, const AppState& state);

}  // namespace onemap::app
