// `onemap bench render`: the renderer's figures as a table (a benchmark, not a test).
#include "data/bundle/bundle.hpp"
#include "data/bundle/region_index.hpp"
#include "gis/lod_prefetch.hpp"
#include "kiosk/cli/commands.hpp"
#include "data/scene/map_scene.hpp"
#include "kiosk/gui/map_session.hpp"

#include <fmt/format.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

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

bool have(const std::string& probe) { return std::system((probe + " > /dev/null 2>&1").c_str()) == 0; }

std::string shell_word(const std::string& s) {  // one shell word
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

// One run of a shell command: wall seconds, exit status and what it printed (stdout and stderr).
struct Run {
    double wall = 0;
    int rc = 0;
    std::string output;
};
Run run_captured(const std::string& command) {
    Run r;
    const auto t0 = clock_type::now();
    FILE* p = ::popen((command + " 2>&1").c_str(), "r");
    if (!p) {
        r.rc = -1;
        return r;
    }
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) r.output.append(buf, n);
    const int status = ::pclose(p);
    r.rc = status == -1 ? -1 : WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.wall = since(t0);
    return r;
}

// A renderer run end to end: one warm-up run (also the probe), then `runs` timed runs; the median.
struct Timed {
    int runs = 0;             // timed runs (0: only the probe ran, see `failed`)
    double median = 0, min = 0, max = 0;
    bool failed = false;
    std::string why;          // the last lines of a failed run's output
    std::string output;       // the last run's output (the peers print their own timers)
};
Timed timed(const std::string& command, int runs, bool warm_up = true) {
    Timed t;
    auto failure = [&](const Run& r) {
        t.failed = true;
        std::string tail = r.output.size() > 300 ? r.output.substr(r.output.size() - 300) : r.output;
        std::replace(tail.begin(), tail.end(), '\n', ' ');
        std::replace(tail.begin(), tail.end(), '|', '/');
        t.why = fmt::format("exit {}: {}", r.rc, tail);
        return t;
    };
    if (warm_up) {
        const Run r = run_captured(command);
        if (r.rc != 0) return failure(r);
    }
    std::vector<double> walls;
    for (int i = 0; i < runs; ++i) {
        Run r = run_captured(command);
        if (r.rc != 0) return failure(r);
        walls.push_back(r.wall);
        t.output = std::move(r.output);
    }
    std::sort(walls.begin(), walls.end());
    t.runs = runs;
    t.median = walls[walls.size() / 2];
    t.min = walls.front();
    t.max = walls.back();
    return t;
}

// The number after `"key": ` in a peer script's JSON line (its own timers), or after `key ` in
// `onemap render`'s summary line ("frame 0.171 s"); negative when absent.
double number_after(const std::string& text, const std::string& key) {
    for (const std::string& k : {"\"" + key + "\": ", key + " "}) {
        const auto at = text.rfind(k);
        if (at == std::string::npos) continue;
        try {
            return std::stod(text.substr(at + k.size()));
        } catch (...) {
        }
    }
    return -1;
}

std::string walls_text(const Timed& t) {
    if (t.runs == 1) return fmt::format("{:.2f} s (1 run)", t.median);
    return fmt::format("{:.2f} s ({:.2f}–{:.2f}, median of {})", t.median, t.min, t.max, t.runs);
}

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

// The scripted path as the first gesture after the map opens, drawn as the GUI draws it (frame cache,
// feature raster, GPU budget and LODs read on a thread of their own, as kiosk/gui/map_view.cpp sets them):
// only what the first frame drew is in memory, so the zoom meets LODs not read yet, and stand-ins are
// drawn until they have arrived.
std::string first_gesture(const MapRequest& req) {
    MapSession s(req);
    s.render_image();
    auto& map = s.renderer();
    std::unique_ptr<gis::LodPrefetch> prefetch;
    if (s.scene().reader) prefetch = std::make_unique<gis::LodPrefetch>(s.scene());
    map.set_lod_prefetch(prefetch.get());
    map.set_frame_cache(true);
    map.set_frame_time_target(30);
    map.set_feature_raster(true);
    map.set_gpu_budget(std::uint64_t{128} << 20);
    // at rest until its picture is drawn, as a window is before the first touch
    for (int i = 0; i < 1000 && (map.update(0), map.render(), map.picture_pending()); ++i) {}
    s.device().finish();
    const auto count_loaded = [&] {
        std::size_t n = 0;
        for (const auto& l : s.scene().layers)
            for (const auto& lod : l.lods) n += lod.loaded ? 1 : 0;
        return n;
    };
    const std::size_t loaded_before = count_loaded();
    const auto redraws = map.cache_redraws();
    const PathStats p = scripted_path(s);
    const std::size_t loaded_after = count_loaded();
    map.set_lod_prefetch(nullptr);
    return fmt::format("{:.1f} / {:.1f} / {:.1f} ({} read, {} pictures, {} with stand-ins)", p.median_ms, p.p95_ms, p.max_ms,
                       loaded_after - loaded_before, map.cache_redraws() - redraws, map.pictures_with_stand_ins());
}

struct BenchArgs {
    std::string bundle;
    std::string sizes = "1920x1080,3840x2160";
    std::vector<std::string> levels{"county", "township", "village"};
    bool skip_build = false;
    bool skip_peers = false;
    bool peers = false;             // only the side-by-side table
    bool skip_qgis_labels = false;  // QGIS with 50,000 village labels takes about two minutes
    std::string peer_work = "/tmp/onemap-peer-bench";
    std::string peer_scripts = "../shared/bench";
    std::string peer_bundle;        // default: peer_work/onemap-peer.gpkg (scripts/bench-peers makes it)
    std::string peer_size = "1920x1080";
    std::string peer_metric = "tp_income_pc";
    std::string peer_period = "2024";
    std::string peer_county;        // the county view of the labels rows; default: the one with most villages
    int runs = 3;
};

// One county of the peer bundle, seen at the size of the PNGs: where village names fit, so that
// labelling does real work in every renderer (at the province's scale onemap places no village name:
// a name is drawn only where it fits inside its village).
struct CountyView {
    std::string code, name;
    std::size_t villages = 0;
    std::string extent;    // the peers' --extent: same centre and north–south scale as onemap's view
};
CountyView county_view(const std::string& bundle_path, const std::string& wanted, int w, int h) {
    CountyView v;
    {
        const data::Bundle bundle = data::Bundle::open(bundle_path, data::OpenMode::ReadOnly);
        const data::RegionIndex index = data::RegionIndex::load(bundle);
        for (const data::RegionInfo* c : index.layer(data::Level::County)) {
            if (c->level != data::Level::County || (!wanted.empty() && c->code != wanted)) continue;
            std::size_t n = 0;
            for (const std::string& t : c->children)
                if (const data::RegionInfo* town = index.find(t)) n += town->children.size();
            if (v.code.empty() || n > v.villages) v = CountyView{c->code, c->name, n, {}};
        }
    }
    if (v.code.empty()) throw std::invalid_argument(wanted.empty() ? bundle_path + " has no counties" : "--peer-county " + wanted + ": no such county in " + bundle_path);
    // onemap's own view of the county (`render --region`), read off its camera; the peers draw degrees
    // square, so they get its centre and its degrees per pixel north–south
    MapRequest req;
    req.bundle = bundle_path;
    req.level = "village";
    req.region = v.code;
    req.width = w;
    req.height = h;
    MapSession s(req);
    const render::Camera& cam = s.renderer().camera();
    const gis::Point c = cam.to_scene({w / 2.0, h / 2.0}), o = s.scene().origin;
    const double hx = w / cam.pixels_per_degree() / 2, hy = h / cam.pixels_per_degree() / 2;
    v.extent = fmt::format("{:.6f},{:.6f},{:.6f},{:.6f}", o.x + c.x - hx, o.y + c.y - hy, o.x + c.x + hx, o.y + c.y + hy);
    return v;
}

// The same map through onemap and the peers (QGIS, mapnik, GDAL: ../shared/bench), each a whole process
// writing a village-level PNG, one warm-up run and then the median of `runs`. onemap draws the bundle
// that scripts/bench-peers built from the peers' GeoPackage with onemap's own importers; the PNGs land
// in PEER_WORK/out/ for contact_sheet.py.
void side_by_side(const BenchArgs& args, const std::string& exe) {
    namespace fs = std::filesystem;
    BenchArgs a = args;
    a.peer_scripts = fs::absolute(a.peer_scripts).lexically_normal().string();  // the contact sheet runs from PEER_WORK
    const std::string out = a.peer_work + "/out";
    std::error_code ec;
    fs::create_directories(out, ec);
    if (ec) throw std::runtime_error(fmt::format("cannot create {} for the PNGs: {}", out, ec.message()));
    int pw = 0, ph = 0;
    if (!parse_size(a.peer_size, pw, ph)) throw std::invalid_argument("--peer-size '" + a.peer_size + "' is not WIDTHxHEIGHT");
    const std::string size = fmt::format("{}x{}", pw, ph);
    const std::string render = exe + " render --size " + size + " --level village --bundle ";

    auto load = [] {
        std::ifstream f("/proc/loadavg");
        std::string one, five;
        f >> one >> five;
        return one.empty() ? std::string("unknown") : one + " (1 min), " + five + " (5 min)";
    };
    const std::string load_before = load();
    fmt::print("\n| renderer | map | villages {} PNG, whole process | draw (its own timer) | ratio (peer / onemap) | notes |\n"
               "|---|---|---|---|---|---|\n", size);
    auto own = [](const Timed& t, const std::string& key) {
        const double v = number_after(t.output, key);
        return v < 0 ? std::string("–") : fmt::format("{:.2f} s", v);
    };
    auto placed = [](const std::string& text) {  // "…, 217 labels" in onemap render's summary line
        const auto at = text.rfind(" labels");
        if (at == std::string::npos) return std::string("?");
        const auto from = text.find_last_not_of("0123456789", at - 1);
        return text.substr(from + 1, at - from - 1);
    };
    auto result = [&](const Timed& t) { return t.failed ? "FAILED (" + t.why + ")" : walls_text(t); };

    // Our demo province, as before (the figures above are of this bundle).
    const Timed demo = timed(render + shell_word(a.bundle) + " --out " + shell_word(out + "/onemap_demo_villages.png"), a.runs);
    const Timed demo_labels = timed(render + shell_word(a.bundle) + " --labels --points projects,sites --out " +
                                        shell_word(out + "/onemap_demo_labels_villages.png"), 1, false);
    fmt::print("| onemap | demo province (our bundle) | {} | {} | – | with labels + points: {} |\n", result(demo), own(demo, "frame"),
               demo_labels.failed ? "FAILED (" + demo_labels.why + ")" : fmt::format("{:.2f} s (1 run)", demo_labels.median));
    std::fflush(stdout);
    if (a.skip_peers) return;

    // The peers' map, drawn by onemap.
    const std::string py = "/usr/bin/python3";
    const std::string gpkg = a.peer_work + "/province.gpkg";
    const std::string peer_bundle = a.peer_bundle.empty() ? a.peer_work + "/onemap-peer.gpkg" : a.peer_bundle;
    const bool have_gpkg = fs::exists(gpkg);
    Timed ours, ours_labels;
    const bool have_bundle = fs::exists(peer_bundle);
    const std::string choro = render + shell_word(peer_bundle) + " --metric " + a.peer_metric + " --period " + a.peer_period +
                              " --classes 7 --method quantile";
    if (have_bundle) {
        ours = timed(choro + " --out " + shell_word(out + "/onemap_villages.png"), a.runs);
        ours_labels = timed(choro + " --labels --points projects --out " + shell_word(out + "/onemap_labels_villages.png"), a.runs);
        fmt::print("| onemap | peer dataset ({}) | {} | {} | 1.0 | quantile 7 classes of {} {} |\n", peer_bundle, result(ours), own(ours, "frame"),
                   a.peer_metric, a.peer_period);
        fmt::print("| onemap + labels + points | peer dataset | {} | {} | 1.0 | {} village names placed (a name must fit inside its village), "
                   "3,000 projects clustered |\n", result(ours_labels), own(ours_labels, "frame"), ours_labels.failed ? "?" : placed(ours_labels.output));
    } else {
        ours.failed = ours_labels.failed = true;
        fmt::print("| onemap | peer dataset | not run: {} missing (scripts/bench-peers builds it from {}) | – | – | ratios below against the demo bundle |\n",
                   peer_bundle, gpkg);
    }
    std::fflush(stdout);
    const Timed& base = ours.failed ? demo : ours;
    const Timed& base_labels = ours_labels.failed ? demo_labels : ours_labels;

    struct Peer {
        std::string name, probe, command;
        const Timed* base;
        double reference;  // ../shared/bench/results.md, villages
        std::string own_key, note;
        bool once = false;
        bool skip = false;
    };
    const std::string qgis = py + " " + shell_word(a.peer_scripts + "/render_qgis.py") + " " + shell_word(gpkg) + " villages ";
    const std::string mapnik = py + " " + shell_word(a.peer_scripts + "/render_mapnik.py") + " " + shell_word(gpkg) + " villages ";
    const std::string gdal = "SIZE='" + std::to_string(pw) + " " + std::to_string(ph) + "' bash " + shell_word(a.peer_scripts + "/render_gdal.sh") + " " +
                             shell_word(gpkg) + " villages ";
    const std::string qgis_probe = py + " -c 'import qgis.core'", mapnik_probe = py + " -c 'import mapnik'", gdal_probe = "command -v gdal_rasterize";
    const std::vector<Peer> peers = {
        {"QGIS", qgis_probe, qgis + shell_word(out + "/qgis_villages.png") + " --size " + size, &base, 2.01, "render",
         "PyQGIS 3.22, parallel job, antialiased, 1 px simplification"},
        {"QGIS + labels + points", qgis_probe, qgis + shell_word(out + "/qgis_labels_villages.png") + " --size " + size + " --labels --points",
         &base_labels, 121.3, "render", "every village name (PAL labelling); one run, no warm-up", true, a.skip_qgis_labels},
        {"mapnik", mapnik_probe, mapnik + shell_word(out + "/mapnik_villages.png") + " --size " + size, &base, 1.73, "render",
         "mapnik 3.1, AGG, ogr plugin"},
        {"mapnik + labels + points", mapnik_probe, mapnik + shell_word(out + "/mapnik_labels_villages.png") + " --size " + size + " --labels --points",
         &base_labels, 5.08, "render", "TextSymbolizer (interior placement), MarkersSymbolizer"},
        {"gdal_rasterize (render_gdal.sh)", gdal_probe, gdal + shell_word(out + "/gdal_villages.tif"), &base, 0.93, "rasterize",
         "class numbers burnt into a Byte GeoTIFF: no colours, no borders, no antialiasing"},
        {"gdal_rasterize + outlines", gdal_probe, gdal + shell_word(out + "/gdal_outlines_villages.tif") + " --outlines", &base, 1.55, "rasterize",
         "a second pass burns the borders (SpatiaLite ST_Boundary)"},
    };
    for (const Peer& p : peers) {
        const double b = p.base->failed ? 0 : p.base->median;
        auto ratio = [&](double v) { return b > 0 ? fmt::format("{:.1f}×", v / b) : std::string("–"); };
        if (p.skip) {
            fmt::print("| {} | peer dataset | skipped (--skip-qgis-labels) | – | reference {:.1f} s → {} | {} |\n", p.name, p.reference,
                       ratio(p.reference), p.note);
        } else if (!have(p.probe)) {
            fmt::print("| {} | – | not run: not installed here (scripts/bench-peers installs it) | – | reference {:.2f} s → {} | "
                       "reference figure from ../shared/bench/results.md |\n", p.name, p.reference, ratio(p.reference));
        } else if (!have_gpkg) {
            fmt::print("| {} | – | not run: {} missing (scripts/bench-peers makes it) | – | reference {:.2f} s → {} | |\n", p.name, gpkg,
                       p.reference, ratio(p.reference));
        } else {
            const Timed t = p.once ? timed(p.command, 1, false) : timed(p.command, a.runs);
            fmt::print("| {} | peer dataset (the GeoPackage) | {} | {} | {} | {} |\n", p.name, result(t), own(t, p.own_key),
                       t.failed ? "–" : ratio(t.median), p.note);
        }
        std::fflush(stdout);
    }
    // Labels where names fit: one county's view, the same for every renderer.
    if (have_bundle && have_gpkg) {
        const CountyView cv = county_view(peer_bundle, a.peer_county, pw, ph);
        fmt::print("| **one county's view** | {} {} ({} villages), peers' extent {} | | | | labels and points in a view where village names fit |\n",
                   cv.code, cv.name, cv.villages, cv.extent);
        const Timed o = timed(choro + " --region " + cv.code + " --labels --points projects --out " + shell_word(out + "/onemap_county_villages.png"), a.runs);
        fmt::print("| onemap + labels + points | county view | {} | {} | 1.0 | {} village names placed; the county's villages classified, the rest faded |\n",
                   result(o), own(o, "frame"), o.failed ? "?" : placed(o.output));
        std::fflush(stdout);
        const std::vector<Peer> county_peers = {
            {"QGIS + labels + points", qgis_probe, qgis + shell_word(out + "/qgis_county_villages.png") + " --size " + size + " --labels --points --extent " + cv.extent,
             &o, 0, "render", "the province's classes"},
            {"mapnik + labels + points", mapnik_probe, mapnik + shell_word(out + "/mapnik_county_villages.png") + " --size " + size + " --labels --points --extent " +
             cv.extent, &o, 0, "render", "the province's classes"},
        };
        for (const Peer& p : county_peers) {
            if (!have(p.probe)) {
                fmt::print("| {} | county view | not run: not installed here | – | – | |\n", p.name);
                continue;
            }
            const Timed t = timed(p.command, a.runs);
            fmt::print("| {} | county view | {} | {} | {} | {} |\n", p.name, result(t), own(t, p.own_key),
                       t.failed || o.failed ? std::string("–") : fmt::format("{:.1f}×", t.median / o.median), p.note);
            std::fflush(stdout);
        }
    }
    // Our bundle through GDAL as well, as before: the villages burnt as one value.
    if (have(gdal_probe)) {
        const std::string tif = out + "/gdal_demo_villages.tif";
        const Timed t = timed("gdal_rasterize -q -l regions -where 'level=5' -burn 255 -ot Byte -ts " + std::to_string(pw) + " " + std::to_string(ph) +
                              " -of GTiff " + shell_word(a.bundle) + " " + shell_word(tif), a.runs);
        fmt::print("| gdal_rasterize | demo province (our bundle) | {} | – | {} | villages burnt as one value (no classes, no colours, no borders); "
                   "ratio against onemap's demo row |\n", result(t), t.failed || demo.failed ? std::string("–") : fmt::format("{:.1f}×", t.median / demo.median));
    }
    fmt::print("\nload average before: {}; after: {} ({} cores)\n", load_before, load(), std::thread::hardware_concurrency());
    if (have(py + " -c 'import PIL, osgeo'") && have_gpkg) {
        const Run r = run_captured("cd " + shell_word(a.peer_work) + " && " + py + " " + shell_word(a.peer_scripts + "/contact_sheet.py") +
                                   " onemap onemap_labels qgis qgis_labels mapnik mapnik_labels gdal gdal_outlines onemap_county qgis_county mapnik_county");
        fmt::print("\nPNGs in {}/; side by side (villages column): {}\n", out, r.rc == 0 ? out + "/contact_sheet.png" : "contact sheet FAILED: " + r.output);
    } else {
        fmt::print("\nPNGs in {}/\n", out);
    }
}

}  // namespace

void add_bench_command(CLI::App& app, ExitCode& exit) {
    auto args = std::make_shared<BenchArgs>();
    CLI::App* bench = app.add_subcommand("bench", "性能测试 / benchmarks (tables, not tests)");
    bench->require_subcommand(1);
    CLI::App* cmd = bench->add_subcommand("render", "renderer figures at province scale, and peer renderers side by side");
    cmd->add_option("--bundle", args->bundle, "bundle file (.gpkg), ideally `onemap demo --scale province`")->required();
    cmd->add_option("--sizes", args->sizes, "comma-separated WxH")->capture_default_str();
    cmd->add_option("--levels", args->levels, "levels to measure")->delimiter(',')->capture_default_str();
    cmd->add_flag("--skip-build", args->skip_build, "do not time the cold scene build");
    cmd->add_flag("--skip-peers", args->skip_peers, "do not run QGIS / mapnik / GDAL, nor onemap on their dataset");
    cmd->add_flag("--peers", args->peers, "only the side-by-side table: onemap and the peers end to end (no scene build, no frame figures)");
    cmd->add_flag("--skip-qgis-labels", args->skip_qgis_labels, "do not run QGIS with village labels (about two minutes a run)");
    cmd->add_option("--peer-bundle", args->peer_bundle, "onemap bundle of the peer dataset (default PEER_WORK/onemap-peer.gpkg; scripts/bench-peers makes it)");
    cmd->add_option("--peer-size", args->peer_size, "WxH of the side-by-side PNGs")->capture_default_str();
    cmd->add_option("--peer-metric", args->peer_metric, "the metric the peer bundle holds the peers' `income` as")->capture_default_str();
    cmd->add_option("--peer-period", args->peer_period, "its period")->capture_default_str();
    cmd->add_option("--peer-county", args->peer_county, "county of the labels-in-one-county rows (default: the one with most villages)");
    cmd->add_option("--runs", args->runs, "timed runs per renderer in the side-by-side table, after one warm-up (median)")->capture_default_str()
        ->check(CLI::Range(1, 99));
    cmd->add_option("--peer-scripts", args->peer_scripts, "folder of the peer scripts")->capture_default_str();
    cmd->add_option("--peer-work", args->peer_work, "peer dataset/output folder (BENCH_WORK)")->capture_default_str();
    cmd->callback([args, &exit] {
        try {
            std::string why;
            auto context = render::OffscreenContext::create(&why);
            if (!context) {
                fmt::print(stderr, "onemap bench render: {} — it needs a display or EGL (ONEMAP_GL=window|egl)\n", why);
                exit.value = 3;
                return;
            }
            if (!std::filesystem::is_regular_file(args->bundle)) {
                fmt::print(stderr, "onemap bench render: {}: no such bundle (make the demo province with `onemap demo --scale province --out F.gpkg`)\n",
                           args->bundle);
                exit.value = 2;
                return;
            }
            fmt::print("onemap bench render — {}\nGL: {} ({})\n\n", args->bundle, render::GlDevice().renderer_name(),
                       context->description());
            // 1. cold scene build
            if (!args->skip_build && !args->peers) {
                const data::Bundle bundle = data::Bundle::open(args->bundle, data::OpenMode::ReadOnly);
                const auto t0 = clock_type::now();
                const data::SceneLoad s = data::load_scene(bundle, false, false);
                const double total = since(t0);
                const auto& st = s.stats;
                fmt::print("| scene build (cold, {} threads) | {:.2f} s | read regions {:.2f} s, topology {:.2f} s, simplify {:.2f} s, "
                           "triangulate {:.2f} s, anchors {:.2f} s; {} input vertices, {} arcs, {} triangles |\n",
                           st.threads, total, s.seconds_read, st.seconds_topology, st.seconds_simplify, st.seconds_triangulate,
                           st.seconds_anchors, st.input_vertices, st.arcs, st.triangles);
            }
            std::vector<std::pair<int, int>> sizes;
            for (std::string rest = args->peers ? std::string() : args->sizes; !rest.empty();) {
                const auto comma = rest.find(',');
                int w = 0, h = 0;
                if (parse_size(rest.substr(0, comma), w, h)) sizes.push_back({w, h});
                rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
            }
            if (!sizes.empty())
                fmt::print("\n| size | level | start → first frame (open / cache / values / frame) | steady frame median / p95 / max ms | "
                       "with feature raster median / p95 / max ms (raster drawn in) | "
                       "draw calls avg / max | vertices avg / max | moving with frame cache median / p95 / max ms (pictures drawn) | "
                       "recolour ms | labels frame ms: placing (placed) |\n"
                       "|---|---|---|---|---|---|---|---|---|---|\n");
            std::vector<std::string> whole_rows, cold_rows;
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
                    auto& map = s.renderer();
                    const render::Camera whole_view = map.camera();
                    // the whole province in view (as the session opens), full frames: median of 5
                    auto whole_view_ms = [&] {
                        map.camera() = whole_view;
                        std::vector<double> ms;
                        for (int i = 0; i < 6; ++i) {
                            const auto tw = clock_type::now();
                            map.render();
                            s.device().finish();
                            if (i > 0) ms.push_back(since(tw) * 1000);
                        }
                        std::sort(ms.begin(), ms.end());
                        return ms[ms.size() / 2];
                    };
                    const double whole_triangles = whole_view_ms();
                    scripted_path(s);  // warm-up: uploads every LOD the path meets
                    const PathStats p = scripted_path(s);
                    // the same full frames with the feature raster (as the GUI has it): drawn once, then the path
                    map.set_feature_raster(true);
                    const auto tr = clock_type::now();
                    for (int i = 0; i < 100 && map.raster_pending(); ++i) {
                        map.render();
                        s.device().finish();
                    }
                    const double raster_ms = map.raster_ready() ? since(tr) * 1000 : 0;
                    const PathStats pr = scripted_path(s);
                    if (raster_ms > 0) {
                        const double whole_raster = whole_view_ms();
                        whole_rows.push_back(fmt::format("| {}×{} | {} | {:.1f} ms | {:.1f} ms | {:.0f} ms |", w, h, level, whole_triangles,
                                                         whole_raster, raster_ms));
                    }
                    // the same path as the GUI draws it while the camera moves (render/map_renderer.hpp)
                    // (from a view at rest with its picture drawn, as the GUI is before a gesture), then the
                    // frames until the picture at rest is complete, and hovering at rest
                    map.set_frame_cache(true);
                    map.set_frame_time_target(30);  // as the GUI sets it (kiosk/gui/map_view.cpp)
                    // warm-up as for full frames: pictures drawn ahead of the zoom read finer LODs,
                    // and a raster drawn in bands is a new shader variant to llvmpipe
                    scripted_path(s);
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
                    // a session of its own (its own target and GL objects); `s` draws nothing after this
                    cold_rows.push_back(fmt::format("| {}×{} | {} | {} |", w, h, level, first_gesture(req)));
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
            if (!whole_rows.empty()) {
                fmt::print("\n| size | level | whole province in view, full frame: triangles | with the feature raster | raster drawn in |\n"
                           "|---|---|---|---|---|\n");
                for (const auto& r : whole_rows) fmt::print("{}\n", r);
            }
            if (!cold_rows.empty()) {
                fmt::print("\n| size | level | first gesture after opening, as the GUI draws it: median / p95 / max ms "
                           "(LODs read meanwhile, pictures drawn with stand-ins) |\n|---|---|---|\n");
                for (const auto& r : cold_rows) fmt::print("{}\n", r);
            }
            if (!sizes.empty()) fmt::print("\npeak memory (this process): {:.0f} MiB\n", peak_rss_mib());

            // end to end, as the peers are measured: whole processes writing a village PNG, onemap's and the peers'
            char self[4096] = {};
            const ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
            // `onemap` as people run it: the launcher beside this program (kiosk/cli/launcher.cpp), which
            // starts onemap-render for a PNG; this program itself where there is none
            std::string exe = n > 0 ? std::string(self, static_cast<std::size_t>(n)) : "onemap";
            const auto launcher = std::filesystem::path(exe).parent_path() / "onemap";
            if (n > 0 && ::access(launcher.c_str(), X_OK) == 0) exe = launcher.string();
            side_by_side(*args, exe);
        } catch (const std::exception& e) {
            fmt::print(stderr, "onemap bench render: {}\n", e.what());
            exit.value = 2;
        }
    });
}

}  // namespace onemap::app
