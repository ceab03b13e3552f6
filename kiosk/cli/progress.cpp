#include "kiosk/cli/progress.hpp"

#include <unistd.h>

#include <fmt/format.h>

#include <cstdio>

namespace onemap::app {

ProgressLine::ProgressLine(std::string label)
    : m_label(std::move(label)), m_tty(::isatty(STDERR_FILENO) == 1), m_start(std::chrono::steady_clock::now()), m_last(m_start) {}

ProgressLine::~ProgressLine() { finish(); }

data::ProgressFn ProgressLine::callback() {
    if (!m_tty) return {};
    return [this](std::int64_t done, std::int64_t total) { update(done, total); };
}

void ProgressLine::update(std::int64_t done, std::int64_t total) {
    const auto now = std::chrono::steady_clock::now();
    if (now - m_last < std::chrono::milliseconds(100) && done != total) return;
    m_last = now;
    const double secs = std::chrono::duration<double>(now - m_start).count();
    const double rate = secs > 0 ? static_cast<double>(done) / secs : 0;
    std::string line;
    if (total > 0) {
        const int width = 30;
        const int filled = static_cast<int>(static_cast<double>(width) * static_cast<double>(done) / static_cast<double>(total));
        const double left = rate > 0 ? static_cast<double>(total - done) / rate : 0;
        line = fmt::format("\r{} [{:<{}}] {}/{}  {:.0f}/s  {:.0f} s left ", m_label, std::string(static_cast<std::size_t>(std::min(filled, width)), '#'),
                           width, done, total, rate, left);
    } else {
        line = fmt::format("\r{} {}  {:.0f}/s ", m_label, done, rate);
    }
    std::fputs(line.c_str(), stderr);
    m_shown = true;
}

void ProgressLine::finish() {
    if (m_shown) std::fputs("\n", stderr);
    m_shown = false;
}

}  // namespace onemap::app
