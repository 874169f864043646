#include "aboutdialog.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QSslSocket>
#include <QVBoxLayout>

#include <gvc.h>

namespace meshpad::gui {

namespace {

struct Library
{
    QString name;
    QString version;
    QString licence; // SPDX identifier (https://spdx.org/licenses/)
    QString homepage;
};

// Graphviz says its version only through a context (graphviz:
// lib/gvc/gvc.h, gvcVersion), which the layout makes anyway.
QString graphvizVersion()
{
    GVC_t *context = gvContext();
    const QString version = QString::fromUtf8(gvcVersion(context));
    gvFreeContext(context);
    return version;
}

// What app/CMakeLists.txt and app/gui/CMakeLists.txt link into `meshpad`
// (ldd build/debug/bin/meshpad lists the same).
QList<Library> linkedLibraries()
{
    const QString built = AboutDialog::tr("%1 (built with)");
    return {
        {QStringLiteral("Qt"), QString::fromLatin1(qVersion()), QStringLiteral("LGPL-3.0-only"),
         QStringLiteral("https://www.qt.io/licensing/open-source-lgpl-obligations")},
        // Qt's TLS backend's library, which is the OpenSSL mesh/pki links.
        {QStringLiteral("OpenSSL"), QSslSocket::sslLibraryVersionString(), QStringLiteral("Apache-2.0"),
         QStringLiteral("https://www.openssl.org/source/license.html")},
        {QStringLiteral("QCoro"), built.arg(QStringLiteral(MESHPAD_QCORO_VERSION)), QStringLiteral("MIT"),
         QStringLiteral("https://github.com/qcoro/qcoro")},
        {QStringLiteral("QtKeychain"), built.arg(QStringLiteral(MESHPAD_QTKEYCHAIN_VERSION)),
         QStringLiteral("BSD-3-Clause"), QStringLiteral("https://github.com/frankosterfeld/qtkeychain")},
        {QStringLiteral("Graphviz"), graphvizVersion(), QStringLiteral("EPL-1.0"),
         QStringLiteral("https://graphviz.org/license/")},
    };
}

} // namespace

AboutDialog::AboutDialog(QWidget *parent)
    : QDialog(parent)
    , m_text(new QLabel(text()))
{
    setObjectName(QStringLiteral("aboutDialog"));
    setWindowTitle(tr("About Meshpad"));
    m_text->setObjectName(QStringLiteral("aboutText"));
    m_text->setTextFormat(Qt::RichText);
    m_text->setOpenExternalLinks(true);
    m_text->setTextInteractionFlags(Qt::TextBrowserInteraction);
    m_text->setWordWrap(true);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_text);
    layout->addWidget(buttons);
}

QString AboutDialog::text()
{
    const QString homepage = QStringLiteral(MESHPAD_HOMEPAGE);
    QString rows;
    for (const Library &library : linkedLibraries()) {
        rows += u"<tr><td><a href=\"%1\">%2</a></td><td>%3</td><td>%4</td></tr>"_qs.arg(
            library.homepage, library.name, library.version.toHtmlEscaped(), library.licence);
    }
    return tr("<h3>Meshpad %1</h3>"
              "<p>Design a Consul service mesh on Nomad as a picture, and see every file it means.</p>"
              "<p><a href=\"%2\">%2</a></p>"
              "<p>Copyright © 2026 The Meshpad developers. Released under the MIT licence (MIT).</p>"
              "<p>Meshpad links these libraries, each under its own licence:</p>"
              "<table cellspacing=\"6\"><tr><th align=\"left\">Library</th><th align=\"left\">Version</th>"
              "<th align=\"left\">Licence</th></tr>%3</table>"
              "<p>Icons: Breeze by the KDE Visual Design Group (LGPL-3.0-or-later), from the system.</p>")
        .arg(QStringLiteral(MESHPAD_VERSION), homepage, rows);
}

} // namespace meshpad::gui
