#pragma once

#include "model/topology.h"

#include <QHash>
#include <QPointF>
#include <QSizeF>

namespace meshpad::gui {

// Layered layout, left to right along the upstream direction (a downstream
// sits left of what it calls), by Graphviz's `dot` engine through libgvc.
// The only file that talks to libgvc.
class GraphLayout final
{
public:
    // New top-left card positions for every service of `topology`, given the
    // card size; the drawing's top-left corner is kept where the services'
    // current top-left corner is, so a tidy does not fling the design away.
    // Empty if Graphviz fails (the caller then changes nothing).
    static QHash<mesh::model::ServiceId, QPointF> layered(const mesh::model::Topology &topology, QSizeF cardSize);
};

} // namespace meshpad::gui
