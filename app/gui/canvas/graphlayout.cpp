#include "graphlayout.h"

// libgvc's C API is a set of macros over casts; its headers are not ours to
// fix, so silence the house warnings for them.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
#pragma GCC diagnostic ignored "-Wpedantic"
#pragma GCC diagnostic ignored "-Wcast-align"
#include <graphviz/gvc.h>

#include <QHash>
#include <QList>

#include <cmath>
#include <limits>
#include <memory>

namespace meshpad::gui {

using namespace mesh::model;

namespace {

struct GvcFree
{
    void operator()(GVC_t *gvc) const { gvFreeContext(gvc); }
};
struct GraphClose
{
    void operator()(Agraph_t *g) const { agclose(g); }
};

// cgraph takes `char *` for names it only reads.
char *cstr(const QByteArray &bytes)
{
    return const_cast<char *>(bytes.constData());
}

void set(void *object, const char *name, const QByteArray &value)
{
    agsafeset(object, const_cast<char *>(name), cstr(value), const_cast<char *>(""));
}

} // namespace

QHash<ServiceId, QPointF> GraphLayout::layered(const Topology &topology, QSizeF cardSize)
{
    QHash<ServiceId, QPointF> positions;
    if (topology.services.isEmpty())
        return positions;

    std::unique_ptr<GVC_t, GvcFree> gvc(gvContext());
    std::unique_ptr<Agraph_t, GraphClose> graph(agopen(cstr("meshpad"), Agdirected, nullptr));
    if (!gvc || !graph)
        return positions;
    Agraph_t *g = graph.get();
    // Left to right along the arrows; gaps in inches as dot counts them,
    // wide enough for a port label on every arrow.
    set(g, "rankdir", "LR");
    set(g, "nodesep", "0.45");
    set(g, "ranksep", "1.1");

    constexpr double pointsPerInch = 72.0;
    const QByteArray width = QByteArray::number(cardSize.width() / pointsPerInch);
    const QByteArray height = QByteArray::number(cardSize.height() / pointsPerInch);
    QHash<ServiceId, Agnode_t *> nodes;
    QList<std::pair<ServiceId, Agnode_t *>> ordered;
    for (qsizetype i = 0; i < topology.services.size(); ++i) {
        const Service &s = topology.services[i];
        // Index names: service ids may hold anything; dot needs none of it.
        Agnode_t *n = agnode(g, cstr("n" + QByteArray::number(i)), 1);
        set(n, "shape", "box");
        set(n, "fixedsize", "true");
        set(n, "width", width);
        set(n, "height", height);
        nodes.insert(s.id, n);
        ordered.append({s.id, n});
    }
    for (const Upstream &u : topology.upstreams) {
        Agnode_t *from = nodes.value(u.downstream);
        Agnode_t *to = nodes.value(u.destination);
        if (from && to && from != to)
            agedge(g, from, to, nullptr, 1);
    }

    if (gvLayout(gvc.get(), g, "dot") != 0)
        return positions;

    // dot's y axis points up and coordinates are card centres; ours point
    // down and name top-left corners. Keep the design's top-left corner.
    QPointF oldTopLeft(std::numeric_limits<qreal>::max(), std::numeric_limits<qreal>::max());
    for (const Service &s : topology.services)
        oldTopLeft = QPointF(qMin(oldTopLeft.x(), s.position.x()), qMin(oldTopLeft.y(), s.position.y()));
    QPointF newTopLeft(std::numeric_limits<qreal>::max(), std::numeric_limits<qreal>::max());
    for (const auto &[id, n] : std::as_const(ordered)) {
        const pointf c = ND_coord(n);
        const QPointF topLeft(c.x - cardSize.width() / 2, -c.y - cardSize.height() / 2);
        positions.insert(id, topLeft);
        newTopLeft = QPointF(qMin(newTopLeft.x(), topLeft.x()), qMin(newTopLeft.y(), topLeft.y()));
    }
    gvFreeLayout(gvc.get(), g);

    const QPointF shift = oldTopLeft - newTopLeft;
    for (QPointF &p : positions)
        p = QPointF(std::round(p.x() + shift.x()), std::round(p.y() + shift.y()));
    return positions;
}

} // namespace meshpad::gui

#pragma GCC diagnostic pop
