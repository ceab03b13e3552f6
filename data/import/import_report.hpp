#pragma once
// What an import did, item by item: the summary printed at the end and the --report CSV.
// Items name the file, layer, feature or row, field, what was found and what was expected — never a
// household's ID number, name or amounts (`found` is left generic for people's data).
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace onemap::data {

// A whole-file refusal (nothing imported), worded for the clerk who gave us the file.
class ImportError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

enum class Outcome { Repaired, Rejected, Warning, Skipped };
std::string_view outcome_key(Outcome o);  // "repaired", "rejected", "warning", "skipped"

struct ReportItem {
    Outcome outcome = Outcome::Warning;
    std::string reason;    // short and countable: "invalid ring repaired", "duplicate code" …
    std::string file;
    std::string layer;
    std::string item;      // "feature 12" / "row 7"
    std::string field;
    std::string found;
    std::string expected;
};

struct ImportSummary {
    std::string what;                 // "boundaries (county)", "indicators" …
    std::string bundle;
    std::int64_t read = 0;
    std::int64_t imported = 0;
    std::int64_t repaired = 0;
    std::int64_t rejected = 0;         // rows (or features) with at least one rejected value
    std::int64_t rejected_values = 0;  // rejected items: a wide table's row can lose several values
    std::int64_t warnings = 0;
    std::map<std::string, std::int64_t> by_reason;  // reason → count
    std::vector<ReportItem> items;
    std::vector<std::string> notes;   // encoding, CRS, what happened to the bundle
    bool committed = false;
    double seconds = 0;

    void add(ReportItem item);

private:
    std::set<std::string> m_rejected_rows;  // file|layer|item
};

std::string to_text(const ImportSummary& s);  // the end-of-run summary, a few lines
// Writes every item as CSV (UTF-8 with BOM so spreadsheet programs show Chinese). Throws ImportError.
void write_report_csv(const ImportSummary& s, const std::filesystem::path& path);

// Progress of a long step: done and total items (total -1 when unknown). Called often; cheap.
using ProgressFn = std::function<void(std::int64_t done, std::int64_t total)>;

}  // namespace onemap::data
