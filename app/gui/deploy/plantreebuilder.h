#pragma once

#include <QColor>
#include <QCoreApplication>
#include <QString>

class QPalette;
class QTreeWidget;
class QTreeWidgetItem;

namespace mesh::deploy {
struct DeployPlan;
}

namespace meshpad::gui {

// Shows a DeployPlan as a tree, the way `nomad job plan` reads (PlanText):
// conflicts first; then one item per job — `+` to create (green), `+/-` to
// update (amber), `-` to stop or purge (red), unchanged (grey) — holding its
// diff as nested fields with Nomad's annotations, the groups' update counts,
// the scheduler's dry run (placement failures in red with their reasons),
// warnings and the Job Modify Index the apply enforces; then the intentions
// per destination. Each item carries its kind in kChangeRole
// ("add", "remove", "change", "none", "warning", "failure", "conflict",
// "info") for colour and for tests.
class PlanTreeBuilder final
{
    Q_DECLARE_TR_FUNCTIONS(PlanTreeBuilder)

public:
    static constexpr int kChangeRole = 0x0100 + 1; // Qt::UserRole + 1

    // Replaces the tree's items with the plan's.
    static void fill(QTreeWidget *tree, const mesh::deploy::DeployPlan &plan);
    // The colour of a kind of change on `palette` (light or dark scheme).
    static QColor colour(const QString &change, const QPalette &palette);

private:
    static QTreeWidgetItem *item(QTreeWidgetItem *parent, const QString &text, const QString &change,
                                 const QPalette &palette);
};

} // namespace meshpad::gui
