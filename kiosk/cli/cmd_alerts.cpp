// `onemap monitor`: the monthly monitoring — raise alerts from the households' monthly records.
// `onemap alerts`: counts, the alert workflow (new → verified → measure_assigned → resolved), the
// audit history, and the county ledger (一户一策) as CSV.
//
// Privacy: stdout carries counts, alert ids, village codes and statuses — never household ids,
// amounts or names. Only `alerts ledger --out FILE` (an explicit official export) lists household ids.
#include "data/policy/alerts.hpp"
#include "data/bundle/bundle.hpp"
#include "data/policy/monitoring.hpp"
#include "kiosk/cli/commands.hpp"

#include <fmt/format.h>

#include <fstream>
#include <memory>

namespace onemap::app {

namespace {

std::string kind_name(std::string_view key) {
    const auto k = data::parse_alert_kind(key);
    return k ? std::string(data::alert_kind_name_zh(*k)) : std::string(key);
}

}  // namespace

void add_monitor_command(CLI::App& app, ExitCode& exit) {
    struct Args {
        std::string bundle;
        std::vector<std::string> periods;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = app.add_subcommand("monitor", "按月动态监测，生成预警 / monthly monitoring: raise alerts");
    cmd->add_option("--bundle", args->bundle, "bundle file (.gpkg), opened read-write")->required();
    cmd->add_option("--period", args->periods, "YYYY or YYYY-MM (repeatable); default: every month with records");
    cmd->callback([args, &exit] {
        try {
            data::Bundle b = data::Bundle::open(args->bundle, data::OpenMode::ReadWrite);
            data::MonitoringOptions opt;
            opt.periods = args->periods;
            const auto r = data::run_monitoring(b, opt);
            if (r.skipped_total > 0) {
                fmt::print(stderr, "onemap monitor: {} broken household rows left out:\n", r.skipped_total);
                for (const auto& why : r.skipped_rows) fmt::print(stderr, "  {}: {}\n", args->bundle, why);
            }
            if (r.months.empty()) {
                fmt::print("没有月度监测记录 / no monthly records to monitor\n");
                return;
            }
            fmt::print("monitored {} … {} ({} months): {} new alerts\n", r.months.front(), r.months.back(), r.months.size(), r.total_raised());
            fmt::print("  {:<24} {:>8} {:>10}\n", "kind 预警类型", "new", "existing");
            for (const auto kind : {data::AlertKind::IncomeInRange, data::AlertKind::IncomeDrop, data::AlertKind::ExpenseJump,
                                    data::AlertKind::TransportSubsidy, data::AlertKind::RelocationJob, data::AlertKind::NoDevelopmentMeasure,
                                    data::AlertKind::NotScreened, data::AlertKind::ProjectIdle, data::AlertKind::ProjectNoLinkage,
                                    data::AlertKind::IntegrityJump, data::AlertKind::IntegrityValue, data::AlertKind::IntegrityDuplicate}) {
                const std::string key(data::alert_kind_key(kind));
                const auto n = r.raised.count(key) ? r.raised.at(key) : 0, e = r.existing.count(key) ? r.existing.at(key) : 0;
                fmt::print("  {:<24} {:>8} {:>10}   {}\n", key, n, e, data::alert_kind_name_zh(kind));
            }
            fmt::print("  time: loading {:.2f} s, evaluating {:.2f} s, writing {:.2f} s\n", r.seconds_loading, r.seconds_evaluating, r.seconds_writing);
        } catch (const std::exception& e) {
            fmt::print(stderr, "onemap monitor: {}\n", e.what());
            exit.value = 2;
        }
    });
}

void add_alerts_command(CLI::App& app, ExitCode& exit) {
    struct Args {
        std::string bundle, county, village, status, kind, period, to, role, note, category, out;
        std::int64_t id = 0;
        std::size_t limit = 50;
        bool open_only = false;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = app.add_subcommand("alerts", "预警处置与台账 / alert counts, workflow, audit history and the county ledger");
    cmd->add_option("--bundle", args->bundle, "bundle file (.gpkg)")->required();
    cmd->require_subcommand(1);

    auto filter = [args]() {
        data::AlertFilter f;
        if (!args->county.empty()) f.county_code = args->county;
        if (!args->village.empty()) f.region_code = args->village;
        if (!args->status.empty()) {
            f.status = data::parse_alert_status(args->status);
            if (!f.status) throw std::invalid_argument(fmt::format("--status '{}': expected new, verified, measure_assigned or resolved", args->status));
        }
        if (!args->kind.empty()) f.kind = args->kind;
        if (!args->period.empty()) f.period_prefix = args->period;
        return f;
    };
    auto add_filters = [args](CLI::App* sub) {
        sub->add_option("--county", args->county, "county code");
        sub->add_option("--region", args->village, "village (or region) code");
        sub->add_option("--status", args->status, "new | verified | measure_assigned | resolved");
        sub->add_option("--kind", args->kind, "alert kind, e.g. income_drop");
        sub->add_option("--period", args->period, "YYYY or YYYY-MM");
    };
    auto guarded = [&exit](const char* what, auto&& body) {
        return [&exit, what, body] {
            try {
                body();
            } catch (const data::AlertError& e) {
                fmt::print(stderr, "onemap alerts {}: {}\n", what, e.what());
                exit.value = 3;
            } catch (const std::exception& e) {
                fmt::print(stderr, "onemap alerts {}: {}\n", what, e.what());
                exit.value = 2;
            }
        };
    };

    CLI::App* summary = cmd->add_subcommand("summary", "counts by kind and by risk category");
    add_filters(summary);
    summary->callback(guarded("summary", [args, filter] {
        data::Bundle b = data::Bundle::open(args->bundle, data::OpenMode::ReadOnly);
        const auto f = filter();
        fmt::print("{:<26} {:>8} {:>8}\n", "预警类型 kind", "total", "open");
        for (const auto& c : data::count_alerts_by_kind(b, f)) fmt::print("{:<26} {:>8} {:>8}   {}\n", c.key, c.total, c.open, kind_name(c.key));
        fmt::print("\n{:<26} {:>8} {:>8}\n", "风险类型 risk category", "total", "open");
        for (const auto& c : data::count_alerts_by_category(b, f)) fmt::print("{:<26} {:>8} {:>8}\n", c.key, c.total, c.open);
    }));

    CLI::App* list = cmd->add_subcommand("list", "alert ids with village, kind, category, severity, status (no household data)");
    add_filters(list);
    list->add_option("--limit", args->limit, "at most this many (0: all)")->capture_default_str();
    list->callback(guarded("list", [args, filter] {
        data::Bundle b = data::Bundle::open(args->bundle, data::OpenMode::ReadOnly);
        auto f = filter();
        f.limit = args->limit;
        fmt::print("{:>8}  {:<13} {:<8} {:<24} {:<14} {:>3}  {}\n", "alert", "region", "period", "kind", "risk", "sev", "status");
        for (const auto& a : data::read_alerts(b, f)) {
            fmt::print("{:>8}  {:<13} {:<8} {:<24} {:<14} {:>3}  {}\n", a.id, a.region_code, a.period, a.kind, a.risk_category, a.severity,
                       data::alert_status_key(a.status));
        }
    }));

    CLI::App* move = cmd->add_subcommand("move", "move one alert one step: new → verified → measure_assigned → resolved");
    move->add_option("id", args->id, "alert id")->required();
    move->add_option("--to", args->to, "verified | measure_assigned | resolved")->required();
    move->add_option("--role", args->role, "who does it, e.g. 村级网格员, 乡镇, 县乡村振兴局")->required();
    move->add_option("--note", args->note, "note; the measure for measure_assigned, the grounds for resolved");
    move->add_option("--category", args->category, "correct the risk category (verify step only)");
    move->callback(guarded("move", [args] {
        data::Bundle b = data::Bundle::open(args->bundle, data::OpenMode::ReadWrite);
        const auto to = data::parse_alert_status(args->to);
        if (!to) throw std::invalid_argument(fmt::format("--to '{}': expected verified, measure_assigned or resolved", args->to));
        data::move_alert(b, args->id, *to, args->role, args->note, args->category.empty() ? std::nullopt : std::optional<std::string>(args->category));
        fmt::print("alert {} → {}（{}）\n", args->id, data::alert_status_key(*to), data::alert_status_name_zh(*to));
    }));

    CLI::App* history = cmd->add_subcommand("history", "the audit rows of one alert");
    history->add_option("id", args->id, "alert id")->required();
    history->callback(guarded("history", [args] {
        data::Bundle b = data::Bundle::open(args->bundle, data::OpenMode::ReadOnly);
        const auto a = data::find_alert(b, args->id);
        if (!a) throw data::AlertError(fmt::format("预警 {}：不存在 (alert {} not found)", args->id, args->id));
        fmt::print("alert {}  {}  {}  {}  status {}\n", a->id, a->region_code, a->period, kind_name(a->kind), data::alert_status_key(a->status));
        for (const auto& r : data::read_alert_audit(b, args->id)) {
            fmt::print("  {}  {:<12} {} → {}  {}\n", r.at, r.role, r.from ? data::alert_status_key(*r.from) : "∅", data::alert_status_key(r.to), r.note);
        }
    }));

    CLI::App* ledger = cmd->add_subcommand("ledger", "the county ledger (一户一策) by risk category, as CSV");
    ledger->add_option("--county", args->county, "county code")->required();
    ledger->add_option("--out", args->out, "CSV file to write (official export; lists household ids, never ID numbers)")->required();
    ledger->add_flag("--open", args->open_only, "only alerts not yet resolved");
    ledger->callback(guarded("ledger", [args] {
        data::Bundle b = data::Bundle::open(args->bundle, data::OpenMode::ReadOnly);
        const auto rows = data::read_ledger(b, args->county, args->open_only);
        std::ofstream out(args->out, std::ios::trunc);
        if (!out) throw std::runtime_error(fmt::format("{}: cannot write", args->out));
        data::write_ledger_csv(rows, out);
        out.close();
        if (!out) throw std::runtime_error(fmt::format("{}: write failed", args->out));
        std::map<std::string, std::size_t> per;
        for (const auto& r : rows) ++per[r.risk_category];
        fmt::print("wrote {} ({} ledger rows for county {})\n", args->out, rows.size(), args->county);
        for (const auto c : data::k_risk_categories) {
            if (per.count(std::string(c))) fmt::print("  {:<12} {:>6}\n", c, per[std::string(c)]);
        }
    }));
}

}  // namespace onemap::app
