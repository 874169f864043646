#pragma once

#include <QDateTime>
#include <QLockFile>
#include <QObject>
#include <QThreadPool>
#include <QTimer>

#include <memory>

namespace mesh::model {
class TopologyModel;
}

namespace meshpad::gui {

// Keeps a recovery copy of an unsaved design so a crash loses at most one
// interval of work (30 s, or MESHPAD_AUTOSAVE_MS for tests).
//
// Each editor session owns `<session>.meshpad` (the design, a normal project
// file), `<session>.origin` (the path it belongs to, if any) and
// `<session>.lock` (a QLockFile held while the session lives) under
// recoveryDirectory(). A recovery file whose lock is stale — its process
// died — is a crashed session's, which crashedSessions() finds. Files are
// written on a pool thread from a copy of the design, and removed on it too
// (discard()), after any write in flight, so none reappears after a clean
// save or close and the GUI thread never waits for the disk.
class Autosaver final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Autosaver)

public:
    struct Recovery
    {
        QString path;       // the recovered design
        QString originPath; // the project it was edited from; empty if unsaved
        QDateTime saved;
    };

    explicit Autosaver(mesh::model::TopologyModel &model, QObject *parent = nullptr);
    // Removes this session's files: a session that ends normally leaves none.
    ~Autosaver() override;

    static QString recoveryDirectory();
    // Recovery files of sessions that ended without removing them.
    static QList<Recovery> crashedSessions();
    // Removes a crashed session's files (restored or declined).
    static void removeRecovery(const Recovery &recovery);

    int interval() const { return m_timer.interval(); }
    void setInterval(int ms) { m_timer.setInterval(ms); }
    // The file the design belongs to, recorded beside the copy.
    void setOriginPath(const QString &path) { m_originPath = path; }
    QString recoveryPath() const;

    // Unsaved changes exist (start the clock) or the design was saved or
    // reverted to what is on disk (remove the copy).
    void setModified(bool modified);
    // Writes the copy now (on the pool thread).
    void saveNow();
    // Removes this session's copy on the pool thread, after any write in
    // flight; returns at once.
    void discard();

Q_SIGNALS:
    // On the GUI thread, after a copy reached the disk; `error` empty on success.
    void saved(const QString &path, const QString &error);

private:
    void timeout();

    mesh::model::TopologyModel &m_model;
    QString m_session;
    std::unique_ptr<QLockFile> m_lock;
    QTimer m_timer;
    QThreadPool m_pool;
    QString m_originPath;
    bool m_dirty = false; // changed since the last copy
    bool m_modified = false;
};

} // namespace meshpad::gui
