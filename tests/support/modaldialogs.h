#pragma once

#include <QDialog>

#include <functional>

class QMessageBox;
class QWidget;

// Dialogs as a user meets them, for the GUI tests (Qt Widgets and Qt Test:
// link `meshpad_guitestsupport`).
namespace meshtest {

// The message box `parent` shows right now (its first visible QMessageBox
// child); null when there is none.
QMessageBox *visibleMessageBox(const QWidget *parent);

// Calls `act` with the next modal dialog of `type` (a QDialog subclass's
// staticMetaObject) once it is on screen, from the event loop, so inside
// the dialog's own exec() that a click started. A dialog that never comes
// on screen is rejected instead; after 10 s without one it gives up, and
// the test's own wait for what `act` would have done fails.
void whenDialogShown(QObject *context, const QMetaObject &type, std::function<void(QDialog *)> act);

// whenDialogShown() for the dialog class T: `act` takes a T *.
template<class T, class Act>
void whenModal(QObject *context, Act act)
{
    whenDialogShown(context, T::staticMetaObject, [act](QDialog *dialog) { act(static_cast<T *>(dialog)); });
}

} // namespace meshtest
