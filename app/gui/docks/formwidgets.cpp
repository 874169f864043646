#include "formwidgets.h"

#include <QSpinBox>

namespace meshpad::gui {

QSpinBox *spinBox(int minimum, int maximum, const QString &suffix)
{
    auto *spin = new QSpinBox;
    spin->setRange(minimum, maximum);
    spin->setSuffix(suffix);
    spin->setAccelerated(true);
    return spin;
}

} // namespace meshpad::gui
