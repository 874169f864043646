#pragma once

#include "model/topology.h"

#include <QListWidget>

namespace meshpad::gui {

// The palette's list of service templates. Dragging an entry carries
// kTemplateMimeType with the template word, which the canvas accepts as a
// drop; Enter or a double-click emits templateActivated() for the keyboard.
class TemplateList final : public QListWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TemplateList)

public:
    explicit TemplateList(QWidget *parent = nullptr);
    ~TemplateList() override;

    // Hides the entries whose title or description does not contain `text`;
    // keeps a visible entry current so Enter adds it.
    void setFilter(const QString &text);

    // What a drag of `items` carries (public for tests that deliver drops).
    QStringList mimeTypes() const override;
    QMimeData *mimeData(const QList<QListWidgetItem *> &items) const override;

Q_SIGNALS:
    void templateActivated(mesh::model::ServiceTemplate kind);
};

} // namespace meshpad::gui
