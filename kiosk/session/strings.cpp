#include "kiosk/session/strings.hpp"

#include <toml++/toml.h>

#include <stdexcept>

namespace onemap::app::assets {
extern const std::string_view strings_zh_cn_toml;
extern const std::string_view strings_en_toml;
}  // namespace onemap::app::assets

namespace onemap::app {

Strings Strings::load(std::string_view language) {
    Strings s;
    s.m_language = language == "en" ? "en" : "zh-CN";
    const std::string_view text = s.m_language == "en" ? assets::strings_en_toml : assets::strings_zh_cn_toml;
    toml::table t;
    try {
        t = toml::parse(text);
    } catch (const toml::parse_error& e) {
        throw std::logic_error(std::string("embedded UI strings are not valid TOML: ") + std::string(e.description()));
    }
    for (const auto& [key, value] : t) {
        if (const auto* v = value.as_string()) s.m_text.emplace(std::string(key.str()), v->get());
    }
    return s;
}

const std::string& Strings::operator()(std::string_view key) const {
    auto it = m_text.find(key);
    if (it != m_text.end()) return it->second;
    static thread_local std::string missing;
    missing = std::string(key);
    return missing;
}

std::vector<std::string> Strings::keys() const {
    std::vector<std::string> out;
    for (const auto& [k, v] : m_text) out.push_back(k);
    return out;
}

}  // namespace onemap::app
