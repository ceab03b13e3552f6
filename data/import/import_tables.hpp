#pragma once
// `onemap import indicators|households|projects|sites`: tables (CSV in UTF-8 with or without BOM or
// GBK; XLSX) and, for projects and sites, any point layer. Every row is checked (region code in the
// bundle, period valid, value plausible for its metric); rejected rows are reported by row number and
// reason — for households never with the ID number, name or amounts.
//
//   indicators  long (code, period, metric, value) or wide (one column per metric: key or Chinese
//               name, optionally with a year: "2024年脱贫人口人均纯收入", or any column mapped to a
//               metric with --column income=tp_income_pc); rows upserted
//   households  ID number → HMAC with the key file (never stored), name masked, phone → last 4 →
//               peppered PBKDF2 second factor; upserted by ID hash
//   projects    lon/lat columns or a point layer; replace the bundle's projects
//   sites       likewise for relocation sites
#include "data/import/import_report.hpp"
#include "gis/vector_source.hpp"

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace onemap::data {

enum class TableKind { Indicators, Households, Projects, Sites };
std::string_view table_kind_key(TableKind kind);   // "indicators" …
std::string_view table_kind_help(TableKind kind);  // one line for --help

struct TableImportOptions {
    TableKind kind = TableKind::Indicators;
    gis::SourceOptions source;     // source.tables is decided by the importer from the file type
    std::string period;            // indicators: period of a wide table without years in its headers
    // indicators: columns read as a metric whatever their header says, {column, metric}; the metric is
    // a key or Chinese name, optionally with a year ("2024年脱贫人口人均纯收入"). Makes the table wide;
    // columns named by a metric are still recognised beside them.
    std::vector<std::pair<std::string, std::string>> columns;
    std::string key_file;          // households
    int second_factor_iterations = 20000;
    int threads = 2;
    ProgressFn progress;
};

// The bundle must exist and hold the regions the rows refer to. committed=false when no row was
// accepted (bundle untouched). Throws ImportError / gis::SourceError / BundleError.
ImportSummary import_table(const std::filesystem::path& bundle, const TableImportOptions& options);
// The same checks and messages, writing to any target (a bundle, PostgreSQL: data/import/import_target.hpp).
class ImportTarget;
ImportSummary import_table(ImportTarget& target, const TableImportOptions& options);

}  // namespace onemap::data
