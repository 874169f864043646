#pragma once

#include <QDialog>
#include <QString>
#include <QStringList>

class QLabel;
class QListWidget;

namespace meshpad::gui {

// What an import brought and what it left out, shown after File › Import
// Nomad Jobs… and Import from Cluster…: a summary line ("Imported 2
// services and 1 arrow from counter.nomad.hcl, dashboard.nomad.hcl") over
// one row per note — each "not imported: …" of mesh::importer::JobImporter
// and what a merge did with services the design had already — so nothing
// that was lost goes unsaid. Copy All puts the summary and the notes on the
// clipboard, one per line (for a ticket or a commit message).
// Opened window-modal and not blocking (open()); deletes itself on close.
class ImportReportDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ImportReportDialog)

public:
    ImportReportDialog(const QString &summary, const QStringList &notes, QWidget *parent = nullptr);

    QString summary() const;
    QStringList notes() const { return m_notes; }
    QListWidget *notesList() const { return m_list; }
    // The summary line and every note, one per line: what Copy All copies.
    QString text() const;

private:
    QStringList m_notes;
    QLabel *m_summary;
    QListWidget *m_list;
};

} // namespace meshpad::gui
