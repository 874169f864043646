#pragma once

#include "model/problem.h"

#include <QHash>
#include <QWidget>

class QComboBox;
class QLineEdit;
class QSpinBox;
class QUndoStack;

namespace mesh::model {
class TopologyModel;
}

namespace meshpad::gui {

// The design's own fields, shown by the inspector when nothing is selected:
// its name, the datacenter, the default intention (what applies to a
// source no arrow names) and the lab's settings (leaf lifetime, dashboard
// refresh, health-check interval of services without a check). Every edit
// is an UpdateSettingsCommand named by its field, so typing merges into one
// undo step; the datacenter's problems mark its field.
class MeshSettingsForm final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MeshSettingsForm)

public:
    MeshSettingsForm(mesh::model::TopologyModel &model, QUndoStack &undoStack, QWidget *parent = nullptr);
    ~MeshSettingsForm() override;

    // Mesh-level problems (no service, no upstream) mark their field.
    void setProblems(const mesh::model::Problems &problems);
    // "name", "datacenter", "defaultIntention", "lab.leafTtlHours",
    // "lab.dashboardRefreshMs", "lab.healthIntervalMs". False if unknown.
    bool focusField(const QString &field);
    QWidget *fieldWidget(const QString &field) const { return m_fields.value(field); }

private:
    void reload();
    void commit(const QString &field);

    mesh::model::TopologyModel &m_model;
    QUndoStack &m_undoStack;
    QLineEdit *m_name;
    QLineEdit *m_datacenter;
    QComboBox *m_defaultIntention;
    QComboBox *m_scriptProxy;
    QSpinBox *m_leafTtl;
    QSpinBox *m_dashboardRefresh;
    QSpinBox *m_healthInterval;
    QHash<QString, QWidget *> m_fields;
    QHash<QString, QString> m_toolTips;
    bool m_loading = false;
};

} // namespace meshpad::gui
