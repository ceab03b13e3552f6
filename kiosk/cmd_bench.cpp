// `onemap bench render`: the renderer's figures as a table (a benchmark, not a test).
#include "data/bundle.hpp"
#include "kiosk/commands.hpp"
#include "kiosk/map_scene.hpp"
#include "kiosk/map_session.hpp"

#include <fmt/format.h>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>

namespace onemap::app {

bool parse_size(const std::string& text, int& w, int& h);  // cmd_render.cpp

namespace {

using clock_type = std::chrono::steady_clock;
double since(clock_type::time_point t0) { return std::chrono::duration<double>(clock_type::now() - t0).count(); }

double peak_rss_mib() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return static_cast<double>(ru.ru_maxrss) / 1024.0;
}

double run_wall(const std::string& command, int* rc = nullptr) {
    const auto t0 = clock_type::now();
    const int r = std::system((command + " > /dev/null 2>&1").c_str());
    if (rc) *rc = r;
    return since(t0);
}

bool have(const std::string& probe) { return std::system((probe + " > /dev/null 2>&1").c_str()) == 0; }

struct PathStats {
    double median_ms = 0, p95_ms = 0, max_ms = 0;
    double draw_calls = 0, vertices = 0;
    std::uint64_t max_draw_calls = 0, max_vertices = 0;
};

// 90 frames at 60 Hz: zoom in ×8 about the centre, pan across, zoom back out. Run once to warm up
// (first use of each LOD uploads it), then measured.
PathStats scripted_path(MapSession& s) {
    auto& map = s.renderer();
    auto& cam = map.camera();
    const gis::Point centre{cam.width() / 2.0, cam.height() / 2.0};
    std::vector<double> ms;
    PathStats st;
    for (int f = 0; f < 90; ++f) {
        if (f < 30) cam.zoom_about(1.072, centre);
        else if (f < 60) cam.pan(f < 45 ? 24 : -24, f < 45 ? 12 : -12);
        else cam.zoom_about(1 / 1.072, centre);
        const auto t0 = clock_type::now();
        map.update(1.0 / 60);
        map.render();
        s.device().finish();
        ms.push_back(since(t0) * 1000);
        const auto& c = s.device().counters();
        st.draw_calls += static_cast<double>(c.draw_calls) / 90;
        st.vertices += static_cast<double>(c.vertices) / 90;
        st.max_draw_calls = std::max(st.max_draw_calls, c.draw_calls);
        st.max_vertices = std::max(st.max_vertices, c.vertices);
    }
    std::sort(ms.begin(), ms.end());
    st.median_ms = ms[ms.size() / 2];
    st.p95_ms = ms[ms.size() * 95 / 100];
    st.max_ms = ms.back();
    return st;
}

}  // namespace

void add_bench_command(CLI::App& app, ExitCode& exit) {
    struct Args {
        std::string bundle;
        std::string sizes = "1920x1080,3840x2160";
        std::vector<std::string> levels{"county", "township", "village"};
        bool skip_build = false;
        bool skip_peers = false;
        std::string peer_work = "/tmp/onemap-peer-bench";
        std::string peer_scripts = "../shared/bench";
    };
    auto args = std::make_shared<Args>();
    CLI::App* bench = app.add_subcommand("bench", "性能测试 / benchmarks (tables, not tests)");
    bench->require_subcommand(1);
    CLI::App* cmd = bench->add_subcommand("render", "renderer figures at province scale, and peer renderers side by side");
    cmd->add_option("--bundle", args->bundle, "bundle file (.gpkg), ideally `onemap demo --scale province`")->required();
    cmd->add_option("--sizes", args->sizes, "comma-separated WxH")->capture_default_str();
    cmd->add_option("--levels", args->levels, "levels to measure")->delimiter(',')->capture_default_str();
    cmd->add_flag("--skip-build", args->skip_build, "do not time the cold scene build");
    cmd->add_flag("--skip-peers", args->skip_peers, "do not run QGIS / mapnik / GDAL");
    cmd->add_option("--peer-scripts", args->peer_scripts, "folder of the peer scripts")->capture_default_str();
    cmd->add_option("--peer-work", args->peer_work, "peer dataset/output folder (BENCH_WORK)")->capture_default_str();
    cmd->callback([args, &exit] {
        try {
            std::string why;
            auto context = render::OffscreenContext::create(&why);
            if (!context) {
                fmt::print(stderr, "onemap bench render: {} — run it under xvfb-run\n", why);
                exit.value = 3;
                return;
            }
            fmt::print("onemap bench render — {}\n\n", args->bundle);
            // 1. cold scene build
            if (!args->skip_build) {
                const data::Bundle bundle = data::Bundle::open(args->bundle, data::OpenMode::ReadOnly);
                const auto t0 = clock_type::now();
                const SceneLoad s = load_scene(bundle, false, false);
                const double total = since(t0);
                const auto& st = s.stats;
                fmt::print("| scene build (cold, 2 threads) | {:.2f} s | read regions {:.2f} s, topology {:.2f} s, simplify {:.2f} s, "
                           "triangulate {:.2f} s, anchors {:.2f} s; {} input vertices, {} arcs, {} triangles |\n",
                           total, s.seconds_read, st.seconds_topology, st.seconds_simplify, st.seconds_triangulate,
                           st.seconds_anchors, st.input_vertices, st.arcs, st.triangles);
            }
            std::vector<std::pair<int, int>> sizes;
            for (std::string rest = args->sizes; !rest.empty();) {
                const auto comma = rest.find(',');
                int w = 0, h = 0;
                if (parse_size(rest.substr(0, comma), w, h)) sizes.push_back({w, h});
                rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
            }
            fmt::print("\n| size | level | start → first frame (open / cache / values / frame) | steady frame median / p95 / max ms | "
                       "with feature raster median / p95 / max ms (raster drawn in) | "
                       "draw calls avg / max | vertices avg / max | moving with frame cache median / p95 / max ms (pictures drawn) | "
                       "recolour ms | labels frame ms: placing (placed) |\n"
                       "|---|---|---|---|---|---|---|---|---|---|\n");
            for (auto [w, h] : sizes) {
                for (const std::string& level : args->levels) {
                    MapRequest req;
                    req.bundle = args->bundle;
                    req.level = level;
                    req.width = w;
                    req.height = h;
                    const auto t0 = clock_type::now();
                    MapSession s(req);
                    s.render_image();
                    const double first = since(t0);
                    const auto& t = s.timings();
                    scripted_path(s);  // warm-up: uploads every LOD the path meets
                    const PathStats p = scripted_path(s);
                    // the same full frames with the feature raster (as the GUI has it): drawn once, then the path
                    auto& map = s.renderer();
                    map.set_feature_raster(true);
                    const auto tr = clock_type::now();
                    for (int i = 0; i < 100 && map.raster_pending(); ++i) {
                        map.render();
                        s.device().finish();
                    }
                    const double raster_ms = map.raster_ready() ? since(tr) * 1000 : 0;
                    const PathStats pr = scripted_path(s);
                    // the same path as the GUI draws it while the camera moves (render/map_renderer.hpp)
                    // (from a view at rest with its picture drawn, as the GUI is before a gesture), then the
                    // frames until the picture at rest is complete, and hovering at rest
                    map.set_frame_cache(true);
                    map.set_frame_time_target(30);  // as the GUI sets it (kiosk/map_view.cpp)
                    map.camera().settle();
                    for (int i = 0; i < 1000 && (map.update(0), map.render(), map.picture_pending()); ++i) {}
                    s.device().finish();
                    const auto redraws_before = map.cache_redraws();
                    const PathStats pc = scripted_path(s);
                    const auto redraws = map.cache_redraws() - redraws_before;
                    map.camera().settle();
                    int settle_frames = 0;
                    const auto ts = clock_type::now();
                    do {
                        map.update(0);
                        map.render();
                        s.device().finish();
                        ++settle_frames;
                    } while (map.picture_pending() && settle_frames < 1000);
                    const double settle_ms = since(ts) * 1000;
                    std::vector<double> hover_ms;
                    for (int i = 0; i < 30; ++i) {
                        map.set_hover(static_cast<int>((i * 7919u) % map.layer().features.size()));
                        const auto th = clock_type::now();
                        map.update(0);
                        map.render();
                        s.device().finish();
                        hover_ms.push_back(since(th) * 1000);
                    }
                    map.set_hover(-1);
                    std::sort(hover_ms.begin(), hover_ms.end());
                    map.set_frame_cache(false);
                    map.set_feature_raster(false);
                    const auto t1 = clock_type::now();
                    s.recolor("growth_gap", "2024", 7, "quantile");
                    s.renderer().render();
                    s.device().finish();
                    const double recolour = since(t1) * 1000;
                    // labels: zoomed to one county, one frame that places them
                    s.renderer().set_labels(true, render::LabelStyle{level == "village" ? 12 : 14});
                    const auto& county = s.scene().layer(3)->features.front();
                    const gis::Point o = s.scene().origin;
                    s.renderer().camera().fit(gis::Box{county.bounds.min_x - o.x, county.bounds.min_y - o.y,
                                                       county.bounds.max_x - o.x, county.bounds.max_y - o.y});
                    s.renderer().camera().settle();
                    s.renderer().update(0);
                    const auto t2 = clock_type::now();
                    s.renderer().render();
                    s.device().finish();
                    const double label_ms = since(t2) * 1000;
                    fmt::print("| {}×{} | {} | {:.2f} s ({:.2f} / {:.2f} / {:.2f} / {:.2f}) | {:.1f} / {:.1f} / {:.1f} | {} | {:.0f} / {} | "
                               "{:.0f} / {} | {:.1f} / {:.1f} / {:.1f} ({} of 90) | {:.0f} ms ({}) · {:.1f} | {:.1f} | {:.1f}: {:.1f} ({}) |\n",
                               w, h, level, first, t.open_seconds, t.scene_seconds, t.values_seconds, t.first_frame_seconds,
                               p.median_ms, p.p95_ms, p.max_ms,
                               raster_ms > 0 ? fmt::format("{:.1f} / {:.1f} / {:.1f} ({:.0f} ms)", pr.median_ms, pr.p95_ms, pr.max_ms, raster_ms)
                                             : std::string("– (light level: triangles)"),
                               p.draw_calls, p.max_draw_calls, p.vertices, p.max_vertices,
                               pc.median_ms, pc.p95_ms, pc.max_ms, redraws, settle_ms, settle_frames, hover_ms[hover_ms.size() / 2], recolour,
                               label_ms, map.label_placement_ms(), s.renderer().placed_labels());
                    std::fflush(stdout);
                }
            }
            fmt::print("\npeak memory (this process): {:.0f} MiB\n", peak_rss_mib());

            // end to end, as the peers are measured: a whole process writing a 1080p village PNG
            char self[4096] = {};
            const ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
            const std::string exe = n > 0 ? std::string(self, static_cast<std::size_t>(n)) : "onemap";
            const std::string png = (std::filesystem::temp_directory_path() / "onemap_bench_villages.png").string();
            int rc = 0;
            run_wall(exe + " render --quiet --bundle " + args->bundle + " --level village --size 1920x1080 --out " + png, &rc);
            std::vector<double> walls;
            for (int i = 0; i < 3; ++i) walls.push_back(run_wall(exe + " render --quiet --bundle " + args->bundle +
                                                                 " --level village --size 1920x1080 --out " + png, &rc));
            std::sort(walls.begin(), walls.end());
            const double ours = walls[1];
            const double ours_labels = run_wall(exe + " render --quiet --bundle " + args->bundle +
                                                " --level village --labels --points projects,sites --size 1920x1080 --out " + png, &rc);
            fmt::print("\n| renderer | villages 1080p PNG, whole process | ratio (peer / onemap) | notes |\n|---|---|---|---|\n");
            fmt::print("| onemap | {:.2f} s (median of 3) | 1.0 | with labels + points: {:.2f} s{} |\n", ours, ours_labels,
                       rc ? " (render FAILED)" : "");
            if (args->skip_peers) return;
            const std::string py = "/usr/bin/python3";
            const std::string peer_gpkg = args->peer_work + "/province.gpkg";
            const bool peer_data = std::filesystem::exists(peer_gpkg);
            struct Peer {
                const char* name;
                std::string probe, command;
                double reference;
            };
            const Peer peers[] = {
                {"QGIS", py + " -c 'import qgis.core'", py + " " + args->peer_scripts + "/render_qgis.py " + peer_gpkg + " villages " +
                                                          args->peer_work + "/onemap_side_qgis.png", 2.01},
                {"mapnik", py + " -c 'import mapnik'", py + " " + args->peer_scripts + "/render_mapnik.py " + peer_gpkg + " villages " +
                                                         args->peer_work + "/onemap_side_mapnik.png", 1.73},
            };
            for (const Peer& p : peers) {
                if (!have(p.probe)) {
                    fmt::print("| {} | not run: not installed here (see ../shared/bench/README.md) | reference {:.2f} s → {:.1f}× | "
                               "reference figure from ../shared/bench/results.md, 50,000 villages |\n",
                               p.name, p.reference, p.reference / ours);
                } else if (!peer_data) {
                    fmt::print("| {} | not run: {} missing (make it with ../shared/bench/make_dataset.py) | reference {:.2f} s → {:.1f}× | |\n",
                               p.name, peer_gpkg, p.reference, p.reference / ours);
                } else {
                    int prc = 0;
                    const double wall = run_wall(p.command, &prc);
                    fmt::print("| {} | {:.2f} s{} | {:.1f}× | peer dataset {} (its own villages) |\n", p.name, wall,
                               prc ? " (FAILED)" : "", wall / ours, peer_gpkg);
                }
            }
            if (have("command -v gdal_rasterize")) {
                const std::string tif = (std::filesystem::temp_directory_path() / "onemap_bench_gdal.tif").string();
                const std::string cmd = "gdal_rasterize -q -l regions -where 'level=5' -burn 255 -ot Byte -ts 1920 1080 -of GTiff " +
                                        args->bundle + " " + tif + " && rm -f " + tif;
                int grc = 0;
                run_wall(cmd, &grc);
                const double wall = run_wall(cmd, &grc);
                fmt::print("| gdal_rasterize | {:.2f} s{} | {:.1f}× | same bundle, villages burnt as one value (no classes, no colours, no borders) |\n",
                           wall, grc ? " (FAILED)" : "", wall / ours);
            } else {
                fmt::print("| gdal_rasterize | not run: not installed | – | |\n");
            }
        } catch (const std::exception& e) {
            fmt::print(stderr, "onemap bench render: {}\n", e.what());
            exit.value = 2;
        }
    });
}

}  // namespace onemap::app
