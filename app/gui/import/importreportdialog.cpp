#include "importreportdialog.h"

#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace meshpad::gui {

ImportReportDialog::ImportReportDialog(const QString &summary, const QStringList &notes, QWidget *parent)
    : QDialog(parent)
    , m_notes(notes)
    , m_summary(new QLabel(summary))
    , m_list(new QListWidget)
{
    setObjectName(u"importReport"_qs);
    setWindowTitle(tr("Import report"));
    setAttribute(Qt::WA_DeleteOnClose);
    setSizeGripEnabled(true);

    m_summary->setObjectName(u"importSummary"_qs);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *heading = new QLabel(tr("%n note(s):", nullptr, int(notes.size())));
    heading->setVisible(!notes.isEmpty());
    heading->setWordWrap(true);
    m_list->setObjectName(u"importNotes"_qs);
    m_list->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_list->setWordWrap(true);
    m_list->addItems(notes);
    m_list->setVisible(!notes.isEmpty());

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    QPushButton *copy = buttons->addButton(tr("&Copy All"), QDialogButtonBox::ActionRole);
    copy->setObjectName(u"copyAllButton"_qs);
    copy->setAutoDefault(false);
    connect(copy, &QPushButton::clicked, this, [this] { QApplication::clipboard()->setText(text()); });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_summary);
    layout->addWidget(heading);
    layout->addWidget(m_list, 1);
    layout->addWidget(buttons);
    resize(720, notes.isEmpty() ? 160 : 420);
}

QString ImportReportDialog::summary() const
{
    return m_summary->text();
}

QString ImportReportDialog::text() const
{
    QStringList lines{m_summary->text()};
    lines += m_notes;
    return lines.join(u'\n') + u'\n';
}

} // namespace meshpad::gui
