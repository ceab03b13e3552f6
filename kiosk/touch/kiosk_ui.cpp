// kiosk — villagers at a touchscreen: big buttons, big type, plain words. Screens: my village,
// the policy explained, projects near me; an attract loop when left alone; an admin PIN pad.
#include "kiosk/gui/gui_model.hpp"

#include "render/classify.hpp"

#include <imgui.h>
#include <imgui_internal.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace onemap::app {

namespace {

constexpr ImGuiWindowFlags k_panel = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
                                     ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoTitleBar;

bool big_button(const Ui& ui, const std::string& label, const std::string& id, WidgetRects& w, bool active = false, float width = 0) {
    if (active) ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
    // Act on the touch itself, as the keypad does: a quick tap whose release lands in the same poll
    // is never lost.
    const bool pressed = ImGui::ButtonEx(fmt::format("{}##{}", label, id).c_str(), ImVec2(width > 0 ? width : -1, ui.touch_px * 1.2f),
                                         ImGuiButtonFlags_PressedOnClick);
    if (active) ImGui::PopStyleColor();
    w.add(id);
    return pressed;
}

void village_facts(const Ui& ui, const std::string& code) {
    const data::RegionInfo* r = ui.regions.find(code);
    if (!r) return;
    ImGui::PushFont(ui.fonts.title);
    ImGui::TextWrapped("%s · %s", r->name.c_str(), ui.tr("kiosk_facts").c_str());
    ImGui::PopFont();
    const double households = ui.indicators.value(code, "tp_households", ui.state.period).value_or(0);
    if (households < 5) {  // region figures under 5 households are not shown on public screens
        ImGui::TextWrapped("%s", ui.tr("kiosk_suppressed").c_str());
        return;
    }
    const double people = ui.indicators.value(code, "tp_population", ui.state.period).value_or(0);
    ImGui::TextWrapped("%s", fmt::format(fmt::runtime(ui.tr("kiosk_fact_households")), static_cast<long long>(households),
                                         static_cast<long long>(people)).c_str());
    if (auto income = ui.indicators.value(code, "tp_income_pc", ui.state.period)) {
        const auto growth = ui.indicators.value(code, "tp_income_growth", ui.state.period);
        ImGui::TextWrapped("%s", fmt::format(fmt::runtime(ui.tr("kiosk_fact_income")), ui.state.period, static_cast<long long>(std::lround(*income)),
                                             growth ? fmt::format("{:.1f}%", *growth) : std::string("—")).c_str());
    }
    if (auto rural = ui.indicators.value(code, "rural_income_pc", ui.state.period)) {
        ImGui::TextWrapped("%s", fmt::format(fmt::runtime(ui.tr("kiosk_fact_rural")), static_cast<long long>(std::lround(*rural))).c_str());
    }
}

void admin_pad(const Ui& ui, WidgetRects& w, std::vector<Intent>& out) {
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    const float key = ui.touch_px * 1.3f;
    // A modal: while it is open, every touch goes to it.
    if (!ImGui::IsPopupOpen("##admin")) ImGui::OpenPopup("##admin");
    ImGui::SetNextWindowPos(ImVec2(display.x / 2, display.y / 2), 0, ImVec2(0.5f, 0.5f));
    if (!ImGui::BeginPopupModal("##admin", nullptr, k_panel | ImGuiWindowFlags_AlwaysAutoResize)) return;
    ImGui::TextUnformatted(ui.tr("admin_pin").c_str());
    ImGui::PushFont(ui.fonts.title);
    ImGui::TextUnformatted(std::string(ui.lookup.typing ? ui.lookup.typing->pin.size() : 0, '*').append(" ").c_str());
    ImGui::PopFont();
    static const char* k_keys[] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "C", "0", "OK"};
    for (int i = 0; i < 12; ++i) {
        if (i % 3) ImGui::SameLine();
        const std::string id = std::string("pin:") + k_keys[i];
        // Keys act on the touch itself (not its release), as keypads do.
        if (ImGui::ButtonEx(fmt::format("{}##{}", k_keys[i], id).c_str(), ImVec2(key, key), ImGuiButtonFlags_PressedOnClick)) {
            out.push_back({Intent::Kind::PinKey, k_keys[i]});
        }
        w.add(id);
    }
    if (ImGui::Button(ui.tr("cancel").c_str(), ImVec2(-1, key * 0.7f))) {
        out.push_back({Intent::Kind::AdminCancel});
    }
    w.add("pin:cancel");
    ImGui::EndPopup();
}

// One key of the look-up keypad; acts on the touch, like the PIN pad.
bool pad_key(const std::string& label, const std::string& id, float size, bool enabled, WidgetRects& w) {
    ImGui::BeginDisabled(!enabled);
    const bool pressed = ImGui::ButtonEx(fmt::format("{}##{}", label, id).c_str(), ImVec2(size, size * 0.8f), ImGuiButtonFlags_PressedOnClick);
    ImGui::EndDisabled();
    w.add(id);
    return pressed && enabled;
}

std::string grouped_id(const std::string& id) {  // 410225 19760421 2159: easier to check by eye
    std::string out;
    for (std::size_t i = 0; i < id.size(); ++i) {
        if (i == 6 || i == 14) out += ' ';
        out += id[i];
    }
    return out;
}

void household_card(const Ui& ui, WidgetRects& w, std::vector<Intent>& out) {
    const LookupView& lk = ui.lookup;
    const data::HouseholdCard& c = *lk.card;
    ImFont* body = lk.big ? ui.fonts.title : ui.fonts.body;
    ImFont* head = lk.big ? ui.fonts.huge : ui.fonts.title;
    const float bw = ui.touch_px * 2.6f;
    ImGui::PushFont(ui.fonts.title);
    ImGui::TextUnformatted(ui.tr("lookup_card_title").c_str());
    ImGui::PopFont();
    ImGui::SameLine(ImGui::GetWindowContentRegionMax().x - bw * (lk.can_speak ? 3 : 2) - ImGui::GetStyle().ItemSpacing.x * 2);
    if (ImGui::ButtonEx(fmt::format("{}##lookup:big", ui.tr("lookup_big")).c_str(), ImVec2(bw, ui.touch_px), ImGuiButtonFlags_PressedOnClick)) {
        out.push_back({Intent::Kind::LookupBig});
    }
    w.add("lookup:big");
    if (lk.can_speak) {
        ImGui::SameLine();
        if (ImGui::ButtonEx(fmt::format("{}##lookup:speak", ui.tr("lookup_speak")).c_str(), ImVec2(bw, ui.touch_px), ImGuiButtonFlags_PressedOnClick)) {
            out.push_back({Intent::Kind::LookupSpeak});
        }
        w.add("lookup:speak");
    }
    ImGui::SameLine();
    ImGui::PushStyleColor(ImGuiCol_Button, ImVec4(0.75f, 0.15f, 0.1f, 1));
    if (ImGui::ButtonEx(fmt::format("{}##lookup:end", ui.tr("lookup_end")).c_str(), ImVec2(bw, ui.touch_px), ImGuiButtonFlags_PressedOnClick)) {
        out.push_back({Intent::Kind::LookupClose});
    }
    ImGui::PopStyleColor();
    w.add("lookup:end");
    ImGui::Separator();

    ImGui::BeginChild("##card", ImVec2(0, -ImGui::GetTextLineHeightWithSpacing() * 1.5f), false);
    ImGui::PushFont(body);
    const ImVec4 label(1.0f, 0.8f, 0.2f, 1);
    auto field = [&](const char* key, const std::string& value) {
        ImGui::TextColored(label, "%s", ui.tr(key).c_str());
        ImGui::SameLine();
        ImGui::TextWrapped("%s", value.c_str());
    };
    field("lookup_head", c.head_masked);
    field("lookup_village", lk.village_name.empty() ? c.village_code : lk.village_name);
    field("lookup_type", c.household_type);
    field("lookup_members", fmt::format(fmt::runtime(ui.tr("lookup_members_value")), c.members, c.labour, c.employed_members));

    ImGui::PushFont(head);
    ImGui::TextUnformatted(fmt::format(fmt::runtime(ui.tr("lookup_benefits")), c.year).c_str());
    ImGui::PopFont();
    if (c.benefits.empty()) ImGui::TextWrapped("%s", ui.tr("lookup_benefits_none").c_str());
    if (!c.benefits.empty() && ImGui::BeginTable("##benefits", 4, ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg)) {
        for (const auto& b : c.benefits) {
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::TextWrapped("%s", b.program.c_str());
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(fmt::format(fmt::runtime(ui.tr("lookup_yuan")), fmt::format("{:.0f}", b.amount)).c_str());
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(b.paid_date.empty() ? "—" : b.paid_date.c_str());
            ImGui::TableNextColumn();
            if (b.paid) ImGui::TextColored(ImVec4(0.4f, 0.9f, 0.4f, 1), "%s", ui.tr("lookup_paid").c_str());
            else ImGui::TextColored(ImVec4(1.0f, 0.7f, 0.2f, 1), "%s", ui.tr("lookup_pending").c_str());
        }
        ImGui::EndTable();
    }
    ImGui::PushFont(head);
    ImGui::TextUnformatted(ui.tr("lookup_measures").c_str());
    ImGui::PopFont();
    if (c.measures.empty()) ImGui::TextWrapped("%s", ui.tr("lookup_measures_none").c_str());
    for (const auto& m : c.measures) {
        ImGui::Bullet();
        ImGui::TextWrapped("%s：%s（%s）", m.family.c_str(), m.description.c_str(), m.start_month.c_str());
    }
    if (!c.items.empty() && lk.items) {
        ImGui::PushFont(head);
        ImGui::TextUnformatted(ui.tr("lookup_items").c_str());
        ImGui::PopFont();
        for (const auto& item : c.items) {
            const auto it = lk.items->find(item.key);
            if (it == lk.items->end()) continue;
            ImGui::TextColored(item.in_place ? ImVec4(0.4f, 0.9f, 0.4f, 1) : ImVec4(1.0f, 0.7f, 0.2f, 1), "【%s】",
                               ui.tr(item.in_place ? "lookup_in_place" : "lookup_can_apply").c_str());
            ImGui::SameLine();
            ImGui::TextWrapped("%s", it->second.title.c_str());
            ImGui::TextWrapped("%s", it->second.body.c_str());
            ImGui::TextColored(label, "%s：", ui.tr("kiosk_next").c_str());
            ImGui::SameLine();
            ImGui::TextWrapped("%s", it->second.next.c_str());
            ImGui::Spacing();
        }
    }
    if (!c.contact_name.empty() || !c.contact_phone.empty()) {
        ImGui::PushFont(head);
        ImGui::TextUnformatted(ui.tr("lookup_contact").c_str());
        ImGui::PopFont();
        ImGui::TextWrapped("%s  %s", c.contact_name.c_str(), c.contact_phone.c_str());
    }
    ImGui::PopFont();
    ImGui::EndChild();
    w.add("lookup:card");
    ImGui::TextDisabled("%s", fmt::format(fmt::runtime(ui.tr("lookup_closes_in")), static_cast<int>(std::ceil(lk.closes_in_s))).c_str());
}

void lookup_screen(const Ui& ui, WidgetRects& w, std::vector<Intent>& out) {
    const LookupView& lk = ui.lookup;
    static const KioskTyping k_none;
    const KioskTyping& local = lk.typing ? *lk.typing : k_none;
    ImGui::PushFont(ui.fonts.title);
    if (!lk.available) {
        ImGui::TextWrapped("%s", ui.tr("lookup_unavailable").c_str());
        ImGui::PopFont();
        w.add("lookup:unavailable");
        return;
    }
    if (lk.card) {
        ImGui::PopFont();
        household_card(ui, w, out);
        return;
    }
    const bool paused = lk.paused_s > 0;
    const std::string title = !local.at_factor ? ui.tr("lookup_id_title") : ui.tr("lookup_factor_" + lk.factor_kind);
    ImGui::TextWrapped("%s", title.c_str());
    ImGui::PopFont();
    if (!local.at_factor) ImGui::TextWrapped("%s", ui.tr("lookup_id_hint").c_str());

    // What has been typed: the ID grouped for checking; the second factor as dots.
    ImGui::PushFont(ui.fonts.huge);
    const std::string shown = local.at_factor ? std::string(local.factor.size(), '*') : grouped_id(local.id);
    ImGui::TextUnformatted((shown.empty() ? std::string(" ") : shown).c_str());
    ImGui::PopFont();
    w.add("lookup:typed");
    const bool id_complete = local.id.size() == 18;
    const bool id_ok = id_complete && data::valid_id_number(local.id);
    if (paused) {
        ImGui::TextColored(ImVec4(1.0f, 0.5f, 0.3f, 1), "%s",
                           fmt::format(fmt::runtime(ui.tr("lookup_paused")), static_cast<int>(std::ceil(lk.paused_s))).c_str());
    } else if (!local.at_factor && id_complete && !id_ok) {
        ImGui::TextColored(ImVec4(1.0f, 0.5f, 0.3f, 1), "%s", ui.tr("lookup_id_bad").c_str());  // at once, before any look-up
    } else if (!lk.message.empty()) {
        ImGui::PushTextWrapPos(0);
        ImGui::TextColored(ImVec4(1.0f, 0.8f, 0.2f, 1), "%s", lk.message.c_str());
        ImGui::PopTextWrapPos();
    }
    w.add("lookup:message");

    // The keypad; a physical keyboard or an ID-card reader typing into it obeys the same rules.
    const ImGuiIO& io = ImGui::GetIO();
    if (!paused) {
        for (int i = 0; i < io.InputQueueCharacters.Size; ++i) {
            const ImWchar ch = io.InputQueueCharacters[i];
            if (ch < 128) out.push_back({Intent::Kind::LookupKey, std::string(1, static_cast<char>(ch))});
        }
    }
    const float key = std::min(ui.touch_px * 1.8f, (ImGui::GetContentRegionAvail().x - 2 * ImGui::GetStyle().ItemSpacing.x) / 3);
    static const char* k_keys[] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "X", "0", "<"};
    const std::string& typed = local.at_factor ? local.factor : local.id;
    for (int i = 0; i < 12; ++i) {
        if (i % 3) ImGui::SameLine();
        const std::string id = std::string("key:") + k_keys[i];
        if (i == 9 && local.at_factor) {  // no X in a phone number
            ImGui::Dummy(ImVec2(key, key * 0.8f));
            continue;
        }
        const std::string label = i == 11 ? ui.tr("lookup_backspace") : std::string(k_keys[i]);
        const bool enabled = !paused && (i == 11 ? !typed.empty() : true);
        if (pad_key(label, id, key, enabled, w)) {
            out.push_back({Intent::Kind::LookupKey, i == 11 ? std::string("<") : std::string(k_keys[i])});
        }
    }
    ImGui::Spacing();
    const float wide = key * 3 + 2 * ImGui::GetStyle().ItemSpacing.x;
    if (!local.at_factor) {
        ImGui::BeginDisabled(paused || !id_complete);
        if (ImGui::ButtonEx(fmt::format("{}##lookup:next", ui.tr("lookup_next")).c_str(), ImVec2(wide, ui.touch_px * 1.2f),
                            ImGuiButtonFlags_PressedOnClick)) {
            out.push_back({Intent::Kind::LookupNext});
        }
        ImGui::EndDisabled();
        w.add("lookup:next");
    } else {
        ImGui::BeginDisabled(paused || local.factor.size() < 4);
        if (ImGui::ButtonEx(fmt::format("{}##lookup:submit", ui.tr("lookup_submit")).c_str(), ImVec2(wide, ui.touch_px * 1.2f),
                            ImGuiButtonFlags_PressedOnClick)) {
            out.push_back({Intent::Kind::LookupSubmit});
        }
        ImGui::EndDisabled();
        w.add("lookup:submit");
        if (ImGui::ButtonEx(fmt::format("{}##lookup:back", ui.tr("lookup_change_id")).c_str(), ImVec2(wide, ui.touch_px), ImGuiButtonFlags_PressedOnClick)) {
            out.push_back({Intent::Kind::LookupChangeId});
        }
        w.add("lookup:back");
    }
}

}  // namespace

std::vector<Intent> kiosk_panels(const Ui& ui, WidgetRects& w) {
    std::vector<Intent> out;
    ImGui::PushFont(ui.fonts.body);
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    const std::string home = ui.config.home_region.empty() ? (ui.regions.root() ? ui.regions.root()->code : "") : ui.config.home_region;

    if (ui.screen == KioskScreen::Attract) {
        // Attract loop: the map tours slowly; a big invitation and a rotating fact.
        ImDrawList* dl = ImGui::GetForegroundDrawList();
        ImFont* f = ui.fonts.huge;
        const std::string& invite = ui.tr("kiosk_touch_to_start");
        const ImVec2 size = f->CalcTextSizeA(f->FontSize, 1e9f, 0, invite.c_str());
        const float pulse = 0.75f + 0.25f * static_cast<float>(std::sin(ui.idle_seconds * 2.0));
        const ImVec2 pos((display.x - size.x) / 2, display.y * 0.72f);
        dl->AddRectFilled(ImVec2(pos.x - 30 * ui.scale, pos.y - 20 * ui.scale), ImVec2(pos.x + size.x + 30 * ui.scale, pos.y + size.y + 20 * ui.scale),
                          IM_COL32(0, 0, 0, 200), 16 * ui.scale);
        dl->AddText(f, f->FontSize, pos, IM_COL32(255, 255, 255, static_cast<int>(255 * pulse)), invite.c_str());
        // Rotating facts: the place, then one policy card after another, every six seconds.
        if (const data::RegionInfo* r = ui.regions.find(home)) {
            const auto slot = static_cast<std::size_t>(ui.idle_seconds / 6.0);
            std::string fact = r->name;
            if (!ui.policy.empty() && slot % (ui.policy.size() + 1) != 0) {
                const PolicyCard& c = ui.policy[slot % (ui.policy.size() + 1) - 1];
                fact = c.title + "：" + c.body;
            }
            const float wrap = display.x - 80 * ui.scale;
            const ImVec2 fs = ui.fonts.title->CalcTextSizeA(ui.fonts.title->FontSize, 1e9f, wrap, fact.c_str());
            dl->AddRectFilled(ImVec2(30 * ui.scale, 30 * ui.scale), ImVec2(50 * ui.scale + fs.x, 50 * ui.scale + fs.y), IM_COL32(0, 0, 0, 190),
                              12 * ui.scale);
            dl->AddText(ui.fonts.title, ui.fonts.title->FontSize, ImVec2(40 * ui.scale, 40 * ui.scale), IM_COL32(255, 255, 255, 255), fact.c_str(),
                        nullptr, wrap);
        }
        synthetic_mark(ui);
        ImGui::PopFont();
        return out;
    }

    // Left column: the screens, as large buttons.
    const float column = std::max(display.x * 0.26f, ui.touch_px * 5);
    w.map_insets = {column, 0, 0, 0};
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(column, display.y));
    ImGui::Begin("##nav", nullptr, k_panel);
    ImGui::PushFont(ui.fonts.title);
    if (const data::RegionInfo* r = ui.regions.find(home)) ImGui::TextWrapped("%s", r->name.c_str());
    ImGui::PopFont();
    ImGui::Spacing();
    if (big_button(ui, ui.tr("kiosk_home"), "kiosk:home", w, ui.screen == KioskScreen::Home)) out.push_back({Intent::Kind::Screen, "home"});
    ImGui::Spacing();
    if (big_button(ui, ui.tr("kiosk_policy"), "kiosk:policy", w, ui.screen == KioskScreen::Policy)) out.push_back({Intent::Kind::Screen, "policy"});
    ImGui::Spacing();
    if (big_button(ui, ui.tr("kiosk_projects"), "kiosk:projects", w, ui.screen == KioskScreen::Projects)) out.push_back({Intent::Kind::Screen, "projects"});
    ImGui::Spacing();
    if (big_button(ui, ui.tr("kiosk_lookup"), "kiosk:lookup", w, ui.screen == KioskScreen::Lookup)) out.push_back({Intent::Kind::Screen, "lookup"});
    ImGui::Spacing();
    if (ui.focus != home && big_button(ui, ui.tr("back"), "kiosk:back", w)) out.push_back({Intent::Kind::Back});
    // Zoom for those without pinch: on-screen + and −.
    ImGui::SetCursorPosY(display.y - ui.touch_px * 1.6f);
    if (ImGui::Button("+##zoomin", ImVec2(ui.touch_px * 1.2f, ui.touch_px * 1.2f))) out.push_back({Intent::Kind::Zoom, {}, 1});
    w.add("kiosk:zoom_in");
    ImGui::SameLine();
    if (ImGui::Button("-##zoomout", ImVec2(ui.touch_px * 1.2f, ui.touch_px * 1.2f))) out.push_back({Intent::Kind::Zoom, {}, -1});
    w.add("kiosk:zoom_out");
    ImGui::End();

    // Right: the screen's content over the map.
    const float panel_w = std::min(display.x * 0.36f, 900.0f * ui.scale);
    if (ui.screen == KioskScreen::Home) {
        ImGui::SetNextWindowPos(ImVec2(display.x - panel_w - 16 * ui.scale, 16 * ui.scale));
        ImGui::SetNextWindowSize(ImVec2(panel_w, 0));
        ImGui::Begin("##facts", nullptr, k_panel | ImGuiWindowFlags_AlwaysAutoResize);
        village_facts(ui, ui.state.selected.empty() ? ui.focus : ui.state.selected);
        // the facts lie across the top: the place is shown below them (beside them, it would be narrow)
        w.map_insets[1] = ImGui::GetWindowPos().y + ImGui::GetWindowSize().y;
        ImGui::End();
    } else if (ui.screen == KioskScreen::Policy) {
        ImGui::SetNextWindowPos(ImVec2(column, 0));
        ImGui::SetNextWindowSize(ImVec2(display.x - column, display.y));
        ImGui::Begin("##policy", nullptr, k_panel);
        for (std::size_t i = 0; i < ui.policy.size(); ++i) {
            const PolicyCard& c = ui.policy[i];
            ImGui::PushFont(ui.fonts.title);
            ImGui::TextWrapped("%s", c.title.c_str());
            ImGui::PopFont();
            ImGui::TextWrapped("%s", c.body.c_str());
            ImGui::TextColored(ImVec4(1.0f, 0.8f, 0.2f, 1), "%s：", ui.tr("kiosk_next").c_str());
            ImGui::SameLine();
            ImGui::TextWrapped("%s", c.next.c_str());
            ImGui::Separator();
        }
        w.add("kiosk:policy_cards");
        ImGui::End();
    } else if (ui.screen == KioskScreen::Projects) {
        ImGui::SetNextWindowPos(ImVec2(display.x - panel_w - 16 * ui.scale, 16 * ui.scale));
        ImGui::SetNextWindowSize(ImVec2(panel_w, display.y - 32 * ui.scale));
        ImGui::Begin("##projects", nullptr, k_panel);
        w.map_insets[2] = panel_w + 16 * ui.scale;
        ImGui::PushFont(ui.fonts.title);
        ImGui::TextUnformatted(ui.tr("kiosk_projects").c_str());
        ImGui::PopFont();
        int shown = 0;
        if (ui.projects_list) {
            for (const auto& p : *ui.projects_list) {
                if (home.size() >= 6 ? p.county_code != home.substr(0, 6) && p.village_code.rfind(home, 0) != 0 : p.county_code.rfind(home, 0) != 0) continue;
                ImGui::Bullet();
                const std::string line = fmt::format("{} · {} · {}", p.name, p.category, p.batch);
                ImGui::TextWrapped("%s", line.c_str());
                w.missing_glyphs += missing_glyphs(ImGui::GetFont(), line);
                if (++shown >= 30) break;
            }
        }
        if (shown == 0) ImGui::TextWrapped("%s", ui.tr("kiosk_projects_none").c_str());
        w.add("kiosk:project_list");
        ImGui::End();
    } else if (ui.screen == KioskScreen::Lookup) {
        ImGui::SetNextWindowPos(ImVec2(column, 0));
        ImGui::SetNextWindowSize(ImVec2(display.x - column, display.y));
        ImGui::Begin("##lookup", nullptr, k_panel);
        lookup_screen(ui, w, out);
        ImGui::End();
    }
    if (ui.admin_pad) admin_pad(ui, w, out);
    if (!ui.message.empty()) {
        ImGui::SetNextWindowPos(ImVec2(display.x / 2, display.y - 20 * ui.scale), 0, ImVec2(0.5f, 1));
        ImGui::Begin("##message", nullptr, k_panel | ImGuiWindowFlags_AlwaysAutoResize);
        ImGui::TextUnformatted(ui.message.c_str());
        ImGui::End();
    }
    synthetic_mark(ui);
    ImGui::PopFont();
    return out;
}

}  // namespace onemap::app
