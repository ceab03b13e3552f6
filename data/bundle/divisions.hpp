#pragma once
// Henan's real division codes down to county level, and the province outline: public facts
// (../shared/domain/henan_divisions.csv, henan_outline.csv) compiled into the binary.
#include "gis/geometry.hpp"

#include <string>
#include <vector>

namespace onemap::data {

struct Division {
    std::string code;
    std::string name;
    std::string kind;         // province, city, county, zone
    std::string parent_code;
    bool national_poverty_county = false;
    gis::Point location;      // a point inside the unit (0.01°)
};

const std::vector<Division>& henan_divisions();  // province, 18 cities, 156 counties, 1 zone; CSV order
const gis::Ring& henan_outline();                // counter-clockwise, lon/lat

}  // namespace onemap::data
