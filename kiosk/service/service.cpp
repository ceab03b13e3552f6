// Stop signals, systemd notification and the supervisor's pings (kiosk/service/service.hpp).
#include "kiosk/service/service.hpp"

#include <systemd/sd-daemon.h>

#include <chrono>
#include <cstdlib>
#include <string>

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

namespace onemap::app {

namespace {
sigset_t stop_set() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    return set;
}

double monotonic_s() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }
}  // namespace

StopSignals::StopSignals(std::function<void()> wake) : m_wake(std::move(wake)) {
    const sigset_t set = stop_set();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    m_thread = std::thread([this, set] {
        const timespec half{0, 200'000'000};
        while (!m_quit.load()) {
            const int sig = sigtimedwait(&set, nullptr, &half);
            if (sig <= 0) continue;
            m_signal.store(sig);
            if (m_wake) m_wake();
        }
    });
}

void StopSignals::finish() {
    m_quit.store(true);
    if (m_thread.joinable()) m_thread.join();
    // Still blocked: a signal that comes during shutdown ends nothing half-way; the process exits next.
}

StopSignals::~StopSignals() { finish(); }

ServiceNotify::ServiceNotify() {
    m_systemd = std::getenv("NOTIFY_SOCKET") != nullptr;
    std::uint64_t usec = 0;
    if (m_systemd && sd_watchdog_enabled(0, &usec) > 0 && usec > 0) m_max_sleep_s = std::min(10.0, static_cast<double>(usec) / 1e6 / 3);
    if (const char* fd = std::getenv("ONEMAP_SUPERVISOR_FD")) {
        m_pipe = std::atoi(fd);
        if (m_pipe <= 2 || ::fcntl(m_pipe, F_GETFD) < 0) m_pipe = -1;
        if (m_pipe >= 0) ::fcntl(m_pipe, F_SETFD, FD_CLOEXEC);
        if (const char* s = std::getenv("ONEMAP_SUPERVISOR_WATCHDOG_S")) m_max_sleep_s = std::min(m_max_sleep_s, std::max(0.5, std::atof(s) / 3));
        ::unsetenv("ONEMAP_SUPERVISOR_FD");  // not for the programs this one starts (speech)
    }
}

void ServiceNotify::ready(const std::string& status) {
    if (m_systemd) sd_notifyf(0, "READY=1\nSTATUS=%s", status.c_str());
    if (m_pipe >= 0) {
        const char r = 'R';
        [[maybe_unused]] const auto n = ::write(m_pipe, &r, 1);
    }
    m_last_ping = monotonic_s();
}

void ServiceNotify::alive() {
    const double now = monotonic_s();
    if (m_last_ping >= 0 && now - m_last_ping < 1.0) return;
    m_last_ping = now;
    if (m_systemd) sd_notify(0, "WATCHDOG=1");
    if (m_pipe >= 0) {
        const char p = 'P';
        [[maybe_unused]] const auto n = ::write(m_pipe, &p, 1);  // non-blocking: a full pipe is a supervisor behind, not us
    }
}

void ServiceNotify::stopping() {
    if (m_systemd) sd_notify(0, "STOPPING=1");
    if (m_pipe >= 0) {
        const char s = 'S';
        [[maybe_unused]] const auto n = ::write(m_pipe, &s, 1);
    }
}

bool forbid_core_dumps() { return ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0; }

}  // namespace onemap::app
