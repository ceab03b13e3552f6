#pragma once
// The demo generator's working model (private to data/): the synthetic geography that the
// households, projects and sites are then placed into.
#include "data/demo/demo.hpp"
#include "data/bundle/features.hpp"
#include "gis/random.hpp"
#include "gis/raster_coverage.hpp"

#include <string>
#include <vector>

namespace onemap::data::demo {

struct Area {  // a county-level unit that holds townships (county, zone, or 济源 itself)
    std::string code, name, city_code;
    bool poverty = false;  // national poverty county (国家扶贫开发工作重点县, until 2020)
    bool urban = false;    // a 区 (district)
    bool is_city = false;  // the city itself (济源) — no county row of its own
    gis::Point seed;
    std::vector<int> townships;
};

struct City {
    std::string code, name;
    std::vector<int> areas;
};

struct Township {
    std::string code, name, stem;
    int area = 0;
    std::vector<int> villages;
};

struct Village {
    std::string code, name, stem;
    int township = 0;
    int area = 0;
    std::int64_t cells = 0;
    double area_km2 = 0;
    gis::Point centre;  // centre of a cell of the village near its centroid
};

struct Geography {
    std::vector<City> cities;
    std::vector<Area> areas;
    std::vector<Township> townships;
    std::vector<Village> villages;
    gis::LabelGrid grid;                        // labels = village index
    std::vector<std::int64_t> cell_offsets;     // cells of village v: cells[cell_offsets[v] .. cell_offsets[v+1])
    std::vector<std::int32_t> cells;
    std::vector<Region> regions;                // every level, geometry filled, population fields zero

    gis::Point random_point(int village, gis::Random& rng) const;  // a cell centre inside the village
};

Geography build_geography(DemoScale scale, std::uint64_t seed, int threads);

inline constexpr int k_first_year = 2022;
inline constexpr int k_years = 4;  // 2022–2025

struct Household {
    int village = 0;
    int members = 1, labour = 0;
    std::string type;
    bool fully_supported = false, relocated = false;
    int site = -1;                  // index into People::sites
    int employed = 0;               // members in work now (2025)
    std::string id_number;          // in memory only, to compute the keyed hash; never written
    std::string head_masked;
    std::string phone4;
    std::string salt;
    double income[k_years][4] = {};  // yuan per household: wage, business, transfer, property
    int employed_by_year[k_years] = {};
    double month_income[12] = {}, month_expense[12] = {};
    int month_out[12] = {};
};

struct Benefit {
    int household;
    int year;
    std::string program;
    double amount;
    std::string paid_date;  // empty while pending
};

struct Measure {
    int household;
    std::string family, description, start_month;
};

struct IndicatorRow {
    std::string region_code, period, metric;
    double value;
};

struct People {
    std::vector<Household> households;
    std::vector<Benefit> benefits;
    std::vector<Measure> measures;
    std::vector<Project> projects;
    std::vector<Site> sites;
    std::vector<std::string> village_contact_name, village_contact_phone;
    std::vector<IndicatorRow> indicators;
};

// Households and everything hanging off them, then the indicators aggregated bottom-up; fills the
// population fields of geo.regions.
People generate_people(Geography& geo, std::int64_t households, std::uint64_t seed);

}  // namespace onemap::data::demo
