#include "canvasclipboard.h"

#include "model/projectfile.h"

#include <QMimeData>
#include <QSet>

namespace meshpad::gui {

using namespace mesh::model;

Topology CanvasClipboard::fragment(const Topology &topology, const QList<ServiceId> &services)
{
    const QSet<ServiceId> wanted(services.cbegin(), services.cend());
    Topology fragment;
    fragment.name = topology.name;
    fragment.settings = topology.settings;
    for (const Service &s : topology.services) {
        if (wanted.contains(s.id))
            fragment.services.append(s);
    }
    for (const Upstream &u : topology.upstreams) {
        if (wanted.contains(u.downstream) && wanted.contains(u.destination))
            fragment.upstreams.append(u);
    }
    return fragment;
}

QMimeData *CanvasClipboard::toMimeData(const Topology &fragment)
{
    const QByteArray json = ProjectFile::toJson(fragment).toUtf8();
    auto *mime = new QMimeData;
    mime->setData(QString::fromLatin1(kMimeType), json);
    mime->setText(QString::fromUtf8(json));
    return mime;
}

std::optional<Topology> CanvasClipboard::fromMimeData(const QMimeData *mime)
{
    const QString type = QString::fromLatin1(kMimeType);
    if (!mime || !mime->hasFormat(type))
        return std::nullopt;
    auto loaded = ProjectFile::fromJson(mime->data(type));
    if (!loaded)
        return std::nullopt;
    return std::move(*loaded);
}

} // namespace meshpad::gui
