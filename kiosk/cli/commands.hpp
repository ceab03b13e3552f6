#pragma once
// The `onemap` sub-commands. Each add_*_command registers itself on the CLI11 app and returns
// nothing; the command's work runs from the callback, which sets the exit code.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

namespace onemap::app {

struct ExitCode {
    int value = 0;
};

void add_demo_command(CLI::App& app, ExitCode& exit);
void add_info_command(CLI::App& app, ExitCode& exit);
void add_import_command(CLI::App& app, ExitCode& exit);
void add_keygen_command(CLI::App& app, ExitCode& exit);
void add_export_command(CLI::App& app, ExitCode& exit);
void add_gui_commands(CLI::App& app, ExitCode& exit);  // desk, kiosk, wall
void add_prepare_command(CLI::App& app, ExitCode& exit);  // build the render cache
void add_render_command(CLI::App& app, ExitCode& exit);   // map → PNG, offscreen
void add_check_command(CLI::App& app, ExitCode& exit);    // kiosk/cli/cmd_check.cpp
void add_monitor_command(CLI::App& app, ExitCode& exit);  // kiosk/cli/cmd_alerts.cpp
void add_alerts_command(CLI::App& app, ExitCode& exit);   // kiosk/cli/cmd_alerts.cpp
void add_bench_command(CLI::App& app, ExitCode& exit);    // bench render
void add_serve_db_command(CLI::App& app, ExitCode& exit); // kiosk/cli/cmd_pg.cpp: PostgreSQL schema, roles, load
void add_publish_command(CLI::App& app, ExitCode& exit);  // kiosk/cli/cmd_pg.cpp: PostgreSQL → kiosk bundle
void add_manifest_command(CLI::App& app, ExitCode& exit); // kiosk/cli/cmd_manifest.cpp: snapshot manifest
void add_sync_command(CLI::App& app, ExitCode& exit);     // kiosk/cli/cmd_sync.cpp: fetch and swap in a snapshot
void add_repair_command(CLI::App& app, ExitCode& exit);   // kiosk/cli/cmd_repair.cpp: roll back an interrupted write
void add_guard_command(CLI::App& app, ExitCode& exit);    // kiosk/cli/cmd_guard.cpp: make or show the kiosk look-up guard
void add_status_command(CLI::App& app, ExitCode& exit);   // kiosk/cli/cmd_status.cpp: every screen's heartbeat, stale ones marked

// Parse the command line and run the chosen command's callback: its exit code, CLI11's for a bad or
// help command line, 1 with one line on stderr for anything else thrown. (main.cpp, main_render.cpp)
inline int run_command_line(CLI::App& app, const ExitCode& exit, int argc, char** argv) {
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "onemap: %s\n", e.what());
        return 1;
    }
    return exit.value;
}

}  // namespace onemap::app
