// `onemap keygen --out FILE`: a new household look-up key, kept outside the bundle.
#include "data/household/household_key.hpp"
#include "data/import/import_report.hpp"
#include "kiosk/cli/commands.hpp"

#include <fmt/format.h>

#include <memory>

namespace onemap::app {

void add_keygen_command(CLI::App& app, ExitCode& exit) {
    auto out = std::make_shared<std::string>();
    CLI::App* cmd = app.add_subcommand("keygen", "生成户查询密钥 / new household key file (keep it OUTSIDE the bundle, mode 0600)");
    cmd->add_option("--out", *out, "key file to create (never overwritten)")->required();
    cmd->callback([out, &exit] {
        try {
            const data::Key key = data::generate_key();
            data::save_key_file(*out, key);
            fmt::print("{}: new household key, fingerprint {}. Keep it outside the bundle and back it up: without it imported "
                       "households cannot be found.\n", *out, data::key_fingerprint(key));
        } catch (const data::ImportError& e) {
            fmt::print(stderr, "onemap keygen: {}\n", e.what());
            exit.value = 2;
        }
    });
}

}  // namespace onemap::app
