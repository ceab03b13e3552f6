// The supervisor of `--supervised` (kiosk/service/supervisor.hpp).
#include "kiosk/service/supervisor.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fstream>
#include <iterator>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace onemap::app {

namespace {

int g_signal_pipe[2] = {-1, -1};

void on_stop_signal(int sig) {
    const char c = static_cast<char>(sig);
    [[maybe_unused]] const auto n = ::write(g_signal_pipe[1], &c, 1);
}

double now_s() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

std::string describe(int status) {
    if (WIFSIGNALED(status)) return fmt::format("was killed by signal {} ({})", WTERMSIG(status), ::strsignal(WTERMSIG(status)));
    if (WIFEXITED(status)) return fmt::format("exited with status {}", WEXITSTATUS(status));
    return "ended";
}

pid_t start_child(const SupervisorOptions& o, int& read_end) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (pid == 0) {
        ::close(p[0]);
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // a supervisor killed outright takes its screen with it
        if (::getppid() == 1) ::_exit(127);  // …or was already gone
        const int fd = ::fcntl(p[1], F_DUPFD, 10);  // not close-on-exec
        ::setenv("ONEMAP_SUPERVISOR_FD", std::to_string(fd).c_str(), 1);
        ::setenv("ONEMAP_SUPERVISOR_WATCHDOG_S", fmt::format("{}", o.watchdog_s).c_str(), 1);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        std::signal(SIGTERM, SIG_DFL);
        std::signal(SIGINT, SIG_DFL);
        std::signal(SIGHUP, SIG_DFL);
        std::vector<char*> argv;
        for (const auto& a : o.args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        ::execv("/proc/self/exe", argv.data());
        std::fprintf(stderr, "onemap supervisor: cannot start %s: %s\n", o.args[0].c_str(), std::strerror(errno));
        ::_exit(127);
    }
    ::close(p[1]);
    ::fcntl(p[0], F_SETFL, O_NONBLOCK);
    read_end = p[0];
    return pid;
}

}  // namespace

std::vector<std::string> own_arguments_without(const std::string& drop) {
    std::ifstream in("/proc/self/cmdline", std::ios::binary);
    const std::string all{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    std::vector<std::string> out;
    for (std::size_t i = 0; i < all.size();) {
        const std::size_t end = all.find('\0', i);
        std::string a = all.substr(i, end == std::string::npos ? std::string::npos : end - i);
        if (a != drop) out.push_back(std::move(a));
        if (end == std::string::npos) break;
        i = end + 1;
    }
    return out;
}

int run_supervisor(const SupervisorOptions& o) {
    if (::pipe2(g_signal_pipe, O_CLOEXEC | O_NONBLOCK) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    for (int sig : {SIGTERM, SIGINT, SIGHUP}) ::sigaction(sig, &sa, nullptr);

    int starts = 0, quick = 0;
    for (;;) {
        int pings = -1;
        const pid_t child = start_child(o, pings);
        ++starts;
        const double started = now_s();
        double last_ping = started;
        bool ready = false, hung = false;
        fmt::print(stderr, "onemap supervisor: {} started (pid {}, start {})\n", o.name, child, starts);
        int status = 0;
        for (;;) {
            pollfd fds[2] = {{pings, POLLIN, 0}, {g_signal_pipe[0], POLLIN, 0}};
            ::poll(fds, 2, 250);
            char buf[256];
            ssize_t n = 0;
            while ((n = ::read(pings, buf, sizeof buf)) > 0) {
                for (ssize_t i = 0; i < n; ++i) {
                    if (buf[i] == 'R' && !ready) {
                        ready = true;
                        fmt::print(stderr, "onemap supervisor: {} ready (pid {}, {:.1f} s after its start)\n", o.name, child, now_s() - started);
                    }
                }
                last_ping = now_s();
            }
            char sig = 0;
            if (::read(g_signal_pipe[0], &sig, 1) == 1) {
                fmt::print(stderr, "onemap supervisor: stopping the {} (signal {})\n", o.name, static_cast<int>(sig));
                ::kill(child, SIGTERM);
                for (int i = 0; i < 100 && ::waitpid(child, &status, WNOHANG) == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
                if (::waitpid(child, &status, WNOHANG) == 0) {
                    ::kill(child, SIGKILL);
                    ::waitpid(child, &status, 0);
                }
                ::close(pings);
                return 0;
            }
            if (::waitpid(child, &status, WNOHANG) == child) break;
            const double quiet = now_s() - last_ping;
            if (!hung && ((ready && quiet > o.watchdog_s) || (!ready && quiet > o.startup_s))) {
                hung = true;
                fmt::print(stderr, "onemap supervisor: the {} (pid {}) sent no ping for {:.0f} s: hung; killing it\n", o.name, child, quiet);
                ::kill(child, SIGABRT);
                for (int i = 0; i < 50 && ::waitpid(child, &status, WNOHANG) == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
                if (::waitpid(child, &status, WNOHANG) == child) break;
                ::kill(child, SIGKILL);
                ::waitpid(child, &status, 0);
                break;
            }
        }
        ::close(pings);
        const double ran = now_s() - started;
        if (!hung && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
            fmt::print(stderr, "onemap supervisor: the {} ended (status 0) after {:.0f} s; done\n", o.name, ran);
            return 0;
        }
        // A crash after a good run restarts at once; crashes in a row within 10 s of a start wait
        // 0.5, 1, 2 … 10 s.
        quick = ran < 10 ? quick + 1 : 0;
        const double pause = quick <= 1 ? 0.0 : std::min(10.0, 0.5 * static_cast<double>(1 << std::min(quick - 2, 5)));
        fmt::print(stderr, "onemap supervisor: the {} (pid {}) {} after {:.0f} s; starting it again{}\n", o.name, child, hung ? "hung" : describe(status),
                   ran, pause > 0 ? fmt::format(" in {:.1f} s", pause) : std::string());
        if (pause > 0) {
            pollfd fd{g_signal_pipe[0], POLLIN, 0};
            if (::poll(&fd, 1, static_cast<int>(pause * 1000)) > 0) return 0;
        }
    }
}

}  // namespace onemap::app
