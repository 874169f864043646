#include "templatelist.h"

#include "canvas/servicetemplates.h"

#include <QMimeData>

namespace meshpad::gui {

namespace {

constexpr int kKindRole = Qt::UserRole;

} // namespace

TemplateList::TemplateList(QWidget *parent)
    : QListWidget(parent)
{
    setObjectName(QStringLiteral("templateList"));
    setAccessibleName(tr("Service templates"));
    setDragEnabled(true);
    setDragDropMode(QAbstractItemView::DragOnly);
    setDefaultDropAction(Qt::CopyAction);
    setSelectionMode(QAbstractItemView::SingleSelection);
    setUniformItemSizes(true);
    setSpacing(2);
    for (const ServiceTemplateInfo &info : serviceTemplates()) {
        auto *item = new QListWidgetItem(info.title, this);
        item->setData(kKindRole, toString(info.kind));
        item->setToolTip(info.description + u'\n' + tr("Drag onto the canvas, or press Enter to add it"));
        item->setStatusTip(info.description);
    }
    setCurrentRow(0);
    connect(this, &QListWidget::itemActivated, this, [this](QListWidgetItem *item) {
        if (const auto kind = mesh::model::serviceTemplateFromString(item->data(kKindRole).toString()))
            Q_EMIT templateActivated(*kind);
    });
}

TemplateList::~TemplateList() = default;

void TemplateList::setFilter(const QString &text)
{
    const QString needle = text.trimmed();
    QListWidgetItem *firstVisible = nullptr;
    for (int row = 0; row < count(); ++row) {
        QListWidgetItem *entry = item(row);
        const bool match = needle.isEmpty() || entry->text().contains(needle, Qt::CaseInsensitive)
                           || entry->statusTip().contains(needle, Qt::CaseInsensitive)
                           || entry->data(kKindRole).toString().contains(needle, Qt::CaseInsensitive);
        entry->setHidden(!match);
        if (match && !firstVisible)
            firstVisible = entry;
    }
    if (firstVisible && (!currentItem() || currentItem()->isHidden()))
        setCurrentItem(firstVisible);
}

QStringList TemplateList::mimeTypes() const
{
    return {QString::fromLatin1(kTemplateMimeType)};
}

QMimeData *TemplateList::mimeData(const QList<QListWidgetItem *> &items) const
{
    if (items.isEmpty())
        return nullptr;
    auto *mime = new QMimeData;
    mime->setData(QString::fromLatin1(kTemplateMimeType), items.first()->data(kKindRole).toString().toUtf8());
    return mime;
}

} // namespace meshpad::gui
