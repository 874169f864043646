#pragma once

#include "core/result.h"
#include "lab/labevent.h"
#include "lab/labsnapshot.h"

#include <QObject>

namespace mesh::lab {
class Lab;
}

namespace mesh::model {
struct Topology;
}

namespace meshpad::gui {

// The window's lab as a state machine, without widgets:
//
//     Idle → Starting → Running → Stopping → Idle     (Lab › Run)
//     Idle → Serving → Stopping → Idle                (the Deploy dialog's `lab`
//                                                      target: an empty cluster)
//
// plus Starting/Serving → Idle when the lab fails to start. It owns the
// transitions and the connections to the Lab (which the window owns), and
// passes on only what fits the state: a snapshot queued before stop() that
// arrives after it is dropped here. The window follows stateChanged() for
// its actions and indicator and the other signals for its overlays, docks
// and messages.
class LabSession final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LabSession)

public:
    enum class State { Idle, Starting, Running, Stopping, Serving };

    explicit LabSession(mesh::lab::Lab &lab, QObject *parent = nullptr);
    ~LabSession() override;

    State state() const { return m_state; }
    // Starting or Running: the lab runs (or starts) the design.
    bool runsDesign() const { return m_state == State::Starting || m_state == State::Running; }

    // Idle → Starting with `topology`; the lab's refusal (an invalid
    // design, say) leaves the state Idle. Refused unless Idle.
    mesh::Result<> run(const mesh::model::Topology &topology);
    // Idle → Serving: the lab with no design, for a deploy to register its
    // jobs through the lab's Nomad API. Refused unless Idle.
    mesh::Result<> serve();
    // Starting, Running or Serving → Stopping; false (and nothing done)
    // when there is nothing to stop.
    bool stop();

Q_SIGNALS:
    void stateChanged(meshpad::gui::LabSession::State state);
    // Starting → Running: the design runs; `snapshot` was also passed to
    // snapshotArrived() just before.
    void runStarted(const mesh::lab::LabSnapshot &snapshot);
    // Serving: the empty cluster is up.
    void serveStarted();
    // Starting → Idle: the lab could not run the design (`error` says why).
    // Serving → Idle failures are the Deploy dialog's to report and only
    // change the state.
    void runFailed(const QString &error);
    // → Idle after stop().
    void stopped();
    // While Starting or Running, each snapshot of a running lab.
    void snapshotArrived(const mesh::lab::LabSnapshot &snapshot);
    // While not Idle, what happened in the lab.
    void eventOccurred(const mesh::lab::LabEvent &event);

private:
    void setState(State state);

    mesh::lab::Lab &m_lab;
    State m_state = State::Idle;
};

} // namespace meshpad::gui
