#pragma once

#include "model/problem.h"

#include <QDockWidget>

class QLabel;
class QTreeWidget;
class QTreeWidgetItem;

namespace mesh::model {
class TopologyModel;
}

namespace meshpad::gui {

// The validator's list for the current design: severity icon, the item it
// concerns (service name, or "from → to" for an arrow), the field and the
// message. Activating a row (click, Enter) emits problemActivated() so the
// main window can select the item and focus the inspector field.
class ProblemsDock final : public QDockWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProblemsDock)

public:
    explicit ProblemsDock(const mesh::model::TopologyModel *model, QWidget *parent = nullptr);
    ~ProblemsDock() override;

    void setProblems(const mesh::model::Problems &problems);
    const mesh::model::Problems &problems() const { return m_problems; }
    // The row widget, for tests and keyboard focus.
    QTreeWidget *view() const { return m_view; }

Q_SIGNALS:
    void problemActivated(const mesh::model::Problem &problem);
    // "Problems (3)" for the tab, so the count shows while another tab is up.
    void summaryChanged(const QString &title);

private:
    void activate(QTreeWidgetItem *item);
    QString itemLabel(const mesh::model::Problem &problem) const;

    const mesh::model::TopologyModel *m_model;
    mesh::model::Problems m_problems;
    QTreeWidget *m_view;
    QLabel *m_empty;
};

} // namespace meshpad::gui
