#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QObject>
#include <QString>

#include <chrono>
#include <functional>

class QLocalServer;

namespace mesh::lab {
struct LabSnapshot;
}

namespace meshpad::cli {

// The local socket a running `meshpad lab up` answers `meshpad lab status`
// on. The protocol is one document: a client connects, the server writes the
// lab's snapshot as one line of JSON (LabSnapshotJson::snapshot) and closes
// the connection. The socket is a file in the user's runtime directory
// (XDG_RUNTIME_DIR, 0700); close() and the destructor remove it.
class LabStatusServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LabStatusServer)

public:
    // Called on this object's thread for every client; must not block.
    using SnapshotSource = std::function<mesh::lab::LabSnapshot()>;

    explicit LabStatusServer(SnapshotSource source, QObject *parent = nullptr);
    ~LabStatusServer() override;

    // Listens at `path`. A socket file nobody answers on is stale (its lab
    // was killed) and is replaced; one a lab answers on fails with
    // Error::Code::Invalid: one `lab up` per user, so `lab status` always
    // knows which lab it reports on.
    mesh::Result<> listen(const QString &path);
    // Stops listening and removes the socket file.
    void close();
    bool isListening() const;

    // <runtime directory>/meshpad-lab.sock, one per user.
    static QString defaultPath();

    // The client side, for `lab status`: connects to `path` and reads the
    // document, waiting at most `timeout` (the CLI may block). Fails with
    // Error::Code::NotFound when no lab runs there (a stale socket file is
    // removed on the way), Timeout when the lab does not answer in time.
    static mesh::Result<QByteArray> fetch(const QString &path, std::chrono::milliseconds timeout);

private:
    void answer();

    SnapshotSource m_source;
    QLocalServer *m_server = nullptr;
};

} // namespace meshpad::cli
