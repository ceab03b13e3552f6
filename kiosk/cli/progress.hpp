#pragma once
// A progress line on a terminal (rows per second, time left); nothing when stderr is a pipe.
#include "data/import/import_report.hpp"

#include <chrono>
#include <string>

namespace onemap::app {

class ProgressLine {
public:
    explicit ProgressLine(std::string label);
    ~ProgressLine();
    data::ProgressFn callback();
    void finish();
private:
    void update(std::int64_t done, std::int64_t total);
    std::string m_label;
    bool m_tty = false;
    bool m_shown = false;
    std::chrono::steady_clock::time_point m_start, m_last;
};

}  // namespace onemap::app
