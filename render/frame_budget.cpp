#include "frame_budget.hpp"

#include <algorithm>

namespace onemap::render {

void FrameBudget::frame(double ms, std::uint64_t units) {
    if (m_target_ms <= 0 || !(ms > 0)) return;
    if (units == 0) {
        // a longer gap is a screen waiting for input, not a frame
        if (ms <= 2 * m_target_ms) m_base_ms = m_base_ms > 0 ? 0.8 * m_base_ms + 0.2 * ms : ms;
        return;
    }
    // one frame drawing after such a wait counts as slow, not as slow as the wait
    ms = std::min(ms, 4 * m_target_ms);
    if (m_base_ms > 0 && ms > m_base_ms && units >= std::max<std::uint64_t>(1000, m_units / 4)) {
        // enough drawn that its time is mostly the drawing
        const double unit = (ms - m_base_ms) / static_cast<double>(units);
        m_unit_ms = m_unit_ms > 0 ? 0.5 * m_unit_ms + 0.5 * unit : unit;
        const double room = m_target_ms - m_base_ms;
        m_units = static_cast<std::uint64_t>(std::clamp(room / m_unit_ms, static_cast<double>(k_min), static_cast<double>(k_max)));
    } else if (m_base_ms <= 0) {
        // no base yet: step towards the target (up only after a frame the budget stopped)
        if (ms > 1.2 * m_target_ms) m_units = std::max(m_units * 3 / 4, k_min);
        else if (ms < 0.8 * m_target_ms && units >= m_units) m_units = std::min(m_units + m_units / 4, k_max);
    }
}

}  // namespace onemap::render
