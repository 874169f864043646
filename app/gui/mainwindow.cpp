#include "mainwindow.h"

#include "aboutdialog.h"
#include "appearance.h"
#include "examplesmenu.h"

#include "canvas/canvasscene.h"
#include "canvas/canvasview.h"
#include "canvas/graphlayout.h"
#include "canvas/livestate.h"
#include "canvas/minimapview.h"
#include "canvas/serviceitem.h"
#include "commands/importcommand.h"
#include "deploy/deploydialog.h"
#include "docks/artifactsdock.h"
#include "docks/chartsdock.h"
#include "docks/inspectordock.h"
#include "docks/labdock.h"
#include "docks/problemsdock.h"
#include "files/autosaver.h"
#include "files/recentfiles.h"
#include "import/importreportdialog.h"
#include "palette/commandpalette.h"
#include "palette/menuactions.h"
#include "palette/palettewidget.h"
#include "palette/shortcutssheet.h"

#include "importer/fileimport.h"
#include "lab/lab.h"
#include "model/projectfile.h"
#include "model/topologymodel.h"
#include "model/validator.h"

#include <QAbstractScrollArea>
#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QPromise>
#include <QPushButton>
#include <QSettings>
#include <QStatusBar>
#include <QStyle>
#include <QThread>
#include <QToolBar>
#include <QUndoStack>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

namespace meshpad::gui {

using mesh::model::Problem;
using mesh::model::Topology;

namespace {

constexpr int kValidateDelayMs = 250;
constexpr int kChartsWidth = 420;
constexpr int kLabDockHeight = 300;
QString fileFilter()
{
    return MainWindow::tr("Meshpad designs (*.meshpad)");
}

// Where the last file dialog's choice was, for dialogs of an untitled design.
constexpr char kLastFolderKey[] = "files/lastFolder";
// Between the drawing and the cards a merge adds right of it.
constexpr qreal kMergeGap = 100;

QString jobFileFilter()
{
    return MainWindow::tr("Nomad jobs (*.nomad *.hcl *.nomad.hcl)") + u";;"_qs + MainWindow::tr("All files (*)");
}

// Positions for an imported design (the importer leaves them at 0,0): the
// auto-layout's, snapped to the grid; for a merge, the whole drawing moved
// right of `existing`'s cards, top edges aligned.
void placeImport(Topology &design, const Topology &existing, bool besideExisting)
{
    using mesh::model::ServiceId;
    const QSizeF card(ServiceItem::kWidth, ServiceItem::kHeight);
    const qreal grid = CanvasScene::kGridSize;
    QHash<ServiceId, QPointF> positions = GraphLayout::layered(design, card);
    if (positions.size() != design.services.size()) {
        // Graphviz failed: a row, in the jobs' order, rather than a pile.
        positions.clear();
        for (qsizetype i = 0; i < design.services.size(); ++i)
            positions.insert(design.services[i].id, QPointF(qreal(i) * (card.width() + 3 * grid), 0));
    }
    QPointF offset;
    if (besideExisting && !existing.services.isEmpty() && !positions.isEmpty()) {
        qreal right = std::numeric_limits<qreal>::lowest();
        qreal top = std::numeric_limits<qreal>::max();
        for (const mesh::model::Service &s : existing.services) {
            right = qMax(right, s.position.x() + card.width());
            top = qMin(top, s.position.y());
        }
        QPointF layoutTopLeft(std::numeric_limits<qreal>::max(), std::numeric_limits<qreal>::max());
        for (const QPointF &p : std::as_const(positions))
            layoutTopLeft = QPointF(qMin(layoutTopLeft.x(), p.x()), qMin(layoutTopLeft.y(), p.y()));
        offset = QPointF(right + kMergeGap, top) - layoutTopLeft;
    }
    for (mesh::model::Service &s : design.services) {
        const QPointF p = positions.value(s.id) + offset;
        s.position = QPointF(std::round(p.x() / grid) * grid, std::round(p.y() / grid) * grid);
    }
}

// Fields of an arrow's own form; other fields of an arrow's problem (its
// downstream's env) are edited on the downstream service.
bool isUpstreamField(const QString &field)
{
    return field == u"to" || field == u"from" || field == u"localBindPort" || field == u"localBindAddress"
           || field == u"action";
}

} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_model(new mesh::model::TopologyModel(this))
    , m_lab(new mesh::lab::Lab(this))
    , m_undoStack(new QUndoStack(this))
    , m_autosaver(new Autosaver(*m_model, this))
    , m_canvas(new CanvasView(*m_model, *m_undoStack))
{
    setObjectName(QStringLiteral("mainWindow"));
    // The application's, so the dialogs have it too; the same SVG the
    // package installs into the hicolor theme.
    QGuiApplication::setWindowIcon(QIcon(QString::fromLatin1(kWindowIconPath)));
    setCentralWidget(m_canvas);
    m_canvas->setObjectName(QStringLiteral("canvas"));
    setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks);
    setCorner(Qt::BottomLeftCorner, Qt::LeftDockWidgetArea);
    setCorner(Qt::BottomRightCorner, Qt::RightDockWidgetArea);
    createDocks();
    createActions();
    connectLab();
    statusBar()->showMessage(tr("Drag a template from the palette; drag from a card's handle to connect. "
                                "F1 lists every shortcut."));

    connect(m_undoStack, &QUndoStack::cleanChanged, this, [this](bool clean) {
        setWindowModified(!clean);
        m_autosaver->setModified(!clean);
    });
    connect(m_autosaver, &Autosaver::saved, this, [this](const QString &, const QString &error) {
        if (!error.isEmpty())
            statusBar()->showMessage(tr("Could not write the recovery copy: %1").arg(error), 10000);
    });

    m_validateTimer.setSingleShot(true);
    m_validateTimer.setInterval(kValidateDelayMs);
    connect(&m_validateTimer, &QTimer::timeout, this, &MainWindow::validateNow);
    connect(m_model, &mesh::model::TopologyModel::changed, &m_validateTimer, qOverload<>(&QTimer::start));
    connect(m_model, &mesh::model::TopologyModel::modelReset, &m_validateTimer, qOverload<>(&QTimer::start));

    connect(m_canvas, &CanvasView::selectionChanged, this, &MainWindow::updateInspectorFromSelection);
    connect(m_canvas, &CanvasView::selectionChanged, this, [this] {
        // The Lab dock's drills act on what the canvas selects.
        const QList<mesh::model::UpstreamId> upstreams = m_canvas->selectedUpstreams();
        const QList<mesh::model::ServiceId> services = m_canvas->selectedServices();
        if (upstreams.size() == 1)
            m_labDock->setCurrentArrow(upstreams.constFirst());
        if (services.size() == 1)
            m_labDock->setCurrentService(services.constFirst());
    });
    connect(m_canvas, &CanvasView::serviceEditRequested, this, [this](const mesh::model::ServiceId &id) {
        m_inspector->show();
        m_inspector->raise();
        m_inspector->showService(id);
        m_inspector->focusField(QStringLiteral("name"));
    });
    connect(m_canvas, &CanvasView::upstreamEditRequested, this, [this](const mesh::model::UpstreamId &id) {
        m_inspector->show();
        m_inspector->raise();
        m_inspector->showUpstream(id);
        m_inspector->focusField(QStringLiteral("localBindPort"));
    });
    connect(m_problems, &ProblemsDock::problemActivated, this, &MainWindow::activateProblem);

    setFilePath({}, tr("untitled.meshpad"));
    resize(1400, 900);
}

MainWindow::~MainWindow()
{
    // The lab's last signals must not reach a window half torn down: let go
    // of them, then stop it (its destructor joins the network thread).
    delete m_labSession;
    m_labSession = nullptr;
    m_lab->disconnect(this);
    delete m_lab;
}

void MainWindow::createDocks()
{
    auto *paletteDock = new QDockWidget(tr("Palette"), this);
    paletteDock->setObjectName(QStringLiteral("paletteDock"));
    m_palette = new PaletteWidget;
    paletteDock->setWidget(m_palette);
    addDockWidget(Qt::LeftDockWidgetArea, paletteDock);
    connect(m_palette, &PaletteWidget::templateActivated, this,
            [this](mesh::model::ServiceTemplate kind) { addServiceFromPalette(int(kind)); });

    auto *overviewDock = new QDockWidget(tr("Overview"), this);
    overviewDock->setObjectName(QStringLiteral("overviewDock"));
    auto *minimap = new MinimapView(*m_canvas);
    minimap->setMinimumHeight(140);
    overviewDock->setWidget(minimap);
    addDockWidget(Qt::LeftDockWidgetArea, overviewDock);
    splitDockWidget(paletteDock, overviewDock, Qt::Vertical);

    m_inspector = new InspectorDock(*m_model, *m_undoStack, this);
    addDockWidget(Qt::RightDockWidgetArea, m_inspector);

    m_artifacts = new ArtifactsDock(m_model, this);
    m_problems = new ProblemsDock(m_model, this);
    m_labDock = new LabDock(*m_lab, this);
    addDockWidget(Qt::BottomDockWidgetArea, m_artifacts);
    addDockWidget(Qt::BottomDockWidgetArea, m_problems);
    addDockWidget(Qt::BottomDockWidgetArea, m_labDock);
    tabifyDockWidget(m_artifacts, m_problems);
    tabifyDockWidget(m_problems, m_labDock);
    m_artifacts->raise();

    m_charts = new ChartsDock(this);
    addDockWidget(Qt::RightDockWidgetArea, m_charts);
    tabifyDockWidget(m_inspector, m_charts);
    m_inspector->raise();

    resizeDocks({paletteDock, m_inspector}, {220, 380}, Qt::Horizontal);
    resizeDocks({m_artifacts}, {260}, Qt::Vertical);
}

void MainWindow::createActions()
{
    const auto make = [this](const QString &objectName, const QString &text, QList<QKeySequence> keys, auto &&slot,
                             QIcon icon = {}) {
        auto *action = new QAction(icon, text, this);
        action->setObjectName(objectName);
        action->setShortcuts(keys);
        connect(action, &QAction::triggered, this, std::forward<decltype(slot)>(slot));
        return action;
    };
    // Icon Naming Spec names (https://specifications.freedesktop.org/icon-naming-spec/latest/),
    // all in Breeze, which IconTheme provides; the style's standard icon
    // where the theme is missing, else none.
    const auto themed = [this](const char *name, QStyle::StandardPixmap fallback = QStyle::SP_CustomBase) {
        const QString themeName = QString::fromLatin1(name);
        return fallback == QStyle::SP_CustomBase ? QIcon::fromTheme(themeName)
                                                 : QIcon::fromTheme(themeName, style()->standardIcon(fallback));
    };

    // File
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *newAction = make(
        u"actionNew"_qs, tr("&New"), {QKeySequence::New}, [this] { newDesign(); },
        themed("document-new", QStyle::SP_FileIcon));
    QAction *openAction = make(
        u"actionOpen"_qs, tr("&Open…"), {QKeySequence::Open}, [this] { open(); },
        themed("document-open", QStyle::SP_DialogOpenButton));
    QAction *saveAction = make(
        u"actionSave"_qs, tr("&Save"), {QKeySequence::Save}, [this] { save(); },
        themed("document-save", QStyle::SP_DialogSaveButton));
    QAction *saveAsAction = make(
        u"actionSaveAs"_qs, tr("Save &As…"), {QKeySequence(u"Ctrl+Shift+S"_qs)}, [this] { saveAs(); },
        themed("document-save-as", QStyle::SP_DialogSaveButton));
    file->addAction(newAction);
    file->addAction(openAction);
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    connect(m_recentMenu, &QMenu::aboutToShow, this, &MainWindow::updateRecentMenu);
    file->addAction(saveAction);
    file->addAction(saveAsAction);
    file->addSeparator();
    QAction *importJobsAction = make(
        u"actionImportJobs"_qs, tr("&Import Nomad Jobs…"), {QKeySequence(u"Ctrl+I"_qs)}, [this] { importJobs(); },
        themed("document-import", QStyle::SP_ArrowRight));
    importJobsAction->setToolTip(tr("Draw the Connect services of Nomad job files (HCL2) as a design"));
    file->addAction(importJobsAction);
    QAction *importClusterAction = make(
        u"actionImportCluster"_qs, tr("Import from &Cluster…"), {}, [this] { importFromCluster(); },
        themed("cloud-download", QStyle::SP_DriveNetIcon));
    importClusterAction->setToolTip(tr("Draw the jobs and intentions a running Consul and Nomad cluster has"));
    file->addAction(importClusterAction);
    file->addSeparator();
    file->addAction(make(
        u"actionExportPng"_qs, tr("Export Picture as &PNG…"), {}, [this] { exportPicture(Picture::Png); },
        themed("image-x-generic", QStyle::SP_FileIcon)));
    file->addAction(make(
        u"actionExportSvg"_qs, tr("Export Picture as S&VG…"), {}, [this] { exportPicture(Picture::Svg); },
        themed("image-x-generic", QStyle::SP_FileIcon)));
    file->addAction(make(
        u"actionExportArtifacts"_qs, tr("&Export Artifacts…"), {QKeySequence(u"Ctrl+E"_qs)},
        [this] { m_artifacts->exportAll(); }, themed("document-export", QStyle::SP_DirIcon)));
    file->addSeparator();
    file->addAction(make(
        u"actionQuit"_qs, tr("&Quit"), {QKeySequence::Quit}, [this] { close(); },
        themed("application-exit", QStyle::SP_DialogCloseButton)));

    // Edit
    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    QAction *undo = m_undoStack->createUndoAction(this, tr("&Undo"));
    undo->setObjectName(u"actionUndo"_qs);
    undo->setShortcuts({QKeySequence::Undo});
    undo->setIcon(themed("edit-undo", QStyle::SP_ArrowBack));
    QAction *redo = m_undoStack->createRedoAction(this, tr("&Redo"));
    redo->setObjectName(u"actionRedo"_qs);
    redo->setShortcuts({QKeySequence(u"Ctrl+Shift+Z"_qs), QKeySequence(u"Ctrl+Y"_qs)});
    redo->setIcon(themed("edit-redo", QStyle::SP_ArrowForward));
    edit->addAction(undo);
    edit->addAction(redo);
    edit->addSeparator();
    edit->addAction(make(
        u"actionCut"_qs, tr("Cu&t"), {QKeySequence::Cut}, [this] { m_canvas->cut(); }, themed("edit-cut")));
    edit->addAction(make(
        u"actionCopy"_qs, tr("&Copy"), {QKeySequence::Copy}, [this] { m_canvas->copy(); }, themed("edit-copy")));
    edit->addAction(make(
        u"actionPaste"_qs, tr("&Paste"), {QKeySequence::Paste}, [this] { m_canvas->paste(); }, themed("edit-paste")));
    edit->addAction(make(
        u"actionDuplicate"_qs, tr("D&uplicate"), {QKeySequence(u"Ctrl+D"_qs)}, [this] { m_canvas->duplicate(); },
        themed("edit-duplicate")));
    edit->addAction(make(
        u"actionDelete"_qs, tr("&Delete"), {QKeySequence::Delete, QKeySequence(Qt::Key_Backspace)},
        [this] { m_canvas->deleteSelection(); }, themed("edit-delete", QStyle::SP_TrashIcon)));
    edit->addAction(make(
        u"actionSelectAll"_qs, tr("Select &All"), {QKeySequence::SelectAll}, [this] { m_canvas->selectAll(); },
        themed("edit-select-all")));
    edit->addSeparator();
    edit->addAction(make(
        u"actionFind"_qs, tr("&Find Service…"), {QKeySequence::Find},
        [this] {
            m_findField->setFocus(Qt::ShortcutFocusReason);
            m_findField->selectAll();
        },
        themed("edit-find", QStyle::SP_FileDialogContentsView)));
    // Window-wide actions whose keys a focused text field needs (Delete,
    // Backspace, Ctrl+A…) still reach the field: QLineEdit claims them
    // through ShortcutOverride, and the canvas does the same for itself.

    // View
    QMenu *view = menuBar()->addMenu(tr("&View"));
    QAction *zoomIn = make(
        u"actionZoomIn"_qs, tr("Zoom &In"), {QKeySequence(u"Ctrl+="_qs), QKeySequence::ZoomIn},
        [this] { m_canvas->zoomIn(); }, themed("zoom-in", QStyle::SP_ArrowUp));
    QAction *zoomOut = make(
        u"actionZoomOut"_qs, tr("Zoom &Out"), {QKeySequence::ZoomOut}, [this] { m_canvas->zoomOut(); },
        themed("zoom-out", QStyle::SP_ArrowDown));
    QAction *fit = make(
        u"actionZoomFit"_qs, tr("Zoom to &Fit"), {QKeySequence(u"Ctrl+0"_qs)}, [this] { m_canvas->zoomToFit(); },
        themed("zoom-fit-best", QStyle::SP_TitleBarMaxButton));
    QAction *layout = make(
        u"actionAutoLayout"_qs, tr("&Auto-layout"), {QKeySequence(u"Ctrl+Shift+L"_qs)},
        [this] { m_canvas->autoLayout(); }, themed("distribute-graph-directed", QStyle::SP_BrowserReload));
    layout->setToolTip(tr("Lay the design out left to right along the arrows (one undo step)"));
    QAction *snap = make(
        u"actionSnap"_qs, tr("&Snap to Grid"), {QKeySequence(u"Ctrl+Shift+G"_qs)},
        [this](bool on) { m_canvas->setSnapToGrid(on); }, themed("view-grid"));
    snap->setCheckable(true);
    snap->setChecked(m_canvas->snapToGrid());
    QAction *commands = make(
        u"actionCommandPalette"_qs, tr("&Command Palette…"), {QKeySequence(u"Ctrl+Shift+P"_qs)},
        [this] { showCommandPalette(); }, themed("search"));
    view->addAction(zoomIn);
    view->addAction(zoomOut);
    view->addAction(fit);
    view->addSeparator();
    view->addAction(layout);
    view->addAction(snap);
    view->addSeparator();
    view->addAction(commands);
    view->addSeparator();
    // Light or dark: the desktop's choice unless the user makes one here.
    QMenu *scheme = view->addMenu(themed("color-management"), tr("Colo&r Scheme"));
    auto *schemes = new QActionGroup(scheme);
    const Appearance::Scheme saved = Appearance::savedScheme();
    for (const auto &[value, text] :
         {std::pair{Appearance::Scheme::System, tr("Follow the &System")},
          std::pair{Appearance::Scheme::Light, tr("&Light")}, std::pair{Appearance::Scheme::Dark, tr("&Dark")}}) {
        QAction *choice = scheme->addAction(text);
        choice->setObjectName(u"actionColorScheme_"_qs + Appearance::toString(value));
        choice->setCheckable(true);
        choice->setChecked(value == saved);
        schemes->addAction(choice);
        connect(choice, &QAction::triggered, this, [value] {
            Appearance::saveScheme(value);
            Appearance::apply(*qApp, value);
        });
    }
    view->addSeparator();
    for (QDockWidget *dock : findChildren<QDockWidget *>(QString(), Qt::FindDirectChildrenOnly)) {
        QAction *toggle = dock->toggleViewAction();
        toggle->setObjectName(u"actionShow_"_qs + dock->objectName());
        toggle->setText(tr("Show %1").arg(dock->windowTitle()));
        view->addAction(toggle);
    }
    if (QDockWidget *overview = findChild<QDockWidget *>(u"overviewDock"_qs))
        overview->toggleViewAction()->setShortcut(QKeySequence(u"Alt+M"_qs));

    // Lab
    QMenu *labMenu = menuBar()->addMenu(tr("&Lab"));
    m_runAction = make(
        u"actionLabRun"_qs, tr("&Run"), {QKeySequence(Qt::Key_F5)}, [this] { runLab(); },
        themed("media-playback-start", QStyle::SP_MediaPlay));
    m_runAction->setToolTip(tr("Run the design on the embedded three-node lab (F5)"));
    m_stopAction = make(
        u"actionLabStop"_qs, tr("&Stop"), {QKeySequence(Qt::SHIFT | Qt::Key_F5)}, [this] { stopLab(); },
        themed("media-playback-stop", QStyle::SP_MediaStop));
    m_stopAction->setToolTip(tr("Stop the lab (Shift+F5)"));
    m_dashboardAction = make(
        u"actionLabDashboard"_qs, tr("Open &Dashboard"), {QKeySequence(u"Ctrl+F5"_qs)},
        [this] { m_labDock->openDashboard(); }, themed("internet-web-browser", QStyle::SP_ComputerIcon));
    labMenu->addAction(m_runAction);
    labMenu->addAction(m_stopAction);
    labMenu->addSeparator();
    labMenu->addAction(m_dashboardAction);

    // Deploy
    QMenu *deployMenu = menuBar()->addMenu(tr("&Deploy"));
    QAction *deployAction = make(
        u"actionDeploy"_qs, tr("&Deploy…"), {QKeySequence(u"Ctrl+Shift+D"_qs)}, [this] { deploy(); },
        themed("cloud-upload", QStyle::SP_DriveNetIcon));
    deployAction->setToolTip(tr("Plan and deploy the design to the lab, a cluster or the Hashibox (Ctrl+Shift+D)"));
    QAction *teardownAction = make(
        u"actionTeardown"_qs, tr("&Teardown…"), {}, [this] { teardown(); },
        themed("trash-empty", QStyle::SP_TrashIcon));
    teardownAction->setToolTip(tr("Remove everything the design deployed from a target"));
    deployMenu->addAction(deployAction);
    deployMenu->addAction(teardownAction);

    // Help
    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(make(
        u"actionShortcuts"_qs, tr("&Keyboard Shortcuts"), {QKeySequence(Qt::Key_F1)}, [this] { showShortcuts(); },
        themed("configure-shortcuts")));
    auto *examples = new ExamplesMenu(help);
    examples->setIcon(themed("folder-open", QStyle::SP_DirOpenIcon));
    connect(examples, &ExamplesMenu::exampleChosen, this, &MainWindow::openExample);
    help->addMenu(examples);
    help->addSeparator();
    help->addAction(make(
        u"actionAbout"_qs, tr("&About Meshpad"), {},
        [this] {
            auto *about = new AboutDialog(this);
            about->setAttribute(Qt::WA_DeleteOnClose);
            about->open();
        },
        themed("help-about", QStyle::SP_MessageBoxInformation)));
    help->addAction(make(u"actionAboutQt"_qs, tr("About &Qt"), {}, [this] { QMessageBox::aboutQt(this); }));
    m_menus = {file, edit, view, labMenu, deployMenu, help};

    // The toolbar: the everyday actions and the find field.
    QToolBar *bar = addToolBar(tr("Main"));
    bar->setObjectName(u"mainToolBar"_qs);
    bar->setMovable(false);
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    bar->addAction(newAction);
    bar->addAction(openAction);
    bar->addAction(saveAction);
    bar->addSeparator();
    bar->addAction(undo);
    bar->addAction(redo);
    bar->addSeparator();
    bar->addAction(zoomOut);
    bar->addAction(zoomIn);
    bar->addAction(fit);
    bar->addAction(layout);
    bar->addSeparator();
    bar->addAction(m_runAction);
    bar->addAction(m_stopAction);
    bar->addAction(deployAction);
    auto *spacer = new QWidget;
    spacer->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    bar->addWidget(spacer);
    m_findStatus = new QLabel;
    m_findStatus->setEnabled(false);
    bar->addWidget(m_findStatus);
    m_findField = new QLineEdit;
    m_findField->setObjectName(u"findField"_qs);
    m_findField->setPlaceholderText(tr("Find service (Ctrl+F)"));
    m_findField->setAccessibleName(tr("Find service"));
    m_findField->setClearButtonEnabled(true);
    m_findField->setMaximumWidth(260);
    m_findField->installEventFilter(this);
    connect(m_findField, &QLineEdit::textEdited, this, [this] { findNext(true); });
    connect(m_findField, &QLineEdit::returnPressed, this, [this] { findNext(false); });
    bar->addWidget(m_findField);
}

QList<QAction *> MainWindow::allActions() const
{
    QList<QAction *> result;
    for (const MenuActions &menu : menuActions(m_menus, Submenus::Include)) {
        for (QAction *action : menu.actions) {
            if (!result.contains(action))
                result.append(action);
        }
    }
    return result;
}

void MainWindow::start(const QString &file, RecoveryPolicy recovery)
{
    restoreLayout();
    if (recovery != RecoveryPolicy::Ignore && offerRecovery(recovery == RecoveryPolicy::Ask))
        return;
    if (!file.isEmpty() && openFile(file))
        return;
    if (file.isEmpty()) {
        const QString last = RecentFiles::lastProject();
        if (!last.isEmpty() && QFileInfo::exists(last) && openFile(last))
            return;
    }
    // First start (or the last project is gone): the countdash example, as
    // an unsaved design so Save asks where to put it.
    if (const mesh::Result<Topology> example = mesh::model::ProjectFile::load(QString::fromLatin1(kExamplePath)))
        setDesign(*example, {}, QStringLiteral("countdash.meshpad"));
}

bool MainWindow::offerRecovery(bool ask)
{
    const QList<Autosaver::Recovery> crashed = Autosaver::crashedSessions();
    if (crashed.isEmpty())
        return false;
    const Autosaver::Recovery &newest = crashed.first();
    if (ask) {
        const QString from
            = newest.originPath.isEmpty() ? tr("an unsaved design") : QDir::toNativeSeparators(newest.originPath);
        // Buttons that say what they do; no escape button, so the work is
        // only thrown away when the user says Discard.
        QMessageBox box(QMessageBox::Question, tr("Restore unsaved work?"),
                        tr("Meshpad did not close normally. Restore the work on %1 saved at %2?")
                            .arg(from, QLocale().toString(newest.saved, QLocale::ShortFormat)),
                        QMessageBox::Discard, this);
        box.setObjectName(u"recoveryOffer"_qs);
        QPushButton *restore = box.addButton(tr("&Restore"), QMessageBox::AcceptRole);
        box.setDefaultButton(restore);
        box.exec();
        if (box.clickedButton() != restore) {
            // Kept for the next start if the box went away unanswered.
            if (box.clickedButton() == box.button(QMessageBox::Discard))
                Autosaver::removeRecovery(newest);
            return false;
        }
    }
    mesh::Result<Topology> recovered = mesh::model::ProjectFile::load(newest.path);
    if (!recovered) {
        showMessage(tr("Could not restore"), recovered.error().message);
        return false;
    }
    const QString display
        = newest.originPath.isEmpty() ? tr("untitled.meshpad") : QFileInfo(newest.originPath).fileName();
    setDesign(std::move(*recovered), newest.originPath, display);
    // Not what is on disk: mark it modified so Save (and a new recovery
    // copy) follow, and closing asks.
    m_undoStack->resetClean();
    Autosaver::removeRecovery(newest);
    m_autosaver->saveNow();
    statusBar()->showMessage(tr("Restored the unsaved work of the last session."), 10000);
    return true;
}

void MainWindow::setDesign(Topology topology, const QString &filePath, const QString &displayName)
{
    // The lab runs the design that was shown; another one replaces it.
    if (m_labSession->runsDesign()) {
        stopLab();
        m_canvas->canvasScene()->clearLiveState();
    }
    m_undoStack->clear();
    m_model->setTopology(std::move(topology));
    m_undoStack->setClean();
    setFilePath(filePath, displayName);
    m_autosaver->setModified(false);
    validateNow();
    m_canvas->zoomToFit();
    // A fit before the first show uses the default viewport size; fit again
    // once the window has its layout.
    QTimer::singleShot(0, m_canvas, &CanvasView::zoomToFit);
}

void MainWindow::setFilePath(const QString &filePath, const QString &displayName)
{
    m_filePath = filePath;
    m_autosaver->setOriginPath(filePath);
    // Qt's window-file-path convention: "<file>[*] — Meshpad", [*] shown
    // while modified. Spelled out rather than left to the platform plugin,
    // which appends the display name only on some platforms.
    setWindowFilePath(filePath.isEmpty() ? displayName : filePath);
    setWindowTitle(QFileInfo(windowFilePath()).fileName() + u"[*] — Meshpad"_qs);
    setWindowModified(!m_undoStack->isClean());
}

bool MainWindow::openFile(const QString &path)
{
    mesh::Result<Topology> loaded = mesh::model::ProjectFile::load(path);
    if (!loaded) {
        showMessage(tr("Cannot open %1").arg(QFileInfo(path).fileName()), loaded.error().message);
        return false;
    }
    const bool isResource = path.startsWith(u':');
    setDesign(std::move(*loaded), isResource ? QString() : QFileInfo(path).absoluteFilePath(),
              QFileInfo(path).fileName());
    if (!isResource)
        RecentFiles::add(path);
    return true;
}

bool MainWindow::saveTo(const QString &path)
{
    const mesh::Result<> saved = mesh::model::ProjectFile::save(m_model->topology(), path);
    if (!saved) {
        showMessage(tr("Cannot save"), saved.error().message);
        return false;
    }
    m_undoStack->setClean();
    setFilePath(QFileInfo(path).absoluteFilePath(), QFileInfo(path).fileName());
    m_autosaver->setModified(false);
    RecentFiles::add(path);
    statusBar()->showMessage(tr("Saved %1").arg(QDir::toNativeSeparators(path)), 5000);
    return true;
}

void MainWindow::newDesign()
{
    if (!maybeSave())
        return;
    Topology empty;
    empty.name = QStringLiteral("untitled");
    setDesign(std::move(empty), {}, tr("untitled.meshpad"));
}

void MainWindow::open()
{
    if (!maybeSave())
        return;
    const QString path = QFileDialog::getOpenFileName(this, tr("Open design"), designFolder(), fileFilter());
    if (path.isEmpty())
        return;
    rememberFolder(path);
    openFile(path);
}

void MainWindow::openExample(const QString &path)
{
    if (!maybeSave())
        return;
    const mesh::Result<Topology> example = mesh::model::ProjectFile::load(path);
    if (!example) {
        showMessage(tr("Cannot open the example"), example.error().message);
        return;
    }
    // An untitled copy, as the first start's example: Save asks where, and
    // the installed file (read-only under /usr/share anyway) stays as shipped.
    setDesign(*example, {}, QFileInfo(path).fileName());
}

QString MainWindow::designFolder() const
{
    if (!m_filePath.isEmpty())
        return QFileInfo(m_filePath).absolutePath();
    const QString last = QSettings().value(QString::fromLatin1(kLastFolderKey)).toString();
    if (!last.isEmpty() && QFileInfo(last).isDir())
        return last;
    return QDir::homePath();
}

void MainWindow::rememberFolder(const QString &chosenFile)
{
    QSettings().setValue(QString::fromLatin1(kLastFolderKey), QFileInfo(chosenFile).absolutePath());
}

bool MainWindow::save()
{
    if (m_filePath.isEmpty())
        return saveAs();
    return saveTo(m_filePath);
}

bool MainWindow::saveAs()
{
    QString suggested = m_filePath;
    if (suggested.isEmpty())
        suggested = QDir(designFolder()).filePath(QFileInfo(windowFilePath()).fileName());
    QFileDialog dialog(this, tr("Save design as"), suggested, fileFilter());
    dialog.setAcceptMode(QFileDialog::AcceptSave);
    dialog.setDefaultSuffix(QStringLiteral("meshpad"));
    if (dialog.exec() != QDialog::Accepted || dialog.selectedFiles().isEmpty())
        return false;
    rememberFolder(dialog.selectedFiles().constFirst());
    return saveTo(dialog.selectedFiles().constFirst());
}

void MainWindow::importJobs()
{
    const QStringList paths
        = QFileDialog::getOpenFileNames(this, tr("Import Nomad jobs"), designFolder(), jobFileFilter());
    if (paths.isEmpty())
        return;
    rememberFolder(paths.constFirst());
    importJobFiles(paths);
}

void MainWindow::importJobFiles(const QStringList &paths)
{
    using Imported = mesh::Result<mesh::importer::JobImporter::Result>;
    QStringList names;
    for (const QString &path : paths)
        names.append(QFileInfo(path).fileName());
    const QString source = names.join(u", "_qs);
    QAction *action = findChild<QAction *>(u"actionImportJobs"_qs);
    if (action)
        action->setEnabled(false);
    statusBar()->showMessage(tr("Reading %1…").arg(source));

    // FileImport shares nothing with the GUI; the watcher is this window's
    // child, so a window closed meanwhile hears nothing back.
    auto promise = std::make_shared<QPromise<Imported>>();
    auto *watcher = new QFutureWatcher<Imported>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, action, source] {
        watcher->deleteLater();
        if (action)
            action->setEnabled(true);
        statusBar()->clearMessage();
        Imported imported = watcher->result();
        if (!imported) {
            // FileImport's message names the file, line and column.
            showMessage(tr("Cannot import"), imported.error().message);
            return;
        }
        applyImport(std::move(*imported), source);
    });
    watcher->setFuture(promise->future());
    QThread *reader = QThread::create([promise, paths] {
        promise->start();
        promise->addResult(mesh::importer::FileImport::importFiles(paths));
        promise->finish();
    });
    reader->setObjectName(u"meshpad-import"_qs);
    connect(reader, &QThread::finished, reader, &QObject::deleteLater);
    reader->start();
}

bool MainWindow::applyImport(mesh::importer::JobImporter::Result result, const QString &source)
{
    using Mode = ImportCommand::Mode;
    QStringList notes;
    for (const mesh::importer::ImportNote &note : std::as_const(result.notes))
        notes.append(note.text());
    if (result.design.services.isEmpty()) {
        // Nothing to draw, but what was left out is still said.
        const QString summary = tr("%1 holds no Consul Connect service to draw; nothing was imported.").arg(source);
        statusBar()->showMessage(summary, 10000);
        auto *report = new ImportReportDialog(summary, notes, this);
        report->open();
        return false;
    }

    // An empty canvas, or the untouched example of a first start, simply
    // becomes the import: undo brings it back.
    Mode mode = Mode::Replace;
    const bool replace = m_model->topology().services.isEmpty() || (m_filePath.isEmpty() && m_undoStack->isClean());
    if (!replace) {
        const QString name = QFileInfo(windowFilePath()).fileName();
        QMessageBox box(QMessageBox::Question, tr("Import"),
                        tr("Merge the services of %1 into %2, or open them as a new design?").arg(source, name),
                        QMessageBox::Cancel, this);
        box.setObjectName(u"importChoice"_qs);
        QPushButton *merge = box.addButton(tr("&Merge into %1").arg(name), QMessageBox::AcceptRole);
        merge->setObjectName(u"mergeButton"_qs);
        QPushButton *fresh = box.addButton(tr("Open as &New Design"), QMessageBox::AcceptRole);
        fresh->setObjectName(u"newDesignButton"_qs);
        box.setDefaultButton(merge);
        box.exec();
        if (box.clickedButton() == merge) {
            mode = Mode::Merge;
        } else if (box.clickedButton() == fresh) {
            // As File › New: unsaved work is asked for first.
            if (!maybeSave())
                return false;
            Topology empty;
            empty.name = QStringLiteral("untitled");
            setDesign(std::move(empty), {}, tr("untitled.meshpad"));
        } else {
            return false;
        }
    }

    // Jobs from files carry no design name: a saved design keeps its own, an
    // untitled one is "untitled" (not the example's name it replaces).
    if (mode == Mode::Replace && result.design.name.isEmpty())
        result.design.name = m_filePath.isEmpty() ? QStringLiteral("untitled") : m_model->topology().name;
    placeImport(result.design, m_model->topology(), mode == Mode::Merge);
    auto *command = new ImportCommand(*m_model, result.design, mode);
    const QList<mesh::model::ServiceId> ids = command->serviceIds();
    notes += command->notes();
    QString summary;
    if (mode == Mode::Replace) {
        summary = tr("Imported %1 and %2 from %3.")
                      .arg(tr("%n service(s)", nullptr, command->addedServices()),
                           tr("%n arrow(s)", nullptr, command->addedUpstreams()), source);
    } else {
        QStringList changes;
        if (command->addedServices() > 0)
            changes.append(tr("%n service(s) added", nullptr, command->addedServices()));
        if (command->updatedServices() > 0)
            changes.append(tr("%n service(s) updated in place", nullptr, command->updatedServices()));
        if (command->addedUpstreams() > 0)
            changes.append(tr("%n arrow(s) added", nullptr, command->addedUpstreams()));
        summary = tr("Merged %1 into %2: %3.")
                      .arg(source, QFileInfo(windowFilePath()).fileName(),
                           changes.isEmpty() ? tr("nothing new") : changes.join(u", "_qs));
    }
    m_undoStack->push(command);

    validateNow();
    if (mode == Mode::Merge)
        m_canvas->canvasScene()->setSelection(ids);
    m_canvas->zoomToFit();
    statusBar()->showMessage(summary, 10000);
    if (!notes.isEmpty()) {
        auto *report = new ImportReportDialog(summary, notes, this);
        report->open();
    }
    return true;
}

bool MainWindow::maybeSave()
{
    if (m_undoStack->isClean())
        return true;
    const auto answer
        = QMessageBox::warning(this, tr("Unsaved changes"),
                               tr("%1 has unsaved changes. Save them?").arg(QFileInfo(windowFilePath()).fileName()),
                               QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Save)
        return save();
    return answer == QMessageBox::Discard;
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (!maybeSave()) {
        event->ignore();
        return;
    }
    saveLayout();
    RecentFiles::setLastProject(m_filePath);
    m_autosaver->discard();
    event->accept();
}

void MainWindow::restoreLayout()
{
    const QSettings settings;
    restoreGeometry(settings.value(u"window/geometry"_qs).toByteArray());
    restoreState(settings.value(u"window/state"_qs).toByteArray());
}

void MainWindow::saveLayout()
{
    QSettings settings;
    settings.setValue(u"window/geometry"_qs, saveGeometry());
    settings.setValue(u"window/state"_qs, saveState());
}

void MainWindow::exportPicture(Picture picture)
{
    const bool svg = picture == Picture::Svg;
    const QString base = QFileInfo(windowFilePath()).completeBaseName();
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export picture"), QDir(designFolder()).filePath(base + (svg ? u".svg"_qs : u".png"_qs)),
        svg ? tr("SVG images (*.svg)") : tr("PNG images (*.png)"));
    if (path.isEmpty())
        return;
    rememberFolder(path);
    const mesh::Result<> written = svg ? m_canvas->exportSvg(path) : m_canvas->exportPng(path);
    if (!written)
        showMessage(tr("Export failed"), written.error().message);
}

void MainWindow::showMessage(const QString &title, const QString &text)
{
    // Window-modal but not blocking: the caller returns at once and the
    // design behind stays as it was.
    auto *box = new QMessageBox(QMessageBox::Warning, title, text, QMessageBox::Ok, this);
    box->setObjectName(u"errorMessage"_qs);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void MainWindow::validateNow()
{
    m_validateTimer.stop();
    const mesh::model::Problems problems = mesh::model::Validator::validate(m_model->topology());
    m_problems->setProblems(problems);
    m_inspector->setProblems(problems);
    m_canvas->canvasScene()->setProblems(problems);
}

void MainWindow::updateInspectorFromSelection()
{
    const QList<mesh::model::ServiceId> services = m_canvas->selectedServices();
    const QList<mesh::model::UpstreamId> upstreams = m_canvas->selectedUpstreams();
    if (services.size() == 1 && upstreams.isEmpty())
        m_inspector->showService(services.constFirst());
    else if (services.isEmpty() && upstreams.size() == 1)
        m_inspector->showUpstream(upstreams.constFirst());
    else
        m_inspector->showNothing(int(services.size() + upstreams.size()));
}

void MainWindow::activateProblem(const Problem &problem)
{
    m_inspector->show();
    m_inspector->raise();
    if (!problem.upstream.isNull() && (isUpstreamField(problem.field) || problem.service.isNull())) {
        m_canvas->selectAndCenterUpstream(problem.upstream);
        m_inspector->showUpstream(problem.upstream);
    } else if (!problem.service.isNull()) {
        m_canvas->selectAndCenter(problem.service);
        m_inspector->showService(problem.service);
    } else {
        // A mesh setting: nothing on the canvas to point at; the inspector
        // shows the mesh settings with nothing selected.
        m_canvas->scene()->clearSelection();
        m_inspector->showNothing();
    }
    m_inspector->focusField(problem.field);
}

void MainWindow::findNext(bool restart)
{
    const QString needle = m_findField->text().trimmed();
    QList<mesh::model::ServiceId> matches;
    if (!needle.isEmpty()) {
        for (const mesh::model::Service &s : m_model->topology().services) {
            if (s.name.contains(needle, Qt::CaseInsensitive) || s.job.contains(needle, Qt::CaseInsensitive))
                matches.append(s.id);
        }
    }
    if (matches.isEmpty()) {
        m_findStatus->setText(needle.isEmpty() ? QString() : tr("no match"));
        m_findIndex = -1;
        return;
    }
    m_findIndex = restart ? 0 : (m_findIndex + 1) % int(matches.size());
    m_findStatus->setText(tr("%1 of %2").arg(m_findIndex + 1).arg(matches.size()));
    // Keep typing in the field: selecting on the canvas does not take focus.
    m_canvas->selectAndCenter(matches.at(m_findIndex));
}

bool MainWindow::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_findField && event->type() == QEvent::KeyPress
        && static_cast<QKeyEvent *>(event)->key() == Qt::Key_Escape) {
        m_findField->clear();
        m_findStatus->clear();
        m_canvas->setFocus(Qt::ShortcutFocusReason);
        return true;
    }
    return QMainWindow::eventFilter(watched, event);
}

bool MainWindow::focusNextPrevChild(bool next)
{
    // Tab bubbles up here from any widget that does not take it itself.
    QWidget *first = nullptr;
    if (m_inspector->isVisible()) {
        for (QWidget *w = m_inspector->nextInFocusChain(); w && w != m_inspector; w = w->nextInFocusChain()) {
            // The form's scroll area takes focus too, but is not a field.
            if (m_inspector->isAncestorOf(w) && w->isVisible() && w->isEnabled() && (w->focusPolicy() & Qt::TabFocus)
                && !qobject_cast<QAbstractScrollArea *>(w)) {
                first = w;
                break;
            }
        }
    }
    QWidget *focus = QApplication::focusWidget();
    if (first && next && focus == m_canvas) {
        first->setFocus(Qt::TabFocusReason);
        return true;
    }
    if (first && !next && focus == first) {
        m_canvas->setFocus(Qt::BacktabFocusReason);
        return true;
    }
    return QMainWindow::focusNextPrevChild(next);
}

void MainWindow::updateRecentMenu()
{
    m_recentMenu->clear();
    const QStringList files = RecentFiles::files();
    for (const QString &path : files) {
        QAction *action = m_recentMenu->addAction(QDir::toNativeSeparators(path));
        connect(action, &QAction::triggered, this, [this, path] {
            if (maybeSave() && !openFile(path) && !QFileInfo::exists(path))
                RecentFiles::remove(path);
        });
    }
    if (files.isEmpty())
        m_recentMenu->addAction(tr("No recent designs"))->setEnabled(false);
    else {
        m_recentMenu->addSeparator();
        m_recentMenu->addAction(tr("Clear List"), this, [] { RecentFiles::clear(); });
    }
}

void MainWindow::addServiceFromPalette(int kind)
{
    // Enter in the palette: the new card goes to the middle of what is visible.
    const QPointF centre = m_canvas->mapToScene(m_canvas->viewport()->rect().center());
    const mesh::model::ServiceId id = m_canvas->addService(mesh::model::ServiceTemplate(kind), centre);
    if (!id.isNull())
        m_canvas->selectAndCenter(id);
}

void MainWindow::connectLab()
{
    m_labIndicator = new QLabel;
    m_labIndicator->setObjectName(u"labIndicator"_qs);
    statusBar()->addPermanentWidget(m_labIndicator);
    m_labSession = new LabSession(*m_lab, this);
    showLabState(LabState::Idle);

    connect(m_labSession, &LabSession::stateChanged, this, &MainWindow::showLabState);
    connect(m_labSession, &LabSession::serveStarted, this, [this] {
        statusBar()->showMessage(tr("The lab is up as a cluster to deploy to; Lab › Stop stops it."), 10000);
    });
    connect(m_labSession, &LabSession::runStarted, this, [this](const mesh::lab::LabSnapshot &snapshot) {
        m_labDock->show();
        m_labDock->raise();
        m_charts->show();
        m_charts->raise();
        // Room for the charts' legends and the lab's lists; a bigger dock
        // the user chose stays.
        if (m_charts->width() < kChartsWidth)
            resizeDocks({m_charts}, {kChartsWidth}, Qt::Horizontal);
        if (m_labDock->height() < kLabDockHeight)
            resizeDocks({m_labDock}, {kLabDockHeight}, Qt::Vertical);
        statusBar()->showMessage(snapshot.dashboardUrl.isEmpty()
                                     ? tr("The lab runs the design.")
                                     : tr("The lab runs the design; the dashboard is at %1").arg(snapshot.dashboardUrl),
                                 10000);
    });
    // A failure while Serving is the Deploy dialog's to tell.
    connect(m_labSession, &LabSession::runFailed, this, [this](const QString &error) {
        m_canvas->canvasScene()->clearLiveState();
        m_labDock->setSnapshot({});
        refuseRun(error);
    });
    connect(m_labSession, &LabSession::stopped, this, [this] {
        m_canvas->canvasScene()->clearLiveState();
        m_labDock->setSnapshot({});
        statusBar()->showMessage(tr("The lab stopped."), 5000);
    });
    connect(m_labSession, &LabSession::snapshotArrived, this, &MainWindow::showLabSnapshot);
    connect(m_labSession, &LabSession::eventOccurred, this,
            [this](const mesh::lab::LabEvent &event) { m_labDock->appendEvent(event); });
}

void MainWindow::runLab()
{
    if (m_labSession->state() != LabState::Idle)
        return;
    // The lab validates too; validating here first makes Problems current
    // for the message below.
    validateNow();
    if (const mesh::Result<> started = m_labSession->run(m_model->topology()); !started) {
        refuseRun(started.error().message);
        return;
    }
    m_labDock->clearEvents();
    m_charts->clear();
    m_traffic.clear();
    statusBar()->showMessage(tr("Starting the lab…"));
}

mesh::Result<> MainWindow::startLabForDeploy()
{
    if (m_labSession->state() == LabState::Serving)
        return {};
    if (mesh::Result<> started = m_labSession->serve(); !started)
        return started;
    m_labDock->clearEvents();
    statusBar()->showMessage(tr("Starting the lab for Deploy…"));
    return {};
}

DeployDialog *MainWindow::deployDialog() const
{
    return m_deployDialog;
}

void MainWindow::deploy()
{
    openDeployDialog(DeployDialog::Mode::Deploy);
}

void MainWindow::teardown()
{
    openDeployDialog(DeployDialog::Mode::Teardown);
}

void MainWindow::importFromCluster()
{
    openDeployDialog(DeployDialog::Mode::Import);
}

void MainWindow::openDeployDialog(DeployDialog::Mode mode)
{
    if (m_deployDialog) {
        // One at a time; an idle one of the other kind gives way.
        const bool busy = m_deployDialog->stage() == DeployDialog::Stage::Applying;
        if (m_deployDialog->mode() == mode || busy) {
            m_deployDialog->raise();
            m_deployDialog->activateWindow();
            return;
        }
        m_deployDialog->close();
    }
    validateNow();
    m_deployDialog = new DeployDialog(mode, *this);
    m_deployDialog->setAttribute(Qt::WA_DeleteOnClose);
    if (mode == DeployDialog::Mode::Import) {
        connect(m_deployDialog, &DeployDialog::imported, this,
                [this](const mesh::importer::JobImporter::Result &result, const QString &source) {
                    // Out of the dialog's own call first: the merge question
                    // and the report are the window's.
                    m_deployDialog->close();
                    QTimer::singleShot(0, this,
                                       [this, result, source]() mutable { applyImport(std::move(result), source); });
                });
    }
    m_deployDialog->show();
}

void MainWindow::stopLab()
{
    if (!m_labSession->stop())
        return;
    statusBar()->showMessage(tr("Stopping the lab…"));
}

void MainWindow::showLabState(LabState state)
{
    m_runAction->setEnabled(state == LabState::Idle);
    m_stopAction->setEnabled(state == LabState::Starting || state == LabState::Running || state == LabState::Serving);
    m_dashboardAction->setEnabled(state == LabState::Running && !m_labDock->dashboardUrl().isEmpty());
    switch (state) {
    case LabState::Idle: m_labIndicator->clear(); break;
    case LabState::Starting: m_labIndicator->setText(tr("Lab starting…")); break;
    case LabState::Running:
        m_labIndicator->setText(u"<span style=\"color:#2ea04f\">●</span> "_qs + tr("Lab running").toHtmlEscaped());
        break;
    case LabState::Stopping: m_labIndicator->setText(tr("Lab stopping…")); break;
    case LabState::Serving:
        m_labIndicator->setText(u"<span style=\"color:#2ea04f\">●</span> "_qs
                                + tr("Lab up for Deploy").toHtmlEscaped());
        break;
    }
}

void MainWindow::showLabSnapshot(const mesh::lab::LabSnapshot &snapshot)
{
    m_traffic.add(snapshot);
    m_canvas->canvasScene()->setLiveState(LiveState::fromSnapshot(snapshot, &m_traffic));
    m_labDock->setSnapshot(snapshot);
    m_charts->addSnapshot(snapshot);
    m_dashboardAction->setEnabled(m_labSession->state() == LabState::Running && !snapshot.dashboardUrl.isEmpty());
}

void MainWindow::refuseRun(const QString &reason)
{
    // Point to Problems only when the validator has errors to show there.
    const bool invalid = std::ranges::any_of(m_problems->problems(), &Problem::isError);
    statusBar()->showMessage(tr("The lab did not start: %1").arg(reason.section(u'\n', 0, 0)), 15000);
    QString text = reason;
    if (invalid) {
        m_problems->show();
        m_problems->raise();
        text += u"\n\n"_qs + tr("The Problems tab lists what to fix.");
    }
    showMessage(tr("Cannot run the lab"), text);
}

void MainWindow::showCommandPalette()
{
    QList<CommandPalette::Entry> entries;
    for (const MenuActions &menu : menuActions(m_menus, Submenus::Skip)) {
        for (QAction *action : menu.actions)
            entries.append({action, menu.title + u" › " + action->text().remove(u'&')});
    }
    auto *palette = new CommandPalette(entries, this);
    // Centred at the top of the window, as editors place it.
    palette->move(mapToGlobal(QPoint((width() - palette->width()) / 2, 60)));
    palette->open();
    palette->filterField()->setFocus();
}

void MainWindow::showShortcuts()
{
    QList<ShortcutsSheet::Group> groups;
    for (const MenuActions &menu : menuActions(m_menus, Submenus::Skip))
        groups.append({menu.title, menu.actions});
    auto *sheet = new ShortcutsSheet(groups, this);
    sheet->open();
}

} // namespace meshpad::gui
