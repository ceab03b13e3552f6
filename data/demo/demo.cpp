#include "demo.hpp"

#include "data/bundle/bundle.hpp"
#include "data/household/household_glyphs.hpp"
#include "data/household/household_lookup.hpp"
#include "data/policy/catalogue.hpp"
#include "data/demo/demo_model.hpp"
#include "data/household/privacy.hpp"
#include "data/bundle/sql_statement.hpp"

#include <sqlite3.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <stdexcept>
#include <thread>

#include <sys/stat.h>
#include <unistd.h>

namespace onemap::data {

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

using sql::Statement;

Key demo_key(std::uint64_t seed) {
    // Deterministic on purpose: the demo's ID numbers are synthetic, and the same seed must give
    // the same bundle. Real deployments create a random key with `onemap keygen`.
    const std::string digest = sha256_hex(fmt::format("onemap demo household key, seed {}", seed));
    Key key;
    for (std::size_t i = 0; i < digest.size(); i += 2) key.push_back(static_cast<unsigned char>(std::stoi(digest.substr(i, 2), nullptr, 16)));
    return key;
}

void write_key_file(const std::filesystem::path& path, const Key& key) {
    const auto tmp = path.string() + ".partial";
    {
        std::ofstream out(tmp, std::ios::trunc);
        if (!out) throw BundleError(fmt::format("{}: cannot write the household key file", path.string()));
        static constexpr char k_hex[] = "0123456789abcdef";
        for (unsigned char c : key) out << k_hex[c >> 4] << k_hex[c & 15];
        out << '\n';
    }
    ::chmod(tmp.c_str(), 0600);
    std::filesystem::rename(tmp, path);
}

void write_tables(Bundle& b, const demo::Geography& geo, const demo::People& pp, const DemoOptions& opt, const Key& key, DemoReport& report) {
    auto t0 = Clock::now();
    // Slow hashes of the second factor, spread over the threads (each household independent).
    std::vector<std::string> factor_hash(pp.households.size()), id_hash(pp.households.size());
    {
        std::vector<std::thread> pool;
        const int threads = std::max(1, opt.threads);
        for (int t = 0; t < threads; ++t) {
            pool.emplace_back([&, t] {
                for (std::size_t i = static_cast<std::size_t>(t); i < pp.households.size(); i += static_cast<std::size_t>(threads)) {
                    // Peppered with the household key: without the key file the hash cannot be brute-forced offline.
                    id_hash[i] = hmac_sha256_hex(key, pp.households[i].id_number);
                    factor_hash[i] = pbkdf2_sha256_hex(hmac_sha256_hex(key, pp.households[i].phone4), pp.households[i].salt,
                                                       opt.second_factor_iterations);
                }
            });
        }
        for (auto& th : pool) th.join();
    }
    report.seconds_hashing = seconds_since(t0);
    t0 = Clock::now();

    // The file is a private temporary until the final rename, so no journal is needed.
    b.exec("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -262144");
    Transaction tx(b);
    // Secondary indexes are rebuilt once after the bulk insert (cheaper than maintaining them per row).
    b.exec("DROP INDEX indicators_by_region; DROP INDEX benefits_by_household; DROP INDEX measures_by_household");
    {
        Statement st(b, "INSERT INTO metrics(key, name_zh, name_en, unit, direction, diverging) VALUES (?,?,?,?,?,?)");
        for (const Metric& m : metric_catalogue()) {
            st.text(1, m.key).text(2, m.name_zh).text(3, m.name_en).text(4, m.unit).text(5, direction_key(m.direction)).integer(6, m.diverging).run();
        }
    }
    {
        // In primary-key order, so the B-tree is appended to rather than split at random.
        std::vector<const demo::IndicatorRow*> rows;
        rows.reserve(pp.indicators.size());
        for (const auto& row : pp.indicators) rows.push_back(&row);
        std::sort(rows.begin(), rows.end(), [](const demo::IndicatorRow* a, const demo::IndicatorRow* b) {
            if (int c = a->metric.compare(b->metric)) return c < 0;
            if (int c = a->period.compare(b->period)) return c < 0;
            return a->region_code < b->region_code;
        });
        Statement st(b, "INSERT INTO indicators(region_code, period, metric, value) VALUES (?,?,?,?)");
        for (const auto* row : rows) st.text_static(1, row->region_code).text_static(2, row->period).text_static(3, row->metric).real(4, row->value).run();
    }
    {
        Statement hh(b, "INSERT INTO households(household_id, id_hash, village_code, head_name_masked, members, labour, household_type, "
                        "fully_supported, relocated, site_id, employed_members, second_factor_kind, second_factor_salt, second_factor_hash, "
                        "contact_name, contact_phone) VALUES (?,?,?,?,?,?,?,?,?,?,?,'phone4',?,?,?,?)");
        Statement inc(b, "INSERT INTO household_income(household_id, year, wage, business, transfer, property, employed) VALUES (?,?,?,?,?,?,?)");
        Statement mon(b, "INSERT INTO household_months(household_id, month, income, big_expense, out_of_province) VALUES (?,?,?,?,?)");
        static constexpr std::string_view k_months[12] = {"2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06",
                                                          "2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12"};
        for (std::size_t i = 0; i < pp.households.size(); ++i) {
            const demo::Household& h = pp.households[i];
            const auto id = static_cast<std::int64_t>(i + 1);
            hh.integer(1, id).text_static(2, id_hash[i]).text_static(3, geo.villages[static_cast<std::size_t>(h.village)].code);
            hh.text_static(4, h.head_masked).integer(5, h.members).integer(6, h.labour).text_static(7, h.type).integer(8, h.fully_supported).integer(9, h.relocated);
            if (h.site >= 0) hh.integer(10, h.site + 1); else hh.null(10);  // sites.fid starts at 1
            hh.integer(11, h.employed).text_static(12, h.salt).text_static(13, factor_hash[i]);
            hh.text_static(14, pp.village_contact_name[static_cast<std::size_t>(h.village)]).text_static(15, pp.village_contact_phone[static_cast<std::size_t>(h.village)]).run();
            for (int y = 0; y < demo::k_years; ++y) {
                inc.integer(1, id).integer(2, demo::k_first_year + y).real(3, h.income[y][0]).real(4, h.income[y][1]).real(5, h.income[y][2]).real(6, h.income[y][3]);
                inc.integer(7, h.employed_by_year[y]).run();
            }
            for (int m = 0; m < 12; ++m) {
                mon.integer(1, id).text_static(2, k_months[m]).real(3, h.month_income[m]).real(4, h.month_expense[m]).integer(5, h.month_out[m]).run();
            }
        }
        Statement ben(b, "INSERT INTO benefits(household_id, year, program, amount, paid_date, status) VALUES (?,?,?,?,?,?)");
        for (const auto& x : pp.benefits) {
            ben.integer(1, x.household + 1).integer(2, x.year).text_static(3, x.program).real(4, x.amount);
            if (x.paid_date.empty()) ben.null(5).text_static(6, "pending"); else ben.text_static(5, x.paid_date).text_static(6, "paid");
            ben.run();
        }
        Statement mea(b, "INSERT INTO measures(household_id, family, description, start_month) VALUES (?,?,?,?)");
        for (const auto& x : pp.measures) {
            mea.integer(1, x.household + 1).text_static(2, x.family).text_static(3, x.description).text_static(4, x.start_month).run();
        }
    }
    gis::Box box;
    for (const auto& r : geo.regions) {
        if (r.level == Level::Province) box = gis::bounds(r.geometry);
    }
    b.set_meta("synthetic", "1");
    b.set_meta("created_by", fmt::format("onemap demo --scale {} --seed {} --households {}",
                                         opt.scale == DemoScale::Test ? "test" : "province", opt.seed, pp.households.size()));
    b.set_meta("bbox", fmt::format("{:.6f},{:.6f},{:.6f},{:.6f}", box.min_x, box.min_y, box.max_x, box.max_y));
    b.set_meta("crs", "EPSG:4490");
    b.set_meta("layers_real", "");
    b.set_meta("layers_synthetic", "regions,indicators,households,projects,sites");
    b.set_meta("household_key_fingerprint", sha256_hex(std::string(key.begin(), key.end())).substr(0, 16));
    b.set_meta("second_factor_iterations", std::to_string(opt.second_factor_iterations));
    b.exec("CREATE INDEX indicators_by_region ON indicators (region_code, period);"
           "CREATE INDEX benefits_by_household ON benefits (household_id, year);"
           "CREATE INDEX measures_by_household ON measures (household_id);");
    store_household_card_glyphs(b);  // so a kiosk need not scan the household tables for its font atlas
    store_household_lookup_summary(b);  // nor for the second factor and the year
    tx.commit();
    b.exec("PRAGMA analysis_limit = 1000; ANALYZE");
    report.seconds_tables = seconds_since(t0);
}

}  // namespace

DemoReport generate_demo(const DemoOptions& opt) {
    if (opt.out.empty()) throw std::invalid_argument("demo: --out is required");
    if (opt.second_factor_iterations < 1) throw std::invalid_argument("demo: second-factor iterations must be ≥ 1");
    std::error_code ec;
    if (std::filesystem::exists(opt.out, ec) && !opt.overwrite) {
        throw BundleError(fmt::format("{}: already exists; choose another --out or pass --force to replace it", opt.out.string()));
    }
    const std::int64_t households = opt.households >= 0 ? opt.households : (opt.scale == DemoScale::Province ? 300000 : 3000);
    DemoReport report;
    auto t0 = Clock::now();
    demo::Geography geo = demo::build_geography(opt.scale, opt.seed, opt.threads);
    report.seconds_geography = seconds_since(t0);
    t0 = Clock::now();
    demo::People people = demo::generate_people(geo, households, opt.seed);
    report.seconds_people = seconds_since(t0);

    t0 = Clock::now();
    const auto dir = opt.out.has_parent_path() ? opt.out.parent_path() : std::filesystem::path(".");
    const auto tmp = dir / fmt::format(".{}.partial-{}.gpkg", opt.out.stem().string(), ::getpid());
    std::filesystem::remove(tmp, ec);
    const Key key = demo_key(opt.seed);
    try {
        const auto tf = Clock::now();
        write_features(tmp, geo.regions, people.projects, people.sites);
        report.seconds_features = seconds_since(tf);
        {
            Bundle b = Bundle::initialise(tmp);
            write_tables(b, geo, people, opt, key, report);
        }
        write_key_file(opt.key_out.empty() ? std::filesystem::path(opt.out.string() + ".key") : opt.key_out, key);
        std::filesystem::rename(tmp, opt.out);
    } catch (...) {
        std::filesystem::remove(tmp, ec);
        throw;
    }
    report.seconds_write = seconds_since(t0);
    for (const auto& r : geo.regions) ++report.regions_per_level[static_cast<int>(r.level)];
    report.households = static_cast<std::int64_t>(people.households.size());
    report.projects = static_cast<std::int64_t>(people.projects.size());
    report.sites = static_cast<std::int64_t>(people.sites.size());
    report.indicator_rows = static_cast<std::int64_t>(people.indicators.size());
    const std::size_t n = people.households.size();
    for (int k = 0; k < opt.samples && n > 0; ++k) {
        const auto& h = people.households[(static_cast<std::size_t>(k) * 7919) % n];
        report.samples.push_back({h.id_number, h.phone4, geo.villages[static_cast<std::size_t>(h.village)].code, h.head_masked});
    }
    return report;
}

}  // namespace onemap::data
