#pragma once

#include <sys/resource.h>

namespace meshtest {

// Tests that hold thousands of sockets in one process (both ends of every
// connection, or a child that inherits the limit) need more descriptors than
// a default soft RLIMIT_NOFILE of 1024. Below `needed`, the soft limit is
// raised to the hard one (getrlimit(2)); true when it is now at least
// `needed`. Test-only, header-only.
inline bool raiseFileLimit(rlim_t needed)
{
    rlimit files{};
    if (::getrlimit(RLIMIT_NOFILE, &files) != 0)
        return false;
    if (files.rlim_cur < needed) {
        files.rlim_cur = files.rlim_max;
        if (::setrlimit(RLIMIT_NOFILE, &files) != 0 || ::getrlimit(RLIMIT_NOFILE, &files) != 0)
            return false;
    }
    return files.rlim_cur >= needed;
}

} // namespace meshtest
