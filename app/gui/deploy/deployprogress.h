#pragma once

#include <QHash>
#include <QWidget>

#include <optional>

class QLabel;
class QPlainTextEdit;
class QTreeWidget;
class QTreeWidgetItem;

namespace mesh::deploy {
struct DeployEvent;
struct DeployPlan;
} // namespace mesh::deploy

namespace meshpad::gui {

// Watching an apply: one row per job and, under it, per task group, each
// with a bar of healthy of desired allocations ("2 of 3 healthy") and a
// state ("placed 3, unhealthy 0", "successful", "failed: why"); below, the
// log of every DeployEvent as the CLI prints it. Fed by DeployDialog.
class DeployProgress final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DeployProgress)

public:
    explicit DeployProgress(QWidget *parent = nullptr);
    ~DeployProgress() override;

    // Forgets everything and lists the plan's jobs that change.
    void start(const mesh::deploy::DeployPlan &plan);
    void addEvent(const mesh::deploy::DeployEvent &event);
    // A line of the dialog's own (start, outcome, errors) into the log.
    void appendLog(const QString &line);

    // What the bar of a job (empty group: all its groups) or of one group
    // shows; nullopt when there is none.
    struct Bar
    {
        int value = 0;
        int maximum = 0;
        QString text; // "2 of 3 healthy"
    };
    std::optional<Bar> bar(const QString &job, const QString &group = {}) const;
    // The job's state column ("successful", "failed: …", "stopped").
    QString state(const QString &job) const;
    QPlainTextEdit *log() const { return m_log; }

private:
    struct Row
    {
        QTreeWidgetItem *item = nullptr;
        int desired = 0;
        int healthy = 0;
    };

    Row &jobRow(const QString &job);
    Row &groupRow(const QString &job, const QString &group);
    void setState(QTreeWidgetItem *item, const QString &text, const QString &change);
    void updateJobBar(const QString &job);
    static void showCounts(QTreeWidgetItem *item, int desired, int healthy);
    static void showBar(QTreeWidgetItem *item, int maximum, int value, const QString &text);

    QTreeWidget *m_tree;
    QPlainTextEdit *m_log;
    QHash<QString, Row> m_jobs;
    QHash<QString, Row> m_groups; // "job/group"
};

} // namespace meshpad::gui
