// The bundle as a data::Source: today's readers over one read-only Bundle, unchanged.
#include "data/bundle/source.hpp"

#include "data/bundle/bundle.hpp"
#include "data/bundle/render_cache.hpp"
#include "data/bundle/sql_statement.hpp"

#include <fmt/format.h>

#include <unistd.h>

namespace onemap::data {

namespace {

class BundleSource final : public Source {
public:
    struct Own {};
    struct Borrow {};
    BundleSource(Own, Bundle bundle) : m_owned(std::move(bundle)), m_bundle(&*m_owned) {}
    BundleSource(Borrow, const Bundle& bundle) : m_bundle(&bundle) {}

    std::string name() const override { return m_bundle->path().string(); }
    bool live() const override { return false; }

    RegionIndex regions() const override { return RegionIndex::load(*m_bundle); }
    std::optional<std::string> meta(std::string_view key) const override { return m_bundle->meta(key); }

    std::map<std::string, double, std::less<>> indicator_layer(std::string_view metric, std::string_view period) const override {
        return bundle_indicators::layer(*m_bundle, metric, period);
    }
    std::map<std::string, double> indicator_series(std::string_view code, std::string_view metric) const override {
        return bundle_indicators::series(*m_bundle, code, metric);
    }
    std::optional<double> indicator_value(std::string_view code, std::string_view metric, std::string_view period) const override {
        return bundle_indicators::value(*m_bundle, code, metric, period);
    }
    std::vector<std::string> periods() const override { return bundle_indicators::periods(*m_bundle); }
    std::vector<std::string> metrics() const override { return bundle_indicators::metrics(*m_bundle); }

    std::vector<RuleResult> rule_results(const RuleFilter& filter) const override { return read_rule_results(*m_bundle, filter); }
    std::vector<RegionRuleStatus> rule_status(std::string_view rule, Level level, std::string_view period) const override {
        return rule_status_for_level(*m_bundle, rule, level, period);
    }
    std::vector<RuleSummary> rule_summary(Level level, std::string_view period) const override {
        return summarise_rule_results(*m_bundle, level, period);
    }
    std::string latest_rule_month(std::string_view rule, std::string_view year) const override {
        if (!sql::has_table(*m_bundle, "rule_results")) return {};
        sql::Statement st(*m_bundle, "SELECT max(period) FROM rule_results WHERE rule = ? AND period LIKE ?");
        st.text(1, rule).text(2, std::string(year) + "-%");
        return st.step() && !st.is_null(0) ? st.col_text(0) : std::string();
    }

    std::vector<Alert> read_alerts(const AlertFilter& filter) const override { return data::read_alerts(*m_bundle, filter); }
    std::vector<AlertCount> alert_counts_by_kind(const AlertFilter& filter) const override { return count_alerts_by_kind(*m_bundle, filter); }

    std::vector<Project> projects() const override { return read_projects(m_bundle->path()); }
    std::vector<Site> sites() const override { return read_sites(m_bundle->path()); }
    std::vector<Region> regions_with_geometry(Level level) const override { return read_regions(m_bundle->path(), level); }
    std::string regions_hash() const override { return regions_fingerprint(*m_bundle); }

    AlertStatus step_alert(std::int64_t id, std::string_view role, std::string_view note) override {
        Bundle rw = Bundle::open(m_bundle->path(), OpenMode::ReadWrite);
        const auto alert = find_alert(rw, id);
        if (!alert) throw AlertError(fmt::format("alert {} no longer exists", id));
        if (alert->status == AlertStatus::Resolved) throw AlertError(fmt::format("预警 {}：已销号 (alert {} is resolved)", id, id));
        const auto next = static_cast<AlertStatus>(static_cast<int>(alert->status) + 1);
        move_alert(rw, id, next, role, note);
        return next;
    }
    bool read_only() const override { return ::access(m_bundle->path().c_str(), W_OK) != 0; }

    const Bundle* bundle() const override { return m_bundle; }

private:
    std::optional<Bundle> m_owned;
    const Bundle* m_bundle;
};

}  // namespace

std::unique_ptr<Source> open_bundle_source(const std::filesystem::path& path) {
    return std::make_unique<BundleSource>(BundleSource::Own{}, Bundle::open(path, OpenMode::ReadOnly));
}

std::unique_ptr<Source> borrow_bundle_source(const Bundle& bundle) { return std::make_unique<BundleSource>(BundleSource::Borrow{}, bundle); }

}  // namespace onemap::data
