#pragma once

// What a fuzz target asserts: a property that must hold for every input. A
// violation prints where and what, then aborts, which libFuzzer reports as a
// crash and saves the input for.

#include <cstdio>
#include <cstdlib>
#include <source_location>

namespace fuzz {

inline void require(bool holds, const char *property, std::source_location where = std::source_location::current())
{
    if (holds)
        return;
    std::fprintf(stderr, "%s:%u: property violated: %s\n", where.file_name(), unsigned(where.line()), property);
    std::abort();
}

} // namespace fuzz
