// The GUI modes' window and event loop: GLFW window, ImGui context and font atlas, the bundle
// (or database) read on a worker thread, live pick-up of new files, and the frame loop. What each
// frame does is AppWindow's (kiosk/gui/app_window.hpp); what the screens mean is Session's.
//
// Frame loop (sleeps when nothing changes, so an idle kiosk does not burn a core):
//
//   wait for events ─(timeout: 1/60 s while animating, else until the next timer)─▶ input → intents
//        ▲                                                                              │
//        └──── write state file if changed ◀── render map + panels ◀── Session::apply ◀─┘
//
// Desk and wall --pg read PostgreSQL live (data/pg/pg_source.hpp): ChangeWatch (its own thread) wakes
// the loop when the change counter moved; the session is told which tables changed (DataChanged)
// and reads them again; changed regions load a new AppWindow like a new bundle file (below: scene
// from the private cache or built on the worker thread), so the frame loop never waits. A lost
// connection shows a banner (which server, why) over the last data until the watch reconnects.
//
// Live pick-up of a new bundle (`onemap sync` renamed a snapshot over the path; kiosk/gui/bundle_watch.hpp):
//
//   BundleWatch::changed() ──▶ worker thread: load_session_data() ──▶ here: a new AppWindow on it (GL) ──ok──▶
//        (one stat a second)     (bundle, regions, scene)              │ throws (bad file)          take_over(old),
//                                                                      ▼                            fonts if names
//                        keep the old one; state.bundle_error says why; that file is           changed, the old
//                        not tried again                                                       one destroyed
#include "kiosk/gui/gui_app.hpp"

#include "data/pg/pg_source.hpp"
#include "kiosk/gui/app_window.hpp"
#include "kiosk/gui/bundle_watch.hpp"
#include "kiosk/gui/fonts.hpp"
#include "kiosk/gui/region_reload.hpp"
#include "kiosk/service/beacon.hpp"
#include "kiosk/service/service.hpp"
#include "data/bundle/snapshot_manifest.hpp"
#include "render/text.hpp"

#include <GLFW/glfw3.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>
#include <imgui_freetype.h>
#include <malloc.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <fstream>
#include <future>
#include <optional>
#include <set>

namespace onemap::app {

namespace {
// The UI font atlas could be rebuilt neither for a new bundle nor back as it was.
struct FontAtlasLost : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// What the heartbeat says of the data shown: a synced snapshot's hash and age (its manifest), a
// published snapshot's id, else the schema version and the file's age.
struct BundleIdentity {
    std::string version;
    std::int64_t made_unix = -1;
};
BundleIdentity bundle_identity(const AppConfig& cfg, const data::Source& source) {
    BundleIdentity id;
    if (source.live()) return {"live", -1};
    try {
        const auto manifest = data::manifest_path(cfg.bundle);
        if (std::filesystem::exists(manifest)) {
            const auto m = data::read_snapshot_manifest(manifest);
            id.version = m.sha256.substr(0, 12);
            std::tm tm{};
            if (strptime(m.created.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm)) id.made_unix = static_cast<std::int64_t>(timegm(&tm));
            return id;
        }
    } catch (const std::exception&) {
        // an unreadable manifest: the file's own identity below
    }
    id.version = source.meta("snapshot_pg").value_or("schema v" + source.meta("schema_version").value_or("?"));
    struct stat st {};
    if (::stat(cfg.bundle.c_str(), &st) == 0) id.made_unix = static_cast<std::int64_t>(st.st_mtime);
    return id;
}

std::string host_name() {
    char buf[256] = {};
    return ::gethostname(buf, sizeof buf - 1) == 0 ? std::string(buf) : std::string("localhost");
}

// Where the wall's tour was when it last beat (a restarted wall goes on from there).
std::string last_tour_city(const std::filesystem::path& heartbeat) {
    std::ifstream in(heartbeat);
    if (!in) return {};
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    std::string why;
    const auto beat = parse_heartbeat(text, why);
    return beat && beat->mode == "wall" ? beat->tour_city : std::string();
}
}  // namespace

int run_gui(const GuiOptions& options) {
    const auto started = Clock::now();
    const AppConfig& cfg = options.config;
    // Before any other thread: SIGTERM (systemd's stop), SIGINT and SIGHUP end the loop below cleanly.
    StopSignals stop([] { glfwPostEmptyEvent(); });
    ServiceNotify notify;
    // The kiosk holds the household key from start to end: never in a core dump (kiosk/service/service.hpp).
    if (cfg.mode == Mode::Kiosk && !forbid_core_dumps()) fmt::print(stderr, "onemap kiosk: could not turn core dumps off (prctl)\n");
    // The bundle (or database) is read on a second thread while this one opens the window and its GL
    // context: neither needs the other, and each takes a few tenths of a second on a small machine.
    const FileIdentity shown = options.pg_url.empty() ? file_identity(cfg.bundle) : FileIdentity{};  // taken before opening: a swap meanwhile is seen later
    std::future<SessionData> first_load = std::async(std::launch::async, [&options] { return load_session_data(options.config, options.pg_url, options.pg_region); });
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
        if (auto* app = static_cast<AppWindow*>(glfwGetWindowUserPointer(win))) app->key_pressed(key, mods);
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
    // The kiosk sizes its text and targets in millimetres of its panel; fonts are built at the 大字
    // sizes and drawn smaller otherwise (AppWindow::kiosk_style).
    const double px_per_mm = panel_px_per_mm(fbw, fbh, cfg.screen_diagonal_in, mm_w, mm_h);
    float font_px[3] = {base * scale, base * 1.45f * scale, base * 2.4f * scale};
    if (cfg.mode == Mode::Kiosk) {
        const KioskSizes big = kiosk_sizes(px_per_mm, true);
        font_px[0] = big.body_px, font_px[1] = big.heading_px, font_px[2] = big.huge_px;
        touch_px = kiosk_sizes(px_per_mm, false).target_px;
    }

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
            fonts.body = add(font_px[0], ranges.typed);
            fonts.title = add(font_px[1], ranges.shown);
            fonts.huge = add(font_px[2], ranges.shown);
            if (!fonts.body || !atlas.Build()) throw std::runtime_error("cannot build the UI font atlas from " + font.string());
        };
        // The first atlas is built on a second thread while this one makes the application (its map's
        // GL objects): a few tenths of a second each on a small machine. Its glyphs are those the
        // application will have, from what it is made of. No ImGui context exists until both are
        // done, so ImGui's allocation counter is not shared between threads.
        SessionData first = first_load.get();
        std::future<void> first_fonts =
            std::async(std::launch::async, build_fonts,
                       glyph_ranges(Strings::load(cfg.language), load_policy(cfg.language), first.regions, cfg.mode == Mode::Desk,
                                    load_household_items(cfg.language), first.extra_glyphs));
        auto app_ptr = std::make_unique<AppWindow>(options, window, std::move(first));
        AppWindow* app = app_ptr.get();
        first_fonts.get();

        IMGUI_CHECKVERSION();
        ImGui::CreateContext(&atlas);
        imgui_on = true;
        ImGui::GetIO().IniFilename = nullptr;  // nothing written next to the program
        ImGui_ImplGlfw_InitForOpenGL(window, true);
        ImGui_ImplOpenGL3_Init("#version 330 core");
        apply_theme(cfg.theme, scale);
        app->set_fonts(fonts, scale, touch_px);
        app->set_panel(px_per_mm);
        app->tell(Intent(Intent::Kind::BundleFile, {}, static_cast<std::int64_t>(shown.inode)));
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

        // A new file at the bundle path: read it on a worker thread (load_session_data, which wakes the loop
        // when done), then build a new AppWindow on it here (GL); only when all that worked does it
        // replace the running one. Never throws: a bad file leaves the old one showing.
        std::future<SessionData> loading;
        FileIdentity loading_id;
        auto t_load = Clock::now();
        auto start_reload = [&] {
            if (watch) loading_id = watch->candidate();
            t_load = Clock::now();
            loading = std::async(std::launch::async, [&options] {
                struct Wake {
                    ~Wake() { glfwPostEmptyEvent(); }
                } wake;
                return load_session_data(options.config, options.pg_url, options.pg_region);
            });
        };
        auto finish_reload = [&] {
            const FileIdentity candidate = loading_id;
            const double seconds_read = std::chrono::duration<double>(Clock::now() - t_load).count();
            const auto t0 = Clock::now();
            try {
                auto next = std::make_unique<AppWindow>(options, window, loading.get());
                next->tell(Intent(Intent::Kind::BundleFile, {}, static_cast<std::int64_t>(candidate.inode)));
                next->set_fonts(fonts, scale, touch_px);  // the current atlas for now
                next->set_panel(px_per_mm);
                next->take_over(*app);
                // The font atlas last: rebuilding it invalidates the running application's fonts.
                auto glyphs = glyph_ranges(next->session().strings(), next->session().policy(), next->session().regions(), cfg.mode == Mode::Desk,
                                           next->session().household_items(), next->session().extra_glyphs());
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
                           app->reloads(), seconds_read,
                           std::chrono::duration<double>(Clock::now() - t0).count(), new_glyphs ? ", font atlas rebuilt for new names" : "");
            } catch (const FontAtlasLost&) {
                throw;  // no text can be drawn any more: end with the message
            } catch (const std::exception& e) {
                if (watch) watch->failed(candidate);
                if (changes) region_reload.failed(changes->polls());  // tried again at the watch's next poll
                app->tell(Intent(Intent::Kind::ReloadRefused, e.what()));
                fmt::print(stderr, "onemap {}: {}: {}: {}\n", mode_key(cfg.mode), app->source().name(),
                           pg ? "the changed regions are not shown, the old map stays" : "the new file is not shown, the old one stays", e.what());
            }
        };

        auto last = Clock::now();
        auto last_perf = Clock::now();
        double first_frame_s = 0;
        std::vector<double> frame_ms;  // the latest frames' CPU time (map + panels + swap), a ring
        std::vector<double> recent_ms;  // the frames since the perf file was last written
        std::vector<std::uint64_t> run_hist(4001, 0);  // every frame of the run, 0.5 ms bins
        std::size_t frames = 0;
        int settle = 3;  // frames to draw after an event: ImGui needs a couple to settle
        // The health beacon (kiosk/service/heartbeat.hpp), every health.interval_s.
        const std::filesystem::path beat_file = cfg.heartbeat_file.empty() ? default_heartbeat_path(mode_key(cfg.mode)) : cfg.heartbeat_file;
        Beacon beacon(beat_file, options.pg_url);
        const std::string screen_id = cfg.screen_id.empty() ? fmt::format("{}-{}", host_name(), mode_key(cfg.mode)) : cfg.screen_id;
        BundleIdentity identity = bundle_identity(cfg, app->source());
        const AppWindow* identity_of = app;
        auto last_beat = Clock::now() - std::chrono::hours(1);
        double last_frame_ms = 0;
        if (cfg.mode == Mode::Wall && beat_file != "off") {
            const std::string city = last_tour_city(beat_file);
            if (!city.empty()) app->tell(Intent(Intent::Kind::ResumeTour, city));
        }
        auto beat = [&] {
            if (identity_of != app) {
                identity = bundle_identity(cfg, app->source());
                identity_of = app;
            }
            const AppState st = app->session().state(Clock::now());
            Heartbeat b;
            b.screen = screen_id;
            b.mode = std::string(mode_key(cfg.mode));
            b.host = host_name();
            b.pid = ::getpid();
            b.bundle = app->source().name();
            b.bundle_version = identity.version;
            b.written_unix = static_cast<std::int64_t>(std::time(nullptr));
            b.bundle_age_s = identity.made_unix < 0 ? -1.0 : static_cast<double>(b.written_unix - identity.made_unix);
            b.uptime_s = std::chrono::duration<double>(Clock::now() - started).count();
            b.last_frame_ms = last_frame_ms;
            b.rss_mib = rss_mib();
            b.last_error = !st.source_problem.empty() ? st.source_problem : !st.bundle_error.empty() ? st.bundle_error : beacon.last_error();
            b.alerts = app->session().open_alerts();
            b.interval_s = cfg.heartbeat_interval_s;
            b.view = st.screen;
            b.tour_city = st.tour_city;
            beacon.publish(b);
            if (auto online = beacon.screens_online()) app->tell(Intent(Intent::Kind::ScreensOnline, fmt::format("{}/{}", online->first, online->second)));
        };
        bool told_ready = false;
        while (!glfwWindowShouldClose(window) && !app->leave_requested() && !stop.requested()) {
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
                app->tell(Intent(Intent::Kind::SourceProblem, !report.reachable ? report.problem : source.connected() ? std::string() : source.last_error()));
                if (changed.count("regions")) {
                    region_reload.changed();  // a new AppWindow once read (the rest is read with it)
                } else if (!changed.empty()) {
                    std::string names;
                    for (const auto& t : changed) names += (names.empty() ? "" : ",") + t;
                    app->tell(Intent(Intent::Kind::DataChanged, names));
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
            last_frame_ms = std::chrono::duration<double, std::milli>(Clock::now() - now).count();
            if (first_frame_s == 0) first_frame_s = std::chrono::duration<double>(Clock::now() - started).count();
            if (!told_ready) {
                told_ready = true;
                notify.ready(fmt::format("{} showing {}", mode_key(cfg.mode), app->source().name()));
            }
            notify.alive();
            if (std::chrono::duration<double>(Clock::now() - last_beat).count() >= cfg.heartbeat_interval_s) {
                last_beat = Clock::now();
                beat();
            }
            if (!options.perf_file.empty()) {
                const double ms = std::chrono::duration<double, std::milli>(Clock::now() - now).count();
                if (frame_ms.size() < 5000) frame_ms.push_back(ms); else frame_ms[frames % frame_ms.size()] = ms;
                recent_ms.push_back(ms);
                ++run_hist[std::min<std::size_t>(run_hist.size() - 1, static_cast<std::size_t>(ms * 2))];
                ++frames;
                if (std::chrono::duration<double>(Clock::now() - last_perf).count() > 5) {
                    last_perf = Clock::now();
                    write_perf(options.perf_file, first_frame_s, frames, frame_ms, std::move(recent_ms), run_hist);
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
                const double beat_s = std::max(0.05, cfg.heartbeat_interval_s - std::chrono::duration<double>(Clock::now() - last_beat).count());
                glfwWaitEventsTimeout(std::min({app->next_timer(), 10.0, watch_s, owed_s, notify.max_sleep_s(), beat_s}));
                settle = 3;
            }
        }
        if (stop.requested()) fmt::print(stderr, "onemap {}: stopping ({})\n", mode_key(cfg.mode), ::strsignal(stop.signal()));
    } catch (const std::exception& e) {
        fmt::print(stderr, "onemap {}: {}\n", mode_key(cfg.mode), e.what());
        code = 1;
    }
    notify.stopping();
    stop.finish();  // no more wake-ups: GLFW goes below
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
