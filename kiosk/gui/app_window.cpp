#include "kiosk/gui/app_window.hpp"

#include "kiosk/service/heartbeat.hpp"

#include "render/image.hpp"

#include <epoxy/gl.h>
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

void WidgetRects::target(const std::string& name) {
    add(name);
    targets.push_back(rects.back().second);
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
    // Half the memory budget for the map's geometry on the GPU (on software GL that is RAM too).
    m_map.renderer().set_gpu_budget(static_cast<std::uint64_t>(memory_budget_mib(options.config) / 2 * 1024 * 1024));
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
    // The attract loop wakes on a touch (a press, a key), not on a pointer drifting over it: the
    // press that wakes it is then kept from the home screen's buttons below.
    const bool attract = m_session.kiosk_screen() == KioskScreen::Attract;
    const bool any_input = io.MouseClicked[0] || io.MouseClicked[1] || io.MouseWheel != 0 || io.MouseDown[0] || !m_keys.empty() ||
                           io.InputQueueCharacters.Size > 0 || (!attract && (io.MouseDelta.x != 0 || io.MouseDelta.y != 0));
    std::vector<Intent> input;
    if (any_input) input.emplace_back(Intent::Kind::Touch);
    input.emplace_back(Intent::Kind::Tick);
    map_input(io, dt, input);
    run(input);
    if (attract && m_session.kiosk_screen() != KioskScreen::Attract) {
        // The touch that wakes the kiosk only wakes it: the home screen's buttons, drawn this frame
        // under the finger, do not take it as a tap.
        ImGui::GetIO().MouseClicked[0] = false;
    }

    WidgetRects widgets;
    if (m_session.mode() == Mode::Kiosk) kiosk_style();
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
    // the panels still taking their size (auto-sized windows settle over a few frames) move the map's
    // area: the view is not at rest until they have kept their size for a frame
    const bool layout_moved = in != m_last_insets;
    m_last_insets = in;
    const bool moving = m_map.update(dt) || std::hypot(m_pointer.vx, m_pointer.vy) > 5 || layout_moved;
    ImGui::Render();
    m_map.render(fbw, fbh);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    publish(m_session.state(Clock::now()), widgets, moving);
    const bool shot_pending = !m_opt.screenshot_dir.empty() && screenshot(fbw, fbh, moving);
    return moving || m_session.playing() || shot_pending;
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
    ui.session = &s;
    ui.px_per_mm = m_px_per_mm;
    ui.sizes = kiosk_sizes(m_px_per_mm, s.large_text());
    ui.palette = kiosk_palette(s.high_contrast());
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
        lk.can_speak = s.can_speak();
        lk.closes_in_s = s.card_closes_in_s(now);
        lk.typing = &s.typing();
    }
    return ui;
}

// --screenshot-dir: the window as drawn (before the swap), once per look, a few frames after it
// settled (ImGui lays a new window out over two frames; the map may still be flying).
bool AppWindow::screenshot(int fbw, int fbh, bool moving) {
    const AppState& s = m_published;
    std::string key = std::string(mode_key(s.mode));
    if (s.mode == Mode::Kiosk) {
        key += "-" + s.screen;
        if (!s.lookup_step.empty()) key += "-" + s.lookup_step;
        if (s.screen == "find" && !s.find_results.empty()) key += "-results";
        key += "-" + s.theme;
        if (s.large_text) key += "-large";
    }
    if (key != m_shot_key) {
        m_shot_key = key;
        m_shot_frames = 0;
    }
    if (m_shots.count(key)) return false;
    if (s.screen == "lookup" && !s.synthetic) return false;  // never a file of a real household's look-up
    if (moving || ++m_shot_frames < 3) return true;          // more frames, then the shot
    m_shots.insert(key);
    render::Image img;
    img.width = fbw;
    img.height = fbh;
    img.rgba.resize(static_cast<std::size_t>(fbw) * fbh * 4);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadPixels(0, 0, fbw, fbh, GL_RGBA, GL_UNSIGNED_BYTE, img.rgba.data());
    const std::size_t row = static_cast<std::size_t>(fbw) * 4;
    for (int y = 0; y < fbh / 2; ++y) {  // GL's rows go up
        std::swap_ranges(img.rgba.begin() + static_cast<std::ptrdiff_t>(y * row), img.rgba.begin() + static_cast<std::ptrdiff_t>((y + 1) * row),
                         img.rgba.begin() + static_cast<std::ptrdiff_t>((fbh - 1 - y) * row));
    }
    for (std::size_t i = 3; i < img.rgba.size(); i += 4) img.rgba[i] = 255;
    if (m_opt.screenshot_half && fbw >= 2 && fbh >= 2) {  // a 2×2 box filter
        render::Image half;
        half.width = fbw / 2;
        half.height = fbh / 2;
        half.rgba.resize(static_cast<std::size_t>(half.width) * half.height * 4);
        for (int y = 0; y < half.height; ++y)
            for (int x = 0; x < half.width; ++x)
                for (int c = 0; c < 4; ++c) {
                    int sum = 0;
                    for (int dy = 0; dy < 2; ++dy)
                        for (int dx = 0; dx < 2; ++dx) sum += img.rgba[(static_cast<std::size_t>(2 * y + dy) * fbw + 2 * x + dx) * 4 + c];
                    half.rgba[(static_cast<std::size_t>(y) * half.width + x) * 4 + c] = static_cast<std::uint8_t>((sum + 2) / 4);
                }
        img = std::move(half);
    }
    std::error_code ec;
    std::filesystem::create_directories(m_opt.screenshot_dir, ec);
    const auto path = m_opt.screenshot_dir / (key + ".png");
    if (!render::write_png(path, img)) fmt::print(stderr, "onemap: cannot write the screenshot {}\n", path.string());
    return false;
}

// The kiosk's look this frame: the theme's colours on opaque panels, spacing in millimetres, and the
// fonts (built at the 大字 sizes) scaled to the usual sizes unless 大字 is on.
void AppWindow::kiosk_style() {
    const KioskSizes want = kiosk_sizes(m_px_per_mm, m_session.large_text());
    const KioskSizes built = kiosk_sizes(m_px_per_mm, true);
    if (m_fonts.body) m_fonts.body->Scale = want.body_px / built.body_px;
    if (m_fonts.title) m_fonts.title->Scale = want.heading_px / built.heading_px;
    if (m_fonts.huge) m_fonts.huge->Scale = want.huge_px / built.huge_px;
    const KioskPalette p = kiosk_palette(m_session.high_contrast());
    ImGuiStyle& st = ImGui::GetStyle();
    const auto c = [](Rgb v) { return ImVec4(v.r, v.g, v.b, 1); };
    st.Colors[ImGuiCol_WindowBg] = st.Colors[ImGuiCol_PopupBg] = st.Colors[ImGuiCol_ChildBg] = c(p.background);
    st.Colors[ImGuiCol_ChildBg].w = 0;  // children show their window's background
    st.Colors[ImGuiCol_ModalWindowDimBg] = ImVec4(0, 0, 0, 0.6f);
    st.Colors[ImGuiCol_Text] = c(p.text);
    st.Colors[ImGuiCol_TextDisabled] = c(p.disabled_text);
    st.Colors[ImGuiCol_Button] = st.Colors[ImGuiCol_ButtonHovered] = c(p.button);
    st.Colors[ImGuiCol_ButtonActive] = c(p.button_pressed);
    st.Colors[ImGuiCol_Border] = st.Colors[ImGuiCol_Separator] = c(p.border);
    st.Colors[ImGuiCol_TableRowBg] = st.Colors[ImGuiCol_TableRowBgAlt] = c(p.background);
    st.FrameBorderSize = m_session.high_contrast() ? 2.0f : 0.0f;
    st.WindowBorderSize = m_session.high_contrast() ? 2.0f : 0.0f;
    st.DisabledAlpha = 1.0f;  // a key that cannot be pressed keeps its readable colours (the theme's disabled pair)
    st.ItemSpacing = ImVec2(want.gap_px, want.gap_px);
    st.ItemInnerSpacing = ImVec2(want.gap_px, want.gap_px);
    st.WindowPadding = ImVec2(want.gap_px * 2, want.gap_px * 2);
    st.FramePadding = ImVec2(want.gap_px * 1.5f, want.gap_px);
    st.FrameRounding = want.gap_px;
    st.WindowRounding = want.gap_px;
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
    // The map's geometry on the GPU and resident memory (read from /proc every 2 s, not every frame).
    s.gpu_mib = static_cast<double>(m_map.renderer().gpu_bytes()) / (1024.0 * 1024.0);
    s.lods_evicted = static_cast<std::int64_t>(m_map.renderer().lods_evicted());
    if (Clock::now() - m_rss_read > std::chrono::seconds(2)) {
        m_rss_read = Clock::now();
        m_rss_mib = rss_mib();
    }
    s.rss_mib = m_rss_mib;
    if (m_session.mode() == Mode::Kiosk) {
        // What the panels drew with: text sizes, and the touch targets' smallest side and gap in mm.
        s.px_per_mm = m_px_per_mm;
        if (m_fonts.body) s.body_px = m_fonts.body->FontSize * m_fonts.body->Scale;
        if (m_fonts.title) s.heading_px = m_fonts.title->FontSize * m_fonts.title->Scale;
        double least = 0, gap = 0;
        const auto& t = widgets.targets;
        for (std::size_t i = 0; i < t.size(); ++i) {
            const double side = std::min(t[i][2], t[i][3]) / m_px_per_mm;
            least = i == 0 ? side : std::min(least, side);
            for (std::size_t j = i + 1; j < t.size(); ++j) {
                // the gap between two rectangles: along the axis where they are apart (0 if they overlap)
                const double dx = std::max({0.0, static_cast<double>(t[j][0] - (t[i][0] + t[i][2])), static_cast<double>(t[i][0] - (t[j][0] + t[j][2]))});
                const double dy = std::max({0.0, static_cast<double>(t[j][1] - (t[i][1] + t[i][3])), static_cast<double>(t[i][1] - (t[j][1] + t[j][3]))});
                const double g = std::max(dx, dy) / m_px_per_mm;
                gap = (i == 0 && j == 1) ? g : std::min(gap, g);
            }
        }
        s.min_target_mm = least;
        s.min_gap_mm = gap;
        s.clipped_labels = widgets.clipped_labels;
    }
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
            if (!m_map.screen_anchor(f.code, x, y) || m_map.pick(x, y) != f.code) continue;
            // the desk's legend and the wall's lists float over the map's lower and right parts
            if (x >= fbw * 0.6 || y <= fbh * 0.1 || y >= fbh * 0.8) continue;
            // only where a tap reaches the map: inside the area the panels leave it (a region drawn
            // under a panel is not offered), clear of its edges
            const double wx = x * sx, wy = y * sy, margin = 12;
            const auto& a = s.map_area;
            if (wx > a[0] + margin && wy > a[1] + margin && wx < a[0] + a[2] - margin && wy < a[1] + a[3] - margin) s.anchors.push_back({f.code, {wx, wy}});
        }
    }
    if (!(s == m_published)) {
        m_published = s;
        if (!m_opt.state_file.empty()) write_state_file(m_opt.state_file, s);
    }
}

}  // namespace onemap::app
