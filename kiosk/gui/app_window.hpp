#pragma once
// One mode on a window: the Session (every screen's logic, kiosk/session/) with the map drawn by a
// MapView, the mode's panels, input turned into intents, the effects carried out, and the state file.
//
//   input (GLFW/ImGui) ─▶ Touch, Hover, Select, Escape … ─┐
//   panels (desk/touch/wall) ─────────── Intents ─────────┼─▶ Session::apply ─▶ Effects ─▶ export, voice, scrub, leave
//   timers ─────────────────────────────── Tick ──────────┘         │
//                      MapView::sync ◀── MapModel ◀─────────────────┘ → render map + panels → state file
#include "data/bundle/source.hpp"
#include "kiosk/gui/gui_app.hpp"
#include "kiosk/gui/gui_model.hpp"
#include "kiosk/gui/speech.hpp"
#include "kiosk/gui/map_view.hpp"
#include "kiosk/session/session.hpp"

#include <array>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

struct GLFWwindow;
struct ImGuiIO;

namespace onemap::app {

class AppWindow {
public:
    // Needs the window's GL context current. Throws what Session and MapView throw.
    AppWindow(const GuiOptions& options, GLFWwindow* window, SessionData data);
    ~AppWindow();
    AppWindow(const AppWindow&) = delete;
    AppWindow& operator=(const AppWindow&) = delete;

    void set_fonts(UiFonts fonts, float scale, float touch_px);
    // kiosk: the panel's pixels per millimetre; its fonts are built at the 大字 sizes and drawn
    // smaller (ImFont::Scale) in the usual text (kiosk/session/kiosk_look.hpp).
    void set_panel(double px_per_mm) { m_px_per_mm = px_per_mm; }
    // One iteration between ImGui's NewFrame and the swap; returns whether the view is still animating.
    bool frame(double dt);
    double next_timer() const { return m_session.next_timer(Clock::now()); }
    bool leave_requested() const { return m_session.leave_requested(); }
    bool reload_allowed() const { return m_session.reload_allowed(); }
    int reloads() const { return m_session.reloads(); }
    void take_over(AppWindow& old);
    void tell(const Intent& intent) { run({intent}); }  // from the loop: BundleFile, ReloadRefused, DataChanged, SourceProblem

    Session& session() { return m_session; }
    data::Source& source() { return m_session.source(); }
    // Key presses from GLFW's callback, so a press and release within one poll are not lost.
    void key_pressed(int key, int mods) { m_keys.emplace_back(key, mods); }

private:
    void run(const std::vector<Intent>& intents);
    void carry_out(const Effect& effect);
    Ui make_ui(const AppState& state) const;
    void map_input(const ImGuiIO& io, double dt, std::vector<Intent>& out);
    void publish(AppState s, const WidgetRects& widgets, bool moving);
    void scrub_ui_buffers();
    void kiosk_style();  // the theme's colours, the sizes for 大字 or not
    bool screenshot(int fbw, int fbh, bool moving);  // whether a shot of this look is still owed

    struct Pointer {
        bool down = false, dragging = false;
        double press_x = 0, press_y = 0, last_x = 0, last_y = 0;
        double vx = 0, vy = 0;  // inertia, pixels per second
        Clock::time_point last_click{};
        double last_click_x = -1e9, last_click_y = -1e9;
    };
    const GuiOptions& m_opt;
    GLFWwindow* m_window;
    Speech m_speech;  // before the session, which is told whether it speaks
    Session m_session;
    MapView m_map;
    UiFonts m_fonts;
    float m_scale = 1, m_touch_px = 64;
    double m_px_per_mm = 4.03;
    Pointer m_pointer;
    std::vector<std::pair<int, int>> m_keys;
    DeskLocal m_desk;
    AppState m_published;
    std::int64_t m_frames = 0;  // drawn so far (the state file's "frames")
    Clock::time_point m_rss_read{};
    double m_rss_mib = 0;
    std::array<float, 4> m_last_insets{};  // the panels' insets of the last frame
    bool m_scrub = false;
    std::string m_shot_key;        // --screenshot-dir: the look on screen, its frames, the looks shot
    int m_shot_frames = 0;
    std::set<std::string> m_shots;
};

}  // namespace onemap::app
