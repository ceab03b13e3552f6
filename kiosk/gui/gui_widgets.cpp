// Drawing helpers shared by the three modes: value formatting, the 演示数据 mark, small charts.
#include "kiosk/gui/gui_model.hpp"

#include <imgui.h>
#include <imgui_internal.h>  // ImTextCharFromUtf8

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace onemap::app {

std::string metric_name(const Ui& ui, const data::Metric& metric) {
    return std::string(ui.tr.language() == "en" && !metric.name_en.empty() ? metric.name_en : metric.name_zh);
}

const data::RuleInfo* chosen_rule(const Ui& ui) {
    return ui.state.metric.rfind("rule:", 0) == 0 ? data::find_rule(ui.state.metric.substr(5)) : nullptr;
}

MapLegend map_legend(const Ui& ui) {
    MapLegend out;
    if (const data::RuleInfo* rule = chosen_rule(ui)) {
        out.title = fmt::format("{} {} · {}", rule->id, rule->name_zh, ui.state.period);
        const data::RuleStatus order[] = {data::RuleStatus::Pass, data::RuleStatus::Fail, data::RuleStatus::NotApplicable, data::RuleStatus::NoData};
        for (int k = 0; k < 4; ++k) out.rows.push_back({std::string(data::status_name_zh(order[k])), MapModel::status_color(k), k == 3});
        return out;
    }
    const data::Metric* metric = data::find_metric(ui.state.metric);
    out.title = fmt::format("{}（{}）{}", metric ? metric_name(ui, *metric) : "", metric ? metric->unit : "", ui.state.period);
    out.rows = render::class_rows(ui.map.classification(), ui.tr("no_data"), [metric](double v) { return format_value(v, metric); });
    return out;
}

MapLegend export_legend(const Ui& ui) {
    if (chosen_rule(ui)) return map_legend(ui);
    const data::Metric* metric = data::find_metric(ui.state.metric);
    if (!metric) return {};
    return picture_legend(ui.map.classification(), *metric, ui.state.period, ui.tr.language(), ui.tr("no_data"));
}

int missing_glyphs(const ImFont* font, std::string_view text) {
    if (!font) return 0;
    int missing = 0;
    for (const char *p = text.data(), *end = text.data() + text.size(); p < end;) {
        unsigned int c = 0;
        const int n = ImTextCharFromUtf8(&c, p, end);
        if (n <= 0) break;
        p += n;
        if (c >= 0x20 && c <= 0xFFFF && !font->FindGlyphNoFallback(static_cast<ImWchar>(c))) ++missing;
    }
    return missing;
}

float synthetic_mark(const Ui& ui, float right, float top) {
    // Exported pictures carry the map's own mark (MapView::set_mark); this one stays clear of the panels.
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    if (!ui.state.synthetic) return right >= 0 ? right : display.x;
    ImDrawList* dl = ImGui::GetForegroundDrawList();
    ImFont* font = ui.fonts.title ? ui.fonts.title : ImGui::GetFont();
    const std::string text = !ui.synthetic_text.empty() ? ui.synthetic_text : ui.tr(ui.partly_real ? "synthetic_partial" : "synthetic_mark");
    const float fsize = font->FontSize * font->Scale;
    const ImVec2 size = font->CalcTextSizeA(fsize, 1e9f, 0, text.c_str());
    const float pad = 8 * ui.scale;
    const ImVec2 pos = right >= 0 ? ImVec2(right - size.x - 2 * pad, top)
                                  : ImVec2(display.x - size.x - 2 * pad - 10 * ui.scale, display.y - size.y - 2 * pad - 10 * ui.scale);
    dl->AddRectFilled(pos, ImVec2(pos.x + size.x + 2 * pad, pos.y + size.y + 2 * pad), IM_COL32(255, 255, 255, 220), 4 * ui.scale);
    dl->AddRect(pos, ImVec2(pos.x + size.x + 2 * pad, pos.y + size.y + 2 * pad), IM_COL32(190, 30, 30, 255), 4 * ui.scale, 0, 2 * ui.scale);
    dl->AddText(font, fsize, ImVec2(pos.x + pad, pos.y + pad), IM_COL32(190, 30, 30, 255), text.c_str());
    return pos.x;
}

void source_banner(const Ui& ui, WidgetRects& w, float x0, float x1, float y, bool above) {
    if (ui.source_banner.empty()) return;
    ImDrawList* dl = ImGui::GetForegroundDrawList();
    ImFont* font = ui.fonts.body ? ui.fonts.body : ImGui::GetFont();
    const float pad = 10 * ui.scale, wrap = std::max(200 * ui.scale, (x1 - x0) * 0.8f - 2 * pad);
    const ImVec2 size = font->CalcTextSizeA(font->FontSize, 1e9f, wrap, ui.source_banner.c_str());
    const ImVec2 pos(std::max(x0, (x0 + x1 - size.x) / 2 - pad), above ? y - size.y - 2 * pad : y);
    const ImVec2 end(pos.x + size.x + 2 * pad, pos.y + size.y + 2 * pad);
    dl->AddRectFilled(pos, end, IM_COL32(190, 30, 30, 235), 4 * ui.scale);
    dl->AddText(font, font->FontSize, ImVec2(pos.x + pad, pos.y + pad), IM_COL32(255, 255, 255, 255), ui.source_banner.c_str(), nullptr, wrap);
    w.rects.push_back({"source_banner", {pos.x, pos.y, end.x - pos.x, end.y - pos.y}});
}

}  // namespace onemap::app
