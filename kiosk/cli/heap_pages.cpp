#include "kiosk/cli/heap_pages.hpp"

#include <cstdint>
#include <cstdlib>
#include <vector>

#if defined(__GLIBC__) && defined(__linux__)
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace onemap::app {

bool use_huge_heap_pages(std::size_t bytes) {
#if defined(__GLIBC__) && defined(__linux__) && defined(MADV_HUGEPAGE)
    constexpr std::size_t k_huge = std::size_t{2} << 20;
    constexpr std::size_t k_piece = std::size_t{16} << 20;
    // every thread in the main arena, allocations up to glibc's largest threshold (32 MiB) from the
    // heap, and the heap never given back while the process runs
    mallopt(M_ARENA_MAX, 1);
    mallopt(M_MMAP_THRESHOLD, static_cast<int>(std::size_t{32} << 20));
    mallopt(M_TRIM_THRESHOLD, static_cast<int>(std::size_t{1} << 30));
    // grow the heap by `bytes` (pieces under the threshold come from sbrk), then free it: it stays
    // as the heap's free top, untouched
    std::vector<void*> pieces;
    pieces.reserve(bytes / k_piece + 1);
    for (std::size_t got = 0; got < bytes; got += k_piece) {
        void* p = std::malloc(k_piece - 4096);
        if (!p) break;
        pieces.push_back(p);
    }
    if (pieces.empty()) return false;
    const auto low = reinterpret_cast<std::uintptr_t>(pieces.front());
    for (auto it = pieces.rbegin(); it != pieces.rend(); ++it) std::free(*it);
    const auto high = reinterpret_cast<std::uintptr_t>(sbrk(0));
    const std::uintptr_t from = (low + k_huge - 1) & ~(k_huge - 1), to = high & ~(k_huge - 1);
    if (to <= from) return false;
    void* range = reinterpret_cast<void*>(from);
    if (madvise(range, to - from, MADV_HUGEPAGE) != 0) return false;
    // Growing the heap wrote a chunk header every piece, which mapped a small page in each of those
    // 2 MiB stretches — and a stretch with a small page in it is never given a huge one. All of it is
    // free top of the heap now (malloc keeps nothing there but the header below `from`): drop those
    // pages so that every stretch starts empty.
    madvise(range, to - from, MADV_DONTNEED);
    return true;
#else
    (void)bytes;
    return false;
#endif
}

}  // namespace onemap::app
