#pragma once
// `onemap kiosk|wall|desk --supervised`: a keeper for machines without systemd (kiosk/service/).
// This process stays small and starts the screen as a child (the same program and arguments, less
// --supervised); when the child dies (a crash, SIGKILL, the OOM killer) it is started again at once,
// and when it stops pinging (a hung frame loop: no ping for watchdog_s) it is killed (SIGABRT, then
// SIGKILL) and started again. A child that ends with status 0 (an administrator left the kiosk) ends
// the supervisor too; SIGTERM/SIGINT to the supervisor stop the child and then the supervisor.
// A child that keeps dying within 10 s of its start is started again after a growing pause (up to
// 10 s), so a broken bundle does not spin a core. Every start and end goes to stderr, one line each.
//
// Pings come down a pipe whose number the child finds in ONEMAP_SUPERVISOR_FD (kiosk/service/service.hpp).
#include <string>
#include <vector>

namespace onemap::app {

struct SupervisorOptions {
    std::vector<std::string> args;   // argv of the child, argv[0] first
    std::string name = "screen";     // for messages: kiosk | wall | desk
    double watchdog_s = 30;          // no ping this long: hung
    double startup_s = 120;          // the first ping may take this long (a scene built from scratch)
};

// Runs until the child ends on purpose or a stop signal; returns the exit status for the supervisor.
int run_supervisor(const SupervisorOptions& options);

// This process's own arguments (from /proc/self/cmdline) without `drop`.
std::vector<std::string> own_arguments_without(const std::string& drop);

}  // namespace onemap::app
