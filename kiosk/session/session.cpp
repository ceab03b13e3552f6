#include "kiosk/session/session.hpp"

#include "data/bundle/bundle.hpp"
#include "data/bundle/text_format.hpp"
#include "data/household/privacy.hpp"
#include "data/policy/catalogue.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <fstream>

namespace onemap::app {

// ── Screens ──────────────────────────────────────────────────────────────────────────────────────

std::string_view screen_key(KioskScreen screen) {
    switch (screen) {
        case KioskScreen::Home: return "home";
        case KioskScreen::Policy: return "policy";
        case KioskScreen::Projects: return "projects";
        case KioskScreen::Lookup: return "lookup";
        case KioskScreen::Find: return "find";
        case KioskScreen::Attract: return "attract";
    }
    return "home";
}

std::optional<KioskScreen> parse_screen(std::string_view key) {
    for (const KioskScreen s : {KioskScreen::Home, KioskScreen::Policy, KioskScreen::Projects, KioskScreen::Lookup, KioskScreen::Find, KioskScreen::Attract})
        if (screen_key(s) == key) return s;
    return std::nullopt;
}

bool screen_step_allowed(KioskScreen from, KioskScreen to) {
    if (from == KioskScreen::Attract) return to == KioskScreen::Home || to == KioskScreen::Attract;
    return true;  // the four screens reach each other; each reaches the attract loop by the idle timeout
}

// ── The session ──────────────────────────────────────────────────────────────────────────────────

Session::Session(AppConfig config, SessionData loaded, Clock::time_point now, SessionOptions options)
    : m_cfg(std::move(config)), m_opt(std::move(options)), m_tr(Strings::load(m_cfg.language)), m_source(std::move(loaded.source)),
      m_regions(std::move(loaded.regions)), m_indicators(*m_source), m_scene(std::move(loaded.scene)), m_map(m_scene.scene),
      m_policy(load_policy(m_cfg.language)), m_household_items(load_household_items(m_cfg.language)) {
    // The wall is read from across a room: no household's alert detail is read for it (data/bundle/source.hpp).
    if (m_cfg.mode == Mode::Wall) m_source->withhold_household_detail();
    m_periods = std::move(loaded.periods);
    if (m_periods.empty()) throw data::BundleError(m_source->name() + ": the bundle has no yearly indicators to show");
    m_state.mode = m_cfg.mode;
    m_state.language = std::string(m_tr.language());
    m_state.synthetic = m_source->synthetic();
    m_state.source = m_source->live() ? "pg" : "bundle";
    m_state.scene = m_scene.from_cache ? "cache" : "built";
    if (m_source->live()) m_state.read_only = m_source->read_only();
    if (m_cfg.mode == Mode::Kiosk) m_state.read_only = true;  // a kiosk never writes its bundle (opened read-only, no render cache stored)
    const bool rule_layer = m_cfg.metric.rfind("rule:", 0) == 0 && data::find_rule(m_cfg.metric.substr(5));
    m_state.metric = data::find_metric(m_cfg.metric) || rule_layer ? m_cfg.metric : "tp_income_pc";
    m_state.period = std::find(m_periods.begin(), m_periods.end(), m_cfg.period) != m_periods.end() ? m_cfg.period : m_periods.back();
    if (!m_cfg.home_region.empty() && !m_regions.find(m_cfg.home_region)) {
        throw std::invalid_argument(fmt::format("home_region {} is not a region of {}", m_cfg.home_region, m_source->name()));
    }
    m_map.set_labels(m_cfg.mode != Mode::Desk, m_cfg.mode == Mode::Desk ? 13 : 18);
    if (m_cfg.mode == Mode::Kiosk) {
        m_projects = false;  // the projects' symbols come with 身边的项目, not before (no bubbles over the home map)
        m_contrast = m_cfg.theme == Theme::HighContrast;
        m_project_list = std::move(loaded.projects);
        m_extra_glyphs = std::move(loaded.extra_glyphs);
        if (m_opt.open_household_lookup) open_lookup(now);
    }
    set_points();
    load_alerts();
    // Which layers are synthetic (meta.layers_real / layers_synthetic): all, or only some after an import.
    m_partly_real = !m_source->meta("layers_real").value_or("").empty();
    m_mark = m_tr("synthetic_mark");
    if (m_partly_real) {
        std::string names;
        std::string rest = m_source->meta("layers_synthetic").value_or("");
        while (!rest.empty()) {
            const auto comma = rest.find(',');
            std::string layer = rest.substr(0, comma);
            rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
            std::replace(layer.begin(), layer.end(), '.', '_');
            if (layer.empty()) continue;
            if (!names.empty()) names += m_tr.language() == "en" ? ", " : "、";
            names += m_tr("layer_" + layer);
        }
        m_mark = names.empty() ? m_tr("synthetic_partial") : fmt::format(fmt::runtime(m_tr("synthetic_layers")), names);
    }
    if (m_state.synthetic) m_map.set_mark(m_mark);
    m_screen = KioskScreen::Home;
    go_home(0.0);
    m_last_input = m_last_tour = m_last_play = now;
}

Session::~Session() {
    std::vector<Effect> ignored;
    close_lookup(ignored);
}

std::vector<Effect> Session::apply(const Intent& in, Clock::time_point now) {
    using K = Intent::Kind;
    std::vector<Effect> out;
    switch (in.kind) {
        case K::Touch: touch(now, out); break;
        case K::Tick: tick(now, out); break;
        case K::Hover: m_map.set_hover(in.text); break;
        case K::Focus: focus(in.text, 0.8); break;
        case K::Select: click_region(in.text); break;
        case K::Back: back(); break;
        case K::Escape:
        case K::SecondaryClick:
            if (m_cfg.mode == Mode::Desk) back();
            break;
        case K::Home: go_home(0.8); break;
        case K::SetMetric:
            if (data::find_metric(in.text) || (in.text.rfind("rule:", 0) == 0 && data::find_rule(in.text.substr(5)))) {
                m_state.metric = in.text;
                recolor();
            }
            break;
        case K::SetPeriod:
            if (std::find(m_periods.begin(), m_periods.end(), in.text) != m_periods.end()) {
                m_state.period = in.text;
                recolor();
            }
            break;
        case K::SetMethod:
            m_method = static_cast<render::ClassMethod>(std::clamp<std::int64_t>(in.number, 0, 2));
            recolor();
            break;
        case K::SetClasses:
            m_classes = static_cast<int>(std::clamp<std::int64_t>(in.number, 3, 9));
            recolor();
            break;
        case K::TogglePlay:
            m_playing = !m_playing;
            m_last_play = now;
            break;
        case K::ToggleProjects:
            m_projects = !m_projects;
            set_points();
            break;
        case K::ToggleSites:
            m_sites = !m_sites;
            set_points();
            break;
        case K::ToggleLabels:
            m_map.set_labels(!m_map.labels(), m_map.label_px());
            break;
        case K::ExportPng:
            out.push_back({Effect::Kind::ExportPng, {}, m_opt.export_dir / fmt::format("onemap-{}-{}-{}.png", m_focus, m_state.metric, m_state.period)});
            break;
        case K::Exported:
            if (in.number) {
                m_message = m_tr("exported") + " " + in.text;
                m_state.last_export = in.text;
            } else {
                m_message = "cannot write " + in.text;
            }
            break;
        case K::ExportCsv: export_csv(); break;
        case K::CompareToggle: {
            if (m_cfg.mode != Mode::Desk) break;
            auto& c = m_state.compare;
            if (const auto it = std::find(c.begin(), c.end(), in.text); it != c.end()) {
                c.erase(it);
            } else if (m_regions.find(in.text) && c.size() < k_compare_max) {
                c.push_back(in.text);
            }
            break;
        }
        case K::CompareClear: m_state.compare.clear(); break;
        case K::CompareExport: export_compare_csv(); break;
        case K::Screen: {
            if (m_cfg.mode != Mode::Kiosk) break;
            if (in.text == "admin") {
                m_admin_pad = true;
                break;
            }
            const auto to = parse_screen(in.text);
            if (!to || *to == KioskScreen::Attract) break;  // the attract loop comes by itself
            if (m_screen == KioskScreen::Lookup || *to == KioskScreen::Lookup) close_lookup(out);  // entering starts clean; leaving wipes
            set_screen(*to, out);
            if (*to == KioskScreen::Home) go_home(0.6);
            break;
        }
        case K::Language: break;  // takes effect at the next start (fonts are built for one catalogue)
        case K::AdminChord:
            if (m_cfg.mode != Mode::Kiosk) break;
            m_admin_pad = true;
            data::wipe_string(m_typing.pin);
            break;
        case K::PinKey: pin_key(in.text, now, out); break;
        case K::AdminCancel:
            data::wipe_string(m_typing.pin);
            m_admin_pad = false;
            break;
        case K::AdminExit: admin_exit(in.text, now, out); break;
        case K::Zoom:
            if (m_cfg.mode != Mode::Wall) m_map.zoom(in.number > 0 ? 1.6 : 1 / 1.6);
            break;
        case K::AlertStep: alert_step(in.number, in.text); break;
        case K::LookupKey: lookup_key(in.text, now); break;
        case K::LookupNext: lookup_next(now); break;
        case K::LookupChangeId:
            data::wipe_string(m_typing.factor);
            m_typing.at_factor = false;
            break;
        case K::LookupSubmit: submit_lookup(now); break;
        case K::LookupClose:
            if (m_cfg.mode != Mode::Kiosk) break;
            close_lookup(out);
            set_screen(KioskScreen::Home, out);
            go_home(0.6);
            break;
        case K::LookupBig:
        case K::LargeText:
            if (m_cfg.mode != Mode::Kiosk || m_screen == KioskScreen::Attract) break;
            m_big = !m_big;
            m_page = std::min(m_page, pages() - 1);
            if (m_page < 0) m_page = 0;
            break;
        case K::Contrast:
            if (m_cfg.mode == Mode::Kiosk && m_screen != KioskScreen::Attract) m_contrast = !m_contrast;
            break;
        case K::SpeakScreen:
            if (m_cfg.mode == Mode::Kiosk && m_opt.can_speak && m_screen != KioskScreen::Attract) out.push_back({Effect::Kind::Speak, screen_text(now), {}});
            break;
        case K::Page:
            if (m_cfg.mode == Mode::Kiosk) m_page = std::clamp(m_page + (in.number > 0 ? 1 : -1), 0, std::max(0, pages() - 1));
            break;
        case K::FindKey: find_key(in.text); break;
        case K::FindPick: find_pick(in.text, out); break;
        case K::LookupSpeak:
            if (m_card && m_opt.can_speak) out.push_back({Effect::Kind::Speak, speech_text(*m_card), {}});
            break;
        case K::DataChanged: {
            std::set<std::string> tables;
            std::string rest = in.text;
            while (!rest.empty()) {
                const auto comma = rest.find(',');
                if (comma != 0) tables.insert(rest.substr(0, comma));
                rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
            }
            data_changed(tables);
            break;
        }
        case K::SourceProblem: set_source_problem(in.text); break;
        case K::ReloadRefused: m_state.bundle_error = in.text; break;
        case K::BundleFile: m_state.bundle_inode = static_cast<std::uint64_t>(in.number); break;
        case K::ResumeTour: resume_tour(in.text, now); break;
        case K::ScreensOnline: m_state.screens_online = in.text; break;
    }
    return out;
}

void Session::touch(Clock::time_point now, std::vector<Effect>& out) {
    m_last_input = now;
    m_had_input = true;
    if (m_cfg.mode == Mode::Kiosk && m_screen == KioskScreen::Attract) {
        set_screen(KioskScreen::Home, out);
        go_home(0.6);
    }
}

void Session::tick(Clock::time_point now, std::vector<Effect>& out) {
    // Between frames (no panel holds a layer now): the indicator layers within their share of the budget.
    m_indicators.trim(static_cast<std::size_t>(memory_budget_mib(m_cfg) / 4 * 1024 * 1024));
    const double idle = idle_seconds(now);
    if (m_cfg.mode == Mode::Kiosk) {
        if (m_screen == KioskScreen::Lookup && idle >= m_cfg.card_timeout_s && idle < m_cfg.idle_timeout_s) {
            // Walked away from the look-up: the card (or what was typed) closes and is wiped.
            close_lookup(out);
            set_screen(KioskScreen::Home, out);
            go_home(0.6);
        }
        if (m_screen != KioskScreen::Attract && idle >= m_cfg.idle_timeout_s) {
            // Reset everything: screen, selection, view, typed PIN, the household look-up, messages.
            close_lookup(out);
            data::wipe_string(m_typing.pin);
            m_admin_pad = false;
            m_message.clear();
            m_map.set_hover({});
            reset_access();  // the next visitor starts with the usual text and theme
            set_screen(KioskScreen::Attract, out);
            go_home(1.5);
            m_last_tour = now;
        } else if (m_screen == KioskScreen::Attract && std::chrono::duration<double>(now - m_last_tour).count() > 8) {
            attract_step(now);
        }
    }
    if (m_cfg.mode == Mode::Wall) {
        const bool paused = m_had_input && idle < m_cfg.idle_timeout_s;
        if (!paused && std::chrono::duration<double>(now - m_last_tour).count() >= m_cfg.tour_interval_s) tour_step(now);
    }
    if (m_playing) play_step(now);
}

void Session::set_screen(KioskScreen to, std::vector<Effect>&) {
    assert(m_cfg.mode == Mode::Kiosk);
    assert(screen_step_allowed(m_screen, to));
    // the look-up's card and digits never outlive its screen (close_lookup ran before any step away)
    assert(to == KioskScreen::Lookup || (!m_card && m_typing.id.empty() && m_typing.factor.empty()));
    if (to != m_screen) m_page = 0;
    if (m_screen == KioskScreen::Find && to != KioskScreen::Find) {
        data::wipe_string(m_find_query);
        m_find_results.clear();
    }
    m_screen = to;
    // the projects' symbols (and their legend) belong to 身边的项目
    if (const bool want = to == KioskScreen::Projects; want != m_projects) {
        m_projects = want;
        set_points();
    }
}

double Session::idle_seconds(Clock::time_point now) const { return std::chrono::duration<double>(now - m_last_input).count(); }

// A restarted wall (kiosk/service/heartbeat.hpp keeps where it was) shows that city again and goes on
// from it at the next step, not from the first city.
void Session::resume_tour(const std::string& city, Clock::time_point now) {
    const data::RegionInfo* root = m_regions.root();
    if (root && root->children.size() == 1) root = m_regions.find(root->children.front());  // as tour_step
    if (m_cfg.mode != Mode::Wall || !root || std::find(root->children.begin(), root->children.end(), city) == root->children.end()) return;
    m_tour_city = city;
    m_state.selected = m_state.camera_target = city;
    m_map.set_selected("");
    m_map.set_spotlight(city);
    recolor();
    m_map.fly_to(city, m_regions, 0.0);
    m_last_tour = now;
}

void Session::tour_step(Clock::time_point now) {
    // City to city; a bundle of one city tours its counties instead.
    const data::RegionInfo* root = m_regions.root();
    if (root && root->children.size() == 1) root = m_regions.find(root->children.front());
    m_last_tour = now;
    if (!root || root->children.empty()) return;
    auto it = std::find(root->children.begin(), root->children.end(), m_tour_city);
    m_tour_city = (it == root->children.end() || std::next(it) == root->children.end()) ? root->children.front() : *std::next(it);
    m_state.selected = m_tour_city;
    m_state.camera_target = m_tour_city;
    m_map.set_selected("");
    // the city stands out from across the room: the rest fades, the province's classes stay
    m_map.set_spotlight(m_tour_city);
    recolor();
    m_map.fly_to(m_tour_city, m_regions, 2.0);
}

void Session::attract_step(Clock::time_point now) {
    // A slow tour over the home region's children, so the screen is alive from across the hall.
    const data::RegionInfo* home = m_regions.find(home_code());
    m_last_tour = now;
    if (!home || home->children.empty()) return;
    m_attract = (m_attract + 1) % home->children.size();
    m_map.fly_to(home->children[m_attract], m_regions, 3.0);
    m_state.camera_target = home->children[m_attract];
}

std::string Session::home_code() const {
    if (!m_cfg.home_region.empty()) return m_cfg.home_region;
    return m_regions.root() ? m_regions.root()->code : std::string();
}

int Session::level_for_focus(const std::string& code) const {
    const data::RegionInfo* r = m_regions.find(code);
    int level = m_map.coarsest_level();
    if (r) {
        int child = static_cast<int>(r->level) + 1;
        if (!r->children.empty()) {
            if (const auto* c = m_regions.find(r->children.front())) child = static_cast<int>(c->level);
        }
        level = std::clamp(child, m_map.coarsest_level(), m_map.finest_level());
    }
    return level;
}

void Session::focus(const std::string& code, double seconds) {
    const data::RegionInfo* r = m_regions.find(code);
    if (!r) return;
    m_focus = code;
    m_map.set_level(level_for_focus(code));
    m_map.set_focus(r == m_regions.root() ? std::string() : code);
    m_map.set_spotlight({});
    m_state.level = std::string(data::level_key(static_cast<data::Level>(m_map.level())));
    m_state.camera_target = code;
    m_state.selected = code;
    m_map.set_selected(code);
    recolor();
    if (r == m_regions.root()) m_map.fit_all(seconds); else m_map.fly_to(code, m_regions, seconds);
}

void Session::recolor() {
    if (m_state.metric.rfind("rule:", 0) == 0) {
        // The rule-status layer, from the stored results (`onemap check` writes them).
        const std::string rule = m_state.metric.substr(5);
        const data::RuleInfo* info = data::find_rule(rule);
        std::map<std::string, int> status;
        if (info) {
            const auto level = static_cast<data::Level>(m_map.level());
            try {
                for (const auto& r : m_source->rule_status(rule, level, rule_period(*info))) status[r.region_code] = static_cast<int>(r.status);
            } catch (const std::exception& e) {
                m_message = e.what();
            }
        }
        m_map.color_by_status(status);
    } else {
        m_map.recolor(m_indicators, m_state.metric, m_state.period, m_classes, m_method);
    }
    refresh_panel();
}

// A monthly rule (R13) shows the latest month of the chosen year that has results.
std::string Session::rule_period(const data::RuleInfo& info) const {
    if (!info.monthly) return m_state.period;
    const std::string best = m_source->latest_rule_month(info.id, m_state.period);  // callers catch a lost connection
    return best.empty() ? m_state.period + "-12" : best;
}

// What the info panel lists for the selected region: its rule results and its open alerts.
void Session::refresh_panel() {
    m_rules.clear();
    m_region_alerts.clear();
    const std::string code = m_state.selected.empty() ? m_focus : m_state.selected;
    if (m_cfg.mode == Mode::Kiosk || code.empty()) return;
    try {
        data::RuleFilter rf;
        rf.region_code = code;
        rf.period = m_state.period;
        m_rules = m_source->rule_results(rf);
        if (const data::RuleInfo* r13 = data::find_rule("R13")) {
            rf.period = rule_period(*r13);
            rf.rules = {"R13"};
            for (auto& r : m_source->rule_results(rf)) m_rules.push_back(std::move(r));
        }
        if (m_cfg.mode != Mode::Desk) return;  // the region's alerts are the desk's (officials' workflow)
        data::AlertFilter af;
        if (code.size() >= 6) af.county_code = code.substr(0, 6);
        af.limit = 2000;
        for (auto& a : m_source->alerts(af)) {
            if (a.status == data::AlertStatus::Resolved || a.region_code.rfind(code, 0) != 0) continue;
            m_region_alerts.push_back(std::move(a));
            if (m_region_alerts.size() >= 30) break;
        }
    } catch (const std::exception& e) {
        m_message = e.what();
    }
}

void Session::alert_step(std::int64_t id, const std::string& note) {
    if (m_cfg.mode != Mode::Desk) return;
    try {
        const data::AlertStatus next = m_source->step_alert(id, m_tr("desk_role"), note);
        m_message = fmt::format("#{} → {}", id, data::alert_status_name_zh(next));
        m_state.last_step = fmt::format("#{} → {}", id, data::alert_status_key(next));
    } catch (const std::exception& e) {
        m_message = e.what();
        m_state.last_step = e.what();
    }
    refresh_panel();
}

void Session::click_region(const std::string& code) {
    if (code.empty() || m_cfg.mode == Mode::Wall) return;
    if (m_cfg.mode == Mode::Kiosk && m_screen == KioskScreen::Attract) return;  // the touch that wakes it only wakes it
    const data::RegionInfo* r = m_regions.find(code);
    if (!r) return;
    const bool has_finer = !r->children.empty() && static_cast<int>(r->level) < m_map.finest_level();
    if (has_finer) {
        focus(code, 0.8);
    } else {
        m_state.selected = code;
        m_map.set_selected(code);
        refresh_panel();
    }
}

void Session::back() {
    const data::RegionInfo* r = m_regions.find(m_focus);
    if (!r || r->parent_code.empty()) return;
    if (m_cfg.mode == Mode::Kiosk && m_focus == home_code()) return;  // a kiosk stays in its region
    if (m_cfg.mode == Mode::Wall) return;
    focus(r->parent_code, 0.8);
}

void Session::play_step(Clock::time_point now) {
    if (std::chrono::duration<double>(now - m_last_play).count() < 1.5) return;
    m_last_play = now;
    auto it = std::find(m_periods.begin(), m_periods.end(), m_state.period);
    m_state.period = (it == m_periods.end() || std::next(it) == m_periods.end()) ? m_periods.front() : *std::next(it);
    recolor();
}

void Session::set_points() {
    try {
        m_map.set_points(map_points(m_projects ? m_source->projects() : std::vector<data::Project>{},
                                    m_sites ? m_source->sites() : std::vector<data::Site>{}));
    } catch (const std::exception& e) {
        m_message = e.what();
        m_map.set_points({});
    }
}

// The focus's children, a row each, with the key indicators in the chosen year.
void Session::export_csv() {
    const data::RegionInfo* r = m_regions.find(m_focus);
    if (!r) return;
    write_regions_csv(m_opt.export_dir / fmt::format("onemap-{}-children-{}.csv", m_focus, m_state.period), r->children,
                      {"tp_income_pc", "rural_income_pc", "growth_gap", "income_ratio", "tp_population", "tp_households"});
}

// The comparison as the desk shows it: a row per region, its key indicators in the chosen year.
void Session::export_compare_csv() {
    if (m_state.compare.empty()) return;
    write_regions_csv(m_opt.export_dir / fmt::format("onemap-compare-{}.csv", m_state.period), m_state.compare,
                      {std::begin(k_compare_metrics), std::end(k_compare_metrics)});
}

// Regions a row each (code, name, level, then `metrics` in the chosen year; empty where none), a
// BOM first so that spreadsheet programs read the Chinese names right. The message says where.
void Session::write_regions_csv(const std::filesystem::path& path, const std::vector<std::string>& codes, const std::vector<std::string>& metrics) {
    std::ofstream out(path, std::ios::trunc);
    if (!out) {
        m_message = "cannot write " + path.string();
        return;
    }
    out << "\xEF\xBB\xBF";
    out << "code,name,level";
    for (const auto& m : metrics) out << "," << m;
    out << "\n";
    for (const auto& code : codes) {
        const data::RegionInfo* r = m_regions.find(code);
        if (!r) continue;
        out << r->code << "," << data::csv_field(r->name) << "," << data::level_key(r->level);
        for (const auto& m : metrics) {
            const auto v = m_indicators.value(r->code, m, m_state.period);
            out << ",";
            if (v) out << fmt::format("{:.4f}", *v);
        }
        out << "\n";
    }
    m_message = m_tr("exported") + " " + path.string();
    m_state.last_export = path.string();
}

// --pg: the database's tables that changed (ChangeWatch) are read again; the map is recoloured and
// the panels refilled. Regions are not handled here: they load a new session.
void Session::data_changed(const std::set<std::string>& tables) {
    auto any = [&](std::initializer_list<const char*> names) {
        return std::any_of(names.begin(), names.end(), [&](const char* n) { return tables.count(n) > 0; });
    };
    if (any({"indicators", "metrics"})) {
        m_indicators.forget();
        try {
            if (auto periods = m_source->periods(); !periods.empty()) m_periods = std::move(periods);
        } catch (const std::exception& e) {
            m_message = e.what();
        }
    }
    if (any({"projects", "sites"}) && (m_projects || m_sites)) set_points();
    if (any({"indicators", "metrics", "rule_results", "alerts", "alert_audit", "targets"})) {
        recolor();  // and the panel (rules, alerts of the selected region)
        load_alerts();
    }
    ++m_state.data_refreshes;
}

void Session::set_source_problem(const std::string& problem) {
    if (problem == m_state.source_problem) return;
    m_state.source_problem = problem;
    std::string line;  // libpq's message spans lines; the banner is one paragraph
    for (const char c : problem) {
        if (c == '\n' || c == '\t' || c == ' ') {
            if (!line.empty() && line.back() != ' ') line += ' ';
        } else {
            line += c;
        }
    }
    while (!line.empty() && (line.back() == ' ' || line.back() == '.' || line.back() == '?')) line.pop_back();
    m_source_banner = line.empty() ? std::string() : fmt::format(fmt::runtime(m_tr("source_lost")), line);
}

std::string Session::read_only_note() const {
    return m_state.read_only ? fmt::format(fmt::runtime(m_tr("source_read_only")), m_source->name()) : std::string();
}

void Session::load_alerts() {
    // The wall's ticker: the newest open alerts by place and kind, a household's at its county and
    // counted with the others there — the source reads no household detail for a wall.
    if (m_cfg.mode != Mode::Wall) return;
    try {
        data::AlertFilter af;
        af.status = data::AlertStatus::New;
        af.household_detail = false;
        af.limit = 200;
        af.newest_first = true;
        std::vector<std::pair<std::string, std::string>> ticker;
        std::vector<int> counts;
        for (const auto& a : m_source->alerts(af)) {
            const data::RegionInfo* r = m_regions.find(a.region_code);
            const auto kind = data::parse_alert_kind(a.kind);
            std::pair<std::string, std::string> item(r ? r->name : a.region_code,
                                                     fmt::format("{} {}", kind ? data::alert_kind_name_zh(*kind) : a.kind, a.risk_category));
            const auto same = std::find(ticker.begin(), ticker.end(), item);
            if (same != ticker.end()) {
                ++counts[static_cast<std::size_t>(same - ticker.begin())];
            } else if (ticker.size() < 20) {
                ticker.push_back(std::move(item));
                counts.push_back(1);
            }
        }
        for (std::size_t i = 0; i < ticker.size(); ++i) {
            if (counts[i] > 1) ticker[i].second += fmt::format(" ×{}", counts[i]);
        }
        std::int64_t open = 0;
        for (const auto& c : m_source->alert_counts_by_kind({})) open += c.open;
        m_rule_summary = m_source->rule_summary(data::Level::County, m_state.period);
        m_state.ticker.clear();
        for (const auto& [place, what] : ticker) m_state.ticker.push_back(place + " " + what);
        m_alerts = std::move(ticker);
        m_open_alerts = open;
    } catch (const std::exception& e) {
        m_message = e.what();
    }
}

void Session::take_over(const Session& old) {
    m_state.bundle_reloads = old.m_state.bundle_reloads + 1;
    m_last_input = old.m_last_input;
    m_had_input = old.m_had_input;
    m_last_tour = old.m_last_tour;
    m_last_play = old.m_last_play;
    if (m_cfg.mode == Mode::Kiosk && old.m_screen == KioskScreen::Attract) m_screen = KioskScreen::Attract;
    if (m_cfg.mode == Mode::Desk) {
        for (const auto& c : old.m_state.compare)
            if (m_regions.find(c)) m_state.compare.push_back(c);
        m_classes = old.m_classes;
        m_method = old.m_method;
        m_map.set_labels(old.m_map.labels(), m_map.label_px());
        if (old.m_projects != m_projects || old.m_sites != m_sites) {
            m_projects = old.m_projects;
            m_sites = old.m_sites;
            set_points();
        }
        if (std::find(m_periods.begin(), m_periods.end(), old.m_state.period) != m_periods.end()) m_state.period = old.m_state.period;
        m_state.metric = old.m_state.metric;  // same catalogue: every build knows the same metrics and rules
        if (m_regions.find(old.m_focus)) focus(old.m_focus, 0.0); else recolor();
        if (old.m_state.selected != old.m_focus && m_regions.find(old.m_state.selected)) click_region(old.m_state.selected);
    }
    if (m_cfg.mode == Mode::Wall && m_regions.find(old.m_tour_city)) {
        m_tour_city = old.m_tour_city;
        m_state.selected = m_state.camera_target = m_tour_city;
        m_map.set_selected("");
        m_map.set_spotlight(m_tour_city);
        recolor();
        m_map.fly_to(m_tour_city, m_regions, 0.0);
    }
}

AppState Session::state(Clock::time_point now) const {
    AppState s = m_state;
    s.screen = m_cfg.mode == Mode::Kiosk ? std::string(screen_key(m_screen)) : "map";
    s.focus = m_focus;
    s.tour_city = m_tour_city;
    s.budget_mib = memory_budget_mib(m_cfg);
    s.indicators_mib = static_cast<double>(m_indicators.cached_bytes()) / (1024.0 * 1024.0);
    s.indicator_layers = static_cast<int>(m_indicators.layers_cached());
    s.layers_evicted = static_cast<std::int64_t>(m_indicators.layers_evicted());
    s.spotlight = m_map.spotlight();
    const data::RegionInfo* panel = m_regions.find(m_state.selected.empty() ? m_focus : m_state.selected);
    s.panel_title = panel ? panel->name : std::string();
    s.value.clear();
    if (panel && m_state.metric.rfind("rule:", 0) != 0) {
        if (const auto v = m_indicators.value(panel->code, m_state.metric, m_state.period)) s.value = format_value(*v, data::find_metric(m_state.metric));
    }
    if (m_cfg.mode == Mode::Kiosk) s.pin_typed = m_admin_pad ? static_cast<int>(m_typing.pin.size()) : 0;
    if (m_cfg.mode == Mode::Kiosk && m_screen == KioskScreen::Lookup) {
        // The step, the last outcome, how many characters are typed (never which), and a digest of
        // the masked name on the card (never the name).
        s.lookup_step = std::string(lookup_step_key(lookup_step(now)));
        s.lookup_typed = static_cast<int>(m_typing.at_factor ? m_typing.factor.size() : m_typing.id.size());
        s.lookup_outcome = m_lookup_outcome;
        s.card = m_card_digest;
        s.lookup_display = lookup_display();
    }
    if (m_cfg.mode == Mode::Kiosk) {
        s.theme = m_contrast ? "high_contrast" : "standard";
        s.large_text = m_big;
        s.instruction = instruction(now);
        s.page = m_page;
        s.pages = pages();
        s.find_query = m_find_query;
        for (const auto& r : m_find_results) s.find_results.push_back(r.code);
    }
    return s;
}

double Session::next_timer(Clock::time_point now) const {
    const double idle = idle_seconds(now);
    if (m_cfg.mode == Mode::Kiosk && m_screen == KioskScreen::Lookup) {
        // The card's countdown and the keypad's pause are shown in seconds.
        return std::max(0.05, std::min(1.0, std::min(m_cfg.card_timeout_s, m_cfg.idle_timeout_s) - idle));
    }
    if (m_cfg.mode == Mode::Kiosk && m_screen != KioskScreen::Attract) return std::max(0.05, m_cfg.idle_timeout_s - idle);
    if (m_cfg.mode == Mode::Kiosk) return 4.0;  // the attract loop moves slowly
    if (m_cfg.mode == Mode::Wall) {
        if (idle < m_cfg.idle_timeout_s && m_had_input) return std::max(0.05, m_cfg.idle_timeout_s - idle);
        return std::max(0.05, m_cfg.tour_interval_s - std::chrono::duration<double>(now - m_last_tour).count());
    }
    return m_playing ? std::max(0.05, 1.5 - std::chrono::duration<double>(now - m_last_play).count()) : 10.0;
}

bool Session::reload_allowed() const {
    if (m_cfg.mode != Mode::Kiosk) return true;
    return !m_admin_pad && (m_screen == KioskScreen::Home || m_screen == KioskScreen::Attract);
}

}  // namespace onemap::app
