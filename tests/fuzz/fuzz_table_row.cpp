// libFuzzer target: one table row as officials type it, through the parsing and checks the importers
// use (data/bundle/table_values.hpp) and the strict text decoding (gis/text_encoding.hpp).
//
// Input: up to four cells separated by '\t' — code, period, metric, value. Invariants checked:
// nothing crashes or reads out of bounds (ASan/UBSan), accepted rows are well formed, decoding either
// succeeds with valid UTF-8 or fails, and a parsed number is finite.
#include "data/bundle/region_codes.hpp"
#include "data/bundle/table_values.hpp"
#include "gis/text_encoding.hpp"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {
void check(bool ok) {
    if (!ok) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    std::vector<std::string_view> cells;
    std::size_t start = 0;
    while (cells.size() < 4) {
        const auto tab = input.find('\t', start);
        cells.push_back(input.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start));
        if (tab == std::string_view::npos) break;
        start = tab + 1;
    }
    while (cells.size() < 4) cells.emplace_back();

    using namespace onemap;
    for (auto cell : cells) {
        const auto n = data::parse_number(cell);
        if (n.kind == data::ParsedNumber::Kind::Number) check(std::isfinite(n.value));
        if (auto p = data::parse_period(cell)) check(p->size() == 4 || p->size() == 7);
        if (auto h = data::parse_metric_header(cell)) check(h->metric != nullptr);
        if (auto c = data::normalise_any_code(cell)) check(data::level_of_code(*c).has_value() || c->size() == 6);
        (void)data::ascii_digits(cell);
        if (auto u = gis::to_utf8(cell, "GB18030")) check(gis::is_valid_utf8(*u));
        if (auto u = gis::to_utf8(cell, "UTF-8")) check(gis::is_valid_utf8(*u) && *u == cell);
    }
    data::RowProblem problem;
    bool missing = false;
    if (auto row = data::check_indicator_row(cells[0], cells[1], cells[2], cells[3], &problem, &missing)) {
        check(!missing);
        check(data::find_metric(row->metric) != nullptr);
        check(std::isfinite(row->value));
        check(!row->code.empty() && !row->period.empty());
    } else if (!missing) {
        check(!problem.reason.empty() && !problem.expected.empty());
    }
    return 0;
}

#ifdef ONEMAP_FUZZ_REPLAY
// Without libFuzzer (GCC builds): run the target over the files given, e.g. the corpus.
#include <filesystem>
#include <fstream>
#include <iterator>
int main(int argc, char** argv) {
    int n = 0;
    for (int i = 1; i < argc; ++i) {
        std::vector<std::filesystem::path> files;
        if (std::filesystem::is_directory(argv[i])) {
            for (const auto& e : std::filesystem::directory_iterator(argv[i])) files.push_back(e.path());
        } else {
            files.emplace_back(argv[i]);
        }
        for (const auto& f : files) {
            std::ifstream in(f, std::ios::binary);
            const std::string bytes((std::istreambuf_iterator<char>(in)), {});
            LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
            ++n;
        }
    }
    std::printf("replayed %d inputs\n", n);
    return 0;
}
#endif
