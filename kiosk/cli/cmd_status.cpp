// onemap status [--pg URL] [--heartbeat FILE|DIR …]: every screen's last heartbeat (kiosk/service/heartbeat.hpp),
// the stale ones marked. Exit 0 when every screen listed is fresh, 1 when one is stale (or none is
// found), 2 when a source cannot be read.
#include "data/pg/pg.hpp"
#include "data/pg/screen_health.hpp"
#include "kiosk/cli/commands.hpp"
#include "kiosk/service/heartbeat.hpp"

#include <fmt/format.h>

#include <ctime>
#include <fstream>
#include <iterator>
#include <memory>

namespace onemap::app {

void add_status_command(CLI::App& app, ExitCode& exit) {
    struct Args {
        std::string pg, language = "zh-CN";
        std::vector<std::string> files;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = app.add_subcommand("status", "屏幕状态：各屏心跳，失联者标出 / every screen's heartbeat, stale ones marked");
    cmd->add_option("--pg", args->pg, "list the screens that report to this PostgreSQL database (table screen_health)");
    cmd->add_option("--heartbeat", args->files, "heartbeat files, or folders of heartbeat-*.json (default: this user's, of each mode)");
    cmd->add_option("--language", args->language, "zh-CN or en")->check(CLI::IsMember({"zh-CN", "en"}));
    cmd->callback([args, &exit] {
        std::vector<Heartbeat> beats;
        const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
        try {
            if (!args->pg.empty()) {
                data::pg::Connection c = data::pg::Connection::open(args->pg);
                for (const auto& row : data::pg::screen_health(c)) {
                    std::string why;
                    auto b = parse_heartbeat(row.beat_json, why);
                    if (!b) {
                        fmt::print(stderr, "onemap status: {}: screen_health row '{}': {}\n", c.name(), row.screen_id, why);
                        continue;
                    }
                    b->screen = row.screen_id;
                    b->written_unix = now - static_cast<std::int64_t>(row.age_s);  // the server's clock, not the screen's
                    beats.push_back(std::move(*b));
                }
            }
            std::vector<std::filesystem::path> files;
            if (args->pg.empty() && args->files.empty()) {
                for (const char* m : {"desk", "kiosk", "wall"})
                    if (std::filesystem::exists(default_heartbeat_path(m))) files.push_back(default_heartbeat_path(m));
            }
            for (const auto& f : args->files) {
                if (std::filesystem::is_directory(f)) {
                    for (const auto& e : std::filesystem::directory_iterator(f)) {
                        const auto name = e.path().filename().string();
                        if (name.rfind("heartbeat", 0) == 0 && e.path().extension() == ".json") files.push_back(e.path());
                    }
                } else {
                    files.emplace_back(f);
                }
            }
            for (const auto& f : files) {
                std::ifstream in(f);
                if (!in) {
                    fmt::print(stderr, "onemap status: cannot read {}\n", f.string());
                    exit.value = 2;
                    return;
                }
                const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
                std::string why;
                auto b = parse_heartbeat(text, why);
                if (!b) {
                    fmt::print(stderr, "onemap status: {}: {}\n", f.string(), why);
                    exit.value = 2;
                    return;
                }
                beats.push_back(std::move(*b));
            }
        } catch (const std::exception& e) {
            fmt::print(stderr, "onemap status: {}\n", e.what());
            exit.value = 2;
            return;
        }
        if (beats.empty()) {
            fmt::print(stderr, "onemap status: no screen has reported yet ({})\n",
                       args->pg.empty() ? "no heartbeat file found; give --heartbeat FILE or --pg URL" : "table screen_health is empty");
            exit.value = 1;
            return;
        }
        fmt::print("{}", status_table(beats, now, args->language == "en"));
        for (const auto& b : beats)
            if (stale(b, now)) exit.value = 1;
    });
}

}  // namespace onemap::app
