#pragma once

#include <QString>

class QSpinBox;

namespace meshpad::gui {

// A spin box for a form field of the inspector and the mesh settings:
// `minimum`..`maximum` with `suffix` (a unit, with its leading space), and
// accelerated, as the ranges run to millions (milliseconds, megabytes).
// The caller owns it until a layout takes it.
QSpinBox *spinBox(int minimum, int maximum, const QString &suffix = {});

} // namespace meshpad::gui
