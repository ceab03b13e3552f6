// onemap sync --from URL|PATH --bundle F: bring a kiosk's bundle up to a published snapshot
// (data/bundle/snapshot_sync.hpp). Exit codes: 0 updated or already up to date; 3 the snapshot could not be
// fetched; 4 it was fetched but refused (manifest, size, hash, not a bundle, newer schema, damaged);
// 5 F's folder cannot be written. In every failure F is left as it was.
#include "data/bundle/snapshot_sync.hpp"
#include "kiosk/cli/commands.hpp"
#include "kiosk/cli/progress.hpp"

#include <fmt/format.h>

#include <memory>

namespace onemap::app {

namespace {
int exit_code(data::SyncFailure f) {
    switch (f) {
        case data::SyncFailure::Fetch: return 3;
        case data::SyncFailure::Refused: return 4;
        case data::SyncFailure::Local: return 5;
    }
    return 1;
}
}  // namespace

void add_sync_command(CLI::App& app, ExitCode& exit) {
    struct Args {
        std::string from, bundle;
        bool no_quick_check = false;
        int connect_timeout = 20, stall_timeout = 60;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = app.add_subcommand("sync", "同步快照 / fetch a newer published snapshot and swap it in atomically (a running kiosk picks it up)");
    cmd->add_option("--from", args->from, "the snapshot: a path or http(s):// URL of the bundle; its manifest is FROM.manifest.json")->required();
    cmd->add_option("--bundle", args->bundle, "the bundle to bring up to date (created when absent)")->required();
    cmd->add_flag("--no-quick-check", args->no_quick_check, "skip SQLite's quick_check of the download (size and SHA-256 are always checked)");
    cmd->add_option("--connect-timeout", args->connect_timeout, "HTTP: seconds to wait for a connection")->capture_default_str();
    cmd->add_option("--stall-timeout", args->stall_timeout, "HTTP: give up when nothing arrived for this many seconds")->capture_default_str();
    cmd->footer("Exit codes: 0 updated or up to date; 3 cannot fetch; 4 snapshot refused; 5 cannot write the bundle's folder. "
                "The bundle is never left half-written.");
    cmd->callback([args, &exit] {
        data::SyncOptions opt;
        opt.from = args->from;
        opt.bundle = args->bundle;
        opt.quick_check = !args->no_quick_check;
        opt.connect_timeout_s = args->connect_timeout;
        opt.stall_timeout_s = args->stall_timeout;
        ProgressLine progress("下载 download (bytes)");
        const auto tick = progress.callback();
        if (tick) opt.progress = [&tick](std::uint64_t done, std::uint64_t total) { tick(static_cast<std::int64_t>(done), static_cast<std::int64_t>(total)); };
        try {
            const data::SyncResult r = data::sync_snapshot(opt);
            progress.finish();
            if (r.outcome == data::SyncOutcome::UpToDate) {
                fmt::print("{}: up to date (sha256 {}, created {})\n", args->bundle, r.manifest.sha256.substr(0, 16), r.manifest.created);
            } else {
                fmt::print("{}: updated to sha256 {} (created {}; {:.1f} MiB fetched in {:.1f} s, verified in {:.1f} s)\n", args->bundle,
                           r.manifest.sha256.substr(0, 16), r.manifest.created, static_cast<double>(r.bytes) / 1048576.0, r.seconds_fetch,
                           r.seconds_verify);
            }
        } catch (const data::SyncError& e) {
            progress.finish();
            fmt::print(stderr, "onemap sync: {}; {} unchanged\n", e.what(), args->bundle);
            exit.value = exit_code(e.failure());
        } catch (const std::exception& e) {
            progress.finish();
            fmt::print(stderr, "onemap sync: {}; {} unchanged\n", e.what(), args->bundle);
            exit.value = 5;
        }
    });
}

}  // namespace onemap::app
