// onemap (一张图): Henan's action plan for raising the income of people lifted out of poverty, on one map.
#include "kiosk/cli/commands.hpp"

int main(int argc, char** argv) {
    CLI::App app{"onemap 一张图 — 河南省脱贫人口增收行动的一张图 (income of people lifted out of poverty, on one map)"};
    app.set_version_flag("--version", "onemap 0.1.0");
    app.require_subcommand(1);
    onemap::app::ExitCode exit;
    onemap::app::add_demo_command(app, exit);
    onemap::app::add_info_command(app, exit);
    onemap::app::add_repair_command(app, exit);
    onemap::app::add_guard_command(app, exit);
    onemap::app::add_status_command(app, exit);
    onemap::app::add_import_command(app, exit);
    onemap::app::add_keygen_command(app, exit);
    onemap::app::add_export_command(app, exit);
    onemap::app::add_gui_commands(app, exit);
    onemap::app::add_prepare_command(app, exit);
    onemap::app::add_render_command(app, exit);
    onemap::app::add_check_command(app, exit);
    onemap::app::add_monitor_command(app, exit);
    onemap::app::add_alerts_command(app, exit);
    onemap::app::add_bench_command(app, exit);
    onemap::app::add_serve_db_command(app, exit);
    onemap::app::add_publish_command(app, exit);
    onemap::app::add_manifest_command(app, exit);
    onemap::app::add_sync_command(app, exit);
    return onemap::app::run_command_line(app, exit, argc, argv);
}
