#pragma once
// UI strings: one catalogue per language under assets/i18n/, compiled into the binary.
// Panels ask for a key; a missing key shows the key itself (and a test checks none is missing).
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace onemap::app {

class Strings {
public:
    static Strings load(std::string_view language);  // "zh-CN" (default) or "en"
    const std::string& operator()(std::string_view key) const;
    std::vector<std::string> keys() const;
    std::string_view language() const { return m_language; }
private:
    std::string m_language;
    std::map<std::string, std::string, std::less<>> m_text;
};

}  // namespace onemap::app
