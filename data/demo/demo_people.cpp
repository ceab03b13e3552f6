// The demo province's people: households with incomes, months, benefits and measures; projects and
// relocation sites; then every indicator aggregated bottom-up from the households, so a county's
// figures are exactly the sum (or the weighted mean) of its villages'.
#include "data/policy/catalogue.hpp"
#include "data/demo/demo_model.hpp"
#include "data/demo/demo_names.hpp"
#include "data/household/privacy.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_set>

namespace onemap::data::demo {

namespace {

constexpr double k_rural_income_2022 = 18697;  // Henan rural per-capita disposable income 2022 [V]
constexpr double k_tp_income_2022 = 13800;     // 脱贫人口人均纯收入, plausible 2022 level
constexpr double k_rural_growth[k_years] = {0.066, 0.072, 0.064, 0.060};

double lognormal(gis::Random& rng, double sigma) { return std::exp(rng.normal(0, sigma)); }

std::string city_area_code(const std::string& city) {
    static const std::map<std::string, std::string> k_codes{
        {"4101", "0371"}, {"4102", "0371"}, {"4103", "0379"}, {"4104", "0375"}, {"4105", "0372"}, {"4106", "0392"},
        {"4107", "0373"}, {"4108", "0391"}, {"4109", "0393"}, {"4110", "0374"}, {"4111", "0395"}, {"4112", "0398"},
        {"4113", "0377"}, {"4114", "0370"}, {"4115", "0376"}, {"4116", "0394"}, {"4117", "0396"}, {"419001", "0391"}};
    auto it = k_codes.find(city);
    return it == k_codes.end() ? "0371" : it->second;
}

std::string two_digits(int n) {
    std::string s = std::to_string(n);
    return s.size() < 2 ? "0" + s : s;
}

std::string date(int year, int month, int day) { return std::to_string(year) + "-" + two_digits(month) + "-" + two_digits(day); }

// Household counts per village by largest remainder, so they add up to `total` exactly.
std::vector<int> allocate(const std::vector<double>& weights, std::int64_t total) {
    double sum = 0;
    for (double w : weights) sum += w;
    std::vector<int> out(weights.size(), 0);
    std::vector<std::pair<double, std::size_t>> rest;
    std::int64_t given = 0;
    for (std::size_t i = 0; i < weights.size(); ++i) {
        const double exact = sum > 0 ? weights[i] / sum * static_cast<double>(total) : 0;
        out[i] = static_cast<int>(std::floor(exact));
        given += out[i];
        rest.emplace_back(-(exact - out[i]), i);
    }
    std::sort(rest.begin(), rest.end());
    for (std::size_t k = 0; given < total && k < rest.size(); ++k, ++given) ++out[rest[k].second];
    return out;
}

struct Acc {  // one region, one year
    double members = 0, households = 0, income[4] = {}, monitored = 0, below_line = 0, employed = 0;
    double reloc_members = 0, reloc_income = 0, rural_pop = 0, rural_income = 0, certificates = 0;
    double funds = 0, industry_funds = 0;
    void add(const Acc& o) {
        members += o.members;
        households += o.households;
        for (int k = 0; k < 4; ++k) income[k] += o.income[k];
        monitored += o.monitored;
        below_line += o.below_line;
        employed += o.employed;
        reloc_members += o.reloc_members;
        reloc_income += o.reloc_income;
        rural_pop += o.rural_pop;
        rural_income += o.rural_income;
        certificates += o.certificates;
        funds += o.funds;
        industry_funds += o.industry_funds;
    }
    double total_income() const { return income[0] + income[1] + income[2] + income[3]; }
};

using Series = std::array<Acc, k_years>;

void emit(std::vector<IndicatorRow>& out, const std::string& code, const Series& s, bool funds) {
    for (int y = 0; y < k_years; ++y) {
        const Acc& a = s[static_cast<std::size_t>(y)];
        const std::string period = std::to_string(k_first_year + y);
        auto put = [&](std::string_view metric, double v) { out.push_back({code, period, std::string(metric), v}); };
        put("tp_population", a.members);
        put("tp_households", a.households);
        put("monitored_population", a.monitored);
        put("below_line_population", a.below_line);
        put("migrant_workers", a.employed);
        put("relocated_population", a.reloc_members);
        put("new_certificates", a.certificates);
        const bool has_tp = a.members > 0, has_rural = a.rural_pop > 0;
        if (has_tp) {
            put("tp_income_pc", a.total_income() / a.members);
            put("wage_income_pc", a.income[0] / a.members);
            put("business_income_pc", a.income[1] / a.members);
            put("transfer_income_pc", a.income[2] / a.members);
            put("property_income_pc", a.income[3] / a.members);
        }
        if (has_rural) put("rural_income_pc", a.rural_income / a.rural_pop);
        if (has_tp && has_rural) put("income_ratio", (a.total_income() / a.members) / (a.rural_income / a.rural_pop));
        if (a.reloc_members > 0) put("relocated_income_pc", a.reloc_income / a.reloc_members);
        if (y > 0) {
            const Acc& p = s[static_cast<std::size_t>(y - 1)];
            double tp_growth = 0, rural_growth = 0;
            const bool tp_ok = has_tp && p.members > 0 && p.total_income() > 0;
            const bool rural_ok = has_rural && p.rural_pop > 0 && p.rural_income > 0;
            if (tp_ok) {
                tp_growth = ((a.total_income() / a.members) / (p.total_income() / p.members) - 1) * 100;
                put("tp_income_growth", tp_growth);
            }
            if (rural_ok) {
                rural_growth = ((a.rural_income / a.rural_pop) / (p.rural_income / p.rural_pop) - 1) * 100;
                put("rural_income_growth", rural_growth);
            }
            if (tp_ok && rural_ok) put("growth_gap", tp_growth - rural_growth);
        }
        if (funds && a.funds > 0) {
            put("linkage_funds", a.funds);
            put("industry_fund_share", a.industry_funds / a.funds * 100);
        }
    }
}

}  // namespace

People generate_people(Geography& geo, std::int64_t total_households, std::uint64_t seed) {
    People pp;
    gis::Random rng(gis::hash_combine(seed, 0x7065));
    gis::Random expense_rng(gis::hash_combine(seed, 0x6578));  // which big-expense candidates happen
    const std::size_t nv = geo.villages.size(), na = geo.areas.size();

    // Area (county) character: income level and the growth of both incomes per year. A county whose
    // gap is negative in a year fails R1 that year.
    std::vector<double> area_rural(na), area_tp(na);
    std::vector<std::array<double, k_years>> rural_growth(na), tp_growth(na), reloc_growth(na);
    std::vector<std::array<double, k_years>> funds(na), share(na);
    for (std::size_t a = 0; a < na; ++a) {
        const Area& area = geo.areas[a];
        area_rural[a] = (area.poverty ? 0.82 : area.urban ? 1.22 : 1.0) * lognormal(rng, 0.06);
        area_tp[a] = (area.poverty ? 0.92 : area.urban ? 1.15 : 1.0) * lognormal(rng, 0.07);
        for (int y = 0; y < k_years; ++y) {
            rural_growth[a][static_cast<std::size_t>(y)] = k_rural_growth[y] + rng.normal(0, 0.008);
            tp_growth[a][static_cast<std::size_t>(y)] = rural_growth[a][static_cast<std::size_t>(y)] + rng.normal(0.028, 0.022);
            reloc_growth[a][static_cast<std::size_t>(y)] = rng.normal(0.0, 0.02);
            funds[a][static_cast<std::size_t>(y)] = std::round(rng.uniform(6000, 22000) * (area.poverty ? 2.0 : 1.0));
            const double target = y == 0 ? 55 : y == 1 ? 60 : y == 2 ? 65 : 70;
            share[a][static_cast<std::size_t>(y)] = std::clamp(target + rng.normal(4, 4), 35.0, 92.0);
        }
    }

    // Villages: rural population and income, contact cadre.
    std::vector<double> village_pop(nv);
    std::vector<std::array<double, k_years>> village_rural(nv);
    std::vector<double> weight(nv);
    pp.village_contact_name.resize(nv);
    pp.village_contact_phone.resize(nv);
    for (std::size_t v = 0; v < nv; ++v) {
        const Village& vi = geo.villages[v];
        const Area& area = geo.areas[static_cast<std::size_t>(vi.area)];
        village_pop[v] = std::max(80.0, std::round(vi.area_km2 * (area.urban ? 420.0 : 260.0) * lognormal(rng, 0.3)));
        double income = k_rural_income_2022 * area_rural[static_cast<std::size_t>(vi.area)] * lognormal(rng, 0.07);
        for (int y = 0; y < k_years; ++y) {
            if (y > 0) income *= 1 + rural_growth[static_cast<std::size_t>(vi.area)][static_cast<std::size_t>(y)] + rng.normal(0, 0.004);
            village_rural[v][static_cast<std::size_t>(y)] = std::round(income);
        }
        weight[v] = village_pop[v] * (area.poverty ? 3.5 : 1.0) * (area.urban ? 0.3 : 1.0) * lognormal(rng, 0.5);
        pp.village_contact_name[v] = person_name(rng);
        const std::string city = area.city_code;
        pp.village_contact_phone[v] = city_area_code(city) + "-" + std::to_string(rng.range(6000000, 6999999));
    }

    // Relocation sites, in the poverty counties mostly (2016–2020 relocation went to 50 counties).
    const bool province = na > 20 && geo.cities.size() > 1 && nv > 5000;
    std::vector<std::vector<int>> area_sites(na);
    {
        std::vector<double> site_w(na, 0);
        for (std::size_t a = 0; a < na; ++a) {
            if (geo.areas[a].townships.empty()) continue;
            site_w[a] = geo.areas[a].poverty ? 4.0 : geo.areas[a].urban ? 0.0 : 0.6;
        }
        const auto counts = allocate(site_w, province ? 230 : 4);
        for (std::size_t a = 0; a < na; ++a) {
            for (int k = 0; k < counts[a]; ++k) {
                const Area& area = geo.areas[a];
                const int t = area.townships[static_cast<std::size_t>(rng.range(0, static_cast<std::int64_t>(area.townships.size()) - 1))];
                const Township& tw = geo.townships[static_cast<std::size_t>(t)];
                const int v = tw.villages[static_cast<std::size_t>(rng.range(0, static_cast<std::int64_t>(tw.villages.size()) - 1))];
                Site s;
                std::string name = site_name(rng, tw.stem);
                s.name = name;
                s.county_code = area.code;
                s.location = geo.random_point(v, rng);
                area_sites[a].push_back(static_cast<int>(pp.sites.size()));
                pp.sites.push_back(std::move(s));
            }
        }
    }

    // Households.
    const auto per_village = allocate(weight, total_households);
    std::unordered_set<std::string> ids;
    pp.households.reserve(static_cast<std::size_t>(total_households));
    std::vector<std::size_t> site_cursor(na, 0);
    for (std::size_t v = 0; v < nv; ++v) {
        const Village& vi = geo.villages[v];
        const std::size_t a = static_cast<std::size_t>(vi.area);
        const Area& area = geo.areas[a];
        for (int k = 0; k < per_village[v]; ++k) {
            Household h;
            h.village = static_cast<int>(v);
            const double m = rng.uniform();
            h.members = m < 0.12 ? 1 : m < 0.34 ? 2 : m < 0.59 ? 3 : m < 0.81 ? 4 : m < 0.93 ? 5 : 6;
            h.labour = rng.chance(0.09) ? 0 : static_cast<int>(rng.range(1, std::max(1, h.members - (h.members > 2 ? 1 : 0))));
            h.fully_supported = h.labour == 0;
            const double t = rng.uniform();
            h.type = std::string(t < 0.85 ? k_household_types[0] : t < 0.91 ? k_household_types[1] : t < 0.97 ? k_household_types[2] : k_household_types[3]);
            if (h.labour > 0) h.employed = rng.chance(0.93) ? static_cast<int>(rng.range(1, h.labour)) : 0;
            // Relocated households live in the sites of their county.
            if (!area_sites[a].empty() && rng.chance(0.09)) {
                h.relocated = true;
                h.site = area_sites[a][site_cursor[a]++ % area_sites[a].size()];
                if (h.labour > 0) h.employed = rng.chance(0.94) ? std::max(1, h.employed) : 0;  // some fail R5
            }
            // Identity: a valid 18-character ID number (kept in memory only), masked head name.
            for (;;) {
                const int year = static_cast<int>(rng.range(1940, 1995)), month = static_cast<int>(rng.range(1, 12)), day = static_cast<int>(rng.range(1, 28));
                std::string id = area.code.substr(0, 6) + std::to_string(year) + two_digits(month) + two_digits(day);
                id += std::to_string(rng.range(100, 999));
                id += id_check_character(id);
                if (ids.insert(id).second) {
                    h.id_number = std::move(id);
                    break;
                }
            }
            h.head_masked = mask_name(person_name(rng));
            h.phone4 = std::to_string(rng.range(1000, 9999));
            h.salt = fmt::format("{:016x}", rng.next());

            // Incomes 2022–2025 in four parts.
            double pc = k_tp_income_2022 * area_tp[a] * lognormal(rng, 0.30);
            const double line0 = default_monitoring_line(k_first_year);
            if (h.fully_supported) pc = line0 * rng.uniform(1.05, 1.6);
            double shares[4];
            if (h.labour > 0) {
                shares[0] = rng.uniform(0.55, 0.72);
                shares[1] = rng.uniform(0.12, 0.25);
                shares[3] = rng.uniform(0.01, 0.04);
            } else {
                shares[0] = 0;
                shares[1] = rng.uniform(0.0, 0.1);
                shares[3] = rng.uniform(0.0, 0.03);
            }
            shares[2] = 1 - shares[0] - shares[1] - shares[3];
            const int shock_year = rng.chance(0.04) ? static_cast<int>(rng.range(1, k_years - 1)) : -1;
            for (int y = 0; y < k_years; ++y) {
                if (y > 0) {
                    double g = tp_growth[a][static_cast<std::size_t>(y)] + rng.normal(0, 0.05);
                    if (h.relocated) g += reloc_growth[a][static_cast<std::size_t>(y)];
                    if (y == shock_year) g = -rng.uniform(0.15, 0.4);  // illness, a failed business …
                    pc *= 1 + g;
                }
                const double total = std::round(pc * h.members);
                double given = 0;
                for (int part = 0; part < 3; ++part) {
                    h.income[y][part] = std::round(total * std::clamp(shares[part] + rng.normal(0, 0.01), 0.0, 1.0));
                    if (h.labour == 0 && part == 0) h.income[y][part] = 0;
                    given += h.income[y][part];
                }
                h.income[y][3] = std::max(0.0, total - given);
                h.employed_by_year[y] = y == k_years - 1 ? h.employed : std::max(0, h.employed - (rng.chance(0.1) ? 1 : 0));
            }

            // Months of 2025: out-of-province work, big expenses, income summing to the year's total.
            if (h.labour > 0 && rng.chance(0.35)) {
                const int workers = static_cast<int>(rng.range(1, std::min(2, h.labour)));
                const double kind = rng.uniform();
                if (kind < 0.5) {  // one long stint
                    const int len = static_cast<int>(rng.range(3, 10)), start = static_cast<int>(rng.range(0, 12 - len));
                    for (int mo = start; mo < start + len; ++mo) h.month_out[mo] = workers;
                } else if (kind < 0.7) {  // scattered months
                    const int n = static_cast<int>(rng.range(6, 8));
                    for (int c = 0; c < n; ++c) h.month_out[rng.range(0, 11)] = workers;
                } else {  // a short trip
                    const int start = static_cast<int>(rng.range(0, 10));
                    for (int mo = start; mo < start + static_cast<int>(rng.range(1, 2)); ++mo) h.month_out[mo] = workers;
                }
                h.employed = std::max(h.employed, workers);
                h.employed_by_year[k_years - 1] = h.employed;
            }
            const double year_total = h.income[k_years - 1][0] + h.income[k_years - 1][1] + h.income[k_years - 1][2] + h.income[k_years - 1][3];
            double wsum = 0, w[12];
            const int drop_from = rng.chance(0.03) ? static_cast<int>(rng.range(3, 10)) : 12;
            for (int mo = 0; mo < 12; ++mo) {
                w[mo] = (1.0 + (mo == 0 || mo == 1 ? 0.25 : 0.0) + rng.uniform(-0.15, 0.15)) * (mo >= drop_from ? 0.45 : 1.0);
                wsum += w[mo];
                // A big expense (illness, schooling, a disaster) in about 0.5% of household-months, some 6%
                // of households a year. The main generator draws as it always did; one in five of its
                // candidates is kept by a generator of its own, so nothing else in the demo moves.
                if (rng.chance(0.025)) {
                    const double amount = std::round(rng.uniform(3000, 30000));
                    if (expense_rng.chance(0.2)) h.month_expense[mo] = amount;
                }
            }
            double given = 0;
            for (int mo = 0; mo < 11; ++mo) {
                h.month_income[mo] = std::round(year_total * w[mo] / wsum);
                given += h.month_income[mo];
            }
            h.month_income[11] = year_total - given;

            // Benefits of 2024 and 2025.
            const int hi = static_cast<int>(pp.households.size());
            int longest = 0, run = 0, months_out = 0;
            for (int mo = 0; mo < 12; ++mo) {
                run = h.month_out[mo] > 0 ? run + 1 : 0;
                longest = std::max(longest, run);
                months_out += h.month_out[mo] > 0;
            }
            for (int year : {2024, 2025}) {
                auto pay = [&](std::string program, double amount, int month) {
                    const bool pending = year == 2025 && (month >= 11 || rng.chance(0.06));
                    pp.benefits.push_back({hi, year, std::move(program), std::round(amount),
                                           pending ? std::string() : date(year, month, static_cast<int>(rng.range(1, 28)))});
                };
                if (year == 2025 && (longest >= 3 || months_out >= 6) && rng.chance(0.88)) {
                    const int workers = *std::max_element(h.month_out, h.month_out + 12);
                    pay("跨省务工交通补贴", (500.0 + 50.0 * months_out) * workers, static_cast<int>(rng.range(3, 12)));
                }
                if (h.fully_supported) pay("农村低保", 530.0 * 12 * h.members, 12);
                if (h.members >= 3 && rng.chance(0.10)) pay("雨露计划", 3000, rng.chance(0.5) ? 3 : 9);
                if (h.labour > 0 && rng.chance(0.08)) pay("公益岗位补贴", 6000, 12);
                if (rng.chance(0.06)) pay("小额信贷贴息", rng.uniform(500, 2000), 6);
                if (h.labour > 0 && rng.chance(0.25)) pay("产业奖补", rng.uniform(1000, 3000), static_cast<int>(rng.range(4, 10)));
                if (rng.chance(0.05)) pay("医疗救助", rng.uniform(800, 12000), static_cast<int>(rng.range(1, 12)));
            }
            // Measures: most households with labour have a development-type one; a few do not (R11).
            auto measure = [&](std::string_view family, std::string_view description) {
                pp.measures.push_back({hi, std::string(family), std::string(description),
                                       std::to_string(rng.range(2021, 2025)) + "-" + two_digits(static_cast<int>(rng.range(1, 12)))});
            };
            if (h.labour > 0 && !rng.chance(0.04)) {
                static constexpr std::pair<std::string_view, std::string_view> k_dev[] = {
                    {"产业", "发展特色种养业，享受产业奖补"}, {"就业", "转移就业，享受务工交通补贴与技能培训"},
                    {"金融", "脱贫人口小额信贷"}, {"公益岗位", "安排乡村公益性岗位"}};
                const int n = static_cast<int>(rng.range(1, 2));
                for (int c = 0; c < n; ++c) {
                    const auto& d = k_dev[rng.range(0, 3)];
                    measure(d.first, d.second);
                }
            }
            if (h.fully_supported) measure("综合保障", "纳入农村低保，兜底保障");
            if (rng.chance(0.3)) measure("健康", "家庭医生签约服务，先诊疗后付费");
            if (h.members >= 3 && rng.chance(0.15)) measure("义务教育保障", "义务教育阶段学生资助");
            if (rng.chance(0.05)) measure("住房安全", "农村危房改造");
            pp.households.push_back(std::move(h));
        }
    }

    // Site figures from the households that live there.
    for (const Household& h : pp.households) {
        if (h.site < 0) continue;
        Site& s = pp.sites[static_cast<std::size_t>(h.site)];
        ++s.households;
        s.persons += h.members;
        if (h.employed > 0) ++s.employed_households;
    }

    // Industrial assistance projects.
    {
        std::vector<double> pw(na, 0);
        for (std::size_t a = 0; a < na; ++a) {
            if (!geo.areas[a].townships.empty()) pw[a] = geo.areas[a].poverty ? 2.0 : geo.areas[a].urban ? 0.3 : 1.0;
        }
        const auto counts = allocate(pw, province ? 3200 : 60);
        static constexpr std::string_view k_categories[] = {"种植", "养殖", "加工", "光伏", "乡村旅游", "电商", "手工"};
        static constexpr double k_cat_cdf[] = {0.32, 0.52, 0.68, 0.78, 0.87, 0.95, 1.0};
        for (std::size_t a = 0; a < na; ++a) {
            const Area& area = geo.areas[a];
            for (int k = 0; k < counts[a]; ++k) {
                const int t = area.townships[static_cast<std::size_t>(rng.range(0, static_cast<std::int64_t>(area.townships.size()) - 1))];
                const Township& tw = geo.townships[static_cast<std::size_t>(t)];
                const int v = tw.villages[static_cast<std::size_t>(rng.range(0, static_cast<std::int64_t>(tw.villages.size()) - 1))];
                Project p;
                const double cu = rng.uniform();
                std::size_t ci = 0;
                while (cu > k_cat_cdf[ci]) ++ci;
                p.category = std::string(k_categories[ci]);
                p.name = project_name(rng, geo.villages[static_cast<std::size_t>(v)].stem, p.category);
                p.county_code = area.code;
                p.village_code = geo.villages[static_cast<std::size_t>(v)].code;
                const double b = rng.uniform();
                p.batch = std::string(b < 0.72 ? k_project_batches[0] : b < 0.86 ? k_project_batches[1] : b < 0.95 ? k_project_batches[2] : k_project_batches[3]);
                p.operating = p.batch == k_project_batches[3] ? false : p.batch == k_project_batches[2] ? rng.chance(0.4) : !rng.chance(0.02);
                p.farmer_linkage = !rng.chance(0.06);
                p.beneficiary_households = rng.range(20, 600);
                p.investment = std::round(std::clamp(150.0 * lognormal(rng, 0.9), 30.0, 3000.0));
                p.location = geo.random_point(v, rng);
                pp.projects.push_back(std::move(p));
            }
        }
    }

    // Indicators, bottom-up: households → villages → townships → counties → cities → province.
    std::vector<Series> vs(nv);
    for (std::size_t v = 0; v < nv; ++v) {
        for (int y = 0; y < k_years; ++y) {
            Acc& acc = vs[v][static_cast<std::size_t>(y)];
            acc.rural_pop = village_pop[v];
            acc.rural_income = village_pop[v] * village_rural[v][static_cast<std::size_t>(y)];
        }
    }
    for (const Household& h : pp.households) {
        for (int y = 0; y < k_years; ++y) {
            Acc& acc = vs[static_cast<std::size_t>(h.village)][static_cast<std::size_t>(y)];
            acc.members += h.members;
            acc.households += 1;
            double total = 0;
            for (int k = 0; k < 4; ++k) {
                acc.income[k] += h.income[y][k];
                total += h.income[y][k];
            }
            if (is_monitored_type(h.type)) acc.monitored += h.members;
            if (total / h.members < default_monitoring_line(k_first_year + y)) acc.below_line += h.members;
            acc.employed += h.employed_by_year[y];
            if (h.relocated) {
                acc.reloc_members += h.members;
                acc.reloc_income += total;
            }
        }
    }
    for (std::size_t v = 0; v < nv; ++v) {
        for (int y = 0; y < k_years; ++y) {
            Acc& acc = vs[v][static_cast<std::size_t>(y)];
            acc.certificates = std::round(acc.members * 0.03 * rng.uniform(0.3, 1.7));
        }
    }
    std::vector<Series> ts(geo.townships.size()), as(na), cs(geo.cities.size());
    Series prov{};
    for (std::size_t v = 0; v < nv; ++v) {
        for (int y = 0; y < k_years; ++y) ts[static_cast<std::size_t>(geo.villages[v].township)][static_cast<std::size_t>(y)].add(vs[v][static_cast<std::size_t>(y)]);
    }
    for (std::size_t t = 0; t < ts.size(); ++t) {
        for (int y = 0; y < k_years; ++y) as[static_cast<std::size_t>(geo.townships[t].area)][static_cast<std::size_t>(y)].add(ts[t][static_cast<std::size_t>(y)]);
    }
    std::map<std::string, std::size_t> city_of;
    for (std::size_t c = 0; c < geo.cities.size(); ++c) city_of[geo.cities[c].code] = c;
    for (std::size_t a = 0; a < na; ++a) {
        if (geo.areas[a].townships.empty()) continue;
        for (int y = 0; y < k_years; ++y) {
            Acc& acc = as[a][static_cast<std::size_t>(y)];
            acc.funds = funds[a][static_cast<std::size_t>(y)];
            acc.industry_funds = acc.funds * share[a][static_cast<std::size_t>(y)] / 100;
            cs[city_of.at(geo.areas[a].city_code)][static_cast<std::size_t>(y)].add(acc);
        }
    }
    for (auto& c : cs) {
        for (int y = 0; y < k_years; ++y) prov[static_cast<std::size_t>(y)].add(c[static_cast<std::size_t>(y)]);
    }

    std::map<std::string, const Series*> by_code;
    for (std::size_t v = 0; v < nv; ++v) by_code[geo.villages[v].code] = &vs[v];
    for (std::size_t t = 0; t < ts.size(); ++t) by_code[geo.townships[t].code] = &ts[t];
    for (std::size_t a = 0; a < na; ++a) {
        if (!geo.areas[a].is_city) by_code[geo.areas[a].code] = &as[a];
    }
    for (std::size_t c = 0; c < cs.size(); ++c) by_code[geo.cities[c].code] = &cs[c];
    by_code["41"] = &prov;
    for (Region& r : geo.regions) {
        const Series& s = *by_code.at(r.code);
        const Acc& last = s[k_years - 1];
        r.population = static_cast<std::int64_t>(last.rural_pop);
        r.tp_population = static_cast<std::int64_t>(last.members);
        r.tp_households = static_cast<std::int64_t>(last.households);
        emit(pp.indicators, r.code, s, r.level <= Level::County);
    }
    return pp;
}

}  // namespace onemap::data::demo
