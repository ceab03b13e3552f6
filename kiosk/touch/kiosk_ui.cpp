// kiosk — villagers at a touchscreen, many of them elderly (适老化): text and buttons sized in
// millimetres, a theme whose every text is ≥ 4.5 : 1 on its background, one line per screen that
// says what to do, and on every screen 返回首页, 大字, 高对比 and 朗读. Screens: home (the place in
// sentences and four big choices), the policy (pages, not scrolling), projects near me (with the
// symbols' legend), 找我的村 (pinyin initials or a code), 查询我家; an attract loop when left alone;
// an admin PIN pad. What each screen says comes from the session (kiosk/session/session_access.cpp).
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

ImVec4 col(Rgb c, float a = 1) { return ImVec4(c.r, c.g, c.b, a); }
ImU32 u32(Rgb c, float a = 1) { return ImGui::GetColorU32(col(c, a)); }

enum class Icon { Home, Policy, Projects, Lookup, Find, Large, Contrast, Speak, Back };

// Simple line icons drawn with the draw list (no icon font needed): a house, a page, a map pin,
// a person, a magnifier, 大 for 大字, a half-filled circle, a speaker, an arrow.
void draw_icon(ImDrawList* dl, Icon icon, ImVec2 c, float s, ImU32 color) {
    const float t = std::max(2.0f, s * 0.09f);
    switch (icon) {
        case Icon::Home:
            dl->AddTriangle(ImVec2(c.x - s * 0.45f, c.y - s * 0.02f), ImVec2(c.x, c.y - s * 0.45f), ImVec2(c.x + s * 0.45f, c.y - s * 0.02f), color, t);
            dl->AddRect(ImVec2(c.x - s * 0.3f, c.y - s * 0.02f), ImVec2(c.x + s * 0.3f, c.y + s * 0.42f), color, 0, 0, t);
            break;
        case Icon::Policy:
            dl->AddRect(ImVec2(c.x - s * 0.32f, c.y - s * 0.42f), ImVec2(c.x + s * 0.32f, c.y + s * 0.42f), color, s * 0.05f, 0, t);
            for (int i = 0; i < 3; ++i) dl->AddLine(ImVec2(c.x - s * 0.18f, c.y - s * 0.2f + i * s * 0.2f), ImVec2(c.x + s * 0.18f, c.y - s * 0.2f + i * s * 0.2f), color, t);
            break;
        case Icon::Projects:
            dl->AddCircle(ImVec2(c.x, c.y - s * 0.15f), s * 0.25f, color, 24, t);
            dl->AddLine(ImVec2(c.x - s * 0.2f, c.y), ImVec2(c.x, c.y + s * 0.45f), color, t);
            dl->AddLine(ImVec2(c.x + s * 0.2f, c.y), ImVec2(c.x, c.y + s * 0.45f), color, t);
            break;
        case Icon::Lookup:
            dl->AddCircle(ImVec2(c.x, c.y - s * 0.2f), s * 0.2f, color, 24, t);
            dl->PathArcTo(ImVec2(c.x, c.y + s * 0.45f), s * 0.38f, IM_PI, 2 * IM_PI, 16);
            dl->PathStroke(color, 0, t);
            break;
        case Icon::Find:
            dl->AddCircle(ImVec2(c.x - s * 0.08f, c.y - s * 0.08f), s * 0.27f, color, 24, t);
            dl->AddLine(ImVec2(c.x + s * 0.12f, c.y + s * 0.12f), ImVec2(c.x + s * 0.42f, c.y + s * 0.42f), color, t * 1.4f);
            break;
        case Icon::Large:
            dl->AddText(ImGui::GetFont(), s * 0.9f, ImVec2(c.x - s * 0.45f, c.y - s * 0.5f), color, "A");
            dl->AddText(ImGui::GetFont(), s * 0.55f, ImVec2(c.x + s * 0.12f, c.y - s * 0.1f), color, "a");
            break;
        case Icon::Contrast:
            dl->AddCircle(c, s * 0.38f, color, 32, t);
            dl->PathArcTo(c, s * 0.38f, -IM_PI / 2, IM_PI / 2, 16);
            dl->PathFillConvex(color);
            break;
        case Icon::Speak:
            dl->AddRectFilled(ImVec2(c.x - s * 0.4f, c.y - s * 0.12f), ImVec2(c.x - s * 0.2f, c.y + s * 0.12f), color);
            dl->AddTriangleFilled(ImVec2(c.x - s * 0.2f, c.y - s * 0.12f), ImVec2(c.x + s * 0.05f, c.y - s * 0.38f), ImVec2(c.x + s * 0.05f, c.y + s * 0.38f), color);
            dl->AddTriangleFilled(ImVec2(c.x - s * 0.2f, c.y + s * 0.12f), ImVec2(c.x - s * 0.2f, c.y - s * 0.12f), ImVec2(c.x + s * 0.05f, c.y + s * 0.38f), color);
            dl->PathArcTo(ImVec2(c.x + s * 0.05f, c.y), s * 0.25f, -0.9f, 0.9f, 10);
            dl->PathStroke(color, 0, t);
            break;
        case Icon::Back:
            dl->AddLine(ImVec2(c.x + s * 0.35f, c.y), ImVec2(c.x - s * 0.35f, c.y), color, t);
            dl->AddLine(ImVec2(c.x - s * 0.35f, c.y), ImVec2(c.x - s * 0.05f, c.y - s * 0.3f), color, t);
            dl->AddLine(ImVec2(c.x - s * 0.35f, c.y), ImVec2(c.x - s * 0.05f, c.y + s * 0.3f), color, t);
            break;
    }
}

enum class Style { Normal, Selected, End };

// A touch target: at least target_px high, pressed on the touch itself (a quick tap whose release
// lands in the same poll is never lost), coloured from the theme, an optional icon at its left.
bool touch_button(const Ui& ui, const std::string& label, const std::string& id, WidgetRects& w, float width = -1, float height = 0,
                  Style style = Style::Normal, std::optional<Icon> icon = std::nullopt, bool enabled = true) {
    const KioskPalette& p = ui.palette;
    Rgb bg = p.button, fg = p.button_text;
    if (style == Style::Selected) bg = p.button_selected, fg = p.button_selected_text;
    if (style == Style::End) bg = p.end_button, fg = p.end_button_text;
    if (!enabled) bg = p.disabled_button, fg = p.disabled_text;
    ImGui::PushStyleColor(ImGuiCol_Button, col(bg));
    ImGui::PushStyleColor(ImGuiCol_ButtonHovered, col(bg));  // a finger does not hover
    ImGui::PushStyleColor(ImGuiCol_ButtonActive, col(p.button_pressed));
    ImGui::PushStyleColor(ImGuiCol_Text, col(fg));
    const float h = std::max(height, ui.sizes.target_px);
    const float icon_w = icon ? h * 0.8f : 0;
    const std::string text = icon ? std::string(static_cast<std::size_t>(std::ceil(icon_w / std::max(1.0f, ImGui::CalcTextSize(" ").x))), ' ') + label : label;
    ImGui::BeginDisabled(!enabled);
    const bool pressed = ImGui::ButtonEx(fmt::format("{}##{}", text, id).c_str(), ImVec2(width, h), ImGuiButtonFlags_PressedOnClick);
    // a label wider than its button is cut: counted, and the state file says how many (tests want 0)
    if (ImGui::CalcTextSize(text.c_str()).x + ImGui::GetStyle().FramePadding.x * 2 > ImGui::GetItemRectSize().x + 0.5f) ++w.clipped_labels;
    ImGui::EndDisabled();
    const bool held = ImGui::IsItemActive();
    ImGui::PopStyleColor(4);
    if (icon) {
        const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
        const float size = std::min(h * 0.62f, icon_w);
        draw_icon(ImGui::GetWindowDrawList(), *icon, ImVec2(a.x + ImGui::GetStyle().FramePadding.x + size * 0.6f, (a.y + b.y) / 2), size,
                  u32(held ? p.button_pressed_text : fg));
    }
    w.target(id);
    return pressed && enabled;
}

void heading(const Ui& ui, const std::string& text) {
    ImGui::PushFont(ui.fonts.title);
    ImGui::TextWrapped("%s", text.c_str());
    ImGui::PopFont();
}

void instruction_line(const Ui& ui, WidgetRects& w) {
    const std::string line = ui.session->instruction(std::chrono::steady_clock::now());
    if (line.empty()) return;
    ImGui::PushStyleColor(ImGuiCol_Text, col(ui.palette.label));
    ImGui::TextWrapped("%s", line.c_str());
    ImGui::PopStyleColor();
    w.add("kiosk:instruction");
    ImGui::Spacing();
}

// 上一页 / 第 n 页，共 m 页 / 下一页
void pager(const Ui& ui, WidgetRects& w, std::vector<Intent>& out) {
    const int pages = ui.session->pages();
    if (pages <= 1) return;
    const int page = ui.session->page();
    const float bw = std::max(ui.sizes.target_px * 2.6f, ImGui::CalcTextSize(ui.tr("kiosk_page_prev").c_str()).x + ui.sizes.target_px * 0.6f);
    if (touch_button(ui, ui.tr("kiosk_page_prev"), "kiosk:page_prev", w, bw, 0, Style::Normal, std::nullopt, page > 0)) out.push_back({Intent::Kind::Page, {}, -1});
    ImGui::SameLine();
    const std::string of = fmt::format(fmt::runtime(ui.tr("kiosk_page_of")), page + 1, pages);
    const float y = ImGui::GetCursorPosY();
    ImGui::SetCursorPosY(y + (ui.sizes.target_px - ImGui::GetTextLineHeight()) / 2);
    ImGui::TextUnformatted(of.c_str());
    w.add("kiosk:page_of");
    ImGui::SameLine();
    ImGui::SetCursorPosY(y);
    if (touch_button(ui, ui.tr("kiosk_page_next"), "kiosk:page_next", w, bw, 0, Style::Normal, std::nullopt, page + 1 < pages)) out.push_back({Intent::Kind::Page, {}, 1});
}

void admin_pad(const Ui& ui, WidgetRects& w, std::vector<Intent>& out) {
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    const float key = ui.sizes.target_px * 1.2f;
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
        if (touch_button(ui, k_keys[i], id, w, key, key)) out.push_back({Intent::Kind::PinKey, k_keys[i]});
    }
    if (touch_button(ui, ui.tr("cancel"), "pin:cancel", w, key * 3 + 2 * ImGui::GetStyle().ItemSpacing.x)) out.push_back({Intent::Kind::AdminCancel});
    ImGui::EndPopup();
}

void household_card(const Ui& ui, WidgetRects& w, std::vector<Intent>& out) {
    const LookupView& lk = ui.lookup;
    const data::HouseholdCard& c = *lk.card;
    const KioskPalette& p = ui.palette;
    const float bw = std::max(ui.sizes.target_px * 2.4f, ImGui::CalcTextSize(ui.tr("lookup_end").c_str()).x + ui.sizes.target_px);
    heading(ui, ui.tr("lookup_card_title"));
    if (touch_button(ui, ui.tr("lookup_end"), "lookup:end", w, bw, 0, Style::End)) out.push_back({Intent::Kind::LookupClose});
    ImGui::Separator();

    // Sections, a page at a time (three a page; one in 大字): facts, benefits, measures, items, contact.
    using Section = Session::CardSection;
    const std::vector<Section> sections = ui.session->card_sections();  // as the pages count them
    const int per = ui.session->items_per_page();
    const int first = ui.session->page() * per;
    const float footer = ui.sizes.target_px + ImGui::GetTextLineHeightWithSpacing() * 1.5f + ImGui::GetStyle().ItemSpacing.y * 2;
    ImGui::BeginChild("##card", ImVec2(0, -footer), false, ImGuiWindowFlags_NoScrollbar);
    auto field = [&](const char* key, const std::string& value) {
        ImGui::TextColored(col(p.label), "%s", ui.tr(key).c_str());
        ImGui::SameLine();
        ImGui::TextWrapped("%s", value.c_str());
    };
    for (int k = first; k < first + per && k < static_cast<int>(sections.size()); ++k) {
        switch (sections[static_cast<std::size_t>(k)]) {
            case Section::Facts:
                field("lookup_head", c.head_masked);
                field("lookup_village", lk.village_name.empty() ? c.village_code : lk.village_name);
                field("lookup_type", c.household_type);
                field("lookup_members", fmt::format(fmt::runtime(ui.tr("lookup_members_value")), c.members, c.labour, c.employed_members));
                break;
            case Section::Benefits:
                heading(ui, fmt::format(fmt::runtime(ui.tr("lookup_benefits")), c.year));
                if (c.benefits.empty()) ImGui::TextWrapped("%s", ui.tr("lookup_benefits_none").c_str());
                for (const auto& b : c.benefits) {
                    ImGui::Bullet();
                    ImGui::TextWrapped("%s", fmt::format("{}{}{}{}{}", b.program, ui.tr("comma"),
                                                         fmt::format(fmt::runtime(ui.tr("lookup_yuan")), format_count(b.amount)), ui.tr("comma"),
                                                         b.paid_date.empty() ? std::string("—") : b.paid_date).c_str());
                    ImGui::SameLine();
                    ImGui::TextColored(col(b.paid ? p.good : p.warning), "%s", ui.tr(b.paid ? "lookup_paid" : "lookup_pending").c_str());
                }
                break;
            case Section::Measures:
                heading(ui, ui.tr("lookup_measures"));
                if (c.measures.empty()) ImGui::TextWrapped("%s", ui.tr("lookup_measures_none").c_str());
                for (const auto& m : c.measures) {
                    ImGui::Bullet();
                    ImGui::TextWrapped("%s：%s（%s）", m.family.c_str(), m.description.c_str(), m.start_month.c_str());
                }
                break;
            case Section::Items:
                heading(ui, ui.tr("lookup_items"));
                for (const auto& item : c.items) {
                    if (!lk.items) break;
                    const auto it = lk.items->find(item.key);
                    if (it == lk.items->end()) continue;
                    ImGui::TextColored(col(item.in_place ? p.good : p.warning), "【%s】", ui.tr(item.in_place ? "lookup_in_place" : "lookup_can_apply").c_str());
                    ImGui::SameLine();
                    ImGui::TextWrapped("%s", it->second.title.c_str());
                    ImGui::TextWrapped("%s", it->second.body.c_str());
                    ImGui::TextColored(col(p.label), "%s：", ui.tr("kiosk_next").c_str());
                    ImGui::SameLine();
                    ImGui::TextWrapped("%s", it->second.next.c_str());
                    ImGui::Spacing();
                }
                break;
            case Section::Contact:
                heading(ui, ui.tr("lookup_contact"));
                ImGui::TextWrapped("%s  %s", c.contact_name.c_str(), c.contact_phone.c_str());
                break;
        }
    }
    ImGui::EndChild();
    w.add("lookup:card");
    pager(ui, w, out);
    ImGui::TextUnformatted(fmt::format(fmt::runtime(ui.tr("lookup_closes_in")), static_cast<int>(std::ceil(lk.closes_in_s))).c_str());
}

void lookup_screen(const Ui& ui, WidgetRects& w, std::vector<Intent>& out) {
    const LookupView& lk = ui.lookup;
    static const KioskTyping k_none;
    const KioskTyping& local = lk.typing ? *lk.typing : k_none;
    if (!lk.available) {
        heading(ui, ui.tr("lookup_unavailable"));
        w.add("lookup:unavailable");
        return;
    }
    if (lk.card) {
        household_card(ui, w, out);
        return;
    }
    const bool paused = lk.paused_s > 0;
    heading(ui, !local.at_factor ? ui.tr("lookup_id_title") : ui.tr("lookup_factor_" + lk.factor_kind));
    if (!local.at_factor) ImGui::TextWrapped("%s", ui.tr("lookup_id_hint").c_str());

    // What has been typed: the ID in groups with its birth date starred, then only its first 6 and
    // last 4; the second factor as stars (Session::lookup_display).
    const std::string shown = ui.session->lookup_display();
    ImGui::PushFont(ui.fonts.huge);
    ImGui::TextUnformatted((shown.empty() ? std::string(" ") : shown).c_str());
    ImGui::PopFont();
    w.add("lookup:typed");
    const bool id_complete = local.id.size() == 18;
    const bool id_ok = id_complete && data::valid_id_number(local.id);
    ImGui::PushTextWrapPos(0);
    if (paused) {
        ImGui::TextColored(col(ui.palette.warning), "%s", fmt::format(fmt::runtime(ui.tr("lookup_paused")), static_cast<int>(std::ceil(lk.paused_s))).c_str());
    } else if (!local.at_factor && id_complete && !id_ok) {
        ImGui::TextColored(col(ui.palette.warning), "%s", ui.tr("lookup_id_bad").c_str());  // at once, before any look-up
    } else if (!lk.message.empty()) {
        ImGui::TextColored(col(ui.palette.label), "%s", lk.message.c_str());
    }
    ImGui::PopTextWrapPos();
    w.add("lookup:message");

    // The keypad; a physical keyboard or an ID-card reader typing into it obeys the same rules.
    const ImGuiIO& io = ImGui::GetIO();
    if (!paused) {
        for (int i = 0; i < io.InputQueueCharacters.Size; ++i) {
            const ImWchar ch = io.InputQueueCharacters[i];
            if (ch < 128) out.push_back({Intent::Kind::LookupKey, std::string(1, static_cast<char>(ch))});
        }
    }
    const float gap = ImGui::GetStyle().ItemSpacing.x;
    const float avail_h = ImGui::GetContentRegionAvail().y - ui.sizes.target_px * 2.2f - gap * 2;
    const float key = std::max(ui.sizes.target_px, std::min({ui.sizes.target_px * 1.6f, (ImGui::GetContentRegionAvail().x - 2 * gap) / 3, avail_h / 4 - gap}));
    static const char* k_keys[] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "X", "0", "<"};
    const std::string& typed = local.at_factor ? local.factor : local.id;
    for (int i = 0; i < 12; ++i) {
        if (i % 3) ImGui::SameLine();
        const std::string id = std::string("key:") + k_keys[i];
        if (i == 9 && local.at_factor) {  // no X in a phone number
            ImGui::Dummy(ImVec2(key * 1.25f, key));
            continue;
        }
        const std::string label = i == 11 ? ui.tr("lookup_backspace") : std::string(k_keys[i]);
        const bool enabled = !paused && (i == 11 ? !typed.empty() : true);
        ImGui::PushFont(i == 11 ? ui.fonts.body : ui.fonts.title);
        if (touch_button(ui, label, id, w, key * 1.25f, key, Style::Normal, std::nullopt, enabled)) {
            out.push_back({Intent::Kind::LookupKey, i == 11 ? std::string("<") : std::string(k_keys[i])});
        }
        ImGui::PopFont();
    }
    const float wide = key * 1.25f * 3 + 2 * gap;
    if (!local.at_factor) {
        if (touch_button(ui, ui.tr("lookup_next"), "lookup:next", w, wide, 0, Style::Selected, std::nullopt, !paused && id_complete)) {
            out.push_back({Intent::Kind::LookupNext});
        }
    } else {
        if (touch_button(ui, ui.tr("lookup_submit"), "lookup:submit", w, wide, 0, Style::Selected, std::nullopt, !paused && local.factor.size() >= 4)) {
            out.push_back({Intent::Kind::LookupSubmit});
        }
        if (touch_button(ui, ui.tr("lookup_change_id"), "lookup:back", w, wide)) out.push_back({Intent::Kind::LookupChangeId});
    }
}

// 找我的村: letters for pinyin initials, digits for a code, results as big buttons.
void find_screen(const Ui& ui, WidgetRects& w, std::vector<Intent>& out) {
    const Session& s = *ui.session;
    heading(ui, ui.tr("kiosk_find"));
    ImGui::PushFont(ui.fonts.huge);
    ImGui::TextUnformatted(s.find_query().empty() ? " " : s.find_query().c_str());
    ImGui::PopFont();
    w.add("find:query");
    const float gap = ImGui::GetStyle().ItemSpacing.x;
    const float total = ImGui::GetContentRegionAvail().x;
    // a key holds its letter in the heading size (大字 too), and is never under the target size
    const float key = std::max({ui.sizes.target_px, ui.sizes.heading_px * 1.3f, std::min(ui.sizes.target_px * 1.15f, (total * 0.52f - 9 * gap) / 10)});
    const ImVec2 origin = ImGui::GetCursorPos();
    ImGui::BeginGroup();
    ImGui::PushFont(ui.fonts.title);
    const char* rows[] = {"ABCDEFGHI", "JKLMNOPQR", "STUVWXYZ", "1234567890"};
    for (const char* row : rows) {
        for (const char* c = row; *c; ++c) {
            if (c != row) ImGui::SameLine();
            const std::string k(1, *c);
            if (touch_button(ui, k, "find:key:" + k, w, key, key)) out.push_back({Intent::Kind::FindKey, k});
        }
    }
    ImGui::PopFont();
    if (touch_button(ui, ui.tr("find_erase"), "find:erase", w, key * 4 + 3 * gap, 0, Style::Normal, std::nullopt, !s.find_query().empty())) out.push_back({Intent::Kind::FindKey, "<"});
    ImGui::SameLine();
    if (touch_button(ui, ui.tr("find_clear"), "find:clear", w, key * 4 + 3 * gap, 0, Style::Normal, std::nullopt, !s.find_query().empty())) out.push_back({Intent::Kind::FindKey, "clear"});
    ImGui::EndGroup();
    // Results to the right of the keyboard.
    const float left = origin.x + key * 10 + gap * 10 + gap * 2;
    ImGui::SetCursorPos(ImVec2(left, origin.y));
    ImGui::BeginGroup();
    const float rw = std::max(ui.sizes.target_px * 4, ImGui::GetWindowContentRegionMax().x - left);
    if (s.find_results().empty()) {
        ImGui::PushTextWrapPos(left + rw);
        ImGui::TextWrapped("%s", s.find_note().c_str());
        ImGui::PopTextWrapPos();
        w.add("find:note");
    }
    for (const auto& r : s.find_results()) {
        std::string where = r.township;
        if (!r.county.empty()) where += (where.empty() ? "" : " · ") + r.county;
        const std::string label = where.empty() ? r.name : r.name + "\n" + where;
        const float h = ui.sizes.target_px + (where.empty() ? 0 : ImGui::GetTextLineHeight());
        if (touch_button(ui, label, "find:result:" + r.code, w, rw, h)) out.push_back({Intent::Kind::FindPick, r.code});
        w.missing_glyphs += missing_glyphs(ImGui::GetFont(), label);
    }
    ImGui::EndGroup();
}

// The point symbols' legend on 身边的项目: a colour a batch, and the cluster bubble.
void projects_legend(const Ui& ui, WidgetRects& w) {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float r = ImGui::GetTextLineHeight() * 0.3f;
    heading(ui, ui.tr("kiosk_legend"));
    for (const auto& [batch, c] : project_batch_colors()) {
        const ImVec2 at = ImGui::GetCursorScreenPos();
        dl->AddCircleFilled(ImVec2(at.x + r * 1.5f, at.y + ImGui::GetTextLineHeight() / 2), r, IM_COL32(c.r, c.g, c.b, 255), 20);
        dl->AddCircle(ImVec2(at.x + r * 1.5f, at.y + ImGui::GetTextLineHeight() / 2), r, u32(ui.palette.text), 20, 1.5f);
        ImGui::Dummy(ImVec2(r * 3.5f, ImGui::GetTextLineHeight()));
        ImGui::SameLine();
        ImGui::TextUnformatted((batch + " · " + ui.tr("kiosk_legend_project")).c_str());
    }
    // the shape says the kind of project (as the map's point shader draws them)
    const ImU32 ink = u32(ui.palette.text);
    const struct {
        int shape;
        const char* kinds;
    } shapes[] = {{0, "kiosk_legend_round"}, {2, "kiosk_legend_triangle"}, {3, "kiosk_legend_diamond"}};
    for (const auto& sh : shapes) {
        const ImVec2 at = ImGui::GetCursorScreenPos();
        const ImVec2 c(at.x + r * 1.5f, at.y + ImGui::GetTextLineHeight() / 2);
        if (sh.shape == 0) dl->AddCircleFilled(c, r, ink, 20);
        if (sh.shape == 2) dl->AddTriangleFilled(ImVec2(c.x, c.y - r * 1.1f), ImVec2(c.x + r, c.y + r * 0.7f), ImVec2(c.x - r, c.y + r * 0.7f), ink);
        if (sh.shape == 3) dl->AddQuadFilled(ImVec2(c.x, c.y - r * 1.2f), ImVec2(c.x + r * 1.2f, c.y), ImVec2(c.x, c.y + r * 1.2f), ImVec2(c.x - r * 1.2f, c.y), ink);
        ImGui::Dummy(ImVec2(r * 3.5f, ImGui::GetTextLineHeight()));
        ImGui::SameLine();
        ImGui::TextUnformatted(ui.tr(sh.kinds).c_str());
    }
    const ImVec2 at = ImGui::GetCursorScreenPos();
    dl->AddCircleFilled(ImVec2(at.x + r * 1.5f, at.y + ImGui::GetTextLineHeight() / 2), r * 1.4f, u32(ui.palette.button), 20);
    dl->AddText(ImGui::GetFont(), ImGui::GetFontSize() * 0.6f, ImVec2(at.x + r * 1.05f, at.y + ImGui::GetTextLineHeight() * 0.25f), u32(ui.palette.button_text), "3");
    ImGui::Dummy(ImVec2(r * 3.5f, ImGui::GetTextLineHeight()));
    ImGui::SameLine();
    ImGui::TextWrapped("%s", ui.tr("kiosk_legend_cluster").c_str());
    w.add("kiosk:legend");
}

}  // namespace

std::vector<Intent> kiosk_panels(const Ui& ui, WidgetRects& w) {
    std::vector<Intent> out;
    const Session& s = *ui.session;
    const KioskPalette& p = ui.palette;
    ImGui::PushFont(ui.fonts.body);
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    const std::string home = s.home_code();

    if (ui.screen == KioskScreen::Attract) {
        // Attract loop: the map tours slowly; a big invitation and a rotating fact.
        ImDrawList* dl = ImGui::GetForegroundDrawList();
        ImFont* f = ui.fonts.huge;
        const float fsize = f->FontSize * f->Scale;
        const std::string& invite = ui.tr("kiosk_touch_to_start");
        const ImVec2 size = f->CalcTextSizeA(fsize, 1e9f, 0, invite.c_str());
        const float pulse = 0.75f + 0.25f * static_cast<float>(std::sin(ui.idle_seconds * 2.0));
        const ImVec2 pos((display.x - size.x) / 2, display.y * 0.72f);
        const float pad = ui.sizes.gap_px * 2;
        dl->AddRectFilled(ImVec2(pos.x - pad * 1.5f, pos.y - pad), ImVec2(pos.x + size.x + pad * 1.5f, pos.y + size.y + pad), u32(p.background), pad);
        dl->AddText(f, fsize, pos, u32(p.text, pulse), invite.c_str());
        // Rotating facts: the place, then one policy card after another, every six seconds.
        if (const data::RegionInfo* r = ui.regions.find(home)) {
            const auto slot = static_cast<std::size_t>(ui.idle_seconds / 6.0);
            std::string fact = r->name;
            if (!ui.policy.empty() && slot % (ui.policy.size() + 1) != 0) {
                const PolicyCard& c = ui.policy[slot % (ui.policy.size() + 1) - 1];
                fact = c.title + "：" + c.body;
            }
            ImFont* t = ui.fonts.title;
            const float tsize = t->FontSize * t->Scale;
            const float wrap = display.x - pad * 6;
            const ImVec2 fs = t->CalcTextSizeA(tsize, 1e9f, wrap, fact.c_str());
            dl->AddRectFilled(ImVec2(pad * 2, pad * 2), ImVec2(pad * 4 + fs.x, pad * 4 + fs.y), u32(p.background), pad);
            dl->AddText(t, tsize, ImVec2(pad * 3, pad * 3), u32(p.text), fact.c_str(), nullptr, wrap);
        }
        synthetic_mark(ui);
        ImGui::PopFont();
        return out;
    }

    // Left column, on every screen: the place, 返回首页, the four choices, 返回上级, and the row of
    // 大字 / 高对比 / 朗读 with the zoom buttons.
    const float gap = ImGui::GetStyle().ItemSpacing.y;
    const float column = std::max(display.x * 0.25f, ui.sizes.target_px * 5.2f);
    w.map_insets = {column, 0, 0, 0};
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(column, display.y));
    ImGui::Begin("##nav", nullptr, k_panel | ImGuiWindowFlags_NoScrollbar);
    if (const data::RegionInfo* r = ui.regions.find(home)) heading(ui, r->name);
    const struct {
        const char* key;
        const char* screen;
        Icon icon;
        KioskScreen is;
    } choices[] = {{"kiosk_home_button", "home", Icon::Home, KioskScreen::Home},
                   {"kiosk_policy", "policy", Icon::Policy, KioskScreen::Policy},
                   {"kiosk_projects", "projects", Icon::Projects, KioskScreen::Projects},
                   {"kiosk_find", "find", Icon::Find, KioskScreen::Find},
                   {"kiosk_lookup", "lookup", Icon::Lookup, KioskScreen::Lookup}};
    for (const auto& c : choices) {
        if (touch_button(ui, ui.tr(c.key), std::string("kiosk:") + c.screen, w, -1, 0, ui.screen == c.is ? Style::Selected : Style::Normal, c.icon)) {
            out.push_back({Intent::Kind::Screen, c.screen});
        }
    }
    if (ui.screen == KioskScreen::Home && ui.focus != home) {
        if (touch_button(ui, ui.tr("back"), "kiosk:back", w, -1, 0, Style::Normal, Icon::Back)) out.push_back({Intent::Kind::Back});
    }
    // 演示数据 in the column's free space, clear of every screen's content
    synthetic_mark(ui, column - ImGui::GetStyle().WindowPadding.x, ImGui::GetCursorScreenPos().y + gap);
    // The access buttons at the bottom: two a row where their labels fit (Chinese), else one a row
    // (English, 大字) — a label is never cut.
    const float inner = column - ImGui::GetStyle().WindowPadding.x * 2;
    const float half = (inner - ImGui::GetStyle().ItemSpacing.x) / 2;
    float widest = 0;
    for (const char* k : {"kiosk_large", "kiosk_contrast", "kiosk_speak"}) widest = std::max(widest, ImGui::CalcTextSize(ui.tr(k).c_str()).x);
    const bool pairs = widest + ui.sizes.target_px * 1.3f + ImGui::GetStyle().FramePadding.x * 2 <= half;
    const float bw = pairs ? half : inner;
    const int rows = pairs ? 2 : 4;
    ImGui::SetCursorPosY(std::max(ImGui::GetCursorPosY() + gap, display.y - (ui.sizes.target_px + gap) * rows - ImGui::GetStyle().WindowPadding.y));
    if (touch_button(ui, ui.tr("kiosk_large"), "kiosk:large", w, bw, 0, s.large_text() ? Style::Selected : Style::Normal, Icon::Large)) {
        out.push_back({Intent::Kind::LargeText});
    }
    if (pairs) ImGui::SameLine();
    if (touch_button(ui, ui.tr("kiosk_contrast"), "kiosk:contrast", w, bw, 0, s.high_contrast() ? Style::Selected : Style::Normal, Icon::Contrast)) {
        out.push_back({Intent::Kind::Contrast});
    }
    if (touch_button(ui, ui.tr("kiosk_speak"), "kiosk:speak", w, bw, 0, Style::Normal, Icon::Speak, s.can_speak())) out.push_back({Intent::Kind::SpeakScreen});
    const float quarter = pairs ? (half - ImGui::GetStyle().ItemSpacing.x) / 2 : half;
    if (pairs) ImGui::SameLine();
    // Zoom for those without pinch: on-screen + and −.
    if (touch_button(ui, "+", "kiosk:zoom_in", w, quarter)) out.push_back({Intent::Kind::Zoom, {}, 1});
    ImGui::SameLine();
    if (touch_button(ui, "-", "kiosk:zoom_out", w, quarter)) out.push_back({Intent::Kind::Zoom, {}, -1});
    ImGui::End();

    // Right: the screen's content over the map.
    const float margin = ui.sizes.gap_px * 2;
    const float panel_w = std::min(display.x * 0.38f, static_cast<float>(ui.px_per_mm * 220));
    const float full_w = display.x - column;
    if (ui.screen == KioskScreen::Home) {
        ImGui::SetNextWindowPos(ImVec2(display.x - panel_w - margin, margin));
        ImGui::SetNextWindowSize(ImVec2(panel_w, 0));
        ImGui::Begin("##facts", nullptr, k_panel | ImGuiWindowFlags_AlwaysAutoResize);
        instruction_line(ui, w);
        const std::string code = ui.state.selected.empty() ? ui.focus : ui.state.selected;
        if (const data::RegionInfo* r = ui.regions.find(code)) heading(ui, r->name + " · " + ui.tr("kiosk_facts"));
        for (const auto& line : s.facts(code)) ImGui::TextWrapped("%s", line.c_str());
        w.add("kiosk:facts");
        // the facts lie across the top: the place is shown below them (beside them, it would be narrow)
        w.map_insets[1] = ImGui::GetWindowPos().y + ImGui::GetWindowSize().y;
        ImGui::End();
        // What the kiosk is for, and the four big choices, along the bottom.
        const float tiles_h = ui.sizes.target_px * 1.6f;
        ImGui::SetNextWindowPos(ImVec2(column + margin, display.y - margin), 0, ImVec2(0, 1));
        ImGui::SetNextWindowSize(ImVec2(full_w - margin * 2, 0));
        ImGui::Begin("##welcome", nullptr, k_panel | ImGuiWindowFlags_AlwaysAutoResize);
        ImGui::TextWrapped("%s", ui.tr("kiosk_welcome").c_str());
        w.add("kiosk:welcome");
        ImGui::PushFont(ui.fonts.title);
        // four across where their labels fit, else two by two
        float widest = 0;
        for (const char* k : {"kiosk_policy", "kiosk_projects", "kiosk_find", "kiosk_lookup"}) widest = std::max(widest, ImGui::CalcTextSize(ui.tr(k).c_str()).x);
        const float avail = ImGui::GetContentRegionAvail().x;
        const bool four = widest + tiles_h * 0.8f + ImGui::GetStyle().FramePadding.x * 3 <= (avail - 3 * ImGui::GetStyle().ItemSpacing.x) / 4;
        const float tile_w = four ? (avail - 3 * ImGui::GetStyle().ItemSpacing.x) / 4 : (avail - ImGui::GetStyle().ItemSpacing.x) / 2;
        const struct {
            const char* key;
            const char* screen;
            Icon icon;
        } tiles[] = {{"kiosk_policy", "policy", Icon::Policy}, {"kiosk_projects", "projects", Icon::Projects},
                     {"kiosk_find", "find", Icon::Find}, {"kiosk_lookup", "lookup", Icon::Lookup}};
        for (std::size_t i = 0; i < 4; ++i) {
            if (i && (four || i % 2)) ImGui::SameLine();
            if (touch_button(ui, ui.tr(tiles[i].key), std::string("home:") + tiles[i].screen, w, tile_w, tiles_h, Style::Normal, tiles[i].icon)) {
                out.push_back({Intent::Kind::Screen, tiles[i].screen});
            }
        }
        ImGui::PopFont();
        w.map_insets[3] = ImGui::GetWindowSize().y + margin;
        ImGui::End();
    } else if (ui.screen == KioskScreen::Policy) {
        ImGui::SetNextWindowPos(ImVec2(column, 0));
        ImGui::SetNextWindowSize(ImVec2(full_w, display.y));
        ImGui::Begin("##policy", nullptr, k_panel | ImGuiWindowFlags_NoScrollbar);
        instruction_line(ui, w);
        const float footer = ui.sizes.target_px + ImGui::GetStyle().ItemSpacing.y * 2;
        ImGui::BeginChild("##cards", ImVec2(0, -footer), false, ImGuiWindowFlags_NoScrollbar);
        const std::size_t per = static_cast<std::size_t>(s.items_per_page());
        for (std::size_t i = static_cast<std::size_t>(s.page()) * per; i < ui.policy.size() && i < (static_cast<std::size_t>(s.page()) + 1) * per; ++i) {
            const PolicyCard& c = ui.policy[i];
            heading(ui, c.title);
            ImGui::TextWrapped("%s", c.body.c_str());
            ImGui::TextColored(col(p.label), "%s：", ui.tr("kiosk_next").c_str());
            ImGui::SameLine();
            ImGui::TextWrapped("%s", c.next.c_str());
            ImGui::Separator();
        }
        ImGui::EndChild();
        w.add("kiosk:policy_cards");
        pager(ui, w, out);
        ImGui::End();
    } else if (ui.screen == KioskScreen::Projects) {
        ImGui::SetNextWindowPos(ImVec2(display.x - panel_w - margin, margin));
        ImGui::SetNextWindowSize(ImVec2(panel_w, display.y - 2 * margin));
        ImGui::Begin("##projects", nullptr, k_panel | ImGuiWindowFlags_NoScrollbar);
        w.map_insets[2] = panel_w + margin;
        instruction_line(ui, w);
        projects_legend(ui, w);
        ImGui::Separator();
        heading(ui, ui.tr("kiosk_projects"));
        int shown = 0;
        const float bottom = ImGui::GetWindowContentRegionMax().y;
        if (ui.projects_list) {
            for (const auto& pr : *ui.projects_list) {
                if (!s.near_home(pr)) continue;
                if (ImGui::GetCursorPosY() + ImGui::GetTextLineHeightWithSpacing() * 2 > bottom) break;  // what fits, no scrolling
                ImGui::Bullet();
                const std::string line = fmt::format("{} · {} · {}", pr.name, pr.category, pr.batch);
                ImGui::TextWrapped("%s", line.c_str());
                w.missing_glyphs += missing_glyphs(ImGui::GetFont(), line);
                ++shown;
            }
        }
        if (shown == 0) ImGui::TextWrapped("%s", ui.tr("kiosk_projects_none").c_str());
        w.add("kiosk:project_list");
        ImGui::End();
    } else if (ui.screen == KioskScreen::Find || ui.screen == KioskScreen::Lookup) {
        // the whole right side: a keyboard or keypad
        ImGui::SetNextWindowPos(ImVec2(column, 0));
        ImGui::SetNextWindowSize(ImVec2(full_w, display.y));
        ImGui::Begin(ui.screen == KioskScreen::Find ? "##find" : "##lookup", nullptr, k_panel | ImGuiWindowFlags_NoScrollbar);
        instruction_line(ui, w);
        if (ui.screen == KioskScreen::Find) find_screen(ui, w, out);
        else lookup_screen(ui, w, out);
        ImGui::End();
    }
    if (ui.admin_pad) admin_pad(ui, w, out);
    if (!ui.message.empty()) {
        ImGui::SetNextWindowPos(ImVec2(display.x / 2, display.y - margin), 0, ImVec2(0.5f, 1));
        ImGui::Begin("##message", nullptr, k_panel | ImGuiWindowFlags_AlwaysAutoResize);
        ImGui::TextUnformatted(ui.message.c_str());
        ImGui::End();
    }
    ImGui::PopFont();
    return out;
}

}  // namespace onemap::app
