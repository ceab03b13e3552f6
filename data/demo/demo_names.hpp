#pragma once
// Plausible synthetic Chinese place and person names for the demo province (private to data/).
#include "gis/random.hpp"

#include <set>
#include <string>

namespace onemap::data::demo {

enum class TownshipKind { Subdistrict, Town, Township };  // 街道, 镇, 乡

std::string township_name(gis::Random& rng, TownshipKind kind);  // 王集镇, 柳河乡, 建设路街道
std::string village_name(gis::Random& rng, bool community);     // 东王庄村, 杨树湾村, 新华社区
std::string person_name(gis::Random& rng);                      // 张秀兰, 李建国
std::string project_name(gis::Random& rng, const std::string& village_stem, const std::string& category);
std::string site_name(gis::Random& rng, const std::string& township_stem);

// Draw names until one is not in `taken`; adds it. Falls back to numbering after many tries.
template <class Draw>
std::string unique_name(std::set<std::string>& taken, Draw&& draw) {
    for (int attempt = 0; attempt < 60; ++attempt) {
        std::string n = draw();
        if (taken.insert(n).second) return n;
    }
    static const char* k_numbers[] = {"一", "二", "三", "四", "五", "六", "七", "八", "九", "十"};
    const std::string base = draw();
    for (int i = 0;; ++i) {
        std::string n = base;
        n.insert(0, std::string(k_numbers[i % 10]) + (i >= 10 ? std::to_string(i / 10) : ""));
        if (taken.insert(n).second) return n;
    }
}

}  // namespace onemap::data::demo
