#pragma once
// The application's configuration (TOML; commented examples in assets/config/).
//
//   [app]      mode, bundle, language, theme, home_region, metric, period, pg_poll_s
//   [screen]   monitor = "primary" | "all" | N, canvas = [x, y, w, h], fullscreen
//   [kiosk]    idle_timeout_s, admin_pin_hash, household_key, lookup_guard, card_timeout_s, speech_command, screen_diagonal_in
//   [wall]     tour_interval_s, idle_timeout_s
//   [health]   heartbeat_file, interval_s, screen_id (kiosk/service/heartbeat.hpp)
//   [memory]   budget_mib (what the caches that grow with use may hold together)
//
// A bad file gives one ConfigError naming the file and the key.
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>

namespace onemap::app {

enum class Mode { Desk, Kiosk, Wall };
enum class Theme { Light, Dark, HighContrast };

struct CanvasRect {
    int x = 0, y = 0, w = 0, h = 0;
};

struct AppConfig {
    Mode mode = Mode::Desk;
    std::filesystem::path bundle;
    std::string language = "zh-CN";  // or "en"
    Theme theme = Theme::Light;
    std::string home_region;          // empty: the province
    std::string metric = "tp_income_pc";
    std::string period;               // empty: the latest in the bundle
    double pg_poll_s = 5;             // desk/wall --pg: how often the database's change counter is read
    std::string monitor = "primary";  // "primary", "all" or a 1-based monitor number
    std::optional<CanvasRect> canvas;
    bool fullscreen = false;          // kiosk and wall always are
    double idle_timeout_s = 90;
    double tour_interval_s = 20;
    std::string admin_pin_hash;       // "pbkdf2-sha256$iterations$salt$hex"
    // Household look-up (kiosk): the key file kept outside the bundle (empty: BUNDLE.key), the guard
    // file with the lockout counters and the look-up audit (empty: the user's state folder), how long
    // an untouched card stays open, and the read-aloud command (text on its standard input; empty: none).
    std::filesystem::path household_key;
    std::filesystem::path lookup_guard;
    double card_timeout_s = 60;
    std::string speech_command = "espeak-ng -v cmn -s 140 --stdin";
    // The kiosk panel's diagonal in inches, for text and touch targets in millimetres
    // (kiosk/session/kiosk_look.hpp); 0: the size the monitor reports, else 21.5".
    double screen_diagonal_in = 0;
    // The health beacon (kiosk/service/heartbeat.hpp): where the heartbeat goes (empty: the user's
    // state folder, heartbeat-MODE.json; "off": nowhere), how often, and the screen's name in
    // `onemap status` (empty: HOST-MODE).
    std::filesystem::path heartbeat_file;
    double heartbeat_interval_s = 30;
    std::string screen_id;
    // What the caches that grow with use (indicator layers, LODs on the GPU) may hold together;
    // the least recently used go first. 0: the default (memory_budget_mib()).
    double memory_budget_mib = 0;
};

class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

std::string_view mode_key(Mode mode);               // "desk" | "kiosk" | "wall"
std::optional<Mode> parse_mode(std::string_view key);
std::string_view theme_key(Theme theme);

AppConfig default_config(Mode mode);
AppConfig load_config(const std::filesystem::path& path, Mode mode);  // file values over the mode's defaults

// memory.budget_mib, or 256 when 0 (every mode). Half of it is for
// the map's geometry on the GPU (system memory on software GL), a quarter for indicator layers.
double memory_budget_mib(const AppConfig& config);

// Where the look-up guard lives when the config does not say: $XDG_STATE_HOME/onemap, else
// ~/.local/state/onemap, file lookup-guard.db.
std::filesystem::path default_lookup_guard_path();

std::string hash_pin(std::string_view pin, std::string_view salt, int iterations = 100000);
bool check_pin(const std::string& stored_hash, std::string_view pin);

}  // namespace onemap::app
