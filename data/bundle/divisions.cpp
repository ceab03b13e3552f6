#include "divisions.hpp"

#include <algorithm>
#include <sstream>
#include <stdexcept>
#include <string_view>

namespace onemap::data::assets {
extern const std::string_view henan_divisions_csv;
extern const std::string_view henan_outline_csv;
}  // namespace onemap::data::assets

namespace onemap::data {

namespace {
std::vector<std::string> split(const std::string& line) {
    std::vector<std::string> out;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) out.push_back(cell);
    if (!line.empty() && line.back() == ',') out.emplace_back();
    return out;
}
}  // namespace

const std::vector<Division>& henan_divisions() {
    static const std::vector<Division> divisions = [] {
        std::vector<Division> out;
        std::istringstream in{std::string(assets::henan_divisions_csv)};
        std::string line;
        std::getline(in, line);  // header
        while (std::getline(in, line)) {
            if (!line.empty() && line.back() == '\r') line.pop_back();
            if (line.empty()) continue;
            const auto f = split(line);
            if (f.size() < 7) throw std::logic_error("embedded henan_divisions.csv: bad row " + line);
            out.push_back({f[0], f[1], f[2], f[3], f[4] == "1", {std::stod(f[5]), std::stod(f[6])}});
        }
        return out;
    }();
    return divisions;
}

const gis::Ring& henan_outline() {
    static const gis::Ring ring = [] {
        gis::Ring out;
        std::istringstream in{std::string(assets::henan_outline_csv)};
        std::string line;
        std::getline(in, line);
        while (std::getline(in, line)) {
            if (line.empty() || line == "\r") continue;
            const auto f = split(line);
            out.push_back({std::stod(f[0]), std::stod(f[1])});
        }
        if (out.size() > 1 && out.front() == out.back()) out.pop_back();
        if (gis::signed_area(out) < 0) std::reverse(out.begin(), out.end());
        return out;
    }();
    return ring;
}

}  // namespace onemap::data
