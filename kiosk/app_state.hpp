#pragma once
// What the application shows right now — written as JSON to --state-file after every change, so
// tests and monitoring can see the program's state without reading pixels.
#include "kiosk/config.hpp"

#include <filesystem>
#include <string>

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

    friend bool operator==(const AppState&, const AppState&) = default;
};

std::string to_json(const AppState& state);
// Write atomically (temporary file, then rename): readers never see half a file.
void write_state_file(const std::filesystem::path& path, const AppState& state);

}  // namespace onemap::app
