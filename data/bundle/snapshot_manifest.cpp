#include "snapshot_manifest.hpp"

#include "data/bundle/bundle.hpp"
#include "data/bundle/text_format.hpp"

#include <cpl_error.h>
#include <cpl_json.h>
#include <openssl/evp.h>

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <memory>
#include <vector>

namespace onemap::data {

namespace {

namespace fs = std::filesystem;

bool is_hex64(std::string_view s) {
    return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// Bundle::open's refusals, sorted by what they mean for a snapshot.
SnapshotError classify(const BundleError& e) {
    const std::string_view what = e.what();
    if (what.find("newer than this onemap") != std::string_view::npos) return {SnapshotCheck::SchemaNewer, e.what()};
    if (what.find("not an onemap bundle") != std::string_view::npos || what.find("no such bundle") != std::string_view::npos) {
        return {SnapshotCheck::NotBundle, e.what()};
    }
    return {SnapshotCheck::Damaged, e.what()};
}

void fsync_fd_path(const fs::path& p) {
    const int fd = ::open(p.string().c_str(), O_RDONLY);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

}  // namespace

std::string_view snapshot_check_key(SnapshotCheck check) {
    switch (check) {
        case SnapshotCheck::Manifest: return "manifest";
        case SnapshotCheck::Size: return "size";
        case SnapshotCheck::Hash: return "hash";
        case SnapshotCheck::NotBundle: return "not_bundle";
        case SnapshotCheck::SchemaNewer: return "schema_newer";
        case SnapshotCheck::Damaged: return "damaged";
    }
    return "?";
}

fs::path manifest_path(const fs::path& bundle) { return fs::path(bundle.string() + ".manifest.json"); }

std::string sha256_file(const fs::path& file, const ByteProgress& progress) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error(fmt::format("{}: cannot read", file.string()));
    std::error_code ec;
    const auto total = fs::file_size(file, ec);
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) throw std::runtime_error("SHA-256 unavailable (OpenSSL)");
    std::vector<char> buf(1 << 20);
    std::uint64_t done = 0;
    while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        const auto n = static_cast<std::size_t>(in.gcount());
        if (n == 0) break;
        EVP_DigestUpdate(ctx.get(), buf.data(), n);
        done += n;
        if (progress) progress(done, ec ? 0 : total);
    }
    if (in.bad()) throw std::runtime_error(fmt::format("{}: read error after {} bytes", file.string(), done));
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx.get(), md, &len);
    static constexpr char k_digits[] = "0123456789abcdef";
    std::string hex(2 * len, '0');
    for (unsigned i = 0; i < len; ++i) {
        hex[2 * i] = k_digits[md[i] >> 4];
        hex[2 * i + 1] = k_digits[md[i] & 15];
    }
    return hex;
}

std::string redact_source(std::string_view source) {
    std::string s(source);
    // URL form: scheme://user:password@host… → scheme://user@host…
    if (const auto scheme = s.find("://"); scheme != std::string::npos) {
        const auto start = scheme + 3;
        const auto end = std::min(s.find_first_of("/?#", start), s.size());
        const auto at = s.rfind('@', end);
        if (at != std::string::npos && at >= start) {
            const auto colon = s.find(':', start);
            if (colon != std::string::npos && colon < at) s.erase(colon, at - colon);
        }
    }
    // Key/value form (libpq "host=… password=…") and query parameters (?password=…&…).
    for (;;) {
        std::string lower = s;
        std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        const auto key = lower.find("password=");
        if (key == std::string::npos) break;
        auto end = key + 9;
        if (end < s.size() && s[end] == '\'') {  // quoted value, \' escapes a quote
            ++end;
            while (end < s.size() && s[end] != '\'') end += s[end] == '\\' ? 2 : 1;
            end = std::min(end + 1, s.size());
        } else {
            end = std::min(s.find_first_of(" &;#", end), s.size());
        }
        auto begin = key;
        if (end < s.size() && (s[end] == ' ' || s[end] == '&' || s[end] == ';')) {
            ++end;  // take the separator after it
        } else if (begin > 0 && (s[begin - 1] == ' ' || s[begin - 1] == '&')) {
            --begin;  // last item: take the separator before it
        }
        s.erase(begin, end - begin);
    }
    if (!s.empty() && (s.back() == '?' || s.back() == ' ')) s.pop_back();
    return s;
}

SnapshotManifest make_snapshot_manifest(const fs::path& bundle, std::string_view source, std::string_view region) {
    SnapshotManifest m;
    try {
        const Bundle b = Bundle::open(bundle, OpenMode::ReadOnly);
        m.schema_version = b.schema_version();
    } catch (const BundleError& e) {
        throw classify(e);
    }
    m.size = fs::file_size(bundle);
    m.sha256 = sha256_file(bundle);
    m.created = utc_now_iso();
    m.source = redact_source(source);
    m.region = std::string(region);
    return m;
}

SnapshotManifest write_snapshot_manifest(const fs::path& bundle, std::string_view source, std::string_view region) {
    SnapshotManifest m = make_snapshot_manifest(bundle, source, region);
    write_manifest_file(manifest_path(bundle), m);
    return m;
}

void write_manifest_file(const fs::path& path, const SnapshotManifest& manifest) {
    const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
    const fs::path tmp = dir / fmt::format(".{}.tmp-{}", path.filename().string(), ::getpid());
    try {
        {
            std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
            if (!out) throw std::runtime_error(fmt::format("{}: cannot write the manifest", path.string()));
            out << to_json(manifest) << '\n';
            out.close();
            if (!out) throw std::runtime_error(fmt::format("{}: cannot write the manifest (disk full?)", path.string()));
        }
        fsync_fd_path(tmp);
        fs::rename(tmp, path);
        fsync_fd_path(dir);
    } catch (...) {
        std::error_code ec;
        fs::remove(tmp, ec);
        throw;
    }
}

std::string to_json(const SnapshotManifest& m) {
    return fmt::format("{{\"format\":{},\"sha256\":{},\"size\":{},\"created\":{},\"source\":{},\"region\":{},\"schema_version\":{}}}",
                       json_string(m.format), json_string(m.sha256), m.size, json_string(m.created), json_string(m.source),
                       json_string(m.region), m.schema_version);
}

SnapshotManifest parse_snapshot_manifest(std::string_view json, std::string_view origin) {
    auto fail = [&](const std::string& why) { return SnapshotError(SnapshotCheck::Manifest, fmt::format("{}: {}", origin, why)); };
    CPLJSONDocument doc;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    const bool ok = doc.LoadMemory(std::string(json));
    CPLPopErrorHandler();
    const CPLJSONObject root = doc.GetRoot();
    if (!ok || !root.IsValid() || root.GetType() != CPLJSONObject::Type::Object) throw fail("not a snapshot manifest (not a JSON object)");
    auto text = [&](const char* key, bool required) {
        const CPLJSONObject v = root.GetObj(key);
        if (!v.IsValid() || v.GetType() == CPLJSONObject::Type::Null) {
            if (required) throw fail(fmt::format("manifest field '{}' is missing", key));
            return std::string();
        }
        if (v.GetType() != CPLJSONObject::Type::String) throw fail(fmt::format("manifest field '{}' must be a string", key));
        return v.ToString();
    };
    auto integer = [&](const char* key) {
        const CPLJSONObject v = root.GetObj(key);
        if (!v.IsValid()) throw fail(fmt::format("manifest field '{}' is missing", key));
        if (v.GetType() != CPLJSONObject::Type::Integer && v.GetType() != CPLJSONObject::Type::Long) {
            throw fail(fmt::format("manifest field '{}' must be a whole number", key));
        }
        const GInt64 n = v.ToLong(-1);
        if (n < 0) throw fail(fmt::format("manifest field '{}' must not be negative", key));
        return n;
    };
    SnapshotManifest m;
    m.format = text("format", true);
    if (m.format != k_snapshot_format) {
        throw fail(fmt::format("manifest format '{}' is not {} (a newer onemap wrote it?)", m.format, k_snapshot_format));
    }
    m.sha256 = text("sha256", true);
    std::transform(m.sha256.begin(), m.sha256.end(), m.sha256.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (!is_hex64(m.sha256)) throw fail("manifest field 'sha256' must be 64 hex digits");
    m.size = static_cast<std::uint64_t>(integer("size"));
    m.created = text("created", true);
    m.source = text("source", false);
    m.region = text("region", false);
    const GInt64 schema = integer("schema_version");
    if (schema < 1 || schema > 1'000'000) throw fail("manifest field 'schema_version' must be 1 or more");
    m.schema_version = static_cast<int>(schema);
    return m;
}

SnapshotManifest read_snapshot_manifest(const fs::path& manifest_file) {
    std::error_code ec;
    if (!fs::is_regular_file(manifest_file, ec)) throw SnapshotError(SnapshotCheck::Manifest, fmt::format("{}: no such manifest", manifest_file.string()));
    std::ifstream in(manifest_file, std::ios::binary);
    std::string text;
    char buf[4096];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        text.append(buf, static_cast<std::size_t>(in.gcount()));
        if (text.size() > (1 << 20)) throw SnapshotError(SnapshotCheck::Manifest, fmt::format("{}: too large for a manifest", manifest_file.string()));
    }
    return parse_snapshot_manifest(text, manifest_file.string());
}

void verify_snapshot(const fs::path& bundle, const SnapshotManifest& manifest, bool quick_check) {
    const std::string name = bundle.string();
    if (manifest.format != k_snapshot_format) {
        throw SnapshotError(SnapshotCheck::Manifest, fmt::format("{}: manifest format '{}' is not {}", name, manifest.format, k_snapshot_format));
    }
    if (manifest.schema_version > k_schema_version) {
        throw SnapshotError(SnapshotCheck::SchemaNewer, fmt::format("{}: snapshot schema v{} is newer than this onemap understands (v{}); update onemap",
                                                                    name, manifest.schema_version, k_schema_version));
    }
    std::error_code ec;
    const auto size = fs::file_size(bundle, ec);
    if (ec) throw SnapshotError(SnapshotCheck::NotBundle, fmt::format("{}: no such bundle file", name));
    if (size != manifest.size) {
        throw SnapshotError(SnapshotCheck::Size, fmt::format("{}: {} bytes where the manifest says {} ({})", name, size, manifest.size,
                                                             size < manifest.size ? "truncated: an incomplete transfer" : "longer than published"));
    }
    const std::string hash = sha256_file(bundle);
    if (hash != manifest.sha256) {
        throw SnapshotError(SnapshotCheck::Hash, fmt::format("{}: SHA-256 {} where the manifest says {} (corrupted in transfer, or not this snapshot)",
                                                             name, hash.substr(0, 16), manifest.sha256.substr(0, 16)));
    }
    try {
        const Bundle b = Bundle::open(bundle, OpenMode::ReadOnly);
        if (b.schema_version() != manifest.schema_version) {
            throw SnapshotError(SnapshotCheck::Manifest, fmt::format("{}: bundle schema v{} where the manifest says v{}", name,
                                                                     b.schema_version(), manifest.schema_version));
        }
        if (quick_check) {
            const std::string result = b.quick_check();
            if (result != "ok") throw SnapshotError(SnapshotCheck::Damaged, fmt::format("{}: damaged bundle (SQLite quick_check: {})", name, result));
        }
    } catch (const BundleError& e) {
        throw classify(e);
    }
}

}  // namespace onemap::data
