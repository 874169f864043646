#include "palettewidget.h"

#include "templatelist.h"

#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QVBoxLayout>

namespace meshpad::gui {

PaletteWidget::PaletteWidget(QWidget *parent)
    : QWidget(parent)
    , m_search(new QLineEdit)
    , m_list(new TemplateList)
{
    m_search->setObjectName(QStringLiteral("paletteSearch"));
    m_search->setPlaceholderText(tr("Search templates"));
    m_search->setClearButtonEnabled(true);
    m_search->setAccessibleName(tr("Search templates"));
    m_search->installEventFilter(this);
    connect(m_search, &QLineEdit::textChanged, m_list, &TemplateList::setFilter);
    connect(m_list, &TemplateList::templateActivated, this, &PaletteWidget::templateActivated);

    auto *hint = new QLabel(tr("Drag onto the canvas"));
    hint->setEnabled(false);
    hint->setWordWrap(true);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_search);
    layout->addWidget(m_list, 1);
    layout->addWidget(hint);
    setFocusProxy(m_search);
}

PaletteWidget::~PaletteWidget() = default;

bool PaletteWidget::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_search && event->type() == QEvent::KeyPress) {
        const auto *key = static_cast<QKeyEvent *>(event);
        if (key->key() == Qt::Key_Down) {
            m_list->setFocus(Qt::TabFocusReason);
            return true;
        }
        if ((key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) && m_list->currentItem()
            && !m_list->currentItem()->isHidden()) {
            Q_EMIT m_list->itemActivated(m_list->currentItem());
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace meshpad::gui
