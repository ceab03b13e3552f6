#include "import_report.hpp"

#include <fmt/format.h>

#include <fstream>

namespace onemap::data {

std::string_view outcome_key(Outcome o) {
    switch (o) {
        case Outcome::Repaired: return "repaired";
        case Outcome::Rejected: return "rejected";
        case Outcome::Warning: return "warning";
        case Outcome::Skipped: return "skipped";
    }
    return "?";
}

void ImportSummary::add(ReportItem item) {
    switch (item.outcome) {
        case Outcome::Repaired: ++repaired; break;
        case Outcome::Rejected:
            ++rejected_values;
            if (m_rejected_rows.insert(item.file + '\x1f' + item.layer + '\x1f' + item.item).second) ++rejected;
            break;
        case Outcome::Warning: ++warnings; break;
        case Outcome::Skipped: break;
    }
    ++by_reason[fmt::format("{}: {}", outcome_key(item.outcome), item.reason)];
    items.push_back(std::move(item));
}

std::string to_text(const ImportSummary& s) {
    const std::string rejected = s.rejected_values > s.rejected ? fmt::format("{} ({} values)", s.rejected, s.rejected_values)
                                                                : fmt::format("{}", s.rejected);
    std::string out = fmt::format("{} → {}: read {}, imported {}, repaired {}, rejected {}, warnings {} ({:.1f} s){}\n", s.what, s.bundle,
                                  s.read, s.imported, s.repaired, rejected, s.warnings, s.seconds,
                                  s.committed ? "" : s.bundle.starts_with("postgresql:") ? " — NOTHING WRITTEN, the database is unchanged" : " — NOTHING WRITTEN, the bundle is unchanged");
    for (const auto& n : s.notes) out += fmt::format("  · {}\n", n);
    for (const auto& [reason, count] : s.by_reason) out += fmt::format("  {:>7}  {}\n", count, reason);
    return out;
}

namespace {
std::string csv_cell(const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + '"';
}
}  // namespace

void write_report_csv(const ImportSummary& s, const std::filesystem::path& path) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw ImportError(fmt::format("{}: cannot write the report file", path.string()));
    out << "\xEF\xBB\xBF" << "outcome,reason,file,layer,item,field,found,expected\n";
    for (const auto& i : s.items) {
        out << outcome_key(i.outcome) << ',' << csv_cell(i.reason) << ',' << csv_cell(i.file) << ',' << csv_cell(i.layer) << ','
            << csv_cell(i.item) << ',' << csv_cell(i.field) << ',' << csv_cell(i.found) << ',' << csv_cell(i.expected) << '\n';
    }
    if (!out) throw ImportError(fmt::format("{}: cannot write the report file", path.string()));
}

}  // namespace onemap::data
