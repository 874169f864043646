#pragma once

#include "lab/labevent.h"
#include "lab/labsnapshot.h"
#include "model/ids.h"

#include <QDockWidget>
#include <QList>
#include <QTimer>

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QSpinBox;
class QToolButton;
class QTreeWidget;

namespace mesh::lab {
class Lab;
}

namespace meshpad::gui {

// The running lab: a status line with the dashboard's link (opened in the
// browser with QDesktopServices), then side by side the instances
// (allocation, service, node, address, state, health, restarts; below them,
// greyed, the allocations lost with their node, "lost, replaced by <id>",
// and a replacement's state says "replaces <id>"), the event
// log (newest at the bottom, followed while scrolled there, capped at
// kMaxLogLines) and a column of drills, each acting at once on `lab`:
//   instance — stop, start, kill the selected row;
//   node     — stop, start the chosen node;
//   arrow    — allow, deny, or add latency and a failure rate to the chosen
//              arrow (setCurrentArrow follows the canvas's selection);
//   count    — set the chosen service's count.
// Fed by the main window from the lab's queued signals (setSnapshot,
// appendEvent); never waits on the lab. Drills are enabled only while a
// snapshot says the lab runs.
class LabDock final : public QDockWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LabDock)

public:
    static constexpr int kMaxLogLines = 2000;

    explicit LabDock(mesh::lab::Lab &lab, QWidget *parent = nullptr);
    ~LabDock() override;

    void setSnapshot(const mesh::lab::LabSnapshot &snapshot);
    const mesh::lab::LabSnapshot &snapshot() const { return m_snapshot; }
    // Queued and written at most every 100 ms, so a burst (a denied arrow
    // under load) costs one append, not thousands.
    void appendEvent(const mesh::lab::LabEvent &event);
    void clearEvents();

    // Chooses the arrow / service the drills act on (no-op if the lab has none).
    void setCurrentArrow(const mesh::model::UpstreamId &id);
    void setCurrentService(const mesh::model::ServiceId &id);
    mesh::model::UpstreamId currentArrow() const;
    // The selected instance's allocation id, or empty.
    QString currentInstance() const;
    void selectInstance(const QString &allocId);

    QString dashboardUrl() const { return m_snapshot.dashboardUrl; }
    // Opens the dashboard in the browser; false if there is none.
    bool openDashboard();

    // For tests and keyboard focus.
    QTreeWidget *instanceView() const { return m_instances; }
    QPlainTextEdit *eventLog() const { return m_log; }
    QLabel *dashboardLink() const { return m_link; }

private:
    QWidget *createDrills();
    void updateInstances();
    void updateChoices();
    void updateEnabled();
    void showArrowFault();
    void flushEvents();

    mesh::lab::Lab &m_lab;
    mesh::lab::LabSnapshot m_snapshot;
    QLabel *m_status = nullptr;
    QLabel *m_link = nullptr;
    QTreeWidget *m_instances = nullptr;
    QPlainTextEdit *m_log = nullptr;
    QToolButton *m_stopInstance = nullptr;
    QToolButton *m_startInstance = nullptr;
    QToolButton *m_killInstance = nullptr;
    QComboBox *m_node = nullptr;
    QToolButton *m_stopNode = nullptr;
    QToolButton *m_startNode = nullptr;
    QComboBox *m_arrow = nullptr;
    QToolButton *m_allow = nullptr;
    QToolButton *m_deny = nullptr;
    QSpinBox *m_latency = nullptr;
    QSpinBox *m_failures = nullptr;
    QToolButton *m_applyFault = nullptr;
    QComboBox *m_service = nullptr;
    QSpinBox *m_count = nullptr;
    QToolButton *m_setCount = nullptr;
    QList<mesh::lab::LabEvent> m_pendingEvents;
    bool m_followLog = true;
    QTimer m_flush;
};

} // namespace meshpad::gui
