#include "windowlookup.h"

#include "mainwindow.h"
#include "model/topologymodel.h"

#include <QAction>

namespace meshtest {

QAction *windowAction(const meshpad::gui::MainWindow &window, const QString &objectName)
{
    for (QAction *a : window.allActions()) {
        if (a->objectName() == objectName)
            return a;
    }
    return nullptr;
}

mesh::model::ServiceId serviceIdByName(const meshpad::gui::MainWindow &window, QStringView name)
{
    const mesh::model::Service *s = window.model().topology().serviceByName(name);
    return s ? s->id : mesh::model::ServiceId{};
}

} // namespace meshtest
