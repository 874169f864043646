#pragma once

#include <QDialog>
#include <QList>
#include <QPointer>

class QAction;
class QLineEdit;
class QTreeWidget;

namespace meshpad::gui {

// Ctrl+Shift+P: every action of the window with its shortcut, filtered as
// you type (every word must appear in the action's text or menu path);
// Up/Down choose, Enter triggers and closes, Esc closes. Disabled actions
// are listed greyed, so the palette also says what exists.
class CommandPalette final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CommandPalette)

public:
    struct Entry
    {
        QPointer<QAction> action;
        QString path; // "Edit › Duplicate"
    };

    explicit CommandPalette(const QList<Entry> &entries, QWidget *parent = nullptr);
    ~CommandPalette() override;

    QLineEdit *filterField() const { return m_filter; }
    // The visible entries' texts, in order (tests, and the first is Enter's).
    QStringList visibleCommands() const;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void applyFilter(const QString &text);
    void triggerCurrent();

    QList<Entry> m_entries;
    QLineEdit *m_filter;
    QTreeWidget *m_list;
};

} // namespace meshpad::gui
