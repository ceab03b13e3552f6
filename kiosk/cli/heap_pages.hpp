#pragma once
// Large pages for the heap of a short-lived command (`onemap render`).
//
// A fresh process that draws a province touches a few hundred MB once — the scene's arrays, the GL
// driver's copies of them, Mesa llvmpipe's binned triangles, the framebuffer — and with 4 KiB pages
// every first touch is a page fault (about 40,000 of them for a village PNG; several µs each on a
// virtual machine). This reserves `bytes` at the top of glibc's main heap, keeps it there (no trim,
// one arena for every thread, allocations up to 32 MiB from the heap) and asks the kernel for
// transparent huge pages over it (MADV_HUGEPAGE; honoured where THP is `always` or `madvise`). The
// reservation is address space only: memory is committed when first touched, as before, 2 MiB at a
// time. Where glibc or madvise are missing it does nothing. Call it first thing, once, while the
// process has one thread and no malloc interposer: it drops the pages of the heap's free top, and an
// allocation made there between its frees and that (by another thread, or by a tracer such as
// heaptrack) would be lost — under heaptrack the process aborts with "malloc(): invalid next size").
#include <cstddef>

namespace onemap::app {

// Returns whether the kernel accepted the advice.
bool use_huge_heap_pages(std::size_t bytes = std::size_t{512} << 20);

}  // namespace onemap::app
