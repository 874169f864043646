#pragma once

#include "model/topology.h"

#include <QList>
#include <QString>

namespace meshpad::gui {

// The MIME type a palette drag carries; the payload is the template word of
// mesh::model::toString(ServiceTemplate) in UTF-8 ("counter", "dashboard",
// "generic", "docker"). CanvasView accepts drops of it.
inline constexpr char kTemplateMimeType[] = "application/x-meshpad-template";

// What the palette shows for one template.
struct ServiceTemplateInfo
{
    mesh::model::ServiceTemplate kind;
    QString title;       // "Counter"
    QString description; // one line for the palette's tooltip / subtitle
};

// Every template, in palette order.
QList<ServiceTemplateInfo> serviceTemplates();

// A service with good defaults for `kind`: the counter and dashboard run the
// demo apps as in the countdash example (Nomad exec driver, Connect sidecar,
// health check), generic runs a command, docker an image. No id (the model
// assigns one) and no position; names are the template's base name — the
// canvas makes them unique before adding.
mesh::model::Service serviceFromTemplate(mesh::model::ServiceTemplate kind);

} // namespace meshpad::gui
