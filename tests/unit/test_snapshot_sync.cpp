// onemap sync (data/bundle/snapshot_sync.hpp): from a path and over HTTP — round trip, up to date, and every
// way a snapshot can be bad, each leaving the old bundle byte for byte as it was.
#include "data/bundle/bundle.hpp"
#include "data/bundle/bundle_swap.hpp"
#include "data/household/privacy.hpp"
#include "data/bundle/snapshot_manifest.hpp"
#include "data/bundle/snapshot_sync.hpp"
#include "fixtures.hpp"
#include "snapshot_fixtures.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <functional>
#include <regex>
#include <thread>

using namespace onemap;
using namespace onemap::data;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

struct Dirs {
    fs::path root, published, kiosk;
    fs::path snapshot() const { return published / "snap.gpkg"; }
    fs::path bundle() const { return kiosk / "kiosk.gpkg"; }
};

Dirs dirs_for(const std::string& name) {
    Dirs d;
    d.root = test::temp_dir() / ("sync-" + name);
    fs::remove_all(d.root);
    d.published = d.root / "published";
    d.kiosk = d.root / "kiosk";
    fs::create_directories(d.published);
    fs::create_directories(d.kiosk);
    return d;
}

// The published snapshot: the demo test bundle (a real one, ~ MBs) with its manifest.
SnapshotManifest publish_demo(const Dirs& d) {
    fs::copy_file(test::test_bundle(), d.snapshot(), fs::copy_options::overwrite_existing);
    return write_snapshot_manifest(d.snapshot(), "test", "4102");
}

// A different, small bundle already in the kiosk's place.
std::string install_old_bundle(const Dirs& d) {
    create_empty_bundle(d.bundle());
    {
        Bundle b = Bundle::open(d.bundle(), OpenMode::ReadWrite);
        b.set_meta("created_by", "the old one");
    }
    return sha256_file(d.bundle());
}

// The files in a folder, but for writer locks (.NAME.lock: they stay by design, empty of data;
// data/bundle/writer_lock.hpp).
std::vector<std::string> names_in(const fs::path& dir) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) {
        const std::string name = e.path().filename().string();
        if (name.front() == '.' && name.size() > 5 && name.substr(name.size() - 5) == ".lock") continue;
        out.push_back(name);
    }
    std::sort(out.begin(), out.end());
    return out;
}

SyncError sync_error(const SyncOptions& opt) {
    try {
        sync_snapshot(opt);
    } catch (const SyncError& e) {
        return e;
    }
    ADD_FAILURE() << "sync from " << opt.from << " succeeded";
    return SyncError(SyncFailure::Local, "");
}

void write_text(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary | std::ios::trunc) << text; }

// Every refusal: the old bundle keeps its bytes, and nothing but it is left in the kiosk's folder.
void expect_untouched(const Dirs& d, const std::string& old_hash) {
    EXPECT_EQ(sha256_file(d.bundle()), old_hash) << "the old bundle changed";
    EXPECT_EQ(names_in(d.kiosk), std::vector<std::string>{"kiosk.gpkg"}) << "a part file or manifest was left behind";
}

}  // namespace

TEST(SnapshotSync, FromAPathTheBundleBecomesByteEqualToTheSnapshot) {
    const Dirs d = dirs_for("roundtrip");
    const SnapshotManifest m = publish_demo(d);
    SyncOptions opt;
    opt.from = d.snapshot().string();
    opt.bundle = d.bundle();
    std::uint64_t last = 0;
    opt.progress = [&](std::uint64_t done, std::uint64_t total) {
        EXPECT_EQ(total, m.size);
        last = done;
    };
    const SyncResult r = sync_snapshot(opt);
    EXPECT_EQ(r.outcome, SyncOutcome::Updated);
    EXPECT_EQ(r.bytes, m.size);
    EXPECT_EQ(last, m.size);
    EXPECT_EQ(r.manifest, m);
    EXPECT_TRUE(test::read_file(d.bundle()) == test::read_file(d.snapshot())) << "synced bundle differs from the snapshot";
    EXPECT_EQ(read_snapshot_manifest(manifest_path(d.bundle())), m);
    EXPECT_EQ(names_in(d.kiosk), (std::vector<std::string>{"kiosk.gpkg", "kiosk.gpkg.manifest.json"}));
    EXPECT_NO_THROW(Bundle::open(d.bundle(), OpenMode::ReadOnly));
}

TEST(SnapshotSync, TheSameSnapshotAgainIsUpToDateAndWritesNothing) {
    const Dirs d = dirs_for("uptodate");
    publish_demo(d);
    SyncOptions opt;
    opt.from = d.snapshot().string();
    opt.bundle = d.bundle();
    ASSERT_EQ(sync_snapshot(opt).outcome, SyncOutcome::Updated);
    const auto before = fs::last_write_time(d.bundle());
    struct stat st0 {};
    ::stat(d.bundle().c_str(), &st0);
    const SyncResult again = sync_snapshot(opt);
    EXPECT_EQ(again.outcome, SyncOutcome::UpToDate);
    EXPECT_EQ(again.bytes, 0u);
    struct stat st1 {};
    ::stat(d.bundle().c_str(), &st1);
    EXPECT_EQ(st0.st_ino, st1.st_ino) << "the bundle was replaced";
    EXPECT_EQ(fs::last_write_time(d.bundle()), before);
    // Without the local manifest, the bundle itself is hashed: still up to date, and the manifest is back.
    fs::remove(manifest_path(d.bundle()));
    EXPECT_EQ(sync_snapshot(opt).outcome, SyncOutcome::UpToDate);
    EXPECT_TRUE(fs::exists(manifest_path(d.bundle())));
}

TEST(SnapshotSync, AReaderOfTheOldFileKeepsReadingItAcrossTheSwap) {
    const Dirs d = dirs_for("reader");
    publish_demo(d);
    install_old_bundle(d);
    const Bundle reader = Bundle::open(d.bundle(), OpenMode::ReadOnly);  // as a running kiosk holds it
    SyncOptions opt;
    opt.from = d.snapshot().string();
    opt.bundle = d.bundle();
    ASSERT_EQ(sync_snapshot(opt).outcome, SyncOutcome::Updated);
    EXPECT_EQ(reader.meta("created_by"), "the old one") << "the open file is the old inode, whole";
    EXPECT_EQ(reader.quick_check(), "ok");
    const Bundle fresh = Bundle::open(d.bundle(), OpenMode::ReadOnly);
    EXPECT_NE(fresh.meta("created_by"), "the old one") << "a new open sees the new file";
}

namespace {

// Publish the demo snapshot, put another bundle in the kiosk's place, spoil the snapshot or its
// manifest with `spoil`, sync: it must fail with `failure`, say `needle`, and leave the old bundle.
void expect_refused(const std::string& name, const std::function<void(const Dirs&, SnapshotManifest&)>& spoil, SyncFailure failure,
                    const std::string& needle) {
    const Dirs d = dirs_for(name);
    SnapshotManifest m = publish_demo(d);
    const std::string old_hash = install_old_bundle(d);
    spoil(d, m);
    SyncOptions opt;
    opt.from = d.snapshot().string();
    opt.bundle = d.bundle();
    bool progressed = false;
    opt.progress = [&](std::uint64_t, std::uint64_t) { progressed = true; };
    const SyncError e = sync_error(opt);
    EXPECT_EQ(e.failure(), failure) << e.what();
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(d.snapshot().string()), std::string::npos) << "names the snapshot, not the part file: " << e.what();
    if (needle == "newer") {
        EXPECT_FALSE(progressed) << "refused before anything was downloaded";
    }
    expect_untouched(d, old_hash);
}

}  // namespace

TEST(SnapshotSync, ATruncatedSnapshotIsRefusedAndTheOldBundleStays) {
    expect_refused("truncated", [](const Dirs& d, SnapshotManifest& m) { fs::resize_file(d.snapshot(), m.size - 4096); }, SyncFailure::Refused,
                   "(truncated: an incomplete transfer) [size]");
}

TEST(SnapshotSync, CorruptBytesOfTheRightSizeAreRefused) {
    expect_refused("corrupt", [](const Dirs& d, SnapshotManifest& m) {
        std::fstream f(d.snapshot(), std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(static_cast<std::streamoff>(m.size / 3));
        f.write("\x01\x02\x03\x04\x05\x06\x07\x08", 8);
    }, SyncFailure::Refused, "[hash]");
}

TEST(SnapshotSync, AManifestWithTheWrongHashIsRefused) {
    expect_refused("wronghash", [](const Dirs& d, SnapshotManifest& m) {
        m.sha256 = sha256_hex("not this file");
        write_manifest_file(manifest_path(d.snapshot()), m);
    }, SyncFailure::Refused, "[hash]");
}

TEST(SnapshotSync, ALongerFileThanTheManifestSaysIsRefusedWithoutReadingItAll) {
    expect_refused("longer", [](const Dirs& d, SnapshotManifest&) {
        std::ofstream(d.snapshot(), std::ios::binary | std::ios::app) << std::string(10000, 'x');
    }, SyncFailure::Refused, "longer than the");
}

TEST(SnapshotSync, ANewerSchemaIsRefusedBeforeAnythingIsDownloaded) {
    expect_refused("newer", [](const Dirs& d, SnapshotManifest& m) {
        m.schema_version = k_schema_version + 1;
        write_manifest_file(manifest_path(d.snapshot()), m);
    }, SyncFailure::Refused, "newer");
}

TEST(SnapshotSync, NotABundleIsRefusedEvenWhenItsManifestMatches) {
    expect_refused("notbundle", [](const Dirs& d, SnapshotManifest&) {
        write_text(d.snapshot(), std::string(50000, 'z'));
        write_manifest_file(manifest_path(d.snapshot()), test::manifest_describing(d.snapshot()));
    }, SyncFailure::Refused, "[not_bundle]");
}

TEST(SnapshotSync, ADamagedBundleWithAMatchingManifestIsRefusedByTheQuickCheck) {
    expect_refused("damaged", [](const Dirs& d, SnapshotManifest& m) {
        std::fstream f(d.snapshot(), std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(static_cast<std::streamoff>(m.size / 2));  // a page in the middle, written over
        const std::string junk(4096, '\xff');
        f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
        f.close();
        write_manifest_file(manifest_path(d.snapshot()), test::manifest_describing(d.snapshot()));
    }, SyncFailure::Refused, "[damaged]");
}

TEST(SnapshotSync, AMissingSnapshotOrManifestIsAFetchFailure) {
    const Dirs d = dirs_for("missing");
    const std::string old_hash = install_old_bundle(d);
    SyncOptions opt;
    opt.from = (d.published / "nothing.gpkg").string();
    opt.bundle = d.bundle();
    SyncError e = sync_error(opt);
    EXPECT_EQ(e.failure(), SyncFailure::Fetch);
    EXPECT_NE(std::string(e.what()).find("nothing.gpkg.manifest.json: no such file"), std::string::npos) << e.what();
    expect_untouched(d, old_hash);
    // A manifest without its bundle.
    publish_demo(d);
    fs::remove(d.snapshot());
    opt.from = d.snapshot().string();
    e = sync_error(opt);
    EXPECT_EQ(e.failure(), SyncFailure::Fetch);
    expect_untouched(d, old_hash);
    // A manifest that is not one.
    write_text(manifest_path(d.snapshot()), "<html>moved</html>");
    e = sync_error(opt);
    EXPECT_EQ(e.failure(), SyncFailure::Refused);
    EXPECT_NE(std::string(e.what()).find("not a snapshot manifest"), std::string::npos) << e.what();
    expect_untouched(d, old_hash);
}

TEST(SnapshotSync, CliExitCodesAndAKillBeforeTheRenameLeavesTheOldBundle) {
    const Dirs d = dirs_for("cli");
    const SnapshotManifest m = publish_demo(d);
    const std::string old_hash = install_old_bundle(d);
    const std::string args = "sync --from " + d.snapshot().string() + " --bundle " + d.bundle().string();
    // Killed (SIGKILL) after verifying, before the rename: the old bundle, plus a stale part file.
    const int killed = std::system(("ONEMAP_TEST_KILL_AT=sync-before-rename " + std::string(ONEMAP_BINARY) + " " + args + " >/dev/null 2>&1").c_str());
    EXPECT_NE(killed, 0);
    EXPECT_EQ(sha256_file(d.bundle()), old_hash);
    EXPECT_EQ(names_in(d.kiosk).size(), 2u) << "the killed sync's part file";
    // The next sync clears it and swaps the snapshot in.
    auto r = test::run_onemap(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("updated to sha256 " + m.sha256.substr(0, 16)), std::string::npos) << r.out;
    EXPECT_EQ(names_in(d.kiosk), (std::vector<std::string>{"kiosk.gpkg", "kiosk.gpkg.manifest.json"}));
    EXPECT_EQ(r.err, "") << "quiet in a pipe: no progress line";
    r = test::run_onemap(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("up to date"), std::string::npos) << r.out;
    // Refused: exit 4, one line naming the check. (A newer snapshot, published, then cut short.)
    {
        Bundle b = Bundle::open(d.snapshot(), OpenMode::ReadWrite);
        b.set_meta("created_by", "a newer one");
    }
    const SnapshotManifest newer = write_snapshot_manifest(d.snapshot(), "test", "");
    fs::resize_file(d.snapshot(), newer.size / 2);
    const std::string synced = sha256_file(d.bundle());
    r = test::run_onemap(args);
    EXPECT_EQ(r.exit_code, 4) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find("[size]"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("unchanged"), std::string::npos) << r.err;
    EXPECT_EQ(sha256_file(d.bundle()), synced);
    // Cannot fetch: exit 3.
    r = test::run_onemap("sync --from " + (d.published / "gone.gpkg").string() + " --bundle " + d.bundle().string());
    EXPECT_EQ(r.exit_code, 3) << r.err;
}

// ── Over HTTP ─────────────────────────────────────────────────────────────────────────────────────

namespace {

int free_port() {
    const int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(s);
    return ntohs(a.sin_port);
}

bool port_open(int port) {
    const int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    const bool ok = ::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(s);
    return ok;
}

// Debian's Python serving a folder on a loopback port (python3 is in scripts/packages.txt); the
// process is stopped when this goes out of scope.
class PythonHttpServer {
public:
    explicit PythonHttpServer(const fs::path& dir) : m_port(free_port()) {
        m_pid = ::fork();
        if (m_pid == 0) {
            const std::string port = std::to_string(m_port), folder = dir.string();
            const int null = ::open("/dev/null", O_WRONLY);
            ::dup2(null, 1);
            ::dup2(null, 2);
            ::execl(k_python, k_python, "-m", "http.server", "--bind", "127.0.0.1", port.c_str(), "--directory", folder.c_str(), nullptr);
            ::_exit(127);
        }
        for (int i = 0; i < 200 && !port_open(m_port); ++i) std::this_thread::sleep_for(50ms);
    }
    ~PythonHttpServer() { stop(); }
    void stop() {
        if (m_pid > 0) {
            ::kill(m_pid, SIGTERM);
            ::waitpid(m_pid, nullptr, 0);
            m_pid = -1;
        }
    }
    bool running() const { return port_open(m_port); }
    std::string url(const std::string& name) const { return "http://127.0.0.1:" + std::to_string(m_port) + "/" + name; }
    static constexpr const char* k_python = "/usr/bin/python3";
private:
    int m_port;
    pid_t m_pid = -1;
};

// A loopback HTTP server of our own for what a real one does only by accident: a response cut off
// mid-body (the server died), as the handler decides per path.
class ScriptedHttpServer {
public:
    struct Reply {
        int status = 200;
        std::string body;
        std::size_t send_bytes = std::string::npos;  // stop after this many body bytes and close
    };
    explicit ScriptedHttpServer(std::function<Reply(const std::string& path)> handler) : m_handler(std::move(handler)) {
        m_listen = ::socket(AF_INET, SOCK_STREAM, 0);
        const int one = 1;
        ::setsockopt(m_listen, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(m_listen, reinterpret_cast<sockaddr*>(&a), sizeof a);
        socklen_t len = sizeof a;
        ::getsockname(m_listen, reinterpret_cast<sockaddr*>(&a), &len);
        m_port = ntohs(a.sin_port);
        ::listen(m_listen, 8);
        m_thread = std::thread([this] { serve(); });
    }
    ~ScriptedHttpServer() {
        m_stop = true;
        m_thread.join();
        ::close(m_listen);
    }
    std::string url(const std::string& name) const { return "http://127.0.0.1:" + std::to_string(m_port) + "/" + name; }
    int requests() const { return m_requests; }

private:
    void serve() {
        while (!m_stop) {
            pollfd p{m_listen, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            const int c = ::accept(m_listen, nullptr, nullptr);
            if (c < 0) continue;
            std::string request;
            char buf[4096];
            while (request.find("\r\n\r\n") == std::string::npos) {
                const ssize_t n = ::recv(c, buf, sizeof buf, 0);
                if (n <= 0) break;
                request.append(buf, static_cast<std::size_t>(n));
            }
            ++m_requests;
            const auto sp1 = request.find(' '), sp2 = request.find(' ', sp1 + 1);
            const std::string path = sp1 == std::string::npos ? "/" : request.substr(sp1 + 1, sp2 - sp1 - 1);
            const Reply r = m_handler(path);
            const std::string head = "HTTP/1.1 " + std::to_string(r.status) + (r.status == 200 ? " OK" : " Error") +
                                     "\r\nContent-Length: " + std::to_string(r.body.size()) + "\r\nConnection: close\r\n\r\n";
            ::send(c, head.data(), head.size(), MSG_NOSIGNAL);
            const std::size_t n = std::min(r.send_bytes, r.body.size());
            for (std::size_t off = 0; off < n;) {
                const ssize_t w = ::send(c, r.body.data() + off, std::min<std::size_t>(65536, n - off), MSG_NOSIGNAL);
                if (w <= 0) break;
                off += static_cast<std::size_t>(w);
            }
            ::close(c);
        }
    }
    std::function<Reply(const std::string&)> m_handler;
    int m_listen = -1, m_port = 0;
    std::atomic<bool> m_stop{false};
    std::atomic<int> m_requests{0};
    std::thread m_thread;
};

}  // namespace

TEST(SnapshotSyncHttp, FromAPythonHttpServerRoundTripUpToDateAnd404) {
    ASSERT_TRUE(fs::exists(PythonHttpServer::k_python)) << "needs Debian's python3 (scripts/packages.txt; sudo apt-get install python3)";
    const Dirs d = dirs_for("http");
    const SnapshotManifest m = publish_demo(d);
    const std::string old_hash = install_old_bundle(d);
    PythonHttpServer server(d.published);
    ASSERT_TRUE(server.running()) << "python3 -m http.server did not start";
    SyncOptions opt;
    opt.bundle = d.bundle();
    // 404: nothing of that name on the server.
    opt.from = server.url("nothing.gpkg");
    SyncError e = sync_error(opt);
    EXPECT_EQ(e.failure(), SyncFailure::Fetch);
    EXPECT_NE(std::string(e.what()).find("HTTP 404"), std::string::npos) << e.what();
    expect_untouched(d, old_hash);
    // The real snapshot.
    opt.from = server.url("snap.gpkg");
    const SyncResult r = sync_snapshot(opt);
    EXPECT_EQ(r.outcome, SyncOutcome::Updated);
    EXPECT_EQ(r.bytes, m.size);
    EXPECT_TRUE(test::read_file(d.bundle()) == test::read_file(d.snapshot())) << "synced bundle differs from the snapshot";
    EXPECT_EQ(sync_snapshot(opt).outcome, SyncOutcome::UpToDate);
    // The data centre goes away: a fetch failure, the bundle as it was.
    const std::string synced = sha256_file(d.bundle());
    server.stop();
    write_snapshot_manifest(d.snapshot(), "test", "");  // (would be news, were it reachable)
    e = sync_error(opt);
    EXPECT_EQ(e.failure(), SyncFailure::Fetch);
    EXPECT_EQ(sha256_file(d.bundle()), synced);
}

TEST(SnapshotSyncHttp, AServerThatDiesMidTransferLeavesTheOldBundle) {
    const Dirs d = dirs_for("http-cut");
    const SnapshotManifest m = publish_demo(d);
    const std::string old_hash = install_old_bundle(d);
    const std::string manifest = test::read_file(manifest_path(d.snapshot())), bundle = test::read_file(d.snapshot());
    ScriptedHttpServer server([&](const std::string& path) {
        ScriptedHttpServer::Reply r;
        if (path == "/snap.gpkg.manifest.json") {
            r.body = manifest;
        } else if (path == "/snap.gpkg") {
            r.body = bundle;
            r.send_bytes = bundle.size() / 2;  // Content-Length says all, half arrives, the connection closes
        } else {
            r.status = 404;
        }
        return r;
    });
    SyncOptions opt;
    opt.from = server.url("snap.gpkg");
    opt.bundle = d.bundle();
    const SyncError e = sync_error(opt);
    EXPECT_EQ(e.failure(), SyncFailure::Fetch) << e.what();
    EXPECT_NE(std::string(e.what()).find(opt.from), std::string::npos) << e.what();
    expect_untouched(d, old_hash);
    EXPECT_EQ(server.requests(), 2) << "manifest, then the bundle";
    (void)m;
}

TEST(SnapshotSyncHttp, AServerSendingOtherBytesIsRefusedByTheHash) {
    const Dirs d = dirs_for("http-corrupt");
    publish_demo(d);
    const std::string old_hash = install_old_bundle(d);
    const std::string manifest = test::read_file(manifest_path(d.snapshot()));
    std::string bundle = test::read_file(d.snapshot());
    bundle[bundle.size() / 2] ^= 0x5a;  // one flipped byte, as a bad proxy or disk might
    ScriptedHttpServer server([&](const std::string& path) {
        ScriptedHttpServer::Reply r;
        r.body = path == "/snap.gpkg.manifest.json" ? manifest : bundle;
        return r;
    });
    SyncOptions opt;
    opt.from = server.url("snap.gpkg");
    opt.bundle = d.bundle();
    const SyncError e = sync_error(opt);
    EXPECT_EQ(e.failure(), SyncFailure::Refused);
    EXPECT_NE(std::string(e.what()).find("[hash]"), std::string::npos) << e.what();
    expect_untouched(d, old_hash);
}
