#include "import_common.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>

namespace onemap::data::detail {

namespace {
std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}
std::vector<std::string> split(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream in(s);
    std::string item;
    while (std::getline(in, item, ',')) if (!item.empty()) out.push_back(item);
    return out;
}
}  // namespace

std::string join(const std::vector<std::string>& items, std::string_view sep) {
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i) out += sep;
        out += items[i];
    }
    return out;
}

std::optional<std::size_t> find_field(const std::vector<std::string>& fields, const std::string& wanted,
                                      const std::vector<std::string_view>& candidates) {
    auto index_of = [&](std::string_view name) -> std::optional<std::size_t> {
        const std::string l = lower(name);
        for (std::size_t i = 0; i < fields.size(); ++i) {
            if (lower(fields[i]) == l) return i;
        }
        return std::nullopt;
    };
    if (!wanted.empty()) return index_of(wanted);
    for (auto c : candidates) {
        if (auto i = index_of(c)) return i;
    }
    // DBF field names stop at 10 bytes: a Shapefile written from district_adcode holds "district_a".
    for (auto c : candidates) {
        if (c.size() > 10) {
            if (auto i = index_of(c.substr(0, 10))) return i;
        }
    }
    return std::nullopt;
}

std::pair<std::string, std::string> layers_after_real(const std::string& real_list, const std::string& synthetic_list, const std::string& layer) {
    std::vector<std::string> real = split(real_list);
    std::vector<std::string> synthetic = split(synthetic_list);
    if (layer.starts_with("regions.")) {
        for (auto* list : {&real, &synthetic}) {
            if (auto it = std::find(list->begin(), list->end(), "regions"); it != list->end()) {
                list->erase(it);
                for (const char* l : {"regions.province", "regions.city", "regions.county", "regions.township", "regions.village"}) {
                    list->emplace_back(l);
                }
            }
        }
    }
    std::erase(synthetic, layer);
    if (std::find(real.begin(), real.end(), layer) == real.end()) real.push_back(layer);
    return {join(real, ","), join(synthetic, ",")};
}

void mark_layer_real(Bundle& b, const std::string& layer) {
    const auto [real, synthetic] = layers_after_real(b.meta("layers_real").value_or(""), b.meta("layers_synthetic").value_or(""), layer);
    b.set_meta("layers_real", real);
    b.set_meta("layers_synthetic", synthetic);
    b.set_meta("synthetic", synthetic.empty() ? "0" : "1");
}

void clear_render_cache(Bundle& b) { b.exec("DELETE FROM render_cache"); }

}  // namespace onemap::data::detail
