#include "indicator_values.hpp"

#include <sqlite3.h>

namespace onemap::data {

std::unordered_map<std::string, double> read_indicator_values(const Bundle& bundle, std::string_view metric,
                                                              std::string_view period) {
    std::unordered_map<std::string, double> out;
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(bundle.db(), "SELECT region_code, value FROM indicators WHERE metric = ? AND period = ?", -1, &st,
                           nullptr) != SQLITE_OK)
        throw BundleError(bundle.path().string() + ": cannot read indicators: " + sqlite3_errmsg(bundle.db()));
    sqlite3_bind_text(st, 1, metric.data(), static_cast<int>(metric.size()), SQLITE_STATIC);
    sqlite3_bind_text(st, 2, period.data(), static_cast<int>(period.size()), SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW)
        out.emplace(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), sqlite3_column_double(st, 1));
    sqlite3_finalize(st);
    return out;
}

}  // namespace onemap::data
