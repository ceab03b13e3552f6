// The GUI application: window, fonts, input, the frame loop, state, and the intents the panels return.
//
// Frame loop (sleeps when nothing changes, so an idle kiosk does not burn a core):
//
//   wait for events ─(timeout: 1/60 s while animating, else until the next timer)─▶ input → map
//        ▲                                                                            │
//        └──── write state file if changed ◀── render map + panels ◀── apply intents ◀┘
//
// Desk and wall --pg read PostgreSQL live (data/pg_source.hpp): ChangeWatch (its own thread) wakes
// the loop when the change counter moved; indicators, rules, alerts, projects and sites are read
// again here and the map recoloured; changed regions load a new Application like a new bundle file
// (below: scene from the private cache or built on the worker thread), so the frame loop never waits.
// A lost connection shows a banner (which server, why) over the last data until the watch reconnects.
//
// Live pick-up of a new bundle (`onemap sync` renamed a snapshot over the path; kiosk/bundle_watch.hpp):
//
//   BundleWatch::changed() ──▶ worker thread: load_data()   ──▶ here: a new Application on it (GL) ──ok──▶
//        (one stat a second)     (bundle, regions, scene)           │ throws (bad file)       take_over(old),
//                                                                   ▼                         fonts if names
//                        keep the old one; state.bundle_error says why; that file is        changed, the old
//                        not tried again                                                    one destroyed
#include "kiosk/gui_app.hpp"

#include "data/bundle.hpp"
#include "data/catalogue.hpp"
#include "data/pg_source.hpp"
#include "data/source.hpp"
#include "data/alerts.hpp"
#include "data/region_index.hpp"
#include "data/rules.hpp"
#include "data/snapshot_manifest.hpp"
#include "data/text_format.hpp"
#include "data/household_glyphs.hpp"
#include "data/household_lookup.hpp"
#include "data/lookup_guard.hpp"
#include "kiosk/speech.hpp"
#include "kiosk/app_state.hpp"
#include "kiosk/bundle_watch.hpp"
#include "kiosk/gui_model.hpp"
#include "kiosk/map_view.hpp"
#include "kiosk/region_reload.hpp"
#include "kiosk/strings.hpp"
#include "render/image.hpp"
#include "render/text.hpp"

#include <GLFW/glfw3.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>
#include <imgui_freetype.h>
#include <imgui_internal.h>
#include <fcntl.h>
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include <toml++/toml.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <future>
#include <map>
#include <optional>
#include <set>

namespace onemap::app::assets {
extern const std::string_view policy_zh_cn_toml;
extern const std::string_view policy_en_toml;
}  // namespace onemap::app::assets

namespace onemap::app {

void WidgetRects::add(const std::string& name) {
    const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    rects.push_back({name, {a.x, a.y, b.x - a.x, b.y - a.y}});
}

namespace {

using Clock = std::chrono::steady_clock;

std::vector<PolicyCard> load_policy(std::string_view language) {
    std::vector<PolicyCard> out;
    const toml::table t = toml::parse(language == "en" ? assets::policy_en_toml : assets::policy_zh_cn_toml);
    if (const auto* cards = t["card"].as_array()) {
        for (const auto& c : *cards) {
            const auto* tab = c.as_table();
            if (!tab) continue;
            out.push_back({std::string((*tab)["title"].value_or("")), std::string((*tab)["body"].value_or("")),
                           std::string((*tab)["next"].value_or(""))});
        }
    }
    return out;
}

// The look-up card's policy items: [household.KEY] entries of the same policy file.
std::map<std::string, PolicyCard, std::less<>> load_household_items(std::string_view language) {
    std::map<std::string, PolicyCard, std::less<>> out;
    const toml::table t = toml::parse(language == "en" ? assets::policy_en_toml : assets::policy_zh_cn_toml);
    if (const auto* items = t["household"].as_table()) {
        for (const auto& [key, node] : *items) {
            const auto* tab = node.as_table();
            if (!tab) continue;
            out[std::string(key.str())] = {std::string((*tab)["title"].value_or("")), std::string((*tab)["body"].value_or("")),
                                           std::string((*tab)["next"].value_or(""))};
        }
    }
    return out;
}

// The read-aloud command; the default Mandarin voice becomes the English one for an English kiosk.
std::string speech_command(const AppConfig& cfg) {
    std::string cmd = cfg.speech_command;
    if (cfg.language == "en" && cmd == AppConfig{}.speech_command) {
        if (const auto at = cmd.find("-v cmn"); at != std::string::npos) cmd.replace(at, 6, "-v en");
    }
    return cmd;
}

void apply_theme(Theme theme, float scale) {
    ImGuiStyle& style = ImGui::GetStyle();
    style = ImGuiStyle();
    switch (theme) {
        case Theme::Light: ImGui::StyleColorsLight(); break;
        case Theme::Dark: ImGui::StyleColorsDark(); break;
        case Theme::HighContrast:
            ImGui::StyleColorsDark();
            style.Colors[ImGuiCol_WindowBg] = ImVec4(0, 0, 0, 0.92f);
            style.Colors[ImGuiCol_Text] = ImVec4(1, 1, 1, 1);
            style.Colors[ImGuiCol_Button] = ImVec4(0.0f, 0.30f, 0.65f, 1);
            style.Colors[ImGuiCol_ButtonHovered] = ImVec4(0.0f, 0.40f, 0.80f, 1);
            style.Colors[ImGuiCol_ButtonActive] = ImVec4(1.0f, 0.75f, 0.0f, 1);
            style.Colors[ImGuiCol_Border] = ImVec4(1, 1, 1, 1);
            style.FrameBorderSize = 2;
            break;
    }
    style.WindowRounding = 6;
    style.FrameRounding = 4;
    style.ScaleAllSizes(scale);
}

// The UI font atlas could be rebuilt neither for a new bundle nor back as it was.
struct FontAtlasLost : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// What a bundle file (or the database) brings that needs no GL: read on a worker thread when a new
// file arrives or the database's regions changed, so the screen keeps moving meanwhile (a province:
// seconds). The GL part is Application's constructor.
struct BundleLoad {
    std::unique_ptr<data::Source> source;
    data::RegionIndex regions;
    SceneLoad scene;
    std::vector<std::string> periods;  // the years with indicators (a scan of the table: seconds for a province)
    // kiosk: the characters it shows beyond its own texts and the region names, for the font atlas:
    // those a household card can show and those of the project list
    std::string extra_glyphs;
    std::vector<data::Project> projects;  // kiosk: the project list (身边的项目)
};

BundleLoad load_pg(const GuiOptions& options) {
    std::unique_ptr<data::PgSource> source = data::open_pg_source(options.pg_url, options.pg_region);
    data::RegionIndex regions = source->regions();
    SceneLoad scene = load_scene(*source, private_cache_dir());
    std::vector<std::string> periods = source->periods();
    return {std::move(source), std::move(regions), std::move(scene), std::move(periods), {}, {}};
}

BundleLoad load_data(const GuiOptions& options) {
    const AppConfig& cfg = options.config;
    if (!options.pg_url.empty()) return load_pg(options);
    std::unique_ptr<data::Source> source = data::open_bundle_source(cfg.bundle);
    const data::Bundle& bundle = *source->bundle();
    data::RegionIndex regions = data::RegionIndex::load(bundle);
    // The render cache is stored into the bundle by desk and wall, never by a kiosk, and never into a
    // synced snapshot (BUNDLE.manifest.json beside it): that would change its hash, and the next
    // `onemap sync` would fetch it again.
    const bool snapshot = std::filesystem::exists(data::manifest_path(cfg.bundle));
    SceneLoad scene = load_scene(bundle, true, cfg.mode != Mode::Kiosk && !snapshot);
    std::vector<std::string> periods = source->periods();
    std::string extra_glyphs;
    std::vector<data::Project> projects;
    if (cfg.mode == Mode::Kiosk) {
        extra_glyphs = data::household_card_glyphs(bundle);
        projects = source->projects();
        for (const auto& p : projects) extra_glyphs += p.name + p.category + p.batch;
    }
    return {std::move(source), std::move(regions), std::move(scene), std::move(periods), std::move(extra_glyphs), std::move(projects)};
}

struct Pointer {
    bool down = false, dragging = false;
    double press_x = 0, press_y = 0, last_x = 0, last_y = 0;
    double vx = 0, vy = 0;                 // inertia, pixels per second
    Clock::time_point last_click{};
    double last_click_x = -1e9, last_click_y = -1e9;
};

class Application {
public:
    Application(const GuiOptions& options, GLFWwindow* window, BundleLoad loaded)
        : m_opt(options), m_cfg(options.config), m_window(window), m_tr(Strings::load(m_cfg.language)),
          m_source(std::move(loaded.source)), m_regions(std::move(loaded.regions)),
          m_indicators(*m_source), m_scene_from(loaded.scene.from_cache ? "cache" : "built"), m_map(m_source->name(), std::move(loaded.scene)), m_policy(load_policy(m_cfg.language)),
          m_household_items(load_household_items(m_cfg.language)), m_speech(m_cfg.mode == Mode::Kiosk ? speech_command(m_cfg) : std::string()) {
        // The wall is read from across a room: no household's alert detail is read for it (data/source.hpp).
        if (m_cfg.mode == Mode::Wall) m_source->withhold_household_detail();
        m_periods = std::move(loaded.periods);
        if (m_periods.empty()) throw data::BundleError(m_source->name() + ": the bundle has no yearly indicators to show");
        m_state.mode = m_cfg.mode;
        m_state.language = m_tr.language();
        m_state.synthetic = m_source->synthetic();
        m_state.source = m_source->live() ? "pg" : "bundle";
        m_state.scene = m_scene_from;
        if (m_source->live()) m_state.read_only = m_source->read_only();
        m_map.set_point_source([this](bool projects, bool sites) {
            try {
                return map_points(projects ? m_source->projects() : std::vector<data::Project>{}, sites ? m_source->sites() : std::vector<data::Site>{});
            } catch (const std::exception& e) {
                m_message = e.what();
                return std::vector<render::MapPoint>{};
            }
        });
        const bool rule_layer = m_cfg.metric.rfind("rule:", 0) == 0 && data::find_rule(m_cfg.metric.substr(5));
        m_state.metric = data::find_metric(m_cfg.metric) || rule_layer ? m_cfg.metric : "tp_income_pc";
        m_state.period = std::find(m_periods.begin(), m_periods.end(), m_cfg.period) != m_periods.end() ? m_cfg.period : m_periods.back();
        m_state.screen = m_cfg.mode == Mode::Kiosk ? "home" : "map";
        if (!m_cfg.home_region.empty() && !m_regions.find(m_cfg.home_region)) {
            throw std::invalid_argument(fmt::format("home_region {} is not a region of {}", m_cfg.home_region, m_source->name()));
        }
        m_labels = m_cfg.mode != Mode::Desk;
        m_map.set_labels(m_labels, static_cast<int>(14 * m_scale));
        if (m_cfg.mode == Mode::Kiosk) {
            m_map.set_points(true, false);
            m_project_list = std::move(loaded.projects);
            // the card's and the project list's characters are in the font atlas whether or not the
            // look-up works, so the atlas built before this application (run_gui) is the one it needs
            m_extra_glyphs = std::move(loaded.extra_glyphs);
            open_lookup();
        }
        load_alerts();
        // Which layers are synthetic (meta.layers_real / layers_synthetic): all, or only some after an import.
        m_partly_real = !m_source->meta("layers_real").value_or("").empty();
        m_mark = m_tr("synthetic_mark");
        if (m_partly_real) {
            // Which layers are still demo data, so an official knows what to trust.
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
        go_home(0.0);
        m_last_input = Clock::now();
        m_last_tour = Clock::now();
    }

    // Whatever ends this application (the admin leaving, a reloaded bundle replacing it) wipes the
    // household card and the typed digits first.
    ~Application() { close_lookup(); }
    Application(const Application&) = delete;
    Application& operator=(const Application&) = delete;

    void set_fonts(UiFonts f, float scale, float touch_px) {
        m_fonts = f;
        m_scale = scale;
        m_touch_px = touch_px;
        m_map.set_labels(m_labels, static_cast<int>(std::lround((m_cfg.mode == Mode::Desk ? 13 : 18) * scale)));
    }

    // One iteration; returns whether the view is still animating.
    bool frame(double dt) {
        int fbw = 0, fbh = 0;
        glfwGetFramebufferSize(m_window, &fbw, &fbh);
        if (m_scrub) scrub_ui_buffers();
        ImGui_ImplOpenGL3_NewFrame();
        ImGui_ImplGlfw_NewFrame();
        ImGui::NewFrame();
        const ImGuiIO& io = ImGui::GetIO();
        const bool any_input = io.MouseClicked[0] || io.MouseClicked[1] || io.MouseWheel != 0 || io.MouseDown[0] ||
                               !m_keys.empty() || io.InputQueueCharacters.Size > 0 ||
                               (io.MouseDelta.x != 0 || io.MouseDelta.y != 0);
        if (any_input) on_input();
        idle_timers();
        map_input(io, dt);

        WidgetRects widgets;
        const Ui ui = make_ui();
        std::vector<Intent> intents;
        switch (m_cfg.mode) {
            case Mode::Desk: intents = desk_panels(ui, m_desk, widgets); break;
            case Mode::Kiosk: intents = kiosk_panels(ui, m_kiosk, widgets); break;
            case Mode::Wall: intents = wall_panels(ui, widgets); break;
        }
        for (const Intent& in : intents) apply(in);
        if (m_playing) play_step();
        const ImVec2 px = io.DisplayFramebufferScale;
        const auto& in = widgets.map_insets;
        m_map.set_insets({in[0] * px.x, in[1] * px.y, in[2] * px.x, in[3] * px.y});

        const bool moving = m_map.update(dt) || std::hypot(m_pointer.vx, m_pointer.vy) > 5;
        ImGui::Render();
        m_map.render(fbw, fbh);
        ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
        publish(widgets, moving);
        return moving || m_playing;
    }

    // Seconds until a timer needs a frame (kiosk idle reset, wall tour), for the event wait.
    double next_timer() const {
        const double idle = seconds_since(m_last_input);
        if (m_cfg.mode == Mode::Kiosk && m_state.screen == "lookup") {
            // The card's countdown and the keypad's pause are shown in seconds.
            return std::max(0.05, std::min(1.0, std::min(m_cfg.card_timeout_s, m_cfg.idle_timeout_s) - idle));
        }
        if (m_cfg.mode == Mode::Kiosk && m_state.screen != "attract") return std::max(0.05, m_cfg.idle_timeout_s - idle);
        if (m_cfg.mode == Mode::Kiosk) return 4.0;  // the attract loop moves slowly
        if (m_cfg.mode == Mode::Wall) {
            if (idle < m_cfg.idle_timeout_s && m_had_input) return std::max(0.05, m_cfg.idle_timeout_s - idle);
            return std::max(0.05, m_cfg.tour_interval_s - seconds_since(m_last_tour));
        }
        return m_playing ? 0.05 : 10.0;
    }

    bool leave_requested() const { return m_leave; }

    // Live reload (kiosk/bundle_watch.hpp). A kiosk swaps only between sessions (home or attract
    // screen, PIN pad closed): nobody's look-up is cut short; desk and wall swap at once.
    bool reload_allowed() const {
        if (m_cfg.mode != Mode::Kiosk) return true;
        return !m_admin_pad && (m_state.screen == "home" || m_state.screen == "attract");
    }
    void set_bundle_file(std::uint64_t inode) { m_state.bundle_inode = inode; }
    int state_reloads() const { return m_state.bundle_reloads; }
    void reload_refused(const std::string& why) { m_state.bundle_error = why; }

    // Take over from the application that showed the previous file what still makes sense on this
    // one. Kiosk: the home screen (or the attract loop it was in). Desk: indicator, year, classes,
    // layers, search text, and the focus and selection where those regions still exist. Wall: the
    // tour goes on from the same city.
    void take_over(const Application& old) {
        m_state.bundle_reloads = old.m_state.bundle_reloads + 1;
        m_last_input = old.m_last_input;
        m_had_input = old.m_had_input;
        m_last_tour = old.m_last_tour;
        if (m_cfg.mode == Mode::Kiosk && old.m_state.screen == "attract") m_state.screen = "attract";
        if (m_cfg.mode == Mode::Desk) {
            m_desk = old.m_desk;
            for (const auto& c : old.m_state.compare)
                if (m_regions.find(c)) m_state.compare.push_back(c);
            m_classes = old.m_classes;
            m_method = old.m_method;
            if (old.m_labels != m_labels) apply(Intent(Intent::Kind::ToggleLabels));
            if (old.m_projects != m_projects) apply(Intent(Intent::Kind::ToggleProjects));
            if (old.m_sites != m_sites) apply(Intent(Intent::Kind::ToggleSites));
            if (std::find(m_periods.begin(), m_periods.end(), old.m_state.period) != m_periods.end()) m_state.period = old.m_state.period;
            m_state.metric = old.m_state.metric;  // same catalogue: every build knows the same metrics and rules
            if (m_regions.find(old.m_focus)) focus(old.m_focus, 0.0); else recolor();
            if (old.m_state.selected != old.m_focus && m_regions.find(old.m_state.selected)) click_region(old.m_state.selected);
        }
        if (m_cfg.mode == Mode::Wall && m_regions.find(old.m_tour_city)) {
            m_tour_city = old.m_tour_city;
            m_state.selected = m_state.camera_target = m_tour_city;
            m_map.set_spotlight(m_tour_city);
            recolor();
            m_map.fly_to(m_tour_city, m_regions, 0.0);
        }
    }
    data::Source& source() { return *m_source; }

    // --pg: the database's tables that changed (ChangeWatch) are read again; the map is recoloured and
    // the panels refilled. Regions are not handled here: they load a new Application (run_gui).
    void data_changed(const std::set<std::string>& tables) {
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
        if (any({"projects", "sites"})) m_map.reload_points();
        if (any({"indicators", "metrics", "rule_results", "alerts", "alert_audit", "targets"})) {
            recolor();  // and the panel (rules, alerts of the selected region)
            load_alerts();
        }
        ++m_state.data_refreshes;
    }
    // --pg: why the database cannot be read now ("" when it can); shown as a banner over the last data.
    void set_source_problem(const std::string& problem) {
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

    const Strings& strings() const { return m_tr; }
    const std::vector<PolicyCard>& policy() const { return m_policy; }
    const data::RegionIndex& regions() const { return m_regions; }
    const std::map<std::string, PolicyCard, std::less<>>& household_items() const { return m_household_items; }
    const std::string& extra_glyphs() const { return m_extra_glyphs; }

    // Key presses from GLFW's callback, so a press and release within one poll are not lost.
    void key_pressed(int key, int mods) { m_keys.emplace_back(key, mods); }

private:
    static double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

    Ui make_ui() const {
        Ui ui{m_cfg, m_state, m_tr, m_regions, m_indicators, m_map, m_periods, m_policy};
        ui.fonts = m_fonts;
        ui.scale = m_scale;
        ui.touch_px = m_touch_px;
        ui.focus = m_focus;
        ui.hover = m_hover;
        ui.projects = m_projects;
        ui.sites = m_sites;
        ui.labels = m_labels;
        ui.playing = m_playing;
        ui.classes = m_classes;
        ui.method = static_cast<int>(m_method);
        ui.message = m_message;
        ui.idle_seconds = seconds_since(m_last_input);
        ui.admin_pad = m_admin_pad;
        ui.alerts = m_alerts;
        ui.tour_city = m_tour_city;
        ui.open_alerts = m_open_alerts;
        ui.partly_real = m_partly_real;
        ui.synthetic_text = m_mark;
        ui.projects_list = &m_project_list;
        ui.rules = m_rules;
        ui.region_alerts = m_region_alerts;
        ui.rule_summary = m_rule_summary;
        ui.source_banner = m_source_banner;
        if (m_state.read_only) ui.read_only_note = fmt::format(fmt::runtime(m_tr("source_read_only")), m_source->name());
        if (m_cfg.mode == Mode::Kiosk) {
            LookupView& lk = ui.lookup;
            lk.available = m_lookup && m_lookup->available();
            if (m_lookup) lk.factor_kind = m_lookup->factor_kind();
            lk.paused_s = std::max(0.0, std::chrono::duration<double>(m_pause_until - Clock::now()).count());
            lk.message = m_lookup_message;
            lk.card = m_card ? &*m_card : nullptr;
            lk.items = &m_household_items;
            if (m_card) {
                const data::RegionInfo* v = m_regions.find(m_card->village_code);
                lk.village_name = v ? v->name : std::string();
            }
            lk.big = m_big;
            lk.can_speak = m_speech.available();
            lk.closes_in_s = std::max(0.0, std::min(m_cfg.card_timeout_s, m_cfg.idle_timeout_s) - seconds_since(m_last_input));
        }
        return ui;
    }

    void on_input() {
        m_last_input = Clock::now();
        m_had_input = true;
        if (m_cfg.mode == Mode::Kiosk && m_state.screen == "attract") {
            m_state.screen = "home";
            go_home(0.6);
        }
    }

    void idle_timers() {
        const double idle = seconds_since(m_last_input);
        if (m_cfg.mode == Mode::Kiosk) {
            if (m_state.screen == "lookup" && idle >= m_cfg.card_timeout_s && idle < m_cfg.idle_timeout_s) {
                // Walked away from the look-up: the card (or what was typed) closes and is wiped.
                close_lookup();
                m_state.screen = "home";
                go_home(0.6);
            }
            if (m_state.screen != "attract" && idle >= m_cfg.idle_timeout_s) {
                // Reset everything: screen, selection, view, typed PIN, the household look-up, messages.
                close_lookup();
                m_kiosk = KioskLocal{};
                m_admin_pad = false;
                m_message.clear();
                m_state.screen = "attract";
                go_home(1.5);
                m_last_tour = Clock::now();
            } else if (m_state.screen == "attract" && seconds_since(m_last_tour) > 8) {
                attract_step();
            }
        }
        if (m_cfg.mode == Mode::Wall) {
            const bool paused = m_had_input && idle < m_cfg.idle_timeout_s;
            if (!paused && seconds_since(m_last_tour) >= m_cfg.tour_interval_s) tour_step();
        }
    }

    void tour_step() {
        // City to city; a bundle of one city tours its counties instead.
        const data::RegionInfo* root = m_regions.root();
        if (root && root->children.size() == 1) root = m_regions.find(root->children.front());
        if (!root || root->children.empty()) return;
        auto it = std::find(root->children.begin(), root->children.end(), m_tour_city);
        m_tour_city = (it == root->children.end() || std::next(it) == root->children.end()) ? root->children.front() : *std::next(it);
        m_last_tour = Clock::now();
        m_state.selected = m_tour_city;
        m_state.camera_target = m_tour_city;
        m_map.set_selected("");
        // the city stands out from across the room: the rest fades, the province's classes stay
        m_map.set_spotlight(m_tour_city);
        recolor();
        m_map.fly_to(m_tour_city, m_regions, 2.0);
    }

    void attract_step() {
        // A slow tour over the home region's children, so the screen is alive from across the hall.
        const data::RegionInfo* home = m_regions.find(home_code());
        m_last_tour = Clock::now();
        if (!home || home->children.empty()) return;
        m_attract = (m_attract + 1) % home->children.size();
        m_map.fly_to(home->children[m_attract], m_regions, 3.0);
        m_state.camera_target = home->children[m_attract];
    }

    std::string home_code() const {
        if (!m_cfg.home_region.empty()) return m_cfg.home_region;
        return m_regions.root() ? m_regions.root()->code : std::string();
    }

    // The level drawn when `code` is in focus: its children's level, within what the map has.
    int level_for_focus(const std::string& code) const {
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

    void focus(const std::string& code, double seconds) {
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

    void go_home(double seconds) { focus(home_code(), seconds); }

    void recolor() {
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
    std::string rule_period(const data::RuleInfo& info) const {
        if (!info.monthly) return m_state.period;
        const std::string best = m_source->latest_rule_month(info.id, m_state.period);  // callers catch a lost connection
        return best.empty() ? m_state.period + "-12" : best;
    }

    // What the info panel lists for the selected region: its rule results and its open alerts.
    void refresh_panel() {
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

    void alert_step(std::int64_t id, const std::string& note) {
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

    void click_region(const std::string& code) {
        if (code.empty()) return;
        const data::RegionInfo* r = m_regions.find(code);
        if (!r) return;
        const bool has_finer = !r->children.empty() && static_cast<int>(r->level) < m_map.finest_level();
        if (m_cfg.mode == Mode::Wall) return;
        if (has_finer) {
            focus(code, 0.8);
        } else {
            m_state.selected = code;
            m_map.set_selected(code);
            refresh_panel();
        }
    }

    void back() {
        const data::RegionInfo* r = m_regions.find(m_focus);
        if (!r || r->parent_code.empty()) return;
        if (m_cfg.mode == Mode::Kiosk && m_focus == home_code()) return;  // a kiosk stays in its region
        focus(r->parent_code, 0.8);
    }

    void play_step() {
        if (seconds_since(m_last_play) < 1.5) return;
        m_last_play = Clock::now();
        auto it = std::find(m_periods.begin(), m_periods.end(), m_state.period);
        m_state.period = (it == m_periods.end() || std::next(it) == m_periods.end()) ? m_periods.front() : *std::next(it);
        recolor();
    }

    void apply(const Intent& in) {
        using K = Intent::Kind;
        switch (in.kind) {
            case K::Focus: focus(in.text, 0.8); break;
            case K::Select: click_region(in.text); break;
            case K::Back: back(); break;
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
                m_method = static_cast<render::ClassMethod>(std::clamp(in.number, 0, 2));
                recolor();
                break;
            case K::SetClasses:
                m_classes = std::clamp(in.number, 3, 9);
                recolor();
                break;
            case K::TogglePlay:
                m_playing = !m_playing;
                m_last_play = Clock::now();
                break;
            case K::ToggleProjects:
                m_projects = !m_projects;
                m_map.set_points(m_projects, m_sites);
                break;
            case K::ToggleSites:
                m_sites = !m_sites;
                m_map.set_points(m_projects, m_sites);
                break;
            case K::ToggleLabels:
                m_labels = !m_labels;
                m_map.set_labels(m_labels, static_cast<int>(std::lround(13 * m_scale)));
                break;
            case K::ExportPng: export_png(); break;
            case K::ExportCsv: export_csv(); break;
            case K::CompareToggle: {
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
            case K::Screen:
                if (m_state.screen == "lookup" || in.text == "lookup") close_lookup();  // entering starts clean; leaving wipes
                m_state.screen = in.text;
                if (in.text == "home") go_home(0.6);
                if (in.text == "admin") m_admin_pad = true;
                break;
            case K::AlertStep: alert_step(in.number, in.text); break;
            case K::LookupBadId: record_bad_id(); break;
            case K::LookupSubmit: submit_lookup(); break;
            case K::LookupClose:
                close_lookup();
                m_state.screen = "home";
                go_home(0.6);
                break;
            case K::LookupBig: m_big = !m_big; break;
            case K::LookupSpeak:
                if (m_card) m_speech.say(speech_text(*m_card));
                break;
            case K::Zoom: {
                int fbw = 0, fbh = 0;
                glfwGetFramebufferSize(m_window, &fbw, &fbh);
                m_map.zoom_about(in.number > 0 ? 1.6 : 1 / 1.6, fbw / 2.0, fbh / 2.0);
                break;
            }
            case K::Language: break;  // takes effect at the next start (fonts are built for one catalogue)
            case K::AdminExit:
                m_admin_pad = false;
                if (!m_cfg.admin_pin_hash.empty() && check_pin(m_cfg.admin_pin_hash, in.text)) {
                    m_leave = true;
                } else {
                    m_message = m_tr("pin_wrong");
                }
                break;
        }
    }

    void export_png() {
        int fbw = 0, fbh = 0;
        glfwGetFramebufferSize(m_window, &fbw, &fbh);
        const MapLegend legend = map_legend(make_ui());
        const render::Image img = m_map.snapshot(fbw, fbh, legend.title, legend.rows);
        const auto path = m_opt.export_dir / fmt::format("onemap-{}-{}-{}.png", m_focus, m_state.metric, m_state.period);
        if (render::write_png(path, img)) {
            m_message = m_tr("exported") + " " + path.string();
            m_state.last_export = path.string();
        } else {
            m_message = "cannot write " + path.string();
        }
    }

    // The focus's children, a row each, with the key indicators in the chosen year.
    void export_csv() {
        const data::RegionInfo* r = m_regions.find(m_focus);
        if (!r) return;
        write_regions_csv(m_opt.export_dir / fmt::format("onemap-{}-children-{}.csv", m_focus, m_state.period), r->children,
                          {"tp_income_pc", "rural_income_pc", "growth_gap", "income_ratio", "tp_population", "tp_households"});
    }

    // The comparison as the desk shows it: a row per region, its key indicators in the chosen year.
    void export_compare_csv() {
        if (m_state.compare.empty()) return;
        write_regions_csv(m_opt.export_dir / fmt::format("onemap-compare-{}.csv", m_state.period), m_state.compare,
                          {std::begin(k_compare_metrics), std::end(k_compare_metrics)});
    }

    // Regions a row each (code, name, level, then `metrics` in the chosen year; empty where none), a
    // BOM first so that spreadsheet programs read the Chinese names right. The message says where.
    void write_regions_csv(const std::filesystem::path& path, const std::vector<std::string>& codes, const std::vector<std::string>& metrics) {
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

    void map_input(const ImGuiIO& io, double dt) {
        const bool map_owns = !io.WantCaptureMouse;
        Pointer& p = m_pointer;
        const double x = io.MousePos.x * io.DisplayFramebufferScale.x, y = io.MousePos.y * io.DisplayFramebufferScale.y;
        if (map_owns && io.MouseClicked[0]) {
            p.down = true;
            p.dragging = false;
            p.press_x = p.last_x = x;
            p.press_y = p.last_y = y;
            p.vx = p.vy = 0;
        }
        if (p.down && io.MouseDown[0]) {
            if (!p.dragging && std::hypot(x - p.press_x, y - p.press_y) > 6 * m_scale) p.dragging = true;
            if (p.dragging && m_cfg.mode != Mode::Wall) {
                const double dx = x - p.last_x, dy = y - p.last_y;
                m_map.pan(dx, dy);
                if (dt > 0) {
                    p.vx = 0.7 * p.vx + 0.3 * dx / dt;
                    p.vy = 0.7 * p.vy + 0.3 * dy / dt;
                }
            }
            p.last_x = x;
            p.last_y = y;
        }
        if (p.down && io.MouseReleased[0]) {
            p.down = false;
            if (!p.dragging) {
                const bool double_tap = seconds_since(p.last_click) < 0.35 && std::hypot(x - p.last_click_x, y - p.last_click_y) < 20 * m_scale;
                if (double_tap && m_cfg.mode != Mode::Wall) {
                    m_map.zoom_about(2.0, x, y);
                    p.last_click = {};
                } else {
                    click_region(m_map.pick(x, y));
                    p.last_click = Clock::now();
                    p.last_click_x = x;
                    p.last_click_y = y;
                }
                p.vx = p.vy = 0;
            }
        }
        if (!p.down && (p.vx != 0 || p.vy != 0)) {  // inertia after a flick
            m_map.pan(p.vx * dt, p.vy * dt);
            const double decay = std::exp(-dt * 4.0);
            p.vx *= decay;
            p.vy *= decay;
            if (std::hypot(p.vx, p.vy) < 5) p.vx = p.vy = 0;
        }
        if (map_owns && io.MouseWheel != 0 && m_cfg.mode != Mode::Wall) m_map.zoom_about(std::pow(1.25, io.MouseWheel), x, y);
        if (map_owns && io.MouseClicked[1] && m_cfg.mode == Mode::Desk) back();
        for (const auto& [key, mods] : m_keys) {
            if (key == GLFW_KEY_ESCAPE && !io.WantTextInput && m_cfg.mode == Mode::Desk) back();
            const int chord = GLFW_MOD_CONTROL | GLFW_MOD_ALT | GLFW_MOD_SHIFT;
            if (key == GLFW_KEY_Q && (mods & chord) == chord && m_cfg.mode == Mode::Kiosk) {
                m_admin_pad = true;  // the admin chord: Ctrl+Alt+Shift+Q, then the PIN
                m_kiosk.pin.clear();
            }
        }
        if (!m_keys.empty()) on_input();
        m_keys.clear();
        const std::string hover = map_owns && !p.down ? m_map.pick(x, y) : std::string();
        if (hover != m_hover) {
            m_hover = hover;
            m_map.set_hover(hover);
        }
    }

    // ── Household look-up (kiosk) ────────────────────────────────────────────────────────────────
    void open_lookup() {
        std::string why;
        const auto key_path = m_cfg.household_key.empty() ? std::filesystem::path(m_cfg.bundle.string() + ".key") : m_cfg.household_key;
        std::optional<data::Key> key = data::load_kiosk_key(key_path, why);
        try {
            m_guard.emplace(data::LookupGuard::open(m_cfg.lookup_guard.empty() ? default_lookup_guard_path() : m_cfg.lookup_guard));
            if (!m_source->bundle()) throw std::invalid_argument("the household look-up needs a bundle");
            m_lookup = std::make_unique<data::HouseholdLookup>(*m_source->bundle(), std::move(key), *m_guard);
            if (!m_lookup->available() && why.empty()) why = m_lookup->unavailable_reason();
            set_pause();  // the counters outlive a restart: a paused keypad stays paused
        } catch (const std::exception& e) {
            why = e.what();
            m_lookup.reset();
        }
        if (!m_lookup || !m_lookup->available()) fmt::print(stderr, "onemap kiosk: household look-up unavailable: {}\n", why);
    }

    void log_lookup(data::LookupOutcome outcome, const std::string& hash_prefix) {
        // Time, outcome and a short prefix of the keyed hash: never a number, a name or an amount.
        fmt::print(stderr, "{} onemap kiosk: look-up {}{}\n", data::utc_now_iso(), data::outcome_key(outcome),
                   hash_prefix.empty() ? std::string() : " h=" + hash_prefix);
        m_lookup_outcome = std::string(data::outcome_key(outcome));
    }

    void set_pause() {
        if (m_guard) m_pause_until = Clock::now() + std::chrono::milliseconds(static_cast<long long>(m_guard->paused_for() * 1000));
    }

    void record_bad_id() {
        if (!m_guard) return;
        try {
            m_guard->record(data::LookupOutcome::BadId, {});
        } catch (const std::exception& e) {
            fmt::print(stderr, "onemap kiosk: {}\n", e.what());
        }
        log_lookup(data::LookupOutcome::BadId, {});
        m_lookup_message = m_tr("lookup_id_bad");
        set_pause();
    }

    void submit_lookup() {
        if (!m_lookup) return;
        data::LookupResult r;
        try {
            r = m_lookup->look_up(m_kiosk.id, m_kiosk.factor);
        } catch (const std::exception& e) {
            fmt::print(stderr, "onemap kiosk: look-up failed: {}\n", e.what());  // file names and SQLite's words only
            r.outcome = data::LookupOutcome::Unavailable;
        }
        data::wipe_string(m_kiosk.factor);
        log_lookup(r.outcome, r.hash_prefix);
        using O = data::LookupOutcome;
        switch (r.outcome) {
            case O::Found:
                m_card = std::move(r.card);
                m_card_digest = data::sha256_hex("onemap-state|" + m_card->head_masked).substr(0, 16);  // once, not every frame
                data::wipe_string(m_kiosk.id);
                m_kiosk.at_factor = false;
                m_lookup_message.clear();
                m_big = false;
                break;
            case O::WrongFactor:
                m_lookup_message = fmt::format(fmt::runtime(m_tr("lookup_wrong_factor")), r.tries_left);
                break;
            case O::Locked:
                m_lookup_message = fmt::format(fmt::runtime(m_tr("lookup_locked")), static_cast<int>(std::ceil(r.wait_s / 60)));
                data::wipe_string(m_kiosk.id);
                m_kiosk.at_factor = false;
                break;
            case O::NotFound:
                m_lookup_message = m_tr("lookup_not_found");
                m_kiosk.at_factor = false;  // the number stays, to be checked and corrected
                break;
            case O::BadId:
                m_lookup_message = m_tr("lookup_id_bad");
                m_kiosk.at_factor = false;
                break;
            case O::Paused: m_lookup_message.clear(); break;
            case O::Unavailable: m_lookup_message = m_tr("lookup_unavailable"); break;
        }
        set_pause();
    }

    // Closing the look-up, by 结束, by walking away or by the idle reset: the card, the typed digits,
    // the voice and ImGui's own buffers that held the card's text are overwritten.
    void close_lookup() {
        const bool had = m_card.has_value() || !m_kiosk.id.empty() || !m_kiosk.factor.empty();
        if (m_card) {
            m_card->wipe();
            m_card.reset();
        }
        m_card_digest.clear();
        data::wipe_string(m_kiosk.id);
        data::wipe_string(m_kiosk.factor);
        m_kiosk.at_factor = false;
        m_lookup_message.clear();
        m_big = false;
        m_speech.stop();
        if (had) m_scrub = true;
    }

    // Between frames: ImGui's text scratch buffer and every window's vertex and index buffers (which
    // held the card's glyphs) are overwritten; the next frames redraw the screen without the card.
    void scrub_ui_buffers() {
        m_scrub = false;
        ImGuiContext* g = ImGui::GetCurrentContext();
        if (!g) return;
        OPENSSL_cleanse(g->TempBuffer, sizeof g->TempBuffer);
        for (ImGuiWindow* win : g->Windows) {
            ImDrawList* dl = win->DrawList;
            if (!dl) continue;
            if (dl->VtxBuffer.Data) OPENSSL_cleanse(dl->VtxBuffer.Data, static_cast<std::size_t>(dl->VtxBuffer.Capacity) * sizeof(ImDrawVert));
            if (dl->IdxBuffer.Data) OPENSSL_cleanse(dl->IdxBuffer.Data, static_cast<std::size_t>(dl->IdxBuffer.Capacity) * sizeof(ImDrawIdx));
        }
    }

    std::string speech_text(const data::HouseholdCard& c) const {
        std::string t = m_tr("lookup_card_title") + "。";
        if (const data::RegionInfo* v = m_regions.find(c.village_code)) t += v->name + "。";
        t += c.household_type + "。";
        t += fmt::format(fmt::runtime(m_tr("lookup_benefits")), c.year) + "：";
        if (c.benefits.empty()) t += m_tr("lookup_benefits_none");
        for (const auto& b : c.benefits) {
            t += fmt::format("{}，{}，{}。", b.program, fmt::format(fmt::runtime(m_tr("lookup_yuan")), fmt::format("{:.0f}", b.amount)),
                             m_tr(b.paid ? "lookup_paid" : "lookup_pending"));
        }
        for (const auto& item : c.items) {
            const auto it = m_household_items.find(item.key);
            if (it == m_household_items.end()) continue;
            t += it->second.title + "。" + it->second.body + m_tr("kiosk_next") + "：" + it->second.next;
        }
        if (!c.contact_name.empty()) t += m_tr("lookup_contact") + "：" + c.contact_name + "，" + c.contact_phone + "。";
        return t;
    }

    void load_alerts() {
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

    void publish(const WidgetRects& widgets, bool moving) {
        AppState s = m_state;
        s.focus = m_focus;
        s.tour_city = m_tour_city;
        s.spotlight = m_map.spotlight();
        const data::RegionInfo* panel = m_regions.find(m_state.selected.empty() ? m_focus : m_state.selected);
        s.panel_title = panel ? panel->name : std::string();
        s.value.clear();
        if (panel && m_state.metric.rfind("rule:", 0) != 0) {
            if (const auto v = m_indicators.value(panel->code, m_state.metric, m_state.period)) s.value = format_value(*v, data::find_metric(m_state.metric));
        }
        if (m_cfg.mode == Mode::Kiosk) s.pin_typed = m_admin_pad ? static_cast<int>(m_kiosk.pin.size()) : 0;
        if (m_cfg.mode == Mode::Kiosk && m_state.screen == "lookup") {
            // For tests and monitoring: the step, the last outcome, how many characters are typed (never
            // which), and a digest of the masked name on the card (never the name).
            const bool paused = Clock::now() < m_pause_until;
            s.lookup_step = !(m_lookup && m_lookup->available()) ? "unavailable" : m_card ? "card" : paused ? "paused"
                            : m_kiosk.at_factor ? "factor" : "id";
            s.lookup_typed = static_cast<int>(m_kiosk.at_factor ? m_kiosk.factor.size() : m_kiosk.id.size());
            s.lookup_outcome = m_lookup_outcome;
            s.card = m_card_digest;
        }
        s.widgets.clear();
        for (const auto& [name, r] : widgets.rects) s.widgets.push_back({name, {static_cast<double>(r[0]), static_cast<double>(r[1]), static_cast<double>(r[2]), static_cast<double>(r[3])}});
        // Where drawn regions inside the focus are on screen (a few), so a test can click one — only
        // while the view rests: mid-flight they would be elsewhere by the time a click lands.
        s.anchors.clear();
        int fbw = 0, fbh = 0, ww = 0, wh = 0;
        glfwGetFramebufferSize(m_window, &fbw, &fbh);
        glfwGetWindowSize(m_window, &ww, &wh);
        const double sx = fbw > 0 ? static_cast<double>(ww) / fbw : 1.0, sy = fbh > 0 ? static_cast<double>(wh) / fbh : 1.0;
        const auto& in = widgets.map_insets;
        s.map_area = {in[0], in[1], ww - in[0] - in[2], wh - in[1] - in[3]};
        s.missing_glyphs = widgets.missing_glyphs;
        s.view_rect = {};
        if (!moving) {
            if (const auto b = m_map.screen_box(m_state.camera_target, m_regions))
                s.view_rect = {(*b)[0] * sx, (*b)[1] * sy, ((*b)[2] - (*b)[0]) * sx, ((*b)[3] - (*b)[1]) * sy};
            const std::string prefix = m_focus == (m_regions.root() ? m_regions.root()->code : "") ? std::string() : m_focus;
            for (const auto& code : m_map.drawn_codes()) {
                if (s.anchors.size() >= 5) break;
                if (code.rfind(prefix, 0) != 0) continue;
                double x = 0, y = 0;
                if (m_map.screen_anchor(code, x, y) && x > 0 && y > 0 && x < fbw * 0.6 && y > fbh * 0.1 && y < fbh * 0.8 &&
                    m_map.pick(x, y) == code) {
                    s.anchors.push_back({code, {x * sx, y * sy}});
                }
            }
        }
        if (!(s == m_published)) {
            m_published = s;
            if (!m_opt.state_file.empty()) write_state_file(m_opt.state_file, s);
        }
    }

    const GuiOptions& m_opt;
    AppConfig m_cfg;
    GLFWwindow* m_window;
    Strings m_tr;
    std::unique_ptr<data::Source> m_source;
    data::RegionIndex m_regions;
    data::Indicators m_indicators;
    std::string m_scene_from;  // where the map came from: cache | built
    MapView m_map;
    std::vector<PolicyCard> m_policy;
    std::vector<std::string> m_periods;
    AppState m_state, m_published;
    UiFonts m_fonts;
    float m_scale = 1, m_touch_px = 64;
    std::string m_focus, m_hover, m_message, m_tour_city;
    bool m_projects = false, m_sites = false, m_labels = false, m_playing = false, m_admin_pad = false, m_leave = false, m_had_input = false;
    int m_classes = 7;
    render::ClassMethod m_method = render::ClassMethod::Quantile;
    Pointer m_pointer;
    Clock::time_point m_last_input, m_last_tour, m_last_play;
    std::size_t m_attract = 0;
    std::vector<std::pair<std::string, std::string>> m_alerts;
    std::int64_t m_open_alerts = 0;
    bool m_partly_real = false;
    std::string m_mark;  // the 演示数据 mark's text: all demo, or which layers still are
    std::string m_source_banner;  // --pg: the connection is lost (which server, why)
    std::vector<data::Project> m_project_list;
    std::vector<data::RuleResult> m_rules;
    std::vector<data::Alert> m_region_alerts;
    std::vector<data::RuleSummary> m_rule_summary;
    std::vector<std::pair<int, int>> m_keys;
    DeskLocal m_desk;
    KioskLocal m_kiosk;
    std::map<std::string, PolicyCard, std::less<>> m_household_items;
    std::optional<data::LookupGuard> m_guard;
    std::unique_ptr<data::HouseholdLookup> m_lookup;
    std::optional<data::HouseholdCard> m_card;
    std::string m_lookup_message, m_lookup_outcome, m_extra_glyphs;
    std::string m_card_digest;  // for the state file: a digest of the card's masked name, never the name
    Clock::time_point m_pause_until{};
    bool m_big = false, m_scrub = false;
    Speech m_speech;
};

// Glyphs the UI will need: ASCII, CJK punctuation, every UI string, region and metric name, and the
// policy cards (`shown`); for desk also the common-use set, so typed search text shows (`typed`, for
// the body font only: the larger title and figure fonts show names and strings, never typed text, and
// the common set at those sizes would make the atlas of a desk three times the size — 0.6 s more to
// build and upload on software GL).
struct UiGlyphs {
    std::vector<ImWchar> shown, typed;
    bool operator==(const UiGlyphs&) const = default;
};
UiGlyphs glyph_ranges(const Strings& tr, const std::vector<PolicyCard>& policy, const data::RegionIndex& regions, bool common,
                      const std::map<std::string, PolicyCard, std::less<>>& items, const std::string& extra) {
    ImFontGlyphRangesBuilder b;
    ImFontAtlas tmp;
    b.AddRanges(tmp.GetGlyphRangesDefault());
    b.AddText("，。：；（）、“”—·…－＋％《》【】：！？0123456789");
    for (const auto& k : tr.keys()) b.AddText(tr(k).c_str());
    for (const auto& c : policy) {
        b.AddText(c.title.c_str());
        b.AddText(c.body.c_str());
        b.AddText(c.next.c_str());
    }
    for (const auto& m : data::metric_catalogue()) {
        b.AddText(std::string(m.name_zh).c_str());
        b.AddText(std::string(m.name_en).c_str());
        b.AddText(std::string(m.unit).c_str());
    }
    for (int l = 1; l <= 5; ++l) b.AddText(std::string(data::level_name_zh(static_cast<data::Level>(l))).c_str());
    for (const auto& r : data::rule_catalogue()) {
        b.AddText(std::string(r.name_zh).c_str());
        b.AddText(std::string(r.text_zh).c_str());
    }
    for (int st = 0; st < 4; ++st) b.AddText(std::string(data::status_name_zh(static_cast<data::RuleStatus>(st))).c_str());
    for (int st = 0; st < 4; ++st) b.AddText(std::string(data::alert_status_name_zh(static_cast<data::AlertStatus>(st))).c_str());
    for (const auto c : data::k_risk_categories) b.AddText(std::string(c).c_str());
    for (int k = 0; k < 12; ++k) {
        if (const auto kind = data::parse_alert_kind(data::alert_kind_key(static_cast<data::AlertKind>(k)))) {
            b.AddText(std::string(data::alert_kind_name_zh(*kind)).c_str());
        }
    }
    for (const auto& [key, c] : items) {
        b.AddText(c.title.c_str());
        b.AddText(c.body.c_str());
        b.AddText(c.next.c_str());
    }
    b.AddText(extra.c_str());
    b.AddText("∶≥≤→←＞＜×÷±°′″№①②③④⑤【】");
    b.AddText("演示数据预警目标县市区乡镇村社区街道全省无数据达成未达成进度共个户人元万亿％");
    const data::RegionInfo* root = regions.root();
    std::vector<const data::RegionInfo*> stack{root};
    while (!stack.empty()) {
        const data::RegionInfo* r = stack.back();
        stack.pop_back();
        if (!r) continue;
        b.AddText(r->name.c_str());
        for (const auto& c : r->children) stack.push_back(regions.find(c));
    }
    UiGlyphs out;
    ImVector<ImWchar> built;
    b.BuildRanges(&built);
    out.shown.assign(built.begin(), built.end());
    if (common) {
        b.AddRanges(tmp.GetGlyphRangesChineseSimplifiedCommon());
        built.clear();
        b.BuildRanges(&built);
        out.typed.assign(built.begin(), built.end());
    } else {
        out.typed = out.shown;
    }
    return out;
}

// The UI font file mapped into memory once: the atlas's three sizes read it in place (each
// AddFontFromFileTTF would read the whole file, 20 MB for Noto Sans CJK, into memory of its own).
// Private and writable, so nothing can reach the file, though nothing writes.
class FontFile {
public:
    FontFile() = default;
    FontFile(const FontFile&) = delete;
    FontFile& operator=(const FontFile&) = delete;
    ~FontFile() {
        if (m_data != MAP_FAILED) munmap(m_data, m_size);
    }
    void open(const std::filesystem::path& path) {
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) throw std::runtime_error("cannot open the UI font " + path.string());
        const off_t size = ::lseek(fd, 0, SEEK_END);
        if (size > 0 && size < (off_t{1} << 31)) m_data = mmap(nullptr, static_cast<std::size_t>(size), PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
        ::close(fd);
        if (m_data == MAP_FAILED) throw std::runtime_error("cannot read the UI font " + path.string());
        m_size = static_cast<std::size_t>(size);
    }
    void* data() const { return m_data; }
    int size() const { return static_cast<int>(m_size); }

private:
    void* m_data = MAP_FAILED;
    std::size_t m_size = 0;
};

// Frame-time percentiles and resident memory, for soak runs (a benchmark, not a test).
// Frame-time percentiles of the latest frames (up to 5,000) and, apart, of the frames since the last
// write: over days the first list is what a wall is like, the second what the last few seconds were.
// `first_frame_s`: from the start of run_gui (the program's first tenths of a millisecond aside) to
// the first frame handed to the screen.
void write_perf(const std::filesystem::path& path, double first_frame_s, std::size_t frames, std::vector<double> ms, std::vector<double> recent) {
    const auto pct = [](std::vector<double>& v, double p) {
        std::sort(v.begin(), v.end());
        return v.empty() ? 0.0 : v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
    };
    long rss_kb = 0;
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);) {
        if (line.rfind("VmRSS:", 0) == 0) rss_kb = std::stol(line.substr(6));
    }
    const auto tmp = path.string() + ".tmp";
    const double p50 = pct(ms, 0.5), p95 = pct(ms, 0.95), p99 = pct(ms, 0.99), recent_p95 = pct(recent, 0.95);
    std::ofstream(tmp) << fmt::format("{{\"first_frame_s\":{:.3f},\"frames\":{},\"p50_ms\":{:.2f},\"p95_ms\":{:.2f},\"p99_ms\":{:.2f},\"max_ms\":{:.2f},\"rss_kb\":{},"
                                      "\"recent\":{{\"frames\":{},\"p95_ms\":{:.2f},\"max_ms\":{:.2f}}}}}\n",
                                      first_frame_s, frames, p50, p95, p99, ms.empty() ? 0.0 : ms.back(), rss_kb, recent.size(), recent_p95,
                                      recent.empty() ? 0.0 : recent.back());
    std::filesystem::rename(tmp, path);
}

}  // namespace

int run_gui(const GuiOptions& options) {
    const auto started = Clock::now();
    const AppConfig& cfg = options.config;
    // The bundle (or database) is read on a second thread while this one opens the window and its GL
    // context: neither needs the other, and each takes a few tenths of a second on a small machine.
    const FileIdentity shown = options.pg_url.empty() ? file_identity(cfg.bundle) : FileIdentity{};  // taken before opening: a swap meanwhile is seen later
    std::future<BundleLoad> first_load = std::async(std::launch::async, [&options] { return load_data(options); });
    if (!glfwInit()) {
        fmt::print(stderr, "onemap {}: no display to open a window on (is DISPLAY set?); `onemap render` writes a PNG instead\n",
                   mode_key(cfg.mode));
        return 3;
    }
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
    glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
    glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);

    int count = 0;
    GLFWmonitor** monitors = glfwGetMonitors(&count);
    GLFWmonitor* monitor = glfwGetPrimaryMonitor();
    if (cfg.monitor != "primary" && cfg.monitor != "all") {
        const int n = std::stoi(cfg.monitor);
        if (n < 1 || n > count) {
            fmt::print(stderr, "onemap: screen.monitor = {} but this display has {} monitor(s)\n", n, count);
            glfwTerminate();
            return 2;
        }
        monitor = monitors[n - 1];
    }
    const GLFWvidmode* vm = monitor ? glfwGetVideoMode(monitor) : nullptr;
    int x = 0, y = 0, w = vm ? vm->width : 1600, h = vm ? vm->height : 1000;
    if (monitor) glfwGetMonitorPos(monitor, &x, &y);
    GLFWmonitor* fullscreen_on = nullptr;
    const bool locked = cfg.mode != Mode::Desk;
    if (cfg.canvas) {  // one picture over a configured rectangle of the desktop
        x = cfg.canvas->x;
        y = cfg.canvas->y;
        w = cfg.canvas->w;
        h = cfg.canvas->h;
        glfwWindowHint(GLFW_DECORATED, GLFW_FALSE);
    } else if (cfg.monitor == "all" && count > 1) {  // the union of every monitor
        int x0 = 1 << 30, y0 = 1 << 30, x1 = -(1 << 30), y1 = -(1 << 30);
        for (int i = 0; i < count; ++i) {
            int mx = 0, my = 0;
            glfwGetMonitorPos(monitors[i], &mx, &my);
            const GLFWvidmode* m = glfwGetVideoMode(monitors[i]);
            x0 = std::min(x0, mx);
            y0 = std::min(y0, my);
            x1 = std::max(x1, mx + m->width);
            y1 = std::max(y1, my + m->height);
        }
        x = x0;
        y = y0;
        w = x1 - x0;
        h = y1 - y0;
        glfwWindowHint(GLFW_DECORATED, GLFW_FALSE);
    } else if (cfg.fullscreen || locked) {
        fullscreen_on = monitor;
    } else {
        w = options.width ? static_cast<int>(options.width) : std::max(960, w * 9 / 10);
        h = options.height ? static_cast<int>(options.height) : std::max(640, h * 9 / 10);
    }
    if (locked) glfwWindowHint(GLFW_DECORATED, GLFW_FALSE);
    const std::string title = std::string(Strings::load(cfg.language)("app_title"));
    GLFWwindow* window = glfwCreateWindow(w, h, title.c_str(), fullscreen_on, nullptr);
    if (!window) {
        fmt::print(stderr, "onemap {}: cannot create an OpenGL 3.3 window on this display\n", mode_key(cfg.mode));
        glfwTerminate();
        return 3;
    }
    if (!fullscreen_on) glfwSetWindowPos(window, x, y);
    if (locked) {
        // Kiosk and wall cannot be closed by the window manager (Alt+F4, close button).
        glfwSetWindowCloseCallback(window, [](GLFWwindow* win) { glfwSetWindowShouldClose(win, GLFW_FALSE); });
        glfwSetWindowIconifyCallback(window, [](GLFWwindow* win, int iconified) {
            if (iconified) glfwRestoreWindow(win);  // nor minimised
        });
    }
    glfwMakeContextCurrent(window);
    glfwSwapInterval(1);
    // Our key callback first; ImGui's backend installs its own and chains to this one.
    glfwSetKeyCallback(window, [](GLFWwindow* win, int key, int, int action, int mods) {
        if (action != GLFW_PRESS) return;
        if (auto* app = static_cast<Application*>(glfwGetWindowUserPointer(win))) app->key_pressed(key, mods);
    });

    // Sizes from the screen: the same layout reads on a 1080p kiosk and an 8K wall.
    int fbw = 0, fbh = 0;
    glfwGetFramebufferSize(window, &fbw, &fbh);
    const float base = cfg.mode == Mode::Desk ? 18.0f : cfg.mode == Mode::Kiosk ? 30.0f : 28.0f;
    const float scale = std::clamp(static_cast<float>(std::min(fbh, fbw * 9 / 16)) / 1080.0f, 0.75f, 6.0f);
    float touch_px = 64 * scale;
    int mm_w = 0, mm_h = 0;
    if (monitor) glfwGetMonitorPhysicalSize(monitor, &mm_w, &mm_h);
    if (mm_h > 50 && vm) touch_px = std::max(touch_px, 15.0f * static_cast<float>(vm->height) / static_cast<float>(mm_h));

    // The UI's font atlas is ours, handed to ImGui's context (which is made once the atlas is built),
    // so it outlives the context.
    FontFile font_file;  // what the atlas's fonts read
    ImFontAtlas atlas;
    atlas.FontBuilderIO = ImGuiFreeType::GetBuilderForFreeType();
    bool imgui_on = false;
    int code = 0;
    try {
        const bool pg = !options.pg_url.empty();
        const auto [font, face] = render::find_font();
        if (font.empty()) throw std::runtime_error("no CJK font found through fontconfig (install fonts-noto-cjk)");
        font_file.open(font);
        static UiGlyphs ranges;  // ImGui keeps a pointer to the ranges until the atlas is rebuilt
        UiFonts fonts;
        // The atlas holds the glyphs of this application's strings and region names (rebuilt when a
        // reloaded bundle brings other names).
        auto build_fonts = [&, font = font, face = face](UiGlyphs glyphs) {
            ranges = std::move(glyphs);
            atlas.Clear();
            ImFontConfig fc;
            fc.FontNo = static_cast<unsigned>(face);
            fc.OversampleH = fc.OversampleV = 1;
            // ImGui copies font data it is not given to own (three sizes: 60 MB). The mapping is handed
            // over as its own, read in place, then marked not its own, so Clear() never frees it.
            const auto add = [&](float px, const std::vector<ImWchar>& glyphs) {
                ImFont* f = atlas.AddFontFromMemoryTTF(font_file.data(), font_file.size(), std::round(px), &fc, glyphs.data());
                atlas.ConfigData.back().FontDataOwnedByAtlas = false;
                return f;
            };
            fonts.body = add(base * scale, ranges.typed);
            fonts.title = add(base * 1.45f * scale, ranges.shown);
            fonts.huge = add(base * 2.4f * scale, ranges.shown);
            if (!fonts.body || !atlas.Build()) throw std::runtime_error("cannot build the UI font atlas from " + font.string());
        };
        // The first atlas is built on a second thread while this one makes the application (its map's
        // GL objects): a few tenths of a second each on a small machine. Its glyphs are those the
        // application will have, from what it is made of. No ImGui context exists until both are
        // done, so ImGui's allocation counter is not shared between threads.
        BundleLoad first = first_load.get();
        std::future<void> first_fonts =
            std::async(std::launch::async, build_fonts,
                       glyph_ranges(Strings::load(cfg.language), load_policy(cfg.language), first.regions, cfg.mode == Mode::Desk,
                                    load_household_items(cfg.language), first.extra_glyphs));
        auto app_ptr = std::make_unique<Application>(options, window, std::move(first));
        Application* app = app_ptr.get();
        first_fonts.get();

        IMGUI_CHECKVERSION();
        ImGui::CreateContext(&atlas);
        imgui_on = true;
        ImGui::GetIO().IniFilename = nullptr;  // nothing written next to the program
        ImGui_ImplGlfw_InitForOpenGL(window, true);
        ImGui_ImplOpenGL3_Init("#version 330 core");
        apply_theme(cfg.theme, scale);
        app->set_fonts(fonts, scale, touch_px);
        app->set_bundle_file(shown.inode);
        std::optional<BundleWatch> watch;
        std::optional<BundlePoke> poke;
        std::unique_ptr<data::ChangeWatch> changes;  // --pg
        RegionReload region_reload;                  // --pg: a new map owed (changed regions, or a failed load to retry)
        bool want_connection = false;
        if (pg) {
            auto& source = dynamic_cast<data::PgSource&>(app->source());
            if (!source.has_change_counter()) {
                fmt::print(stderr, "onemap {}: {} has no change counter (a database initialised by an older onemap): changes appear only "
                                   "after a restart; run `onemap serve-db init --pg URL` once to add it\n", mode_key(cfg.mode), source.name());
            }
            changes = std::make_unique<data::ChangeWatch>(options.pg_url, cfg.pg_poll_s, source.counters_at_open(), [] { glfwPostEmptyEvent(); });
        } else {
            watch.emplace(cfg.bundle, shown);
            poke.emplace(cfg.bundle, [] { glfwPostEmptyEvent(); });  // wakes the idle wait below
        }
        glfwSetWindowUserPointer(window, app);

        // A new file at the bundle path: read it on a worker thread (BundleLoad, which wakes the loop
        // when done), then build a new Application on it here (GL); only when all that worked does it
        // replace the running one. Never throws: a bad file leaves the old one showing.
        std::future<BundleLoad> loading;
        FileIdentity loading_id;
        auto t_load = Clock::now();
        auto start_reload = [&] {
            if (watch) loading_id = watch->candidate();
            t_load = Clock::now();
            loading = std::async(std::launch::async, [&options] {
                struct Wake {
                    ~Wake() { glfwPostEmptyEvent(); }
                } wake;
                return load_data(options);
            });
        };
        auto finish_reload = [&] {
            const FileIdentity candidate = loading_id;
            const double seconds_read = std::chrono::duration<double>(Clock::now() - t_load).count();
            const auto t0 = Clock::now();
            try {
                auto next = std::make_unique<Application>(options, window, loading.get());
                next->set_bundle_file(candidate.inode);
                next->set_fonts(fonts, scale, touch_px);  // the current atlas for now
                next->take_over(*app);
                // The font atlas last: rebuilding it invalidates the running application's fonts.
                auto glyphs = glyph_ranges(next->strings(), next->policy(), next->regions(), cfg.mode == Mode::Desk, next->household_items(),
                                           next->extra_glyphs());
                const bool new_glyphs = glyphs != ranges;
                if (new_glyphs) {
                    UiGlyphs old = ranges;
                    try {
                        build_fonts(std::move(glyphs));
                    } catch (const std::exception&) {
                        try {
                            build_fonts(std::move(old));  // the atlas the running application draws with
                        } catch (const std::exception& e) {
                            throw FontAtlasLost(e.what());
                        }
                        ImGui_ImplOpenGL3_DestroyFontsTexture();
                        ImGui_ImplOpenGL3_CreateFontsTexture();
                        app->set_fonts(fonts, scale, touch_px);
                        throw;
                    }
                    ImGui_ImplOpenGL3_DestroyFontsTexture();
                    ImGui_ImplOpenGL3_CreateFontsTexture();
                    next->set_fonts(fonts, scale, touch_px);
                }
                app_ptr = std::move(next);  // the old application and its file go here
                app = app_ptr.get();
                glfwSetWindowUserPointer(window, app);
                if (watch) watch->loaded(candidate);
                if (changes) region_reload.succeeded();
                ::malloc_trim(0);  // hand the old scene's pages back (freed on two threads, glibc keeps them otherwise)
                fmt::print(stderr, "onemap {}: {}: {} (reload {}: read {:.2f} s in the background, {:.2f} s on screen{})\n",
                           mode_key(cfg.mode), app->source().name(), pg ? "changed regions picked up" : "new bundle file picked up",
                           app->state_reloads(), seconds_read,
                           std::chrono::duration<double>(Clock::now() - t0).count(), new_glyphs ? ", font atlas rebuilt for new names" : "");
            } catch (const FontAtlasLost&) {
                throw;  // no text can be drawn any more: end with the message
            } catch (const std::exception& e) {
                if (watch) watch->failed(candidate);
                if (changes) region_reload.failed(changes->polls());  // tried again at the watch's next poll
                app->reload_refused(e.what());
                fmt::print(stderr, "onemap {}: {}: {}: {}\n", mode_key(cfg.mode), app->source().name(),
                           pg ? "the changed regions are not shown, the old map stays" : "the new file is not shown, the old one stays", e.what());
            }
        };

        auto last = Clock::now();
        auto last_perf = Clock::now();
        double first_frame_s = 0;
        std::vector<double> frame_ms;  // the latest frames' CPU time (map + panels + swap), a ring
        std::vector<double> recent_ms;  // the frames since the perf file was last written
        std::size_t frames = 0;
        int settle = 3;  // frames to draw after an event: ImGui needs a couple to settle
        while (!glfwWindowShouldClose(window) && !app->leave_requested()) {
            if (changes) {
                // --pg: what changed in the database, and whether it can be reached.
                auto& source = dynamic_cast<data::PgSource&>(app->source());
                data::ChangeWatch::Report report = changes->take();
                std::set<std::string> changed = std::move(report.changed);
                if (report.connection) {
                    source.adopt(std::move(*report.connection));
                    want_connection = false;
                    changed.insert({"indicators", "rule_results", "alerts", "projects", "sites"});  // what was cached meanwhile
                }
                if (!source.connected() && report.reachable && !want_connection) {
                    changes->want_connection();
                    want_connection = true;
                }
                app->set_source_problem(!report.reachable ? report.problem : source.connected() ? std::string() : source.last_error());
                if (changed.count("regions")) {
                    region_reload.changed();  // a new Application once read (the rest is read with it)
                } else if (!changed.empty()) {
                    app->data_changed(changed);
                }
                if (!loading.valid() && region_reload.should_start(changes->polls())) {
                    region_reload.started();
                    start_reload();
                }
            }
            if (loading.valid()) {
                if (app->reload_allowed() && loading.wait_for(std::chrono::seconds(0)) == std::future_status::ready) finish_reload();
            } else if (watch && app->reload_allowed() && watch->changed()) {
                start_reload();
            }
            const auto now = Clock::now();
            const double dt = std::min(0.1, std::chrono::duration<double>(now - last).count());
            last = now;
            const bool animating = app->frame(dt);
            glfwSwapBuffers(window);
            if (first_frame_s == 0) first_frame_s = std::chrono::duration<double>(Clock::now() - started).count();
            if (!options.perf_file.empty()) {
                const double ms = std::chrono::duration<double, std::milli>(Clock::now() - now).count();
                if (frame_ms.size() < 5000) frame_ms.push_back(ms); else frame_ms[frames % frame_ms.size()] = ms;
                recent_ms.push_back(ms);
                ++frames;
                if (std::chrono::duration<double>(Clock::now() - last_perf).count() > 5) {
                    last_perf = Clock::now();
                    write_perf(options.perf_file, first_frame_s, frames, frame_ms, std::move(recent_ms));
                    recent_ms.clear();
                }
            }
            if (animating || settle > 0) {
                --settle;
                glfwPollEvents();
                if (!animating) glfwWaitEventsTimeout(1.0 / 60.0);
            } else {
                // While a new file at the bundle path settles, look again after the watch interval.
                const double watch_s = watch && watch->settling() && app->reload_allowed() ? watch->seconds_to_next() + 0.01 : 10.0;
                // A map owed to the database (a failed load): look again at the watch's poll interval.
                const double owed_s = changes && region_reload.pending() ? std::max(0.05, cfg.pg_poll_s) : 10.0;
                glfwWaitEventsTimeout(std::min({app->next_timer(), 10.0, watch_s, owed_s}));
                settle = 3;
            }
        }
    } catch (const std::exception& e) {
        fmt::print(stderr, "onemap {}: {}\n", mode_key(cfg.mode), e.what());
        code = 1;
    }
    glfwSetWindowUserPointer(window, nullptr);
    if (imgui_on) {
        ImGui_ImplOpenGL3_Shutdown();
        ImGui_ImplGlfw_Shutdown();
        ImGui::DestroyContext();
    }
    atlas.Locked = false;  // a frame ended by an exception leaves it locked (ImGui unlocks only the atlases it owns)
    glfwDestroyWindow(window);
    glfwTerminate();
    return code;
}

}  // namespace onemap::app
