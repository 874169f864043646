#pragma once

#include <QString>

#include <expected>

namespace mesh {

// What went wrong, for a person: `message` says what and, where it can, what
// to do about it. `code` lets callers branch without parsing text.
struct Error
{
    enum class Code {
        Io,          // a file or directory could not be read or written
        Parse,       // malformed input (JSON, flags, certificates)
        Invalid,     // well-formed but not acceptable (wrong type, range)
        Unsupported, // e.g. a project file from a newer Meshpad
        TooLarge,    // input beyond the limits we accept
        NotFound,
        Network,
        Timeout,
        Internal,
        Refused,          // the peer actively refused the connection
        Tls,              // TLS handshake or certificate verification failed
        PermissionDenied, // HTTP 401/403: the token lacks a permission
        Cancelled,        // the caller gave up (cancel token, object gone)
        Conflict,         // HTTP 409, or a check-and-set that lost
        HttpStatus,       // any other unexpected HTTP status (httpStatus says which)
    };

    Code code = Code::Internal;
    QString message;
    // The HTTP status behind the error when there was one (0 otherwise).
    int httpStatus = 0;

    static Error parse(QString m) { return {Code::Parse, std::move(m)}; }
    static Error invalid(QString m) { return {Code::Invalid, std::move(m)}; }
};

// Errors are values: nothing in `mesh` throws.
//
// One way to pass a failure up, in functions and coroutines alike, whatever
// the two Results' value types:
//
//     const Result<QJsonObject> settings = r.object(u"settings");
//     if (!settings)
//         return std::unexpected(settings.error());   // co_return in a coroutine
//
// No TRY-style macro (it cannot tell return from co_return) and no
// `return settings;` when the types happen to match. To add context, build a
// new Error from the old one's code and message.
template<class T = void>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(Error::Code code, QString message)
{
    return std::unexpected<Error>(Error{code, std::move(message)});
}

} // namespace mesh
