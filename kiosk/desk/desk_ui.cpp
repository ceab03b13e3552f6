// desk — officials: breadcrumbs, search, metric/year/classification, info panel with charts and
// the children table, legend with counts, layer toggles, exports. Reads Ui, returns intents.
#include "kiosk/gui/gui_model.hpp"

#include "render/classify.hpp"

#include <imgui.h>
#include <imgui_internal.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

namespace onemap::app {

namespace {

constexpr ImGuiWindowFlags k_panel = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
                                     ImGuiWindowFlags_NoSavedSettings;

ImU32 to_u32(render::Rgba c) { return IM_COL32(c.r, c.g, c.b, 255); }

void top_bar(const Ui& ui, DeskLocal& local, WidgetRects& w, std::vector<Intent>& out) {
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    const float h = ImGui::GetFrameHeightWithSpacing() + ImGui::GetStyle().WindowPadding.y * 2;
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(display.x, h));
    ImGui::Begin("##top", nullptr, k_panel | ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoScrollbar);
    // Breadcrumbs: province › city › county › township
    const auto crumbs = ui.regions.breadcrumbs(ui.focus);
    for (std::size_t i = 0; i < crumbs.size(); ++i) {
        if (i) {
            ImGui::SameLine();
            ImGui::TextUnformatted("›");
            ImGui::SameLine();
        }
        const bool current = i + 1 == crumbs.size();
        if (current) ImGui::BeginDisabled();
        if (ImGui::Button(fmt::format("{}##crumb{}", crumbs[i]->name, i).c_str())) out.push_back({Intent::Kind::Focus, crumbs[i]->code});
        if (current) ImGui::EndDisabled();
        w.add("breadcrumb:" + crumbs[i]->code);
    }
    ImGui::SameLine(0, 24 * ui.scale);
    ImGui::SetNextItemWidth(220 * ui.scale);
    const bool enter = ImGui::InputTextWithHint("##search", ui.tr("search_hint").c_str(), local.search, sizeof local.search,
                                                ImGuiInputTextFlags_EnterReturnsTrue);
    w.add("search");
    const ImVec2 below(ImGui::GetItemRectMin().x, ImGui::GetItemRectMax().y);
    const bool search_active = ImGui::IsItemActive();
    if (enter) {  // Enter takes the best hit
        const auto hits = ui.regions.search(local.search, 1);
        if (!hits.empty()) out.push_back({Intent::Kind::Focus, hits[0]->code});
        local.search[0] = 0;
    }
    // Metric
    ImGui::SameLine(0, 24 * ui.scale);
    const data::Metric* metric = data::find_metric(ui.state.metric);
    const data::RuleInfo* rule = chosen_rule(ui);
    const std::string current = metric ? metric_name(ui, *metric) : rule ? fmt::format("{} {}", rule->id, rule->name_zh) : ui.state.metric;
    ImGui::SetNextItemWidth(300 * ui.scale);
    if (ImGui::BeginCombo("##metric", current.c_str(), ImGuiComboFlags_HeightLarge)) {
        for (const auto& key : ui.indicators.metrics()) {
            const data::Metric* m = data::find_metric(key);
            const std::string label = m ? fmt::format("{}（{}）", metric_name(ui, *m), m->unit) : key;
            if (ImGui::Selectable(label.c_str(), key == ui.state.metric)) out.push_back({Intent::Kind::SetMetric, key});
        }
        ImGui::Separator();
        ImGui::TextDisabled("%s", ui.tr("rule_layers").c_str());
        for (const auto& r : data::rule_catalogue()) {
            const std::string key = "rule:" + std::string(r.id);
            if (ImGui::Selectable(fmt::format("{} {}", r.id, r.name_zh).c_str(), key == ui.state.metric)) out.push_back({Intent::Kind::SetMetric, key});
        }
        ImGui::EndCombo();
    }
    w.add("metric");
    // Year slider and play
    ImGui::SameLine(0, 24 * ui.scale);
    auto it = std::find(ui.periods.begin(), ui.periods.end(), ui.state.period);
    int year_index = it == ui.periods.end() ? 0 : static_cast<int>(it - ui.periods.begin());
    ImGui::SetNextItemWidth(180 * ui.scale);
    if (ImGui::SliderInt("##year", &year_index, 0, static_cast<int>(ui.periods.size()) - 1, ui.state.period.c_str())) {
        out.push_back({Intent::Kind::SetPeriod, ui.periods[static_cast<std::size_t>(year_index)]});
    }
    w.add("year");
    ImGui::SameLine();
    if (ImGui::Button(ui.playing ? ui.tr("pause").c_str() : ui.tr("play").c_str())) out.push_back({Intent::Kind::TogglePlay});
    w.add("play");
    ImGui::End();

    // Results as you type, under the search box.
    if (local.search[0] != 0 && (search_active || ImGui::IsWindowHovered(ImGuiHoveredFlags_AnyWindow))) {
        const auto hits = ui.regions.search(local.search, 12);
        ImGui::SetNextWindowPos(below);
        ImGui::SetNextWindowSize(ImVec2(360 * ui.scale, 0));
        ImGui::Begin("##results", nullptr, k_panel | ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoFocusOnAppearing |
                                               ImGuiWindowFlags_AlwaysAutoResize);
        if (hits.empty()) ImGui::TextDisabled("%s", ui.tr("no_results").c_str());
        for (std::size_t i = 0; i < hits.size(); ++i) {
            const auto crumbs2 = ui.regions.breadcrumbs(hits[i]->code);
            std::string path;
            for (std::size_t k = 1; k + 1 < crumbs2.size(); ++k) path += crumbs2[k]->name + " ";
            // Select on the press: the list closes when the search box loses focus on that same click.
            if (ImGui::Selectable(fmt::format("{}  {}  {}##hit{}", hits[i]->name, hits[i]->code, path, i).c_str(), false,
                                  ImGuiSelectableFlags_SelectOnClick)) {
                out.push_back({Intent::Kind::Focus, hits[i]->code});
                local.search[0] = 0;
            }
            w.add("result:" + hits[i]->code);
        }
        ImGui::End();
    }
}

void income_chart(const Ui& ui, const std::string& code) {
    // Four parts of income as one stacked bar.
    static const char* k_parts[] = {"wage_income_pc", "business_income_pc", "transfer_income_pc", "property_income_pc"};
    static const char* k_names[] = {"wage", "business", "transfer", "property"};
    static const ImU32 k_colors[] = {IM_COL32(44, 123, 182, 255), IM_COL32(26, 150, 65, 255), IM_COL32(230, 140, 20, 255), IM_COL32(140, 80, 160, 255)};
    double v[4] = {}, total = 0;
    for (int i = 0; i < 4; ++i) {
        v[i] = ui.indicators.value(code, k_parts[i], ui.state.period).value_or(0);
        total += v[i];
    }
    ImGui::TextUnformatted(fmt::format("{}（{}）", ui.tr("income_structure"), ui.state.period).c_str());
    if (total <= 0) {
        ImGui::TextDisabled("%s", ui.tr("no_data").c_str());
        return;
    }
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const float width = ImGui::GetContentRegionAvail().x, height = 18 * ui.scale;
    float x = p.x;
    for (int i = 0; i < 4; ++i) {
        const float wpart = static_cast<float>(v[i] / total) * width;
        dl->AddRectFilled(ImVec2(x, p.y), ImVec2(x + wpart, p.y + height), k_colors[i]);
        x += wpart;
    }
    ImGui::Dummy(ImVec2(width, height + 4 * ui.scale));
    for (int i = 0; i < 4; ++i) {
        if (i % 2) ImGui::SameLine(width / 2);
        const ImVec2 c = ImGui::GetCursorScreenPos();
        const float s = ImGui::GetTextLineHeight() * 0.7f;
        dl->AddRectFilled(ImVec2(c.x, c.y + s * 0.2f), ImVec2(c.x + s, c.y + s * 1.2f), k_colors[i]);
        ImGui::Dummy(ImVec2(s * 1.3f, s));
        ImGui::SameLine();
        ImGui::Text("%s %.0f%%", ui.tr(k_names[i]).c_str(), 100.0 * v[i] / total);
    }
}

// Lines over the bundle's years, one per series (year → value) in its colour, with the value axis
// from a little under the lowest to a little over the highest. False (and nothing drawn) when no
// series has a value.
using Series = std::map<std::string, double>;  // period → value (Indicators::series)
bool line_chart(const Ui& ui, const std::vector<std::pair<const Series*, ImU32>>& lines, float height) {
    double lo = 1e18, hi = -1e18;
    for (const auto& [s, color] : lines) {
        for (const auto& [p, v] : *s) {
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
    }
    if (lo > hi) return false;
    lo = std::floor(lo * 0.9 / 1000) * 1000;
    hi = std::ceil(hi * 1.05 / 1000) * 1000;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const float width = ImGui::GetContentRegionAvail().x, left = 52 * ui.scale, bottom = 20 * ui.scale;
    const auto n = static_cast<float>(std::max<std::size_t>(1, ui.periods.size() - 1));
    auto px = [&](std::size_t i) { return p.x + left + (width - left - 8 * ui.scale) * static_cast<float>(i) / n; };
    auto py = [&](double v) { return p.y + (height - bottom) * static_cast<float>(1 - (v - lo) / std::max(1.0, hi - lo)); };
    const ImU32 axis = ImGui::GetColorU32(ImGuiCol_TextDisabled);
    dl->AddLine(ImVec2(p.x + left, p.y), ImVec2(p.x + left, p.y + height - bottom), axis);
    dl->AddLine(ImVec2(p.x + left, p.y + height - bottom), ImVec2(p.x + width, p.y + height - bottom), axis);
    dl->AddText(ImVec2(p.x, p.y), axis, fmt::format("{:.0f}", hi).c_str());
    dl->AddText(ImVec2(p.x, p.y + height - bottom - ImGui::GetTextLineHeight()), axis, fmt::format("{:.0f}", lo).c_str());
    for (std::size_t i = 0; i < ui.periods.size(); ++i) dl->AddText(ImVec2(px(i) - 14 * ui.scale, p.y + height - bottom + 2), axis, ui.periods[i].c_str());
    for (const auto& [s, color] : lines) {
        ImVec2 prev;
        bool have = false;
        for (std::size_t i = 0; i < ui.periods.size(); ++i) {
            auto it = s->find(ui.periods[i]);
            if (it == s->end()) {
                have = false;
                continue;
            }
            const ImVec2 q(px(i), py(it->second));
            if (have) dl->AddLine(prev, q, color, 2.5f * ui.scale);
            dl->AddCircleFilled(q, 3.5f * ui.scale, color);
            prev = q;
            have = true;
        }
    }
    ImGui::Dummy(ImVec2(width, height));
    return true;
}

void trend_chart(const Ui& ui, const std::string& code) {
    // 脱贫人口人均纯收入 against 农村居民人均可支配收入, every year in the bundle.
    const auto tp = ui.indicators.series(code, "tp_income_pc");
    const auto rural = ui.indicators.series(code, "rural_income_pc");
    ImGui::TextUnformatted(ui.tr("trend").c_str());
    if (!line_chart(ui, {{&tp, IM_COL32(200, 80, 20, 255)}, {&rural, IM_COL32(44, 123, 182, 255)}}, 120 * ui.scale)) {
        ImGui::TextDisabled("%s", ui.tr("no_data").c_str());
        return;
    }
    ImGui::TextColored(ImVec4(0.78f, 0.31f, 0.08f, 1), "— %s", ui.tr("tp_income").c_str());
    ImGui::TextColored(ImVec4(0.17f, 0.48f, 0.71f, 1), "— %s", ui.tr("rural_income").c_str());
}

float info_panel_width(const Ui& ui) { return std::min(ImGui::GetIO().DisplaySize.x * 0.34f, 480 * ui.scale); }

void info_panel(const Ui& ui, DeskLocal& local, WidgetRects& w, std::vector<Intent>& out, float top) {
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    const float width = info_panel_width(ui);
    ImGui::SetNextWindowPos(ImVec2(display.x - width, top));
    ImGui::SetNextWindowSize(ImVec2(width, display.y - top));
    const std::string code = ui.state.selected.empty() ? ui.focus : ui.state.selected;
    const data::RegionInfo* r = ui.regions.find(code);
    ImGui::Begin(fmt::format("{}###info", r ? r->name : ui.tr("info")).c_str(), nullptr, k_panel);
    if (!r) {
        ImGui::End();
        return;
    }
    ImGui::PushFont(ui.fonts.title);
    ImGui::TextUnformatted(r->name.c_str());
    ImGui::PopFont();
    w.add("panel_title");
    ImGui::TextDisabled("%s %s · %s", ui.tr("code").c_str(), r->code.c_str(), std::string(data::level_name_zh(r->level)).c_str());
    {
        const bool compared = std::find(ui.state.compare.begin(), ui.state.compare.end(), r->code) != ui.state.compare.end();
        const bool full = !compared && ui.state.compare.size() >= k_compare_max;
        ImGui::SameLine();
        ImGui::BeginDisabled(full);
        if (ImGui::SmallButton(ui.tr(compared ? "compare_remove" : "compare_add").c_str())) out.push_back({Intent::Kind::CompareToggle, r->code});
        ImGui::EndDisabled();
        w.add("compare_toggle");
        if (full && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
            ImGui::SetTooltip("%s", fmt::format(fmt::runtime(ui.tr("compare_full")), k_compare_max).c_str());
    }
    const data::Metric* metric = data::find_metric(ui.state.metric);
    const data::RuleInfo* rule = chosen_rule(ui);
    ImGui::Separator();
    if (rule) {
        ImGui::Text("%s %s · %s", std::string(rule->id).c_str(), std::string(rule->name_zh).c_str(), ui.state.period.c_str());
        const auto it = std::find_if(ui.rules.begin(), ui.rules.end(), [&](const data::RuleResult& r) { return r.rule == rule->id; });
        ImGui::PushFont(ui.fonts.title);
        ImGui::TextUnformatted(it == ui.rules.end() ? ui.tr("no_data").c_str() : std::string(data::status_name_zh(it->status)).c_str());
        ImGui::PopFont();
        if (it != ui.rules.end()) ImGui::TextWrapped("%s", it->reason.c_str());
    } else {
        const auto chosen = ui.indicators.value(code, ui.state.metric, ui.state.period);
        ImGui::Text("%s %s", metric ? metric_name(ui, *metric).c_str() : ui.state.metric.c_str(), ui.state.period.c_str());
        ImGui::PushFont(ui.fonts.title);
        ImGui::TextUnformatted(format_value(chosen.value_or(render::k_missing), metric).c_str());
        ImGui::PopFont();
    }
    ImGui::Separator();
    if (ImGui::BeginTable("##key", 2, ImGuiTableFlags_RowBg)) {
        // names take what the values leave (English names are long); one cut short shows whole on hover
        ImGui::TableSetupColumn("##name", ImGuiTableColumnFlags_WidthStretch);
        ImGui::TableSetupColumn("##value", ImGuiTableColumnFlags_WidthFixed, ImGui::CalcTextSize("2,100,000 户").x);
        for (const char* key : {"tp_income_pc", "rural_income_pc", "tp_income_growth", "rural_income_growth", "growth_gap", "income_ratio",
                                "tp_population", "tp_households", "monitored_population", "below_line_population", "migrant_workers"}) {
            const data::Metric* m = data::find_metric(key);
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            const std::string name = metric_name(ui, *m);
            ImGui::TextUnformatted(name.c_str());
            if (ImGui::IsItemHovered() && ImGui::CalcTextSize(name.c_str()).x > ImGui::GetColumnWidth()) ImGui::SetTooltip("%s", name.c_str());
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(format_value(ui.indicators.value(code, key, ui.state.period).value_or(render::k_missing), m).c_str());
        }
        ImGui::EndTable();
    }
    ImGui::Separator();
    income_chart(ui, code);
    ImGui::Separator();
    trend_chart(ui, code);
    ImGui::Separator();

    // The plan's targets for this region: value against target, with the reason.
    if (!ui.rules.empty() && ImGui::CollapsingHeader(ui.tr("rule_results").c_str(), ImGuiTreeNodeFlags_DefaultOpen)) {
        if (ImGui::BeginTable("##rules", 3, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp)) {
            // fixed shares, every cell wrapped: a long rule name or reason wraps inside its column
            // instead of running past the panel's edge or squeezing the reason to a word a line
            ImGui::TableSetupColumn("rule", ImGuiTableColumnFlags_WidthStretch, 0.42f);
            ImGui::TableSetupColumn("status", ImGuiTableColumnFlags_WidthFixed, ImGui::CalcTextSize("未达标 ").x * 1.2f);
            ImGui::TableSetupColumn("reason", ImGuiTableColumnFlags_WidthStretch, 0.58f);
            for (const auto& r : ui.rules) {
                const data::RuleInfo* info = data::find_rule(r.rule);
                ImGui::TableNextRow();
                ImGui::TableNextColumn();
                ImGui::TextWrapped("%s", fmt::format("{} {}", r.rule, info ? info->name_zh : "").c_str());
                ImGui::TableNextColumn();
                const render::Rgba c = MapModel::status_color(static_cast<int>(r.status));
                ImGui::TextColored(r.status == data::RuleStatus::NoData ? ImVec4(0.5f, 0.5f, 0.5f, 1) : ImVec4(c.r / 255.f, c.g / 255.f, c.b / 255.f, 1), "%s",
                                   std::string(data::status_name_zh(r.status)).c_str());
                ImGui::TableNextColumn();
                ImGui::TextWrapped("%s", r.reason.c_str());
            }
            ImGui::EndTable();
        }
    }
    // Open alerts in this region, each moved one step on by the official (with a note where required).
    if (!ui.region_alerts.empty()) {
        const bool open = ImGui::CollapsingHeader(fmt::format("{}（{}）###alerts", ui.tr("open_alerts"), ui.region_alerts.size()).c_str());
        w.add("alerts_header");
        if (open && !ui.read_only_note.empty()) ImGui::TextColored(ImVec4(0.75f, 0.12f, 0.12f, 1), "%s", ui.read_only_note.c_str());
        if (open) {
            ImGui::SetNextItemWidth(-1);
            ImGui::InputTextWithHint("##note", ui.tr("alert_note_hint").c_str(), local.note, sizeof local.note);
            w.add("alert_note");
            for (const auto& a : ui.region_alerts) {
                const auto kind = data::parse_alert_kind(a.kind);
                ImGui::TextWrapped("#%lld %s · %s · %s", static_cast<long long>(a.id), kind ? std::string(data::alert_kind_name_zh(*kind)).c_str() : a.kind.c_str(),
                                   a.risk_category.c_str(), std::string(data::alert_status_name_zh(a.status)).c_str());
                if (a.status != data::AlertStatus::Resolved) {
                    const auto next = static_cast<data::AlertStatus>(static_cast<int>(a.status) + 1);
                    ImGui::SameLine();
                    if (ImGui::SmallButton(fmt::format("{}##step{}", data::alert_status_name_zh(next), a.id).c_str())) {
                        out.push_back({Intent::Kind::AlertStep, local.note, static_cast<int>(a.id)});
                        local.note[0] = 0;
                    }
                    w.add("alert_step:" + std::to_string(a.id));
                }
            }
        }
    }

    // Children of the focus, sortable; a click flies there.
    const data::RegionInfo* f = ui.regions.find(ui.focus);
    if (f && !f->children.empty()) {
        ImGui::TextUnformatted(fmt::format("{}（{}）", ui.tr("children"), f->children.size()).c_str());
        if (ImGui::Button(ui.tr("export_csv").c_str())) out.push_back({Intent::Kind::ExportCsv});
        w.add("export_csv");
        ImGui::SameLine();
        if (ImGui::Button(ui.tr("export_png").c_str())) out.push_back({Intent::Kind::ExportPng});
        w.add("export_png");
        const ImGuiTableFlags flags = ImGuiTableFlags_Sortable | ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_BordersInnerV;
        if (ImGui::BeginTable("##children", 3, flags, ImVec2(0, std::max(160.0f * ui.scale, ImGui::GetContentRegionAvail().y)))) {
            ImGui::TableSetupScrollFreeze(0, 1);
            ImGui::TableSetupColumn(ui.tr("name").c_str(), ImGuiTableColumnFlags_DefaultSort);
            ImGui::TableSetupColumn(ui.tr("value").c_str());
            ImGui::TableSetupColumn(metric_name(ui, *data::find_metric("tp_population")).c_str());
            ImGui::TableHeadersRow();
            if (ImGuiTableSortSpecs* specs = ImGui::TableGetSortSpecs(); specs && specs->SpecsCount > 0) {
                local.sort_column = specs->Specs[0].ColumnIndex;
                local.sort_ascending = specs->Specs[0].SortDirection == ImGuiSortDirection_Ascending;
            }
            struct Row {
                const data::RegionInfo* r;
                double value, people;
            };
            std::vector<Row> rows;
            for (const auto& c : f->children) {
                const data::RegionInfo* child = ui.regions.find(c);
                if (!child) continue;
                rows.push_back({child, ui.indicators.value(c, ui.state.metric, ui.state.period).value_or(render::k_missing),
                                ui.indicators.value(c, "tp_population", ui.state.period).value_or(render::k_missing)});
            }
            std::stable_sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
                auto less = [](double x, double y) { return std::isnan(y) ? !std::isnan(x) : (!std::isnan(x) && x < y); };
                bool lt = local.sort_column == 0 ? a.r->code < b.r->code : local.sort_column == 1 ? less(a.value, b.value) : less(a.people, b.people);
                bool gt = local.sort_column == 0 ? b.r->code < a.r->code : local.sort_column == 1 ? less(b.value, a.value) : less(b.people, a.people);
                return local.sort_ascending ? lt : gt;
            });
            for (const Row& row : rows) {
                ImGui::TableNextRow();
                ImGui::TableNextColumn();
                if (ImGui::Selectable(fmt::format("{}##row{}", row.r->name, row.r->code).c_str(), ui.state.selected == row.r->code,
                                      ImGuiSelectableFlags_SpanAllColumns)) {
                    out.push_back({Intent::Kind::Select, row.r->code});
                }
                w.add("row:" + row.r->code);
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(format_value(row.value, metric).c_str());
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(format_value(row.people, data::find_metric("tp_population")).c_str());
            }
            ImGui::EndTable();
        }
    }
    ImGui::End();
}

void legend_panel(const Ui& ui, WidgetRects& w, std::vector<Intent>& out) {
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    const auto& counts = ui.map.class_counts();
    ImGui::SetNextWindowPos(ImVec2(10 * ui.scale, display.y - 10 * ui.scale), 0, ImVec2(0, 1));
    ImGui::SetNextWindowBgAlpha(0.9f);
    ImGui::Begin("##legend", nullptr, k_panel | ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_AlwaysAutoResize);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float s = ImGui::GetTextLineHeight();
    const MapLegend legend = map_legend(ui);
    ImGui::TextUnformatted(legend.title.c_str());
    if (const data::RuleInfo* rule = chosen_rule(ui))
        ImGui::TextWrapped("%s", std::string(rule->text_zh).c_str());
    for (std::size_t k = 0; k < legend.rows.size(); ++k) {
        const render::LegendRow& row = legend.rows[k];
        const ImVec2 c = ImGui::GetCursorScreenPos();
        dl->AddRectFilled(c, ImVec2(c.x + s * 1.6f, c.y + s), row.hatched ? IM_COL32(217, 217, 217, 255) : to_u32(row.color));
        if (row.hatched) {  // no data: grey with hatching, as on the map
            for (float d = 0; d < s * 2.6f; d += s * 0.35f) {
                dl->AddLine(ImVec2(c.x + std::max(0.0f, d - s), c.y + std::min(s, d)), ImVec2(c.x + std::min(s * 1.6f, d), c.y + std::max(0.0f, d - s * 1.6f)),
                            IM_COL32(150, 150, 150, 255));
            }
        }
        ImGui::Dummy(ImVec2(s * 1.8f, s));
        ImGui::SameLine();
        ImGui::Text("%s  (%d)", row.label.c_str(), k < counts.size() ? counts[k] : 0);
    }
    w.add("legend");
    ImGui::Separator();
    static const char* k_methods[] = {"method_quantile", "method_equal", "method_jenks"};
    ImGui::SetNextItemWidth(140 * ui.scale);
    if (ImGui::BeginCombo("##method", ui.tr(k_methods[std::clamp(ui.method, 0, 2)]).c_str())) {
        for (int m = 0; m < 3; ++m) {
            if (ImGui::Selectable(ui.tr(k_methods[m]).c_str(), ui.method == m)) out.push_back({Intent::Kind::SetMethod, {}, m});
        }
        ImGui::EndCombo();
    }
    ImGui::SameLine();
    int classes = ui.classes;
    ImGui::SetNextItemWidth(100 * ui.scale);
    if (ImGui::SliderInt(ui.tr("classes").c_str(), &classes, 3, 9)) out.push_back({Intent::Kind::SetClasses, {}, classes});
    bool projects = ui.projects, sites = ui.sites, labels = ui.labels;
    if (ImGui::Checkbox(ui.tr("layer_projects").c_str(), &projects)) out.push_back({Intent::Kind::ToggleProjects});
    ImGui::SameLine();
    if (ImGui::Checkbox(ui.tr("layer_sites").c_str(), &sites)) out.push_back({Intent::Kind::ToggleSites});
    ImGui::SameLine();
    if (ImGui::Checkbox(ui.tr("layer_labels").c_str(), &labels)) out.push_back({Intent::Kind::ToggleLabels});
    if (!ui.message.empty()) ImGui::TextWrapped("%s", ui.message.c_str());
    ImGui::End();

    // On-screen zoom, for touch screens without pinch.
    const float b = 44 * ui.scale;
    const float panel_w = std::min(display.x * 0.34f, 480 * ui.scale);
    ImGui::SetNextWindowPos(ImVec2(display.x - panel_w - 10 * ui.scale, display.y - 10 * ui.scale), 0, ImVec2(1, 1));
    ImGui::SetNextWindowBgAlpha(0.8f);
    ImGui::Begin("##zoom", nullptr, k_panel | ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_AlwaysAutoResize);
    if (ImGui::Button("+##zoomin", ImVec2(b, b))) out.push_back({Intent::Kind::Zoom, {}, 1});
    w.add("zoom_in");
    if (ImGui::Button("-##zoomout", ImVec2(b, b))) out.push_back({Intent::Kind::Zoom, {}, -1});
    w.add("zoom_out");
    ImGui::End();
}

// The compared regions' colours in the trend chart (Okabe–Ito: told apart with any colour vision).
constexpr ImU32 k_compare_colors[k_compare_max] = {IM_COL32(230, 159, 0, 255), IM_COL32(86, 180, 233, 255), IM_COL32(0, 158, 115, 255),
                                                   IM_COL32(204, 121, 167, 255)};

// The regions put side by side, across the top of the map: the key indicators a row each, the best
// of each row in green (by the metric's direction), their incomes over the years below. Returns the
// panel's bottom edge.
float compare_panel(const Ui& ui, WidgetRects& w, std::vector<Intent>& out, float top, float width) {
    ImGui::SetNextWindowPos(ImVec2(0, top));
    ImGui::SetNextWindowSize(ImVec2(width, 0));  // the height fits the table
    ImGui::SetNextWindowBgAlpha(0.94f);
    ImGui::Begin("##compare", nullptr, k_panel | ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoScrollbar);
    ImGui::TextUnformatted(fmt::format("{}（{}）", ui.tr("compare"), ui.state.compare.size()).c_str());
    ImGui::SameLine();
    if (ImGui::SmallButton(ui.tr("compare_export").c_str())) out.push_back({Intent::Kind::CompareExport});
    w.add("compare_export");
    ImGui::SameLine();
    if (ImGui::SmallButton(ui.tr("compare_clear").c_str())) out.push_back({Intent::Kind::CompareClear});
    w.add("compare_clear");
    const auto& codes = ui.state.compare;
    const int columns = 1 + static_cast<int>(codes.size());
    if (ImGui::BeginTable("##compare_table", columns, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingStretchProp)) {
        ImGui::TableSetupColumn("##metric", ImGuiTableColumnFlags_WidthStretch, 1.6f);
        for (std::size_t i = 0; i < codes.size(); ++i) ImGui::TableSetupColumn(("##" + codes[i]).c_str(), ImGuiTableColumnFlags_WidthStretch, 1.0f);
        ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
        ImGui::TableNextColumn();
        ImGui::TextDisabled("%s", ui.state.period.c_str());
        for (std::size_t i = 0; i < codes.size(); ++i) {
            const std::string& code = codes[i];
            ImGui::TableNextColumn();
            const data::RegionInfo* r = ui.regions.find(code);
            if (ImGui::SmallButton(("×##remove" + code).c_str())) out.push_back({Intent::Kind::CompareToggle, code});
            w.add("compare_remove:" + code);
            ImGui::SameLine();
            // its colour in the trend chart below
            const ImVec2 c = ImGui::GetCursorScreenPos();
            const float s = ImGui::GetTextLineHeight();
            ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(c.x, c.y + s * 0.3f), ImVec2(c.x + s * 0.8f, c.y + s * 0.7f), k_compare_colors[i % k_compare_max]);
            ImGui::Dummy(ImVec2(s, s));
            ImGui::SameLine();
            ImGui::TextUnformatted(r ? r->name.c_str() : code.c_str());
        }
        for (const std::string_view key : k_compare_metrics) {
            const data::Metric* m = data::find_metric(key);
            std::vector<std::optional<double>> v;
            for (const auto& code : codes) v.push_back(ui.indicators.value(code, key, ui.state.period));
            // the best value of the row, when the metric says which way is better, is a level or a rate
            // (head counts of regions of different sizes are not compared) and two or more have one
            std::optional<double> best;
            const bool count = m->unit == "人" || m->unit == "户";
            if (m->direction != data::Direction::Neutral && !count &&
                std::count_if(v.begin(), v.end(), [](const auto& x) { return x.has_value(); }) >= 2) {
                for (const auto& x : v)
                    if (x && (!best || (m->direction == data::Direction::Higher ? *x > *best : *x < *best))) best = x;
            }
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(metric_name(ui, *m).c_str());
            for (const auto& x : v) {
                ImGui::TableNextColumn();
                const std::string text = format_value(x.value_or(render::k_missing), m);
                if (best && x && *x == *best) ImGui::TextColored(ImVec4(0.1f, 0.55f, 0.25f, 1), "%s", text.c_str());
                else ImGui::TextUnformatted(text.c_str());
            }
        }
        ImGui::EndTable();
    }
    w.add("compare_table");
    // 脱贫人口人均纯收入 over the years, a line per region in its colour
    std::vector<Series> series;
    for (const auto& code : codes) series.push_back(ui.indicators.series(code, "tp_income_pc"));
    std::vector<std::pair<const Series*, ImU32>> lines;
    for (std::size_t i = 0; i < series.size(); ++i) lines.push_back({&series[i], k_compare_colors[i % k_compare_max]});
    ImGui::TextDisabled("%s · %s", metric_name(ui, *data::find_metric("tp_income_pc")).c_str(), ui.tr("trend").c_str());
    if (line_chart(ui, lines, 90 * ui.scale)) w.add("compare_chart");
    const float bottom = ImGui::GetWindowPos().y + ImGui::GetWindowSize().y;
    ImGui::End();
    return bottom;
}

}  // namespace

std::vector<Intent> desk_panels(const Ui& ui, DeskLocal& local, WidgetRects& widgets) {
    std::vector<Intent> out;
    ImGui::PushFont(ui.fonts.body);
    top_bar(ui, local, widgets, out);
    const float top = ImGui::GetFrameHeightWithSpacing() + ImGui::GetStyle().WindowPadding.y * 2;
    info_panel(ui, local, widgets, out, top);
    const float panel_w = info_panel_width(ui), map_right = ImGui::GetIO().DisplaySize.x - panel_w;
    // the comparison, when there is one, across the top of the map: the map shows its region below it
    const float map_top = ui.state.compare.empty() ? top : compare_panel(ui, widgets, out, top, map_right);
    widgets.map_insets = {0, map_top, panel_w, 0};
    legend_panel(ui, widgets, out);
    // Hover tooltip over the map.
    if (!ui.hover.empty() && !ImGui::GetIO().WantCaptureMouse) {
        if (const data::RegionInfo* r = ui.regions.find(ui.hover)) {
            ImGui::BeginTooltip();
            ImGui::TextUnformatted(r->name.c_str());
            ImGui::TextDisabled("%s", r->code.c_str());
            const double v = ui.map.value_of(r->code);
            if (ui.state.metric.rfind("rule:", 0) == 0) {
                ImGui::TextUnformatted(std::isnan(v) ? ui.tr("no_data").c_str() : std::string(data::status_name_zh(static_cast<data::RuleStatus>(static_cast<int>(v)))).c_str());
            } else {
                ImGui::TextUnformatted(format_value(v, data::find_metric(ui.state.metric)).c_str());
            }
            ImGui::EndTooltip();
        }
    }
    // The mark in the map's top-right corner, beside the info panel (not over its table); the banner
    // under the top bar, over the map to the mark's left: the breadcrumbs, search, indicator and
    // year stay usable.
    const float mark_left = synthetic_mark(ui, map_right - 10 * ui.scale, map_top + 8 * ui.scale);
    source_banner(ui, widgets, 0, mark_left - 10 * ui.scale, map_top + 8 * ui.scale);
    ImGui::PopFont();
    return out;
}

}  // namespace onemap::app
