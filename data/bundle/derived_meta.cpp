#include "data/bundle/derived_meta.hpp"

#include "data/bundle/sql_statement.hpp"

#include <fmt/format.h>

namespace onemap::data {

std::optional<std::string> read_derived_meta(const Bundle& bundle, const DerivedMeta& meta) {
    std::string names;
    for (const auto& t : meta.triggers) names += fmt::format("{}'{}'", names.empty() ? "" : ",", t.name);
    sql::Statement st(bundle, fmt::format("SELECT (SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN ({})), "
                                          "(SELECT value FROM meta WHERE key = '{}')", names, meta.key));
    if (!st.step() || st.col_int(0) != static_cast<std::int64_t>(meta.triggers.size()) || st.is_null(1)) return std::nullopt;
    return st.col_text(1);
}

void guard_derived_meta(Bundle& bundle, const DerivedMeta& meta) {
    if (bundle.read_only())
        throw BundleError(fmt::format("{}: opened read-only, cannot store {}", bundle.path().string(), meta.key));
    for (const auto& t : meta.triggers)
        bundle.exec(fmt::format("CREATE TRIGGER IF NOT EXISTS {} {} BEGIN DELETE FROM meta WHERE key = '{}'; END;", t.name, t.when, meta.key));
}

}  // namespace onemap::data
