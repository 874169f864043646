#include "autosaver.h"

#include "core/atomicfile.h"
#include "model/projectfile.h"
#include "model/topologymodel.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>

namespace meshpad::gui {

namespace {

constexpr int kDefaultIntervalMs = 30000;

int intervalFromEnvironment()
{
    bool ok = false;
    const int ms = qEnvironmentVariableIntValue("MESHPAD_AUTOSAVE_MS", &ok);
    return ok && ms > 0 ? ms : kDefaultIntervalMs;
}

QString sibling(const QString &recoveryPath, QStringView suffix)
{
    const QFileInfo info(recoveryPath);
    return info.dir().filePath(info.completeBaseName() + suffix);
}

} // namespace

Autosaver::Autosaver(mesh::model::TopologyModel &model, QObject *parent)
    : QObject(parent)
    , m_model(model)
    , m_session(QStringLiteral("session-%1-%2")
                    .arg(QCoreApplication::applicationPid())
                    .arg(QDateTime::currentMSecsSinceEpoch()))
{
    m_pool.setMaxThreadCount(1); // copies reach the disk in order
    QDir().mkpath(recoveryDirectory());
    m_lock = std::make_unique<QLockFile>(QDir(recoveryDirectory()).filePath(m_session + u".lock"));
    // Never stale by age: only a dead process makes our lock stale.
    m_lock->setStaleLockTime(0);
    m_lock->tryLock(0);

    m_timer.setInterval(intervalFromEnvironment());
    connect(&m_timer, &QTimer::timeout, this, &Autosaver::timeout);
    connect(&m_model, &mesh::model::TopologyModel::changed, this, [this] { m_dirty = true; });
    connect(&m_model, &mesh::model::TopologyModel::modelReset, this, [this] { m_dirty = true; });
}

Autosaver::~Autosaver()
{
    discard();
    // A session that ends normally leaves nothing: the removal is done
    // before the lock goes.
    m_pool.waitForDone();
    m_lock->unlock();
}

QString Autosaver::recoveryDirectory()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation))
        .filePath(QStringLiteral("recovery"));
}

QString Autosaver::recoveryPath() const
{
    return QDir(recoveryDirectory()).filePath(m_session + u".meshpad");
}

QList<Autosaver::Recovery> Autosaver::crashedSessions()
{
    QList<Recovery> result;
    const QDir dir(recoveryDirectory());
    const QFileInfoList files = dir.entryInfoList({QStringLiteral("*.meshpad")}, QDir::Files, QDir::Time);
    for (const QFileInfo &file : files) {
        QLockFile lock(dir.filePath(file.completeBaseName() + u".lock"));
        lock.setStaleLockTime(0);
        // Succeeds when nobody holds it: the session's process is gone (a
        // stale lock of a dead process is taken over) or never locked.
        if (!lock.tryLock(0))
            continue;
        lock.unlock();
        QFile origin(sibling(file.absoluteFilePath(), u".origin"));
        QString originPath;
        if (origin.open(QIODevice::ReadOnly))
            originPath = QString::fromUtf8(origin.readAll()).trimmed();
        result.append({file.absoluteFilePath(), originPath, file.lastModified()});
    }
    return result;
}

void Autosaver::removeRecovery(const Recovery &recovery)
{
    QFile::remove(recovery.path);
    QFile::remove(sibling(recovery.path, u".origin"));
    QFile::remove(sibling(recovery.path, u".lock"));
}

void Autosaver::setModified(bool modified)
{
    m_modified = modified;
    if (modified) {
        if (!m_timer.isActive())
            m_timer.start();
    } else {
        m_timer.stop();
        m_dirty = false;
        discard();
    }
}

void Autosaver::timeout()
{
    if (m_modified && m_dirty)
        saveNow();
}

void Autosaver::saveNow()
{
    m_dirty = false;
    const QString path = recoveryPath();
    const QString origin = m_originPath;
    // Serialising and writing happen off the GUI thread; the Topology copy
    // shares its lists with the model until the next edit detaches them.
    m_pool.start([this, path, origin, topology = m_model.topology()] {
        QString error;
        // The origin first: without it a recovery would be offered as an
        // untitled design.
        if (const mesh::Result<> written = mesh::AtomicFile::write(sibling(path, u".origin"), origin.toUtf8());
            !written)
            error = QStringLiteral("cannot write %1").arg(written.error().message);
        else if (const mesh::Result<> saved = mesh::model::ProjectFile::save(topology, path); !saved)
            error = saved.error().message;
        QMetaObject::invokeMethod(
            this, [this, path, error] { Q_EMIT saved(path, error); }, Qt::QueuedConnection);
    });
}

void Autosaver::discard()
{
    // Queued behind any write in flight on the one pool thread, so no copy
    // reappears after it, and the GUI thread never waits for the disk: an
    // undo back to the saved design discards, and a write in flight on a busy
    // disk would freeze the editor for as long as it takes.
    m_pool.start([path = recoveryPath()] {
        QFile::remove(path);
        QFile::remove(sibling(path, u".origin"));
    });
}

} // namespace meshpad::gui
