#include "kiosk/app_state.hpp"

#include <fmt/format.h>

#include <fstream>
#include <stdexcept>

#include <unistd.h>

namespace onemap::app {

namespace {
std::string json_quote(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        if (static_cast<unsigned char>(c) < 0x20) {
            out += fmt::format("\\u{:04x}", c);
            continue;
        }
        out += c;
    }
    return out + "\"";
}
}  // namespace

std::string to_json(const AppState& s) {
    std::string widgets, anchors;
    for (const auto& [name, r] : s.widgets) {
        widgets += fmt::format("{}{}:[{:.0f},{:.0f},{:.0f},{:.0f}]", widgets.empty() ? "" : ",", json_quote(name), r[0], r[1], r[2], r[3]);
    }
    for (const auto& [code, p] : s.anchors) anchors += fmt::format("{}{}:[{:.0f},{:.0f}]", anchors.empty() ? "" : ",", json_quote(code), p[0], p[1]);
    return fmt::format(
        "{{\"mode\":{},\"screen\":{},\"selected\":{},\"camera_target\":{},\"level\":{},\"metric\":{},\"period\":{},"
        "\"language\":{},\"synthetic\":{},\"focus\":{},\"panel_title\":{},\"tour_city\":{},\"last_export\":{},"
        "\"widgets\":{{{}}},\"anchors\":{{{}}}}}",
        json_quote(mode_key(s.mode)), json_quote(s.screen), json_quote(s.selected), json_quote(s.camera_target), json_quote(s.level),
        json_quote(s.metric), json_quote(s.period), json_quote(s.language), s.synthetic ? "true" : "false", json_quote(s.focus),
        json_quote(s.panel_title), json_quote(s.tour_city), json_quote(s.last_export), widgets, anchors);
}

void write_state_file(const std::filesystem::path& path, const AppState& state) {
    const auto tmp = path.string() + fmt::format(".tmp-{}", ::getpid());
    {
        std::ofstream out(tmp, std::ios::trunc);
        if (!out) throw std::runtime_error(fmt::format("{}: cannot write state file", path.string()));
        out << to_json(state) << '\n';
    }
    std::filesystem::rename(tmp, path);
}

}  // namespace onemap::app
