#pragma once
// How much map drawing fits in a frame: the budget, in cost units, that a frame may spend on a
// frame-cache picture or the feature raster while the one shown stays on screen.
//
// Set a fixed budget, or give a target frame time and let the budget follow the frames: frames that
// drew nothing give the base (the picture shown, points, labels, the GUI and its swap), frames that
// drew give the time a unit takes, and the budget is what fits between the base and the target.
#include <cstdint>

namespace onemap::render {

class FrameBudget {
public:
    void set(std::uint64_t units) { m_units = units; }
    std::uint64_t units() const { return m_units; }
    void set_target(double ms) { m_target_ms = ms; }  // 0: the budget stays as set
    double target() const { return m_target_ms; }
    // A frame took `ms` (from its start to the next one's) and spent `units` of drawing.
    void frame(double ms, std::uint64_t units);
    double base_ms() const { return m_base_ms; }  // 0 until a frame without drawing was seen
    double unit_ms() const { return m_unit_ms; }  // 0 until a frame with enough drawing was seen

    static constexpr std::uint64_t k_min = 5000, k_max = 50'000'000;

private:
    std::uint64_t m_units = 60000;
    double m_target_ms = 0, m_base_ms = 0, m_unit_ms = 0;
};

}  // namespace onemap::render
