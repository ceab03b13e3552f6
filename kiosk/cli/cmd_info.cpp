#include "data/bundle/bundle.hpp"
#include "data/bundle/info.hpp"
#include "kiosk/cli/commands.hpp"

#include <fmt/format.h>

#include <memory>

namespace onemap::app {

void add_info_command(CLI::App& app, ExitCode& exit) {
    struct Args {
        std::string file;
        bool json = false;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = app.add_subcommand("info", "数据包概况 / what a bundle holds (read-only)");
    cmd->add_option("file", args->file, "bundle file (.gpkg)")->required();
    cmd->add_flag("--json", args->json, "machine-readable output");
    cmd->callback([args, &exit] {
        try {
            const data::BundleInfo info = data::read_info(args->file);
            fmt::print("{}\n", args->json ? data::to_json(info) : data::to_text(info));
        } catch (const data::BundleError& e) {
            fmt::print(stderr, "onemap info: {}\n", e.what());
            exit.value = 2;
        }
    });
}

}  // namespace onemap::app
