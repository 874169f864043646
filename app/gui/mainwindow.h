#pragma once

#include "canvas/livestate.h"
#include "core/result.h"
#include "deploy/deploydialog.h"
#include "importer/jobimporter.h"
#include "labsession.h"
#include "model/problem.h"

#include <QMainWindow>
#include <QPointer>
#include <QTimer>

class QAction;
class QLabel;
class QLineEdit;
class QMenu;
class QUndoStack;

namespace mesh::lab {
class Lab;
struct LabSnapshot;
} // namespace mesh::lab
namespace mesh::model {
class TopologyModel;
struct Topology;
} // namespace mesh::model

namespace meshpad::gui {

class ArtifactsDock;
class Autosaver;
class CanvasView;
class ChartsDock;
class InspectorDock;
class LabDock;
class PaletteWidget;
class ProblemsDock;

// The editor window: palette (left), canvas (centre), inspector (right),
// Artifacts, Problems and Lab tabs (bottom), Charts (right, beside the
// inspector), menus and toolbar.
//
// It owns the one TopologyModel and QUndoStack of the session. The title is
// Qt's window-file-path form, `<file>[*] — Meshpad`, modified while the undo
// stack is not at its clean index. Files load all-or-nothing: a broken file
// leaves the current design untouched and says why. Unsaved work is copied
// to a recovery file (Autosaver) and offered back after a crash.
//
// Lab › Run (F5) starts the design as it is on the embedded lab (one
// mesh::lab::Lab for the window's life, its sockets on its own thread);
// Stop (Shift+F5) stops it. A design the lab refuses says why and raises
// Problems. While it runs, each snapshot (at most 4 a second, queued) feeds
// the canvas overlays, the Lab dock and the Charts; they clear when it stops.
//
// Deploy › Deploy… (Ctrl+Shift+D) and Teardown… open a DeployDialog (one at
// a time). Its `lab` target is this window's Lab started with no design
// (startLabForDeploy: LabState::Serving), an empty cluster the deploy's jobs
// go to through the lab's Consul and Nomad APIs; Run waits until it stops.
//
// File › Import Nomad Jobs… and Import from Cluster… read jobs into a
// design (mesh::importer): into the open one when it is empty or an
// untitled one nobody changed, else the user picks Merge or a new design.
// One undo step (ImportCommand), laid out with the auto-layout, the report
// of what was not imported shown (ImportReportDialog), the view fitted.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    static constexpr char kExamplePath[] = ":/examples/countdash.meshpad";
    static constexpr char kWindowIconPath[] = ":/icons/io.github.meshpad.Meshpad.svg";

    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    enum class RecoveryPolicy { Ask, Accept, Ignore };
    // What `meshpad [FILE]` shows: a crashed session's work (if any and
    // accepted), else FILE, else the last project, else the example. Also
    // restores the window layout.
    void start(const QString &file, RecoveryPolicy recovery = RecoveryPolicy::Ask);

    // Replaces the design with the file's, or shows the error (a window-
    // modal message, not blocking) and changes nothing. Does not ask about
    // unsaved changes: the File menu does that first.
    bool openFile(const QString &path);
    // Writes the design atomically; on success the design becomes clean.
    bool saveTo(const QString &path);
    // What Import Nomad Jobs… does once files are chosen: reads them all
    // (mesh::importer::FileImport) on a thread of its own — up to 16 MB a
    // file, which must not freeze the window — then applyImport(). A file
    // that does not read shows its FILE:LINE:COLUMN error and changes
    // nothing. Import Nomad Jobs… is disabled meanwhile.
    void importJobFiles(const QStringList &paths);
    // Puts an import into the window. The open design is replaced (one undo
    // step brings it back) when it has no services or is untitled and
    // unchanged; otherwise the user chooses "Merge into <name>" (services
    // of the same name updated in place, the new cards right of the
    // drawing), "Open as New Design" (unsaved changes asked for first, as
    // New does) or Cancel. False if nothing changed. `source` names where
    // the jobs came from, for the report.
    bool applyImport(mesh::importer::JobImporter::Result result, const QString &source);
    // A crashed session's recovery files, restored if `accept` (or if the
    // user agrees when `ask`). True if restored.
    bool offerRecovery(bool ask);

    mesh::model::TopologyModel &model() const { return *m_model; }
    QUndoStack &undoStack() const { return *m_undoStack; }
    CanvasView *canvas() const { return m_canvas; }
    PaletteWidget *palette() const { return m_palette; }
    InspectorDock *inspector() const { return m_inspector; }
    ArtifactsDock *artifacts() const { return m_artifacts; }
    ProblemsDock *problems() const { return m_problems; }
    LabDock *labDock() const { return m_labDock; }
    ChartsDock *charts() const { return m_charts; }
    mesh::lab::Lab &lab() const { return *m_lab; }
    // Serving: started by startLabForDeploy() with no design of its own;
    // Stop stops it, Run is disabled meanwhile (LabSession's states).
    using LabState = LabSession::State;
    LabState labState() const { return m_labSession->state(); }
    // Starts the lab with no design, as the Deploy dialog's `lab` target
    // (Lab::started follows); nothing to do while Serving. Refused while
    // Run runs the design on it (or it starts or stops).
    mesh::Result<> startLabForDeploy();
    // The open Deploy or Teardown dialog, if any.
    DeployDialog *deployDialog() const;
    Autosaver &autosaver() const { return *m_autosaver; }
    // The file Save writes to; empty for a new design or the example.
    QString filePath() const { return m_filePath; }
    // Where the file dialogs (Open, Save As, Import Nomad Jobs, Export
    // Picture) start: the open design's folder, else the folder of the last
    // file chosen in one of them, else home.
    QString designFolder() const;
    // Every action of the window, for the command palette and tests.
    QList<QAction *> allActions() const;
    QLineEdit *findField() const { return m_findField; }
    // Validation runs this long after the last change.
    void setValidationDelay(int ms) { m_validateTimer.setInterval(ms); }

    // File › Export Picture as PNG… / SVG…: asks where (in the design's
    // folder) and writes the canvas's picture.
    enum class Picture { Png, Svg };
    void exportPicture(Picture picture);

public Q_SLOTS:
    void newDesign();
    void open();
    // Help › Examples: the example as an untitled design (unsaved changes
    // asked for first, as Open does), so Save asks where and the example
    // file is never written.
    void openExample(const QString &path);
    bool save();
    bool saveAs();
    void showCommandPalette();
    void showShortcuts();
    void activateProblem(const mesh::model::Problem &problem);
    void runLab();
    void stopLab();
    void deploy();
    void teardown();
    void importJobs();
    void importFromCluster();

protected:
    void closeEvent(QCloseEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;
    // Tab from the canvas goes to the inspector's first field (the selection's
    // form), Shift+Tab from there back to the canvas; elsewhere Qt's order.
    bool focusNextPrevChild(bool next) override;

private:
    void createDocks();
    void createActions();
    void setDesign(mesh::model::Topology topology, const QString &filePath, const QString &displayName);
    void setFilePath(const QString &filePath, const QString &displayName);
    bool maybeSave();
    void validateNow();
    void updateInspectorFromSelection();
    void findNext(bool restart);
    void updateRecentMenu();
    void addServiceFromPalette(int kind);
    void showMessage(const QString &title, const QString &text);
    void rememberFolder(const QString &chosenFile);
    void restoreLayout();
    void saveLayout();
    void connectLab();
    void showLabState(LabState state);
    void showLabSnapshot(const mesh::lab::LabSnapshot &snapshot);
    void refuseRun(const QString &reason);
    void openDeployDialog(DeployDialog::Mode mode);

    mesh::model::TopologyModel *m_model;
    mesh::lab::Lab *m_lab;
    QUndoStack *m_undoStack;
    Autosaver *m_autosaver;
    CanvasView *m_canvas;
    PaletteWidget *m_palette = nullptr;
    InspectorDock *m_inspector = nullptr;
    ArtifactsDock *m_artifacts = nullptr;
    ProblemsDock *m_problems = nullptr;
    LabDock *m_labDock = nullptr;
    ChartsDock *m_charts = nullptr;
    QAction *m_runAction = nullptr;
    QAction *m_stopAction = nullptr;
    QAction *m_dashboardAction = nullptr;
    QPointer<DeployDialog> m_deployDialog;
    LabSession *m_labSession = nullptr;
    TrafficMeter m_traffic;
    QLineEdit *m_findField = nullptr;
    QLabel *m_findStatus = nullptr;
    QLabel *m_labIndicator = nullptr;
    QMenu *m_recentMenu = nullptr;
    QList<QMenu *> m_menus;
    QTimer m_validateTimer;
    QString m_filePath;
    int m_findIndex = -1;
};

} // namespace meshpad::gui
