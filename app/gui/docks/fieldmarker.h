#pragma once

#include <QString>
#include <QStringList>
#include <QVariant>
#include <QWidget>

namespace meshpad::gui {

// Marks a form field as invalid (red frame, the validator's messages as its
// tooltip) or valid again (its usual tooltip). One look for every form.
// The widget needs an objectName: the frame is scoped to it so child
// widgets (a spin box's line edit) keep their own style.
inline void markField(QWidget *widget, const QStringList &messages, const QString &validToolTip)
{
    const bool invalid = !messages.isEmpty();
    if (widget->property("invalid").toBool() == invalid && !invalid)
        return;
    widget->setProperty("invalid", invalid);
    widget->setStyleSheet(
        invalid ? QStringLiteral("#%1 { border: 2px solid #e0464b; border-radius: 3px; }").arg(widget->objectName())
                : QString());
    widget->setToolTip(invalid ? messages.join(u'\n') : validToolTip);
}

} // namespace meshpad::gui
