#include "lab.h"

#include "labruntime.h"

#include "model/validator.h"

namespace mesh::lab {

Lab::Lab(QObject *parent)
    : Lab(Options{}, parent)
{
}

Lab::Lab(const Options &options, QObject *parent)
    : QObject(parent)
    , m_options(options)
{
    qRegisterMetaType<mesh::lab::LabSnapshot>();
    qRegisterMetaType<mesh::lab::LabEvent>();
    qRegisterMetaType<mesh::model::ServiceId>();
    qRegisterMetaType<mesh::model::UpstreamId>();
    m_thread.setObjectName(QStringLiteral("meshpad-lab"));
    m_runtime = new LabRuntime(m_options);
    // ~Lab() deletes it in this thread before joining it: the only teardown.
    m_runtime->moveToThread(&m_thread);

    connect(m_runtime, &LabRuntime::runStarted, this, [this](const LabSnapshot &snapshot) {
        publish(snapshot);
        Q_EMIT started(snapshot);
    });
    connect(m_runtime, &LabRuntime::runFailed, this, [this](const QString &error) {
        {
            std::lock_guard lock(m_snapshotMutex);
            m_running = false;
        }
        Q_EMIT startFailed(error);
    });
    connect(m_runtime, &LabRuntime::shutDown, this, [this] {
        {
            std::lock_guard lock(m_snapshotMutex);
            m_running = false;
            m_snapshot = LabSnapshot{};
        }
        Q_EMIT stopped();
    });
    connect(m_runtime, &LabRuntime::snapshotReady, this, &Lab::publish);
    connect(m_runtime, &LabRuntime::eventOccurred, this, &Lab::eventOccurred);
    m_thread.start();
}

Lab::~Lab()
{
    // Stop in the network thread, at once and bounded (SIGKILL for children),
    // then join it. The runtime is deleted there, where its sockets live.
    LabRuntime *runtime = m_runtime;
    QMetaObject::invokeMethod(
        runtime, [runtime] { delete runtime; }, Qt::BlockingQueuedConnection);
    m_runtime = nullptr;
    m_thread.quit();
    m_thread.wait();
}

Result<> Lab::start(const model::Topology &topology)
{
    {
        std::lock_guard lock(m_snapshotMutex);
        if (m_running)
            return fail(Error::Code::Invalid, QStringLiteral("the lab is already running; stop it first"));
    }
    const model::Problems problems = model::Validator::validate(topology);
    if (model::Validator::hasErrors(problems)) {
        int errors = 0;
        QString first;
        for (const model::Problem &problem : problems) {
            if (!problem.isError())
                continue;
            if (errors++ == 0)
                first = problem.message;
        }
        return fail(Error::Code::Invalid,
                    errors == 1 ? QStringLiteral("the design has an error: %1").arg(first)
                                : QStringLiteral("the design has %1 errors; the first: %2").arg(errors).arg(first));
    }
    {
        std::lock_guard lock(m_snapshotMutex);
        m_running = true;
    }
    QMetaObject::invokeMethod(
        m_runtime, [runtime = m_runtime, topology] { runtime->run(topology); }, Qt::QueuedConnection);
    return {};
}

void Lab::stop()
{
    QMetaObject::invokeMethod(m_runtime, &LabRuntime::shutdown, Qt::QueuedConnection);
}

bool Lab::isRunning() const
{
    std::lock_guard lock(m_snapshotMutex);
    return m_running;
}

LabSnapshot Lab::snapshot() const
{
    std::lock_guard lock(m_snapshotMutex);
    return m_snapshot;
}

void Lab::publish(const LabSnapshot &snapshot)
{
    {
        std::lock_guard lock(m_snapshotMutex);
        if (!m_running && snapshot.running)
            return; // a late snapshot from a run that has stopped
        m_snapshot = snapshot;
    }
    Q_EMIT snapshotChanged(snapshot);
}

void Lab::stopInstance(const QString &allocId)
{
    QMetaObject::invokeMethod(m_runtime, [runtime = m_runtime, allocId] { runtime->stopInstance(allocId); });
}

void Lab::startInstance(const QString &allocId)
{
    QMetaObject::invokeMethod(m_runtime, [runtime = m_runtime, allocId] { runtime->startInstance(allocId); });
}

void Lab::killInstance(const QString &allocId)
{
    QMetaObject::invokeMethod(m_runtime, [runtime = m_runtime, allocId] { runtime->killInstance(allocId); });
}

void Lab::stopNode(const QString &node)
{
    QMetaObject::invokeMethod(m_runtime, [runtime = m_runtime, node] { runtime->stopNode(node); });
}

void Lab::startNode(const QString &node)
{
    QMetaObject::invokeMethod(m_runtime, [runtime = m_runtime, node] { runtime->startNode(node); });
}

void Lab::setArrowAction(const model::UpstreamId &arrow, model::IntentionAction action)
{
    QMetaObject::invokeMethod(m_runtime,
                              [runtime = m_runtime, arrow, action] { runtime->setArrowAction(arrow, action); });
}

void Lab::setArrowFault(const model::UpstreamId &arrow, std::chrono::milliseconds latency, double failureRate)
{
    QMetaObject::invokeMethod(m_runtime, [runtime = m_runtime, arrow, latency, failureRate] {
        runtime->setArrowFault(arrow, latency, failureRate);
    });
}

void Lab::setCount(const model::ServiceId &service, int count)
{
    QMetaObject::invokeMethod(m_runtime, [runtime = m_runtime, service, count] { runtime->setCount(service, count); });
}

} // namespace mesh::lab
