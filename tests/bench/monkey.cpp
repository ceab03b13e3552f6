// Seeded monkey runs (a tool for soak runs and crash hunts; its 60-second smoke cases are tests):
// the real onemap program in a real window (run under Xvfb), driven from a seed by random taps on its
// widgets and on the map, drags, wheel turns, keys, household look-ups with right and wrong second
// factors (kiosk), metric and year changes and searches (desk), and idle gaps long enough for the idle
// reset and the attract loop.
//
//   monkey --mode kiosk|desk|wall [--seconds 60] [--seed N] [--bundle F --credentials F]
//          [--binary B] [--work DIR] [--record F] [--replay F] [--samples F] [--keep-going]
//
// Every action goes to the record file (default WORK/monkey.replay) as it is done, one line each:
// milliseconds since the start, the verb and its screen coordinates, then a note. `--replay F` does
// the same actions at the same times again. A crash (a signal, a non-zero exit, or frames that stop
// for 30 s while input arrives) prints the seed, the last 50 actions and the end of the program's log,
// and exits 1 — or, with --keep-going (soak runs), is counted and the program started again.
// --samples F appends, every 10 s: seconds, RSS (KiB), frames drawn, and the perf file's whole-run
// frame-time percentiles; tests/bench/soak turns those into its table.
//
// The bundle: by default a test-scale demo bundle made in WORK, with three synthetic households whose
// credentials the look-ups use; with --bundle, --credentials names `onemap demo
// --print-sample-households` output for it (no file: look-ups with made-up numbers only).
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/state_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct Options {
    std::string mode = "kiosk";
    double seconds = 60;
    std::uint64_t seed = 1;
    fs::path bundle, credentials, binary, work, record, replay, samples;
    bool keep_going = false;
    std::string self = "monkey";
};

using onemap::test::State;

struct Credential {
    std::string id, factor;
};

std::vector<Credential> read_credentials(const std::string& text) {
    std::vector<Credential> out;
    static const std::regex re("ID ([0-9X]{18})\\s+phone-last-4 ([0-9]{4})");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator(); ++it) out.push_back({(*it)[1], (*it)[2]});
    return out;
}

std::string signal_text(int status) {
    if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status)) + " (" + ::strsignal(WTERMSIG(status)) + ")";
    if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
    return "ended";
}

long rss_kib(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(in, line);)
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    return -1;
}

class Monkey {
public:
    explicit Monkey(Options o) : m_opt(std::move(o)), m_rng(m_opt.seed) {}

    int run();

private:
    // ── the program ──────────────────────────────────────────────────────────────────────────────
    void start_program();
    bool check_program();  // false: it ended (crash reported or, with --keep-going, restarted)
    void stop_program();
    State state() const { return {slurp(m_state)}; }
    State wait_for(const std::function<bool(const State&)>& ok, std::chrono::milliseconds limit);

    // ── actions (each one line in the record) ────────────────────────────────────────────────────
    void act(const std::string& verb, const std::string& args, const std::string& note);
    void tap(int x, int y, const std::string& note) { act("tap", std::to_string(x) + " " + std::to_string(y), note); }
    void tap_widget(const std::array<double, 4>& r, const std::string& note);
    void random_action();
    void lookup();
    void choose_from_combo(const std::string& name);
    void idle_gap();
    void replay();

    // ── reports ──────────────────────────────────────────────────────────────────────────────────
    void sample();
    void report_crash(const std::string& why);
    double elapsed() const { return std::chrono::duration<double>(Clock::now() - m_t0).count(); }
    int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(m_rng); }
    bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(m_rng) < p; }

    Options m_opt;
    std::mt19937_64 m_rng;
    fs::path m_state, m_perf, m_log, m_config;
    std::vector<Credential> m_creds;
    pid_t m_pid = -1;
    Clock::time_point m_t0 = Clock::now(), m_last_gap = Clock::now(), m_last_sample, m_frames_moved = Clock::now();
    long m_last_frames = -1;
    std::ofstream m_record, m_samples;
    std::deque<std::string> m_last;  // the latest 50 actions
    std::map<std::string, int> m_counts;
    std::set<std::string> m_screens;
    int m_crashes = 0, m_restarts = 0;
    long m_actions = 0;
    bool m_failed = false;
    int m_width = 1920, m_height = 1080;
};

void Monkey::start_program() {
    fs::remove(m_state);
    std::vector<std::string> args{m_opt.binary.string(), m_opt.mode, "--bundle", m_opt.bundle.string(), "--config", m_config.string(),
                                  "--state-file", m_state.string(), "--perf-file", m_perf.string()};
    if (m_opt.mode == "desk") {
        args.insert(args.end(), {"--size", std::to_string(m_width) + "x" + std::to_string(m_height), "--export-dir", (m_opt.work / "exports").string()});
        fs::create_directories(m_opt.work / "exports");
    }
    m_pid = ::fork();
    if (m_pid == 0) {
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        const int log = ::open(m_log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        ::dup2(log, 2);
        const int null = ::open("/dev/null", O_WRONLY);
        ::dup2(null, 1);
        ::execv(args[0].c_str(), argv.data());
        ::_exit(127);
    }
    m_last_frames = -1;
    m_frames_moved = Clock::now();
    // The first frame (the window and its map) before any input.
    const State s = wait_for([](const State& st) { return st.num("frames") > 2 && !st.widgets().empty(); }, 120s);
    if (!(s.num("frames") > 2) && check_program()) report_crash("no first frame within 120 s");
}

bool Monkey::check_program() {
    if (m_pid <= 0) return false;
    int status = 0;
    if (::waitpid(m_pid, &status, WNOHANG) != m_pid) return true;
    m_pid = -1;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        // Left on purpose (a kiosk's admin exit): not a crash; start it again.
        act("restart", "", "the program left with status 0");
        ++m_restarts;
        start_program();
        return m_pid > 0;
    }
    report_crash(signal_text(status));
    return false;
}

// SIGTERM, as systemd stops a unit: the program ends its frame loop and exits 0 (under the
// sanitizers, after the leak check). Anything else is a failure of the run.
void Monkey::stop_program() {
    if (m_pid <= 0) return;
    ::kill(m_pid, SIGTERM);
    for (int i = 0; i < 300; ++i) {
        int status = 0;
        if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
            m_pid = -1;
            if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                m_opt.keep_going = false;
                report_crash(signal_text(status) + " when asked to stop (SIGTERM)");
            }
            return;
        }
        std::this_thread::sleep_for(100ms);
    }
    ::kill(m_pid, SIGKILL);
    ::waitpid(m_pid, nullptr, 0);
    m_pid = -1;
    m_opt.keep_going = false;
    report_crash("did not end within 30 s of SIGTERM (killed)");
}

State Monkey::wait_for(const std::function<bool(const State&)>& ok, std::chrono::milliseconds limit) {
    const auto end = Clock::now() + limit;
    State s;
    while (Clock::now() < end) {
        s = state();
        if (!s.json.empty() && ok(s)) return s;
        if (m_pid <= 0) break;
        if (::kill(m_pid, 0) != 0) break;
        std::this_thread::sleep_for(50ms);
    }
    return s;
}

void Monkey::report_crash(const std::string& why) {
    ++m_crashes;
    std::fprintf(stderr, "\nonemap monkey: the %s %s after %ld actions (%.1f s); seed %llu\n", m_opt.mode.c_str(), why.c_str(), m_actions, elapsed(),
                 static_cast<unsigned long long>(m_opt.seed));
    std::fprintf(stderr, "  replay: %s --mode %s --replay %s%s\n", m_opt.self.c_str(), m_opt.mode.c_str(), m_opt.record.c_str(),
                 m_opt.bundle.empty() ? "" : (" --bundle " + m_opt.bundle.string()).c_str());
    std::fprintf(stderr, "  the last %zu actions:\n", m_last.size());
    for (const auto& a : m_last) std::fprintf(stderr, "    %s\n", a.c_str());
    const std::string log = slurp(m_log);
    std::size_t from = log.size(), lines = 0;
    while (from > 0 && lines < 60) {
        from = log.rfind('\n', from - 1);
        if (from == std::string::npos) {
            from = 0;
            break;
        }
        ++lines;
    }
    std::fprintf(stderr, "  the end of its log (%s):\n%s\n", m_log.c_str(), log.substr(from).c_str());
    if (m_opt.keep_going) {
        act("restart", "", "after: " + why);
        ++m_restarts;
        start_program();
    } else {
        m_failed = true;
    }
}

void Monkey::act(const std::string& verb, const std::string& args, const std::string& note) {
    const long ms = static_cast<long>(elapsed() * 1000);
    std::string line = std::to_string(ms) + " " + verb + (args.empty() ? "" : " " + args);
    m_record << line << (note.empty() ? "" : "  # " + note) << "\n" << std::flush;
    m_last.push_back(line + (note.empty() ? "" : "  # " + note));
    if (m_last.size() > 50) m_last.pop_front();
    ++m_actions;
    ++m_counts[verb];
    std::string cmd;
    std::istringstream in(args);
    if (verb == "tap") {
        int x = 0, y = 0;
        in >> x >> y;
        cmd = "mousemove " + std::to_string(x) + " " + std::to_string(y) + " sleep 0.08 click 1";
    } else if (verb == "drag") {
        int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
        in >> x0 >> y0 >> x1 >> y1;
        cmd = "mousemove " + std::to_string(x0) + " " + std::to_string(y0) + " sleep 0.05 mousedown 1";
        for (int i = 1; i <= 6; ++i) {
            cmd += " sleep 0.04 mousemove " + std::to_string(x0 + (x1 - x0) * i / 6) + " " + std::to_string(y0 + (y1 - y0) * i / 6);
        }
        cmd += " sleep 0.05 mouseup 1";
    } else if (verb == "wheel") {
        int x = 0, y = 0, dir = 0;
        in >> x >> y >> dir;
        cmd = "mousemove " + std::to_string(x) + " " + std::to_string(y) + " sleep 0.05 click --repeat 2 " + (dir > 0 ? "4" : "5");
    } else if (verb == "key") {
        cmd = "key " + args;
    } else if (verb == "type") {
        cmd = "type --delay 40 " + args;
    } else if (verb == "wait" && m_opt.replay.empty()) {  // a replay waits for the next line's time instead
        std::this_thread::sleep_for(std::chrono::milliseconds(std::stol(args)));
    }
    if (!cmd.empty()) std::system(("xdotool " + cmd + " >/dev/null 2>&1").c_str());
}

void Monkey::tap_widget(const std::array<double, 4>& r, const std::string& note) {
    const int x = static_cast<int>(r[0] + std::max(1.0, r[2]) / 2), y = static_cast<int>(r[1] + std::max(1.0, r[3]) / 2);
    tap(x, y, note);
}

// A combo (desk metric/year): open it, then tap one of the items under it.
void Monkey::choose_from_combo(const std::string& name) {
    const auto r = state().widget(name);
    if (!r) return;
    tap_widget(*r, "open " + name);
    std::this_thread::sleep_for(250ms);
    const int item = 1 + pick(6);
    const auto [x, y, w, h] = *r;
    tap(static_cast<int>(x + w / 3), static_cast<int>(y + h + item * h - h / 2), "item " + std::to_string(item) + " of " + name);
}

// 查询我家 (kiosk): the look-up screen, an ID (a sample household's, else made up), the second
// factor (right, or wrong on purpose), submit. Taps on the screen's own keypad, as a villager would.
void Monkey::lookup() {
    State s = state();
    auto open = s.widget("home:lookup");
    if (!open) open = s.widget("kiosk:lookup");
    if (!open) return;
    tap_widget(*open, "查询我家");
    s = wait_for([](const State& st) { return st.str("lookup_step") == "id" && st.widget("key:1").has_value(); }, 3s);
    if (s.str("lookup_step") != "id") return;
    const bool known = !m_creds.empty() && chance(0.8);
    const Credential c = known ? m_creds[static_cast<std::size_t>(pick(static_cast<int>(m_creds.size())))] : Credential{"41010219900101" + std::to_string(1000 + pick(9000)), "0000"};
    const bool right = known && chance(0.6);
    const auto type_keys = [&](const std::string& text, const char* what) {
        for (std::size_t i = 0; i < text.size(); ++i) {
            const State st = state();
            const auto key = st.widget(std::string("key:") + text[i]);
            if (!key) return false;
            tap_widget(*key, std::string(what) + " key " + std::to_string(i + 1) + "/" + std::to_string(text.size()));  // not which
            std::this_thread::sleep_for(60ms);
        }
        return true;
    };
    if (!type_keys(c.id, known ? "sample ID" : "made-up ID")) return;
    s = state();
    if (auto next = s.widget("lookup:next")) tap_widget(*next, "下一步");
    s = wait_for([](const State& st) { return st.str("lookup_step") != "id"; }, 3s);
    if (s.str("lookup_step") != "factor") return;
    std::string factor = c.factor;
    if (!right) factor = std::to_string(1000 + (std::stoi(c.factor) + 1 + pick(8000)) % 9000);
    if (!type_keys(factor, right ? "right factor" : "wrong factor")) return;
    s = state();
    if (auto submit = s.widget("lookup:submit")) tap_widget(*submit, right ? "submit (right factor)" : "submit (wrong factor)");
    m_counts[right ? "lookup_right" : "lookup_wrong"]++;
}

void Monkey::idle_gap() {
    // Longer than the idle timeout the monkey's config sets (8 s kiosk, 10 s wall and desk): the
    // kiosk resets and falls into its attract loop, the wall's tour goes on.
    const int ms = 11000 + pick(6000);
    act("wait", std::to_string(ms), "idle gap");
    m_last_gap = Clock::now();
    const State s = state();
    if (!s.str("screen").empty()) m_screens.insert(m_opt.mode + ":" + s.str("screen"));
}

void Monkey::random_action() {
    const State s = state();
    if (!s.str("screen").empty()) m_screens.insert(m_opt.mode + ":" + s.str("screen"));
    const auto widgets = s.widgets();
    const auto area = s.rect("map_area").value_or(std::array<double, 4>{0, 0, static_cast<double>(m_width), static_cast<double>(m_height)});
    const auto map_point = [&] {
        const int x0 = static_cast<int>(area[0]), y0 = static_cast<int>(area[1]), w = static_cast<int>(area[2]), h = static_cast<int>(area[3]);
        return std::array<int, 2>{x0 + 10 + pick(std::max(1, w - 20)), y0 + 10 + pick(std::max(1, h - 20))};
    };
    if (std::chrono::duration<double>(Clock::now() - m_last_gap).count() > 40 || chance(0.01)) return idle_gap();
    // The admin PIN pad (kiosk, after the chord) takes every tap until it closes: digits (a random PIN
    // is wrong and pauses the pad) or 取消.
    std::vector<std::pair<std::string, std::array<double, 4>>> pad;
    for (const auto& w : widgets)
        if (w.first.rfind("pin:", 0) == 0) pad.push_back(w);
    if (!pad.empty()) {
        if (const auto cancel = s.widget("pin:cancel"); cancel && chance(0.4)) return tap_widget(*cancel, "pin:cancel");
        const auto& [name, rect] = pad[static_cast<std::size_t>(pick(static_cast<int>(pad.size())))];
        return tap_widget(rect, name);
    }
    const double r = std::uniform_real_distribution<double>(0, 1)(m_rng);
    if (r < 0.40 && !widgets.empty()) {
        const auto& [name, rect] = widgets[static_cast<std::size_t>(pick(static_cast<int>(widgets.size())))];
        return tap_widget(rect, name);
    }
    if (r < 0.55) {
        const auto [x, y] = map_point();
        return tap(x, y, "map");
    }
    if (r < 0.60) {
        const auto [x, y] = map_point();
        act("tap", std::to_string(x) + " " + std::to_string(y), "map, first of a double tap");
        return tap(x, y, "map, second of a double tap");
    }
    if (r < 0.68) {
        const auto [x0, y0] = map_point();
        const auto [x1, y1] = map_point();
        return act("drag", std::to_string(x0) + " " + std::to_string(y0) + " " + std::to_string(x1) + " " + std::to_string(y1), "pan");
    }
    if (r < 0.73) {
        const auto [x, y] = map_point();
        return act("wheel", std::to_string(x) + " " + std::to_string(y) + " " + (chance(0.5) ? "1" : "-1"), "zoom");
    }
    if (r < 0.78) {
        static const std::vector<std::string> keys{"Escape", "Return", "Tab", "Up", "Down", "Left", "Right", "BackSpace", "space", "plus", "minus", "a", "1"};
        return act("key", keys[static_cast<std::size_t>(pick(static_cast<int>(keys.size())))], "");
    }
    if (m_opt.mode == "kiosk") {
        if (r < 0.90) return lookup();
        if (r < 0.92) return act("key", "ctrl+alt+shift+q", "admin chord (the PIN pad)");
        if (auto w = s.widget("kiosk:find")) return tap_widget(*w, "找我的村");
        return;
    }
    if (m_opt.mode == "desk") {
        if (r < 0.84) return choose_from_combo("metric");
        if (r < 0.89) return choose_from_combo("year");
        if (r < 0.95) {
            if (auto w = s.widget("search")) {
                tap_widget(*w, "search box");
                static const std::vector<std::string> words{"4101", "41", "4103", "zz", "9"};
                act("type", words[static_cast<std::size_t>(pick(static_cast<int>(words.size())))], "search text");
            }
            return;
        }
        if (auto w = s.widget("play")) return tap_widget(*w, "year play");
        return;
    }
    // wall: nothing but watch and touch (it is read from across the room)
    const auto [x, y] = map_point();
    tap(x, y, "wall map");
}

void Monkey::sample() {
    m_last_sample = Clock::now();
    const State s = state();
    const double frames_read = s.num("frames");
    const long frames = std::isnan(frames_read) ? -1 : static_cast<long>(frames_read);
    if (frames != m_last_frames) {
        m_last_frames = frames;
        m_frames_moved = Clock::now();
    } else if (std::chrono::duration<double>(Clock::now() - m_frames_moved).count() > 30 && m_pid > 0) {
        // Input arrives and no frame is drawn: hung. Kill it so the report is of a dead program.
        ::kill(m_pid, SIGABRT);
        int status = 0;
        ::waitpid(m_pid, &status, 0);
        m_pid = -1;
        report_crash("drew no frame for 30 s while input arrived (hung; aborted)");
        return;
    }
    if (!m_samples.is_open()) return;
    const std::string perf = slurp(m_perf);
    const auto get = [&](const std::string& key) {
        std::smatch m;
        return std::regex_search(perf, m, std::regex("\"run\":\\{[^}]*\"" + key + "\":([0-9.]+)")) ? std::string(m[1]) : std::string("0");
    };
    m_samples << std::fixed << elapsed() << " " << rss_kib(m_pid) << " " << frames << " " << get("p50_ms") << " " << get("p95_ms") << " "
              << get("p99_ms") << " " << m_crashes << "\n"
              << std::flush;
}

void Monkey::replay() {
    std::ifstream in(m_opt.replay);
    if (!in) {
        std::fprintf(stderr, "onemap monkey: cannot read the replay file %s\n", m_opt.replay.c_str());
        m_failed = true;
        return;
    }
    int row = 0;
    for (std::string line; std::getline(in, line);) {
        ++row;
        const auto hash = line.find("  # ");
        const std::string note = hash == std::string::npos ? "" : line.substr(hash + 4);
        std::istringstream ls(line.substr(0, hash));
        long ms = 0;
        std::string verb, args, word;
        if (!(ls >> ms >> verb)) {
            std::fprintf(stderr, "onemap monkey: %s row %d: expected \"MILLISECONDS VERB ARGS\", got \"%s\"\n", m_opt.replay.c_str(), row, line.c_str());
            m_failed = true;
            return;
        }
        while (ls >> word) args += (args.empty() ? "" : " ") + word;
        const auto at = m_t0 + std::chrono::milliseconds(ms);
        if (at > Clock::now()) std::this_thread::sleep_until(at);
        if (verb == "restart") continue;  // the program restarts by itself when it ends
        act(verb, args, note);
        if (Clock::now() - m_last_sample > 10s) sample();
        if (!check_program() || m_failed) return;
    }
}

int Monkey::run() {
    if (m_opt.work.empty()) m_opt.work = fs::temp_directory_path() / ("onemap-monkey-" + std::to_string(::getpid()));
    fs::create_directories(m_opt.work);
    m_state = m_opt.work / (m_opt.mode + ".state.json");
    m_perf = m_opt.work / (m_opt.mode + ".perf.json");
    m_log = m_opt.work / (m_opt.mode + ".log");
    m_config = m_opt.work / (m_opt.mode + ".toml");
    fs::remove(m_log);
    if (m_opt.record.empty()) m_opt.record = m_opt.work / (m_opt.mode + ".replay");
    if (!m_opt.replay.empty() && fs::equivalent(m_opt.replay, m_opt.record)) m_opt.record += ".again";
    m_record.open(m_opt.record);
    if (!m_opt.samples.empty()) m_samples.open(m_opt.samples, std::ios::app);
    if (m_opt.bundle.empty()) {
        m_opt.bundle = m_opt.work / "monkey.gpkg";
        const fs::path out = m_opt.work / "demo.txt";
        const std::string cmd = m_opt.binary.string() + " demo --scale test --seed 7 --force --print-sample-households 3 --out " + m_opt.bundle.string() + " > " +
                                out.string() + " 2>&1";
        if (std::system(cmd.c_str()) != 0) {
            std::fprintf(stderr, "onemap monkey: could not make the demo bundle (%s):\n%s", cmd.c_str(), slurp(out).c_str());
            return 1;
        }
        m_creds = read_credentials(slurp(out));
    } else if (!m_opt.credentials.empty()) {
        m_creds = read_credentials(slurp(m_opt.credentials));
    }
    std::ofstream(m_config) << "[kiosk]\nidle_timeout_s = 8\ncard_timeout_s = 6\nlookup_guard = \"" << (m_opt.work / "guard.db").string()
                            << "\"\n[wall]\nidle_timeout_s = 10\ntour_interval_s = 4\n";
    if (std::system("xdotool getdisplaygeometry > /dev/null 2>&1") != 0) {
        std::fprintf(stderr, "onemap monkey: no X display with xdotool (run it under xvfb-run -s '-screen 0 1920x1080x24')\n");
        return 2;
    }
    if (FILE* p = ::popen("xdotool getdisplaygeometry", "r")) {
        if (std::fscanf(p, "%d %d", &m_width, &m_height) != 2) m_width = 1920, m_height = 1080;
        ::pclose(p);
    }
    m_t0 = m_last_gap = m_last_sample = Clock::now();
    start_program();
    if (!m_failed) {
        if (!m_opt.replay.empty()) {
            replay();
        } else {
            while (elapsed() < m_opt.seconds && !m_failed) {
                random_action();
                std::this_thread::sleep_for(std::chrono::milliseconds(120 + pick(500)));
                if (Clock::now() - m_last_sample > 10s) sample();
                if (!check_program()) {
                    if (m_failed) break;
                }
            }
        }
    }
    if (!m_failed) {
        std::this_thread::sleep_for(1s);
        if (check_program()) sample();
    }
    stop_program();
    const bool survived = !m_failed;
    std::string counts, screens;
    for (const auto& [verb, n] : m_counts) counts += " " + verb + "=" + std::to_string(n);
    for (const auto& s : m_screens) screens += " " + s;
    const std::string from = m_opt.replay.empty() ? "seed " + std::to_string(m_opt.seed) : "replay of " + m_opt.replay.string();
    std::printf("onemap monkey: %s, %s, %.0f s, %ld actions (%s ), crashes %d, restarts %d; screens seen:%s; record %s\n", m_opt.mode.c_str(),
                from.c_str(), elapsed(), m_actions, counts.c_str(), m_crashes, m_restarts, screens.c_str(), m_opt.record.c_str());
    return survived && (m_crashes == 0 || m_opt.keep_going) ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    o.self = argv[0];
    const char* self = std::getenv("ONEMAP_BINARY");
    o.binary = self ? self : "build/kiosk/onemap";
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "onemap monkey: %s needs a value\n", a.c_str());
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--mode") o.mode = value();
        else if (a == "--seconds") o.seconds = std::stod(value());
        else if (a == "--seed") o.seed = std::stoull(value());
        else if (a == "--bundle") o.bundle = value();
        else if (a == "--credentials") o.credentials = value();
        else if (a == "--binary") o.binary = value();
        else if (a == "--work") o.work = value();
        else if (a == "--record") o.record = value();
        else if (a == "--replay") o.replay = value();
        else if (a == "--samples") o.samples = value();
        else if (a == "--keep-going") o.keep_going = true;
        else if (a == "--help" || a == "-h") {
            std::puts("monkey --mode kiosk|desk|wall [--seconds 60] [--seed N] [--bundle F --credentials F] [--binary B] [--work DIR]\n"
                      "       [--record F] [--replay F] [--samples F] [--keep-going]   (see tests/bench/monkey.cpp)");
            return 0;
        } else {
            std::fprintf(stderr, "onemap monkey: unknown argument %s (try --help)\n", a.c_str());
            return 2;
        }
    }
    if (o.mode != "kiosk" && o.mode != "desk" && o.mode != "wall") {
        std::fprintf(stderr, "onemap monkey: --mode is kiosk, desk or wall, not %s\n", o.mode.c_str());
        return 2;
    }
    if (!fs::exists(o.binary)) {
        std::fprintf(stderr, "onemap monkey: no onemap program at %s (--binary, or ONEMAP_BINARY)\n", o.binary.c_str());
        return 2;
    }
    return Monkey(o).run();
}
