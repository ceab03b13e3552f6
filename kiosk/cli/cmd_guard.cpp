// `onemap guard`: the kiosk's look-up guard, for the administrator. A kiosk on real households does not
// make a missing guard itself (deleting the file would reset every counter), so installing a kiosk,
// or putting one right after someone deleted its guard, is `onemap guard init`. `status` shows the
// counters: how many households are locked, the keypad pause, the attempts on record — never a hash.
#include "data/household/lookup_guard.hpp"
#include "kiosk/cli/commands.hpp"
#include "kiosk/session/config.hpp"

#include <fmt/format.h>

#include <memory>

namespace onemap::app {

void add_guard_command(CLI::App& app, ExitCode& exit) {
    auto path = std::make_shared<std::string>();
    CLI::App* cmd = app.add_subcommand("guard", "查询保护 / the kiosk look-up guard: make it (init) or show its counters (status)");
    cmd->require_subcommand(1);
    const std::string where = fmt::format("guard file (default {})", default_lookup_guard_path().string());
    CLI::App* init = cmd->add_subcommand("init", "make the guard file a kiosk on real households needs before it offers the look-up");
    init->add_option("--guard", *path, where);
    CLI::App* status = cmd->add_subcommand("status", "locked households, the keypad pause and the attempts on record");
    status->add_option("--guard", *path, where);
    init->callback([path, &exit] {
        const std::filesystem::path p = path->empty() ? default_lookup_guard_path() : std::filesystem::path(*path);
        try {
            if (data::LookupGuard::exists(p)) {
                fmt::print("{}: the guard is already there; its counters are kept\n", p.string());
                return;
            }
            std::error_code ec;
            if (std::filesystem::exists(p, ec)) {
                fmt::print(stderr, "onemap guard init: {}: a file that is not a look-up guard is in the way; move it aside first\n", p.string());
                exit.value = 2;
                return;
            }
            data::LookupGuard::open(p);
            fmt::print("{}: look-up guard made (mode 0600); kiosks using it offer the look-up from their next start\n", p.string());
        } catch (const data::GuardError& e) {
            fmt::print(stderr, "onemap guard init: {}\n", e.what());
            exit.value = 2;
        }
    });
    status->callback([path, &exit] {
        const std::filesystem::path p = path->empty() ? default_lookup_guard_path() : std::filesystem::path(*path);
        if (!data::LookupGuard::exists(p)) {
            fmt::print(stderr, "onemap guard status: {}: no look-up guard; make one with `onemap guard init --guard {}`\n", p.string(), p.string());
            exit.value = 2;
            return;
        }
        try {
            const data::LookupGuard g = data::LookupGuard::open(p, data::system_wall_clock(), {}, data::system_boot_clock());
            const auto s = g.summary();
            fmt::print("{}\n  households locked now: {}\n  households with wrong tries counted: {}\n  keypad paused: {}\n  attempts on record: {}\n",
                       p.string(), s.locked, s.counting, s.paused_for > 0 ? fmt::format("{:.0f} s more", s.paused_for) : std::string("no"),
                       s.attempts);
        } catch (const data::GuardError& e) {
            fmt::print(stderr, "onemap guard status: {}\n", e.what());
            exit.value = 2;
        }
    });
}

}  // namespace onemap::app
