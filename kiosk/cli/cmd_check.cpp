// `onemap check`: the plan's rules R1–R16 per region and period, written to the bundle's rule_results
// and shown as a table grouped by rule (or CSV / JSON for scripts). --strict exits 1 when any fails.
#include "data/bundle/bundle.hpp"
#include "data/policy/monitoring.hpp"
#include "data/policy/rules.hpp"
#include "kiosk/cli/commands.hpp"

#include <fmt/format.h>

#include "data/bundle/text_format.hpp"

#include <map>
#include <memory>
#include <sstream>
#include <unistd.h>

namespace onemap::app {

namespace {

using data::json_string;
std::string csv(std::string_view s) { return data::csv_field(s); }

std::string opt_num(const std::optional<double>& v) { return v ? fmt::format("{}", *v) : std::string(); }  // shortest exact form

std::vector<std::string> split(const std::vector<std::string>& xs) {
    std::vector<std::string> out;
    for (const auto& x : xs) {
        std::stringstream ss(x);
        std::string item;
        while (std::getline(ss, item, ',')) {
            if (!item.empty()) out.push_back(item);
        }
    }
    return out;
}

}  // namespace

void add_check_command(CLI::App& app, ExitCode& exit) {
    struct Args {
        std::string bundle, level, format = "table";
        std::vector<std::string> periods, rules;
        bool strict = false, no_write = false, monitor = false;
        std::size_t show = 15;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = app.add_subcommand("check", "按规划目标逐项核查 / check the plan's rules R1–R16 per region and period");
    cmd->add_option("--bundle", args->bundle, "bundle file (.gpkg)")->required();
    cmd->add_option("--period", args->periods, "YYYY or YYYY-MM (repeatable), or 'all' for every period with data; default: the current (latest) year, and its latest month for R13");
    cmd->add_option("--rule", args->rules, "rules, e.g. R1,R3 (default: all)")->delimiter(',');
    cmd->add_option("--level", args->level, "show only this level: province|city|county|township|village");
    cmd->add_option("--format", args->format, "table | csv | json")->check(CLI::IsMember({"table", "csv", "json"}))->capture_default_str();
    cmd->add_option("--show", args->show, "failing regions listed per rule and period in the table")->capture_default_str();
    cmd->add_flag("--strict", args->strict, "exit 1 when any shown result fails");
    cmd->add_flag("--monitor", args->monitor, "also run the monthly monitoring (onemap monitor), reading the households once");
    cmd->add_flag("--no-write", args->no_write, "compute only; leave rule_results as it is (opens the bundle read-only)");
    cmd->callback([args, &exit] {
        try {
            std::optional<data::Level> level;
            if (!args->level.empty()) {
                level = data::parse_level(args->level);
                if (!level) throw std::invalid_argument(fmt::format("--level '{}': expected province, city, county, township or village", args->level));
            }
            const bool write = !args->no_write && ::access(args->bundle.c_str(), W_OK) == 0;
            data::Bundle b = data::Bundle::open(args->bundle, write ? data::OpenMode::ReadWrite : data::OpenMode::ReadOnly);
            data::RuleOptions opt;
            opt.rules = split(args->rules);
            opt.periods = args->periods;
            data::RuleRun run;
            if (args->monitor) {
                if (!write) throw data::BundleError(fmt::format("{}: --monitor writes alerts; the bundle must be writable (and no --no-write)", args->bundle));
                auto both = data::check_and_monitor(b, opt, {});
                run = std::move(both.rules);
                fmt::print(stderr, "onemap check --monitor: {} months monitored, {} new alerts\n", both.monitoring.months.size(),
                           both.monitoring.total_raised());
            } else {
                run = data::evaluate_rules(b, opt);
            }
            if (write) data::write_rule_results(b, run);
            if (run.skipped_total > 0) {
                fmt::print(stderr, "onemap check: {} broken household rows left out of every count:\n", run.skipped_total);
                for (const auto& why : run.skipped_rows) fmt::print(stderr, "  {}: {}\n", args->bundle, why);
            }

            std::map<std::string, data::RegionLabel> labels;
            for (auto& l : data::read_region_labels(b)) labels.emplace(l.code, std::move(l));
            std::vector<const data::RuleResult*> shown;
            for (const auto& r : run.results) {
                auto it = labels.find(r.region_code);
                if (level && (it == labels.end() || it->second.level != *level)) continue;
                shown.push_back(&r);
            }
            bool any_fail = false;
            for (const auto* r : shown) any_fail = any_fail || r->status == data::RuleStatus::Fail;

            if (args->format == "csv") {
                fmt::print("rule,region_code,region_name,level,period,status,value,target,reason\n");
                for (const auto* r : shown) {
                    const auto it = labels.find(r->region_code);
                    fmt::print("{},{},{},{},{},{},{},{},{}\n", r->rule, r->region_code, csv(it == labels.end() ? "" : it->second.name),
                               it == labels.end() ? "" : data::level_key(it->second.level), r->period, data::status_key(r->status),
                               opt_num(r->value), opt_num(r->target), csv(r->reason));
                }
            } else if (args->format == "json") {
                std::string out = "[";
                for (std::size_t i = 0; i < shown.size(); ++i) {
                    const auto* r = shown[i];
                    const auto it = labels.find(r->region_code);
                    out += fmt::format("{}{{\"rule\":{},\"region_code\":{},\"region_name\":{},\"period\":{},\"status\":{},\"value\":{},\"target\":{},\"reason\":{}}}",
                                       i ? ",\n" : "", json_string(r->rule), json_string(r->region_code),
                                       json_string(it == labels.end() ? "" : it->second.name), json_string(r->period),
                                       json_string(data::status_key(r->status)), r->value ? opt_num(r->value) : "null",
                                       r->target ? opt_num(r->target) : "null", json_string(r->reason));
                }
                fmt::print("{}]\n", out);
            } else {
                fmt::print("onemap check — {}{}\n", args->bundle, b.synthetic() ? "（演示数据 synthetic）" : "");
                if (!write) fmt::print("（只读：结果未写入数据包 / read-only: rule_results not updated）\n");
                for (const auto& info : data::rule_catalogue()) {
                    // Group: this rule's shown results, by period.
                    std::map<std::string, std::vector<const data::RuleResult*>> by_period;
                    for (const auto* r : shown) {
                        if (r->rule == info.id) by_period[r->period].push_back(r);
                    }
                    if (by_period.empty()) continue;
                    fmt::print("\n{} {} — {}\n", info.id, info.name_zh, info.text_zh);
                    for (const auto& [period, rows] : by_period) {
                        std::size_t n[4] = {};
                        for (const auto* r : rows) ++n[static_cast<int>(r->status)];
                        fmt::print("  {:<8} 达标 {:>6}  未达标 {:>6}  不适用 {:>6}  无数据 {:>6}\n", period, n[0], n[1], n[2], n[3]);
                        std::size_t listed = 0;
                        for (const auto* r : rows) {
                            const bool interesting = r->status == data::RuleStatus::Fail || (rows.size() <= 3 && r->status != data::RuleStatus::Pass);
                            if (!interesting) continue;
                            if (listed++ == args->show) {
                                fmt::print("      … 另有 {} 个未达标地区（--format csv 列出全部）\n", n[1] > args->show ? n[1] - args->show : 0);
                                break;
                            }
                            const auto it = labels.find(r->region_code);
                            fmt::print("      {} {:<12} {:<10} {}\n", r->status == data::RuleStatus::Fail ? "✗" : "·", r->region_code, it == labels.end() ? "" : it->second.name,
                                       r->status == data::RuleStatus::Fail ? r->reason : fmt::format("[{}] {}", data::status_name_zh(r->status), r->reason));
                        }
                        if (rows.size() <= 3) {
                            for (const auto* r : rows) {
                                if (r->status != data::RuleStatus::Pass) continue;
                                const auto it = labels.find(r->region_code);
                                fmt::print("      ✓ {:<12} {:<10} {}\n", r->region_code, it == labels.end() ? "" : it->second.name, r->reason);
                            }
                        }
                    }
                }
                std::size_t total[4] = {};
                for (const auto* r : shown) ++total[static_cast<int>(r->status)];
                fmt::print("\n合计 total: 达标 pass {}, 未达标 fail {}, 不适用 n/a {}, 无数据 no data {}\n", total[0], total[1], total[2], total[3]);
            }
            if (args->strict && any_fail) exit.value = 1;
        } catch (const data::BundleError& e) {
            fmt::print(stderr, "onemap check: {}\n", e.what());
            exit.value = 2;
        } catch (const std::invalid_argument& e) {
            fmt::print(stderr, "onemap check: {}\n", e.what());
            exit.value = 2;
        }
    });
}

}  // namespace onemap::app
