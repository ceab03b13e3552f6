#pragma once
// The UI's fonts: which glyphs the atlas holds, the font file mapped once, and the theme.
#include "data/bundle/region_index.hpp"
#include "kiosk/session/config.hpp"
#include "kiosk/session/session.hpp"
#include "kiosk/session/strings.hpp"

#include <imgui.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace onemap::app {

// Glyphs the UI will need: ASCII, CJK punctuation, every UI string, region and metric name, and the
// policy cards (`shown`); for desk also the common-use set, so typed search text shows (`typed`, for
// the body font only: the larger title and figure fonts show names and strings, never typed text, and
// the common set at those sizes would make the atlas of a desk three times the size — 0.6 s more to
// build and upload on software GL).
struct UiGlyphs {
    std::vector<ImWchar> shown, typed;
    bool operator==(const UiGlyphs&) const = default;
};
UiGlyphs glyph_ranges(const Strings& tr, const std::vector<PolicyCard>& policy, const data::RegionIndex& regions, bool common,
                      const std::map<std::string, PolicyCard, std::less<>>& items, const std::string& extra);

// The UI font file mapped into memory once: the atlas's three sizes read it in place (each
// AddFontFromFileTTF would read the whole file, 20 MB for Noto Sans CJK, into memory of its own).
// Private and writable, so nothing can reach the file, though nothing writes.
class FontFile {
public:
    FontFile() = default;
    FontFile(const FontFile&) = delete;
    FontFile& operator=(const FontFile&) = delete;
    ~FontFile();
    void open(const std::filesystem::path& path);  // throws std::runtime_error naming the file
    void* data() const { return m_data; }
    int size() const { return static_cast<int>(m_size); }

private:
    void* m_data = reinterpret_cast<void*>(-1);  // MAP_FAILED
    std::size_t m_size = 0;
};

void apply_theme(Theme theme, float scale);

// Frame-time percentiles of the latest frames (up to 5,000) and, apart, of the frames since the last
// write, and resident memory, for soak runs (a benchmark, not a test). `first_frame_s`: from the
// start of run_gui to the first frame handed to the screen.
// `run_hist`: every frame of the run in 0.5 ms bins (the last bin: longer), for the whole run's
// percentiles ("run": soak runs of hours, where `ms` holds only the latest frames).
void write_perf(const std::filesystem::path& path, double first_frame_s, std::size_t frames, std::vector<double> ms, std::vector<double> recent,
                const std::vector<std::uint64_t>& run_hist = {});

}  // namespace onemap::app
