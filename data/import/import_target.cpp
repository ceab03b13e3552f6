// bundle_target: the importers' writes on a working copy of the bundle, swapped in atomically.
#include "import_target.hpp"

#include "data/bundle/bundle.hpp"
#include "data/household/household_glyphs.hpp"
#include "data/household/household_lookup.hpp"
#include "data/bundle/bundle_swap.hpp"
#include "data/bundle/writer_lock.hpp"
#include "data/import/import_common.hpp"
#include "data/bundle/sql_statement.hpp"

#include <sqlite3.h>

#include <fmt/format.h>

namespace onemap::data {

namespace {

class BundleTarget final : public ImportTarget {
public:
    // The writer lock is held from the first read to the last write: what the checks read is what
    // the import replaces. A write a killed program left half done is rolled back first.
    explicit BundleTarget(std::filesystem::path path) : m_path(std::move(path)), m_lock(WriterLock::acquire(m_path)) {
        if (!std::filesystem::exists(m_path)) return;
        recover_interrupted_write(m_path);
        // never build on a damaged file: what it holds would be copied into the new one
        const std::string check = Bundle::open(m_path, OpenMode::ReadOnly).quick_check();
        if (check != "ok") {
            throw BundleError(fmt::format("{}: the bundle is damaged (quick_check: {}); nothing was imported — restore it from a snapshot "
                                          "(`onemap sync`) or a backup, or run `onemap repair --bundle {}`",
                                          m_path.string(), check, m_path.string()));
        }
    }

    std::string name() const override { return m_path.string(); }
    bool exists() const override { return std::filesystem::exists(m_path); }

    std::vector<Region> regions() const override {
        { Bundle check = Bundle::open(m_path, OpenMode::ReadOnly); }  // a clear message for a file that is not a bundle
        return read_regions(m_path);
    }

    std::unordered_map<std::string, int> region_levels() const override {
        std::unordered_map<std::string, int> out;
        Bundle b = Bundle::open(m_path, OpenMode::ReadOnly);
        sql::Statement st(b, "SELECT code, level FROM regions");
        while (st.step()) out.emplace(st.col_text(0), static_cast<int>(st.col_int(1)));
        return out;
    }

    std::optional<std::string> meta(std::string_view key) const override {
        Bundle b = Bundle::open(m_path, OpenMode::ReadOnly);
        return b.meta(key);
    }

    void write_regions(Level level, const std::vector<Region>& regions, const std::string& source_file) override {
        replace_atomically(m_path, [&](const std::filesystem::path& work) {
            replace_regions(work, level, regions, WorkCopy::Private);  // replace_atomically fsyncs the private copy before the rename
            kill_point("after-regions");
            Bundle b = Bundle::open(work, OpenMode::WorkCopy);
            Transaction tx(b);
            detail::mark_layer_real(b, fmt::format("regions.{}", level_key(level)));
            detail::clear_render_cache(b);
            b.set_meta(fmt::format("source_regions_{}", level_key(level)), source_file);
            // The extent of every level, from the GeoPackage's spatial index (no geometry read back).
            sqlite3_stmt* st = nullptr;
            if (sqlite3_prepare_v2(b.db(), "SELECT min(minx), min(miny), max(maxx), max(maxy) FROM rtree_regions_geom", -1, &st, nullptr) == SQLITE_OK &&
                sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
                b.set_meta("bbox", fmt::format("{:.6f},{:.6f},{:.6f},{:.6f}", sqlite3_column_double(st, 0), sqlite3_column_double(st, 1),
                                               sqlite3_column_double(st, 2), sqlite3_column_double(st, 3)));
            }
            sqlite3_finalize(st);
            tx.commit();
        });
    }

    void write_indicators(const std::vector<IndicatorRow>& rows) override {
        replace_atomically(m_path, [&](const std::filesystem::path& work) {
            Bundle b = Bundle::open(work, OpenMode::WorkCopy);
            Transaction tx(b);
            sql::Statement st(b, "INSERT INTO indicators(region_code, period, metric, value) VALUES (?,?,?,?) "
                                 "ON CONFLICT(metric, period, region_code) DO UPDATE SET value = excluded.value");
            std::size_t n = 0;
            for (const auto& r : rows) {
                st.text(1, r.code).text(2, r.period).text(3, r.metric).real(4, r.value).run();
                if (++n == rows.size() / 2) kill_point("indicators-midway");
            }
            detail::mark_layer_real(b, "indicators");
            tx.commit();
        });
    }

    void write_households(const std::vector<HouseholdRow>& rows, const std::string& fingerprint, int iterations) override {
        replace_atomically(m_path, [&](const std::filesystem::path& work) {
            Bundle b = Bundle::open(work, OpenMode::WorkCopy);
            Transaction tx(b);
            sql::Statement st(b, "INSERT INTO households(id_hash, village_code, head_name_masked, members, labour, household_type, fully_supported, "
                                 "relocated, second_factor_kind, second_factor_salt, second_factor_hash, contact_name, contact_phone) "
                                 "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) "
                                 "ON CONFLICT(id_hash) DO UPDATE SET village_code = excluded.village_code, head_name_masked = excluded.head_name_masked, "
                                 "members = excluded.members, labour = excluded.labour, household_type = excluded.household_type, "
                                 "fully_supported = excluded.fully_supported, relocated = excluded.relocated, "
                                 "second_factor_kind = excluded.second_factor_kind, second_factor_salt = excluded.second_factor_salt, "
                                 "second_factor_hash = excluded.second_factor_hash, contact_name = excluded.contact_name, "
                                 "contact_phone = excluded.contact_phone");
            for (const auto& h : rows) {
                st.text(1, h.id_hash).text(2, h.village).text(3, h.name_masked).integer(4, h.members).integer(5, h.labour).text(6, h.type);
                st.integer(7, h.supported).integer(8, h.relocated).text(9, h.factor_kind).text(10, h.salt).text(11, h.factor_hash);
                if (h.contact.empty()) st.null(12); else st.text(12, h.contact);
                if (h.contact_phone.empty()) st.null(13); else st.text(13, h.contact_phone);
                st.run();
            }
            b.set_meta("household_key_fingerprint", fingerprint);
            b.set_meta("second_factor_iterations", std::to_string(iterations));
            detail::mark_layer_real(b, "households");
            store_household_card_glyphs(b);  // the upsert's triggers dropped the old set
            store_household_lookup_summary(b);
            tx.commit();
        });
    }

    void write_projects(const std::vector<Project>& projects) override { points(projects, "projects"); }
    void write_sites(const std::vector<Site>& sites) override { points(sites, "sites"); }

private:
    template <typename T>
    void points(const std::vector<T>& items, const char* layer) {
        replace_atomically(m_path, [&](const std::filesystem::path& work) {
            if constexpr (std::is_same_v<T, Project>) replace_projects(work, items);
            else replace_sites(work, items);
            Bundle b = Bundle::open(work, OpenMode::WorkCopy);
            Transaction tx(b);
            detail::mark_layer_real(b, layer);
            tx.commit();
        });
    }
    std::filesystem::path m_path;
    WriterLock m_lock;
};

}  // namespace

std::unique_ptr<ImportTarget> bundle_target(const std::filesystem::path& bundle) { return std::make_unique<BundleTarget>(bundle); }

}  // namespace onemap::data
