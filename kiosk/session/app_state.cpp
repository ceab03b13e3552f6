#include "kiosk/session/app_state.hpp"

#include "data/bundle/text_format.hpp"

#include <fmt/format.h>

#include <fstream>
#include <stdexcept>

#include <unistd.h>

namespace onemap::app {

using data::json_string;

namespace {
std::string rect(const std::array<double, 4>& r) { return fmt::format("[{:.0f},{:.0f},{:.0f},{:.0f}]", r[0], r[1], r[2], r[3]); }
}  // namespace

namespace {
// The kiosk's 适老化 fields, spliced in before the object's closing brace.
std::string access_json(const AppState& s) {
    std::string results;
    for (const auto& c : s.find_results) {
        if (!results.empty()) results += ',';
        results += json_string(c);
    }
    return fmt::format(",\"theme\":{},\"large_text\":{},\"instruction\":{},\"lookup_display\":{},\"page\":{},\"pages\":{},"
                       "\"find_query\":{},\"find_results\":[{}],\"body_px\":{:.1f},\"heading_px\":{:.1f},\"px_per_mm\":{:.3f},"
                       "\"min_target_mm\":{:.2f},\"min_gap_mm\":{:.2f},\"clipped_labels\":{}}}",
                       json_string(s.theme), s.large_text ? "true" : "false", json_string(s.instruction), json_string(s.lookup_display), s.page,
                       s.pages, json_string(s.find_query), results, s.body_px, s.heading_px, s.px_per_mm, s.min_target_mm, s.min_gap_mm,
                       s.clipped_labels);
}
}  // namespace

std::string to_json(const AppState& s) {
    std::string base = to_json_base(s);
    base.pop_back();  // its closing brace
    return base + access_json(s);
}

std::string to_json_base(const AppState& s) {
    std::string widgets, anchors, ticker, compare;
    for (const auto& c : s.compare) {
        if (!compare.empty()) compare += ',';
        compare += json_string(c);
    }
    for (const auto& t : s.ticker) {  // appended, not `"," + json_string(t)`: GCC 12 -O3 -Wrestrict false positive (data/bundle/info.cpp)
        if (!ticker.empty()) ticker += ',';
        ticker += json_string(t);
    }
    for (const auto& [name, r] : s.widgets) {
        widgets += fmt::format("{}{}:[{:.0f},{:.0f},{:.0f},{:.0f}]", widgets.empty() ? "" : ",", json_string(name), r[0], r[1], r[2], r[3]);
    }
    for (const auto& [code, p] : s.anchors) anchors += fmt::format("{}{}:[{:.0f},{:.0f}]", anchors.empty() ? "" : ",", json_string(code), p[0], p[1]);
    return fmt::format(
        "{{\"mode\":{},\"screen\":{},\"selected\":{},\"camera_target\":{},\"level\":{},\"metric\":{},\"period\":{},"
        "\"language\":{},\"synthetic\":{},\"focus\":{},\"panel_title\":{},\"tour_city\":{},\"spotlight\":{},\"compare\":[{}],\"last_export\":{},"
        "\"lookup_step\":{},\"lookup_typed\":{},\"pin_typed\":{},\"lookup_outcome\":{},\"card\":{},"
        "\"bundle_inode\":{},\"bundle_reloads\":{},\"bundle_error\":{},\"value\":{},\"source\":{},\"scene\":{},\"source_problem\":{},"
        "\"read_only\":{},\"data_refreshes\":{},\"last_step\":{},\"ticker\":[{}],"
        "\"widgets\":{{{}}},\"anchors\":{{{}}},\"map_area\":{},\"view_rect\":{},\"missing_glyphs\":{},\"frames\":{},\"screens_online\":{},"
        "\"memory\":{{\"budget_mib\":{:.0f},\"indicators_mib\":{:.1f},\"indicator_layers\":{},\"layers_evicted\":{},\"gpu_mib\":{:.1f},"
        "\"lods_evicted\":{},\"rss_mib\":{:.0f}}}}}",
        json_string(mode_key(s.mode)), json_string(s.screen), json_string(s.selected), json_string(s.camera_target), json_string(s.level),
        json_string(s.metric), json_string(s.period), json_string(s.language), s.synthetic ? "true" : "false", json_string(s.focus),
        json_string(s.panel_title), json_string(s.tour_city), json_string(s.spotlight), compare, json_string(s.last_export), json_string(s.lookup_step), s.lookup_typed, s.pin_typed,
        json_string(s.lookup_outcome), json_string(s.card), s.bundle_inode, s.bundle_reloads, json_string(s.bundle_error), json_string(s.value), json_string(s.source), json_string(s.scene),
        json_string(s.source_problem), s.read_only ? "true" : "false", s.data_refreshes, json_string(s.last_step), ticker, widgets, anchors, rect(s.map_area), rect(s.view_rect), s.missing_glyphs, s.frames, json_string(s.screens_online),
        s.budget_mib, s.indicators_mib, s.indicator_layers, s.layers_evicted, s.gpu_mib, s.lods_evicted, s.rss_mib)
        ;
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
