// onemap desk|kiosk|wall --bundle F [--config F.toml] [--state-file P]; desk|wall --pg URL [--region CODE]
#include "data/pg/pg.hpp"
#include "data/pg/pg_schema.hpp"
#include "data/household/privacy.hpp"
#include "kiosk/cli/commands.hpp"
#include "kiosk/session/config.hpp"
#include "kiosk/gui/gui_app.hpp"
#include "kiosk/service/supervisor.hpp"
#include "data/scene/map_scene.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <iostream>
#include <memory>

namespace onemap::app {

namespace {
// --pg: the server must answer before a window opens (connect_timeout 10 s): an unreachable server,
// a database without the onemap schema or an unknown --region is a clear message and exit 2.
void check_pg(const std::string& url, const std::string& region) {
    data::pg::Connection c = data::pg::Connection::open(url);
    data::pg::require_schema(c);
    if (!region.empty()) data::pg::region_scope(c, region);
}

void add_mode(CLI::App& app, ExitCode& exit, Mode mode, const char* help) {
    struct Args {
        std::string bundle, config, state_file, export_dir = ".", language, size, perf_file, pg, region, screenshot_dir;
        bool screenshot_half = false, supervised = false;
        double watchdog_s = 30;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = app.add_subcommand(std::string(mode_key(mode)), help);
    cmd->add_option("--bundle", args->bundle, "bundle file (.gpkg); overrides app.bundle of the config");
    if (mode != Mode::Kiosk) {
        cmd->add_option("--pg", args->pg, "read the province's PostgreSQL database live instead (postgresql://…): changes written there "
                                          "appear without a restart (app.pg_poll_s); the reader role shows, the writer role may also move "
                                          "alerts (desk); see README")->excludes("--bundle");
        cmd->add_option("--region", args->region, "with --pg: show only this region, its levels above and below (default: the whole database)");
    }
    cmd->add_option("--config", args->config, "configuration (TOML); see assets/config/")->check(CLI::ExistingFile);
    cmd->add_option("--state-file", args->state_file, "write the program's state as JSON here after every change");
    cmd->add_option("--export-dir", args->export_dir, "folder for exported PNG and CSV files")->capture_default_str();
    cmd->add_option("--language", args->language, "zh-CN or en (overrides the config)")->check(CLI::IsMember({"zh-CN", "en"}));
    cmd->add_option("--size", args->size, "window size WxH (desk)");
    cmd->add_option("--perf-file", args->perf_file, "write frame-time percentiles and memory here every 5 s (soak runs)");
    cmd->add_option("--screenshot-dir", args->screenshot_dir, "write a PNG of the window each time it settles on a screen not shot yet (docs, tests)");
    cmd->add_flag("--screenshot-half", args->screenshot_half, "with --screenshot-dir: at half the window's size");
    cmd->add_flag("--supervised", args->supervised, "keep it running without systemd: restart it when it dies or hangs (see docs/unattended.md)");
    cmd->add_option("--watchdog-s", args->watchdog_s, "with --supervised: a screen that sends no ping this long is hung and restarted")
        ->check(CLI::Range(3.0, 3600.0))->capture_default_str();
    cmd->callback([args, mode, &exit] {
        try {
            GuiOptions opt;
            opt.config = args->config.empty() ? default_config(mode) : load_config(args->config, mode);
            opt.config.mode = mode;
            if (!args->bundle.empty()) opt.config.bundle = args->bundle;
            if (!args->region.empty() && args->pg.empty()) throw ConfigError("--region needs --pg URL");
            if (!args->pg.empty()) {
                check_pg(args->pg, args->region);
                opt.pg_url = args->pg;
                opt.pg_region = args->region;
                opt.config.bundle.clear();
            }
            if (!args->language.empty()) opt.config.language = args->language;
            if (opt.config.bundle.empty() && opt.pg_url.empty()) throw ConfigError("no bundle: give --bundle FILE.gpkg or app.bundle in the config");
            opt.state_file = args->state_file;
            opt.screenshot_dir = args->screenshot_dir;
            opt.screenshot_half = args->screenshot_half;
            opt.export_dir = args->export_dir;
            opt.perf_file = args->perf_file;
            if (!args->size.empty()) {
                const auto x = args->size.find('x');
                if (x == std::string::npos) throw ConfigError("--size: expected WxH, e.g. 1600x1000");
                opt.width = std::stoul(args->size.substr(0, x));
                opt.height = std::stoul(args->size.substr(x + 1));
            }
            if (args->supervised && !std::getenv("ONEMAP_SUPERVISOR_FD")) {
                // The configuration was read above (a bad one ends here, not in a restart loop).
                SupervisorOptions sup;
                sup.args = own_arguments_without("--supervised");
                sup.name = std::string(mode_key(mode));
                sup.watchdog_s = args->watchdog_s;
                exit.value = run_supervisor(sup);
                return;
            }
            exit.value = run_gui(opt);
        } catch (const std::exception& e) {
            fmt::print(stderr, "onemap {}: {}\n", mode_key(mode), e.what());
            exit.value = 2;
        }
    });
}
}  // namespace

void add_pin_hash_command(CLI::App& app, ExitCode& exit) {
    CLI::App* cmd = app.add_subcommand("pin-hash", "管理员密码散列 / hash an admin PIN for kiosk.admin_pin_hash (reads the PIN from standard input)");
    cmd->callback([&exit] {
        std::string pin;
        std::getline(std::cin, pin);
        while (!pin.empty() && (pin.back() == '\r' || pin.back() == ' ')) pin.pop_back();
        if (pin.size() < 4 || pin.find_first_not_of("0123456789") != std::string::npos) {
            fmt::print(stderr, "onemap pin-hash: the PIN must be at least 4 digits (it is typed on the kiosk's keypad)\n");
            exit.value = 2;
            return;
        }
        fmt::print("admin_pin_hash = \"{}\"\n", hash_pin(pin, data::random_hex(8)));
    });
}

void add_gui_commands(CLI::App& app, ExitCode& exit) {
    add_pin_hash_command(app, exit);
    add_mode(app, exit, Mode::Desk, "官员桌面：逐级下钻、指标、图表、检索、导出 / officials' desk: drill down, charts, search, export");
    add_mode(app, exit, Mode::Kiosk, "触摸屏：我的村、政策解读、身边项目 / villagers' touchscreen kiosk");
    add_mode(app, exit, Mode::Wall, "指挥中心大屏：目标、排名、预警、巡览 / command-center wall");
}

}  // namespace onemap::app
