// What a Session is made from: the bundle (or database) read without GL, the policy texts, and how
// the panels write a value.
#include "kiosk/session/session.hpp"

#include "data/bundle/bundle.hpp"
#include "data/bundle/snapshot_manifest.hpp"
#include "data/household/household_glyphs.hpp"
#include "data/pg/pg_source.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <cmath>

namespace onemap::app::assets {
extern const std::string_view policy_zh_cn_toml;
extern const std::string_view policy_en_toml;
}  // namespace onemap::app::assets

namespace onemap::app {

std::string format_value(double v, const data::Metric* m) {
    if (std::isnan(v)) return "—";
    const std::string unit = m ? std::string(m->unit) : std::string();
    auto grouped = [](double x) {
        const long long n = std::llround(std::abs(x));
        std::string digits = std::to_string(n), out;
        for (std::size_t i = 0; i < digits.size(); ++i) {
            if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
            out += digits[i];
        }
        return (x < 0 ? "-" : "") + out;
    };
    if (m && m->key == "income_ratio") return v > 0 ? fmt::format("1 : {:.2f}", 1.0 / v) : "—";
    if (unit == "%") return fmt::format("{:.1f}%", v);
    if (unit == "百分点") return fmt::format("{:+.1f} 百分点", v);
    if (unit == "元" || unit == "人" || unit == "户" || unit == "条" || unit == "万元") return grouped(v) + " " + unit;
    return fmt::format("{:.2f} {}", v, unit);
}

// ── Texts ────────────────────────────────────────────────────────────────────────────────────────

std::vector<PolicyCard> load_policy(std::string_view language) {
    std::vector<PolicyCard> out;
    const toml::table t = toml::parse(language == "en" ? assets::policy_en_toml : assets::policy_zh_cn_toml);
    if (const auto* cards = t["card"].as_array()) {
        for (const auto& c : *cards) {
            const auto* tab = c.as_table();
            if (!tab) continue;
            out.push_back({std::string((*tab)["title"].value_or("")), std::string((*tab)["body"].value_or("")),
                           std::string((*tab)["next"].value_or(""))});
        }
    }
    return out;
}

std::map<std::string, PolicyCard, std::less<>> load_household_items(std::string_view language) {
    std::map<std::string, PolicyCard, std::less<>> out;
    const toml::table t = toml::parse(language == "en" ? assets::policy_en_toml : assets::policy_zh_cn_toml);
    if (const auto* items = t["household"].as_table()) {
        for (const auto& [key, node] : *items) {
            const auto* tab = node.as_table();
            if (!tab) continue;
            out[std::string(key.str())] = {std::string((*tab)["title"].value_or("")), std::string((*tab)["body"].value_or("")),
                                           std::string((*tab)["next"].value_or(""))};
        }
    }
    return out;
}

// ── Data ─────────────────────────────────────────────────────────────────────────────────────────

SessionData load_session_data(const AppConfig& cfg, const std::string& pg_url, const std::string& pg_region) {
    if (!pg_url.empty()) {
        std::unique_ptr<data::PgSource> source = data::open_pg_source(pg_url, pg_region);
        data::RegionIndex regions = source->regions();
        data::SceneLoad scene = data::load_scene(*source, data::private_cache_dir());
        std::vector<std::string> periods = source->periods();
        return {std::move(source), std::move(regions), std::move(scene), std::move(periods), {}, {}};
    }
    std::unique_ptr<data::Source> source = data::open_bundle_source(cfg.bundle);
    const data::Bundle& bundle = *source->bundle();
    data::RegionIndex regions = data::RegionIndex::load(bundle);
    // A synced snapshot (BUNDLE.manifest.json beside it) is never written: its hash would change, and
    // the next `onemap sync` would fetch it again.
    const bool snapshot = std::filesystem::exists(data::manifest_path(cfg.bundle));
    data::SceneLoad scene = data::load_scene(bundle, true, cfg.mode != Mode::Kiosk && !snapshot);
    std::vector<std::string> periods = source->periods();
    std::string extra_glyphs;
    std::vector<data::Project> projects;
    if (cfg.mode == Mode::Kiosk) {
        extra_glyphs = data::household_card_glyphs(bundle);
        projects = source->projects();
        for (const auto& p : projects) extra_glyphs += p.name + p.category + p.batch;
    }
    return {std::move(source), std::move(regions), std::move(scene), std::move(periods), std::move(extra_glyphs), std::move(projects)};
}

}  // namespace onemap::app
