// onemap-render: `onemap render` on its own (the launcher, launcher.cpp, runs it). The same command
// as in onemap-full, registered alone, so this program links nothing the render path doesn't use.
#include "kiosk/cli/commands.hpp"

int main(int argc, char** argv) {
    CLI::App app{"onemap 一张图 — 出图 (render a map to a PNG)"};
    app.require_subcommand(1);
    onemap::app::ExitCode exit;
    onemap::app::add_render_command(app, exit);
    return onemap::app::run_command_line(app, exit, argc, argv);
}
