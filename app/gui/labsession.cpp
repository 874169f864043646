#include "labsession.h"

#include "lab/lab.h"
#include "model/topology.h"

namespace meshpad::gui {

LabSession::LabSession(mesh::lab::Lab &lab, QObject *parent)
    : QObject(parent)
    , m_lab(lab)
{
    using mesh::lab::Lab;
    connect(&m_lab, &Lab::started, this, [this](const mesh::lab::LabSnapshot &snapshot) {
        if (m_state == State::Serving) {
            Q_EMIT serveStarted();
            return;
        }
        // Stopped (or replaced) while it started: nothing to show.
        if (m_state != State::Starting)
            return;
        setState(State::Running);
        if (snapshot.running)
            Q_EMIT snapshotArrived(snapshot);
        Q_EMIT runStarted(snapshot);
    });
    connect(&m_lab, &Lab::startFailed, this, [this](const QString &error) {
        const bool served = m_state == State::Serving;
        setState(State::Idle);
        if (!served)
            Q_EMIT runFailed(error);
    });
    connect(&m_lab, &Lab::stopped, this, [this] {
        setState(State::Idle);
        Q_EMIT stopped();
    });
    connect(&m_lab, &Lab::snapshotChanged, this, [this](const mesh::lab::LabSnapshot &snapshot) {
        // Snapshots are queued: one sent before stop() may arrive after it.
        if (runsDesign() && snapshot.running)
            Q_EMIT snapshotArrived(snapshot);
    });
    connect(&m_lab, &Lab::eventOccurred, this, [this](const mesh::lab::LabEvent &event) {
        if (m_state != State::Idle)
            Q_EMIT eventOccurred(event);
    });
}

LabSession::~LabSession() = default;

mesh::Result<> LabSession::run(const mesh::model::Topology &topology)
{
    if (m_state != State::Idle)
        return mesh::fail(mesh::Error::Code::Invalid, tr("The lab is busy: stop it first (Lab › Stop)."));
    if (mesh::Result<> started = m_lab.start(topology); !started)
        return started;
    setState(State::Starting);
    return {};
}

mesh::Result<> LabSession::serve()
{
    if (m_state != State::Idle)
        return mesh::fail(mesh::Error::Code::Invalid,
                          tr("Stop the lab's Run first: it runs this design directly (Lab › Stop)"));
    // No design: the lab is an empty cluster; what runs on it is what the
    // deploy registers through its Nomad API.
    if (mesh::Result<> started = m_lab.start(mesh::model::Topology{}); !started)
        return started;
    setState(State::Serving);
    return {};
}

bool LabSession::stop()
{
    if (m_state == State::Idle || m_state == State::Stopping)
        return false;
    m_lab.stop();
    setState(State::Stopping);
    return true;
}

void LabSession::setState(State state)
{
    m_state = state;
    Q_EMIT stateChanged(state);
}

} // namespace meshpad::gui
