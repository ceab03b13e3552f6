#include "household_snapshot.hpp"

#include "data/bundle/sql_statement.hpp"

#include <algorithm>
#include <cstring>
#include <functional>
#include <exception>
#include <thread>

namespace onemap::data::snapshot {

int month_index(std::string_view s) {
    if (s.size() != 7 || s[4] != '-') return -1;
    int y = 0, m = 0;
    for (int i = 0; i < 4; ++i) {
        if (s[static_cast<std::size_t>(i)] < '0' || s[static_cast<std::size_t>(i)] > '9') return -1;
        y = y * 10 + (s[static_cast<std::size_t>(i)] - '0');
    }
    for (int i = 5; i < 7; ++i) {
        if (s[static_cast<std::size_t>(i)] < '0' || s[static_cast<std::size_t>(i)] > '9') return -1;
        m = m * 10 + (s[static_cast<std::size_t>(i)] - '0');
    }
    if (m < 1 || m > 12) return -1;
    return y * 12 + m - 1;
}

std::string month_key(int month) { return fmt::format("{:04d}-{:02d}", month / 12, month % 12 + 1); }

int Regions::find(std::string_view code) const {
    auto it = index.find(std::string(code));
    return it == index.end() ? -1 : it->second;
}

Regions load_regions(const Bundle& bundle) {
    Regions r;
    if (!sql::has_table(bundle, "regions")) return r;
    sql::Statement st(bundle, "SELECT code, coalesce(parent_code, ''), level, coalesce(name, '') FROM regions ORDER BY level, code");
    while (st.step()) {
        RegionNode n;
        n.code = st.col_text(0);
        n.parent_code = st.col_text(1);
        const auto level = st.col_int(2);
        if (level < 1 || level > 5) {
            throw BundleError(fmt::format("{}: regions row {}: level {} is not 1…5", bundle.path().string(), n.code, level));
        }
        n.level = static_cast<Level>(level);
        n.name = st.col_text(3);
        r.index.emplace(n.code, static_cast<int>(r.nodes.size()));
        r.nodes.push_back(std::move(n));
    }
    for (auto& n : r.nodes) {
        if (!n.parent_code.empty()) n.parent = r.find(n.parent_code);
    }
    r.bottom_up.resize(r.nodes.size());
    for (std::size_t i = 0; i < r.nodes.size(); ++i) r.bottom_up[i] = static_cast<int>(r.nodes.size() - 1 - i);  // ordered by level
    return r;
}

std::vector<int> income_years(const Bundle& bundle) {
    std::vector<int> out;
    sql::Statement st(bundle, "SELECT DISTINCT year FROM household_income ORDER BY year");
    while (st.step()) out.push_back(static_cast<int>(st.col_int(0)));
    return out;
}

const IncomeRow* Households::income_of(std::size_t h, int year) const {
    if (!has_year(year)) return nullptr;
    const IncomeRow& r = income[h * static_cast<std::size_t>(n_years) + static_cast<std::size_t>(year - first_year)];
    return r.present ? &r : nullptr;
}

const MonthRow* Households::month_of(std::size_t h, int month) const {
    if (month < first_month || month >= first_month + n_months) return nullptr;
    const MonthRow& r = months[h * static_cast<std::size_t>(n_months) + static_cast<std::size_t>(month - first_month)];
    return r.present ? &r : nullptr;
}

namespace {

// One row of household_months as read, before it is placed: month −1 when the text is not YYYY-MM
// (the text is then kept in MonthRows::bad, in row order).
struct MonthRaw {
    std::int64_t id;
    std::int32_t month;
    float out;
    double income, expense;
};
struct MonthRows {
    std::vector<MonthRaw> rows;
    std::vector<std::string> bad;
};

// The whole of household_months in primary-key order, on the given connection (the bundle's own or
// a private reader on another thread).
// Households with ids in [first_id, last_id].
MonthRows read_month_rows(sqlite3* db, const std::string& file, std::int64_t first_id, std::int64_t last_id) {
    MonthRows out;
    sqlite3_stmt* st = nullptr;
    const char* sql = "SELECT household_id, month, income, big_expense, out_of_province FROM household_months "
                      "WHERE household_id BETWEEN ?1 AND ?2 ORDER BY household_id, month";
    if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK) throw BundleError(fmt::format("{}: {}", file, sqlite3_errmsg(db)));
    sqlite3_bind_int64(st, 1, first_id);
    sqlite3_bind_int64(st, 2, last_id);
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const auto* text = sqlite3_column_text(st, 1);
        const std::string_view month = text ? std::string_view(reinterpret_cast<const char*>(text), static_cast<std::size_t>(sqlite3_column_bytes(st, 1)))
                                            : std::string_view();
        const int m = month_index(month);
        if (m < 0) out.bad.emplace_back(month);
        out.rows.push_back({sqlite3_column_int64(st, 0), m, static_cast<float>(sqlite3_column_int64(st, 4)), sqlite3_column_double(st, 2),
                            sqlite3_column_double(st, 3)});
    }
    const std::string why = rc == SQLITE_DONE ? std::string() : sqlite3_errmsg(db);
    sqlite3_finalize(st);
    if (!why.empty()) throw BundleError(fmt::format("{}: {}", file, why));
    return out;
}

// A second, read-only connection to the bundle's file, for reading on another thread; nullptr when
// that would not see what the bundle's own connection sees (an open transaction, a file-less
// database) or cannot be opened — the caller then reads on its own connection.
sqlite3* open_side_reader(const Bundle& bundle) {
    if (!sqlite3_get_autocommit(bundle.db())) return nullptr;
    const char* file = sqlite3_db_filename(bundle.db(), "main");
    if (!file || !*file) return nullptr;
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(file, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
        sqlite3_close_v2(db);
        return nullptr;
    }
    sqlite3_busy_timeout(db, 5000);
    return db;
}

}  // namespace

Households load_households(const Bundle& bundle, const Regions& regions, int first_month, int last_month) {
    Households hh;
    // household_months, the biggest table by far, is read on a second connection and thread while
    // this one reads the others (falls back to one connection, in turn, where that is not possible).
    MonthRows month_rows;
    std::exception_ptr month_error;
    std::thread month_reader;
    sqlite3* side = first_month != -1 ? open_side_reader(bundle) : nullptr;
    // This thread reads on a private connection too, when it can: without the bundle connection's
    // mutex, taken at every column of every row.
    sqlite3* own = side ? open_side_reader(bundle) : nullptr;
    sqlite3* const db = own ? own : bundle.db();
    struct Close {
        sqlite3*& side;
        sqlite3*& own;
        std::thread& t;
        ~Close() {
            if (t.joinable()) t.join();
            if (side) sqlite3_close_v2(side);
            if (own) sqlite3_close_v2(own);
        }
    } close_side{side, own, month_reader};
    // The other thread takes the monthly rows of the households with the lower ids (k_side_share of
    // the id range); this one reads the other tables and then the rest of the months.
    constexpr std::int64_t k_min_id = std::numeric_limits<std::int64_t>::min(), k_max_id = std::numeric_limits<std::int64_t>::max();
    std::int64_t split = k_max_id;  // the side reader's last id
    if (side) {
        sql::Statement range(db, bundle.path(), "SELECT min(household_id), max(household_id) FROM households");
        if (range.step() && !range.is_null(0)) {
            constexpr double k_side_share = 0.8;  // measured: the other tables take this thread about as long as a fifth of the months
            const std::int64_t lo = range.col_int(0), hi = range.col_int(1);
            split = lo + static_cast<std::int64_t>(static_cast<double>(hi - lo) * k_side_share);
        }
        month_reader = std::thread([&] {
            try {
                month_rows = read_month_rows(side, bundle.path().string(), k_min_id, split);
            } catch (...) {
                month_error = std::current_exception();
            }
        });
    }
    {
        sql::Statement st(db, bundle.path(), "SELECT household_id, village_code, members, labour, household_type, fully_supported, relocated, "
                                  "employed_members, head_name_masked FROM households ORDER BY household_id");
        while (st.step()) {
            HouseholdRow r;
            r.id = st.col_int(0);
            r.village_code = st.col_text(1);
            r.village = regions.find(r.village_code);
            if (r.village < 0 || regions.nodes[static_cast<std::size_t>(r.village)].level != Level::Village) {
                hh.skip(fmt::format("households (household_id {}, village_code '{}'): not a village in regions", r.id, r.village_code));
                r.village = -1;
            }
            r.members = static_cast<int>(st.col_int(2));
            r.labour = static_cast<int>(st.col_int(3));
            r.type = st.col_text(4);
            r.fully_supported = st.col_int(5) != 0;
            r.relocated = st.col_int(6) != 0;
            r.employed_members = static_cast<int>(st.col_int(7));
            r.head_masked = st.col_text(8);
            hh.rows.push_back(std::move(r));
        }
    }
    const std::size_t n = hh.rows.size();
    // Rows of the child tables come ordered by household_id: walk a cursor alongside.
    auto cursor_for = [&](std::size_t& cur, std::int64_t id) -> bool {
        while (cur < n && hh.rows[cur].id < id) ++cur;
        return cur < n && hh.rows[cur].id == id;
    };
    {
        // One pass: rows are kept until the span of years is known.
        struct Raw {
            std::uint32_t h;
            int year;
            IncomeRow row;
        };
        std::vector<Raw> raw;
        int lo = std::numeric_limits<int>::max(), hi = std::numeric_limits<int>::min();
        sql::Statement st(db, bundle.path(), "SELECT household_id, year, wage, business, transfer, property, employed FROM household_income "
                                  "ORDER BY household_id, year");
        std::size_t cur = 0;
        while (st.step()) {
            if (!cursor_for(cur, st.col_int(0))) {
                hh.skip(fmt::format("household_income (household_id {}, year {}): no such household", st.col_int(0), st.col_int(1)));
                continue;
            }
            const int y = static_cast<int>(st.col_int(1));
            if (y < 1900 || y > 2200) {
                hh.skip(fmt::format("household_income (household_id {}, year {}): year out of range", st.col_int(0), y));
                continue;
            }
            lo = std::min(lo, y);
            hi = std::max(hi, y);
            raw.push_back({static_cast<std::uint32_t>(cur), y,
                           {st.col_real(2), st.col_real(3), st.col_real(4), st.col_real(5), static_cast<int>(st.col_int(6)), true}});
        }
        if (!raw.empty()) {
            hh.first_year = lo;
            hh.n_years = hi - lo + 1;
        }
        hh.income.assign(n * static_cast<std::size_t>(hh.n_years), IncomeRow{});
        std::vector<char> seen(static_cast<std::size_t>(hh.n_years), 0);
        for (const Raw& r : raw) {
            hh.income[r.h * static_cast<std::size_t>(hh.n_years) + static_cast<std::size_t>(r.year - lo)] = r.row;
            seen[static_cast<std::size_t>(r.year - lo)] = 1;
        }
        for (int y = 0; y < hh.n_years; ++y) {
            if (seen[static_cast<std::size_t>(y)]) hh.years.push_back(lo + y);
        }
    }
    if (first_month != -1 && !side) month_rows = read_month_rows(bundle.db(), bundle.path().string(), k_min_id, k_max_id);
    if (first_month != -1 && side && split < k_max_id) {  // the rest, after the side reader's part (ids in order)
        MonthRows rest = read_month_rows(db, bundle.path().string(), split + 1, k_max_id);
        if (month_reader.joinable()) month_reader.join();
        if (month_error) std::rethrow_exception(month_error);
        month_rows.rows.insert(month_rows.rows.end(), rest.rows.begin(), rest.rows.end());
        month_rows.bad.insert(month_rows.bad.end(), std::make_move_iterator(rest.bad.begin()), std::make_move_iterator(rest.bad.end()));
    }
    if (month_reader.joinable()) month_reader.join();
    if (month_error) std::rethrow_exception(month_error);
    if (first_month != -1) {
        // Rows are kept compact until the month span is known.
        struct Raw {
            std::uint32_t h;
            std::int32_t month;
            float out;
            double income, expense;
        };
        std::vector<Raw> raw;
        raw.reserve(month_rows.rows.size());
        std::vector<char> seen_month;  // by month − k_month_base
        constexpr int k_month_base = 1900 * 12;
        std::size_t cur = 0, bad = 0;
        for (const MonthRaw& row : month_rows.rows) {
            const std::int64_t id = row.id;
            const std::string_view text = row.month < 0 ? std::string_view(month_rows.bad[bad++]) : std::string_view();
            if (cur < n && hh.rows[cur].id > id) cur = 0;  // not in key order (should not happen): restart the walk
            if (!cursor_for(cur, id)) {
                hh.skip(fmt::format("household_months (household_id {}, month '{}'): no such household", id, row.month < 0 ? text : month_key(row.month)));
                continue;
            }
            const int m = row.month;
            if (m < k_month_base) {
                hh.skip(fmt::format("household_months (household_id {}, month '{}'): month must be YYYY-MM", id, m < 0 ? text : month_key(m)));
                continue;
            }
            if (first_month >= 0 && (m < first_month || m > last_month)) continue;
            const auto slot = static_cast<std::size_t>(m - k_month_base);
            if (slot >= seen_month.size()) seen_month.resize(slot + 1, 0);
            seen_month[slot] = 1;
            raw.push_back({static_cast<std::uint32_t>(cur), m, row.out, row.income, row.expense});
        }
        month_rows = {};
        for (std::size_t k = 0; k < seen_month.size(); ++k) {
            if (seen_month[k]) hh.present_months.push_back(static_cast<int>(k) + k_month_base);
        }
        if (!hh.present_months.empty()) {
            int lo = first_month >= 0 ? first_month : hh.present_months.front();
            const int hi = first_month >= 0 ? last_month : hh.present_months.back();
            lo = std::max(lo, hi - k_max_months + 1);
            hh.first_month = lo;
            hh.n_months = hi - lo + 1;
            hh.months.assign(n * static_cast<std::size_t>(hh.n_months), MonthRow{});
            for (const Raw& r : raw) {
                if (r.month < lo || r.month > hi) continue;
                hh.months[r.h * static_cast<std::size_t>(hh.n_months) + static_cast<std::size_t>(r.month - lo)] = {r.income, r.expense, static_cast<int>(r.out), true};
            }
            std::erase_if(hh.present_months, [&](int m) { return m < lo || m > hi; });
        }
    }
    hh.first_dev_month.assign(n, k_no_month);
    hh.measure_months.assign(n, {});
    hh.health_measure.assign(n, 0);
    hh.education_measure.assign(n, 0);
    {
        sql::Statement st(db, bundle.path(), "SELECT household_id, family, start_month FROM measures ORDER BY household_id");
        std::size_t cur = 0;
        while (st.step()) {
            if (!cursor_for(cur, st.col_int(0))) {
                hh.skip(fmt::format("measures (household_id {}): no such household", st.col_int(0)));
                continue;
            }
            const int m = month_index(st.col_view(2));
            if (m < 0) {
                hh.skip(fmt::format("measures (household_id {}, start_month '{}'): start_month must be YYYY-MM", st.col_int(0), st.col_view(2)));
                continue;
            }
            hh.measure_months[cur].push_back(m);
            const std::string_view family = st.col_view(1);
            if (family == "健康") hh.health_measure[cur] = 1;
            if (family == "义务教育保障" || family == "其他教育") hh.education_measure[cur] = 1;
            if (is_development_measure(st.col_view(1))) hh.first_dev_month[cur] = std::min(hh.first_dev_month[cur], m);
        }
    }
    hh.benefits.assign(n, {});
    {
        sql::Statement st(db, bundle.path(), "SELECT household_id, year, program, status FROM benefits ORDER BY household_id");
        std::size_t cur = 0;
        while (st.step()) {
            if (!cursor_for(cur, st.col_int(0))) {
                hh.skip(fmt::format("benefits (household_id {}): no such household", st.col_int(0)));
                continue;
            }
            const std::string_view program = st.col_view(2);
            hh.benefits[cur].push_back({static_cast<int>(st.col_int(1)), program == "跨省务工交通补贴", st.col_view(3) == "paid",
                                        program.find("医疗") != std::string_view::npos,
                                        program == "雨露计划" || program.find("助学") != std::string_view::npos ||
                                            program.find("教育") != std::string_view::npos});
        }
    }
    // Duplicates: same village, masked head name, size and labour, and the same income in every year
    // (compared bit for bit, as their printed forms were). Households are bucketed by a hash of all
    // that, then compared exactly within a bucket.
    hh.duplicate.assign(n, 0);
    {
        auto bits = [](double d) {
            std::uint64_t u;
            std::memcpy(&u, &d, sizeof u);
            return u;
        };
        auto year_total = [&](std::size_t h, int y) {
            const IncomeRow& i = hh.income[h * static_cast<std::size_t>(hh.n_years) + static_cast<std::size_t>(y)];
            return i.present ? i.total() : -1.0;
        };
        auto same = [&](std::size_t a, std::size_t b) {
            const HouseholdRow& x = hh.rows[a];
            const HouseholdRow& z = hh.rows[b];
            if (x.village_code != z.village_code || x.head_masked != z.head_masked || x.members != z.members || x.labour != z.labour) return false;
            for (int y = 0; y < hh.n_years; ++y) {
                if (bits(year_total(a, y)) != bits(year_total(b, y))) return false;
            }
            return true;
        };
        std::unordered_map<std::uint64_t, std::vector<std::size_t>> buckets;
        buckets.reserve(n);
        for (std::size_t h = 0; h < n; ++h) {
            const HouseholdRow& r = hh.rows[h];
            std::uint64_t key = std::hash<std::string>{}(r.village_code) * 31 + std::hash<std::string>{}(r.head_masked);
            key = key * 1000003 + static_cast<std::uint64_t>(r.members) * 131 + static_cast<std::uint64_t>(r.labour);
            for (int y = 0; y < hh.n_years; ++y) key = (key ^ bits(year_total(h, y))) * 0x100000001b3ULL;
            auto& bucket = buckets[key];
            for (std::size_t other : bucket) {  // the first household with the same record, as before
                if (same(other, h)) {
                    hh.duplicate[h] = 1;
                    hh.duplicate[other] = 1;
                    break;
                }
            }
            bucket.push_back(h);
        }
    }
    return hh;
}

Check above_line(const Households& hh, std::size_t h, int year, double line) {
    const IncomeRow* r = hh.income_of(h, year);
    if (!r) return Check::NoData;
    const double pc = r->total() / std::max(1, hh.rows[h].members);
    return pc > line ? Check::Pass : Check::Fail;  // "above the range" is strictly higher than the line
}

Check relocation_job(const Households& hh, std::size_t h, int year) {
    const HouseholdRow& row = hh.rows[h];
    if (!row.relocated || row.labour <= 0) return Check::NotApplicable;
    const IncomeRow* r = hh.income_of(h, year);
    if (!r) return Check::NoData;
    return r->employed > 0 ? Check::Pass : Check::Fail;
}

Check development_measure(const Households& hh, std::size_t h, int year) {
    if (hh.rows[h].labour <= 0) return Check::NotApplicable;
    return hh.first_dev_month[h] <= year * 12 + 11 ? Check::Pass : Check::Fail;
}

MigrantMonths migrant_months(const Households& hh, std::size_t h, int year, int min_run, int min_total) {
    MigrantMonths mm;
    int run = 0;
    for (int m = year * 12; m < year * 12 + 12; ++m) {
        const MonthRow* r = hh.month_of(h, m);
        if (r) mm.any_month_data = true;
        if (r && r->out > 0) {
            ++run;
            ++mm.total;
        } else {
            run = 0;  // a month without a record breaks a run: only recorded months count
        }
        mm.longest_run = std::max(mm.longest_run, run);
        if (mm.first_qualifying_month < 0 && (run >= min_run || mm.total >= min_total)) mm.first_qualifying_month = m;
    }
    return mm;
}

Check transport_subsidy(const Households& hh, std::size_t h, int year, int min_run, int min_total, bool* pending) {
    const MigrantMonths mm = migrant_months(hh, h, year, min_run, min_total);
    if (!mm.any_month_data) return hh.rows[h].labour > 0 ? Check::NoData : Check::NotApplicable;
    if (mm.first_qualifying_month < 0) return Check::NotApplicable;
    bool paid = false, waiting = false;
    for (const BenefitRow& b : hh.benefits[h]) {
        if (b.year != year || !b.transport) continue;
        if (b.paid) paid = true; else waiting = true;
    }
    if (pending) *pending = !paid && waiting;
    return paid ? Check::Pass : Check::Fail;
}

IntegrityLimits integrity_limits(const Targets& targets, int year) {
    IntegrityLimits l;
    l.max_income_pc = targets.get("R16.max_income_pc", std::to_string(year)).value_or(l.max_income_pc);
    l.jump = targets.get("R16.jump_pct", std::to_string(year)).value_or(50) / 100.0;
    return l;
}

unsigned integrity_flags(const Households& hh, std::size_t h, int year, const IntegrityLimits& limits) {
    unsigned flags = 0;
    const HouseholdRow& row = hh.rows[h];
    const double max_pc = limits.max_income_pc;
    const double jump = limits.jump;
    if (row.members > 20 || row.labour > row.members || row.employed_members > row.members) flags |= k_implausible;
    const IncomeRow* r = hh.income_of(h, year);
    if (r) {
        if (r->wage < 0 || r->transfer < 0 || r->property < 0 || r->employed > row.members) flags |= k_implausible;
        if (r->total() / std::max(1, row.members) > max_pc) flags |= k_implausible;
        if (row.labour == 0 && r->wage > 0 && r->employed == 0) flags |= k_implausible;
    }
    for (int m = year * 12; m < year * 12 + 12; ++m) {
        const MonthRow* mr = hh.month_of(h, m);
        if (mr && (mr->expense < 0 || mr->out > row.members || mr->out < 0)) flags |= k_implausible;
    }
    const IncomeRow* prev = hh.income_of(h, year - 1);
    if (r && prev && prev->total() > 0 && r->total() > prev->total() * (1 + jump)) {
        // Explained by more members in work, a measure started this year or last, or a benefit paid this year.
        bool explained = r->employed > prev->employed;
        for (int m : hh.measure_months[h]) explained = explained || (m >= (year - 1) * 12 && m <= year * 12 + 11);
        for (const BenefitRow& b : hh.benefits[h]) explained = explained || (b.year == year && b.paid);
        if (!explained) flags |= k_unexplained_jump;
    }
    if (hh.duplicate[h]) flags |= k_duplicate;
    return flags;
}

}  // namespace onemap::data::snapshot
