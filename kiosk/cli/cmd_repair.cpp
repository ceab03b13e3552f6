// `onemap repair`: what a killed writer left beside a bundle, put right under the writer lock — a hot
// journal rolled back into the file it belongs to, working copies of dead imports removed — then
// SQLite's quick_check over every page.
#include "data/bundle/bundle.hpp"
#include "data/bundle/writer_lock.hpp"
#include "kiosk/cli/commands.hpp"

#include <fmt/format.h>

#include <memory>

namespace onemap::app {

void add_repair_command(CLI::App& app, ExitCode& exit) {
    auto bundle = std::make_shared<std::string>();
    CLI::App* cmd = app.add_subcommand("repair", "修复中断的写入 / roll back what a killed program left half-written in a bundle");
    cmd->add_option("--bundle", *bundle, "bundle file (.gpkg)")->required();
    cmd->callback([bundle, &exit] {
        try {
            const data::WriterLock lock = data::WriterLock::acquire(*bundle);
            const bool rolled_back = data::recover_interrupted_write(*bundle);
            const int removed = data::remove_stale_work_copies(*bundle);
            const std::string check = data::Bundle::open(*bundle, data::OpenMode::ReadOnly).quick_check();
            if (rolled_back) fmt::print("{}: rolled back an interrupted write ({} removed)\n", *bundle, data::journal_path(*bundle).string());
            if (removed > 0) fmt::print("{}: removed {} working cop{} of killed imports\n", *bundle, removed, removed == 1 ? "y" : "ies");
            if (check != "ok") {
                fmt::print(stderr, "onemap repair: {}: still damaged (quick_check: {}); restore it from a snapshot (`onemap sync`) or a backup\n",
                           *bundle, check);
                exit.value = 2;
                return;
            }
            if (!rolled_back && removed == 0) fmt::print("{}: nothing to repair; quick_check ok\n", *bundle);
            else fmt::print("{}: quick_check ok\n", *bundle);
        } catch (const data::BundleError& e) {
            fmt::print(stderr, "onemap repair: {}\n", e.what());
            exit.value = 2;
        }
    });
}

}  // namespace onemap::app
