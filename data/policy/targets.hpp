#pragma once
// The plan's targets as configuration. Every number a rule or the monitoring compares against is a
// target row (key, period, value) in the bundle's `targets` table; the plan's defaults below fill in
// whatever the table does not say, because provinces and years change them.
//
//   lookup(key, "2025-03") → row (key, "2025-03") → row (key, "2025") → row (key, "*") → none
//
// A target that resolves to none makes the rule "no data" (or "not applicable" where the plan sets
// no target for that year, e.g. R8 before 2023) — never "pass".
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace onemap::data {

class Bundle;

struct TargetDefault {
    std::string_view key;
    std::string_view period;  // "YYYY" or "*"
    double value;
    std::string_view note;    // where it comes from; [U] marks an unverified placeholder
};

// The plan's defaults (../shared/domain/POLICY.md, FACTS.md).
std::span<const TargetDefault> default_targets();

class Targets {
public:
    // Exact period, then its year (for 'YYYY-MM'), then '*'.
    std::optional<double> get(std::string_view key, std::string_view period) const;
    void set(std::string_view key, std::string_view period, double value);

    static Targets defaults();

private:
    friend Targets load_targets(const Bundle& bundle);
    std::map<std::pair<std::string, std::string>, double, std::less<>> m_values;
};

// The defaults, except that every key the bundle's `targets` table mentions takes only the table's
// rows (a bundle without the table gets the defaults).
Targets load_targets(const Bundle& bundle);
// Insert the defaults the table lacks (INSERT OR IGNORE), so an office sees and edits what is used.
// Runs inside the caller's transaction when there is one.
void write_default_targets(Bundle& bundle);

}  // namespace onemap::data
