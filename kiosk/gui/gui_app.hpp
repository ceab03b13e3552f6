#pragma once
// The GUI modes (desk, kiosk, wall): a GLFW window, Dear ImGui panels over the map.
#include "kiosk/session/config.hpp"

#include <filesystem>
#include <string>

namespace onemap::app {

struct GuiOptions {
    AppConfig config;
    std::filesystem::path state_file;   // JSON after every change (tests, monitoring); empty: none
    std::filesystem::path export_dir = ".";
    std::filesystem::path perf_file;    // frame-time percentiles and memory, rewritten every 5 s (soak runs)
    std::size_t width = 0, height = 0;  // windowed size for desk (0: from the monitor)
    std::string pg_url;                 // desk/wall --pg: read this PostgreSQL database live instead of config.bundle
    std::string pg_region;              // with pg_url: only this region, its ancestors and descendants ("" all)
    // A PNG of the whole window each time the screen settles into a look not shot yet, named by it
    // (kiosk-find-standard.png, kiosk-lookup-id-high_contrast-large.png …): docs and tests.
    std::filesystem::path screenshot_dir;
    bool screenshot_half = false;       // at half the window's size (for docs/images)
};

// Runs until the window closes (desk, wall) or an admin leaves (kiosk). Returns the exit code;
// prints one line to stderr when it cannot start (no display, bad bundle).
int run_gui(const GuiOptions& options);

}  // namespace onemap::app
