#include "kiosk/gui/speech.hpp"

#include <filesystem>
#include <sstream>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace onemap::app {

namespace {

bool program_installed(const std::string& command) {
    std::istringstream in(command);
    std::string program;
    in >> program;
    if (program.empty()) return false;
    if (program.find('/') != std::string::npos) return ::access(program.c_str(), X_OK) == 0;
    const char* path = std::getenv("PATH");
    std::istringstream dirs(path ? path : "/usr/bin:/bin");
    for (std::string dir; std::getline(dirs, dir, ':');) {
        if (!dir.empty() && ::access((std::filesystem::path(dir) / program).c_str(), X_OK) == 0) return true;
    }
    return false;
}

}  // namespace

Speech::Speech(std::string command) : m_command(std::move(command)), m_available(program_installed(m_command)) {}

Speech::~Speech() { stop(); }

bool Speech::speaking() {
    if (m_pid <= 0) return false;
    if (::waitpid(m_pid, nullptr, WNOHANG) == m_pid) {
        m_pid = -1;
        return false;
    }
    return true;
}

void Speech::say(std::string_view text) {
    stop();
    if (!m_available) return;
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[0], 0);
    const int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (null >= 0) {
        posix_spawn_file_actions_adddup2(&actions, null, 1);
        posix_spawn_file_actions_adddup2(&actions, null, 2);
    }
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);  // its own process group, so stop() ends the shell and the voice
    std::string sh = "/bin/sh", dash_c = "-c", cmd = m_command;
    char* argv[] = {sh.data(), dash_c.data(), cmd.data(), nullptr};
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, "/bin/sh", &actions, &attr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (null >= 0) ::close(null);
    ::close(fds[0]);
    if (rc != 0) {
        ::close(fds[1]);
        return;
    }
    m_pid = pid;
    // The text fits the pipe's buffer; a voice that died early must not take the kiosk with it.
    ::signal(SIGPIPE, SIG_IGN);
    ::fcntl(fds[1], F_SETFL, O_NONBLOCK);
    for (std::size_t done = 0; done < text.size();) {
        const ssize_t n = ::write(fds[1], text.data() + done, text.size() - done);
        if (n <= 0) break;
        done += static_cast<std::size_t>(n);
    }
    ::close(fds[1]);
}

void Speech::stop() {
    if (m_pid <= 0) return;
    ::kill(-m_pid, SIGTERM);
    ::waitpid(m_pid, nullptr, 0);
    m_pid = -1;
}

}  // namespace onemap::app
