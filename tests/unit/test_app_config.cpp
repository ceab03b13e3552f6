#include "fixtures.hpp"
#include "kiosk/session/app_state.hpp"
#include "kiosk/session/config.hpp"
#include "kiosk/session/strings.hpp"

#include <gtest/gtest.h>

#include <fstream>

using namespace onemap;
using namespace onemap::app;

namespace {
std::filesystem::path write_toml(const std::string& name, const std::string& text) {
    const auto p = test::temp_dir() / name;
    std::ofstream(p) << text;
    return p;
}

std::string error_of(const std::filesystem::path& p, Mode mode = Mode::Desk) {
    try {
        load_config(p, mode);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return {};
}
}  // namespace

TEST(Config, ModeDefaultsDiffer) {
    EXPECT_FALSE(default_config(Mode::Desk).fullscreen);
    EXPECT_TRUE(default_config(Mode::Kiosk).fullscreen);
    EXPECT_EQ(default_config(Mode::Kiosk).theme, Theme::Light) << "the kiosk's standard palette; 高对比 is a button";
    EXPECT_EQ(default_config(Mode::Wall).metric, "growth_gap");
}

TEST(Config, ReadsEveryKey) {
    const auto p = write_toml("full.toml", R"(
[app]
bundle = "demo.gpkg"
language = "en"
theme = "dark"
home_region = "410225"
metric = "growth_gap"
period = "2024"
pg_poll_s = 0.5
[screen]
monitor = 2
canvas = [0, 0, 7680, 2160]
fullscreen = true
[kiosk]
idle_timeout_s = 45
[wall]
tour_interval_s = 12
)");
    const AppConfig c = load_config(p, Mode::Kiosk);
    EXPECT_EQ(c.bundle, test::temp_dir() / "demo.gpkg") << "relative to the config file";
    EXPECT_EQ(c.language, "en");
    EXPECT_EQ(c.theme, Theme::Dark);
    EXPECT_EQ(c.home_region, "410225");
    EXPECT_EQ(c.period, "2024");
    EXPECT_EQ(c.monitor, "2");
    ASSERT_TRUE(c.canvas.has_value());
    EXPECT_EQ(c.canvas->w, 7680);
    EXPECT_DOUBLE_EQ(c.idle_timeout_s, 45);
    EXPECT_DOUBLE_EQ(c.tour_interval_s, 12);
    EXPECT_DOUBLE_EQ(c.pg_poll_s, 0.5);
    EXPECT_DOUBLE_EQ(default_config(Mode::Desk).pg_poll_s, 5);
}

TEST(Config, BadValuesNameTheKey) {
    EXPECT_NE(error_of(write_toml("theme.toml", "[app]\ntheme = \"blue\"\n")).find("app.theme"), std::string::npos);
    EXPECT_NE(error_of(write_toml("idle.toml", "[kiosk]\nidle_timeout_s = \"soon\"\n"), Mode::Kiosk).find("kiosk.idle_timeout_s"),
              std::string::npos);
    EXPECT_NE(error_of(write_toml("poll.toml", "[app]\npg_poll_s = 0\n")).find("app.pg_poll_s"), std::string::npos);
    EXPECT_NE(error_of(write_toml("canvas.toml", "[screen]\ncanvas = [1, 2, 3]\n")).find("screen.canvas"), std::string::npos);
    EXPECT_NE(error_of(write_toml("monitor.toml", "[screen]\nmonitor = \"left\"\n")).find("screen.monitor"), std::string::npos);
    EXPECT_NE(error_of(write_toml("pin.toml", "[kiosk]\nadmin_pin_hash = \"1234\"\n"), Mode::Kiosk).find("never the PIN itself"),
              std::string::npos);
    const std::string syntax = error_of(write_toml("syntax.toml", "[app\nmode = desk\n"));
    EXPECT_NE(syntax.find("syntax.toml:1"), std::string::npos) << syntax;
}

TEST(Config, ShippedExamplesLoad) {
    for (const char* f : {"desk.toml", "kiosk.toml", "wall.toml"}) {
        const auto p = std::filesystem::path(ONEMAP_SOURCE_DIR) / "assets/config" / f;
        EXPECT_NO_THROW(load_config(p, *parse_mode(std::string(f).substr(0, std::string(f).find('.'))))) << f;
    }
}

TEST(Config, PinHashChecks) {
    const std::string h = hash_pin("2468", "salt", 1000);
    EXPECT_TRUE(check_pin(h, "2468"));
    EXPECT_FALSE(check_pin(h, "2469"));
    EXPECT_FALSE(check_pin("garbage", "2468"));
    EXPECT_EQ(h.find("2468"), std::string::npos) << "the PIN is not in its hash";
}

TEST(Strings, BothLanguagesHaveTheSameKeys) {
    const Strings zh = Strings::load("zh-CN"), en = Strings::load("en");
    EXPECT_EQ(zh.keys(), en.keys());
    EXPECT_EQ(zh("synthetic_mark"), "演示数据");
    EXPECT_EQ(en("synthetic_mark"), "Demo data");
    EXPECT_EQ(zh("no_such_key"), "no_such_key");
    EXPECT_EQ(Strings::load("fr").language(), "zh-CN") << "unknown languages fall back to Chinese";
}

TEST(AppState, JsonAndAtomicWrite) {
    AppState s;
    s.mode = Mode::Kiosk;
    s.screen = "home";
    s.selected = "410225";
    s.metric = "growth_gap";
    s.synthetic = true;
    const std::string json = to_json(s);
    EXPECT_NE(json.find("\"mode\":\"kiosk\""), std::string::npos);
    EXPECT_NE(json.find("\"selected\":\"410225\""), std::string::npos);
    EXPECT_NE(json.find("\"synthetic\":true"), std::string::npos);
    const auto p = test::temp_dir() / "state.json";
    write_state_file(p, s);
    EXPECT_EQ(test::read_file(p), json + "\n");
    for (const auto& e : std::filesystem::directory_iterator(test::temp_dir())) {
        EXPECT_EQ(e.path().filename().string().find("state.json.tmp"), std::string::npos) << "no temporary left behind";
    }
}

TEST(Cli, PinHashCommandMakesAHashThatChecks) {
    const auto r = test::run_onemap("pin-hash <<< 2468");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto a = r.out.find('"'), b = r.out.rfind('"');
    ASSERT_NE(a, b);
    const std::string hash = r.out.substr(a + 1, b - a - 1);
    EXPECT_TRUE(check_pin(hash, "2468"));
    EXPECT_FALSE(check_pin(hash, "2469"));
    EXPECT_NE(test::run_onemap("pin-hash <<< 12").exit_code, 0) << "too short";
}

// Issue 24: the heartbeat and the memory budget from the config; a bad value is named.
TEST(Config, HealthAndMemoryKeys) {
    const auto p = write_toml("health.toml", "[health]\nheartbeat_file = \"beats/k.json\"\ninterval_s = 5\nscreen_id = \"hall-3\"\n"
                                             "[memory]\nbudget_mib = 300\n");
    const AppConfig c = load_config(p, Mode::Kiosk);
    EXPECT_EQ(c.heartbeat_file, p.parent_path() / "beats/k.json") << "relative to the config";
    EXPECT_EQ(c.heartbeat_interval_s, 5);
    EXPECT_EQ(c.screen_id, "hall-3");
    EXPECT_EQ(memory_budget_mib(c), 300);
    EXPECT_EQ(load_config(write_toml("off.toml", "[health]\nheartbeat_file = \"off\"\n"), Mode::Wall).heartbeat_file, "off");
    EXPECT_EQ(memory_budget_mib(default_config(Mode::Kiosk)), 256);
    EXPECT_EQ(memory_budget_mib(default_config(Mode::Desk)), 256);
    EXPECT_NE(error_of(write_toml("bad-mem.toml", "[memory]\nbudget_mib = 8\n")).find("memory.budget_mib"), std::string::npos);
    EXPECT_NE(error_of(write_toml("bad-beat.toml", "[health]\ninterval_s = \"often\"\n")).find("health.interval_s"), std::string::npos);
}
