#include "data/household/household_lookup.hpp"

#include "data/bundle/derived_meta.hpp"
#include "data/household/household_key.hpp"
#include "data/import/import_report.hpp"
#include "data/bundle/sql_statement.hpp"
#include "data/policy/targets.hpp"

#include <openssl/crypto.h>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include <sys/stat.h>

namespace onemap::data {

namespace {

bool has_program(const HouseholdCard& c, std::string_view program) {
    return std::any_of(c.benefits.begin(), c.benefits.end(), [&](const HouseholdBenefit& b) { return b.program == program; });
}
bool has_family(const HouseholdCard& c, std::string_view family) {
    return std::any_of(c.measures.begin(), c.measures.end(), [&](const HouseholdMeasure& m) { return m.family == family; });
}

bool equal_hex(const std::string& a, const std::string& b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

void cleanse(std::string& s) {
    const std::size_t size = s.size();
    s.resize(s.capacity());
    if (!s.empty()) OPENSSL_cleanse(s.data(), s.size());
    s.resize(size);
}

void wipe_string(std::string& s) {
    cleanse(s);
    s.clear();
    s.shrink_to_fit();
}

void HouseholdCard::wipe() {
    for (std::string* s : {&head_masked, &village_code, &household_type, &contact_name, &contact_phone, &hash_prefix}) wipe_string(*s);
    for (auto& b : benefits) {
        wipe_string(b.program);
        wipe_string(b.paid_date);
        OPENSSL_cleanse(&b.amount, sizeof b.amount);
    }
    for (auto& m : measures) {
        wipe_string(m.family);
        wipe_string(m.description);
        wipe_string(m.start_month);
    }
    for (auto& i : items) wipe_string(i.key);
    benefits.clear();
    benefits.shrink_to_fit();
    measures.clear();
    measures.shrink_to_fit();
    items.clear();
    items.shrink_to_fit();
    members = labour = employed_members = year = 0;
    relocated = fully_supported = false;
}

std::string normalise_id_number(std::string_view typed) {
    std::string out;
    for (char c : typed) {
        if (c == ' ') continue;
        out.push_back(c == 'x' ? 'X' : c);
    }
    return out;
}

std::optional<Key> load_kiosk_key(const std::filesystem::path& path, std::string& why) {
    struct stat st {};
    if (path.empty()) {
        why = "no household key file configured (kiosk.household_key)";
        return std::nullopt;
    }
    if (::stat(path.c_str(), &st) != 0) {
        why = fmt::format("{}: no household key file here (copy the office's key, made by `onemap keygen`)", path.string());
        return std::nullopt;
    }
    if ((st.st_mode & 077) != 0) {
        why = fmt::format("{}: the household key is readable by other users (mode {:03o}); run `chmod 600 {}`", path.string(),
                          st.st_mode & 0777, path.string());
        return std::nullopt;
    }
    try {
        return load_key_file(path);
    } catch (const ImportError& e) {
        why = e.what();
        return std::nullopt;
    }
}

HouseholdLookup::HouseholdLookup(const Bundle& bundle, std::optional<Key> key, LookupGuard& guard)
    : m_bundle(bundle), m_guard(guard) {
    if (!key) {
        m_reason = "no household key on this kiosk";
        return;
    }
    m_key = std::move(*key);
    const auto fingerprint = bundle.meta("household_key_fingerprint");
    if (!fingerprint || fingerprint->empty()) {
        m_reason = fmt::format("{}: the bundle has no households to look up", bundle.path().string());
        return;
    }
    if (*fingerprint != key_fingerprint(m_key)) {
        m_reason = fmt::format("{}: the key file is not this bundle's (fingerprint {}, bundle {})", bundle.path().string(),
                               key_fingerprint(m_key), *fingerprint);
        return;
    }
    const auto iterations = bundle.meta("second_factor_iterations");
    try {
        m_iterations = iterations ? std::stoi(*iterations) : 0;
    } catch (const std::exception&) {
        m_iterations = 0;
    }
    if (m_iterations < 1) {
        m_reason = fmt::format("{}: meta.second_factor_iterations is missing or not a number", bundle.path().string());
        return;
    }
    const LookupSummary summary = household_lookup_summary(bundle);
    m_factor_kind = summary.factor_kind;
    m_year = summary.year;
    m_available = true;
}

namespace {
// The stored summary is dropped by whichever program changes what it is derived from.
constexpr DerivedMetaTrigger k_summary_triggers[] = {
    {"households_lookup_insert", "AFTER INSERT ON households"},
    {"households_lookup_update", "AFTER UPDATE OF second_factor_kind ON households"},
    {"households_lookup_delete", "AFTER DELETE ON households"},
    {"benefits_lookup_insert", "AFTER INSERT ON benefits"},
    {"benefits_lookup_update", "AFTER UPDATE OF year ON benefits"},
    {"benefits_lookup_delete", "AFTER DELETE ON benefits"},
    {"income_lookup_insert", "AFTER INSERT ON household_income"},
    {"income_lookup_update", "AFTER UPDATE OF year ON household_income"},
    {"income_lookup_delete", "AFTER DELETE ON household_income"},
};
constexpr DerivedMeta k_summary_meta{"household_lookup_summary", k_summary_triggers};
}  // namespace

LookupSummary scan_household_lookup_summary(const Bundle& bundle) {
    LookupSummary out;
    {
        sql::Statement st(bundle, "SELECT DISTINCT second_factor_kind FROM households LIMIT 2");
        std::vector<std::string> kinds;
        while (st.step()) kinds.push_back(st.col_text(0));
        out.factor_kind = kinds.size() == 1 ? kinds.front() : kinds.empty() ? "phone4" : "mixed";
    }
    sql::Statement st(bundle, "SELECT max(year) FROM benefits");
    out.year = st.step() && !st.is_null(0) ? static_cast<int>(st.col_int(0)) : 0;
    if (out.year == 0) {
        sql::Statement inc(bundle, "SELECT max(year) FROM household_income");
        out.year = inc.step() && !inc.is_null(0) ? static_cast<int>(inc.col_int(0)) : 0;
    }
    return out;
}

// Stored as "KIND YEAR"; anything else is not trusted.
LookupSummary household_lookup_summary(const Bundle& bundle) {
    if (const auto stored = read_derived_meta(bundle, k_summary_meta)) {
        const auto space = stored->find(' ');
        if (space != std::string::npos && space > 0) {
            try {
                return LookupSummary{stored->substr(0, space), std::stoi(stored->substr(space + 1))};
            } catch (const std::exception&) {
            }
        }
    }
    return scan_household_lookup_summary(bundle);
}

void store_household_lookup_summary(Bundle& bundle) {
    guard_derived_meta(bundle, k_summary_meta);
    const LookupSummary s = scan_household_lookup_summary(bundle);
    bundle.set_meta(k_summary_meta.key, fmt::format("{} {}", s.factor_kind, s.year));
}

bool household_lookup_summary_stored(const Bundle& bundle) { return read_derived_meta(bundle, k_summary_meta).has_value(); }

HouseholdLookup::~HouseholdLookup() { OPENSSL_cleanse(m_key.data(), m_key.size()); }

LookupResult HouseholdLookup::look_up(std::string_view id_number, std::string_view factor) {
    LookupResult r;
    if (!m_available) {
        m_guard.record(LookupOutcome::Unavailable, {});
        r.outcome = LookupOutcome::Unavailable;
        return r;
    }
    if (const double wait = m_guard.paused_for(); wait > 0) {
        m_guard.record(LookupOutcome::Paused, {});
        r.outcome = LookupOutcome::Paused;
        r.wait_s = wait;
        return r;
    }
    std::string id = normalise_id_number(id_number);
    if (!valid_id_number(id)) {
        wipe_string(id);
        m_guard.record(LookupOutcome::BadId, {});
        r.outcome = LookupOutcome::BadId;
        r.wait_s = m_guard.paused_for();
        return r;
    }
    const std::string id_hash = hmac_sha256_hex(m_key, id);
    wipe_string(id);
    r.hash_prefix = id_hash.substr(0, 8);
    std::int64_t household = -1;
    std::string salt, stored;
    {
        sql::Statement st(m_bundle, "SELECT household_id, second_factor_salt, second_factor_hash FROM households WHERE id_hash = ?");
        st.text(1, id_hash);
        if (st.step()) {
            household = st.col_int(0);
            salt = st.col_text(1);
            stored = st.col_text(2);
        }
    }
    // From here on an ID number that is nobody's goes the same way as a registered one with a wrong
    // factor — the same lock, the same work (a PBKDF2 against a salt of its own), the same answer to
    // the screen — so the kiosk does not tell whether a number belongs to a registered household.
    if (const double wait = m_guard.locked_for(id_hash); wait > 0) {
        m_guard.record(LookupOutcome::Locked, id_hash);
        r.outcome = LookupOutcome::Locked;
        r.wait_s = wait;
        return r;
    }
    if (household < 0) salt = hmac_sha256_hex(m_key, "onemap-no-household|" + id_hash).substr(0, 32);
    const bool well_formed = factor.size() >= 4 && factor.size() <= 8 &&
                             std::all_of(factor.begin(), factor.end(), [](char c) { return c >= '0' && c <= '9'; });
    std::string peppered = well_formed ? hmac_sha256_hex(m_key, factor) : std::string();
    const std::string derived = pbkdf2_sha256_hex(peppered.empty() ? std::string("-") : peppered, salt, m_iterations);
    const bool right = household >= 0 && well_formed && equal_hex(derived, stored);
    wipe_string(peppered);
    if (household < 0) {
        m_guard.record(LookupOutcome::NotFound, id_hash);  // the audit keeps the truth
        if (const double wait = m_guard.locked_for(id_hash); wait > 0) {
            r.outcome = LookupOutcome::Locked;
            r.wait_s = wait;
        } else {
            r.outcome = LookupOutcome::NotFound;
            r.tries_left = m_guard.failures_left(id_hash);
            r.wait_s = m_guard.paused_for();
        }
        return r;
    }
    if (!right) {
        m_guard.record(LookupOutcome::WrongFactor, id_hash);
        if (const double wait = m_guard.locked_for(id_hash); wait > 0) {
            r.outcome = LookupOutcome::Locked;  // that was the last try
            r.wait_s = wait;
        } else {
            r.outcome = LookupOutcome::WrongFactor;
            r.tries_left = m_guard.failures_left(id_hash);
        }
        return r;
    }
    m_guard.record(LookupOutcome::Found, id_hash);
    r.outcome = LookupOutcome::Found;
    r.card = read_card(household, id_hash);
    return r;
}

HouseholdCard HouseholdLookup::read_card(std::int64_t household, std::string_view id_hash) const {
    HouseholdCard c;
    c.hash_prefix = std::string(id_hash.substr(0, 8));
    c.year = m_year;
    {
        sql::Statement st(m_bundle,
                          "SELECT head_name_masked, village_code, household_type, members, labour, employed_members, relocated, "
                          "fully_supported, coalesce(contact_name, ''), coalesce(contact_phone, '') FROM households WHERE household_id = ?");
        st.integer(1, household);
        if (!st.step()) return c;
        c.head_masked = st.col_text(0);
        c.village_code = st.col_text(1);
        c.household_type = st.col_text(2);
        c.members = static_cast<int>(st.col_int(3));
        c.labour = static_cast<int>(st.col_int(4));
        c.employed_members = static_cast<int>(st.col_int(5));
        c.relocated = st.col_int(6) != 0;
        c.fully_supported = st.col_int(7) != 0;
        c.contact_name = st.col_text(8);
        c.contact_phone = st.col_text(9);
    }
    {
        sql::Statement st(m_bundle,
                          "SELECT program, amount, coalesce(paid_date, ''), status FROM benefits WHERE household_id = ? AND year = ? "
                          "ORDER BY status = 'pending', paid_date, benefit_id");
        st.integer(1, household).integer(2, m_year);
        while (st.step()) c.benefits.push_back({st.col_text(0), st.col_real(1), st.col_text(2), st.col_text(3) == "paid"});
    }
    {
        sql::Statement st(m_bundle, "SELECT family, description, start_month FROM measures WHERE household_id = ? ORDER BY start_month, measure_id");
        st.integer(1, household);
        while (st.step()) c.measures.push_back({st.col_text(0), st.col_text(1), st.col_text(2)});
    }
    // Months worked out of the province this year (R12: 3 in a row, or 6 in all).
    int run = 0, longest = 0, total = 0;
    {
        sql::Statement st(m_bundle,
                          "SELECT month, out_of_province FROM household_months WHERE household_id = ? AND month >= ? AND month <= ? ORDER BY month");
        st.integer(1, household).text(2, fmt::format("{}-01", m_year)).text(3, fmt::format("{}-12", m_year));
        int last_month = -100;
        while (st.step()) {
            const std::string month = st.col_text(0);
            const int m = month.size() == 7 ? std::atoi(month.c_str() + 5) : -1;
            if (st.col_int(1) > 0) {
                run = (m == last_month + 1) ? run + 1 : 1;
                ++total;
                longest = std::max(longest, run);
            } else {
                run = 0;
            }
            last_month = m;
        }
    }
    std::optional<double> income;
    {
        sql::Statement st(m_bundle, "SELECT wage + business + transfer + property FROM household_income WHERE household_id = ? AND year = ?");
        st.integer(1, household).integer(2, m_year);
        if (st.step()) income = st.col_real(0);
    }
    const Targets targets = load_targets(m_bundle);
    const std::string year = std::to_string(m_year);
    const int min_run = static_cast<int>(targets.get("R12.min_consecutive_months", year).value_or(3));
    const int min_total = static_cast<int>(targets.get("R12.min_total_months", year).value_or(6));

    auto add = [&](std::string key, bool in_place) { c.items.push_back({std::move(key), in_place}); };
    if (has_program(c, "跨省务工交通补贴")) add("transport_subsidy", true);
    else if (longest >= min_run || total >= min_total) add("transport_subsidy", false);
    if (has_family(c, "公益岗位") || has_program(c, "公益岗位补贴")) add("public_welfare_job", true);
    else if (c.labour > 0 && c.employed_members == 0) add("public_welfare_job", false);
    if (has_program(c, "雨露计划")) add("yulu", true);
    else if (has_family(c, "义务教育保障")) add("yulu", false);
    if (has_family(c, "产业") || has_program(c, "产业奖补")) add("industry", true);
    if (has_family(c, "金融") || has_program(c, "小额信贷贴息")) add("micro_credit", true);
    else if (c.labour > 0) add("micro_credit", false);
    if (c.relocated) add("relocation", true);
    if (has_family(c, "健康") || has_program(c, "医疗救助")) add("medical", true);
    if (c.fully_supported || has_program(c, "农村低保")) add("social_security", true);
    if (income && c.members > 0) {
        if (const auto line = targets.get("monitoring_line", year); line && *income / c.members <= *line) add("monitoring", false);
    }
    return c;
}

}  // namespace onemap::data
