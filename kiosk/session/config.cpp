#include "kiosk/session/config.hpp"

#include "data/household/privacy.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <cstdlib>
#include <vector>

namespace onemap::app {

std::string_view mode_key(Mode mode) {
    switch (mode) {
        case Mode::Desk: return "desk";
        case Mode::Kiosk: return "kiosk";
        case Mode::Wall: return "wall";
    }
    return "desk";
}

std::optional<Mode> parse_mode(std::string_view key) {
    if (key == "desk") return Mode::Desk;
    if (key == "kiosk") return Mode::Kiosk;
    if (key == "wall") return Mode::Wall;
    return std::nullopt;
}

std::string_view theme_key(Theme theme) {
    switch (theme) {
        case Theme::Light: return "light";
        case Theme::Dark: return "dark";
        case Theme::HighContrast: return "high-contrast";
    }
    return "light";
}

AppConfig default_config(Mode mode) {
    AppConfig c;
    c.mode = mode;
    switch (mode) {
        case Mode::Desk: break;
        case Mode::Kiosk:
            c.fullscreen = true;
            // the kiosk's standard palette (every text ≥ 4.5 : 1, kiosk/session/kiosk_look.hpp); 高对比 is
            // one tap away on every screen, and "high-contrast" here starts each visitor there
            c.theme = Theme::Light;
            c.idle_timeout_s = 60;
            break;
        case Mode::Wall:
            c.fullscreen = true;
            c.theme = Theme::Dark;
            c.metric = "growth_gap";
            c.idle_timeout_s = 120;
            break;
    }
    return c;
}

namespace {

class Reader {
public:
    Reader(const toml::table& t, std::string file) : m_t(t), m_file(std::move(file)) {}

    [[noreturn]] void fail(std::string_view key, std::string_view expected, std::string_view found) const {
        throw ConfigError(fmt::format("{}: key '{}': expected {}, found {}", m_file, key, expected, found));
    }
    const toml::node* node(std::string_view dotted) const { return m_t.at_path(dotted).node(); }

    void string(std::string_view key, std::string& out) const {
        if (const auto* n = node(key)) {
            if (!n->is_string()) fail(key, "a string", describe(*n));
            out = n->as_string()->get();
        }
    }
    void number(std::string_view key, double& out, double lo, double hi) const {
        if (const auto* n = node(key)) {
            if (!n->is_number()) fail(key, "a number", describe(*n));
            const double v = n->is_integer() ? static_cast<double>(n->as_integer()->get()) : n->as_floating_point()->get();
            if (v < lo || v > hi) fail(key, fmt::format("a number from {} to {}", lo, hi), fmt::format("{}", v));
            out = v;
        }
    }
    void boolean(std::string_view key, bool& out) const {
        if (const auto* n = node(key)) {
            if (!n->is_boolean()) fail(key, "true or false", describe(*n));
            out = n->as_boolean()->get();
        }
    }
    template <class T>
    void choice(std::string_view key, T& out, std::initializer_list<std::pair<std::string_view, T>> options) const {
        std::string s;
        string(key, s);
        if (s.empty() && !node(key)) return;
        std::string names;
        for (const auto& [name, value] : options) {
            if (name == s) {
                out = value;
                return;
            }
            if (!names.empty()) names += ", ";
            names += name;  // not `", " + std::string(name)`: GCC 12 -O3 -Wrestrict false positive (data/bundle/info.cpp)
        }
        fail(key, "one of " + names, "'" + s + "'");
    }
    static std::string describe(const toml::node& n) {
        if (n.is_string()) return fmt::format("'{}'", n.as_string()->get());  // not "'" + std::string(…): GCC 12 -O3 -Wrestrict
        if (n.is_integer()) return std::to_string(n.as_integer()->get());
        if (n.is_table()) return "a table";
        if (n.is_array()) return "a list";
        if (n.is_boolean()) return n.as_boolean()->get() ? "true" : "false";
        return "a value of another type";
    }

private:
    const toml::table& m_t;
    std::string m_file;
};

}  // namespace

AppConfig load_config(const std::filesystem::path& path, Mode mode) {
    AppConfig c = default_config(mode);
    toml::table t;
    try {
        t = toml::parse_file(path.string());
    } catch (const toml::parse_error& e) {
        throw ConfigError(fmt::format("{}:{}:{}: not valid TOML: {}", path.string(), e.source().begin.line, e.source().begin.column,
                                      e.description()));
    }
    const Reader r(t, path.string());
    std::string bundle;
    r.string("app.bundle", bundle);
    if (!bundle.empty()) {
        c.bundle = bundle;
        if (c.bundle.is_relative()) c.bundle = path.parent_path() / c.bundle;
    }
    r.choice<Mode>("app.mode", c.mode, {{"desk", Mode::Desk}, {"kiosk", Mode::Kiosk}, {"wall", Mode::Wall}});
    r.choice<std::string>("app.language", c.language, {{"zh-CN", "zh-CN"}, {"en", "en"}});
    r.choice<Theme>("app.theme", c.theme, {{"light", Theme::Light}, {"dark", Theme::Dark}, {"high-contrast", Theme::HighContrast}});
    r.string("app.home_region", c.home_region);
    r.string("app.metric", c.metric);
    r.string("app.period", c.period);
    r.number("app.pg_poll_s", c.pg_poll_s, 0.1, 3600);
    if (const auto* n = r.node("screen.monitor")) {
        if (n->is_integer() && n->as_integer()->get() >= 1) {
            c.monitor = std::to_string(n->as_integer()->get());
        } else if (n->is_string() && (n->as_string()->get() == "primary" || n->as_string()->get() == "all")) {
            c.monitor = n->as_string()->get();
        } else {
            r.fail("screen.monitor", "\"primary\", \"all\" or a monitor number from 1", Reader::describe(*n));
        }
    }
    if (const auto* n = r.node("screen.canvas")) {
        const auto* arr = n->as_array();
        std::vector<int> v;
        if (arr) {
            for (const auto& e : *arr) {
                if (e.is_integer()) v.push_back(static_cast<int>(e.as_integer()->get()));
            }
        }
        if (!arr || v.size() != 4 || arr->size() != 4 || v[2] <= 0 || v[3] <= 0) {
            r.fail("screen.canvas", "[x, y, width, height] in pixels with positive size", Reader::describe(*n));
        }
        c.canvas = CanvasRect{v[0], v[1], v[2], v[3]};
    }
    r.boolean("screen.fullscreen", c.fullscreen);
    const char* section = mode == Mode::Wall ? "wall.idle_timeout_s" : "kiosk.idle_timeout_s";
    r.number(section, c.idle_timeout_s, 5, 86400);
    r.number("wall.tour_interval_s", c.tour_interval_s, 2, 3600);
    r.string("kiosk.admin_pin_hash", c.admin_pin_hash);
    if (!c.admin_pin_hash.empty() && c.admin_pin_hash.rfind("pbkdf2-sha256$", 0) != 0) {
        r.fail("kiosk.admin_pin_hash", "a hash made by `onemap pin-hash` (pbkdf2-sha256$…), never the PIN itself", "something else");
    }
    auto path_key = [&](std::string_view key, std::filesystem::path& out) {
        std::string v;
        r.string(key, v);
        if (v.empty()) return;
        out = v;
        if (out.is_relative()) out = path.parent_path() / out;
    };
    path_key("kiosk.household_key", c.household_key);
    path_key("kiosk.lookup_guard", c.lookup_guard);
    r.number("kiosk.card_timeout_s", c.card_timeout_s, 3, 3600);
    r.number("kiosk.screen_diagonal_in", c.screen_diagonal_in, 7, 120);
    r.string("kiosk.speech_command", c.speech_command);
    path_key("health.heartbeat_file", c.heartbeat_file);
    if (c.heartbeat_file.filename() == "off") c.heartbeat_file = "off";
    r.number("health.interval_s", c.heartbeat_interval_s, 1, 3600);
    r.string("health.screen_id", c.screen_id);
    r.number("memory.budget_mib", c.memory_budget_mib, 64, 65536);
    return c;
}

double memory_budget_mib(const AppConfig& c) {
    if (c.memory_budget_mib > 0) return c.memory_budget_mib;
    return 256;
}

std::filesystem::path default_lookup_guard_path() {
    if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg && *xdg) return std::filesystem::path(xdg) / "onemap" / "lookup-guard.db";
    if (const char* home = std::getenv("HOME"); home && *home) return std::filesystem::path(home) / ".local" / "state" / "onemap" / "lookup-guard.db";
    return std::filesystem::path("/var/lib/onemap/lookup-guard.db");
}

std::string hash_pin(std::string_view pin, std::string_view salt, int iterations) {
    return fmt::format("pbkdf2-sha256${}${}${}", iterations, salt, data::pbkdf2_sha256_hex(pin, salt, iterations));
}

bool check_pin(const std::string& stored, std::string_view pin) {
    // pbkdf2-sha256$ITER$SALT$HEX
    const auto a = stored.find('$'), b = stored.find('$', a + 1), c = stored.find('$', b + 1);
    if (a == std::string::npos || b == std::string::npos || c == std::string::npos) return false;
    int iterations = 0;
    try {
        iterations = std::stoi(stored.substr(a + 1, b - a - 1));
    } catch (...) {
        return false;
    }
    if (iterations < 1) return false;
    return hash_pin(pin, std::string_view(stored).substr(b + 1, c - b - 1), iterations) == stored;
}

}  // namespace onemap::app
