// Benchmark (not a test): every rule R1–R16 and the monthly monitoring over a province bundle, with
// the time per rule.
//   onemap_bench_rules [--bundle FILE] [--periods all]
//     FILE is modified (rule_results, alerts, open_alerts); without it a province demo is built in
//     the temp folder. Rules run for the current year (its 12 months for R13) unless --periods all.
#include "data/bundle.hpp"
#include "data/demo.hpp"
#include "data/monitoring.hpp"
#include "data/rules.hpp"

#include <sqlite3.h>

#include <fmt/format.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <string>

#include <sys/resource.h>
#include <unistd.h>

namespace {
using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }
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
        data::DemoOptions opt;
        opt.scale = data::DemoScale::Province;
        opt.out = std::filesystem::temp_directory_path() / fmt::format("onemap-bench-rules-{}.gpkg", ::getpid());
        opt.overwrite = true;
        fmt::print("building the province demo … ");
        std::fflush(stdout);
        const auto t0 = Clock::now();
        data::generate_demo(opt);
        fmt::print("{:.1f} s\n", since(t0));
        path = opt.out;
        built = true;
    }
    data::Bundle b = data::Bundle::open(path, data::OpenMode::ReadWrite);
    fmt::print("bundle {}: {} households, {} household-months, {} regions\n\n", path.string(), count(b, "SELECT count(*) FROM households"),
               count(b, "SELECT count(*) FROM household_months"), count(b, "SELECT count(*) FROM regions"));

    const auto t_all = Clock::now();
    auto t0 = Clock::now();
    const data::RuleRun run = data::evaluate_rules(b, rule_options);
    const double t_eval = since(t0);
    t0 = Clock::now();
    data::write_rule_results(b, run);
    const double t_write = since(t0);

    fmt::print("| rule | periods | results | fail | seconds |\n|---|---:|---:|---:|---:|\n");
    fmt::print("| loading (regions, households, months, measures, benefits) | | | | {:.2f} |\n", run.seconds_loading);
    for (const auto& t : run.timings) {
        std::size_t periods = 0, fails = 0;
        for (const auto& [rule, period] : run.computed) periods += rule == t.rule;
        for (const auto& r : run.results) fails += r.rule == t.rule && r.status == data::RuleStatus::Fail;
        fmt::print("| {} | {} | {} | {} | {:.3f} |\n", t.rule, periods, t.results, fails, t.seconds);
    }
    fmt::print("| all rules, evaluated | | {} | | {:.2f} |\n", run.results.size(), t_eval);
    fmt::print("| writing rule_results | | | | {:.2f} |\n\n", t_write);

    t0 = Clock::now();
    const auto m = data::run_monitoring(b, {});
    const double t_mon = since(t0);
    fmt::print("monitoring {} months: {} alerts raised\n", m.months.size(), m.total_raised());
    fmt::print("| stage | seconds |\n|---|---:|\n| loading | {:.2f} |\n| evaluating | {:.2f} |\n| writing alerts + audit + open_alerts | {:.2f} |\n| total | {:.2f} |\n\n",
               m.seconds_loading, m.seconds_evaluating, m.seconds_writing, t_mon);
    fmt::print("| alert kind | raised |\n|---|---:|\n");
    for (const auto& [k, n] : m.raised) fmt::print("| {} | {} |\n", k, n);

    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    fmt::print("\nall rules + writing + monitoring: {:.2f} s; peak memory {:.0f} MiB\n", since(t_all), usage.ru_maxrss / 1024.0);
    if (built) {
        std::filesystem::remove(path);
        std::filesystem::remove(path.string() + ".key");
    }
    return 0;
}
