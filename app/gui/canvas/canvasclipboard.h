#pragma once

#include "model/topology.h"

#include <QList>
#include <optional>

class QMimeData;

namespace meshpad::gui {

// The clipboard form of a selection: MIME type
// `application/x-meshpad-fragment`, holding a project file (ProjectFile's
// JSON) of the copied services and the arrows between them — so a fragment
// pasted into a text editor is readable, and any project file is pasteable.
class CanvasClipboard final
{
public:
    static constexpr char kMimeType[] = "application/x-meshpad-fragment";

    // The services named (in design order) and the arrows with both ends
    // among them; the design's settings come along.
    static mesh::model::Topology fragment(const mesh::model::Topology &topology,
                                          const QList<mesh::model::ServiceId> &services);

    // Caller owns the result (QClipboard::setMimeData takes it). Also sets
    // text/plain to the same JSON.
    static QMimeData *toMimeData(const mesh::model::Topology &fragment);
    // nullopt if `mime` has no fragment or it does not load.
    static std::optional<mesh::model::Topology> fromMimeData(const QMimeData *mime);
};

} // namespace meshpad::gui
