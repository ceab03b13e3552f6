// The UI's fonts (glyph ranges, the mapped font file), theme and perf file (kiosk/gui/fonts.hpp).
#include "kiosk/gui/fonts.hpp"

#include "kiosk/service/heartbeat.hpp"

#include "data/policy/alerts.hpp"
#include "data/policy/catalogue.hpp"
#include "data/policy/rules.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cmath>

#include <algorithm>
#include <fstream>
#include <stdexcept>

namespace onemap::app {

void apply_theme(Theme theme, float scale) {
    ImGuiStyle& style = ImGui::GetStyle();
    style = ImGuiStyle();
    switch (theme) {
        case Theme::Light: ImGui::StyleColorsLight(); break;
        case Theme::Dark: ImGui::StyleColorsDark(); break;
        case Theme::HighContrast:
            ImGui::StyleColorsDark();
            style.Colors[ImGuiCol_WindowBg] = ImVec4(0, 0, 0, 0.92f);
            style.Colors[ImGuiCol_Text] = ImVec4(1, 1, 1, 1);
            style.Colors[ImGuiCol_Button] = ImVec4(0.0f, 0.30f, 0.65f, 1);
            style.Colors[ImGuiCol_ButtonHovered] = ImVec4(0.0f, 0.40f, 0.80f, 1);
            style.Colors[ImGuiCol_ButtonActive] = ImVec4(1.0f, 0.75f, 0.0f, 1);
            style.Colors[ImGuiCol_Border] = ImVec4(1, 1, 1, 1);
            style.FrameBorderSize = 2;
            break;
    }
    style.WindowRounding = 6;
    style.FrameRounding = 4;
    style.ScaleAllSizes(scale);
}

UiGlyphs glyph_ranges(const Strings& tr, const std::vector<PolicyCard>& policy, const data::RegionIndex& regions, bool common,
                      const std::map<std::string, PolicyCard, std::less<>>& items, const std::string& extra) {
    ImFontGlyphRangesBuilder b;
    ImFontAtlas tmp;
    b.AddRanges(tmp.GetGlyphRangesDefault());
    b.AddText("，。：；（）、“”—·…－＋％《》【】：！？0123456789");
    for (const auto& k : tr.keys()) b.AddText(tr(k).c_str());
    for (const auto& c : policy) {
        b.AddText(c.title.c_str());
        b.AddText(c.body.c_str());
        b.AddText(c.next.c_str());
    }
    for (const auto& m : data::metric_catalogue()) {
        b.AddText(std::string(m.name_zh).c_str());
        b.AddText(std::string(m.name_en).c_str());
        b.AddText(std::string(m.unit).c_str());
    }
    for (int l = 1; l <= 5; ++l) b.AddText(std::string(data::level_name_zh(static_cast<data::Level>(l))).c_str());
    for (const auto& r : data::rule_catalogue()) {
        b.AddText(std::string(r.name_zh).c_str());
        b.AddText(std::string(r.text_zh).c_str());
    }
    for (int st = 0; st < 4; ++st) b.AddText(std::string(data::status_name_zh(static_cast<data::RuleStatus>(st))).c_str());
    for (int st = 0; st < 4; ++st) b.AddText(std::string(data::alert_status_name_zh(static_cast<data::AlertStatus>(st))).c_str());
    for (const auto c : data::k_risk_categories) b.AddText(std::string(c).c_str());
    for (int k = 0; k < 12; ++k) {
        if (const auto kind = data::parse_alert_kind(data::alert_kind_key(static_cast<data::AlertKind>(k)))) {
            b.AddText(std::string(data::alert_kind_name_zh(*kind)).c_str());
        }
    }
    for (const auto& [key, c] : items) {
        b.AddText(c.title.c_str());
        b.AddText(c.body.c_str());
        b.AddText(c.next.c_str());
    }
    b.AddText(extra.c_str());
    b.AddText("∶≥≤→←＞＜×÷±°′″№①②③④⑤【】");
    b.AddText("演示数据预警目标县市区乡镇村社区街道全省无数据达成未达成进度共个户人元万亿％");
    const data::RegionInfo* root = regions.root();
    std::vector<const data::RegionInfo*> stack{root};
    while (!stack.empty()) {
        const data::RegionInfo* r = stack.back();
        stack.pop_back();
        if (!r) continue;
        b.AddText(r->name.c_str());
        for (const auto& c : r->children) stack.push_back(regions.find(c));
    }
    UiGlyphs out;
    ImVector<ImWchar> built;
    b.BuildRanges(&built);
    out.shown.assign(built.begin(), built.end());
    if (common) {
        b.AddRanges(tmp.GetGlyphRangesChineseSimplifiedCommon());
        built.clear();
        b.BuildRanges(&built);
        out.typed.assign(built.begin(), built.end());
    } else {
        out.typed = out.shown;
    }
    return out;
}

FontFile::~FontFile() {
    if (m_data != MAP_FAILED) munmap(m_data, m_size);
}

void FontFile::open(const std::filesystem::path& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw std::runtime_error("cannot open the UI font " + path.string());
    const off_t size = ::lseek(fd, 0, SEEK_END);
    if (size > 0 && size < (off_t{1} << 31)) m_data = mmap(nullptr, static_cast<std::size_t>(size), PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    ::close(fd);
    if (m_data == MAP_FAILED) throw std::runtime_error("cannot read the UI font " + path.string());
    m_size = static_cast<std::size_t>(size);
}

void write_perf(const std::filesystem::path& path, double first_frame_s, std::size_t frames, std::vector<double> ms, std::vector<double> recent,
                const std::vector<std::uint64_t>& run_hist) {
    std::uint64_t run_n = 0;
    for (const auto c : run_hist) run_n += c;
    const auto run_pct = [&](double p) {
        const auto want = static_cast<std::uint64_t>(p * static_cast<double>(run_n));
        std::uint64_t seen = 0;
        for (std::size_t i = 0; i < run_hist.size(); ++i) {
            seen += run_hist[i];
            if (seen > want) return (static_cast<double>(i) + 0.5) * 0.5;
        }
        return 0.0;
    };
    const auto pct = [](std::vector<double>& v, double p) {
        std::sort(v.begin(), v.end());
        return v.empty() ? 0.0 : v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
    };
    const long rss_kb = std::lround(rss_mib() * 1024);  // kiosk/service/heartbeat.hpp reads it for the beacon too
    const auto tmp = path.string() + ".tmp";
    const double p50 = pct(ms, 0.5), p95 = pct(ms, 0.95), p99 = pct(ms, 0.99), recent_p95 = pct(recent, 0.95);
    std::ofstream(tmp) << fmt::format("{{\"first_frame_s\":{:.3f},\"frames\":{},\"p50_ms\":{:.2f},\"p95_ms\":{:.2f},\"p99_ms\":{:.2f},\"max_ms\":{:.2f},\"rss_kb\":{},"
                                      "\"recent\":{{\"frames\":{},\"p95_ms\":{:.2f},\"max_ms\":{:.2f}}},"
                                      "\"run\":{{\"frames\":{},\"p50_ms\":{:.2f},\"p95_ms\":{:.2f},\"p99_ms\":{:.2f}}}}}\n",
                                      first_frame_s, frames, p50, p95, p99, ms.empty() ? 0.0 : ms.back(), rss_kb, recent.size(), recent_p95,
                                      recent.empty() ? 0.0 : recent.back(), run_n, run_pct(0.5), run_pct(0.95), run_pct(0.99));
    std::filesystem::rename(tmp, path);
}

}  // namespace onemap::app
