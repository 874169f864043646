#include "modaldialogs.h"

#include <QApplication>
#include <QMessageBox>
#include <QTest>
#include <QTimer>

namespace meshtest {

QMessageBox *visibleMessageBox(const QWidget *parent)
{
    for (QMessageBox *box : parent->findChildren<QMessageBox *>()) {
        if (box->isVisible())
            return box;
    }
    return nullptr;
}

void whenDialogShown(QObject *context, const QMetaObject &type, std::function<void(QDialog *)> act)
{
    auto *poll = new QTimer(context);
    poll->setInterval(20);
    QObject::connect(poll, &QTimer::timeout, context, [poll, &type, act = std::move(act), tries = 0]() mutable {
        auto *dialog = qobject_cast<QDialog *>(QApplication::activeModalWidget());
        if (!dialog || !type.cast(dialog) || !dialog->isVisible()) {
            if (++tries > 500)
                poll->deleteLater();
            return;
        }
        poll->stop();
        poll->deleteLater();
        // Clicks reach a window only once it is on screen.
        if (!QTest::qWaitForWindowExposed(dialog)) {
            dialog->reject();
            return;
        }
        act(dialog);
    });
    poll->start();
}

} // namespace meshtest
