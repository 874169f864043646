#pragma once

#include <QDialog>

class QLabel;

namespace meshpad::gui {

// Help › About Meshpad: the version, the project's address, Meshpad's
// licence (MIT, LICENSE) and those of the libraries the program links, with
// the versions it runs with where the library can say (else the version it
// was built against, marked so).
class AboutDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AboutDialog)

public:
    explicit AboutDialog(QWidget *parent = nullptr);

    // The dialog's text (rich text), as shown.
    static QString text();

private:
    QLabel *m_text;
};

} // namespace meshpad::gui
