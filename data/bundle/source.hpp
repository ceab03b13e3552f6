#pragma once
// Where the desk and wall read their data from: a bundle file, or the province's PostgreSQL database
// live. Everything the GUI reads (and its one write, the desk's alert step) goes through this
// interface; the kiosk stays on bundles (it also needs the household look-up, Source::bundle()).
//
//   open_bundle_source(path) ─▶ BundleSource: today's bundle readers (data/region_index, rules, alerts,
//                                features), unchanged
//   open_pg_source(url, code) ─▶ PgSource (data/pg/pg_source.cpp): libpq for tables (parameterised
//                                queries), GDAL's PostgreSQL driver ("PG:" datasource) for geometry
//
// Readers answer from the source as it is now; a PgSource sees other writers' changes at the next
// read (data/pg/pg_source.hpp: ChangeWatch says which tables changed). "Not found" is empty, never an error.
// Errors: BundleError (a bundle), pg::PgError (the server: lost connection …), AlertError (a refused
// alert step, including a read-only connection).
#include "data/policy/alerts.hpp"
#include "data/policy/catalogue.hpp"
#include "data/bundle/features.hpp"
#include "data/bundle/region_index.hpp"
#include "data/policy/rules.hpp"

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace onemap::data {

class Bundle;

class Source {
public:
    virtual ~Source() = default;

    virtual std::string name() const = 0;   // the bundle's path, or the redacted URL (never a password)
    virtual bool live() const = 0;          // PostgreSQL: other writers change it while it is shown

    // ── regions and meta ──────────────────────────────────────────────────────────────────────────
    virtual RegionIndex regions() const = 0;                                     // attributes only
    virtual std::optional<std::string> meta(std::string_view key) const = 0;    // synthetic, layers_real …
    bool synthetic() const { return meta("synthetic").value_or("0") == "1"; }

    // ── indicators (data::Indicators caches layers over these) ────────────────────────────────────
    virtual std::map<std::string, double, std::less<>> indicator_layer(std::string_view metric, std::string_view period) const = 0;
    virtual std::map<std::string, double> indicator_series(std::string_view code, std::string_view metric) const = 0;
    // One region's value (a key look-up, where a layer reads every region of the level).
    virtual std::optional<double> indicator_value(std::string_view code, std::string_view metric, std::string_view period) const = 0;
    virtual std::vector<std::string> periods() const = 0;   // years with indicators, sorted
    virtual std::vector<std::string> metrics() const = 0;   // keys present, catalogue order first

    // ── rules (results stored by `onemap check`) ──────────────────────────────────────────────────
    virtual std::vector<RuleResult> rule_results(const RuleFilter& filter) const = 0;
    virtual std::vector<RegionRuleStatus> rule_status(std::string_view rule, Level level, std::string_view period) const = 0;
    virtual std::vector<RuleSummary> rule_summary(Level level, std::string_view period) const = 0;
    // A monthly rule's latest stored month of `year` ('YYYY-MM'), empty when none.
    virtual std::string latest_rule_month(std::string_view rule, std::string_view year) const = 0;

    // ── alerts ───────────────────────────────────────────────────────────────────────────────────
    // Bundle: its order; PostgreSQL: by id. After withhold_household_detail() a household's alert
    // comes without the household whatever the filter asks (AlertFilter::household_detail).
    std::vector<Alert> alerts(const AlertFilter& filter) const {
        AlertFilter f = filter;
        f.household_detail = f.household_detail && m_household_detail;
        return read_alerts(f);
    }
    virtual std::vector<AlertCount> alert_counts_by_kind(const AlertFilter& filter) const = 0;
    // A screen read from across a room (the wall): from now on no alert read through this source
    // carries a household's subject, id or detail, or its village. The desk's workflow reads them whole.
    void withhold_household_detail() { m_household_detail = false; }
    bool household_detail() const { return m_household_detail; }

    // ── points and geometry ──────────────────────────────────────────────────────────────────────
    virtual std::vector<Project> projects() const = 0;
    virtual std::vector<Site> sites() const = 0;
    // Regions of one level with geometry, by code (the scene's input), and a content hash of every
    // region the scene draws (codes, parents, names, populations, geometry): equal hash, same scene.
    virtual std::vector<Region> regions_with_geometry(Level level) const = 0;
    virtual std::string regions_hash() const = 0;

    // ── the desk's one write ─────────────────────────────────────────────────────────────────────
    // Moves the alert one step on (with its audit row, one transaction) and returns the new status.
    // Throws AlertError: unknown alert, illegal step, missing note, or a read-only source.
    virtual AlertStatus step_alert(std::int64_t alert_id, std::string_view role, std::string_view note) = 0;
    virtual bool read_only() const = 0;   // step_alert would refuse (a reader role, a read-only file)

    // The bundle behind a BundleSource (the kiosk's household look-up); nullptr for PostgreSQL.
    virtual const Bundle* bundle() const { return nullptr; }

protected:
    virtual std::vector<Alert> read_alerts(const AlertFilter& filter) const = 0;   // alerts(), the filter as it is

private:
    bool m_household_detail = true;
};

// The bundle at `path`, opened read-only (the alert step opens it read-write for that one move).
std::unique_ptr<Source> open_bundle_source(const std::filesystem::path& path);

// Reads an already open bundle, which must outlive the source (data::Indicators(const Bundle&)).
std::unique_ptr<Source> borrow_bundle_source(const Bundle& bundle);

}  // namespace onemap::data
