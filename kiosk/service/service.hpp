#pragma once
// Running unattended (kiosk/service/): how a screen program talks to what keeps it running.
//
//   StopSignals   SIGTERM/SIGINT/SIGHUP end the frame loop cleanly (systemd's stop, Ctrl+C), on a
//                 thread of their own that wakes the loop; made before any other thread.
//   ServiceNotify systemd's notify socket (sd_notify from libsystemd): READY=1 after the first frame,
//                 WATCHDOG=1 from the frame loop, STOPPING=1; and, under `--supervised`, the same
//                 pings down a pipe to the supervisor (kiosk/service/supervisor.hpp).
//
// The frame loop calls alive() at least every few seconds (it never sleeps longer than
// ServiceNotify::max_sleep_s()); a loop that hangs stops pinging, and systemd (WatchdogSec=) or the
// supervisor kills and restarts the program.
#include <atomic>
#include <functional>
#include <string>
#include <thread>

namespace onemap::app {

class StopSignals {
public:
    // Blocks the signals in this thread (and so in every thread made after it) and waits for them on
    // its own; `wake` runs there once one came (glfwPostEmptyEvent: the loop looks at requested()).
    explicit StopSignals(std::function<void()> wake = {});
    ~StopSignals();
    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;
    bool requested() const { return m_signal.load() != 0; }
    int signal() const { return m_signal.load(); }
    // No more waking (before what `wake` uses goes away: glfwTerminate); the signals stay blocked.
    void finish();

private:
    std::atomic<int> m_signal{0};
    std::atomic<bool> m_quit{false};
    std::function<void()> m_wake;
    std::thread m_thread;
};

class ServiceNotify {
public:
    ServiceNotify();  // reads NOTIFY_SOCKET / WATCHDOG_USEC and ONEMAP_SUPERVISOR_FD from the environment
    void ready(const std::string& status);
    void alive();     // at most one ping per second reaches systemd or the supervisor
    void stopping();
    // The longest the frame loop may sleep between two alive() calls (a third of the watchdog's
    // interval, at most 10 s).
    double max_sleep_s() const { return m_max_sleep_s; }
    bool supervised() const { return m_pipe >= 0; }
    bool systemd() const { return m_systemd; }

private:
    bool m_systemd = false;
    int m_pipe = -1;
    double m_max_sleep_s = 10;
    double m_last_ping = -1;
};

// Kiosk: no core dump and no ptrace of this process by its own user (prctl PR_SET_DUMPABLE 0), for
// its whole life — it holds the household key in memory from start to end, not only while a card
// shows. Returns false if the kernel refused.
bool forbid_core_dumps();

}  // namespace onemap::app
