#pragma once

#include "model/ids.h"
#include "model/problem.h"
#include "model/topology.h"

#include <QDockWidget>
#include <QList>

#include <functional>

class QComboBox;
class QScrollArea;
class QStackedWidget;
class QTableWidget;
class QUndoStack;

namespace mesh::model {
class TopologyModel;
}

namespace meshpad::gui {

class MeshSettingsForm;

// The form for the selected service or arrow: every field of a Service
// (name, Nomad job/group/task, count, driver, command, args, image, env,
// network mode, ports, service port, sidecar, check, tags, meta, resources)
// and of an Upstream (destination, local bind address and port, allow/deny).
//
// Every edit pushes an UpdateServiceCommand / UpdateUpstreamCommand named by
// the field, so typing in one field is one undo step. Model changes (undo,
// the canvas, another field) reload a widget only when it no longer shows
// the model's value, so the field being typed in keeps its text and cursor.
// Problems of the shown item mark their field: a red frame and the
// validator's message as tooltip. With nothing selected it shows the
// design's own settings (MeshSettingsForm).
class InspectorDock final : public QDockWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(InspectorDock)

public:
    InspectorDock(mesh::model::TopologyModel &model, QUndoStack &undoStack, QWidget *parent = nullptr);
    ~InspectorDock() override;

    void showService(const mesh::model::ServiceId &id);
    void showUpstream(const mesh::model::UpstreamId &id);
    // `count` > 1 says how many items are selected; 0 shows the mesh settings.
    void showNothing(int count = 0);
    mesh::model::ServiceId shownService() const { return m_service; }
    mesh::model::UpstreamId shownUpstream() const { return m_upstream; }

    void setProblems(const mesh::model::Problems &problems);

    // Focuses the widget for a Problem's field of the shown item: "name",
    // "env.PORT" (that row of the env table), "ports[0].to", "meta.KEY",
    // "tags[2]", "check.path", "localBindPort", "to"…; with nothing shown,
    // a mesh settings field ("datacenter", …). False if none.
    bool focusField(const QString &field);
    // The widget editing `field` (as focusField names it), or nullptr.
    QWidget *fieldWidget(const QString &field) const;

private:
    struct Field
    {
        QString key; // the command's merge field and the problem field
        QWidget *widget;
        std::function<void()> load; // model → widget (signals blocked)
        std::function<void(mesh::model::Service &)> storeService;
        std::function<void(mesh::model::Upstream &)> storeUpstream;
        QString toolTip; // when valid
    };

    QWidget *buildServiceForm();
    QWidget *buildUpstreamForm();
    void addServiceField(const QString &key, QWidget *widget, std::function<void()> load,
                         std::function<void(mesh::model::Service &)> store, const QString &toolTip);
    void addUpstreamField(const QString &key, QWidget *widget, std::function<void()> load,
                          std::function<void(mesh::model::Upstream &)> store, const QString &toolTip);
    QTableWidget *keyValueTable(const QString &key, const QStringList &headers);
    QWidget *withButtons(QTableWidget *table);

    void commit(const QString &key);
    // Pushes a Command when storing the field named `key` of `fields` into a
    // copy of `current` changes it; false when `fields` has no such key.
    template<class Command, class Value>
    bool commitField(const Value &current, const QList<Field> &fields, std::function<void(Value &)> Field::*store,
                     const QString &key);
    void reload();
    void reloadField(const Field &field);
    void markProblems();
    const Field *fieldFor(const QString &problemField) const;
    void refreshDestinations();

    mesh::model::TopologyModel &m_model;
    QUndoStack &m_undoStack;
    mesh::model::ServiceId m_service;
    mesh::model::UpstreamId m_upstream;
    mesh::model::Problems m_problems;

    QStackedWidget *m_pages;
    QWidget *m_emptyPage;
    QScrollArea *m_servicePage;
    QWidget *m_upstreamPage;
    QScrollArea *m_meshPage;
    MeshSettingsForm *m_meshForm;
    QList<Field> m_serviceFields;
    QList<Field> m_upstreamFields;
    QComboBox *m_destination = nullptr;
    bool m_loading = false;
};

} // namespace meshpad::gui
