#pragma once

#include "generate/artifactset.h"

#include <QDockWidget>
#include <QThreadPool>
#include <QTimer>

class QLabel;
class QPlainTextEdit;
class QTreeWidget;
class QTreeWidgetItem;

namespace mesh::model {
class TopologyModel;
}

namespace meshpad::gui {

class CodeHighlighter;

// The files `meshpad generate` writes for the current design: a tree of
// their paths and a read-only, highlighted view of the selected one.
//
// Regenerates on TopologyModel::changed(), debounced, on a pool thread from
// a copy of the topology: typing never waits for generation. At most one
// generation runs at a time; changes meanwhile are coalesced into one more
// run when it finishes, and a result older than the newest request is never
// shown. `artifactsUpdated()` fires after the view shows a fresh result.
class ArtifactsDock final : public QDockWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ArtifactsDock)

public:
    explicit ArtifactsDock(mesh::model::TopologyModel *model, QWidget *parent = nullptr);
    // Waits for a running generation (one, bounded by the design's size).
    ~ArtifactsDock() override;

    const mesh::generate::ArtifactSet &artifacts() const { return m_artifacts; }
    QString currentPath() const;
    // Shows `path` if the set has it; false otherwise.
    bool showPath(const QString &path);
    QString currentText() const;
    void setDebounceInterval(int ms) { m_debounce.setInterval(ms); }

    // Copies the shown file's text to the clipboard.
    void copyCurrent();
    // Asks for a folder and writes every artifact into it.
    void exportAll();
    // Writes every artifact shown now under `directory`, on the dock's pool
    // thread (a large design or a slow disk must not freeze the window);
    // exportFinished() says how it went.
    void exportTo(const QString &directory);

Q_SIGNALS:
    void artifactsUpdated();
    // After exportTo(): `error` is empty when every file was written, else
    // what was refused or failed (nothing is written through a link).
    void exportFinished(const QString &directory, const QString &error);

protected:
    void changeEvent(QEvent *event) override;

private:
    void requestGeneration();
    void startGeneration();
    void deliver(quint64 serial, mesh::generate::ArtifactSet artifacts);
    void exported(const QString &directory, qsizetype files, const QString &error);
    void rebuildTree();
    void showSelected();
    void updateHighlighterColours();

    mesh::model::TopologyModel *m_model;
    QTimer m_debounce;
    QThreadPool m_pool;
    quint64 m_requested = 0; // serial of the newest snapshot asked for
    bool m_running = false;
    bool m_dirty = false; // changed while a generation was running
    mesh::generate::ArtifactSet m_artifacts;
    QTreeWidget *m_tree;
    QPlainTextEdit *m_text;
    QLabel *m_status;
    CodeHighlighter *m_highlighter;
};

} // namespace meshpad::gui
