// onemap: the launcher. `onemap render …` runs onemap-render, anything else onemap-full, both found
// next to this file, with the same arguments (argv[0] included, so help and errors still say
// "onemap"). It links nothing but libc: choosing costs well under a millisecond, where loading
// GDAL for a command that doesn't use it costs 60–70 ms (see kiosk/CMakeLists.txt).
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <string>
#include <unistd.h>

int main(int argc, char** argv) {
    (void)argc;
    std::string dir;
    char self[PATH_MAX];
    const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        dir.assign(self, static_cast<std::size_t>(n));
    } else if (argv[0] && std::strchr(argv[0], '/')) {
        dir = argv[0];
    }
    const auto slash = dir.rfind('/');
    dir = slash == std::string::npos ? std::string(".") : dir.substr(0, slash);
    const bool render = argv[0] && argv[1] && std::strcmp(argv[1], "render") == 0;
    const std::string program = dir + (render ? "/onemap-render" : "/onemap-full");
    execv(program.c_str(), argv);
    std::fprintf(stderr, "onemap: cannot run %s: %s (the build or installation is incomplete)\n", program.c_str(), std::strerror(errno));
    return 127;
}
