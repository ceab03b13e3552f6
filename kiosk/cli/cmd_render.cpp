#include "data/bundle/bundle.hpp"
#include "kiosk/cli/commands.hpp"
#include "kiosk/cli/heap_pages.hpp"
#include "kiosk/gui/map_session.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <memory>

namespace onemap::app {

bool parse_size(const std::string& text, int& w, int& h) {
    const auto x = text.find_first_of("xX×");
    if (x == std::string::npos) return false;
    try {
        w = std::stoi(text.substr(0, x));
        h = std::stoi(text.substr(text.find_first_not_of("xX×\x97\xc3", x)));
    } catch (...) {
        return false;
    }
    return w >= 16 && h >= 16 && w <= 16384 && h <= 16384;
}

void add_render_command(CLI::App& app, ExitCode& exit) {
    struct Args {
        MapRequest req;
        std::string size = "1280x800";
        std::string points;
        std::string out;
        bool quiet = false;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = app.add_subcommand("render", "出图 / render a map to a PNG offscreen (same renderer as the screen)");
    cmd->add_option("--bundle", args->req.bundle, "bundle file (.gpkg)")->required();
    cmd->add_option("--level", args->req.level, "county | township | village")->capture_default_str();
    cmd->add_option("--metric", args->req.metric, "indicator key (onemap info lists them)")->capture_default_str();
    cmd->add_option("--period", args->req.period, "YYYY")->capture_default_str();
    cmd->add_option("--region", args->req.region, "fit the view to this region (any level: a city or the province as the counties under it) and fade the rest");
    cmd->add_option("--select", args->req.select, "highlight this region (code at the drawn level)");
    cmd->add_flag("--labels", args->req.labels, "region names (Chinese), placed by priority without overlap");
    cmd->add_option("--points", args->points, "point layers: projects,sites");
    cmd->add_flag("!--no-cluster", args->req.cluster, "draw every point, no clustering");
    cmd->add_option("--classes", args->req.classes, "number of classes")->capture_default_str();
    cmd->add_option("--method", args->req.method, "quantile | equal | jenks | manual")->capture_default_str();
    cmd->add_option("--breaks", args->req.breaks, "manual class breaks, ascending")->delimiter(',');
    cmd->add_option("--zoom", args->req.zoom, "extra zoom about the view centre")->capture_default_str();
    cmd->add_flag("!--no-legend", args->req.legend, "leave the legend out");
    cmd->add_flag("!--no-cache", args->req.use_cache, "build the scene in memory, ignore and keep the render cache");
    cmd->add_option("--size", args->size, "WxH pixels")->capture_default_str();
    cmd->add_option("--out", args->out, "PNG file to write")->required();
    cmd->add_flag("--quiet", args->quiet, "print nothing on success");
    cmd->callback([args, &exit] {
        MapRequest req = args->req;
        if (!parse_size(args->size, req.width, req.height)) {
            fmt::print(stderr, "onemap render: --size '{}' is not WIDTHxHEIGHT (16…16384), e.g. 1920x1080\n", args->size);
            exit.value = 2;
            return;
        }
        std::string rest = args->points;
        while (!rest.empty()) {
            const auto comma = rest.find(',');
            req.points.push_back(rest.substr(0, comma));
            rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
        }
        use_huge_heap_pages();
        // The bundle is read on a second thread while this one starts GL (both take a while, and
        // neither needs the other until the first draw).
        auto data = std::async(std::launch::async, [req] { return load_map_data(req); });
        using clock = std::chrono::steady_clock;
        const auto seconds_since = [](clock::time_point t) { return std::chrono::duration<double>(clock::now() - t).count(); };
        const auto t_context = clock::now();
        std::string why;
        auto context = render::OffscreenContext::create(&why);
        const double context_seconds = seconds_since(t_context);
        if (!context) {
            fmt::print(stderr, "onemap render: cannot render: {}. It needs a display or EGL (Debian: libegl1 with "
                               "libegl-mesa0 or a GPU driver); ONEMAP_GL=window|egl picks one\n", why);
            exit.value = 3;
            return;
        }
        try {
            MapSession session(req, [&] { return data.get(); });
            const render::Image img = session.render_image();
            const auto t_png = clock::now();
            if (!render::write_png(args->out, img)) {
                fmt::print(stderr, "onemap render: cannot write {}\n", args->out);
                exit.value = 2;
                return;
            }
            if (!args->quiet) {
                const auto& c = session.device().counters();
                const auto& t = session.timings();
                const double png_seconds = seconds_since(t_png);
                fmt::print("{} ({}×{}): GL context {:.3f} s ({}), open {:.2f} s, scene {} in {:.2f} s, values {:.3f} s, "
                           "frame {:.3f} s, PNG {:.3f} s; {} draw calls, {} vertices, {} visible features, {} labels\n",
                           args->out, req.width, req.height, context_seconds, context->description(), t.open_seconds,
                           t.scene_from_cache ? "from cache" : "built", t.scene_seconds, t.values_seconds,
                           t.first_frame_seconds, png_seconds, c.draw_calls, c.vertices, c.visible_features,
                           session.renderer().placed_labels());
            }
            // The PNG is written and closed. Taking down the renderer, the scene, Mesa and the GL
            // context would cost a fresh process tens of ms more, for memory the kernel frees at
            // exit anyway: end here.
            std::fflush(stdout);
            std::fflush(stderr);
            std::_Exit(exit.value);
        } catch (const std::exception& e) {
            fmt::print(stderr, "onemap render: {}\n", e.what());
            exit.value = 2;
        }
    });
}

}  // namespace onemap::app
