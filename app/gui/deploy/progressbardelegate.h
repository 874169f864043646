#pragma once

#include <QStyledItemDelegate>

namespace meshpad::gui {

// Paints a cell as a progress bar (QStyle::CE_ProgressBar) from its data:
// value() of the item's ValueRole out of MaximumRole, with the DisplayRole
// text on it. Only the rows on screen are painted — unlike one QProgressBar
// widget per row (setItemWidget), whose repaints of a hundred groups stalled
// the GUI thread for ~80 ms at a time (bench/bench_deploy.cpp).
class ProgressBarDelegate final : public QStyledItemDelegate
{
    Q_OBJECT

public:
    enum Role { ValueRole = Qt::UserRole + 40, MaximumRole };

    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
};

} // namespace meshpad::gui
