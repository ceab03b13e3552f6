#include "household_key.hpp"

#include "data/import/import_report.hpp"

#include <openssl/rand.h>

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace onemap::data {

Key generate_key() {
    Key key(32);
    if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) throw ImportError("cannot get random bytes from OpenSSL for the key");
    return key;
}

void save_key_file(const std::filesystem::path& path, const Key& key) {
    const int fd = ::open(path.string().c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        throw ImportError(fmt::format("{}: cannot create the key file ({}); an existing key is never overwritten — households "
                                      "hashed with it would become unfindable", path.string(), std::strerror(errno)));
    }
    static constexpr char k_hex[] = "0123456789abcdef";
    std::string text;
    for (unsigned char c : key) {
        text.push_back(k_hex[c >> 4]);
        text.push_back(k_hex[c & 15]);
    }
    text.push_back('\n');
    const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) throw ImportError(fmt::format("{}: cannot write the key file", path.string()));
}

Key load_key_file(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) throw ImportError(fmt::format("{}: cannot read the household key file (make one with `onemap keygen --out FILE`)", path.string()));
    std::string hex;
    in >> hex;
    if (hex.size() < 32 || hex.size() % 2 != 0 || hex.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
        throw ImportError(fmt::format("{}: not a household key file (expected at least 32 hex digits)", path.string()));
    }
    Key key;
    for (std::size_t i = 0; i < hex.size(); i += 2) key.push_back(static_cast<unsigned char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    return key;
}

std::string key_fingerprint(const Key& key) { return sha256_hex(std::string(key.begin(), key.end())).substr(0, 16); }

}  // namespace onemap::data
