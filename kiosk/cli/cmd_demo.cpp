#include "data/bundle/bundle.hpp"
#include "data/policy/catalogue.hpp"
#include "data/demo/demo.hpp"
#include "kiosk/cli/commands.hpp"

#include <fmt/format.h>

#include <map>
#include <memory>

namespace onemap::app {

void add_demo_command(CLI::App& app, ExitCode& exit) {
    auto opt = std::make_shared<data::DemoOptions>();
    auto scale = std::make_shared<std::string>("province");
    CLI::App* cmd = app.add_subcommand("demo", "生成演示省份数据包 / build the deterministic demo province bundle");
    cmd->add_option("--scale", *scale, "test (one city, 3 counties) or province (all 157 counties, ≥ 40,000 villages)")
        ->check(CLI::IsMember({"test", "province"}));
    cmd->add_option("--seed", opt->seed, "random seed; the same seed gives the same bundle")->capture_default_str();
    cmd->add_option("--households", opt->households, "number of households (default 300000 province, 3000 test)");
    cmd->add_option("--out", opt->out, "bundle file to write (.gpkg)")->required();
    cmd->add_option("--key-out", opt->key_out, "household look-up key file (default OUT.key)");
    cmd->add_option("--threads", opt->threads, "worker threads")->capture_default_str();
    cmd->add_flag("--force", opt->overwrite, "replace OUT if it exists");
    cmd->add_option("--print-sample-households", opt->samples,
                    "print N synthetic households' ID numbers and second factors, to try the kiosk look-up");
    cmd->callback([opt, scale, &exit] {
        opt->scale = *scale == "test" ? data::DemoScale::Test : data::DemoScale::Province;
        try {
            const data::DemoReport r = data::generate_demo(*opt);
            fmt::print("wrote {} (演示数据 synthetic)\n", opt->out.string());
            for (int l = 1; l <= 5; ++l) {
                fmt::print("  {:<10} {:>7}\n", data::level_key(static_cast<data::Level>(l)), r.regions_per_level[l]);
            }
            fmt::print("  households {:>7}\n  projects   {:>7}\n  sites      {:>7}\n  indicators {:>7}\n", r.households, r.projects,
                       r.sites, r.indicator_rows);
            fmt::print("  time: geography {:.1f} s, people {:.1f} s, writing {:.1f} s (features {:.1f}, hashing {:.1f}, tables {:.1f})\n",
                       r.seconds_geography, r.seconds_people, r.seconds_write, r.seconds_features, r.seconds_hashing, r.seconds_tables);
            if (!r.samples.empty()) {
                fmt::print("\n演示户（合成数据，仅供试用查询）/ synthetic households to try the look-up:\n");
                for (const auto& s : r.samples) {
                    fmt::print("  ID {}  phone-last-4 {}  village {}  head {}\n", s.id_number, s.second_factor, s.village_code, s.head_name_masked);
                }
            }
        } catch (const std::exception& e) {
            fmt::print(stderr, "onemap demo: {}\n", e.what());
            exit.value = 1;
        }
    });
}

}  // namespace onemap::app
