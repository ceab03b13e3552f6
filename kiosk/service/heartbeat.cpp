// The health beacon's file and table text (kiosk/service/heartbeat.hpp).
#include "kiosk/service/heartbeat.hpp"

#include "data/bundle/text_format.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>
#include <stdexcept>
#include <system_error>

#include <fcntl.h>
#include <unistd.h>

namespace onemap::app {

namespace {

std::string iso_utc(std::int64_t t) {
    const std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

// A flat JSON object of strings and numbers (what to_json writes): key → raw value (strings unescaped).
bool parse_flat(const std::string& s, std::map<std::string, std::string>& out, std::string& why) {
    std::size_t i = 0;
    const auto ws = [&] {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t')) ++i;
    };
    const auto string = [&](std::string& v) {
        if (i >= s.size() || s[i] != '"') return false;
        ++i;
        while (i < s.size() && s[i] != '"') {
            if (s[i] == '\\' && i + 1 < s.size()) {
                const char e = s[++i];
                if (e == 'n') v += '\n';
                else if (e == 't') v += '\t';
                else if (e == 'u' && i + 4 < s.size()) {
                    const unsigned cp = static_cast<unsigned>(std::strtoul(s.substr(i + 1, 4).c_str(), nullptr, 16));
                    i += 4;
                    if (cp < 0x80) v += static_cast<char>(cp);
                    else if (cp < 0x800) v += static_cast<char>(0xC0 | (cp >> 6)), v += static_cast<char>(0x80 | (cp & 0x3F));
                    else v += static_cast<char>(0xE0 | (cp >> 12)), v += static_cast<char>(0x80 | ((cp >> 6) & 0x3F)), v += static_cast<char>(0x80 | (cp & 0x3F));
                } else v += e;
                ++i;
            } else {
                v += s[i++];
            }
        }
        if (i >= s.size()) return false;
        ++i;
        return true;
    };
    ws();
    if (i >= s.size() || s[i] != '{') return why = "expected a JSON object", false;
    ++i;
    for (;;) {
        ws();
        if (i < s.size() && s[i] == '}') return true;
        std::string key, value;
        if (!string(key)) return why = fmt::format("expected a key at byte {}", i), false;
        ws();
        if (i >= s.size() || s[i] != ':') return why = fmt::format("expected ':' after \"{}\"", key), false;
        ++i;
        ws();
        if (i < s.size() && s[i] == '"') {
            if (!string(value)) return why = fmt::format("unterminated string for \"{}\"", key), false;
        } else {
            const std::size_t start = i;
            while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ' ' && s[i] != '\n') ++i;
            value = s.substr(start, i - start);
        }
        out[key] = value;
        ws();
        if (i < s.size() && s[i] == ',') {
            ++i;
            continue;
        }
        if (i < s.size() && s[i] == '}') return true;
        return why = fmt::format("expected ',' or '}}' after \"{}\"", key), false;
    }
}

}  // namespace

std::string to_json(const Heartbeat& b) {
    using data::json_string;
    return fmt::format(
        "{{\"screen\":{},\"mode\":{},\"host\":{},\"pid\":{},\"bundle\":{},\"bundle_version\":{},\"bundle_age_s\":{:.0f},\"uptime_s\":{:.0f},"
        "\"last_frame_ms\":{:.2f},\"rss_mib\":{:.1f},\"last_error\":{},\"alerts\":{},\"interval_s\":{:.0f},\"written_unix\":{},\"written\":{},"
        "\"view\":{},\"tour_city\":{}}}\n",
        json_string(b.screen), json_string(b.mode), json_string(b.host), b.pid, json_string(b.bundle), json_string(b.bundle_version), b.bundle_age_s,
        b.uptime_s, b.last_frame_ms, b.rss_mib, json_string(b.last_error), b.alerts, b.interval_s, b.written_unix, json_string(iso_utc(b.written_unix)),
        json_string(b.view), json_string(b.tour_city));
}

std::optional<Heartbeat> parse_heartbeat(const std::string& json, std::string& why) {
    std::map<std::string, std::string> f;
    if (!parse_flat(json, f, why)) return std::nullopt;
    for (const char* need : {"screen", "mode", "written_unix"}) {
        if (!f.count(need)) {
            why = fmt::format("no \"{}\" (not a onemap heartbeat)", need);
            return std::nullopt;
        }
    }
    const auto num = [&](const char* k, double dflt) {
        const auto it = f.find(k);
        if (it == f.end() || it->second.empty()) return dflt;
        char* end = nullptr;
        const double v = std::strtod(it->second.c_str(), &end);
        return end && *end == '\0' ? v : dflt;
    };
    Heartbeat b;
    b.screen = f["screen"];
    b.mode = f["mode"];
    b.host = f["host"];
    b.pid = static_cast<std::int64_t>(num("pid", 0));
    b.bundle = f["bundle"];
    b.bundle_version = f["bundle_version"];
    b.bundle_age_s = num("bundle_age_s", -1);
    b.uptime_s = num("uptime_s", 0);
    b.last_frame_ms = num("last_frame_ms", 0);
    b.rss_mib = num("rss_mib", 0);
    b.last_error = f["last_error"];
    b.alerts = static_cast<std::int64_t>(num("alerts", 0));
    b.interval_s = num("interval_s", 30);
    b.written_unix = static_cast<std::int64_t>(num("written_unix", 0));
    b.view = f["view"];
    b.tour_city = f["tour_city"];
    return b;
}

void write_heartbeat(const std::filesystem::path& path, const Heartbeat& beat) {
    std::error_code ec;
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
    const auto tmp = path.string() + ".tmp";
    const std::string text = to_json(beat);
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw std::runtime_error(fmt::format("cannot write the heartbeat {}: {}", tmp, std::strerror(errno)));
    const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ::close(fd);
    if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
        ::unlink(tmp.c_str());
        throw std::runtime_error(fmt::format("cannot write the heartbeat {}: {}", path.string(), std::strerror(errno)));
    }
}

std::filesystem::path default_heartbeat_path(std::string_view mode) {
    const std::string name = fmt::format("heartbeat-{}.json", mode);
    if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg && *xdg) return std::filesystem::path(xdg) / "onemap" / name;
    if (const char* home = std::getenv("HOME"); home && *home) return std::filesystem::path(home) / ".local" / "state" / "onemap" / name;
    return std::filesystem::path("/var/lib/onemap") / name;
}

bool stale(const Heartbeat& beat, std::int64_t now_unix) {
    const double limit = std::max(10.0, 3 * beat.interval_s);
    return static_cast<double>(now_unix - beat.written_unix) > limit;
}

double rss_mib() {
    std::ifstream in("/proc/self/status");
    for (std::string line; std::getline(in, line);)
        if (line.rfind("VmRSS:", 0) == 0) return static_cast<double>(std::stol(line.substr(6))) / 1024.0;
    return 0;
}

std::string status_table(std::vector<Heartbeat> beats, std::int64_t now, bool en) {
    std::sort(beats.begin(), beats.end(), [](const Heartbeat& a, const Heartbeat& b) { return a.written_unix < b.written_unix; });
    const auto age = [](double s) {
        if (s < 0) return std::string("-");
        if (s < 120) return fmt::format("{:.0f} s", s);
        if (s < 7200) return fmt::format("{:.0f} min", s / 60);
        if (s < 172800) return fmt::format("{:.1f} h", s / 3600);
        return fmt::format("{:.1f} d", s / 86400);
    };
    std::string out = en ? fmt::format("{:<22} {:<6} {:<7} {:>9} {:>9} {:>8} {:>8} {:>7} {:<14} {}\n", "screen", "mode", "state", "last beat", "uptime",
                                       "frame ms", "RSS MiB", "alerts", "bundle", "last error")
                         : fmt::format("{:<22} {:<6} {:<7} {:>9} {:>9} {:>8} {:>8} {:>7} {:<14} {}\n", "屏幕 screen", "mode", "state", "last beat",
                                       "uptime", "frame ms", "RSS MiB", "alerts", "bundle", "last error");
    int stale_n = 0;
    for (const auto& b : beats) {
        const bool old = stale(b, now);
        stale_n += old;
        const std::string version = b.bundle_version.size() > 12 ? b.bundle_version.substr(0, 12) : b.bundle_version;
        out += fmt::format("{:<22} {:<6} {:<7} {:>9} {:>9} {:>8.1f} {:>8.0f} {:>7} {:<14} {}\n", b.screen, b.mode, old ? "STALE" : "ok",
                           age(static_cast<double>(now - b.written_unix)), age(b.uptime_s), b.last_frame_ms, b.rss_mib, b.alerts, version,
                           b.last_error.empty() ? "-" : b.last_error);
    }
    out += en ? fmt::format("{} screen(s), {} online, {} stale\n", beats.size(), beats.size() - static_cast<std::size_t>(stale_n), stale_n)
              : fmt::format("{} 块屏幕，在线 {}，失联 {} / {} screen(s), {} online, {} stale\n", beats.size(), beats.size() - static_cast<std::size_t>(stale_n),
                            stale_n, beats.size(), beats.size() - static_cast<std::size_t>(stale_n), stale_n);
    return out;
}

}  // namespace onemap::app
