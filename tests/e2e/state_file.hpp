#pragma once
// The program's state file (--state-file), read as text: what the E2E driver (tests/e2e/gui_driver.hpp)
// and the monkey (tests/bench/monkey.cpp) know of the screen. No gtest here.
#include <array>
#include <cmath>
#include <optional>
#include <regex>
#include <string>
#include <utility>
#include <vector>

namespace onemap::test {

// Small helpers pull fields out of the JSON the program writes.
struct State {
    std::string json;
    std::string str(const std::string& key) const {
        std::smatch m;
        if (std::regex_search(json, m, std::regex("\"" + key + "\":\"([^\"]*)\""))) return m[1];
        return {};
    }
    double num(const std::string& key) const {  // "key":1.5 (NaN when absent)
        std::smatch m;
        if (std::regex_search(json, m, std::regex("\"" + key + "\":(-?[0-9.]+)"))) return std::stod(m[1]);
        return std::nan("");
    }
    bool flag(const std::string& key) const { return json.find("\"" + key + "\":true") != std::string::npos; }
    std::optional<std::array<double, 4>> widget(const std::string& name) const {
        std::smatch m;
        const std::string esc = std::regex_replace(name, std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)");
        if (!std::regex_search(json, m, std::regex("\"" + esc + "\":\\[(-?[0-9]+),(-?[0-9]+),([0-9]+),([0-9]+)\\]"))) return std::nullopt;
        return std::array<double, 4>{std::stod(m[1]), std::stod(m[2]), std::stod(m[3]), std::stod(m[4])};
    }
    // every widget the screen drew: name → x, y, w, h
    std::vector<std::pair<std::string, std::array<double, 4>>> widgets() const {
        std::vector<std::pair<std::string, std::array<double, 4>>> out;
        const auto start = json.find("\"widgets\":{");
        if (start == std::string::npos) return out;
        const std::string part = json.substr(start, json.find('}', start) - start);
        static const std::regex re("\"([^\"]+)\":\\[(-?[0-9]+),(-?[0-9]+),([0-9]+),([0-9]+)\\]");
        for (auto it = std::sregex_iterator(part.begin(), part.end(), re); it != std::sregex_iterator(); ++it) {
            out.push_back({(*it)[1], {std::stod((*it)[2]), std::stod((*it)[3]), std::stod((*it)[4]), std::stod((*it)[5])}});
        }
        return out;
    }
    std::optional<std::array<double, 4>> rect(const std::string& key) const {  // "key":[x,y,w,h]
        std::smatch m;
        if (!std::regex_search(json, m, std::regex("\"" + key + "\":\\[(-?[0-9]+),(-?[0-9]+),(-?[0-9]+),(-?[0-9]+)\\]"))) return std::nullopt;
        return std::array<double, 4>{std::stod(m[1]), std::stod(m[2]), std::stod(m[3]), std::stod(m[4])};
    }
    bool view_at_rest() const {  // camera_target's box is published only while the view rests
        const auto v = rect("view_rect");
        return v && (*v)[2] > 0 && (*v)[3] > 0;
    }
    std::vector<std::pair<std::string, std::array<double, 2>>> anchors() const {
        std::vector<std::pair<std::string, std::array<double, 2>>> out;
        const auto start = json.find("\"anchors\":{");
        if (start == std::string::npos) return out;
        const std::string part = json.substr(start, json.find('}', start) - start);
        std::regex re("\"([0-9]+)\":\\[(-?[0-9]+),(-?[0-9]+)\\]");
        for (auto it = std::sregex_iterator(part.begin(), part.end(), re); it != std::sregex_iterator(); ++it) {
            out.push_back({(*it)[1], {std::stod((*it)[2]), std::stod((*it)[3])}});
        }
        return out;
    }
};

}  // namespace onemap::test
