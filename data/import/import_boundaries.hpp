#pragma once
// `onemap import boundaries`: one level of official boundaries into a bundle.
//
//   gis::read_source (encoding, CRS, GCJ-02) ─▶ columns recognised (code / name / parent)
//     ─▶ per feature: code normalised and checked against its level and parent, geometry present,
//        repaired when invalid (MakeValid), inside China
//     ─▶ level-wide: duplicate codes, overlaps and gaps between neighbours, regions outside their
//        parent, lower levels already in the bundle checked against the new level
//     ─▶ the level replaced in a working copy, meta and render cache updated, swapped in atomically
#include "data/policy/catalogue.hpp"
#include "data/import/import_report.hpp"
#include "gis/vector_source.hpp"

#include <filesystem>
#include <string>

namespace onemap::data {

struct BoundaryImportOptions {
    gis::SourceOptions source;
    Level level = Level::County;
    std::string code_field;     // empty: recognised (XZQDM, adcode, 代码, code …)
    std::string name_field;     // empty: recognised (XZQMC, name, 名称 …)
    std::string parent_field;   // empty: recognised, else derived from the code
    double min_area_m2 = 10000; // overlaps, gaps and parts outside the parent smaller than this are ignored
    int threads = 2;
    ProgressFn progress;        // reading and checking
    // Replacing a level with fewer regions than the bundle holds is refused (a damaged or partial
    // file would silently drop the rest) unless this is set.
    bool allow_partial = false;
    // Features that mostly (over a tenth) lie away from Henan's outline mean a wrong CRS: refused,
    // naming the CRS that would put them in Henan, unless this is set (then a warning).
    bool force_placement = false;
};

// Imports and returns what happened. committed=false when nothing was accepted (the bundle is then
// untouched). Throws gis::SourceError / ImportError for whole-file refusals, BundleError for the bundle.
ImportSummary import_boundaries(const std::filesystem::path& bundle, const BoundaryImportOptions& options);
// The same checks and messages, writing to any target (a bundle, PostgreSQL: data/import/import_target.hpp).
class ImportTarget;
ImportSummary import_boundaries(ImportTarget& target, const BoundaryImportOptions& options);

}  // namespace onemap::data
