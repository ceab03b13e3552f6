#include "kiosk/gui/app_window.hpp"

#include "render/image.hpp"

#include <GLFW/glfw3.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>
#include <imgui_internal.h>
#include <openssl/crypto.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace onemap::app {

void WidgetRects::add(const std::string& name) {
    const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    rects.push_back({name, {a.x, a.y, b.x - a.x, b.y - a.y}});
}

namespace {

// The read-aloud command; the default Mandarin voice becomes the English one for an English kiosk.
std::string speech_command(const AppConfig& cfg) {
    if (cfg.mode != Mode::Kiosk) return {};
    std::string cmd = cfg.speech_command;
    if (cfg.language == "en" && cmd == AppConfig{}.speech_command) {
        if (const auto at = cmd.find("-v cmn"); at != std::string::npos) cmd.replace(at, 6, "-v en");
    }
    return cmd;
}

SessionOptions session_options(const GuiOptions& options, const Speech& speech) {
    SessionOptions o;
    o.export_dir = options.export_dir;
    o.can_speak = speech.available();
    return o;
}

}  // namespace

AppWindow::AppWindow(const GuiOptions& options, GLFWwindow* window, SessionData data)
    : m_opt(options), m_window(window), m_speech(speech_command(options.config)),
      m_session(options.config, std::move(data), Clock::now(), session_options(options, m_speech)), m_map(m_session.map()) {
    if (!m_session.map().scene().layers.empty() && m_session.map().scene().layers.front().features.empty()) {
        throw std::invalid_argument(options.config.bundle.string() + ": the bundle has no regions to draw");
    }
}

// Whatever ends this window's session (the admin leaving, a reloaded bundle replacing it) wipes the
// household card and the typed digits first (Session's destructor); the voice stops here.
AppWindow::~AppWindow() { m_speech.stop(); }

void AppWindow::set_fonts(UiFonts f, float scale, float touch_px) {
    m_fonts = f;
    m_scale = scale;
    m_touch_px = touch_px;
    m_session.map().set_labels(m_session.labels(), static_cast<int>(std::lround((m_session.mode() == Mode::Desk ? 13 : 18) * scale)));
}

void AppWindow::take_over(AppWindow& old) {
    m_session.take_over(old.m_session);
    m_desk = old.m_desk;
}

void AppWindow::run(const std::vector<Intent>& intents) {
    for (const Intent& in : intents)
        for (const Effect& e : m_session.apply(in, Clock::now())) carry_out(e);
}

void AppWindow::carry_out(const Effect& e) {
    switch (e.kind) {
        case Effect::Kind::ExportPng: {
            int fbw = 0, fbh = 0;
            glfwGetFramebufferSize(m_window, &fbw, &fbh);
            const AppState state = m_session.state(Clock::now());
            const MapLegend legend = export_legend(make_ui(state));
            m_map.sync();
            const render::Image img = m_map.snapshot(fbw, fbh, legend.title, legend.rows);
            const bool ok = render::write_png(e.path, img);
            run({Intent(Intent::Kind::Exported, e.path.string(), ok ? 1 : 0)});
            break;
        }
        case Effect::Kind::Speak: m_speech.say(e.text); break;
        case Effect::Kind::StopSpeaking: m_speech.stop(); break;
        case Effect::Kind::ScrubUiBuffers: m_scrub = true; break;
        case Effect::Kind::Leave: break;  // leave_requested() ends the loop
    }
}

bool AppWindow::frame(double dt) {
    int fbw = 0, fbh = 0;
    glfwGetFramebufferSize(m_window, &fbw, &fbh);
    if (m_scrub) scrub_ui_buffers();
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    ImGui::NewFrame();
    const ImGuiIO& io = ImGui::GetIO();
    const bool any_input = io.MouseClicked[0] || io.MouseClicked[1] || io.MouseWheel != 0 || io.MouseDown[0] || !m_keys.empty() ||
                           io.InputQueueCharacters.Size > 0 || (io.MouseDelta.x != 0 || io.MouseDelta.y != 0);
    std::vector<Intent> input;
    if (any_input) input.emplace_back(Intent::Kind::Touch);
    input.emplace_back(Intent::Kind::Tick);
    map_input(io, dt, input);
    run(input);

    WidgetRects widgets;
    {
        const AppState state = m_session.state(Clock::now());
        const Ui ui = make_ui(state);
        std::vector<Intent> intents;
        switch (m_session.mode()) {
            case Mode::Desk: intents = desk_panels(ui, m_desk, widgets); break;
            case Mode::Kiosk: intents = kiosk_panels(ui, widgets); break;
            case Mode::Wall: intents = wall_panels(ui, widgets); break;
        }
        run(intents);
    }
    const ImVec2 px = io.DisplayFramebufferScale;
    const auto& in = widgets.map_insets;
    m_map.set_insets({in[0] * px.x, in[1] * px.y, in[2] * px.x, in[3] * px.y});

    m_map.sync();
    const bool moving = m_map.update(dt) || std::hypot(m_pointer.vx, m_pointer.vy) > 5;
    ImGui::Render();
    m_map.render(fbw, fbh);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    publish(m_session.state(Clock::now()), widgets, moving);
    return moving || m_session.playing();
}

Ui AppWindow::make_ui(const AppState& state) const {
    const Session& s = m_session;
    const auto now = Clock::now();
    Ui ui{s.config(), state, s.strings(), s.regions(), s.indicators(), s.map(), s.periods(), s.policy()};
    ui.fonts = m_fonts;
    ui.scale = m_scale;
    ui.touch_px = m_touch_px;
    ui.focus = s.focus();
    ui.hover = s.hover();
    ui.projects = s.projects();
    ui.sites = s.sites();
    ui.labels = s.labels();
    ui.playing = s.playing();
    ui.classes = s.classes();
    ui.method = static_cast<int>(s.method());
    ui.message = s.message();
    ui.idle_seconds = s.idle_seconds(now);
    ui.admin_pad = s.admin_pad();
    if (const auto screen = s.kiosk_screen()) ui.screen = *screen;
    ui.alerts = s.ticker();
    ui.tour_city = s.tour_city();
    ui.open_alerts = s.open_alerts();
    ui.partly_real = s.partly_real();
    ui.synthetic_text = s.synthetic_text();
    ui.projects_list = &s.project_list();
    ui.rules = s.rules();
    ui.region_alerts = s.region_alerts();
    ui.rule_summary = s.rule_summary();
    ui.source_banner = s.source_banner();
    ui.read_only_note = s.read_only_note();
    if (s.mode() == Mode::Kiosk) {
        LookupView& lk = ui.lookup;
        lk.available = s.lookup_available();
        lk.factor_kind = s.factor_kind();
        lk.paused_s = s.lookup_paused_s(now);
        lk.message = s.lookup_message();
        lk.card = s.card();
        lk.items = &s.household_items();
        if (lk.card) {
            const data::RegionInfo* v = s.regions().find(lk.card->village_code);
            lk.village_name = v ? v->name : std::string();
        }
        lk.big = s.card_big();
        lk.can_speak = s.can_speak();
        lk.closes_in_s = s.card_closes_in_s(now);
        lk.typing = &s.typing();
    }
    return ui;
}

// Pointer and keys: drags, flicks, wheel and double taps move the camera here; taps, hover, Esc,
// the right button and the admin chord go to the session as intents.
void AppWindow::map_input(const ImGuiIO& io, double dt, std::vector<Intent>& out) {
    const bool map_owns = !io.WantCaptureMouse;
    const bool wall = m_session.mode() == Mode::Wall;
    Pointer& p = m_pointer;
    const double x = io.MousePos.x * io.DisplayFramebufferScale.x, y = io.MousePos.y * io.DisplayFramebufferScale.y;
    const auto since = [](Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); };
    if (map_owns && io.MouseClicked[0]) {
        p.down = true;
        p.dragging = false;
        p.press_x = p.last_x = x;
        p.press_y = p.last_y = y;
        p.vx = p.vy = 0;
    }
    if (p.down && io.MouseDown[0]) {
        if (!p.dragging && std::hypot(x - p.press_x, y - p.press_y) > 6 * m_scale) p.dragging = true;
        if (p.dragging && !wall) {
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
            const bool double_tap = since(p.last_click) < 0.35 && std::hypot(x - p.last_click_x, y - p.last_click_y) < 20 * m_scale;
            if (double_tap && !wall) {
                m_map.zoom_about(2.0, x, y);
                p.last_click = {};
            } else {
                out.emplace_back(Intent::Kind::Select, m_map.pick(x, y));
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
    if (map_owns && io.MouseWheel != 0 && !wall) m_map.zoom_about(std::pow(1.25, io.MouseWheel), x, y);
    if (map_owns && io.MouseClicked[1]) out.emplace_back(Intent::Kind::SecondaryClick);
    for (const auto& [key, mods] : m_keys) {
        if (key == GLFW_KEY_ESCAPE && !io.WantTextInput) out.emplace_back(Intent::Kind::Escape);
        const int chord = GLFW_MOD_CONTROL | GLFW_MOD_ALT | GLFW_MOD_SHIFT;
        if (key == GLFW_KEY_Q && (mods & chord) == chord) out.emplace_back(Intent::Kind::AdminChord);  // then the PIN
    }
    m_keys.clear();
    const std::string hover = map_owns && !p.down ? m_map.pick(x, y) : std::string();
    if (hover != m_session.hover()) out.emplace_back(Intent::Kind::Hover, hover);
}

// Between frames: ImGui's text scratch buffer and every window's vertex and index buffers (which
// held the card's glyphs) are overwritten; the next frames redraw the screen without the card.
void AppWindow::scrub_ui_buffers() {
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

// The state file: the session's state with what only the window knows — the widgets' rectangles,
// where the map's regions are on screen, the map's area.
void AppWindow::publish(AppState s, const WidgetRects& widgets, bool moving) {
    s.widgets.clear();
    for (const auto& [name, r] : widgets.rects)
        s.widgets.push_back({name, {static_cast<double>(r[0]), static_cast<double>(r[1]), static_cast<double>(r[2]), static_cast<double>(r[3])}});
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
    s.frames = ++m_frames;
    s.view_rect = {};
    if (!moving) {
        const data::RegionIndex& regions = m_session.regions();
        if (const auto b = m_map.screen_box(s.camera_target, regions))
            s.view_rect = {(*b)[0] * sx, (*b)[1] * sy, ((*b)[2] - (*b)[0]) * sx, ((*b)[3] - (*b)[1]) * sy};
        const std::string& focus = m_session.focus();
        const std::string prefix = focus == (regions.root() ? regions.root()->code : "") ? std::string() : focus;
        for (const auto& f : m_session.map().layer().features) {
            if (s.anchors.size() >= 5) break;
            if (f.code.rfind(prefix, 0) != 0) continue;
            double x = 0, y = 0;
            if (m_map.screen_anchor(f.code, x, y) && x > 0 && y > 0 && x < fbw * 0.6 && y > fbh * 0.1 && y < fbh * 0.8 && m_map.pick(x, y) == f.code) {
                s.anchors.push_back({f.code, {x * sx, y * sy}});
            }
        }
    }
    if (!(s == m_published)) {
        m_published = s;
        if (!m_opt.state_file.empty()) write_state_file(m_opt.state_file, s);
    }
}

}  // namespace onemap::app
