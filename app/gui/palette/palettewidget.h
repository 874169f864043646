#pragma once

#include "model/topology.h"

#include <QWidget>

class QLineEdit;

namespace meshpad::gui {

class TemplateList;

// The left palette: a search field over the template list. Typing filters;
// Down moves into the list; Enter in either adds the current template.
class PaletteWidget final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PaletteWidget)

public:
    explicit PaletteWidget(QWidget *parent = nullptr);
    ~PaletteWidget() override;

    TemplateList *list() const { return m_list; }
    QLineEdit *searchField() const { return m_search; }

Q_SIGNALS:
    void templateActivated(mesh::model::ServiceTemplate kind);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    QLineEdit *m_search;
    TemplateList *m_list;
};

} // namespace meshpad::gui
