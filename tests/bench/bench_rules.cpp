// Benchmark (not a test): every rule R1–R16 and the monthly monitoring over a province bundle, with
// the time per rule.
//   onemap_bench_rules [--bundle FILE] [--periods all]
//     FILE is modified (rule_results, alerts, open_alerts); without it a province demo is built in
//     the temp folder. Rules run for the latest year with all its months for R13 (--periods all: every
//     period with data), then the monitoring over every month.
#include "data/bundle/bundle.hpp"
#include "data/demo/demo.hpp"
#include "tests/bench/bench_demo_bundle.hpp"
#include "data/policy/monitoring.hpp"
#include "data/policy/rules.hpp"

#include <sqlite3.h>

#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>

#include <sys/resource.h>
#include <unistd.h>

namespace {
using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }
// CPU seconds of the whole process (every thread), user and system: on a shared machine they
// compare runs more fairly than wall time.
double cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}
double load_average() {
    double l[1] = {0};
    return getloadavg(l, 1) == 1 ? l[0] : -1;
}
std::int64_t count(onemap::data::Bundle& b, const char* sql) {
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(b.db(), sql, -1, &st, nullptr);
    std::int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    return n;
}
}  // namespace

int main(int argc, char** argv) {
    using namespace onemap;
    std::filesystem::path path;
    bool built = false;
    data::RuleOptions rule_options;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--bundle")) path = argv[i + 1];
        if (!std::strcmp(argv[i], "--periods")) rule_options.periods = {argv[i + 1]};
    }
    if (path.empty()) {
        path = bench::build_province_demo("rules");
        built = true;
    }
    data::Bundle b = data::Bundle::open(path, data::OpenMode::ReadWrite);
    if (rule_options.periods.empty()) {  // the current year with all 12 months for R13 (the default checks only the latest month)
        rule_options.periods = {std::to_string(count(b, "SELECT max(year) FROM household_income"))};
    }
    fmt::print("bundle {}: {} households, {} household-months, {} regions\n\n", path.string(), count(b, "SELECT count(*) FROM households"),
               count(b, "SELECT count(*) FROM household_months"), count(b, "SELECT count(*) FROM regions"));

    const double load_before = load_average();
    const auto t_all = Clock::now();
    const double cpu_all = cpu_seconds();
    // The nightly job: rules and monitoring on one read of the household records.
    data::MonitoringOptions monitoring_options;
    const auto both = data::check_and_monitor(b, rule_options, monitoring_options);
    const data::RuleRun& run = both.rules;
    const data::MonitoringReport& m = both.monitoring;
    auto t0 = Clock::now();
    data::write_rule_results(b, run);
    const double t_write = since(t0);
    const double wall_total = since(t_all), cpu_total = cpu_seconds() - cpu_all;
    double t_rules = 0;
    for (const auto& t : run.timings) t_rules += t.seconds;

    fmt::print("| step | periods | results | fail | seconds |\n|---|---:|---:|---:|---:|\n");
    fmt::print("| reading households, months, measures, benefits, regions (once, shared) | | | | {:.2f} |\n", both.seconds_loading);
    fmt::print("| reading targets and indicators (rules) | | | | {:.2f} |\n", run.seconds_loading);
    for (const auto& t : run.timings) {
        std::size_t periods = 0, fails = 0;
        for (const auto& [rule, period] : run.computed) periods += rule == t.rule;
        for (const auto& r : run.results) fails += r.rule == t.rule && r.status == data::RuleStatus::Fail;
        fmt::print("| {} | {} | {} | {} | {:.3f} |\n", t.rule, periods, t.results, fails, t.seconds);
    }
    fmt::print("| all 16 rules, evaluated | | {} | | {:.2f} |\n", run.results.size(), t_rules);
    fmt::print("| writing rule_results | | | | {:.2f} |\n", t_write);
    fmt::print("| monitoring {} months, evaluated | | {} alerts | | {:.2f} |\n", m.months.size(), m.total_raised(), m.seconds_evaluating);
    fmt::print("| writing alerts + audit rows + open_alerts | | | | {:.2f} |\n\n", m.seconds_writing);
    fmt::print("| alert kind | raised |\n|---|---:|\n");
    for (const auto& [k, n] : m.raised) fmt::print("| {} | {} |\n", k, n);
    fmt::print("\nreading {:.2f} s + evaluating {:.2f} s + writing {:.2f} s\n", both.seconds_loading + run.seconds_loading + m.seconds_loading,
               t_rules + m.seconds_evaluating, t_write + m.seconds_writing);

    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    fmt::print("all rules + monitoring, read, evaluated and written: {:.2f} s wall, {:.2f} s CPU (all threads); peak memory {:.0f} MiB\n", wall_total,
               cpu_total, usage.ru_maxrss / 1024.0);
    fmt::print("machine: {} cores, load average (1 min) {:.2f} before, {:.2f} after\n", std::thread::hardware_concurrency(), load_before, load_average());
    if (built) {
        std::filesystem::remove(path);
        std::filesystem::remove(path.string() + ".key");
    }
    return 0;
}
