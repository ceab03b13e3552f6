// Sanitizer builds only (cmake/BuildPolicy.cmake links this into every executable): dlclose() does
// nothing, so the libraries that Mesa's GL drivers load (llvmpipe under Xvfb) stay mapped until
// the process ends. LeakSanitizer then names them in its reports — and tests/sanitizers/lsan.supp
// can suppress what the drivers themselves leak — instead of blaming an "<unknown module>" that
// cannot be told from onemap's own code. A definition in the executable takes the place of libc's
// for every library loaded into it.
extern "C" int dlclose(void*) { return 0; }
