#pragma once
// The E2E tests' driver (tests/e2e/test_gui.cpp, test_gui_pg.cpp): the real onemap program started in
// a real window (Xvfb), real input events through xdotool, its state file read back as JSON text.
#include "tests/e2e/state_file.hpp"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

fs::path work_dir() {
    static const fs::path dir = [] {
        auto d = fs::temp_directory_path() / ("onemap-e2e-" + std::to_string(::getpid()));
        fs::create_directories(d);
        return d;
    }();
    return dir;
}

bool have_display() { return std::getenv("DISPLAY") != nullptr && std::system("xdotool getdisplaygeometry >/dev/null 2>&1") == 0; }

void xdo(const std::string& args) {
    const std::string cmd = "xdotool " + args + " >/dev/null 2>&1";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

using onemap::test::State;

class App {
public:
    App(const std::vector<std::string>& args, const fs::path& state) : m_state(state) {
        fs::remove(state);
        m_pid = ::fork();
        if (m_pid == 0) {
            std::vector<std::string> all{ONEMAP_BINARY};
            all.insert(all.end(), args.begin(), args.end());
            all.push_back("--state-file");
            all.push_back(state.string());
            std::vector<char*> argv;
            for (auto& a : all) argv.push_back(a.data());
            argv.push_back(nullptr);
            const int null = ::open("/dev/null", O_WRONLY);
            ::dup2(null, 1);
            ::execv(ONEMAP_BINARY, argv.data());
            ::_exit(127);
        }
    }
    ~App() {
        if (alive()) {
            ::kill(m_pid, SIGKILL);
            ::waitpid(m_pid, nullptr, 0);
        }
    }
    bool alive() {
        if (m_exited) return false;
        int status = 0;
        if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
            m_exited = true;
            m_status = status;
            return false;
        }
        return true;
    }
    int exit_code() const { return WIFEXITED(m_status) ? WEXITSTATUS(m_status) : -1; }
    State state() const { return {slurp(m_state)}; }
    // The state once the screen has settled (a window that just appeared is laid out over two frames).
    State settled() const {
        std::this_thread::sleep_for(500ms);
        return state();
    }
    // Wait until `ok(state)` holds (or time runs out); returns the last state seen.
    State wait_for(const std::function<bool(const State&)>& ok, std::chrono::seconds limit = 60s) {
        const auto end = std::chrono::steady_clock::now() + limit;
        State s;
        while (std::chrono::steady_clock::now() < end) {
            if (fs::exists(m_state)) {
                s = state();
                if (!s.json.empty() && ok(s)) return s;
            }
            if (!alive()) break;
            std::this_thread::sleep_for(100ms);
        }
        return s;
    }
    std::string window_id() {
        for (int i = 0; i < 50; ++i) {
            const auto out = work_dir() / "wid.txt";
            std::system(("xdotool search --pid " + std::to_string(m_pid) + " > " + out.string() + " 2>/dev/null").c_str());
            std::string id = slurp(out);
            if (!id.empty()) return id.substr(0, id.find('\n'));
            std::this_thread::sleep_for(100ms);
        }
        return {};
    }
    pid_t pid() const { return m_pid; }

private:
    fs::path m_state;
    pid_t m_pid = -1;
    bool m_exited = false;
    int m_status = 0;
};

// The region the camera shows (camera_target, at rest) lies in the part of the window the panels
// leave to the map, with its middle at that part's middle: no panel hides any of it.
[[maybe_unused]] void expect_view_in_map_area(const State& s) {
    const auto area = s.rect("map_area"), view = s.rect("view_rect");
    ASSERT_TRUE(area && view) << s.json;
    ASSERT_TRUE(s.view_at_rest()) << "the view never came to rest: " << s.json;
    const auto [ax, ay, aw, ah] = *area;
    const auto [vx, vy, vw, vh] = *view;
    EXPECT_GE(vx, ax - 1) << s.json;
    EXPECT_GE(vy, ay - 1) << s.json;
    EXPECT_LE(vx + vw, ax + aw + 1) << s.json;
    EXPECT_LE(vy + vh, ay + ah + 1) << s.json;
    EXPECT_NEAR(vx + vw / 2, ax + aw / 2, 2) << s.json;
    EXPECT_NEAR(vy + vh / 2, ay + ah / 2, 2) << s.json;
}

void click(double x, double y) {
    xdo("mousemove " + std::to_string(static_cast<int>(x)) + " " + std::to_string(static_cast<int>(y)));
    std::this_thread::sleep_for(150ms);
    xdo("click 1");
}

void click_widget(const State& s, const std::string& name) {
    const auto r = s.widget(name);
    ASSERT_TRUE(r.has_value()) << "no widget " << name << " in " << s.json;
    click((*r)[0] + (*r)[2] / 2, (*r)[1] + (*r)[3] / 2);
}

#define NEED_DISPLAY() \
    if (!have_display()) GTEST_SKIP() << "no X display with xdotool (run under xvfb-run, as scripts/test does)"

}  // namespace
