#include "labsnapshotjson.h"

#include "core/jsonwriter.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace meshpad::cli {

using namespace mesh::lab;
using mesh::JsonWriter;

namespace {

// The JSON writer takes signed numbers; the lab's counters stay far below 2^63.
qint64 number(quint64 value)
{
    return qint64(value);
}

template<class Enum>
Enum enumFrom(const QString &text, std::initializer_list<Enum> values, Enum fallback)
{
    for (Enum value : values) {
        if (toString(value) == text)
            return value;
    }
    return fallback;
}

void writeEndpoint(JsonWriter &w, const Endpoint &endpoint)
{
    w.beginObject()
        .field(u"service", endpoint.service)
        .field(u"alloc", endpoint.allocName)
        .field(u"label", endpoint.label)
        .field(u"url", endpoint.url)
        .endObject();
}

quint64 unsignedFrom(const QJsonValue &value)
{
    const qint64 n = value.toInteger();
    return n > 0 ? quint64(n) : 0;
}

quint16 portFrom(const QJsonValue &value)
{
    const qint64 n = value.toInteger();
    return n > 0 && n <= 65535 ? quint16(n) : 0;
}

void writeInstance(JsonWriter &w, const InstanceSnapshot &i)
{
    w.beginObject()
        .field(u"allocId", i.allocId)
        .field(u"allocName", i.allocName)
        .field(u"index", i.index)
        .field(u"serviceId", i.serviceId.value)
        .field(u"service", i.serviceName)
        .field(u"node", i.node)
        .field(u"nodeAddress", i.nodeAddress)
        .field(u"address", i.address)
        .field(u"state", toString(i.state))
        .field(u"health", toString(i.health))
        .field(u"restarts", i.restarts)
        .field(u"message", i.message);
    w.key(u"ports").beginArray();
    for (const AllocatedPort &p : i.ports) {
        w.beginObject()
            .field(u"label", p.label)
            .field(u"hostAddress", p.hostAddress)
            .field(u"hostPort", int(p.hostPort))
            .field(u"to", int(p.to))
            .endObject();
    }
    w.endArray();
    w.field(u"sidecarPort", int(i.sidecarPort)).field(u"embedded", i.embedded).field(u"pid", i.pid);
    w.key(u"counterValue");
    if (i.counterValue)
        w.value(number(*i.counterValue));
    else
        w.nullValue();
    w.field(u"previousAllocation", i.previousAllocation).field(u"nextAllocation", i.nextAllocation);
    w.endObject();
}

InstanceSnapshot readInstance(const QJsonValue &v)
{
    const QJsonObject n = v.toObject();
    InstanceSnapshot i;
    i.allocId = n.value(u"allocId").toString();
    i.allocName = n.value(u"allocName").toString();
    i.index = n.value(u"index").toInt();
    i.serviceId.value = n.value(u"serviceId").toString();
    i.serviceName = n.value(u"service").toString();
    i.node = n.value(u"node").toString();
    i.nodeAddress = n.value(u"nodeAddress").toString();
    i.address = n.value(u"address").toString();
    i.state = enumFrom(n.value(u"state").toString(),
                       {InstanceState::Pending, InstanceState::Starting, InstanceState::Running,
                        InstanceState::Restarting, InstanceState::Failed, InstanceState::Stopped, InstanceState::Lost},
                       InstanceState::Pending);
    i.health = enumFrom(n.value(u"health").toString(),
                        {HealthStatus::Unknown, HealthStatus::Passing, HealthStatus::Critical}, HealthStatus::Unknown);
    i.restarts = n.value(u"restarts").toInt();
    i.message = n.value(u"message").toString();
    const QJsonArray ports = n.value(u"ports").toArray();
    for (const QJsonValue &pv : ports) {
        const QJsonObject p = pv.toObject();
        i.ports.append({p.value(u"label").toString(), p.value(u"hostAddress").toString(),
                        portFrom(p.value(u"hostPort")), portFrom(p.value(u"to"))});
    }
    i.sidecarPort = portFrom(n.value(u"sidecarPort"));
    i.embedded = n.value(u"embedded").toBool();
    i.pid = n.value(u"pid").toInteger();
    if (const QJsonValue count = n.value(u"counterValue"); count.isDouble())
        i.counterValue = unsignedFrom(count);
    i.previousAllocation = n.value(u"previousAllocation").toString();
    i.nextAllocation = n.value(u"nextAllocation").toString();
    return i;
}

} // namespace

QString LabSnapshotJson::timeText(const QDateTime &time)
{
    return time.isValid() ? time.toUTC().toString(Qt::ISODateWithMs) : QString();
}

QString LabSnapshotJson::nodeApis(const NodeSnapshot &node)
{
    JsonWriter w(JsonWriter::Style::Compact);
    w.beginObject()
        .field(u"node", node.name)
        .field(u"address", node.address)
        .field(u"consul", node.consulAddress)
        .field(u"nomad", node.nomadAddress)
        .endObject();
    return w.text();
}

QString LabSnapshotJson::endpoint(const Endpoint &endpoint)
{
    JsonWriter w(JsonWriter::Style::Compact);
    writeEndpoint(w, endpoint);
    return w.text();
}

QString LabSnapshotJson::event(const LabEvent &event)
{
    JsonWriter w(JsonWriter::Style::Compact);
    w.beginObject()
        .field(u"event", toString(event.kind))
        .field(u"service", event.service)
        .field(u"alloc", event.allocName)
        .field(u"text", event.text)
        .field(u"time", timeText(event.time))
        .endObject();
    return w.text();
}

QString LabSnapshotJson::snapshot(const LabSnapshot &snapshot)
{
    JsonWriter w(JsonWriter::Style::Compact);
    w.beginObject()
        .field(u"running", snapshot.running)
        .field(u"taken", timeText(snapshot.taken))
        .field(u"trustDomain", snapshot.trustDomain)
        .field(u"datacenter", snapshot.datacenter)
        .field(u"dashboardUrl", snapshot.dashboardUrl);

    w.key(u"nodes").beginArray();
    for (const NodeSnapshot &n : snapshot.nodes)
        w.beginObject()
            .field(u"name", n.name)
            .field(u"address", n.address)
            .field(u"up", n.up)
            .field(u"consul", n.consulAddress)
            .field(u"nomad", n.nomadAddress)
            .endObject();
    w.endArray();

    w.key(u"instances").beginArray();
    for (const InstanceSnapshot &i : snapshot.instances)
        writeInstance(w, i);
    w.endArray();

    w.key(u"lost").beginArray();
    for (const InstanceSnapshot &i : snapshot.lost)
        writeInstance(w, i);
    w.endArray();

    w.key(u"arrows").beginArray();
    for (const ArrowSnapshot &a : snapshot.arrows) {
        w.beginObject()
            .field(u"id", a.id.value)
            .field(u"from", a.from)
            .field(u"to", a.to)
            .field(u"allowed", a.allowed)
            .field(u"activeConnections", number(a.activeConnections))
            .field(u"totalConnections", number(a.totalConnections))
            .field(u"bytesSent", number(a.bytesSent))
            .field(u"bytesReceived", number(a.bytesReceived))
            .field(u"bytesPerSecond", a.bytesPerSecond)
            .field(u"refusals", number(a.refusals))
            .field(u"connectFailures", number(a.connectFailures))
            .field(u"addedLatencyMs", a.addedLatencyMs)
            .field(u"failureRate", a.failureRate)
            .endObject();
    }
    w.endArray();

    w.key(u"endpoints").beginArray();
    for (const Endpoint &e : snapshot.endpoints)
        writeEndpoint(w, e);
    w.endArray();

    w.endObject();
    return w.text();
}

mesh::Result<LabSnapshot> LabSnapshotJson::parseSnapshot(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject()) {
        return mesh::fail(mesh::Error::Code::Parse,
                          QStringLiteral("the lab's status is not a JSON object (%1)")
                              .arg(error.error != QJsonParseError::NoError ? error.errorString()
                                                                           : QStringLiteral("another JSON value")));
    }
    const QJsonObject o = document.object();
    LabSnapshot s;
    s.running = o.value(u"running").toBool();
    s.taken = QDateTime::fromString(o.value(u"taken").toString(), Qt::ISODateWithMs);
    s.trustDomain = o.value(u"trustDomain").toString();
    s.datacenter = o.value(u"datacenter").toString();
    s.dashboardUrl = o.value(u"dashboardUrl").toString();

    const QJsonArray nodes = o.value(u"nodes").toArray();
    for (const QJsonValue &v : nodes) {
        const QJsonObject n = v.toObject();
        NodeSnapshot node;
        node.name = n.value(u"name").toString();
        node.address = n.value(u"address").toString();
        node.up = n.value(u"up").toBool(true);
        node.consulAddress = n.value(u"consul").toString();
        node.nomadAddress = n.value(u"nomad").toString();
        s.nodes.append(node);
    }

    for (const QJsonValue &v : o.value(u"instances").toArray())
        s.instances.append(readInstance(v));
    for (const QJsonValue &v : o.value(u"lost").toArray())
        s.lost.append(readInstance(v));

    const QJsonArray arrows = o.value(u"arrows").toArray();
    for (const QJsonValue &v : arrows) {
        const QJsonObject n = v.toObject();
        ArrowSnapshot a;
        a.id.value = n.value(u"id").toString();
        a.from = n.value(u"from").toString();
        a.to = n.value(u"to").toString();
        a.allowed = n.value(u"allowed").toBool(true);
        a.activeConnections = unsignedFrom(n.value(u"activeConnections"));
        a.totalConnections = unsignedFrom(n.value(u"totalConnections"));
        a.bytesSent = unsignedFrom(n.value(u"bytesSent"));
        a.bytesReceived = unsignedFrom(n.value(u"bytesReceived"));
        a.bytesPerSecond = n.value(u"bytesPerSecond").toDouble();
        a.refusals = unsignedFrom(n.value(u"refusals"));
        a.connectFailures = unsignedFrom(n.value(u"connectFailures"));
        a.addedLatencyMs = n.value(u"addedLatencyMs").toInt();
        a.failureRate = n.value(u"failureRate").toDouble();
        s.arrows.append(a);
    }

    const QJsonArray endpoints = o.value(u"endpoints").toArray();
    for (const QJsonValue &v : endpoints) {
        const QJsonObject n = v.toObject();
        s.endpoints.append({n.value(u"service").toString(), n.value(u"alloc").toString(), n.value(u"label").toString(),
                            n.value(u"url").toString()});
    }
    return s;
}

} // namespace meshpad::cli
