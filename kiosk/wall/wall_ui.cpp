// wall — a command-center display read from across the room: tiles for the plan's province-wide
// targets, top and bottom ten counties by growth gap, a ticker of the newest alerts, the tour's
// city card. Everything large; nothing here takes input but the tour pause.
#include "kiosk/gui/gui_model.hpp"

#include "render/classify.hpp"

#include <imgui.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace onemap::app {

namespace {

constexpr ImGuiWindowFlags k_panel = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
                                     ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoScrollbar;

struct Tile {
    std::string rule, title;
    double value;        // NaN: no data
    double target;       // NaN: no numeric target
    std::string shown;   // value as text
    std::string target_text;
};

// R8's target rises each year of the plan (FACTS.md): 60 / 65 / 70 %.
double industry_target(const std::string& period) {
    if (period == "2023") return 60;
    if (period == "2024") return 65;
    return 70;
}

std::vector<Tile> targets(const Ui& ui) {
    const std::string root = ui.regions.root() ? ui.regions.root()->code : "41";
    auto v = [&](const char* metric) { return ui.indicators.value(root, metric, ui.state.period).value_or(render::k_missing); };
    std::vector<Tile> t;
    const double ratio = v("income_ratio");
    t.push_back({"R2", metric_name(ui, *data::find_metric("income_ratio")), ratio, 1 / 1.1,
                 format_value(ratio, data::find_metric("income_ratio")), "1 : 1.10"});
    const double migrants = v("migrant_workers");
    t.push_back({"R6", metric_name(ui, *data::find_metric("migrant_workers")), migrants, 2100000,
                 format_value(migrants, data::find_metric("migrant_workers")), "2,100,000 人"});
    const double certs = v("new_certificates");
    t.push_back({"R7", metric_name(ui, *data::find_metric("new_certificates")), certs, 100000,
                 format_value(certs, data::find_metric("new_certificates")), "100,000 人"});
    const double share = v("industry_fund_share");
    t.push_back({"R8", metric_name(ui, *data::find_metric("industry_fund_share")), share, industry_target(ui.state.period),
                 format_value(share, data::find_metric("industry_fund_share")), fmt::format("{:.0f}%", industry_target(ui.state.period))});
    t.push_back({"R14", ui.tr("tile_demo_points"), render::k_missing, 100, "—", "100 个"});
    t.push_back({"R16", metric_name(ui, *data::find_metric("open_alerts")), static_cast<double>(ui.open_alerts), render::k_missing,
                 fmt::format("{} 条", ui.open_alerts), ""});
    // R1 over the counties, from the stored rule results (`onemap check`).
    for (const auto& sum : ui.rule_summary) {
        if (sum.rule != "R1") continue;
        const double judged = static_cast<double>(sum.pass + sum.fail);
        t.insert(t.begin(), Tile{"R1", ui.tr("tile_r1"), judged > 0 ? static_cast<double>(sum.pass) : render::k_missing, judged,
                                 fmt::format("{}/{:.0f}", sum.pass, judged), fmt::format("{:.0f}", judged)});
    }
    // The command center's other screens (desk/wall --pg: table screen_health), when they report.
    if (const auto slash = ui.state.screens_online.find('/'); slash != std::string::npos) {
        const double up = std::stod(ui.state.screens_online.substr(0, slash)), all = std::stod(ui.state.screens_online.substr(slash + 1));
        t.push_back({"screens", ui.tr("tile_screens"), up, all, ui.state.screens_online, fmt::format("{:.0f}", all)});
    }
    return t;
}

}  // namespace

std::vector<Intent> wall_panels(const Ui& ui, WidgetRects& w) {
    std::vector<Intent> out;
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    ImGui::PushFont(ui.fonts.body);

    // Target tiles across the top.
    const auto tiles = targets(ui);
    // room for a title of two lines (R2's is long), the figure, the target and its bar
    const float tile_h = ui.fonts.huge->FontSize * 2.6f + ImGui::GetTextLineHeight() * 1.4f;
    const float tile_w = display.x / static_cast<float>(tiles.size());
    for (std::size_t i = 0; i < tiles.size(); ++i) {
        const Tile& t = tiles[i];
        ImGui::SetNextWindowPos(ImVec2(tile_w * static_cast<float>(i), 0));
        ImGui::SetNextWindowSize(ImVec2(tile_w - 4 * ui.scale, tile_h));
        ImGui::SetNextWindowBgAlpha(0.88f);
        ImGui::Begin(fmt::format("##tile{}", i).c_str(), nullptr, k_panel);
        ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
        ImGui::TextWrapped("%s  %s", t.rule.c_str(), t.title.c_str());  // wrapped, never cut at the tile's edge
        ImGui::PopStyleColor();
        const bool has = !std::isnan(t.value), has_target = !std::isnan(t.target);
        const bool met = has && has_target && t.value > t.target - 1e-12 * std::abs(t.target);
        ImGui::PushFont(ui.fonts.huge);
        ImGui::TextColored(!has ? ImVec4(0.6f, 0.6f, 0.6f, 1) : !has_target ? ImVec4(1, 1, 1, 1) : met ? ImVec4(0.4f, 0.85f, 0.45f, 1)
                                                                                                       : ImVec4(1.0f, 0.55f, 0.3f, 1),
                           "%s", has ? t.shown.c_str() : ui.tr("no_data").c_str());
        ImGui::PopFont();
        if (has_target) {
            ImGui::Text("%s %s · %s", ui.tr("target").c_str(), t.target_text.c_str(), has ? (met ? ui.tr("met").c_str() : ui.tr("not_met").c_str()) : ui.tr("no_data").c_str());
            if (has) ImGui::ProgressBar(static_cast<float>(std::clamp(t.value / t.target, 0.0, 1.0)), ImVec2(-1, 8 * ui.scale), "");
        }
        w.add("tile:" + t.rule);
        ImGui::End();
    }

    // Top and bottom ten counties by growth gap.
    std::vector<std::pair<double, const data::RegionInfo*>> ranked;
    const auto& gaps = ui.indicators.values("growth_gap", ui.state.period);
    for (const auto* r : ui.regions.layer(data::Level::County)) {
        if (auto it = gaps.find(r->code); it != gaps.end()) ranked.emplace_back(it->second, r);
    }
    std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    const float list_w = std::max(display.x * 0.17f, 320 * ui.scale);
    float list_bottom = tile_h + 8 * ui.scale;
    for (int side = 0; side < 2; ++side) {
        ImGui::SetNextWindowPos(ImVec2(side == 0 ? 0 : display.x - list_w, tile_h + 8 * ui.scale));
        ImGui::SetNextWindowSize(ImVec2(list_w, 0));
        ImGui::SetNextWindowBgAlpha(0.85f);
        ImGui::Begin(side == 0 ? "##top10" : "##bottom10", nullptr, k_panel | ImGuiWindowFlags_AlwaysAutoResize);
        ImGui::PushFont(ui.fonts.title);
        ImGui::TextUnformatted(ui.tr(side == 0 ? "wall_top" : "wall_bottom").c_str());
        ImGui::PopFont();
        for (std::size_t k = 0; k < 10 && k < ranked.size(); ++k) {
            const auto& [gap, r] = side == 0 ? ranked[k] : ranked[ranked.size() - 1 - k];
            ImGui::Text("%2zu  %s", k + 1, r->name.c_str());
            ImGui::SameLine(list_w * 0.68f);
            ImGui::TextColored(gap > 0 ? ImVec4(0.55f, 0.45f, 0.95f, 1) : ImVec4(1.0f, 0.6f, 0.25f, 1), "%+.1f", gap);
        }
        w.add(side == 0 ? "wall:top10" : "wall:bottom10");
        if (side == 0) list_bottom = ImGui::GetWindowPos().y + ImGui::GetWindowSize().y;
        ImGui::End();
    }

    // The tour's city card, under the top-ten list: beside the map, which shows the city in the
    // middle of what the panels leave (a card over the map would hide the city's north).
    if (const data::RegionInfo* city = ui.regions.find(ui.tour_city)) {
        ImGui::SetNextWindowPos(ImVec2(0, list_bottom + 8 * ui.scale));
        ImGui::SetNextWindowSize(ImVec2(list_w, 0));  // height fits the text
        ImGui::SetNextWindowBgAlpha(0.85f);
        ImGui::Begin("##city", nullptr, k_panel);
        ImGui::PushFont(ui.fonts.huge);
        ImGui::TextWrapped("%s", city->name.c_str());
        ImGui::PopFont();
        for (const char* key : {"tp_income_pc", "growth_gap", "tp_population"}) {
            const data::Metric* m = data::find_metric(key);
            ImGui::TextWrapped("%s", metric_name(ui, *m).c_str());
            ImGui::PushFont(ui.fonts.title);
            ImGui::TextUnformatted(format_value(ui.indicators.value(city->code, key, ui.state.period).value_or(render::k_missing), m).c_str());
            ImGui::PopFont();
        }
        const bool paused = ui.idle_seconds < ui.config.idle_timeout_s && ui.idle_seconds < 1e8 && ui.state.screen == "paused";
        if (paused) ImGui::TextDisabled("%s", ui.tr("wall_paused").c_str());
        w.add("wall:city");
        ImGui::End();
    }

    // Ticker of the newest alerts, moving right to left.
    const float ticker_h = ImGui::GetTextLineHeightWithSpacing() * 1.6f;
    // the lists hang from the tiles on both sides: the province sits between them, under the tiles
    w.map_insets = {list_w, tile_h + 8 * ui.scale, list_w, ticker_h};
    ImGui::SetNextWindowPos(ImVec2(0, display.y - ticker_h));
    ImGui::SetNextWindowSize(ImVec2(display.x, ticker_h));
    ImGui::SetNextWindowBgAlpha(0.9f);
    ImGui::Begin("##ticker", nullptr, k_panel);
    std::string text = ui.tr("wall_alerts") + "：";
    if (ui.alerts.empty()) text += ui.tr("no_data");
    for (const auto& [place, what] : ui.alerts) text += "   " + place + " " + what;
    const float text_w = ImGui::CalcTextSize(text.c_str()).x;
    const float offset = static_cast<float>(std::fmod(ImGui::GetTime() * 80.0 * ui.scale, static_cast<double>(text_w + display.x)));
    ImGui::SetCursorPosX(display.x - offset);
    ImGui::TextUnformatted(text.c_str());
    w.add("wall:ticker");
    ImGui::End();

    // the mark above the ticker's right end, not over it
    const float mark_h = (ui.fonts.title ? ui.fonts.title->FontSize : ImGui::GetFontSize()) + 16 * ui.scale;
    synthetic_mark(ui, display.x - 10 * ui.scale, display.y - ticker_h - mark_h - 10 * ui.scale);
    source_banner(ui, w, 0, display.x, display.y - ticker_h - 8 * ui.scale, /*above=*/true);  // clear of the tiles and the ticker
    ImGui::PopFont();
    return out;
}

}  // namespace onemap::app
