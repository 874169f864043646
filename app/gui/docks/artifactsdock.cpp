#include "artifactsdock.h"

#include "artifactjob.h"
#include "codehighlighter.h"

#include "model/topologymodel.h"

#include <QApplication>
#include <QClipboard>
#include <QEvent>
#include <QFileDialog>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QSplitter>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace meshpad::gui {

using mesh::generate::Artifact;
using mesh::generate::ArtifactSet;

namespace {

constexpr int kPathRole = Qt::UserRole;
constexpr int kDebounceMs = 250;

} // namespace

ArtifactsDock::ArtifactsDock(mesh::model::TopologyModel *model, QWidget *parent)
    : QDockWidget(tr("Artifacts"), parent)
    , m_model(model)
    , m_tree(new QTreeWidget)
    , m_text(new QPlainTextEdit)
    , m_status(new QLabel)
    , m_highlighter(new CodeHighlighter(m_text->document()))
{
    setObjectName(QStringLiteral("artifactsDock"));
    // One generation at a time: results arrive in order and a burst of edits
    // costs at most one extra run.
    m_pool.setMaxThreadCount(1);

    m_debounce.setSingleShot(true);
    m_debounce.setInterval(kDebounceMs);
    connect(&m_debounce, &QTimer::timeout, this, &ArtifactsDock::startGeneration);
    connect(m_model, &mesh::model::TopologyModel::changed, this, &ArtifactsDock::requestGeneration);
    connect(m_model, &mesh::model::TopologyModel::modelReset, this, &ArtifactsDock::requestGeneration);

    m_tree->setObjectName(QStringLiteral("artifactTree"));
    m_tree->setHeaderHidden(true);
    m_tree->setUniformRowHeights(true);
    m_tree->setAccessibleName(tr("Generated files"));
    connect(m_tree, &QTreeWidget::currentItemChanged, this, &ArtifactsDock::showSelected);

    m_text->setObjectName(QStringLiteral("artifactText"));
    m_text->setReadOnly(true);
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_text->setAccessibleName(tr("File contents"));
    updateHighlighterColours();

    auto *copy = new QToolButton;
    copy->setObjectName(QStringLiteral("copyArtifact"));
    copy->setText(tr("Copy"));
    copy->setToolTip(tr("Copy the shown file to the clipboard"));
    connect(copy, &QToolButton::clicked, this, &ArtifactsDock::copyCurrent);
    auto *exportButton = new QToolButton;
    exportButton->setObjectName(QStringLiteral("exportArtifacts"));
    exportButton->setText(tr("Export all…"));
    exportButton->setToolTip(tr("Write every file into a folder, as meshpad generate does"));
    connect(exportButton, &QToolButton::clicked, this, &ArtifactsDock::exportAll);

    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(0, 0, 0, 0);
    bar->addWidget(m_status, 1);
    bar->addWidget(copy);
    bar->addWidget(exportButton);

    auto *splitter = new QSplitter(Qt::Horizontal);
    splitter->addWidget(m_tree);
    splitter->addWidget(m_text);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 3);
    splitter->setChildrenCollapsible(false);

    auto *content = new QWidget;
    auto *layout = new QVBoxLayout(content);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(bar);
    layout->addWidget(splitter, 1);
    setWidget(content);

    requestGeneration();
}

ArtifactsDock::~ArtifactsDock()
{
    // The running job posts back to `this`; let it finish while we exist.
    m_pool.waitForDone();
}

QString ArtifactsDock::currentPath() const
{
    const QTreeWidgetItem *item = m_tree->currentItem();
    return item ? item->data(0, kPathRole).toString() : QString();
}

QString ArtifactsDock::currentText() const
{
    return m_text->toPlainText();
}

bool ArtifactsDock::showPath(const QString &path)
{
    if (path.isEmpty())
        return false; // folders carry no path
    for (QTreeWidgetItemIterator it(m_tree); *it; ++it) {
        if ((*it)->data(0, kPathRole).toString() == path) {
            m_tree->setCurrentItem(*it);
            return true;
        }
    }
    return false;
}

void ArtifactsDock::requestGeneration()
{
    ++m_requested;
    m_debounce.start();
}

void ArtifactsDock::startGeneration()
{
    if (m_running) {
        m_dirty = true;
        return;
    }
    m_running = true;
    m_dirty = false;
    m_status->setText(tr("Generating…"));
    // The deliver callback runs on the pool thread; it only posts. The pool
    // is drained in our destructor, so `this` outlives every post.
    m_pool.start(new ArtifactJob(m_requested, m_model->topology(), [this](quint64 serial, ArtifactSet artifacts) {
        QMetaObject::invokeMethod(
            this, [this, serial, artifacts = std::move(artifacts)]() mutable { deliver(serial, std::move(artifacts)); },
            Qt::QueuedConnection);
    }));
}

void ArtifactsDock::deliver(quint64 serial, ArtifactSet artifacts)
{
    m_running = false;
    if (m_dirty || serial != m_requested) {
        // The design changed meanwhile: this result is stale. Start the next
        // run now unless the debounce timer is about to.
        if (!m_debounce.isActive())
            startGeneration();
        return;
    }
    m_artifacts = std::move(artifacts);
    rebuildTree();
    m_status->setText(tr("%n file(s), as meshpad generate writes them", nullptr, int(m_artifacts.artifacts().size())));
    Q_EMIT artifactsUpdated();
}

void ArtifactsDock::rebuildTree()
{
    QStringList paths = m_artifacts.paths();
    QStringList shown;
    for (QTreeWidgetItemIterator it(m_tree); *it; ++it) {
        const QString path = (*it)->data(0, kPathRole).toString();
        if (!path.isEmpty())
            shown.append(path);
    }
    if (shown == paths) {
        // Same files: only the text may have changed; keep selection and scroll.
        showSelected();
        return;
    }

    const QString selected = currentPath();
    const QSignalBlocker blocker(m_tree);
    m_tree->clear();
    QHash<QString, QTreeWidgetItem *> folders;
    for (const QString &path : std::as_const(paths)) {
        const qsizetype slash = path.lastIndexOf(u'/');
        QTreeWidgetItem *parent = nullptr;
        if (slash > 0) {
            // Folders nest: "consul/intentions/x.json" under consul → intentions.
            QString folder;
            for (const QString &part : path.left(slash).split(u'/')) {
                folder = folder.isEmpty() ? part : folder + u'/' + part;
                QTreeWidgetItem *&item = folders[folder];
                if (!item) {
                    item = parent ? new QTreeWidgetItem(parent) : new QTreeWidgetItem(m_tree);
                    item->setText(0, part + u'/');
                    item->setExpanded(true);
                    item->setFlags(Qt::ItemIsEnabled);
                }
                parent = item;
            }
        }
        auto *item = parent ? new QTreeWidgetItem(parent) : new QTreeWidgetItem(m_tree);
        item->setText(0, path.mid(slash + 1));
        item->setData(0, kPathRole, path);
        item->setToolTip(0, path);
    }
    m_tree->expandAll();
    if (!showPath(selected)) {
        // First show: a Nomad job is what most people come for.
        const QString preferred = [&] {
            for (const QString &p : std::as_const(paths)) {
                if (p.endsWith(u".nomad.hcl"))
                    return p;
            }
            return paths.value(0);
        }();
        showPath(preferred);
    }
    showSelected();
}

void ArtifactsDock::showSelected()
{
    const Artifact *artifact = m_artifacts.find(currentPath());
    const QString text = artifact ? artifact->text : QString();
    if (artifact)
        m_highlighter->setKind(artifact->kind);
    if (m_text->toPlainText() == text)
        return;
    const int scroll = m_text->verticalScrollBar()->value();
    m_text->setPlainText(text);
    m_text->verticalScrollBar()->setValue(scroll);
}

void ArtifactsDock::copyCurrent()
{
    QApplication::clipboard()->setText(m_text->toPlainText());
}

void ArtifactsDock::exportAll()
{
    const QString directory = QFileDialog::getExistingDirectory(this, tr("Export all artifacts to"));
    if (directory.isEmpty())
        return;
    exportTo(directory);
}

void ArtifactsDock::exportTo(const QString &directory)
{
    // Exports what the panel shows, even if a newer generation is pending:
    // what you see is what you get. The set is implicitly shared, so the
    // copy costs nothing; the pool is drained in our destructor, so `this`
    // outlives the post.
    const mesh::generate::ArtifactSet artifacts = m_artifacts;
    m_status->setText(tr("Exporting %n file(s) to %1…", nullptr, int(artifacts.artifacts().size())).arg(directory));
    m_pool.start([this, artifacts, directory] {
        const mesh::Result<> written = artifacts.writeTo(directory);
        const QString error = written ? QString() : written.error().message;
        const qsizetype files = artifacts.artifacts().size();
        QMetaObject::invokeMethod(
            this, [this, directory, files, error] { exported(directory, files, error); }, Qt::QueuedConnection);
    });
}

void ArtifactsDock::exported(const QString &directory, qsizetype files, const QString &error)
{
    if (error.isEmpty()) {
        m_status->setText(tr("Exported %n file(s) to %1", nullptr, int(files)).arg(directory));
    } else {
        m_status->setText(tr("Export failed"));
        // Window-modal and not exec()'d: the editor's event loop keeps going.
        auto *box = new QMessageBox(QMessageBox::Warning, tr("Export failed"), error, QMessageBox::Ok, this);
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
    }
    Q_EMIT exportFinished(directory, error);
}

void ArtifactsDock::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange)
        updateHighlighterColours();
    QDockWidget::changeEvent(event);
}

void ArtifactsDock::updateHighlighterColours()
{
    m_highlighter->setDarkBackground(m_text->palette().color(QPalette::Base).lightnessF() < 0.5);
}

} // namespace meshpad::gui
